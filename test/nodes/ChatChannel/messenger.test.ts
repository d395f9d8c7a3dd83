import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { GraphEmulator } from '../../emulators/graph';
import { deterministicSha256, logsToText, runWorkflow, testCredential } from '../../harness';
import { NODE_TYPE, jsonOf, loadWorkflow, pairedOf } from './setup';

let fb: GraphEmulator;
beforeEach(async () => {
	fb = await GraphEmulator.start();
	for (const id of [ADA, BOB]) {
		fb.addUser({ id });
		fb.touch(id);
	}
});
afterEach(async () => await fb.stop());

const ADA = '7000000000000001';
const BOB = '7000000000000002';

async function run(
	args: { items?: unknown[]; binary?: unknown; parameters?: INodeParameters; node?: Record<string, unknown>; credentials?: Record<string, string> } = {},
) {
	const workflow = loadWorkflow('messenger.message.send');
	if (args.items) workflow.nodes[1].parameters.items = JSON.stringify(args.items);
	if (args.binary) workflow.nodes[1].parameters.binary = JSON.stringify(args.binary);
	Object.assign(workflow.nodes[2].parameters, args.parameters ?? {});
	Object.assign(workflow.nodes[2], args.node ?? {});
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritMessengerApi()],
		credentials: {
			teamSpiritMessengerApi: { ...fb.credentialData(), ...args.credentials },
		},
	});
	let output: INodeExecutionData[] | undefined;
	try {
		output = result.nodeOutput('Chat Channel');
	} catch {
		output = undefined;
	}
	return { ...result, output, everything: JSON.stringify(result.run.data.resultData) + logsToText(result.logs) };
}

const sends = () => fb.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));

