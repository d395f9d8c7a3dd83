/**
 * What Twilio re-sends while n8n is unreachable (issue 12, rule 5): the WhatsApp trigger sets its
 * URL on the number with Twilio's connection overrides (`#…&rc=5&rp=all`), so Twilio retries a
 * delivery n8n did not take; the emulator retries the way the overrides say
 * (`connectionOverrides: true`). A message sent while n8n was briefly down, not yet active, or
 * behind a proxy that lost n8n's answer arrives once. The signature check accepts a request signed
 * over the URL with the overrides as well as without, and deactivation still recognises its URL.
 */
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { TWILIO_CONNECTION_OVERRIDES } from '../../../nodes/channels/whatsapp/trigger';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import {
	parseConnectionOverrides,
	TwilioEmulator,
	type TwilioEmulatorOptions,
} from '../../emulators/twilio';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { TRIGGER_TYPE } from './setup';

const NUMBER = '+14155238886';
const CUSTOMER = 'whatsapp:+4915112345678';

let tw: TwilioEmulator;
const hooks: WebhookTrigger[] = [];
const servers: http.Server[] = [];

const workflow = (parameters: IDataObject) => ({
	id: 'wf-whatsapp-retries',
	name: 'WhatsApp retries',
	nodes: [
		{
			id: 'n1',
			name: 'Chat Channel Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: '0d4c5a8e-3b1f-4e8a-9c2d-7f6e5d4c3b2a',
			parameters: { channel: 'whatsapp', ...parameters },
			credentials: { teamSpiritTwilioApi: { id: '2', name: 'Twilio' } },
		},
	],
	connections: {},
});

const onNumber = { whatsappOptions: { configureOn: 'phoneNumber', configureTarget: NUMBER } };

/** An n8n process with the workflow active; `port` and `staticData` of an earlier one: a restart. */
async function start(
	parameters: IDataObject = onNumber,
	restartOf?: { port: number; staticData: IDataObject },
) {
	const hook = await startWebhookTrigger({
		workflow: workflow(parameters) as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritTwilioApi()],
		credentials: {
			teamSpiritTwilioApi: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url },
		},
		listen: true,
		port: restartOf?.port,
		staticData: restartOf?.staticData,
	});
	hooks.push(hook);
	await hook.activate();
	return hook;
}

/** A plain server on `port` (n8n up but the workflow not active yet: n8n's 404). */
async function listen(port: number, handler: http.RequestListener): Promise<http.Server> {
	const server = http.createServer(handler);
	server.listen(port, '127.0.0.1');
	await once(server, 'listening');
	servers.push(server);
	return server;
}

async function shut(server: http.Server): Promise<void> {
	const closed = new Promise<void>((resolve) => server.close(() => resolve()));
	server.closeAllConnections();
	await closed;
}

const portOf = (url: string) => Number(new URL(url).port);
const texts = (hook: WebhookTrigger) =>
	hook.calls.filter((c) => c.started).map((c) => c.workflowData![0][0].json.text);

async function emulator(options: TwilioEmulatorOptions = {}) {
	tw = await TwilioEmulator.start({ connectionOverrides: true, ...options });
	return tw;
}

beforeEach(() => {
	seenEvents.clear();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	for (const server of servers.splice(0)) if (server.listening) await shut(server);
	await tw.stop();
});

