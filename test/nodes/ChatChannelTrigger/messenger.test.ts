import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { GraphEmulator } from '../../emulators/graph';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { metaRequest } from '../../helpers/signing';
import { TRIGGER_TYPE } from './setup';

let fb: GraphEmulator;
const hooks: WebhookTrigger[] = [];

const workflow = (parameters: IDataObject = {}) => ({
	id: 'wf-messenger',
	name: 'Messenger webhook',
	nodes: [
		{
			id: 'n1',
			name: 'Chat Channel Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: '7d4c9f20-8e3b-4a9e-9b77-3b3b2c2d2e2f',
			parameters: { channel: 'messenger', ...parameters },
			credentials: { teamSpiritMessengerApi: { id: '3', name: 'Page' } },
		},
	],
	connections: {},
});

async function start(parameters: IDataObject = {}, webhookName: 'default' | 'setup' = 'default') {
	const hook = await startWebhookTrigger({
		workflow: workflow(parameters) as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritMessengerApi()],
		credentials: {
			teamSpiritMessengerApi: fb.credentialData(),
		},
		listen: true,
		webhookName,
	});
	hooks.push(hook);
	await hook.activate();
	return hook;
}

beforeEach(async () => {
	seenEvents.clear();
	fb = await GraphEmulator.start();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await fb.stop();
});

const started = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started);
const PSID = '7000000000000001';

describe('Chat Channel Trigger (Facebook Messenger): handshake', () => {
	it('answers Meta’s verification with the challenge as plain text; a wrong token or mode gets 403', async () => {
		const hook = await start({}, 'setup');
		const ok = await fb.verify(hook.url);
		expect(ok.ok).toBe(true);
		expect(ok.contentType).toMatch(/^text\/plain/);
		const wrongToken = await fb.verify(hook.url, { token: 'guess' });
		const wrongMode = await fb.verify(hook.url, { mode: 'unsubscribe' });
		expect([wrongToken.status, wrongMode.status]).toEqual([403, 403]);
		expect(started(hook)).toHaveLength(0);
	});
});

