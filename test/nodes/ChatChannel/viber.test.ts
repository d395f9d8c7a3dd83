import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TeamSpiritViberApi } from '../../../credentials/TeamSpiritViberApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { ViberEmulator } from '../../emulators/viber';
import { logsToText, runWorkflow, testCredential } from '../../harness';
import { NODE_TYPE, jsonOf, loadWorkflow, pairedOf } from './setup';

let vb: ViberEmulator;
const ADA = 'AAAAAAAAAAAAAAAAAAAAAA==';
const BOB = 'BBBBBBBBBBBBBBBBBBBBBA==';

beforeEach(async () => {
	vb = await ViberEmulator.start();
	vb.addUser({ id: ADA, name: 'Ada' });
	vb.addUser({ id: BOB, name: 'Bob' });
});
afterEach(async () => await vb.stop());

const credentialsOf = (extra: Record<string, string> = {}) => ({
	accessToken: vb.authToken,
	botName: 'TeamSpirit Shop',
	avatarUrl: 'https://cdn.example.com/shop.jpg',
	baseUrl: vb.apiUrl,
	...extra,
});

async function run(
	args: { items?: unknown[]; parameters?: INodeParameters; node?: Record<string, unknown>; credentials?: Record<string, string>; binary?: unknown } = {},
) {
	const workflow = loadWorkflow('viber.message.send');
	if (args.items) workflow.nodes[1].parameters.items = JSON.stringify(args.items);
	if (args.binary) workflow.nodes[1].parameters.binary = JSON.stringify(args.binary);
	Object.assign(workflow.nodes[2].parameters, args.parameters ?? {});
	Object.assign(workflow.nodes[2], args.node ?? {});
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritViberApi()],
		credentials: { teamSpiritViberApi: credentialsOf(args.credentials) },
	});
	let output: INodeExecutionData[] | undefined;
	try {
		output = result.nodeOutput('Chat Channel');
	} catch {
		output = undefined;
	}
	return { ...result, output, everything: JSON.stringify(result.run.data.resultData) + logsToText(result.logs) };
}

const sends = () => vb.requests.filter((r) => r.api === 'send_message');
const sendFile = (fileUrl: string, extra: INodeParameters = {}) =>
	run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendFile', source: 'url', fileUrl, kind: 'auto', ...extra } });

