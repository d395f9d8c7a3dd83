import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TeamSpiritWhatsAppCloudApi } from '../../../credentials/TeamSpiritWhatsAppCloudApi.credentials';
import { recentMessages } from '../../../nodes/channels/whatsappcloud/recent';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { SECOND_PHONE_NUMBER_ID, WhatsAppCloudEmulator } from '../../emulators/whatsappcloud';
import { deterministicSha256, logsToText, runWorkflow, testCredential } from '../../harness';
import { NODE_TYPE, jsonOf, loadWorkflow, pairedOf } from './setup';

const ADA = '4915112345678';
const BOB = '4915112345679';

let wa: WhatsAppCloudEmulator;
beforeEach(async () => {
	wa = await WhatsAppCloudEmulator.start();
	for (const id of [ADA, BOB]) wa.touch(id);
	recentMessages.clear();
});
afterEach(async () => await wa.stop());

async function run(
	args: { items?: unknown[]; binary?: unknown; parameters?: INodeParameters; node?: Record<string, unknown>; credentials?: Record<string, string> } = {},
) {
	const workflow = loadWorkflow('whatsappcloud.message.send');
	if (args.items) workflow.nodes[1].parameters.items = JSON.stringify(args.items);
	if (args.binary) workflow.nodes[1].parameters.binary = JSON.stringify(args.binary);
	Object.assign(workflow.nodes[2].parameters, args.parameters ?? {});
	Object.assign(workflow.nodes[2], args.node ?? {});
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [NODE_TYPE]: new ChatChannel() },
		credentialTypes: [new TeamSpiritWhatsAppCloudApi()],
		credentials: { teamSpiritWhatsAppCloudApi: { ...wa.credentialData(), ...args.credentials } },
	});
	let output: INodeExecutionData[] | undefined;
	try {
		output = result.nodeOutput('Chat Channel');
	} catch {
		output = undefined;
	}
	return { ...result, output, everything: JSON.stringify(result.run.data.resultData) + logsToText(result.logs) };
}

const sends = () => wa.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages'));
const buttons = (list: Array<{ text: string; callbackData?: string; url?: string }>) => ({ buttons: { rows: [{ buttons: { button: list } }] } });