describe('WhatsApp trigger: Twilio retries a delivery n8n did not take', () => {
	it('sets the number’s SmsUrl with connection overrides that retry every failure as often as Twilio allows', async () => {
		await emulator();
		const hook = await start();
		const url = tw.inboundWebhookUrl();
		expect(url).toBe(`${hook.url}#${TWILIO_CONNECTION_OVERRIDES}`);
		const overrides = parseConnectionOverrides(url);
		expect(overrides).toMatchObject({ rc: 5, tt: 15000 }); // Twilio's maxima
		expect([...overrides.rp].sort()).toEqual(['4xx', '5xx', 'ct', 'rt']);
		// the fragment's own values, not clamped ones: Twilio rejects out-of-range values (11237-11243)
		expect(new URLSearchParams(TWILIO_CONNECTION_OVERRIDES).get('rc')).toBe('5');
		expect(Number(new URLSearchParams(TWILIO_CONNECTION_OVERRIDES).get('ct'))).toBeLessThanOrEqual(
			10000,
		);
		expect(Number(new URLSearchParams(TWILIO_CONNECTION_OVERRIDES).get('rt'))).toBeLessThanOrEqual(
			15000,
		);
	});

	it('a message sent while n8n was stopped arrives once, after n8n is back', async () => {
		await emulator();
		const before = await start();
		const url = tw.inboundWebhookUrl();
		await tw.sendInbound(url, { From: CUSTOMER, Body: 'before the restart' });
		await before.settled();
		const port = portOf(before.url);
		const staticData = before.savedStaticData();
		await before.close(); // n8n stops: connections to it are refused

		let after: WebhookTrigger | undefined;
		tw.beforeRetry = async (_failed, _url, attempt) => {
			if (attempt === 2) after = await start(onNumber, { port, staticData }); // n8n is back
		};
		const held = await tw.sendInbound(url, { From: CUSTOMER, Body: 'while n8n was down' });
		await after?.settled();

		expect(held.status).toBe(200);
		expect(held.attempts?.map((a) => a.failure ?? a.status)).toEqual(['ct', 'ct', 200]);
		expect(texts(before)).toEqual(['before the restart']);
		expect(texts(after!)).toEqual(['while n8n was down']);
		// the restart found its own URL in place: nothing written to the number again
		expect(
			tw.requests.filter((r) => r.method === 'POST' && r.path.includes('IncomingPhoneNumbers')),
		).toHaveLength(1);
	});

	it('n8n up but the workflow not active yet (404), then a proxy’s 502: retried until the trigger takes it, once', async () => {
		await emulator();
		const first = await start();
		const url = tw.inboundWebhookUrl();
		const port = portOf(first.url);
		const staticData = first.savedStaticData();
		await first.close();
		let answering = await listen(port, (req, res) => {
			req.resume();
			req.on('end', () =>
				res
					.writeHead(404, { 'content-type': 'application/json' })
					.end('{"code":404,"message":"The requested webhook is not registered."}'),
			);
		});

		let back: WebhookTrigger | undefined;
		tw.beforeRetry = async (_failed, _url, attempt) => {
			await shut(answering);
			if (attempt === 1) {
				answering = await listen(port, (req, res) => {
					req.resume();
					req.on('end', () => res.writeHead(502).end('Bad Gateway'));
				});
			}
			if (attempt === 2) back = await start(onNumber, { port, staticData });
		};
		const result = await tw.sendInbound(url, { From: CUSTOMER, Body: 'during activation' });
		await back?.settled();

		expect(result.attempts?.map((a) => a.status)).toEqual([404, 502, 200]);
		expect(texts(back!)).toEqual(['during activation']);
	});

	it('a proxy that loses n8n’s answer makes Twilio send the message again: the trigger starts it once', async () => {
		await emulator();
		// a reverse proxy in front of n8n: forwards, lets n8n answer, and answers Twilio 502 the first time
		let n8n: URL | undefined;
		let forwarded = 0;
		const proxy = await listen(0, (req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', () => {
				const upstream = http.request(
					{
						host: n8n!.hostname,
						port: n8n!.port,
						path: n8n!.pathname,
						method: 'POST',
						headers: req.headers,
					},
					(answer) => {
						answer.resume();
						answer.on('end', () => {
							if (forwarded++ === 0) res.writeHead(502).end('Bad Gateway');
							else res.writeHead(answer.statusCode ?? 500).end();
						});
					},
				);
				upstream.end(Buffer.concat(chunks));
			});
		});
		const publicUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/twilio#${TWILIO_CONNECTION_OVERRIDES}`;
		const hook = await start({ whatsappOptions: { publicUrl } });
		n8n = new URL(hook.url);

		const result = await tw.sendInbound(publicUrl, { From: CUSTOMER, Body: 'answer lost once' });
		await hook.settled();
		expect(result.attempts?.map((a) => a.status)).toEqual([502, 200]);
		expect(hook.calls.map((c) => c.response.status)).toEqual([200, 200]); // n8n got it twice
		expect(texts(hook)).toEqual(['answer lost once']); // and started it once
	});
});

