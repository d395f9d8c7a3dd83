/**
 * Every Chat Channel operation on Telegram in a real n8n: the engine-test fixtures
 * (test/nodes/ChatChannel/workflows) as branches of one workflow, run once with `n8n execute`
 * against the Telegram emulator, with its flood limits on.
 */
import * as path from 'node:path';

import { GraphEmulator } from '../emulators/graph';
import { TelegramEmulator } from '../emulators/telegram';
import { TwilioEmulator } from '../emulators/twilio';
import {
	credentialFor,
	createN8nHome,
	executeWorkflow,
	importCredentials,
	importWorkflow,
	installPackageTarball,
	nodeOutput,
	REPO_ROOT,
	workflowFromFixtures,
	type N8nHome,
} from './n8n';

const FIXTURES = path.join(REPO_ROOT, 'test', 'nodes', 'ChatChannel', 'workflows');
const NODE_TYPE = 'n8n-nodes-teamspirit.chatChannel';
const LONG = Array.from({ length: 60 }, (_, i) => `Line ${i}: ${'word '.repeat(20).trim()}`).join('\n');
const firstSent = "={{ $('Chat Channel message.send').first().json.messageId }}";

const tarball = process.env.TS_PACKAGE_TARBALL;

describe('every Chat Channel operation (Telegram) in a real n8n', () => {
	let home: N8nHome;
	let tg: TelegramEmulator;

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run with `npm run test:e2e`');
		home = await createN8nHome({ prefix: 'n8n-e2e-channel-ops-' });
		await installPackageTarball(home, tarball);
		tg = await TelegramEmulator.start();
	});

	afterAll(async () => {
		await tg?.stop();
		await home?.cleanup();
	});

	it('sends text, buttons, long text, files by URL, id and upload, edits, reacts, deletes, shows typing', async () => {
		await importCredentials(home, [
			{ id: '1', name: 'Telegram bot', type: 'teamSpiritTelegramApi', data: { accessToken: tg.token, baseUrl: tg.url } },
		]);
		const fileId = tg.addFile(Buffer.from('spec'), { mimeType: 'application/pdf', fileName: 'spec.pdf' }).file_id;
		const workflow = workflowFromFixtures({
			dir: FIXTURES,
			nodeType: NODE_TYPE,
			label: 'Chat Channel',
			branches: [
				'message.send',
				'message.send-continue-on-fail',
				'message.send-buttons',
				{ name: 'message.send-long', items: [{ conversationId: '1004', text: LONG, format: 'plain' }] },
				{
					name: 'message.sendFile-url',
					items: [
						{ conversationId: '1001', source: 'url', ref: 'https://example.com/cat.jpg', kind: 'photo' },
						{ conversationId: '1001', source: 'fileId', ref: fileId, kind: 'document' },
					],
				},
				{
					name: 'message.sendFile',
					file: true,
					items: [{ conversationId: '1002', caption: 'The notes', fileText: 'meeting notes', fileName: 'notes.txt' }],
					// Convert to File outputs the file alone: read the fields from the item before it
					edit: (node) =>
						Object.assign(node.parameters, {
							conversationId: "={{ $('message.sendFile split').item.json.conversationId }}",
							caption: "={{ $('message.sendFile split').item.json.caption }}",
						}),
				},
				{
					name: 'message.edit',
					items: [{ conversationId: '1001', text: 'edited' }],
					edit: (node) => (node.parameters.messageId = firstSent),
				},
				'chat.sendAction',
				{
					name: 'message.react',
					items: [{ conversationId: '1001', emoji: '👍' }],
					edit: (node) => (node.parameters.messageId = firstSent),
				},
				{
					name: 'message.delete',
					items: [{ conversationId: '1001' }],
					edit: (node) => (node.parameters.messageId = firstSent),
				},
			],
		});
		const id = await importWorkflow(home, workflow);
		const run = await executeWorkflow(home, id, { timeoutMs: 180_000 });
		const printed = run.stdout + run.stderr;
		if (!run.ok) throw new Error(`n8n execute failed:\n${printed.slice(-6000)}`);
		const out = (name: string) => nodeOutput(run.result, `Chat Channel ${name}`);

		const [hello] = out('message.send');
		expect(out('message.send')).toHaveLength(3);
		expect(tg.sentMessages(1002).map((m) => m.text)).toContain('Price: 42.50 EUR (incl. tax) - thanks!');
		expect(tg.sentMessages(-2001)[0]).toMatchObject({ parse_mode: 'HTML', text: 'Team & friends' });

		const failed = out('message.send-continue-on-fail');
		expect(failed.map((i) => (i.error ? 'error' : 'ok'))).toEqual(['ok', 'error', 'error', 'ok']);

		expect(out('message.send-buttons')).toHaveLength(1);
		expect(out('message.send-long')[0].parts).toBeGreaterThan(1);
		expect(tg.sentMessages(1004).map((m) => m.text).join('\n')).toBe(LONG);

		expect(tg.calls('sendPhoto').length + tg.calls('sendDocument').length).toBeGreaterThanOrEqual(3);
		const upload = tg.sentMessages(1002).find((m) => m.upload);
		expect(upload?.upload).toMatchObject({ filename: 'notes.txt', size: 13 });
		expect(upload?.caption).toBe('The notes');

		expect(out('message.edit')[0]).toMatchObject({ edited: true, messageId: hello.messageId });
		expect(out('chat.sendAction')).toHaveLength(2);
		expect(out('message.react')).toHaveLength(1);
		expect(tg.calls('setMessageReaction').map((c) => [String(c.params.message_id), c.params.reaction])).toEqual([
			[String(hello.messageId), [{ type: 'emoji', emoji: '👍' }]],
		]);
		expect(out('message.delete')[0]).toMatchObject({ deleted: true });
		const first = tg.sentMessages(1001).find((m) => String(m.message_id) === String(hello.messageId));
		expect(first).toMatchObject({ text: 'edited', deleted: true });

		expect(printed).not.toContain(tg.token);
	});
});