describe('Chat Channel (WhatsApp Cloud API): text', () => {
	it('sends one message per item from the credential\'s number with the Bearer token, paired; no secret in the output', async () => {
		const { status, output, everything } = await run();
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(wa.messages.map((m) => [m.phoneNumberId, m.to, m.type, m.text])).toEqual([
			[wa.phoneNumberId, ADA, 'text', 'Hello Ada'],
			[wa.phoneNumberId, BOB, 'text', 'Hello Bob'],
		]);
		expect(sends().every((r) => r.token === 'valid' && r.headers.authorization === `Bearer ${wa.accessToken}`)).toBe(true);
		expect(jsonOf(output)[0]).toMatchObject({ channel: 'whatsappcloud', conversationId: ADA, messageId: wa.messages[0].id, parts: 1 });
		expect(everything).not.toContain(wa.accessToken);
		expect(everything).not.toContain(wa.appSecret);
	});

	it('sends from "From (Phone Number ID)" (a trigger item\'s account), and takes +E.164 as the conversation ID', async () => {
		const { status } = await run({ items: [{ conversationId: '+49 151 12345678', text: 'from the second number' }], parameters: { whatsappcloudFrom: SECOND_PHONE_NUMBER_ID } });
		expect(status).toBe('success');
		expect(wa.messages.map((m) => [m.phoneNumberId, m.to])).toEqual([[SECOND_PHONE_NUMBER_ID, ADA]]);
	});

	it('answers a message as a reply (context.message_id), the first part only', async () => {
		const text = Array.from({ length: 200 }, (_, i) => `Line ${i} ${'z'.repeat(30)}`).join('\n');
		const { status } = await run({ items: [{ conversationId: ADA, text }], parameters: { options: { replyToMessageId: 'wamid.customer1' } } });
		expect(status).toBe('success');
		expect(wa.messagesTo(ADA).map((m) => m.replyTo)).toEqual(['wamid.customer1', null]);
	});

	it('splits a text over 4096 characters, losing nothing; with buttons the last part fits the 1024 of an interactive body', async () => {
		const text = Array.from({ length: 150 }, (_, i) => `Line ${String(i).padStart(3, '0')} ${'y'.repeat(30)}`).join('\n');
		const { status, output } = await run({ items: [{ conversationId: ADA, text }], parameters: buttons([{ text: 'Yes', callbackData: 'YES' }, { text: 'No' }]) });
		expect(status).toBe('success');
		const sent = wa.messagesTo(ADA);
		expect(sent.length).toBeGreaterThan(2);
		expect(sent.map((m) => m.type)).toEqual([...sent.slice(1).map(() => 'text'), 'interactive']);
		for (const m of sent) expect(m.text!.length).toBeLessThanOrEqual(m.type === 'interactive' ? 1024 : 4096);
		expect(sent.map((m) => m.text).join('\n')).toBe(text);
		expect(sent[sent.length - 1].content).toMatchObject({
			type: 'button',
			action: { buttons: [{ type: 'reply', reply: { id: 'YES', title: 'Yes' } }, { type: 'reply', reply: { id: 'No', title: 'No' } }] },
		});
		expect(jsonOf(output)[0]).toMatchObject({ parts: sent.length, messageIds: sent.map((m) => m.id) });
	});

	it('makes 4 to 10 buttons a list, one URL button a link button; refuses a URL among others and more than 10, before calling Meta', async () => {
		await run({ items: [{ conversationId: ADA, text: 'Pick' }], parameters: buttons(Array.from({ length: 5 }, (_, i) => ({ text: `Option ${i}`, callbackData: `o${i}` }))) });
		expect(wa.messagesTo(ADA)[0].content).toMatchObject({ type: 'list', action: { button: 'Choose', sections: [{ rows: [{ id: 'o0', title: 'Option 0' }, {}, {}, {}, { id: 'o4' }] }] } });
		await run({ items: [{ conversationId: BOB, text: 'Read this' }], parameters: buttons([{ text: 'Open the guide', url: 'https://example.com/guide' }]) });
		expect(wa.messagesTo(BOB)[0].content).toMatchObject({ type: 'cta_url', action: { name: 'cta_url', parameters: { display_text: 'Open the guide', url: 'https://example.com/guide' } } });
		const before = sends().length;
		const mixed = await run({ items: [{ conversationId: ADA, text: 'x' }], parameters: buttons([{ text: 'Docs', url: 'https://x.example' }, { text: 'Yes' }]) });
		expect(mixed.error?.message).toBe('WhatsApp shows one link button alone, or reply buttons without links');
		const many = await run({ items: [{ conversationId: ADA, text: 'x' }], parameters: buttons(Array.from({ length: 11 }, (_, i) => ({ text: `o${i}` }))) });
		expect(many.error?.message).toBe('WhatsApp shows at most 10 choices; the message has 11');
		expect(sends()).toHaveLength(before);
	});

	it('rejects a conversation ID that is no number, per item with continue-on-fail', async () => {
		const { status, output } = await run({ items: [{ conversationId: ADA, text: 'ok' }, { conversationId: 'm_abc', text: 'bad' }], node: { onError: 'continueRegularOutput' } });
		expect(status).toBe('success');
		expect(jsonOf(output)[1]).toEqual({ error: '"m_abc" is not a WhatsApp (Cloud API) conversation ID' });
		expect(wa.messages.map((m) => m.text)).toEqual(['ok']);
	});
});

