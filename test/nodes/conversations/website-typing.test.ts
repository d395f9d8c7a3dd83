/**
 * Operators → website visitor, typing (README "Typing and business hours"): an operator typing in
 * a Website Chat conversation chat reaches the TeamSpirit Trigger as *Typing*, and Send to
 * Customer sets the visitor's transcript's `typingUntil` (what the widget's long poll shows as
 * "typing…") to now + 6 s, by a conditional write that never moves it back.
 */
import { randomUUID } from 'node:crypto';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritWebsiteApi } from '../../../credentials/TeamSpiritWebsiteApi.credentials';
import { forgetTranscripts, transcriptKey } from '../../../nodes/channels/website/transcript';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { forgetCaches } from '../../../nodes/conversations/caches';
import { conversationKey } from '../../../nodes/conversations/keys';
import { TeamSpiritTrigger } from '../../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { TeamSpiritEmulator, type Chat, type User } from '../../emulators/teamspirit';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';

const SESSION_SECRET = 'website-session-secret-for-typing-tests-0123';
const VISITOR = `v_${'A'.repeat(22)}`;

let ts: TeamSpiritEmulator;
let operators: WebhookTrigger | undefined;
let olga: User;

beforeEach(async () => {
	forgetCaches();
	forgetTranscripts();
	ts = await TeamSpiritEmulator.start();
	olga = ts.addUser({ name: 'Olga Operator', username: 'olga' });
});
afterEach(async () => {
	await operators?.close();
	operators = undefined;
	await ts.stop();
});

/** The visitor's transcript, as the trigger keeps it (nodes/channels/website/transcript.ts). */
function transcript(typingUntil: string | null = null): Chat {
	return ts.addChat({
		title: `Website visitor ${VISITOR}`,
		externalKey: transcriptKey(VISITOR, SESSION_SECRET),
		metadata: { kind: 'websiteVisitor', visitorId: VISITOR, name: 'Anna', email: '', typingUntil },
	});
}

/** The visitor's conversation chat as Forward to TeamSpirit opens it (its key signed with the API key). */
function conversation(): Chat {
	return ts.addChat({
		title: 'Anna (Website Chat)',
		memberIds: [olga.id],
		externalKey: conversationKey('website', ts.bot.id, VISITOR, ts.apiKey),
		metadata: { channel: 'website', account: ts.bot.id, conversationId: VISITOR, customer: { id: VISITOR, name: 'Anna' } },
	});
}

const outputs = (hook: WebhookTrigger) =>
	hook.calls.filter((c) => c.started).map((c) => c.run!.nodeOutput('Send to Customer')[0].json);

describe('Send to Customer, Website Chat: an operator typing', () => {
	it('sets the transcript’s typingUntil to now + 6 s; a later typing moves it later; nothing is posted', async () => {
		const shown = transcript();
		const chat = conversation();
		operators = await startOperatorSide();

		const before = Date.now();
		await ts.typeAsUser(chat.id, olga.id);
		await operators.settled();
		const first = Date.parse(String(ts.chat(shown.id)!.metadata.typingUntil));
		expect(first).toBeGreaterThanOrEqual(before + 6000);
		expect(first).toBeLessThanOrEqual(Date.now() + 6000);
		expect(outputs(operators)).toEqual([
			{ action: 'typing', chatId: chat.id, conversationId: VISITOR, userId: olga.id },
		]);

		while (Date.now() <= first - 6000) await new Promise((resolve) => setTimeout(resolve, 5));
		await ts.typeAsUser(chat.id, olga.id);
		await operators.settled();
		expect(Date.parse(String(ts.chat(shown.id)!.metadata.typingUntil))).toBeGreaterThan(first);
		expect(ts.messagesIn(shown.id)).toEqual([]);
		expect(ts.messagesIn(chat.id)).toEqual([]);
	});

	it('never moves typingUntil back: a later one (another process’s) stays, unwritten', async () => {
		const later = new Date(Date.now() + 60_000).toISOString();
		const shown = transcript(later);
		const chat = conversation();
		operators = await startOperatorSide();

		await ts.typeAsUser(chat.id, olga.id);
		await operators.settled();
		expect(outputs(operators).map((o) => o.action)).toEqual(['typing']);
		expect(ts.chat(shown.id)).toMatchObject({ version: 1, metadata: { typingUntil: later } });
		expect(ts.requests.filter((r) => r.method === 'PATCH' && r.path === `/api/v1/chats/${shown.id}`)).toEqual([]);
	});
});

/** TeamSpirit Trigger (Typing, website conversations) → Chat Channel Send to Customer (Website Chat). */
async function startOperatorSide(): Promise<WebhookTrigger> {
	const workflow = {
		id: `wf-operators-${randomUUID().slice(0, 8)}`,
		name: 'Website operators',
		nodes: [
			{
				id: 'n-operators',
				name: 'Operator writes',
				type: 'n8n-nodes-teamspirit.teamSpiritTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: {
					events: ['message.created', 'message.updated', 'message.deleted', 'chat.typing'],
					options: { conversationChannels: ['website'] },
				},
				credentials: { teamSpiritApi: { id: '1', name: 'TeamSpirit' } },
			},
			{
				id: 'n-to-customer',
				name: 'Send to Customer',
				type: 'n8n-nodes-teamspirit.chatChannel',
				typeVersion: 1,
				position: [200, 0],
				parameters: { channel: 'website', resource: 'conversation', operation: 'toCustomer' },
				credentials: {
					teamSpiritApi: { id: '1', name: 'TeamSpirit' },
					teamSpiritWebsiteApi: { id: '9', name: 'Website' },
				},
			},
		],
		connections: { 'Operator writes': { main: [[{ node: 'Send to Customer', type: 'main', index: 0 }]] } },
	} as unknown as WorkflowJson;
	const hook = await startWebhookTrigger({
		workflow,
		nodeTypes: {
			'n8n-nodes-teamspirit.teamSpiritTrigger': new TeamSpiritTrigger(),
			'n8n-nodes-teamspirit.chatChannel': new ChatChannel(),
		},
		credentialTypes: [new TeamSpiritApi(), new TeamSpiritWebsiteApi()],
		credentials: {
			teamSpiritApi: { serverUrl: ts.url, apiKey: ts.apiKey },
			teamSpiritWebsiteApi: { serverUrl: ts.url, apiKey: ts.apiKey, sessionSecret: SESSION_SECRET },
		},
		listen: true,
		runWorkflow: true,
	});
	await hook.activate();
	return hook;
}
