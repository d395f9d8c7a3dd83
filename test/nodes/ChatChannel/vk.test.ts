import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TeamSpiritVkApi } from '../../../credentials/TeamSpiritVkApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { acceptedParts } from '../../../nodes/channels/memory';
import { randomIdOf } from '../../../nodes/channels/vk/actions';
import { VkEmulator } from '../../emulators/vk';
import { deterministicSha256, logsToText, runWorkflow, testCredential } from '../../harness';
import { processedData } from '../../harness/deduplication';
import { NODE_TYPE, jsonOf, loadWorkflow, pairedOf } from './setup';

let vk: VkEmulator;
beforeEach(async () => {
	vk = await VkEmulator.start();
	vk.addUser({ id: BOB, first_name: 'Bob', last_name: 'Builder' });
});
afterEach(async () => await vk.stop());

const ADA = 1001;
const BOB = 1002;

async function run(
	args: { items?: unknown[]; binary?: unknown; parameters?: INodeParameters; node?: Record<string, unknown>; credentials?: Record<string, string>; mode?: 'manual' | 'trigger' } = {},
) {
	const workflow = loadWorkflow('vk.message.send');
	if (args.items) workflow.nodes[1].parameters.items = JSON.stringify(args.items);
	if (args.binary) workflow.nodes[1].parameters.binary = JSON.stringify(args.binary);
	Object.assign(workflow.nodes[2].parameters, args.parameters ?? {});
	Object.assign(workflow.nodes[2], args.node ?? {});
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritVkApi()],
		credentials: { teamSpiritVkApi: { ...vk.credentialData(), ...args.credentials } },
		mode: args.mode,
	});
	let output: INodeExecutionData[] | undefined;
	try {
		output = result.nodeOutput('Chat Channel');
	} catch {
		output = undefined;
	}
	return { ...result, output, everything: JSON.stringify(result.run.data.resultData) + logsToText(result.logs) };
}

const sends = () => vk.callsOf('messages.send');

describe('Chat Channel (VK): text', () => {
	it('sends one message per item with the token and API version 5.199, paired; the token is nowhere in the output or logs', async () => {
		const { status, output, everything } = await run();
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(vk.sent.map((m) => [m.peer_id, m.text])).toEqual([
			[ADA, 'Hello Ada'],
			[BOB, 'Hello Bob'],
		]);
		expect(sends().every((c) => c.params.v === '5.199' && c.params.access_token === '<token>')).toBe(true);
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'vk', conversationId: String(ADA), messageId: String(vk.sent[0].id), parts: 1 });
		expect(everything).not.toContain(vk.token);
	});

	it('splits a text over 4096 characters; the reply goes on the first part, the inline keyboard under the last', async () => {
		const text = Array.from({ length: 200 }, (_, i) => `Line ${String(i).padStart(3, '0')} ${'y'.repeat(30)}`).join('\n');
		const { status, output } = await run({
			items: [{ conversationId: String(ADA), text }],
			parameters: {
				options: { replyToMessageId: '42' },
				buttons: { rows: [{ buttons: { button: [{ text: 'Yes', callbackData: 'YES' }, { text: 'Site', url: 'https://example.com/a' }] } }] },
			},
		});
		expect(status).toBe('success');
		const sent = vk.messagesTo(ADA);
		expect(sent.length).toBe(2);
		for (const m of sent) expect(m.text.length).toBeLessThanOrEqual(4096);
		expect(sent.map((m) => m.text).join('\n')).toBe(text);
		expect(sent.map((m) => m.reply_to)).toEqual([42, undefined]);
		expect(sent.map((m) => m.keyboard)).toEqual([
			undefined,
			{
				inline: true,
				buttons: [[
					{ action: { type: 'callback', label: 'Yes', payload: JSON.stringify({ data: 'YES' }) } },
					{ action: { type: 'open_link', link: 'https://example.com/a', label: 'Site' } },
				]],
			},
		]);
		expect(jsonOf(output)[0]).toMatchObject({ parts: 2, messageIds: sent.map((m) => String(m.id)) });
	});

	it('refuses more buttons than a VK keyboard holds with a clear error, and sends nothing', async () => {
		const button = Array.from({ length: 11 }, (_, i) => ({ text: `B${i}`, callbackData: `b${i}` }));
		const { status, error } = await run({
			items: [{ conversationId: String(ADA), text: 'Pick' }],
			parameters: { buttons: { rows: [{ buttons: { button: button.slice(0, 5) } }, { buttons: { button: button.slice(5, 10) } }, { buttons: { button: button.slice(10) } }] } },
		});
		expect(status).toBe('error');
		expect(error?.message).toMatch(/at most 10 buttons/);
		expect(sends()).toHaveLength(0);
	});
});

