import { createHash } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { TWILIO_CONNECTION_OVERRIDES, twilioSignedData, verifyTwilioSignature } from '../../../nodes/channels/whatsapp/trigger';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TwilioEmulator } from '../../emulators/twilio';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { twilioRequest } from '../../helpers/signing';
import { TRIGGER_TYPE } from './setup';

let tw: TwilioEmulator;
const hooks: WebhookTrigger[] = [];

const workflow = (parameters: IDataObject = {}) => ({
	id: 'wf-whatsapp',
	name: 'WhatsApp webhook',
	nodes: [
		{
			id: 'n1',
			name: 'Chat Channel Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: '6c3b8e1f-7d2a-4f8d-8a66-2a2a1b1c1d1e',
			parameters: { channel: 'whatsapp', ...parameters },
			credentials: { teamSpiritTwilioApi: { id: '2', name: 'Twilio' } },
		},
	],
	connections: {},
});

async function start(parameters: IDataObject = {}) {
	const hook = await startWebhookTrigger({
		workflow: workflow(parameters) as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritTwilioApi()],
		credentials: { teamSpiritTwilioApi: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url } },
		listen: true,
	});
	hooks.push(hook);
	await hook.activate();
	return hook;
}

beforeEach(async () => {
	seenEvents.clear();
	tw = await TwilioEmulator.start();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await tw.stop();
});

const started = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started);

describe('Chat Channel Trigger (WhatsApp through Twilio)', () => {
	it('turns a signed inbound message into the shared message shape, answers <Response/> as text/xml, media as binary', async () => {
		const hook = await start();
		const png = Buffer.alloc(5000, 7);
		const result = await tw.sendInbound(hook.url, { From: 'whatsapp:+4915112345678', Body: 'Hello', ProfileName: 'Ada' }, { media: [{ bytes: png, contentType: 'image/png' }] });
		await hook.settled();
		expect(result.status).toBe(200);
		expect(result.contentType).toMatch(/^text\/xml/);
		expect(result.body).toContain('<Response/>');
		const [call] = started(hook);
		const [item] = call.workflowData![0];
		expect(item.json).toMatchObject({
			channel: 'whatsapp',
			event: 'message',
			messageId: result.params.MessageSid,
			conversationId: 'whatsapp:+4915112345678',
			sender: { id: '4915112345678', name: 'Ada', phone: '+4915112345678', isBot: false },
			text: 'Hello',
			attachments: [{ type: 'photo', mimeType: 'image/png', fileId: result.params.MediaUrl0, binaryProperty: 'data', size: 5000 }],
			attachmentsText: 'photo image/png received',
			summary: 'Hello (+ photo image/png received)',
		});
		expect(item.binary?.data).toMatchObject({ mimeType: 'image/png' });
		// the media was fetched with the account's Basic auth, and the CDN got no Authorization header
		const fetches = tw.requests.filter((r) => r.path.includes('/Media/'));
		expect(fetches.map((r) => r.auth)).toEqual(['account']);
		expect(tw.requests.filter((r) => r.server === 'cdn').every((r) => r.headers.authorization === undefined)).toBe(true);
	});

	it('rejects a forged, a missing and a wrong-token signature with 403 and starts nothing', async () => {
		const hook = await start();
		const forged = await tw.sendInbound(hook.url, { Body: 'x' }, { forgeSignature: true });
		const missing = await tw.sendInbound(hook.url, { Body: 'x' }, { omitSignature: true });
		const otherToken = await tw.sendInbound(hook.url, { Body: 'x' }, { authToken: 'another-token' });
		const otherUrl = await tw.sendInbound(hook.url, { Body: 'x' }, { signUrl: 'https://elsewhere.example.com/webhook' });
		await hook.settled();
		expect([forged.status, missing.status, otherToken.status, otherUrl.status]).toEqual([403, 403, 403, 403]);
		expect(started(hook)).toHaveLength(0);
	});

	it('a changed parameter breaks the signature: 403', async () => {
		const hook = await start();
		const params = { AccountSid: tw.accountSid, MessageSid: `SM${'1'.repeat(32)}`, From: 'whatsapp:+4915112345678', Body: 'pay 10' };
		const call = await hook.request(twilioRequest(tw.authToken, hook.url, { ...params, Body: 'pay 1000' }, params));
		expect(call.response.status).toBe(403);
		expect(call.started).toBe(false);
	});

	it('behind a reverse proxy, checks against the Public URL: accepted with it, 403 without it', async () => {
		const publicUrl = 'https://n8n.example.com/webhook/6c3b8e1f/webhook?source=twilio';
		const proxied = await start({ whatsappOptions: { publicUrl } });
		const ok = await tw.sendInbound(proxied.url, { Body: 'via proxy' }, { signUrl: publicUrl });
		const direct = await tw.sendInbound(proxied.url, { Body: 'signed for n8n itself' });
		await proxied.settled();
		expect([ok.status, direct.status]).toEqual([200, 403]);
		expect(started(proxied).map((c) => c.workflowData![0][0].json.text)).toEqual(['via proxy']);

		const plain = await start();
		const viaProxy = await tw.sendInbound(plain.url, { Body: 'x' }, { signUrl: publicUrl });
		expect(viaProxy.status).toBe(403);
	});

	it('signs over the query string Twilio was given', async () => {
		const hook = await start();
		const result = await tw.sendInbound(`${hook.url}?tenant=acme&x=1`, { Body: 'with query' });
		await hook.settled();
		expect(result.status).toBe(200);
		expect(started(hook)).toHaveLength(1);
	});

	it('a repeated delivery (same MessageSid) starts nothing the second time', async () => {
		const hook = await start();
		const MessageSid = `SM${'2'.repeat(32)}`;
		const first = await tw.sendInbound(hook.url, { MessageSid, Body: 'once' });
		const again = await tw.sendInbound(hook.url, { MessageSid, Body: 'once' });
		await hook.settled();
		expect([first.status, again.status]).toEqual([200, 200]);
		expect(started(hook)).toHaveLength(1);
	});

	it('status callbacks become status events (failed with 63016 explained); the same status twice starts nothing', async () => {
		const hook = await start({ whatsappEvents: ['message', 'status'] });
		const MessageSid = `SM${'3'.repeat(32)}`;
		await tw.sendStatus(hook.url, { MessageSid, MessageStatus: 'sent' });
		await tw.sendStatus(hook.url, { MessageSid, MessageStatus: 'delivered' });
		await tw.sendStatus(hook.url, { MessageSid, MessageStatus: 'delivered' });
		await tw.sendStatus(hook.url, { MessageSid, MessageStatus: 'failed', ErrorCode: '63016' });
		await hook.settled();
		const events = started(hook).map((c) => c.workflowData![0][0].json);
		expect(events.map((e) => e.status)).toEqual(['sent', 'delivered', 'failed']);
		expect(events[2]).toMatchObject({ channel: 'whatsapp', event: 'status', messageId: MessageSid, errorCode: '63016' });
		expect(String(events[2].error)).toMatch(/24 hours.*template/);
	});

	it('ignores status callbacks unless "Status" is selected', async () => {
		const hook = await start();
		const result = await tw.sendStatus(hook.url, { MessageSid: `SM${'4'.repeat(32)}`, MessageStatus: 'read' });
		await hook.settled();
		expect(result.status).toBe(200);
		expect(started(hook)).toHaveLength(0);
	});

	it('a malformed body (JSON, or no MessageSid) starts nothing', async () => {
		const hook = await start();
		const json = await hook.request({ headers: { 'content-type': 'application/json', 'x-twilio-signature': 'x' }, body: '{"Body":"hi"}' });
		const params = { AccountSid: tw.accountSid, Body: 'no sid' };
		const noSid = await hook.request(twilioRequest(tw.authToken, hook.url, params));
		expect([json.response.status, noSid.response.status]).toEqual([403, 403]);
		expect(json.started || noSid.started).toBe(false);
	});

	it('does not download media larger than the cap; the attachment says why', async () => {
		const hook = await start({ whatsappOptions: { maxDownloadMb: 0.001 } });
		await tw.sendInbound(hook.url, { Body: '' }, { media: [{ bytes: Buffer.alloc(4096, 1), contentType: 'application/pdf' }] });
		await hook.settled();
		const [call] = started(hook);
		expect(call.workflowData![0][0].binary).toBeUndefined();
		expect((call.workflowData![0][0].json.attachments as IDataObject[])[0].notice).toMatch(/^Not downloaded: .* more than the 0.001 MB/);
	});
});