describe('every Chat Channel operation on WhatsApp (Twilio) and Messenger in a real n8n', () => {
	let home: N8nHome;
	let tw: TwilioEmulator;
	let fb: GraphEmulator;

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run with `npm run test:e2e`');
		home = await createN8nHome({ prefix: 'n8n-e2e-wa-fb-ops-' });
		await installPackageTarball(home, tarball);
		tw = await TwilioEmulator.start();
		fb = await GraphEmulator.start();
	});

	afterAll(async () => {
		await tw?.stop();
		await fb?.stop();
		await home?.cleanup();
	});

	it('sends text, files by URL, templates, quick replies and sender actions', async () => {
		await importCredentials(home, [
			credentialFor.twilio('2', tw, 'Twilio'),
			credentialFor.messenger('3', fb, 'Messenger page'),
		]);
		const ada = '7000000000000001';
		for (const psid of [ada, '7000000000000002']) {
			fb.addUser({ id: psid });
			fb.touch(psid);
		}
		const template = tw.addTemplate({ body: 'Hi {{1}}, your order {{2}} shipped' });
		const wa = [{ conversationId: 'whatsapp:+4915112345678' }];
		const set = (parameters: Record<string, unknown>) => (node: Record<string, any>) => Object.assign(node.parameters, parameters);
		const workflow = workflowFromFixtures({
			dir: FIXTURES,
			nodeType: NODE_TYPE,
			label: 'Chat Channel',
			branches: [
				'whatsapp.message.send',
				{
					name: 'whatsapp.message.send',
					as: 'whatsapp.sendFile',
					items: wa,
					edit: set({ operation: 'sendFile', source: 'url', fileUrl: 'https://files.example.com/invoice.pdf', caption: 'Your invoice' }),
				},
				{
					name: 'whatsapp.message.send',
					as: 'whatsapp.sendTemplate',
					items: wa,
					edit: set({ operation: 'sendTemplate', templateId: template.sid, variables: '{"1": "Ada", "2": "A-17"}' }),
				},
				'messenger.message.send',
				{
					name: 'messenger.message.send',
					as: 'messenger.quickReplies',
					items: [{ conversationId: ada, text: 'Pick one' }],
					edit: set({ buttons: { rows: [{ buttons: { button: [{ text: 'Yes', callbackData: 'yes' }, { text: 'No', callbackData: 'no' }] } }] } }),
				},
				{
					name: 'messenger.message.send',
					as: 'messenger.sendFile',
					items: [{ conversationId: ada }],
					edit: set({ operation: 'sendFile', source: 'url', fileUrl: 'https://files.example.com/a.pdf', kind: 'document' }),
				},
				{
					name: 'messenger.message.send',
					as: 'messenger.typing',
					items: [{ conversationId: ada }],
					edit: set({ resource: 'chat', operation: 'sendAction', action: 'typing' }),
				},
				{
					name: 'messenger.message.send',
					as: 'messenger.markSeen',
					items: [{ conversationId: ada }],
					edit: set({ resource: 'chat', operation: 'sendAction', action: 'mark_seen' }),
				},
			],
		});
		const id = await importWorkflow(home, workflow);
		const run = await executeWorkflow(home, id, { timeoutMs: 180_000 });
		const printed = run.stdout + run.stderr;
		if (!run.ok) throw new Error(`n8n execute failed:\n${printed.slice(-6000)}`);
		const out = (name: string) => nodeOutput(run.result, `Chat Channel ${name}`);

		expect(out('whatsapp.message.send')).toHaveLength(3);
		expect(tw.messagesTo('whatsapp:+4915112345679').map((m) => m.body)).toEqual(['Hello Bob']);
		expect(tw.messagesTo('whatsapp:+4915112345670').map((m) => m.body)).toEqual(['Hello Cy']);
		const toAdaWa = tw.messagesTo('whatsapp:+4915112345678');
		expect(toAdaWa.map((m) => m.body)).toEqual(['Hello Ada', 'Your invoice', 'Hi Ada, your order A-17 shipped']);
		expect(toAdaWa[1].mediaUrls).toEqual(['https://files.example.com/invoice.pdf']);
		expect(toAdaWa[2].contentSid).toBe(template.sid);
		expect(out('whatsapp.sendTemplate')).toHaveLength(1);

		expect(out('messenger.message.send')).toHaveLength(2);
		// different conversations are served side by side: order is kept within one, not across
		expect(fb.messagesTo('7000000000000002').map((m) => m.text)).toEqual(['Hello Bob']);
		const toAda = fb.messagesTo(ada);
		expect(toAda.map((m) => m.text ?? m.attachment?.type)).toEqual(['Hello Ada', 'Pick one', 'file']);
		expect(toAda[1].quickReplies?.map((q) => q.title)).toEqual(['Yes', 'No']);
		expect(fb.senderActions.map((a) => a.action)).toEqual(['typing_on', 'mark_seen']);

		expect(printed).not.toContain(tw.authToken);
		expect(printed).not.toContain(fb.pageAccessToken);
		expect(printed).not.toContain(fb.appSecret);
	});
});