describe('Chat Channel (VK): sent once (random_id, VK idempotency key)', () => {
	it('random_id is a positive 31-bit integer from the send and the part, the same on every retry', () => {
		const ids = ['a', 'b'].flatMap((key) => [0, 1].map((part) => randomIdOf(`exec:1:${key}`, part)));
		for (const id of ids) expect(Number.isInteger(id) && id > 0 && id <= 0x7fffffff).toBe(true);
		expect(new Set(ids).size).toBe(4);
		expect(randomIdOf('exec:1:a', 1)).toBe(ids[1]);
	});

	it("an answer lost after VK sent the message (error 10) is retried with the same random_id: VK answers that message's id and sends nothing again", async () => {
		vk.failNext({ method: 'messages.send', code: 10, afterAccepting: true });
		const { status, output } = await run({ items: [{ conversationId: String(ADA), text: 'only once' }] });
		expect(status).toBe('success');
		expect(vk.messagesTo(ADA).map((m) => m.text)).toEqual(['only once']);
		const [first, second] = sends();
		expect([first.errorCode, second.errorCode]).toEqual([10, 0]);
		expect(second.params.random_id).toBe(first.params.random_id);
		expect(jsonOf(output)[0].messageId).toBe(String(vk.messagesTo(ADA)[0].id));
	});

	it('the same trigger event sent by two executions (another process, the claim lost) has the same random_id: VK sends it once', async () => {
		const event = { channel: 'vk', account: String(vk.groupId), eventId: `vk:${vk.groupId}:ev-42`, conversationId: String(ADA), text: 'answer to event 42' };
		for (let execution = 0; execution < 2; execution++) {
			// a second process: its own memory, and the shared claim row lost (n8n's store is not atomic)
			acceptedParts.clear();
			processedData.rows.clear();
			const { status } = await run({ items: [event], mode: 'trigger' });
			expect(status).toBe('success');
		}
		expect(sends()).toHaveLength(2);
		expect(sends()[1].params.random_id).toBe(sends()[0].params.random_id);
		expect(vk.messagesTo(ADA).map((m) => m.text)).toEqual(['answer to event 42']);
	});

	it("n8n's Retry On Fail after the send failed for good: the retry sends the same random_id, and the message VK already has is not sent twice", async () => {
		// every attempt of the first run of the node is answered with VK's error 10 after VK acted
		vk.failNext({ method: 'messages.send', code: 10, afterAccepting: true, count: 5 });
		const { status, output } = await run({
			items: [{ conversationId: String(ADA), text: 'retried' }],
			node: { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 },
		});
		expect(status).toBe('success');
		expect(vk.messagesTo(ADA).map((m) => m.text)).toEqual(['retried']);
		expect(new Set(sends().map((c) => c.params.random_id)).size).toBe(1);
		expect(sends().length).toBeGreaterThan(5);
		expect(jsonOf(output)[0].messageId).toBe(String(vk.messagesTo(ADA)[0].id));
	});
});

