import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TeamSpiritInstagramApi } from '../../../credentials/TeamSpiritInstagramApi.credentials';
import { instagramTextParts } from '../../../nodes/channels/instagram/actions';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { GraphEmulator } from '../../emulators/graph';
import { InstagramEmulator } from '../../emulators/instagram';
import { deterministicSha256, logsToText, runWorkflow, testCredential } from '../../harness';
import { NODE_TYPE, jsonOf, loadWorkflow, pairedOf } from './setup';

let ig: InstagramEmulator;
beforeEach(async () => {
	ig = await InstagramEmulator.start();
	for (const id of [ADA, BOB]) {
		ig.addUser({ id });
		ig.touch(id);
	}
});
afterEach(async () => await ig.stop());

const ADA = '1790000000000001';
const BOB = '1790000000000002';

async function run(
	args: { items?: unknown[]; binary?: unknown; parameters?: INodeParameters; node?: Record<string, unknown>; credentials?: Record<string, string> } = {},
) {
	const workflow = loadWorkflow('instagram.message.send');
	if (args.items) workflow.nodes[1].parameters.items = JSON.stringify(args.items);
	if (args.binary) workflow.nodes[1].parameters.binary = JSON.stringify(args.binary);
	Object.assign(workflow.nodes[2].parameters, args.parameters ?? {});
	Object.assign(workflow.nodes[2], args.node ?? {});
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritInstagramApi()],
		credentials: { teamSpiritInstagramApi: { ...ig.instagramCredentialData(), ...args.credentials } },
	});
	let output: INodeExecutionData[] | undefined;
	try {
		output = result.nodeOutput('Chat Channel');
	} catch {
		output = undefined;
	}
	return { ...result, output, everything: JSON.stringify(result.run.data.resultData) + logsToText(result.logs) };
}

const sends = () => ig.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