describe('WhatsApp trigger: signatures over the URL with and without the overrides', () => {
	for (const signFragment of [true, false]) {
		it(`accepts Twilio’s signature ${signFragment ? 'with' : 'without'} the fragment; a forged one still gets 403`, async () => {
			await emulator({ signFragment });
			const hook = await start();
			const url = tw.inboundWebhookUrl();
			const ok = await tw.sendInbound(url, { From: CUSTOMER, Body: 'signed' });
			const forged = await tw.sendInbound(
				url,
				{ From: CUSTOMER, Body: 'forged' },
				{ forgeSignature: true },
			);
			const otherToken = await tw.sendInbound(url, { Body: 'x' }, { authToken: 'f'.repeat(32) });
			await hook.settled();
			expect([ok.status, forged.status, otherToken.status]).toEqual([200, 403, 403]);
			expect(texts(hook)).toEqual(['signed']);
		});
	}

	it('a URL pasted by hand with the overrides works too; other fragments are not taken for ours', async () => {
		await emulator();
		const hook = await start({});
		const pasted = await tw.sendInbound(`${hook.url}#${TWILIO_CONNECTION_OVERRIDES}`, {
			Body: 'pasted',
		});
		const otherFragment = await tw.sendInbound(`${hook.url}#rc=1`, { Body: 'other' });
		await hook.settled();
		expect([pasted.status, otherFragment.status]).toEqual([200, 403]);
		expect(texts(hook)).toEqual(['pasted']);
	});

	it('a Public URL entered with its own fragment is set as entered and its signature accepted', async () => {
		await emulator();
		const publicUrl = 'https://n8n.example.com/webhook/abc/webhook#rc=3&rp=5xx';
		const hook = await start({ whatsappOptions: { ...onNumber.whatsappOptions, publicUrl } });
		expect(tw.inboundWebhookUrl()).toBe(publicUrl);
		const ok = await tw.sendInbound(hook.url, { Body: 'via proxy' }, { signUrl: publicUrl });
		const without = await tw.sendInbound(
			hook.url,
			{ Body: 'no fragment' },
			{ signUrl: 'https://n8n.example.com/webhook/abc/webhook' },
		);
		await hook.settled();
		expect([ok.status, without.status]).toEqual([200, 200]);
	});
});

describe('WhatsApp trigger: deactivation recognises its URL with or without the overrides', () => {
	const posts = () =>
		tw.requests.filter((r) => r.method === 'POST' && r.path.includes('IncomingPhoneNumbers'));

	it('restores the previous URL after setting its own with the overrides', async () => {
		await emulator();
		tw.senderNumber().sms_url = 'https://old.example.com/sms';
		const hook = await start();
		expect(tw.senderNumber().sms_url).toBe(`${hook.url}#${TWILIO_CONNECTION_OVERRIDES}`);
		await hook.deactivate();
		expect(tw.senderNumber().sms_url).toBe('https://old.example.com/sms');
	});

	it('its URL without the overrides (set by an earlier version) is upgraded, and deactivation still restores the URL before it', async () => {
		await emulator();
		tw.senderNumber().sms_url = 'https://old.example.com/sms';
		const first = await start();
		const ownUrl = first.url;
		const port = portOf(ownUrl);
		const staticData = first.savedStaticData();
		await first.close();
		tw.senderNumber().sms_url = ownUrl; // what a version without overrides left on the number

		const restarted = await start(onNumber, { port, staticData });
		expect(tw.senderNumber().sms_url).toBe(`${ownUrl}#${TWILIO_CONNECTION_OVERRIDES}`);
		expect(posts()).toHaveLength(2); // set on the first activation, and again with the overrides

		tw.senderNumber().sms_url = ownUrl; // someone removed the fragment in the console meanwhile: still ours
		await restarted.deactivate();
		expect(tw.senderNumber().sms_url).toBe('https://old.example.com/sms');
	});

	it('leaves a URL that is not its own alone', async () => {
		await emulator();
		const hook = await start();
		tw.senderNumber().sms_url = `${hook.url}-elsewhere#${TWILIO_CONNECTION_OVERRIDES}`;
		await hook.deactivate();
		expect(tw.senderNumber().sms_url).toBe(`${hook.url}-elsewhere#${TWILIO_CONNECTION_OVERRIDES}`);
	});
});
