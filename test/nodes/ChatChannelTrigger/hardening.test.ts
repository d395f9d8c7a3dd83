/**
 * What a sender controls must not decide what the triggers fetch, store or start: media only from
 * the platform's media hosts, size caps on the bytes (not on Content-Length), one bad event never
 * costs the others, and Twilio ids that cannot be shifted past the duplicate check.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { GraphEmulator } from '../../emulators/graph';
import { TwilioEmulator } from '../../emulators/twilio';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { twilioRequest } from '../../helpers/signing';
import { TRIGGER_TYPE } from './setup';

const hooks: WebhookTrigger[] = [];
const started = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started);
const MB = 1024 * 1024;

/** A server that is not the platform's: it records every request it gets. */
async function bystander(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
	const hits: string[] = [];
	const server = http.createServer((req, res) => {
		hits.push(req.url ?? '');
		res.writeHead(200, { 'content-type': 'image/png' });
		res.end(Buffer.alloc(100, 1));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		// another host name than the emulators' 127.0.0.1: not the credential's API host
		url: `http://localhost:${port}`,
		hits,
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

function workflow(channel: string, parameters: IDataObject, credentials: IDataObject) {
	return {
		id: `wf-hardening-${channel}`,
		name: 'hardening',
		nodes: [
			{
				id: 'n1',
				name: 'Chat Channel Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0] as [number, number],
				webhookId: '0e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b',
				parameters: { channel, ...parameters },
				credentials,
			},
		],
		connections: {},
	} as unknown as WorkflowJson;
}

beforeEach(() => seenEvents.clear());
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
});

// ---------------------------------------------------------------------------
// Messenger
// ---------------------------------------------------------------------------

describe('Chat Channel Trigger (Messenger): what a sender controls', () => {
	let fb: GraphEmulator;
	beforeEach(async () => {
		fb = await GraphEmulator.start();
	});
	afterEach(async () => await fb.stop());

	async function start(parameters: IDataObject = {}) {
		const hook = await startWebhookTrigger({
			workflow: workflow('messenger', parameters, { teamSpiritMessengerApi: { id: '3', name: 'Page' } }),
			nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
			credentialTypes: [new TeamSpiritMessengerApi()],
			credentials: {
				teamSpiritMessengerApi: fb.credentialData(),
			},
			listen: true,
		});
		hooks.push(hook);
		await hook.activate();
		return hook;
	}
	const PSID = '7000000000000001';

	it('never fetches a link a customer shares, nor media off Meta’s hosts; the event still arrives with a notice', async () => {
		const other = await bystander();
		try {
			const hook = await start();
			const shared = fb.messageEvent(PSID, { text: 'look' });
			(shared.message as IDataObject).attachments = [{ type: 'fallback', payload: { url: `${other.url}/internal/admin`, title: 'Admin' } }];
			const offHost = fb.messageEvent(PSID, { attachments: [{ type: 'image', url: `${other.url}/cat.png` }] });
			const onCdn = fb.messageEvent(PSID, { attachments: [{ type: 'image', bytes: Buffer.alloc(300, 2), contentType: 'image/png', filename: 'ok.png' }] });
			const result = await fb.deliver(hook.url, [shared, offHost, onCdn]);
			await hook.settled();
			expect(result.status).toBe(200);
			expect(other.hits).toEqual([]);
			const items = started(hook)[0].workflowData![0];
			expect(items).toHaveLength(3);
			expect(items[0].binary).toBeUndefined();
			expect((items[0].json.attachments as IDataObject[])[0]).toMatchObject({ notice: expect.stringMatching(/^Not downloaded: a shared link/) });
			expect((items[0].json.attachments as IDataObject[])[0].fileId).toBeUndefined();
			expect(items[1].binary).toBeUndefined();
			expect((items[1].json.attachments as IDataObject[])[0].notice).toMatch(/^Not downloaded: localhost is not one of Meta's media hosts/);
			expect(items[2].binary?.data).toBeDefined();
		} finally {
			await other.close();
		}
	});

	it('stops a chunked download at the cap: a 3 MB file without Content-Length is not stored under a 1 MB cap', async () => {
		fb.chunkedCdn = true;
		const hook = await start({ messengerOptions: { maxDownloadMb: 1 } });
		await fb.deliver(hook.url, [
			fb.messageEvent(PSID, { attachments: [{ type: 'file', bytes: Buffer.alloc(3 * MB, 7), contentType: 'application/pdf', filename: 'big.pdf' }] }),
			fb.messageEvent(PSID, { attachments: [{ type: 'file', bytes: Buffer.alloc(5000, 7), contentType: 'application/pdf', filename: 'small.pdf' }] }),
		]);
		await hook.settled();
		const [big, small] = started(hook)[0].workflowData![0];
		expect(big.binary).toBeUndefined();
		expect((big.json.attachments as IDataObject[])[0].notice).toMatch(/more than the 1 MB set in "Max File Size"/);
		// sizes are bytes, counted, also without Content-Length
		expect((small.json.attachments as IDataObject[])[0]).toMatchObject({ size: 5000, binaryProperty: 'data' });
	});

	it('a malformed attachment URL costs only its own event: the others of the batch arrive, it comes with a notice', async () => {
		const hook = await start();
		const bad = fb.messageEvent(PSID, { text: 'broken' });
		(bad.message as IDataObject).attachments = [{ type: 'image', payload: { url: `${fb.url}/cdn/1/%E0%A4%A.jpg` } }];
		const odd = fb.messageEvent(PSID, { text: 'from the far future' });
		odd.timestamp = 1e20; // not a date
		const result = await fb.deliver(hook.url, [fb.messageEvent(PSID, { text: 'first' }), bad, odd, fb.messageEvent(PSID, { text: 'last' })]);
		await hook.settled();
		expect(result.status).toBe(200);
		const items = started(hook)[0].workflowData![0];
		expect(items.map((i) => i.json.text)).toEqual(['first', 'broken', '', 'last']);
		expect((items[1].json.attachments as IDataObject[])[0]).toMatchObject({ type: 'photo', fileName: '%E0%A4%A.jpg', notice: expect.stringMatching(/^Not downloaded: /) });
		expect(items[2].json).toMatchObject({ channel: 'messenger', event: 'other', conversationId: PSID, notice: expect.stringMatching(/^This event could not be read/) });
		expect((items[2].json.raw as IDataObject).timestamp).toBe(1e20);
	});
});

// ---------------------------------------------------------------------------
// WhatsApp through Twilio
// ---------------------------------------------------------------------------

describe('Chat Channel Trigger (WhatsApp): what a sender controls', () => {
	let tw: TwilioEmulator;
	beforeEach(async () => {
		tw = await TwilioEmulator.start();
	});
	afterEach(async () => await tw.stop());

	async function start(parameters: IDataObject = {}) {
		const hook = await startWebhookTrigger({
			workflow: workflow('whatsapp', parameters, { teamSpiritTwilioApi: { id: '2', name: 'Twilio' } }),
			nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
			credentialTypes: [new TeamSpiritTwilioApi()],
			credentials: { teamSpiritTwilioApi: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url } },
			listen: true,
		});
		hooks.push(hook);
		await hook.activate();
		return hook;
	}

	async function post(hook: WebhookTrigger, params: Record<string, string>) {
		return await hook.request(twilioRequest(tw.authToken, hook.url, params));
	}

	it('refuses with 403 a signed request whose MessageSid swallowed a neighbour parameter (a replay with a new id)', async () => {
		const hook = await start();
		const sid = `SM${'a'.repeat(32)}`;
		const original = { AccountSid: tw.accountSid, MessageSid: sid, NumMedia: '0', Body: 'pay 10', From: 'whatsapp:+4915112345678' };
		const first = await post(hook, original);
		// the same signed bytes: "MessageSid" + "SMaaa…NumMedia0" == "MessageSid" + "SMaaa…" + "NumMedia" + "0"
		const { NumMedia: _dropped, ...rest } = original;
		const shifted = { ...rest, MessageSid: `${sid}NumMedia0` };
		const replay = await hook.request(twilioRequest(tw.authToken, hook.url, shifted, original));
		await hook.settled();
		expect([first.response.status, replay.response.status]).toEqual([200, 403]);
		expect(started(hook)).toHaveLength(1);
	});

	it('refuses with 403 ids of the wrong shape, disagreeing message ids and another account', async () => {
		const hook = await start({ whatsappEvents: ['message', 'status'] });
		const ok = `SM${'b'.repeat(32)}`;
		const base = { AccountSid: tw.accountSid, From: 'whatsapp:+4915112345678', Body: 'x' };
		const results = [
			await post(hook, { ...base, MessageSid: 'SM123' }),
			await post(hook, { ...base, MessageSid: `SM${'B'.repeat(32)}` }),
			await post(hook, { ...base, MessageSid: ok, SmsSid: `SM${'c'.repeat(32)}` }),
			await post(hook, { ...base, MessageSid: ok, SmsMessageSid: `${ok}x` }),
			await post(hook, { ...base, MessageSid: ok, AccountSid: `AC${'0'.repeat(32)}` }),
			await post(hook, { ...base, MessageSid: ok, MessageStatus: 'deliveredSmsSidSM1' }),
		];
		await hook.settled();
		expect(results.map((r) => r.response.status)).toEqual([403, 403, 403, 403, 403, 403]);
		expect(started(hook)).toHaveLength(0);
		// what the emulator (and Twilio) sends passes
		const inbound = await tw.sendInbound(hook.url, { Body: 'real' }, { media: [{ bytes: Buffer.alloc(10), contentType: 'image/png' }] });
		const status = await tw.sendStatus(hook.url, { MessageSid: `SM${'d'.repeat(32)}`, MessageStatus: 'delivered' });
		await hook.settled();
		expect([inbound.status, status.status]).toEqual([200, 200]);
		expect(started(hook)).toHaveLength(2);
	});

	it('fetches media only from Twilio’s media URLs: another host gets a notice and no request', async () => {
		const other = await bystander();
		try {
			const hook = await start();
			const sid = `MM${'e'.repeat(32)}`;
			await post(hook, { AccountSid: tw.accountSid, MessageSid: sid, SmsSid: sid, From: 'whatsapp:+4915112345678', NumMedia: '2', MediaUrl0: `${other.url}/x.png`, MediaContentType0: 'image/png', MediaUrl1: `${tw.url}/elsewhere/x.png`, MediaContentType1: 'image/png' });
			await hook.settled();
			expect(other.hits).toEqual([]);
			const [item] = started(hook)[0].workflowData![0];
			expect(item.binary).toBeUndefined();
			const [offHost, offPath] = item.json.attachments as IDataObject[];
			expect(offHost.notice).toMatch(/^Not downloaded: localhost is not Twilio's API host/);
			expect(offPath.notice).toMatch(/^Not downloaded: the media URL does not have the form/);
		} finally {
			await other.close();
		}
	});

	it('stops a chunked media download at the cap and records sizes in bytes', async () => {
		tw.chunkedCdn = true;
		const hook = await start({ whatsappOptions: { maxDownloadMb: 1 } });
		await tw.sendInbound(hook.url, { Body: 'big' }, { media: [{ bytes: Buffer.alloc(3 * MB, 1), contentType: 'application/pdf' }] });
		await tw.sendInbound(hook.url, { Body: 'small' }, { media: [{ bytes: Buffer.alloc(4096, 1), contentType: 'application/pdf' }] });
		await hook.settled();
		const [big, small] = started(hook).map((c) => c.workflowData![0][0]);
		expect(big.binary).toBeUndefined();
		expect((big.json.attachments as IDataObject[])[0].notice).toMatch(/more than the 1 MB set in "Max File Size"/);
		expect((small.json.attachments as IDataObject[])[0]).toMatchObject({ size: 4096, binaryProperty: 'data' });
	});
});
