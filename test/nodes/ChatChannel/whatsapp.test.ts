import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { TwilioEmulator } from '../../emulators/twilio';
import { logsToText, runWorkflow, testCredential } from '../../harness';
import { NODE_TYPE, jsonOf, loadWorkflow, pairedOf } from './setup';

let tw: TwilioEmulator;
beforeEach(async () => {
	tw = await TwilioEmulator.start();
});
afterEach(async () => await tw.stop());

const ADA = 'whatsapp:+4915112345678';

async function run(
	args: { items?: unknown[]; binary?: unknown; parameters?: INodeParameters; node?: Record<string, unknown>; credentials?: Record<string, string> } = {},
) {
	const workflow = loadWorkflow('whatsapp.message.send');
	if (args.items) workflow.nodes[1].parameters.items = JSON.stringify(args.items);
	if (args.binary) workflow.nodes[1].parameters.binary = JSON.stringify(args.binary);
	Object.assign(workflow.nodes[2].parameters, args.parameters ?? {});
	Object.assign(workflow.nodes[2], args.node ?? {});
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritTwilioApi()],
		credentials: {
			teamSpiritTwilioApi: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url, ...args.credentials },
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

const sends = () => tw.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));

describe('Chat Channel (WhatsApp through Twilio): text', () => {
	beforeEach(() => {
		for (const n of ['+4915112345678', '+4915112345679', '+4915112345670']) tw.touch(`whatsapp:${n}`);
	});

	it('sends one message per item, adding the whatsapp: prefix where it is missing, with pairedItem', async () => {
		const { status, output, everything } = await run();
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(tw.messages.map((m) => [m.to, m.from, m.body])).toEqual([
			[ADA, 'whatsapp:+14155238886', 'Hello Ada'],
			['whatsapp:+4915112345679', 'whatsapp:+14155238886', 'Hello Bob'],
			['whatsapp:+4915112345670', 'whatsapp:+14155238886', 'Hello Cy'],
		]);
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'whatsapp', conversationId: ADA, messageId: tw.messages[0].sid, messageIds: [tw.messages[0].sid], parts: 1 });
		expect(sends().every((r) => r.auth === 'account')).toBe(true);
		expect(everything).not.toContain(tw.authToken);
	});

	it('splits a text over 1600 characters at lines into several messages, in order, and returns every SID', async () => {
		const text = Array.from({ length: 100 }, (_, i) => `Line ${String(i).padStart(3, '0')} ${'x'.repeat(30)}`).join('\n');
		const { status, output } = await run({ items: [{ conversationId: ADA, text }] });
		expect(status).toBe('success');
		const bodies = tw.messagesTo(ADA).map((m) => m.body);
		expect(bodies.length).toBe(3);
		for (const body of bodies) {
			expect(body.length).toBeLessThanOrEqual(1600);
			expect(body.startsWith('Line ')).toBe(true);
		}
		expect(bodies.join('\n')).toBe(text);
		expect(jsonOf(output)[0]).toMatchObject({ parts: 3, messageIds: tw.messagesTo(ADA).map((m) => m.sid) });
	});

	it('sends with the API key when the credential has one, and a status callback URL when set', async () => {
		const { status } = await run({
			items: [{ conversationId: ADA, text: 'hi' }],
			parameters: { whatsappOptions: { statusCallback: 'https://n8n.example.com/webhook/abc/webhook' } },
			credentials: { apiKeySid: tw.apiKeySid, apiKeySecret: tw.apiKeySecret },
		});
		expect(status).toBe('success');
		expect(sends()[0].auth).toBe('apiKey');
		expect(tw.messages[0].statusCallback).toBe('https://n8n.example.com/webhook/abc/webhook');
	});

	it('sends from a Messaging Service when the sender is an MG SID', async () => {
		const { status } = await run({ items: [{ conversationId: ADA, text: 'hi' }], parameters: { whatsappFrom: tw.messagingServiceSid } });
		expect(status).toBe('success');
		expect(tw.messages[0].messagingServiceSid).toBe(tw.messagingServiceSid);
	});

	it('turns HTML into WhatsApp formatting', async () => {
		await run({ items: [{ conversationId: ADA, text: '<b>Total</b>: <i>42 &amp; more</i>' }], parameters: { format: 'html' } });
		expect(tw.messages[0].body).toBe('*Total*: _42 & more_');
	});
});

