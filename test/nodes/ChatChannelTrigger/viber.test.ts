import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritViberApi } from '../../../credentials/TeamSpiritViberApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { ViberEmulator, viberJson, viberSignature } from '../../emulators/viber';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { TRIGGER_TYPE } from './setup';

let vb: ViberEmulator;
const hooks: WebhookTrigger[] = [];
const ADA = 'AAAAAAAAAAAAAAAAAAAAAA==';

const workflow = (parameters: IDataObject = {}) => ({
	id: 'wf-viber',
	name: 'Viber webhook',
	nodes: [
		{
			id: 'n1',
			name: 'Chat Channel Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: '5b0c9f20-8e3b-4a9e-9b77-3b3b2c2d2e30',
			parameters: { channel: 'viber', ...parameters },
			credentials: { teamSpiritViberApi: { id: '9', name: 'Viber bot' } },
		},
	],
	connections: {},
});

async function start(parameters: IDataObject = {}, options: { activate?: boolean; url?: 'production' | 'test' } = {}) {
	const hook = await startWebhookTrigger({
		workflow: workflow(parameters) as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritViberApi()],
		credentials: { teamSpiritViberApi: { accessToken: vb.authToken, botName: 'TeamSpirit Shop', avatarUrl: '', baseUrl: vb.apiUrl } },
		listen: true,
		url: options.url,
	});
	hooks.push(hook);
	if (options.activate ?? true) await hook.activate();
	return hook;
}

beforeEach(async () => {
	seenEvents.clear();
	vb = await ViberEmulator.start();
	vb.addUser({ id: ADA, name: 'Ada Lovelace' });
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await vb.stop();
});

const started = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started);
const itemsOf = (hook: WebhookTrigger) => started(hook).map((c) => c.workflowData![0].map((i) => i.json));

describe('Chat Channel Trigger (Viber): the webhook', () => {
	it('activation sets the webhook (the signed check answered 200, nothing started); deactivation removes it', async () => {
		const hook = await start({ viberEvents: ['message', 'failed', 'conversation_started'] });
		expect(vb.webhook).toEqual({ url: hook.url, event_types: ['failed', 'conversation_started'], send_name: true, send_photo: true });
		expect(vb.deliveries.map((d) => [d.event, d.status])).toEqual([['webhook', 200]]);
		expect(started(hook)).toHaveLength(0);
		expect(await hook.checkExists()).toBe(true);
		await hook.deactivate();
		expect(vb.webhook).toBeNull();
		expect(vb.requests.filter((r) => r.api === 'set_webhook').map((r) => (r.body as IDataObject).url)).toEqual([hook.url, '']);
	});

	it('a webhook pointing elsewhere stops activation with its URL; Replace Existing Webhook takes the bot over; deactivation leaves another URL alone', async () => {
		vb.webhook = { url: 'https://other.example.com/hook', event_types: [], send_name: true, send_photo: false };
		const hook = await start({}, { activate: false });
		await expect(hook.activate()).rejects.toThrow("This bot's webhook already points to https://other.example.com/hook");
		expect(vb.webhook.url).toBe('https://other.example.com/hook');
		const taking = await start({ viberOptions: { replaceWebhook: true } });
		expect(vb.webhook?.url).toBe(taking.url);
		vb.webhook = { url: 'https://other.example.com/hook', event_types: [], send_name: true, send_photo: false };
		await taking.deactivate();
		expect(vb.webhook?.url).toBe('https://other.example.com/hook');
	});

	it('a test listener does not take the webhook from the production URL', async () => {
		const production = await start();
		const test = await start({}, { activate: false, url: 'test' });
		// (each listener of the harness has its own port: the URL is named as it is)
		await expect(test.activate()).rejects.toThrow(`This bot's webhook already points to ${production.url}`);
		expect(vb.webhook?.url).toBe(production.url);
	});
});