describe('Chat Channel (VK): limits and refusals', () => {
	it.each([
		[6, 'too many requests per second'],
		[9, 'flood control'],
	])('error %i (%s) is waited out; the message arrives once', async (code) => {
		vk.failNext({ method: 'messages.send', code });
		const { status } = await run({ items: [{ conversationId: String(ADA), text: 'patient' }] });
		expect(status).toBe('success');
		expect(sends().map((c) => c.errorCode)).toEqual([code, 0]);
		expect(vk.messagesTo(ADA).map((m) => m.text)).toEqual(['patient']);
	});

	it('901: a customer who has not allowed the community\'s messages is a clear error naming why (Continue On Fail: per item)', async () => {
		vk.addUser({ id: 1003, first_name: 'Cy', last_name: 'Silent', allowsMessages: false });
		vk.addUser({ id: 1004, first_name: 'Di', last_name: 'Private', privacyBlocks: true });
		const { status, output } = await run({
			items: [
				{ conversationId: '1003', text: 'hello?' },
				{ conversationId: '1004', text: 'hello?' },
				{ conversationId: String(ADA), text: 'hello' },
			],
			node: { continueOnFail: true },
		});
		expect(status).toBe('success');
		const [cy, di, ada] = jsonOf(output);
		expect(String(cy.error)).toMatch(/error 901/);
		expect(JSON.stringify(cy)).toMatch(/has not allowed messages from this community/);
		expect(String(di.error)).toMatch(/error 902/);
		expect(JSON.stringify(di)).toMatch(/privacy settings/);
		expect(ada).toMatchObject({ channel: 'vk', parts: 1 });
	});

	it.each([
		[18, /page is deleted or blocked/],
		[900, /blocked this community/],
		[915, /switched off/],
		[916, /switched off/],
	])('error %i: the message names the customer-side reason in words an operator understands', async (code, words) => {
		vk.failNext({ method: 'messages.send', code });
		const { status, error } = await run({ items: [{ conversationId: String(ADA), text: 'hello?' }] });
		expect(status).toBe('error');
		expect(error?.message).toMatch(new RegExp(`error ${code}`));
		expect(error?.message).toMatch(words);
	});

	it('a wrong token: error 5 names the token, the token is not in the error', async () => {
		const { status, error, everything } = await run({ credentials: { accessToken: 'vk1.a.wrongTokenThatIsLongEnough' } });
		expect(status).toBe('error');
		expect(error?.message).toMatch(/error 5/);
		expect(everything).not.toContain('wrongTokenThatIsLongEnough');
	});

	it("the credential's Test reads the community, and names VK's refusal", async () => {
		const data = vk.credentialData();
		expect((await testCredential(new TeamSpiritVkApi(), data)).status).toBe('OK');
		const wrong = await testCredential(new TeamSpiritVkApi(), { ...data, accessToken: 'vk1.a.nope-nope-nope' });
		expect(wrong).toMatchObject({ status: 'Error', message: expect.stringMatching(/error 5/) });
		const group = await testCredential(new TeamSpiritVkApi(), { ...data, groupId: '1' });
		expect(group).toMatchObject({ status: 'Error', message: expect.stringMatching(/error 100/) });
	});

	it.each([1, 2, 7, 8, 10, 17, 18, 27, 28, 29, 125, 203])("the credential's Test reports VK's error %i as a failure naming it", async (code) => {
		vk.failNext({ method: 'groups.getById', code });
		const result = await testCredential(new TeamSpiritVkApi(), vk.credentialData());
		expect(result).toMatchObject({ status: 'Error', message: expect.stringMatching(new RegExp(`error ${code}\\b`)) });
		expect(JSON.stringify(result)).not.toContain(vk.token);
	});
});