describe('Chat Channel (Facebook Messenger): text', () => {
	it('sends one message per item as a RESPONSE, with the token and a valid appsecret_proof, paired', async () => {
		const { status, output, everything } = await run();
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(fb.messages.map((m) => [m.recipientId, m.text, m.messagingType])).toEqual([
			[ADA, 'Hello Ada', 'RESPONSE'],
			[BOB, 'Hello Bob', 'RESPONSE'],
		]);
		expect(sends().every((r) => r.token === 'valid' && r.proof === 'valid')).toBe(true);
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'messenger', conversationId: ADA, messageId: fb.messages[0].mid, parts: 1 });
		expect(everything).not.toContain(fb.pageAccessToken);
		expect(everything).not.toContain(fb.appSecret);
	});

	it('splits a text over 2000 characters into several messages in order; quick replies go under the last', async () => {
		const text = Array.from({ length: 120 }, (_, i) => `Line ${String(i).padStart(3, '0')} ${'y'.repeat(30)}`).join('\n');
		const { status, output } = await run({
			items: [{ conversationId: ADA, text }],
			parameters: { buttons: { rows: [{ buttons: { button: [{ text: 'Yes', callbackData: 'YES' }, { text: 'No' }] } }] } },
		});
		expect(status).toBe('success');
		const sent = fb.messagesTo(ADA);
		expect(sent.length).toBe(3);
		for (const m of sent) expect(m.text!.length).toBeLessThanOrEqual(2000);
		expect(sent.map((m) => m.text).join('\n')).toBe(text);
		expect(sent.map((m) => m.quickReplies)).toEqual([null, null, [
			{ content_type: 'text', title: 'Yes', payload: 'YES' },
			{ content_type: 'text', title: 'No', payload: 'No' },
		]]);
		expect(jsonOf(output)[0]).toMatchObject({ parts: 3, messageIds: sent.map((m) => m.mid) });
	});

	it('outside the 24-hour window explains the HUMAN_AGENT remedy; with the tag the message goes out', async () => {
		fb.advanceTime(2 * 24 * 60 * 60 * 1000);
		const late = await run({ items: [{ conversationId: ADA, text: 'late' }] });
		expect(late.status).toBe('error');
		expect(late.error?.message).toMatch(/^Messenger send message: .*outside of allowed window.*\(#10\/2018278\)/);
		expect(late.error?.description).toMatch(/HUMAN_AGENT/);
		const tagged = await run({ items: [{ conversationId: ADA, text: 'a person answers' }], parameters: { messengerMessagingType: 'MESSAGE_TAG', messengerTag: 'HUMAN_AGENT' } });
		expect(tagged.status).toBe('success');
		expect(fb.messagesTo(ADA)[0]).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', allowedBy: 'human_agent' });
	});

	it('an app without Meta’s Human Agent permission: a HUMAN_AGENT send is refused (#10), even within 7 days, and nothing is sent', async () => {
		fb.humanAgentPermission = false;
		fb.advanceTime(2 * 24 * 60 * 60 * 1000);
		const tagged = await run({ items: [{ conversationId: ADA, text: 'a person answers' }], parameters: { messengerMessagingType: 'MESSAGE_TAG', messengerTag: 'HUMAN_AGENT' } });
		expect(tagged.status).toBe('error');
		expect(tagged.error?.message).toMatch(/does not have permission.*\(#10\)/);
		expect(fb.messagesTo(ADA)).toEqual([]);
	});

	it('sends UPDATE messages when asked', async () => {
		await run({ items: [{ conversationId: ADA, text: 'news' }], parameters: { messengerMessagingType: 'UPDATE' } });
		expect(fb.messagesTo(ADA)[0].messagingType).toBe('UPDATE');
	});
});

describe('Chat Channel (Facebook Messenger): attachments and sender actions', () => {
	it('uploads a binary property as multipart (filedata) and sends the caption after it', async () => {
		const { status, output } = await run({
			items: [{ conversationId: ADA }],
			binary: { fileName: 'photo.png', mimeType: 'image/png', size: 300000, seed: 5 },
			parameters: { operation: 'sendFile', source: 'binary', caption: 'Your photo' },
		});
		expect(status).toBe('success');
		const [file, caption] = fb.messagesTo(ADA);
		expect(file.attachment?.type).toBe('image');
		expect(file.upload).toMatchObject({ fieldName: 'filedata', filename: 'photo.png', contentType: 'image/png', size: 300000, sha256: deterministicSha256(300000, 5) });
		expect(caption.text).toBe('Your photo');
		expect(jsonOf(output)[0]).toMatchObject({ kind: 'image', parts: 2 });
	});

	it('sends an attachment by URL', async () => {
		const { status } = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendFile', source: 'url', fileUrl: 'https://files.example.com/a.pdf', kind: 'document' } });
		expect(status).toBe('success');
		expect(fb.messagesTo(ADA)[0].attachment).toEqual({ type: 'file', payload: { url: 'https://files.example.com/a.pdf', is_reusable: false } });
	});

	it('shows typing and marks as seen', async () => {
		await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction', action: 'typing' } });
		await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction', action: 'mark_seen' } });
		expect(fb.senderActions.map((a) => [a.recipientId, a.action])).toEqual([
			[ADA, 'typing_on'],
			[ADA, 'mark_seen'],
		]);
	});
});

describe('Chat Channel (Facebook Messenger): bad input, rate limits, no duplicates', () => {
	it('rejects a conversation ID that is no PSID, per item with continue-on-fail', async () => {
		const { status, output } = await run({ items: [{ conversationId: ADA, text: 'ok' }, { conversationId: 'whatsapp:+491', text: 'bad' }], node: { onError: 'continueRegularOutput' } });
		expect(status).toBe('success');
		expect(jsonOf(output)[1]).toEqual({ error: '"whatsapp:+491" is not a Facebook Messenger conversation ID' });
		expect(fb.messages.map((m) => m.text)).toEqual(['ok']);
	});

	it('refuses URL buttons and more than 13 quick replies before calling Meta', async () => {
		const url = await run({ items: [{ conversationId: ADA, text: 'x' }], parameters: { buttons: { rows: [{ buttons: { button: [{ text: 'Docs', url: 'https://x' }] } }] } } });
		expect(url.error?.message).toBe('Messenger quick replies cannot open a URL');
		const many = await run({
			items: [{ conversationId: ADA, text: 'x' }],
			parameters: { buttons: { rows: [{ buttons: { button: Array.from({ length: 14 }, (_, i) => ({ text: `o${i}` })) } }] } },
		});
		expect(many.error?.message).toBe('Messenger allows at most 13 quick replies; the message has 14');
		expect(sends()).toHaveLength(0);
	});

	it('says that Messenger cannot edit or delete messages', async () => {
		const edit = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'edit', messageId: 'm_abc', text: 'x' } });
		expect(edit.error?.message).toBe('Facebook Messenger cannot edit a sent message');
	});

	it('backs off on a page rate limit (#32) and sends that request again: the message arrives once', async () => {
		fb.failNext({ rateLimit: 32, method: 'POST' });
		const { status } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('success');
		expect(sends().map((r) => r.status)).toEqual([400, 200]);
		expect(fb.messagesTo(ADA).map((m) => m.text)).toEqual(['once']);
	});

	it('never resends a message Meta may have accepted (5xx after accepting)', async () => {
		fb.failNext({ status: 500, method: 'POST', afterAccepting: true });
		const { status } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('error');
		expect(fb.messagesTo(ADA).map((m) => m.text)).toEqual(['once']);
		expect(sends()).toHaveLength(1);
	});

	it('explains an invalid token (#190) and a wrong app secret (appsecret_proof) without showing them', async () => {
		const token = await run({ items: [{ conversationId: ADA, text: 'x' }], credentials: { accessToken: 'EAAGwrongtoken000000000' } });
		expect(token.error?.description).toMatch(/access token is invalid/);
		expect(token.everything).not.toContain('EAAGwrongtoken000000000');
		const secret = await run({ items: [{ conversationId: ADA, text: 'x' }], credentials: { appSecret: 'wrong-app-secret-0000' } });
		expect(secret.error?.description).toMatch(/App Secret/);
		expect(secret.everything).not.toContain('wrong-app-secret-0000');
	});
});

describe('Messenger credential test', () => {
	it('reads the page with the token and proof; a wrong token fails', async () => {
		const data = { ...fb.credentialData(), verifyToken: 'v' };
		expect((await testCredential(new TeamSpiritMessengerApi(), data)).status).toBe('OK');
		expect((await testCredential(new TeamSpiritMessengerApi(), { ...data, accessToken: 'nope' })).status).toBe('Error');
	});
});
