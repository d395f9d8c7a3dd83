/**
 * The Chat Channel node on the Website channel, through n8n's WorkflowExecute against the
 * TeamSpirit emulator: what is sent to a visitor is a message of the visitor's transcript chat
 * (nodes/channels/website/transcript.ts), which is what the widget shows.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TeamSpiritWebsiteApi } from '../../../credentials/TeamSpiritWebsiteApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { forgetTranscripts, transcriptKey } from '../../../nodes/channels/website/transcript';
import { TeamSpiritEmulator, type Chat } from '../../emulators/teamspirit';
import { deterministicSha256, logsToText, runWorkflow } from '../../harness';
import { SESSION_SECRET } from '../conformance/website';
import { NODE_TYPE, jsonOf, loadWorkflow, pairedOf } from './setup';

const ADA = 'v_AdaAdaAdaAdaAdaAdaAdaA';
const BOB = 'v_BobBobBobBobBobBobBobB';

let ts: TeamSpiritEmulator;
beforeEach(async () => {
	ts = await TeamSpiritEmulator.start();
	forgetTranscripts();
});
afterEach(async () => await ts.stop());

async function run(args: { items?: unknown[]; binary?: unknown; parameters?: INodeParameters; node?: Record<string, unknown> } = {}) {
	const workflow = loadWorkflow('website.message.send');
	if (args.items) workflow.nodes[1].parameters.items = JSON.stringify(args.items);
	if (args.binary) workflow.nodes[1].parameters.binary = JSON.stringify(args.binary);
	Object.assign(workflow.nodes[2].parameters, args.parameters ?? {});
	Object.assign(workflow.nodes[2], args.node ?? {});
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritWebsiteApi()],
		credentials: { teamSpiritWebsiteApi: { serverUrl: ts.url, apiKey: ts.apiKey, sessionSecret: SESSION_SECRET } },
	});
	let output: INodeExecutionData[] | undefined;
	try {
		output = result.nodeOutput('Chat Channel');
	} catch {
		output = undefined;
	}
	return { ...result, output, everything: JSON.stringify(result.run.data.resultData) + logsToText(result.logs) };
}

/** A visitor's transcript as the trigger makes it, with one message the visitor wrote. */
function visitorWrote(visitorId: string, text = 'Hello?') {
	const chat = ts.addChat({
		title: `Website visitor ${visitorId}`,
		externalKey: transcriptKey(visitorId, SESSION_SECRET),
		metadata: { kind: 'websiteVisitor', visitorId, name: '', email: '', typingUntil: null },
	});
	const message = ts.addMessage(chat.id, { text, externalKey: 'in:client-1' });
	return { chat, message };
}

const transcriptOf = (visitorId: string): Chat | undefined => ts.chatByKey(transcriptKey(visitorId, SESSION_SECRET));
const messagesTo = (visitorId: string) => {
	const chat = transcriptOf(visitorId);
	return chat ? ts.messagesIn(chat.id) : [];
};
const posts = () => ts.requests.filter((r) => r.method === 'POST' && /\/messages$/.test(r.path));

describe('Chat Channel (Website Chat): Send Text', () => {
	it("posts each item's text into its visitor's transcript as plain text, under a key of the send, paired", async () => {
		const { chat } = visitorWrote(ADA);
		const { status, output, everything } = await run({ parameters: { format: 'html', text: '={{ $json.text }} <b>now</b>' } });
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }]);
		// Ada's transcript existed; Bob's is made for him (only the bot in it)
		expect(messagesTo(ADA).map((m) => [m.text, m.format, m.externalKey?.slice(0, 4)])).toEqual([
			['Hello?', 'plain', 'in:c'],
			['Hello Ada *now*', 'plain', 'out:'],
		]);
		expect(transcriptOf(ADA)!.id).toBe(chat.id);
		expect(transcriptOf(BOB)).toMatchObject({ memberIds: [ts.bot.id], metadata: { kind: 'websiteVisitor', visitorId: BOB } });
		expect(messagesTo(BOB).map((m) => m.text)).toEqual(['Hello Bob *now*']);
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'website', conversationId: ADA, messageId: messagesTo(ADA)[1].id, parts: 1 });
		expect(everything).not.toContain(SESSION_SECRET);
		expect(everything).not.toContain(ts.apiKey);
	});

	it('refuses a conversation ID that is no visitor ID, and posts nothing', async () => {
		const { status, error } = await run({ items: [{ conversationId: '12345', text: 'x' }] });
		expect(status).toBe('error');
		expect(error?.message).toMatch(/Conversation ID|conversation ID/);
		expect(posts()).toEqual([]);
	});

	it('a send whose answers are lost, run again by Retry On Fail, is in the transcript once', async () => {
		visitorWrote(ADA);
		// every answer to the post is lost after TeamSpirit stored the message, until the node gives up
		ts.failNext({ status: 503, method: 'POST', path: /\/chats\/[^/]+\/messages$/, count: 5, afterAccepting: true, retryAfter: 0 });
		const { status } = await run({
			items: [{ conversationId: ADA, text: 'Your order ships today' }],
			node: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
		});
		expect(status).toBe('success');
		expect(posts().length).toBeGreaterThan(1);
		expect(messagesTo(ADA).map((m) => m.text)).toEqual(['Hello?', 'Your order ships today']);
	});
});