describe('Chat Channel (VK): files', () => {
	const sendFile = (parameters: INodeParameters, binary?: unknown) =>
		run({
			items: [{ conversationId: String(ADA) }],
			binary,
			parameters: { operation: 'sendFile', kind: 'auto', format: 'plain', ...parameters, text: undefined },
		});

	it('an image goes through the photo upload server (photos.getMessagesUploadServer → upload → saveMessagesPhoto) with its caption', async () => {
		const { status, output } = await sendFile(
			{ source: 'binary', binaryPropertyName: 'data', caption: 'Your invoice' },
			[{ fileName: 'scan.png', mimeType: 'image/png', size: 120_000, seed: 3 }],
		);
		expect(status).toBe('success');
		const [message] = vk.messagesTo(ADA);
		expect(message.text).toBe('Your invoice');
		expect(message.attachment).toMatch(new RegExp(`^photo-${vk.groupId}_\\d+_\\w+$`));
		expect(message.files).toEqual([{ fieldName: 'photo', filename: 'scan.png', contentType: 'image/png', size: 120_000, sha256: deterministicSha256(120_000, 3) }]);
		expect(vk.calls.map((c) => c.method)).toEqual(['photos.getMessagesUploadServer', 'photos.saveMessagesPhoto', 'messages.send']);
		expect(jsonOf(output)[0]).toMatchObject({ kind: 'photo', parts: 1 });
	});

	it('any other file goes through the document upload server (docs.getMessagesUploadServer → upload → docs.save)', async () => {
		const { status } = await sendFile({ source: 'binary', binaryPropertyName: 'data' }, [{ fileName: 'contract.pdf', mimeType: 'application/pdf', size: 300_000, seed: 4 }]);
		expect(status).toBe('success');
		const [message] = vk.messagesTo(ADA);
		expect(message.attachment).toMatch(new RegExp(`^doc-${vk.groupId}_\\d+$`));
		expect(message.files[0]).toMatchObject({ fieldName: 'file', filename: 'contract.pdf', size: 300_000, sha256: deterministicSha256(300_000, 4) });
		expect(vk.callsOf('docs.getMessagesUploadServer')[0].params).toMatchObject({ type: 'doc', peer_id: String(ADA) });
	});

	it('an attachment ID is sent as it is; a URL as a link after the caption (VK takes no file by URL)', async () => {
		await sendFile({ source: 'fileId', fileId: 'photo-1_457239017' });
		await sendFile({ source: 'url', fileUrl: 'https://files.example.com/a.pdf', caption: 'The report' });
		expect(vk.messagesTo(ADA).map((m) => [m.attachment, m.text])).toEqual([
			['photo-1_457239017', ''],
			[undefined, 'The report\nhttps://files.example.com/a.pdf'],
		]);
	});
});

describe('Chat Channel (VK): edit, delete, typing, button answers', () => {
	it('edits and deletes (for everyone) a message the community sent', async () => {
		await run({ items: [{ conversationId: String(ADA), text: 'first' }] });
		const id = String(vk.sent[0].id);
		const edited = await run({ items: [{ conversationId: String(ADA), messageId: id, text: 'second' }], parameters: { operation: 'edit', messageId: '={{ $json.messageId }}', format: 'plain' } });
		expect(edited.status).toBe('success');
		expect(vk.sent[0]).toMatchObject({ text: 'second', edits: ['first'] });
		const deleted = await run({ items: [{ conversationId: String(ADA), messageId: id }], parameters: { operation: 'delete', messageId: '={{ $json.messageId }}', text: undefined } });
		expect(deleted.status).toBe('success');
		expect(vk.sent[0]).toMatchObject({ deleted: true, deletedForAll: true });
		expect(jsonOf(deleted.output)[0]).toMatchObject({ channel: 'vk', messageId: id, deleted: true });
	});

	it('typing is messages.setActivity; a button press is answered with messages.sendMessageEventAnswer', async () => {
		const typing = await run({ items: [{ conversationId: String(ADA) }], parameters: { resource: 'chat', operation: 'sendAction', action: 'typing', text: undefined } });
		expect(typing.status).toBe('success');
		expect(vk.callsOf('messages.setActivity')[0].params).toMatchObject({ peer_id: String(ADA), type: 'typing' });
		const answer = await run({
			items: [{ callbackId: `abc123:${ADA}:${ADA}` }],
			parameters: { resource: 'callback', operation: 'answer', callbackId: '={{ $json.callbackId }}', text: 'Noted' },
		});
		expect(answer.status).toBe('success');
		expect(vk.callsOf('messages.sendMessageEventAnswer')[0].params).toMatchObject({
			event_id: 'abc123',
			user_id: String(ADA),
			peer_id: String(ADA),
			event_data: JSON.stringify({ type: 'show_snackbar', text: 'Noted' }),
		});
	});
});