describe('Chat Channel (WhatsApp Cloud API): files', () => {
	it('uploads a binary property to /{phone-number-id}/media (streamed multipart) and sends the image by its id with the caption', async () => {
		const { status, output } = await run({
			items: [{ conversationId: ADA }],
			binary: { fileName: 'photo.png', mimeType: 'image/png', size: 300000, seed: 5 },
			parameters: { operation: 'sendFile', source: 'binary', caption: 'Your *photo*' },
		});
		expect(status).toBe('success');
		const upload = wa.requests.find((r) => r.path.endsWith('/media'));
		expect(upload?.body).toMatchObject({ fields: { messaging_product: 'whatsapp', type: 'image/png' }, file: { filename: 'photo.png', contentType: 'image/png', size: 300000, sha256: deterministicSha256(300000, 5) } });
		const [file] = wa.messagesTo(ADA);
		expect(file).toMatchObject({ type: 'image', text: 'Your *photo*', upload: { filename: 'photo.png', size: 300000 } });
		expect(jsonOf(output)[0]).toMatchObject({ kind: 'image', parts: 1 });
	});

	it('sends a document by URL with its caption, and an audio file\'s caption as a text after it', async () => {
		await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendFile', source: 'url', fileUrl: 'https://files.example.com/a.pdf', kind: 'document', caption: 'The invoice' } });
		expect(wa.messagesTo(ADA).map((m) => [m.type, m.link, m.text])).toEqual([['document', 'https://files.example.com/a.pdf', 'The invoice']]);
		await run({ items: [{ conversationId: BOB }], parameters: { operation: 'sendFile', source: 'url', fileUrl: 'https://files.example.com/hello.mp3', kind: 'auto', caption: 'Listen' } });
		expect(wa.messagesTo(BOB).map((m) => [m.type, m.text])).toEqual([['audio', null], ['text', 'Listen']]);
	});

	it('refuses an image over 5 MB before uploading, and says what to do', async () => {
		const { status, error } = await run({
			items: [{ conversationId: ADA }],
			binary: { fileName: 'big.png', mimeType: 'image/png', size: 6 * 1024 * 1024, seed: 1 },
			parameters: { operation: 'sendFile', source: 'binary' },
		});
		expect(status).toBe('error');
		expect(error?.message).toMatch(/^The file is 6\.0 MB; WhatsApp takes image files up to 5 MB/);
		expect(wa.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
	});
});

describe('Chat Channel (WhatsApp Cloud API): templates', () => {
	it('sends "name:language" with the variables as body parameters in order', async () => {
		const { status, output } = await run({
			items: [{ conversationId: ADA }],
			parameters: { operation: 'sendTemplate', templateId: 'order_update:en_US', variables: '{"2": "A-1042", "1": "Ada"}' },
		});
		expect(status).toBe('success');
		const [message] = wa.messagesTo(ADA);
		expect(message.content).toEqual({ name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }, { type: 'text', text: 'A-1042' }] }] });
		expect(message.text).toBe('Hi Ada, your order A-1042 is on its way.');
		expect(jsonOf(output)[0]).toMatchObject({ messageId: message.id });
	});

	it('outside the 24-hour window: a template goes out, free text is accepted and then fails with 131047', async () => {
		wa.advanceTime(25 * 60 * 60 * 1000);
		await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendTemplate', templateId: 'hello_world:en_US', variables: '{}' } });
		await run({ items: [{ conversationId: ADA, text: 'late' }] });
		expect(wa.messagesTo(ADA).map((m) => [m.type, m.outcome])).toEqual([['template', 'accepted'], ['text', 131047]]);
		expect(wa.statuses.map((s) => [s.status.status, s.status.errors?.[0]?.code])).toEqual([['sent', undefined], ['delivered', undefined], ['failed', 131047]]);
	});

	it('explains a template id that is not name:language, an unknown template (132001) and a wrong number of variables (132000)', async () => {
		const pattern = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendTemplate', templateId: 'HX0123', variables: '{}' } });
		expect(pattern.error?.message).toBe('"HX0123" is not a template ID');
		expect(pattern.error?.description).toMatch(/order_update:en_US/);
		const unknown = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendTemplate', templateId: 'order_update:de', variables: '{"1":"a","2":"b"}' } });
		expect(unknown.error?.message).toMatch(/^WhatsApp \(Cloud API\) send message: .*\(#132001\)/);
		expect(unknown.error?.description).toMatch(/No approved template with this name in this language/);
		const count = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendTemplate', templateId: 'order_update:en_US', variables: '{"1":"Ada"}' } });
		expect(count.error?.message).toMatch(/\(#132000\)/);
		expect(wa.messages).toHaveLength(0);
	});
});

describe('Chat Channel (WhatsApp Cloud API): templates with components', () => {
	const template = (parameters: INodeParameters) => run({ items: [{ conversationId: ADA }], parameters: { operation: 'sendTemplate', ...parameters } });
	const componentsOf = () => wa.messagesTo(ADA).map((m) => m.content.components);
	beforeEach(() => {
		wa.addTemplate('invoice_ready', 'en', 'Hi {{first_name}}, invoice {{invoice}} is ready.', 'UTILITY', {
			header: { format: 'DOCUMENT' },
			buttons: [
				{ type: 'URL', text: 'Open', url: 'https://shop.example/i/{{1}}' },
				{ type: 'QUICK_REPLY', text: 'Stop' },
			],
		});
		wa.addTemplate('sale', 'en_US', 'Everything {{1}} off.', 'MARKETING', { header: { format: 'TEXT', text: 'Sale {{1}}' } });
		wa.addTemplate('new_product', 'en_US', 'Our new {{1}}.', 'MARKETING', { header: { format: 'IMAGE' } });
	});

	it('a document header by link with its file name, named body parameters, a dynamic URL button suffix and a quick-reply payload', async () => {
		const { status, output } = await template({
			templateId: 'invoice_ready:en',
			variables: '{"first_name": "Ada", "invoice": "I-7"}',
			whatsappcloudHeader: 'document',
			whatsappcloudHeaderMedia: 'https://files.example/I-7.pdf',
			whatsappcloudHeaderFileName: 'I-7.pdf',
			whatsappcloudTemplateButtons: { button: [{ type: 'url', index: 0, value: 'I-7' }, { type: 'quickReply', index: 1, value: 'STOP_INVOICES' }] },
		});
		expect(status).toBe('success');
		expect(componentsOf()).toEqual([
			[
				{ type: 'header', parameters: [{ type: 'document', document: { link: 'https://files.example/I-7.pdf', filename: 'I-7.pdf' } }] },
				{ type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Ada' }, { type: 'text', parameter_name: 'invoice', text: 'I-7' }] },
				{ type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'I-7' }] },
				{ type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'STOP_INVOICES' }] },
			],
		]);
		expect(wa.messagesTo(ADA)[0].text).toBe('Hi Ada, invoice I-7 is ready.');
		expect(jsonOf(output)[0]).toMatchObject({ messageId: wa.messagesTo(ADA)[0].id });
	});

	it('a text header parameter, and an image header by media id', async () => {
		const media = wa.addMedia(Buffer.alloc(300, 1), 'image/jpeg');
		const sale = await template({ templateId: 'sale:en_US', variables: '{"1": "20%"}', whatsappcloudHeader: 'text', whatsappcloudHeaderText: 'today' });
		const product = await template({ templateId: 'new_product:en_US', variables: '{"1": "kettle"}', whatsappcloudHeader: 'image', whatsappcloudHeaderMedia: media });
		expect([sale.status, product.status]).toEqual(['success', 'success']);
		expect(componentsOf().map((c) => (c as Array<{ type: string }>)[0])).toEqual([
			{ type: 'header', parameters: [{ type: 'text', text: 'today' }] },
			{ type: 'header', parameters: [{ type: 'image', image: { id: media } }] },
		]);
	});

	it('Components (JSON) is sent as written, instead of the fields', async () => {
		const components = [
			{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://files.example/kettle.jpg' } }] },
			{ type: 'body', parameters: [{ type: 'text', text: 'kettle' }] },
		];
		const { status } = await template({ templateId: 'new_product:en_US', variables: '{"1": "ignored"}', whatsappcloudComponents: JSON.stringify(components) });
		expect(status).toBe('success');
		expect(componentsOf()).toEqual([components]);
	});

	it('Meta refuses what does not fit the template: a missing header or button parameter (132000), a header or body parameter of another kind (132012); the node says what to fix', async () => {
		const noHeader = await template({ templateId: 'new_product:en_US', variables: '{"1": "kettle"}' });
		const wrongKind = await template({ templateId: 'new_product:en_US', variables: '{"1": "kettle"}', whatsappcloudHeader: 'video', whatsappcloudHeaderMedia: 'https://files.example/k.mp4' });
		const positional = await template({ templateId: 'invoice_ready:en', variables: '{"1": "Ada", "2": "I-7"}', whatsappcloudHeader: 'document', whatsappcloudHeaderMedia: 'https://files.example/I-7.pdf', whatsappcloudTemplateButtons: { button: [{ type: 'url', index: 0, value: 'I-7' }] } });
		const noButton = await template({ templateId: 'invoice_ready:en', variables: '{"first_name": "Ada", "invoice": "I-7"}', whatsappcloudHeader: 'document', whatsappcloudHeaderMedia: 'https://files.example/I-7.pdf' });
		expect([noHeader, wrongKind, positional, noButton].map((r) => /\(#(\d+)\)/.exec(r.error?.message ?? '')?.[1])).toEqual(['132000', '132012', '132012', '132000']);
		expect(noButton.error?.description).toMatch(/header, body and buttons/);
		expect(positional.error?.description).toMatch(/named/);
		const empty = await template({ templateId: 'sale:en_US', variables: '{"1": "20%"}', whatsappcloudHeader: 'text', whatsappcloudHeaderText: ' ' });
		expect(empty.error?.message).toBe('The template\'s header text is empty');
		expect(wa.messages).toHaveLength(0);
	});
});

describe('Chat Channel (WhatsApp Cloud API): typing, unavailable actions', () => {
	it("shows typing (read + typing indicator) or only the read ticks for the customer's newest message", async () => {
		recentMessages.set(`${wa.phoneNumberId}:${ADA}`, 'wamid.newest');
		await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction', action: 'typing' } });
		await run({ items: [{ conversationId: ADA }], parameters: { resource: 'chat', operation: 'sendAction', action: 'mark_seen' } });
		expect(wa.readMarks.map((r) => [r.phoneNumberId, r.messageId, r.typing])).toEqual([
			[wa.phoneNumberId, 'wamid.newest', true],
			[wa.phoneNumberId, 'wamid.newest', false],
		]);
		const none = await run({ items: [{ conversationId: BOB }], parameters: { resource: 'chat', operation: 'sendAction', action: 'typing' } });
		expect(none.error?.message).toMatch(/^WhatsApp shows typing only for a message the customer sent/);
	});

	it('reacts to a customer\'s message with an emoji from the number they wrote to, and takes the reaction back with an empty emoji', async () => {
		const react = await run({
			items: [{ conversationId: ADA }],
			parameters: { operation: 'react', messageId: 'wamid.customer1', emoji: '❤️', whatsappcloudFrom: SECOND_PHONE_NUMBER_ID },
		});
		const unreact = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'react', messageId: 'wamid.customer1', emoji: '' } });
		expect([react.status, unreact.status]).toEqual(['success', 'success']);
		expect(wa.messages.map((m) => [m.phoneNumberId, m.to, m.type, m.text])).toEqual([
			[SECOND_PHONE_NUMBER_ID, ADA, 'reaction', '❤️'],
			[wa.phoneNumberId, ADA, 'reaction', ''],
		]);
		expect(sends()[0].body).toMatchObject({ type: 'reaction', reaction: { message_id: 'wamid.customer1', emoji: '❤️' } });
		expect(jsonOf(react.output)[0]).toMatchObject({ channel: 'whatsappcloud', conversationId: ADA, messageId: wa.messages[0].id, reactedTo: 'wamid.customer1', emoji: '❤️' });
		const word = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'react', messageId: 'wamid.customer1', emoji: 'ok' } });
		expect(word.error?.message).toMatch(/\(#131009\)/);
	});

	it('says that the Cloud API cannot edit or delete messages', async () => {
		const edit = await run({ items: [{ conversationId: ADA }], parameters: { operation: 'edit', messageId: 'wamid.abc', text: 'x' } });
		expect(edit.error?.message).toBe('WhatsApp (Cloud API) cannot edit a sent message');
		expect(edit.error?.description).toMatch(/cannot change a sent message/);
	});
});