describe('Chat Channel (Website Chat): Send File', () => {
	it('uploads a binary file to TeamSpirit and attaches it, the caption as its text, every byte', async () => {
		visitorWrote(ADA);
		const { status, output } = await run({
			items: [{ conversationId: ADA, caption: 'The report' }],
			binary: [{ fileName: 'report.pdf', mimeType: 'application/pdf', size: 250_000, seed: 4 }],
			parameters: { operation: 'sendFile', source: 'binary', binaryPropertyName: 'data', kind: 'auto', caption: '={{ $json.caption }}', format: 'plain' },
		});
		expect(status).toBe('success');
		const [, sent] = messagesTo(ADA);
		expect(sent).toMatchObject({ text: 'The report', files: [{ name: 'report.pdf', mimeType: 'application/pdf', size: 250_000 }] });
		expect(ts.files.get(sent.files[0].id)!.sha256).toBe(deterministicSha256(250_000, 4));
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'website', conversationId: ADA, messageId: sent.id });
	});

	it('attaches a TeamSpirit file ID as it is, and sends a URL as a link', async () => {
		visitorWrote(ADA);
		const file = ts.addFile({ name: 'menu.pdf', mimeType: 'application/pdf', content: 'menu' });
		const byId = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendFile', source: 'fileId', fileId: file.id, kind: 'auto', format: 'plain' } });
		const byUrl = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendFile', source: 'url', fileUrl: 'https://example.com/menu.pdf', caption: 'Our menu', kind: 'auto', format: 'plain' } });
		expect([byId.status, byUrl.status]).toEqual(['success', 'success']);
		expect(messagesTo(ADA).slice(1).map((m) => [m.text, m.files.map((f) => f.id)])).toEqual([
			['', [file.id]],
			['https://example.com/menu.pdf\nOur menu', []],
		]);
		expect(ts.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/files')).toEqual([]);
	});
});

describe('Chat Channel (Website Chat): Edit Text and Delete', () => {
	async function sentToAda(text: string): Promise<string> {
		const { output } = await run({ items: [{ conversationId: ADA, text }] });
		return String(jsonOf(output)[0].messageId);
	}

	it('edits a message sent to the visitor (plain text), and says so when the text is already that', async () => {
		visitorWrote(ADA);
		const messageId = await sentToAda('See you at 5');
		const edit = { operation: 'edit', messageId: '={{ $json.messageId }}', text: '={{ $json.text }}', format: 'plain' };
		const first = await run({ items: [{ conversationId: ADA, messageId, text: 'See you at 6' }], parameters: edit });
		const again = await run({ items: [{ conversationId: ADA, messageId, text: 'See you at 6' }], parameters: edit });
		expect(jsonOf(first.output)[0]).toMatchObject({ channel: 'website', messageId, edited: true });
		expect(jsonOf(again.output)[0]).toMatchObject({ edited: false });
		expect(ts.message(messageId)).toMatchObject({ text: 'See you at 6', format: 'plain', editedAt: expect.any(String) });
	});

	it("refuses to edit or delete the visitor's own message, or a message of another visitor's transcript", async () => {
		const { message } = visitorWrote(ADA);
		visitorWrote(BOB);
		const bobsId = await run({ items: [{ conversationId: BOB, text: 'for Bob' }] }).then((r) => String(jsonOf(r.output)[0].messageId));
		const own = await run({ items: [{ conversationId: ADA, messageId: message.id, text: 'changed' }], parameters: { operation: 'edit', messageId: '={{ $json.messageId }}', text: '={{ $json.text }}', format: 'plain' } });
		const deleteOwn = await run({ items: [{ conversationId: ADA, messageId: message.id }], parameters: { operation: 'delete', messageId: '={{ $json.messageId }}' } });
		const others = await run({ items: [{ conversationId: ADA, messageId: bobsId }], parameters: { operation: 'delete', messageId: '={{ $json.messageId }}' } });
		expect([own.status, deleteOwn.status, others.status]).toEqual(['error', 'error', 'error']);
		expect(own.error?.message).toMatch(/written by the visitor/);
		expect(others.error?.message).toMatch(/No message/);
		expect(ts.message(message.id)?.text).toBe('Hello?');
		expect(ts.message(bobsId)?.text).toBe('for Bob');
	});

	it('deletes a message sent to the visitor', async () => {
		visitorWrote(ADA);
		const messageId = await sentToAda('Oops, wrong visitor');
		const { status, output } = await run({ items: [{ conversationId: ADA, messageId }], parameters: { operation: 'delete', messageId: '={{ $json.messageId }}' } });
		expect(status).toBe('success');
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'website', conversationId: ADA, messageId, deleted: true });
		expect(messagesTo(ADA).map((m) => m.text)).toEqual(['Hello?']);
	});
});

describe('Chat Channel (Website Chat): Send Chat Action', () => {
	it('shows "typing…" in the widget for about 6 seconds: the transcript\'s typingUntil; Mark as Seen shows nothing', async () => {
		const { chat } = visitorWrote(ADA);
		const before = Date.now();
		const typing = await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction', action: 'upload_document' } });
		const until = Date.parse(String(ts.chat(chat.id)!.metadata.typingUntil));
		const version = ts.chat(chat.id)!.version;
		const seen = await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction', action: 'mark_seen' } });
		expect(jsonOf(typing.output)[0]).toMatchObject({ channel: 'website', action: 'typing', sent: true });
		expect(until - before).toBeGreaterThanOrEqual(6000);
		expect(until - Date.now()).toBeLessThanOrEqual(6000);
		expect(jsonOf(seen.output)[0]).toMatchObject({ sent: false });
		expect(ts.chat(chat.id)!.version).toBe(version);
	});
});