describe('Chat Channel Trigger (WhatsApp): configuring the webhook through the REST API', () => {
	const posts = () => tw.requests.filter((r) => r.method === 'POST' && !r.path.endsWith('/Messages.json'));

	it('sets the URL on the phone number on activation, once, and restores the previous URL on deactivation', async () => {
		const hook = await start({ whatsappOptions: { configureOn: 'phoneNumber', configureTarget: '+14155238886' } });
		const [number] = [...tw.phoneNumbers.values()];
		expect(number).toMatchObject({ phone_number: '+14155238886', sms_url: `${hook.url}#${TWILIO_CONNECTION_OVERRIDES}`, sms_method: 'POST' });
		expect(await hook.activate()).toEqual({ existed: true });
		expect(posts()).toHaveLength(1);
		await hook.deactivate();
		expect(number.sms_url).toBe('');
	});

	it('sets the inbound request URL of a Messaging Service, and leaves it alone on deactivation when it was changed since', async () => {
		const hook = await start({ whatsappOptions: { configureOn: 'messagingService', configureTarget: tw.messagingServiceSid } });
		const service = tw.services.get(tw.messagingServiceSid)!;
		expect(service).toMatchObject({ inbound_request_url: `${hook.url}#${TWILIO_CONNECTION_OVERRIDES}`, inbound_method: 'POST', use_inbound_webhook_on_number: false });
		service.inbound_request_url = 'https://someone-else.example.com/hook';
		await hook.deactivate();
		expect(service.inbound_request_url).toBe('https://someone-else.example.com/hook');
	});

	it('a number the account does not have stops activation with a clear error', async () => {
		await expect(start({ whatsappOptions: { configureOn: 'phoneNumber', configureTarget: '+15550000000' } })).rejects.toThrow(
			'The Twilio account has no phone number +15550000000',
		);
		await expect(start({ whatsappOptions: { configureOn: 'messagingService', configureTarget: 'service' } })).rejects.toThrow(
			'"service" is not a Messaging Service SID',
		);
	});
});

describe('Twilio signature', () => {
	it('matches Twilio’s documented example', () => {
		const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
		const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
		expect(verifyTwilioSignature('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(true);
		expect(verifyTwilioSignature('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, { ...params, Digits: '1235' })).toBe(false);
		expect(twilioSignedData('u', { b: ['2', '1'], a: '0' })).toBe('ua0b1b2');
		expect(createHash('sha1').update('x').digest('hex')).toHaveLength(40);
	});
});
