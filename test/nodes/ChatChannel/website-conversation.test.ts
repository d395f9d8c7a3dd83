/**
 * The Website Chat channel under the customer-conversation bridge, unchanged (docs/conversations.md):
 * a visitor's message, as the trigger emits it, through *Forward to TeamSpirit*; an operator's
 * message, edit, delete and typing, as the TeamSpirit Trigger emits them, through *Send to Customer*
 * into the visitor's transcript (what the widget shows). Through WorkflowExecute, the nodes as
 * examples/website-conversations.json has them, against the TeamSpirit emulator (which is also the
 * channel).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritWebsiteApi } from '../../../credentials/TeamSpiritWebsiteApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { acceptedParts } from '../../../nodes/channels/memory';
import { forgetTranscripts, transcriptKey } from '../../../nodes/channels/website/transcript';
import { forgetCaches } from '../../../nodes/conversations/caches';
import { conversationKey } from '../../../nodes/conversations/keys';
import { TeamSpiritEmulator, type Message } from '../../emulators/teamspirit';
import { runWorkflow } from '../../harness';
import { SESSION_SECRET } from '../conformance/website';
import { NODE_TYPE, loadWorkflow } from './setup';

const VISITOR = 'v_AdaAdaAdaAdaAdaAdaAdaA';

let ts: TeamSpiritEmulator;
beforeEach(async () => {
	ts = await TeamSpiritEmulator.start();
	forgetTranscripts();
	forgetCaches();
	acceptedParts.clear();
});
afterEach(async () => await ts.stop());

/** The Chat Channel node on the Website channel with one conversation operation, fed `items`. */
async function conversation(parameters: INodeParameters, items: IDataObject[]) {
	const workflow = loadWorkflow('website.message.send');
	workflow.nodes[1].parameters.items = JSON.stringify(items);
	workflow.nodes[2].parameters = { channel: 'website', resource: 'conversation', conversationOptions: {}, ...parameters };
	workflow.nodes[2].credentials = { ...workflow.nodes[2].credentials, teamSpiritApi: { id: '1', name: 'TeamSpirit' } };
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritWebsiteApi(), new TeamSpiritApi()],
		credentials: {
			teamSpiritWebsiteApi: { serverUrl: ts.url, apiKey: ts.apiKey, sessionSecret: SESSION_SECRET },
			teamSpiritApi: { serverUrl: ts.url, apiKey: ts.apiKey },
		},
	});
	if (result.status !== 'success') throw new Error(String(result.error?.message));
	return result.nodeOutput('Chat Channel').map((o) => o.json);
}

/** The visitor's message as the Chat Channel Trigger emits it (the message already in the transcript). */
function visitorWrites(text: string) {
	const transcript = ts.addChat({
		title: `Website visitor ${VISITOR}`,
		externalKey: transcriptKey(VISITOR, SESSION_SECRET),
		metadata: { kind: 'websiteVisitor', visitorId: VISITOR, name: 'Ada', email: 'ada@example.com', typingUntil: null },
	});
	const stored = ts.addMessage(transcript.id, { text, externalKey: 'in:client-1' });
	return {
		channel: 'website',
		account: ts.bot.id,
		event: 'message',
		eventId: `website:${ts.bot.id}:${stored.id}`,
		messageId: stored.id,
		conversationId: VISITOR,
		sender: { id: VISITOR, name: 'Ada', email: 'ada@example.com' },
		text,
		attachments: [],
		timestamp: stored.createdAt,
		raw: {},
	};
}

const toCustomer = (items: IDataObject[]) => conversation({ operation: 'toCustomer' }, items);
const event = (name: string, message: Message) => ({ event: name, chatId: message.chatId, message: message as unknown as IDataObject });
const transcript = () => ts.messagesIn(ts.chatByKey(transcriptKey(VISITOR, SESSION_SECRET))!.id);

describe('Website Chat under the conversation bridge', () => {
	it("a visitor's message opens a conversation chat with the visitor's name and e-mail; the operator's answer, edit and delete reach the transcript once", async () => {
		const operator = ts.addUser({ name: 'Olga Operator', username: 'olga' });
		await conversation({ operation: 'toTeamSpirit', operators: [operator.id] }, [visitorWrites('Where is my order?')]);
		const chat = ts.chatByKey(conversationKey('website', ts.bot.id, VISITOR, ts.apiKey))!;
		expect(chat.metadata).toMatchObject({
			channel: 'website',
			account: ts.bot.id,
			conversationId: VISITOR,
			customer: { id: VISITOR, name: 'Ada', email: 'ada@example.com' },
		});
		expect(ts.messagesIn(chat.id).map((m) => m.text)).toContain('Where is my order?');

		const { message } = await ts.postAsUser(chat.id, operator.id, { text: 'It ships **today**, see [tracking](https://track.example.com/1)', format: 'markdown' });
		// the TeamSpirit Trigger's item, delivered twice (a retried execution)
		await toCustomer([event('message.created', message)]);
		await toCustomer([event('message.created', message)]);
		expect(transcript().map((m) => [m.text, m.format])).toEqual([
			['Where is my order?', 'plain'],
			['It ships today, see tracking (https://track.example.com/1)', 'plain'],
		]);

		const edited = (await ts.editAsUser(message.id, { text: 'It ships tomorrow' })).message;
		await toCustomer([event('message.updated', edited)]);
		expect(transcript()[1]).toMatchObject({ text: 'It ships tomorrow', editedAt: expect.any(String) });

		const deleted = (await ts.deleteAsUser(message.id)).message;
		await toCustomer([event('message.deleted', deleted)]);
		expect(transcript().map((m) => m.text)).toEqual(['Where is my order?']);
	});

	it("an operator typing in the conversation chat shows as typing in the visitor's widget", async () => {
		const operator = ts.addUser({ name: 'Olga Operator', username: 'olga' });
		await conversation({ operation: 'toTeamSpirit', operators: [operator.id] }, [visitorWrites('Hello?')]);
		const chat = ts.chatByKey(conversationKey('website', ts.bot.id, VISITOR, ts.apiKey))!;
		const before = Date.now();
		const until = new Date(before + 5000).toISOString();
		await toCustomer([{ event: 'chat.typing', chatId: chat.id, userId: operator.id, user: { id: operator.id, name: operator.name }, until, chat: chat as unknown as IDataObject }]);
		const typingUntil = Date.parse(String(ts.chatByKey(transcriptKey(VISITOR, SESSION_SECRET))!.metadata.typingUntil));
		expect(typingUntil).toBeGreaterThanOrEqual(before + 6000);
	});
});