describe('Chat Channel Trigger (Facebook Messenger): deliveries', () => {
	it('flattens a signed batch of 5 events into 5 items of one execution, attachments as binary', async () => {
		const hook = await start();
		const jpeg = Buffer.alloc(7000, 3);
		const events = [
			fb.messageEvent(PSID, { text: 'Hello ünïcødé / page' }),
			fb.messageEvent(PSID, { attachments: [{ type: 'image', bytes: jpeg, contentType: 'image/jpeg', filename: 'cat.jpg' }] }),
			fb.postbackEvent(PSID, { title: 'Start', payload: 'GET_STARTED' }),
			fb.messageEvent('7000000000000002', { text: 'Yes', quickReplyPayload: 'YES' }),
			fb.messageEvent(PSID, { text: 'last' }),
		];
		const result = await fb.deliver(hook.url, [{ id: fb.pageId, time: Date.now(), messaging: events.slice(0, 3) }, { id: fb.pageId, time: Date.now(), messaging: events.slice(3) }]);
		await hook.settled();
		expect(result.status).toBe(200);
		const calls = started(hook);
		expect(calls).toHaveLength(1);
		const items = calls[0].workflowData![0];
		expect(items.map((i) => [i.json.event, i.json.text])).toEqual([
			['message', 'Hello ünïcødé / page'],
			['message', ''],
			['callback', 'GET_STARTED'],
			['message', 'Yes'],
			['message', 'last'],
		]);
		expect(items[0].json).toMatchObject({ channel: 'messenger', conversationId: PSID, sender: { id: PSID, isBot: false }, messageId: (events[0].message as IDataObject).mid });
		expect(items[1].json.attachments).toEqual([expect.objectContaining({ type: 'photo', mimeType: 'image/jpeg', size: 7000, binaryProperty: 'data' })]);
		expect(items[1].binary?.data).toMatchObject({ mimeType: 'image/jpeg' });
		expect(items[1].json).toMatchObject({ attachmentsText: 'photo image/jpeg received' });
		expect(items[2].json).toMatchObject({ event: 'callback', callbackData: 'GET_STARTED' });
		expect(items[3].json).toMatchObject({ callbackData: 'YES', conversationId: '7000000000000002' });
	});

	it('rejects forged, unsigned and wrong-secret deliveries with 401 and starts nothing', async () => {
		const hook = await start();
		const event = fb.messageEvent(PSID, { text: 'x' });
		const results = [
			await fb.deliver(hook.url, [event], { forgeSignature: true }),
			await fb.deliver(hook.url, [event], { omitSignature: true }),
			await fb.deliver(hook.url, [event], { appSecret: 'another-secret' }),
		];
		await hook.settled();
		expect(results.map((r) => r.status)).toEqual([401, 401, 401]);
		expect(started(hook)).toHaveLength(0);
	});

	it('checks the signature over the raw bytes: the same JSON re-serialized does not verify', async () => {
		const hook = await start();
		const body = JSON.stringify({ object: 'page', entry: [{ id: fb.pageId, time: 1, messaging: [fb.messageEvent(PSID, { text: 'a/b é' })] }] });
		const metaStyle = body.replace(/\//g, '\\/').replace(/é/g, '\\u00e9');
		const signedOther = await hook.request(metaRequest(fb.appSecret, metaStyle, body));
		const signedSame = await hook.request(metaRequest(fb.appSecret, metaStyle));
		expect([signedOther.response.status, signedSame.response.status]).toEqual([401, 200]);
		expect(signedSame.workflowData![0][0].json.text).toBe('a/b é');
	});

	it('malformed bodies (not JSON, not a page object) start nothing', async () => {
		const hook = await start();
		const notJson = await fb.deliver(hook.url, [], { rawBody: '{"object":' });
		const notPage = await fb.deliver(hook.url, [fb.messageEvent(PSID, { text: 'x' })], { object: 'instagram' });
		await hook.settled();
		// n8n's own body parser refuses broken JSON (422) before the node; the node refuses the rest
		expect([notJson.status, notPage.status]).toEqual([422, 400]);
		expect(started(hook)).toHaveLength(0);
	});

	it('a repeated mid starts nothing', async () => {
		const hook = await start();
		const event = fb.messageEvent(PSID, { text: 'once' });
		await fb.deliver(hook.url, [event]);
		await fb.deliver(hook.url, [event]);
		await fb.deliver(hook.url, [event, fb.messageEvent(PSID, { text: 'new' })]);
		await hook.settled();
		expect(started(hook).map((c) => c.workflowData![0].map((i) => i.json.text))).toEqual([['once'], ['new']]);
	});

	it('ignores the page’s own echoes by default (loop safety), includes them when asked', async () => {
		const hook = await start();
		await fb.deliver(hook.url, [fb.echoEvent(PSID, { text: 'our reply' })]);
		await hook.settled();
		expect(started(hook)).toHaveLength(0);
		const withEchoes = await start({ messengerOptions: { includeEchoes: true } });
		await fb.deliver(withEchoes.url, [fb.echoEvent(PSID, { text: 'our reply 2' })]);
		await withEchoes.settled();
		expect(started(withEchoes)[0].workflowData![0][0].json).toMatchObject({ text: 'our reply 2', conversationId: PSID, sender: { isBot: true } });
	});

	it('delivery and read receipts become status events when selected', async () => {
		const hook = await start({ messengerEvents: ['message', 'delivery', 'read'] });
		await fb.deliver(hook.url, [fb.deliveryEvent(PSID, { mids: ['m_1', 'm_2'], watermark: 1_700_000_000_000 }), fb.readEvent(PSID, { watermark: 1_700_000_001_000 })]);
		await fb.deliver(hook.url, [fb.postbackEvent(PSID, { title: 'x', payload: 'X' })]); // postbacks not selected
		await hook.settled();
		const calls = started(hook);
		expect(calls).toHaveLength(1);
		expect(calls[0].workflowData![0].map((i) => i.json)).toEqual([
			expect.objectContaining({ event: 'status', status: 'delivered', messageIds: ['m_1', 'm_2'], watermark: '2023-11-14T22:13:20.000Z' }),
			expect.objectContaining({ event: 'status', status: 'read' }),
		]);
	});

	it('does not download attachments over the cap; the attachment says why', async () => {
		const hook = await start({ messengerOptions: { maxDownloadMb: 0.001 } });
		await fb.deliver(hook.url, [fb.messageEvent(PSID, { attachments: [{ type: 'file', bytes: Buffer.alloc(5000), contentType: 'application/pdf', filename: 'a.pdf' }] })]);
		await hook.settled();
		const [item] = started(hook)[0].workflowData![0];
		expect(item.binary).toBeUndefined();
		expect((item.json.attachments as IDataObject[])[0].notice).toMatch(/^Not downloaded: .*0.001 MB/);
	});

	it('subscribes the page to the app on activation when asked', async () => {
		expect(fb.subscribedFields).toBeNull();
		await start({ messengerOptions: { subscribePage: true } });
		expect(fb.subscribedFields).toEqual(expect.arrayContaining(['messages', 'messaging_postbacks', 'message_echoes']));
	});
});