describe('Chat Channel Trigger (Viber): callbacks', () => {
	it('a signed message: the customer\'s name, the bot as account, the exact message_token as messageId and in eventId', async () => {
		const hook = await start();
		// the bot's id without Viber's "pa:": a conversation key holds the account between colons
		const account = vb.accountId.replace(/^pa:/, '');
		expect(account).toMatch(/^\d+$/);
		const event = vb.messageEvent(ADA, { text: 'Hallo ünïcødé', token: '5741311803571721087' });
		const result = await vb.deliver(hook.url, event);
		await hook.settled();
		expect(result).toEqual({ status: 200, body: '{}' });
		expect(itemsOf(hook)).toEqual([
			[
				expect.objectContaining({
					channel: 'viber',
					event: 'message',
					account,
					eventId: `viber:${account}:5741311803571721087`,
					messageId: '5741311803571721087',
					conversationId: ADA,
					sender: { id: ADA, name: 'Ada Lovelace' },
					text: 'Hallo ünïcødé',
				}),
			],
		]);
	});

	it('refuses a forged, an unsigned and a tampered callback with 401 and starts nothing', async () => {
		const hook = await start();
		const event = vb.messageEvent(ADA, { text: 'x' });
		const raw = viberJson(event);
		const tampered = await hook.request({
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-viber-content-signature': viberSignature(vb.authToken, raw) },
			body: raw.replace('"x"', '"y"'),
		});
		const results = [
			(await vb.deliver(hook.url, event, { forgeSignature: true })).status,
			(await vb.deliver(hook.url, event, { omitSignature: true })).status,
			tampered.response.status,
		];
		await hook.settled();
		expect(results).toEqual([401, 401, 401]);
		expect(started(hook)).toHaveLength(0);
	});

	it('a picture is downloaded from Viber\'s media URL; a location, a contact and a shared link are described', async () => {
		const hook = await start();
		const png = Buffer.alloc(7000, 3);
		await vb.deliver(hook.url, vb.fileEvent(ADA, { bytes: png, name: 'cat.png', contentType: 'image/png', text: 'my cat' }));
		await vb.deliver(hook.url, vb.messageEvent(ADA, { message: { type: 'location', location: { lat: 52.52, lon: 13.405 } } }));
		await vb.deliver(hook.url, vb.messageEvent(ADA, { message: { type: 'contact', contact: { name: 'Bob', phone_number: '+4915112345678' } } }));
		await vb.deliver(hook.url, vb.messageEvent(ADA, { message: { type: 'url', media: 'https://example.com/p/1' } }));
		await hook.settled();
		const [[picture], [location], [contact], [link]] = itemsOf(hook);
		expect(picture).toMatchObject({ text: 'my cat', attachments: [expect.objectContaining({ type: 'photo', fileName: 'cat.png', mimeType: 'image/png', size: 7000, binaryProperty: 'data' })] });
		expect(started(hook)[0].workflowData![0][0].binary?.data).toMatchObject({ mimeType: 'image/png' });
		expect(location).toMatchObject({ location: { latitude: 52.52, longitude: 13.405, mapUrl: expect.stringContaining('openstreetmap') } });
		expect(contact).toMatchObject({ contact: { name: 'Bob', phone: '+4915112345678' } });
		expect(link).toMatchObject({ text: 'https://example.com/p/1' });
	});

	it('media on a host that is not Viber\'s is not fetched; the attachment says why', async () => {
		const hook = await start();
		await vb.deliver(hook.url, vb.messageEvent(ADA, { message: { type: 'file', media: 'https://evil.example.com/x.pdf', file_name: 'x.pdf', size: 10 } }));
		await hook.settled();
		const [[item]] = itemsOf(hook);
		expect((item.attachments as IDataObject[])[0].notice).toMatch(/evil\.example\.com is not one of Viber's media hosts/);
	});

	it('a tap on one of the bot\'s reply buttons carries its callbackData; the same text typed without the bot\'s buttons does not', async () => {
		const hook = await start();
		const tracking = 'n8n-buttons:{"Yes":"YES","No":"NO","toString":"x"}';
		await vb.deliver(hook.url, vb.messageEvent(ADA, { text: 'Yes', trackingData: tracking }));
		await vb.deliver(hook.url, vb.messageEvent(ADA, { text: 'Yes' }));
		await vb.deliver(hook.url, vb.messageEvent(ADA, { text: 'constructor', trackingData: tracking }));
		await hook.settled();
		const [[tap], [typed], [other]] = itemsOf(hook);
		expect(tap).toMatchObject({ event: 'message', text: 'Yes', callbackData: 'YES' });
		expect(typed.callbackData).toBeUndefined();
		expect(other.callbackData).toBeUndefined();
	});

	it('delivered, seen and failed become status items when selected; the same message_token per kind once', async () => {
		const hook = await start({ viberEvents: ['message', 'delivered', 'seen', 'failed'] });
		const token = '5741311803571721088';
		await vb.deliver(hook.url, vb.deliveredEvent(token, ADA));
		await vb.deliver(hook.url, vb.seenEvent(token, ADA));
		await vb.deliver(hook.url, vb.failedEvent(token, ADA, 'receiverNoSuitableDevice'));
		await vb.deliver(hook.url, vb.seenEvent(token, ADA));
		await hook.settled();
		expect(itemsOf(hook).map(([item]) => [item.event, item.status, item.messageId, item.conversationId, item.error])).toEqual([
			['status', 'delivered', token, ADA, undefined],
			['status', 'read', token, ADA, undefined],
			['status', 'failed', token, ADA, 'receiverNoSuitableDevice'],
		]);
	});

	it('subscribed, unsubscribed and conversation_started are "other" items when selected, and start nothing when not', async () => {
		const quiet = await start();
		await vb.deliver(quiet.url, vb.subscribedEvent(ADA));
		await quiet.settled();
		expect(started(quiet)).toHaveLength(0);
		await quiet.close();
		const hook = await start({ viberEvents: ['message', 'subscribed', 'unsubscribed', 'conversation_started'], viberOptions: { replaceWebhook: true } });
		await vb.deliver(hook.url, vb.subscribedEvent(ADA));
		await vb.deliver(hook.url, vb.unsubscribedEvent(ADA));
		await vb.deliver(hook.url, vb.conversationStartedEvent(ADA));
		await hook.settled();
		expect(itemsOf(hook).map(([item]) => [item.event, (item.raw as IDataObject).event, item.conversationId, item.sender])).toEqual([
			['other', 'subscribed', ADA, { id: ADA, name: 'Ada Lovelace' }],
			['other', 'unsubscribed', ADA, { id: ADA, name: '' }],
			['other', 'conversation_started', ADA, { id: ADA, name: 'Ada Lovelace' }],
		]);
	});

	it('answers conversation_started with the Welcome Message (the Bot Name as sender); other callbacks get {}', async () => {
		const hook = await start({ viberOptions: { welcomeMessage: 'Hello! How can we help?' } });
		const opened = await vb.deliver(hook.url, vb.conversationStartedEvent(ADA));
		const message = await vb.deliver(hook.url, vb.messageEvent(ADA, { text: 'hi' }));
		await hook.settled();
		expect(JSON.parse(opened.body)).toEqual({ sender: { name: 'TeamSpirit Shop' }, type: 'text', text: 'Hello! How can we help?' });
		expect(message.body).toBe('{}');
		expect(itemsOf(hook)).toEqual([[expect.objectContaining({ text: 'hi' })]]);
	});
});