describe('Chat Channel (Viber): text', () => {
	it('sends one message per item with X-Viber-Auth-Token and the Bot Name as sender; the exact 64-bit message_token is the message ID', async () => {
		const { status, output, everything } = await run();
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(vb.messages.map((m) => [m.receiver, m.type, m.text, m.sender])).toEqual([
			[ADA, 'text', 'Hello Ada', { name: 'TeamSpirit Shop', avatar: 'https://cdn.example.com/shop.jpg' }],
			[BOB, 'text', 'Hello Bob', { name: 'TeamSpirit Shop', avatar: 'https://cdn.example.com/shop.jpg' }],
		]);
		expect(sends().every((r) => r.token === vb.authToken)).toBe(true);
		// tokens are beyond 2^53: a JavaScript number would have changed the last digits
		expect(BigInt(vb.messages[0].token)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'viber', conversationId: ADA, messageId: vb.messages[0].token, parts: 1 });
		expect(everything).not.toContain(vb.authToken);
	});

	it('splits a text over 7000 characters in order; the keyboard goes under the last part, its replies named in tracking_data', async () => {
		const text = Array.from({ length: 400 }, (_, i) => `Line ${String(i).padStart(3, '0')} ${'y'.repeat(30)}`).join('\n');
		const buttons = { rows: [{ buttons: { button: [{ text: 'Yes', callbackData: 'YES' }, { text: 'Docs', url: 'https://docs.example.com' }] } }] };
		const { status, output } = await run({ items: [{ conversationId: ADA, text }], parameters: { buttons } });
		expect(status).toBe('success');
		const sent = vb.messagesTo(ADA);
		expect(sent.length).toBe(3);
		for (const m of sent) expect(m.text!.length).toBeLessThanOrEqual(7000);
		expect(sent.map((m) => m.text).join('\n')).toBe(text);
		expect(sent.map((m) => m.keyboard === null)).toEqual([true, true, false]);
		expect(sent[2].keyboard).toEqual({
			Type: 'keyboard',
			DefaultHeight: false,
			Buttons: [
				{ Columns: 3, Rows: 1, Text: 'Yes', TextSize: 'regular', ActionType: 'reply', ActionBody: 'Yes' },
				{ Columns: 3, Rows: 1, Text: 'Docs', TextSize: 'regular', ActionType: 'open-url', ActionBody: 'https://docs.example.com', OpenURLType: 'external' },
			],
		});
		// a tap sends the label (what the customer sees in the chat); the tracking data maps it to the data
		expect(sent[2].trackingData).toBe('n8n-buttons:{"Yes":"YES"}');
		expect(jsonOf(output)[0]).toMatchObject({ parts: 3, messageIds: sent.map((m) => m.token) });
	});

	it('refuses more than 24 buttons before calling Viber', async () => {
		const many = await run({
			items: [{ conversationId: ADA, text: 'x' }],
			parameters: { buttons: { rows: Array.from({ length: 5 }, (_, r) => ({ buttons: { button: Array.from({ length: 5 }, (_, i) => ({ text: `o${r}${i}` })) } })) } },
		});
		expect(many.error?.message).toBe('Viber shows at most 24 buttons; the message has 25');
		expect(sends()).toHaveLength(0);
	});

	it('without a Bot Name stops before calling Viber and says what to set', async () => {
		const { error } = await run({ credentials: { botName: '' } });
		expect(error?.message).toBe('The Viber credential has no Bot Name');
		expect(sends()).toHaveLength(0);
	});
});

describe('Chat Channel (Viber): what Viber refuses', () => {
	it('a customer who unsubscribed: an error naming receiverNotSubscribed with the rule, per item with continue-on-fail', async () => {
		vb.users.get(BOB)!.subscribed = false;
		const { status, output } = await run({ node: { onError: 'continueRegularOutput' } });
		expect(status).toBe('success');
		expect(vb.messages.map((m) => m.receiver)).toEqual([ADA]);
		expect(jsonOf(output)[1].error).toBe('Viber send message: receiverNotSubscribed (status 6) (item 1)');
		const strict = await run({ items: [{ conversationId: BOB, text: 'x' }] });
		expect(strict.error?.description).toMatch(/not subscribed to the bot .* once they write again/);
	});

	it('no suitable device, unknown receiver: errors with their reason', async () => {
		vb.users.get(BOB)!.device = false;
		const device = await run({ items: [{ conversationId: BOB, text: 'x' }] });
		expect(device.error?.message).toMatch(/receiverNoSuitableDevice \(status 11\)/);
		const unknown = await run({ items: [{ conversationId: 'ZZZZZZZZZZZZZZZZZZZZZA==', text: 'x' }] });
		expect(unknown.error?.message).toMatch(/receiverNotRegistered \(status 5\)/);
	});

	it('waits out tooManyRequests (12) and sends that request again: the message arrives once', async () => {
		vb.failNext('send_message', 'tooManyRequests', { times: 2 });
		const { status } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('success');
		expect(vb.sendStatuses()).toEqual([429, 429, 200]);
		expect(vb.messagesTo(ADA).map((m) => m.text)).toEqual(['once']);
	});

	it('never resends a message Viber may have accepted (a 502 after accepting)', async () => {
		vb.failNextHttp('send_message', 502, { afterAccepting: true });
		const { status, error } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('error');
		expect(error?.message).toMatch(/^Viber send message: HTTP 502/);
		expect(vb.messagesTo(ADA).map((m) => m.text)).toEqual(['once']);
		expect(sends()).toHaveLength(1);
	});

	it('a wrong token: invalidAuthToken with where to find the right one, the token never shown', async () => {
		const { error, everything } = await run({ items: [{ conversationId: ADA, text: 'x' }], credentials: { accessToken: 'wrong-token-00000000000' } });
		expect(error?.message).toMatch(/invalidAuthToken \(status 2\)/);
		expect(error?.description).toMatch(/Your app key/);
		expect(everything).not.toContain('wrong-token-00000000000');
	});

	it('says that Viber cannot edit, delete or show typing', async () => {
		const edit = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'edit', messageId: '5000000000000000001', text: 'x' } });
		expect(edit.error?.message).toBe('Viber cannot edit a sent message');
		expect(edit.error?.description).toMatch(/cannot be changed/);
		const remove = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'delete', messageId: '5000000000000000001' } });
		expect(remove.error?.description).toMatch(/cannot take a message back/);
		const typing = await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction', action: 'typing' } });
		expect(typing.error?.description).toMatch(/no "typing…" status/);
		expect(sends()).toHaveLength(0);
	});
});