describe('Chat Channel (Instagram Direct): text', () => {
	it('sends one message per item to the IGSID as a RESPONSE, with the Page token and a valid appsecret_proof, paired', async () => {
		const { status, output, everything } = await run();
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(ig.messages.map((m) => [m.recipientId, m.text, m.messagingType])).toEqual([
			[ADA, 'Hello Ada', 'RESPONSE'],
			[BOB, 'Hello Bob', 'RESPONSE'],
		]);
		expect(sends().every((r) => r.token === 'valid' && r.proof === 'valid')).toBe(true);
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'instagram', conversationId: ADA, messageId: ig.messages[0].mid, parts: 1 });
		expect(everything).not.toContain(ig.pageAccessToken);
		expect(everything).not.toContain(ig.appSecret);
	});

	it('splits a text to Instagram’s 1000 bytes (Cyrillic: 2 bytes a letter) in order, losing nothing; quick replies under the last', async () => {
		const text = Array.from({ length: 40 }, (_, i) => `Строка ${i} ${'ж'.repeat(40)}`).join('\n');
		const { status, output } = await run({
			items: [{ conversationId: ADA, text }],
			parameters: { buttons: { rows: [{ buttons: { button: [{ text: 'Да', callbackData: 'YES' }, { text: 'Нет' }] } }] } },
		});
		expect(status).toBe('success');
		const sent = ig.messagesTo(ADA);
		expect(sent.length).toBeGreaterThan(3);
		for (const m of sent) expect(utf8(m.text!)).toBeLessThanOrEqual(1000);
		expect(sent.map((m) => m.text).join('\n')).toBe(text);
		expect(sent.at(-1)!.quickReplies).toEqual([
			{ content_type: 'text', title: 'Да', payload: 'YES' },
			{ content_type: 'text', title: 'Нет', payload: 'Нет' },
		]);
		expect(sent.slice(0, -1).every((m) => m.quickReplies === null)).toBe(true);
		expect(jsonOf(output)[0]).toMatchObject({ parts: sent.length });
	});

	it('cuts a text of emoji only between emoji, every part within 1000 bytes', () => {
		const text = '👍🏽'.repeat(300);
		const parts = instagramTextParts(text);
		expect(parts.join('')).toBe(text);
		for (const part of parts) {
			expect(utf8(part)).toBeLessThanOrEqual(1000);
			expect(part.length % '👍🏽'.length).toBe(0);
		}
	});

	it('outside the 24-hour window explains the Human Agent remedy (10/2534022); with it the message goes out tagged HUMAN_AGENT', async () => {
		ig.advanceTime(2 * 24 * 60 * 60 * 1000);
		const late = await run({ items: [{ conversationId: ADA, text: 'late' }] });
		expect(late.status).toBe('error');
		expect(late.error?.message).toMatch(/^Instagram send message: .*outside of allowed window.*\(#10\/2534022\)/);
		expect(late.error?.description).toMatch(/Human Agent/);
		const tagged = await run({ items: [{ conversationId: ADA, text: 'a person answers' }], parameters: { instagramMessagingType: 'MESSAGE_TAG' } });
		expect(tagged.status).toBe('success');
		expect(ig.messagesTo(ADA)[0]).toMatchObject({ messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', allowedBy: 'human_agent' });
		ig.advanceTime(6 * 24 * 60 * 60 * 1000);
		const tooLate = await run({ items: [{ conversationId: ADA, text: 'a week later' }], parameters: { instagramMessagingType: 'MESSAGE_TAG' } });
		expect(tooLate.error?.message).toMatch(/2534022/);
	});

	it('an app without Meta’s Human Agent permission: a HUMAN_AGENT send is refused (#10), even within 7 days, and nothing is sent', async () => {
		ig.humanAgentPermission = false;
		ig.advanceTime(2 * 24 * 60 * 60 * 1000);
		const tagged = await run({ items: [{ conversationId: ADA, text: 'a person answers' }], parameters: { instagramMessagingType: 'MESSAGE_TAG' } });
		expect(tagged.status).toBe('error');
		expect(tagged.error?.message).toMatch(/does not have permission.*\(#10\)/);
		expect(ig.messagesTo(ADA)).toEqual([]);
	});

	it('explains an IGSID Instagram does not know (2534014)', async () => {
		const { error } = await run({ items: [{ conversationId: '1790000000000099', text: 'x' }] });
		expect(error?.message).toMatch(/#100\/2534014/);
		expect(error?.description).toMatch(/Instagram-scoped ID \(IGSID\)/);
	});
});

describe('Chat Channel (Instagram Direct): files and sender actions', () => {
	it('uploads a binary property with the attachment upload API (platform instagram), sends it by attachment_id, the caption after it', async () => {
		const { status, output } = await run({
			items: [{ conversationId: ADA }],
			binary: { fileName: 'photo.png', mimeType: 'image/png', size: 300000, seed: 5 },
			parameters: { operation: 'sendFile', source: 'binary', caption: 'Your photo' },
		});
		expect(status).toBe('success');
		const upload = ig.requests.find((r) => r.path.endsWith('/message_attachments'))!;
		expect(upload.path).toBe(`/${ig.version}/${ig.pageId}/message_attachments`);
		expect((upload.body as { fields: Record<string, string> }).fields.platform).toBe('instagram');
		const [file, caption] = ig.messagesTo(ADA);
		expect(file.attachment?.type).toBe('image');
		expect(ig.uploadOf(file)).toMatchObject({ fieldName: 'filedata', filename: 'photo.png', contentType: 'image/png', size: 300000, sha256: deterministicSha256(300000, 5) });
		expect(caption.text).toBe('Your photo');
		expect(jsonOf(output)[0]).toMatchObject({ kind: 'image', parts: 2 });
	});

	it('refuses an image over 8 MB before calling Meta', async () => {
		const { error } = await run({
			items: [{ conversationId: ADA }],
			binary: { fileName: 'big.jpg', mimeType: 'image/jpeg', size: 9 * 1024 * 1024, seed: 1 },
			parameters: { operation: 'sendFile', source: 'binary' },
		});
		expect(error?.message).toMatch(/Instagram takes images up to 8 MB/);
		expect(ig.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
	});

	it('sends a file by URL', async () => {
		const { status } = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendFile', source: 'url', fileUrl: 'https://files.example.com/clip.mp4', kind: 'auto' } });
		expect(status).toBe('success');
		expect(ig.messagesTo(ADA)[0].attachment).toEqual({ type: 'video', payload: { url: 'https://files.example.com/clip.mp4' } });
	});

	it('shows typing and marks as seen', async () => {
		await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction', action: 'typing' } });
		await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction', action: 'mark_seen' } });
		expect(ig.senderActions.map((a) => [a.recipientId, a.action])).toEqual([
			[ADA, 'typing_on'],
			[ADA, 'mark_seen'],
		]);
	});
});

describe('Chat Channel (Instagram Direct): refusals, rate limits, no duplicates', () => {
	it('refuses URL buttons and more than 13 quick replies before calling Meta', async () => {
		const url = await run({ items: [{ conversationId: ADA, text: 'x' }], parameters: { buttons: { rows: [{ buttons: { button: [{ text: 'Docs', url: 'https://x' }] } }] } } });
		expect(url.error?.message).toBe('Instagram quick replies cannot open a URL');
		const many = await run({
			items: [{ conversationId: ADA, text: 'x' }],
			parameters: { buttons: { rows: [{ buttons: { button: Array.from({ length: 14 }, (_, i) => ({ text: `o${i}` })) } }] } },
		});
		expect(many.error?.message).toBe('Instagram allows at most 13 quick replies; the message has 14');
		expect(sends()).toHaveLength(0);
	});

	it('says that Instagram cannot edit or delete messages', async () => {
		const edit = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'edit', messageId: 'aWdfZAG1faXRlbToxOklH', text: 'x' } });
		expect(edit.error?.message).toBe('Instagram Direct cannot edit a sent message');
	});

	it('backs off on a rate limit (#613) and sends that request again: the message arrives once', async () => {
		ig.failNext({ rateLimit: 613, method: 'POST' });
		const { status } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('success');
		expect(sends().map((r) => r.status)).toEqual([400, 200]);
		expect(ig.messagesTo(ADA).map((m) => m.text)).toEqual(['once']);
	});

	it('never resends a message Meta may have accepted (5xx after accepting)', async () => {
		ig.failNext({ status: 500, method: 'POST', afterAccepting: true });
		const { status } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('error');
		expect(ig.messagesTo(ADA).map((m) => m.text)).toEqual(['once']);
		expect(sends()).toHaveLength(1);
	});

	it('explains an invalid token (#190) without showing it', async () => {
		const token = await run({ items: [{ conversationId: ADA, text: 'x' }], credentials: { accessToken: 'EAAGwrongtoken000000000' } });
		expect(token.error?.description).toMatch(/Page access token is invalid or expired: create a new one for the Page linked to the Instagram account/);
		expect(token.everything).not.toContain('EAAGwrongtoken000000000');
	});
});

describe('Instagram credential test', () => {
	it('reads the Page and its linked Instagram account with the token and proof; a wrong token fails', async () => {
		const data = ig.instagramCredentialData();
		expect((await testCredential(new TeamSpiritInstagramApi(), data)).status).toBe('OK');
		expect((await testCredential(new TeamSpiritInstagramApi(), { ...data, accessToken: 'nope' })).status).toBe('Error');
	});

	it('fails for a Page without a linked Instagram account, saying so', async () => {
		const page = await GraphEmulator.start();
		try {
			const result = await testCredential(new TeamSpiritInstagramApi(), { ...page.credentialData(), instagramAccountId: '17841400000000001' });
			expect(result).toMatchObject({ status: 'Error', message: expect.stringMatching(/no Instagram professional account linked/) });
		} finally {
			await page.stop();
		}
	});
});