describe('Chat Channel (WhatsApp Cloud API): rate limits, no duplicates, errors', () => {
	it.each([130429, 131056, 80007])('waits out rate limit %i and sends that request again: the message arrives once', async (code) => {
		wa.failNext({ code, method: 'POST', path: /\/messages$/ });
		const { status } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('success');
		expect(sends().map((r) => r.status)).toEqual([400, 200]);
		expect(wa.messagesTo(ADA).map((m) => m.text)).toEqual(['once']);
	});

	it('never resends a message Meta may have accepted (5xx after accepting), and says so', async () => {
		wa.failNext({ status: 500, method: 'POST', afterAccepting: true });
		const { status, error } = await run({ items: [{ conversationId: ADA, text: 'once' }] });
		expect(status).toBe('error');
		expect(wa.messagesTo(ADA).map((m) => m.text)).toEqual(['once']);
		expect(sends()).toHaveLength(1);
		expect(error?.description ?? '').not.toContain(wa.accessToken);
	});

	it('explains an invalid token (#190) without showing it, and a synchronous 131047 with the template remedy', async () => {
		const token = await run({ items: [{ conversationId: ADA, text: 'x' }], credentials: { accessToken: 'EAAGwrongtoken000000000' } });
		expect(token.error?.description).toMatch(/access token is invalid/);
		expect(token.everything).not.toContain('EAAGwrongtoken000000000');
		wa.failNext({ code: 131047, method: 'POST' });
		const late = await run({ items: [{ conversationId: ADA, text: 'late' }] });
		expect(late.error?.message).toMatch(/^WhatsApp \(Cloud API\) send message: .*\(#131047\)/);
		expect(late.error?.description).toMatch(/within 24 hours .*Send Template/);
	});
});

describe('WhatsApp (Cloud API) credential test', () => {
	it('reads the phone number with the token; a wrong token fails', async () => {
		const data = wa.credentialData();
		expect((await testCredential(new TeamSpiritWhatsAppCloudApi(), data)).status).toBe('OK');
		expect((await testCredential(new TeamSpiritWhatsAppCloudApi(), { ...data, accessToken: 'nope' })).status).toBe('Error');
		expect(new Set(wa.requests.map((r) => `${r.method} ${r.path}?fields=${r.query.fields}`))).toEqual(
			new Set([`GET /v23.0/${wa.phoneNumberId}?fields=display_phone_number,verified_name`]),
		);
	});
});