describe('Chat Channel (Viber): files by URL', () => {
	it('a PNG up to 1 MB is a picture with its caption as text', async () => {
		const url = vb.hostMedia(Buffer.alloc(5000, 1), 'cat.png', 'image/png');
		const { status, output } = await sendFile(url, { caption: 'Your cat' });
		expect(status).toBe('success');
		expect(vb.messagesTo(ADA).map((m) => [m.type, m.media, m.text])).toEqual([['picture', url, 'Your cat']]);
		expect(jsonOf(output)[0]).toMatchObject({ kind: 'picture', parts: 1 });
	});

	it('a PNG over 1 MB, and a PDF, go as files with their name and size', async () => {
		const big = vb.hostMedia(Buffer.alloc(2 * 1024 * 1024, 1), 'poster.png', 'image/png');
		const pdf = vb.hostMedia(Buffer.alloc(300_000, 2), 'Lieferschein März.pdf', 'application/pdf');
		expect((await sendFile(big)).status).toBe('success');
		expect((await sendFile(pdf, { caption: 'Your delivery note' })).status).toBe('success');
		expect(vb.messagesTo(ADA).map((m) => [m.type, m.fileName, m.size, m.text])).toEqual([
			['file', 'poster.png', 2 * 1024 * 1024, null],
			['file', 'Lieferschein März.pdf', 300_000, null],
			['text', null, null, 'Your delivery note'],
		]);
	});

	it('an MP4 is a video with its size', async () => {
		const mp4 = vb.hostMedia(Buffer.alloc(40_000, 3), 'clip.mp4', 'video/mp4');
		expect((await sendFile(mp4)).status).toBe('success');
		expect(vb.messagesTo(ADA).map((m) => [m.type, m.size])).toEqual([['video', 40_000]]);
	});

	it('a URL that does not say its size goes as a link; an executable is refused before calling Viber', async () => {
		expect((await sendFile('https://files.example.com/reports/q3.pdf')).status).toBe('success');
		expect(vb.messagesTo(ADA).map((m) => [m.type, m.media])).toEqual([['url', 'https://files.example.com/reports/q3.pdf']]);
		const exe = vb.hostMedia(Buffer.alloc(1000, 4), 'setup.exe', 'application/octet-stream');
		const refused = await sendFile(exe);
		expect(refused.error?.message).toBe('Viber does not send files like "setup.exe"');
		expect(sends()).toHaveLength(1);
	});
});

describe('Viber credential test', () => {
	it('reads the bot with the token; a wrong token fails although Viber answers HTTP 200', async () => {
		expect((await testCredential(new TeamSpiritViberApi(), credentialsOf())).status).toBe('OK');
		const wrong = await testCredential(new TeamSpiritViberApi(), credentialsOf({ accessToken: 'nope-nope-nope' }));
		expect(wrong).toMatchObject({ status: 'Error', message: expect.stringMatching(/Auth Token/) });
	});
});