describe('Chat Channel (WhatsApp through Twilio): files and templates', () => {
	beforeEach(() => tw.touch(ADA));

	it('sends media by public URL with the caption as body', async () => {
		const { status, output } = await run({
			items: [{ conversationId: ADA }],
			parameters: { operation: 'sendFile', source: 'url', fileUrl: 'https://files.example.com/invoice.pdf', caption: 'Your invoice' },
		});
		expect(status).toBe('success');
		expect(tw.messages[0]).toMatchObject({ mediaUrls: ['https://files.example.com/invoice.pdf'], body: 'Your invoice' });
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'whatsapp', messageId: tw.messages[0].sid });
	});

	it('explains that Twilio needs a URL when the file is a binary property, and sends nothing', async () => {
		const { status, error } = await run({
			items: [{ conversationId: ADA }],
			binary: { fileName: 'photo.png', mimeType: 'image/png', size: 1000, seed: 1 },
			parameters: { operation: 'sendFile', source: 'binary' },
		});
		expect(status).toBe('error');
		expect(error?.message).toBe('WhatsApp through Twilio needs the file as a public URL');
		expect(error?.description).toMatch(/public http\(s\) URL/);
		expect(tw.messages).toHaveLength(0);
	});

	it('sends an approved template with its variables', async () => {
		const template = tw.addTemplate({ body: 'Hi {{1}}, your order {{2}} shipped' });
		const { status } = await run({
			items: [{ conversationId: ADA }],
			parameters: { operation: 'sendTemplate', templateId: template.sid, variables: '{"1": "Ada", "2": "A-17"}' },
		});
		expect(status).toBe('success');
		expect(tw.messages[0]).toMatchObject({ contentSid: template.sid, contentVariables: { 1: 'Ada', 2: 'A-17' }, body: 'Hi Ada, your order A-17 shipped' });
	});

	it('rejects a malformed template ID and empty variables before calling Twilio', async () => {
		const bad = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendTemplate', templateId: 'hello' } });
		expect(bad.error?.message).toBe('"hello" is not a template ID');
		const empty = await run({
			items: [{ conversationId: ADA }],
			parameters: { operation: 'sendTemplate', templateId: `HX${'a'.repeat(32)}`, variables: '{"1": ""}' },
		});
		expect(empty.error?.message).toBe('The template variable "1" is empty');
		expect(sends()).toHaveLength(0);
	});
});

describe('Chat Channel (WhatsApp through Twilio): errors, 429 and no duplicates', () => {
	it('explains 63016 (outside the 24-hour window) with the template remedy', async () => {
		await tw.stop();
		tw = await TwilioEmulator.start({ windowErrors: 'sync' });
		const { status, error } = await run({ items: [{ conversationId: ADA, text: 'late reply' }] });
		expect(status).toBe('error');
		expect(error?.message).toMatch(/^Twilio send message: 63016 /);
		expect(error?.description).toMatch(/24 hours.*Send Template.*Content SID/);
	});

	it('rejects a conversation ID that is no WhatsApp number, per item with continue-on-fail', async () => {
		tw.touch(ADA);
		const { status, output } = await run({
			items: [{ conversationId: ADA, text: 'ok' }, { conversationId: 'abc', text: 'bad' }],
			node: { onError: 'continueRegularOutput' },
		});
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(jsonOf(output)[1]).toEqual({ error: '"abc" is not a WhatsApp (Twilio) conversation ID' });
		expect(tw.messages.map((m) => m.body)).toEqual(['ok']);
	});

	it('rejects a sender that is neither a WhatsApp number nor a Messaging Service', async () => {
		const { error } = await run({ items: [{ conversationId: ADA, text: 'x' }], parameters: { whatsappFrom: 'sales team' } });
		expect(error?.message).toBe('"sales team" is not a WhatsApp sender');
		expect(sends()).toHaveLength(0);
	});

	it('says that WhatsApp cannot edit, delete or show typing; inline buttons are not a WhatsApp field', async () => {
		const edit = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'edit', messageId: `SM${'a'.repeat(32)}`, text: 'x' } });
		expect(edit.error?.message).toBe('WhatsApp (Twilio) cannot edit a sent message');
		const typing = await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction' } });
		expect(typing.error?.message).toBe('WhatsApp (Twilio) cannot show a chat action');
		const buttons = await run({
			items: [{ conversationId: ADA, text: 'pick' }],
			parameters: { buttons: { rows: [{ buttons: { button: [{ text: 'Yes', callbackData: 'yes' }] } }] } },
		});
		// the editor does not offer Inline Buttons on WhatsApp, and n8n drops the value of a field
		// the node does not show when it loads a workflow (as for every hidden field): the text goes
		expect(buttons.status).toBe('success');
		expect(tw.messages.map((m) => m.body)).toEqual(['pick']);
	});

	it('on 429 backs off and resends only that request: the message arrives once', async () => {
		tw.touch(ADA);
		tw.failNext({ status: 429, method: 'POST' });
		const { status } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('success');
		expect(sends().map((r) => r.status)).toEqual([429, 201]);
		expect(tw.messages.map((m) => m.body)).toEqual(['once']);
	});

	it('never resends a message Twilio may have accepted (5xx after accepting): one copy, a clear error', async () => {
		tw.touch(ADA);
		tw.failNext({ status: 503, method: 'POST', afterAccepting: true });
		const { status, error } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('error');
		expect(error?.description).toMatch(/may have been accepted: it is not sent again/);
		expect(tw.messages.map((m) => m.body)).toEqual(['once']);
		expect(sends()).toHaveLength(1);
	});

	it('names the bad credential (20003) without leaking the token', async () => {
		const { status, error, everything } = await run({ items: [{ conversationId: ADA, text: 'x' }], credentials: { authToken: 'wrong-token-123456' } });
		expect(status).toBe('error');
		expect(error?.message).toMatch(/^Twilio send message: 20003/);
		expect(everything).not.toContain('wrong-token-123456');
	});
});

describe('Twilio credential test', () => {
	it('reads the account: accepts the right token and refuses a wrong one', async () => {
		const type = new TeamSpiritTwilioApi();
		const ok = await testCredential(type, { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url });
		expect(ok.status).toBe('OK');
		const bad = await testCredential(type, { accountSid: tw.accountSid, authToken: 'nope', baseUrl: tw.url });
		expect(bad.status).toBe('Error');
	});
});
