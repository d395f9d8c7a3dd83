/**
 * End to end in a real n8n (`n8n start`, the packed package installed as a community package):
 * the WhatsApp (Twilio) and Facebook Messenger echo bots from examples/, published, against the
 * Twilio and Graph API emulators. A signed WhatsApp message with media and a signed Messenger
 * batch start the expected executions with the media as binary, and the replies reach the
 * emulators; forged signatures, a wrong verify token and malformed bodies start nothing.
 *
 * Run with `npm run test:e2e` (scripts/e2e.sh).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { GraphEmulator } from '../emulators/graph';
import { TwilioEmulator } from '../emulators/twilio';
import { credentialFor, formatTimings, REPO_ROOT, timings, type WorkflowJson } from './n8n';
import { sharedN8n, type SharedN8n } from './shared-n8n';

const tarball = process.env.TS_PACKAGE_TARBALL;
const example = (name: string) => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', `${name}.json`), 'utf8')) as WorkflowJson;

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}
const settle = async (ms = 1500) => await new Promise((r) => setTimeout(r, ms));

describe('Chat Channel (WhatsApp through Twilio, Facebook Messenger) in a real n8n', () => {
	let shared: SharedN8n | undefined;
	let n8n: SharedN8n['n8n'] | undefined;
	let tw: TwilioEmulator;
	let fb: GraphEmulator;
	let whatsappUrl: string;
	let messengerUrl: string;
	const started = Date.now();

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		tw = await TwilioEmulator.start();
		fb = await GraphEmulator.start();
		// the n8n the suites share (test/e2e/shared-n8n.ts): the examples published into it
		shared = await sharedN8n();
		await shared.importCredentials([
			credentialFor.twilio('twilio-account', tw, 'Twilio account'),
			credentialFor.messenger('messenger-page', fb, 'Messenger page'),
		]);
		const whatsapp = example('whatsapp-echo-bot');
		const messenger = example('messenger-echo-bot');
		await shared.publishWorkflows([whatsapp, messenger]);
		n8n = shared.n8n;
		const webhookId = (wf: WorkflowJson) => wf.nodes.find((n) => n.webhookId)!.webhookId!;
		whatsappUrl = `${n8n.url}/webhook/${webhookId(whatsapp)}/webhook`;
		messengerUrl = `${n8n.url}/webhook/${webhookId(messenger)}/webhook`;
	});

	afterAll(async () => {
		await shared?.release();
		await tw?.stop();
		await fb?.stop();
		timings.push({ label: 'whatsapp + messenger suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	it('n8n has registered both webhooks (a published workflow may activate after n8n says it is ready)', async () => {
		const until = Date.now() + 30_000;
		for (const url of [whatsappUrl, messengerUrl]) {
			for (;;) {
				const probe = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
				await probe.text();
				if (probe.status !== 404) break;
				if (Date.now() > until) throw new Error(`${url} is not registered`);
				await new Promise((r) => setTimeout(r, 250));
			}
		}
	});

	it('WhatsApp: a signed message with an image starts one execution with the image as binary; the reply reaches Twilio', async () => {
		const sent = Date.now();
		const result = await tw.sendInbound(
			whatsappUrl,
			{ From: 'whatsapp:+4915112345678', Body: 'hello', ProfileName: 'Ada' },
			{ media: [{ bytes: Buffer.alloc(20_000, 9), contentType: 'image/png' }] },
		);
		expect(result.status).toBe(200);
		expect(result.contentType).toMatch(/^text\/xml/);
		expect(result.body).toContain('<Response/>');
		await waitFor(() => tw.messages.length === 1, 20_000, 'the WhatsApp reply');
		console.log(`[e2e] whatsapp: inbound → reply accepted by Twilio in ${Date.now() - sent} ms`);
		expect(tw.messages[0]).toMatchObject({
			to: 'whatsapp:+4915112345678',
			from: tw.whatsappNumber,
			body: 'You said: hello (+ photo image/png received)',
		});
		expect(tw.requests.filter((r) => r.path.includes('/Media/')).map((r) => r.auth)).toEqual(['account']);
		expect(n8n!.output()).not.toContain(tw.authToken);
	});

	it('WhatsApp: forged, unsigned and malformed requests get 403 and start nothing; a repeat starts nothing', async () => {
		const forged = await tw.sendInbound(whatsappUrl, { Body: 'forged' }, { forgeSignature: true });
		const unsigned = await tw.sendInbound(whatsappUrl, { Body: 'unsigned' }, { omitSignature: true });
		const malformed = await fetch(whatsappUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-twilio-signature': 'abc' }, body: '{"Body":"json"}' });
		await malformed.text();
		const MessageSid = `SM${'5'.repeat(32)}`;
		await tw.sendInbound(whatsappUrl, { MessageSid, Body: 'twice' });
		await tw.sendInbound(whatsappUrl, { MessageSid, Body: 'twice' });
		expect([forged.status, unsigned.status, malformed.status]).toEqual([403, 403, 403]);
		await waitFor(() => tw.messages.length >= 2, 20_000, 'the reply to the real message');
		await settle();
		expect(tw.messages.map((m) => m.body)).toEqual(['You said: hello (+ photo image/png received)', 'You said: twice']);
	});

	it('Messenger: answers Meta’s verification; a wrong verify token gets 403', async () => {
		const ok = await fb.verify(messengerUrl);
		expect(ok.ok).toBe(true);
		const wrong = await fb.verify(messengerUrl, { token: 'not-the-token' });
		expect(wrong.status).toBe(403);
	});

	it('Messenger: a signed batch of 3 events starts one execution with 3 items (the attachment as binary); 3 replies reach the Send API', async () => {
		const ada = '7000000000000001';
		const bob = '7000000000000002';
		const sent = Date.now();
		const result = await fb.deliver(messengerUrl, [
			{
				id: fb.pageId,
				time: Date.now(),
				messaging: [
					fb.messageEvent(ada, { text: 'Grüße / hi' }),
					fb.messageEvent(bob, { attachments: [{ type: 'image', bytes: Buffer.alloc(30_000, 4), contentType: 'image/jpeg', filename: 'cat.jpg' }] }),
				],
			},
			{ id: fb.pageId, time: Date.now(), messaging: [fb.postbackEvent(ada, { title: 'Start', payload: 'GET_STARTED' })] },
		]);
		expect(result.status).toBe(200);
		await waitFor(() => fb.messages.length === 3, 20_000, 'the three Messenger replies');
		console.log(`[e2e] messenger: batch of 3 → 3 replies accepted in ${Date.now() - sent} ms`);
		// conversations are served side by side; within one the order is kept
		expect(fb.messagesTo(ada).map((m) => [m.text, m.messagingType])).toEqual([
			['You said: Grüße / hi', 'RESPONSE'],
			['You said: GET_STARTED', 'RESPONSE'],
		]);
		expect(fb.messagesTo(bob).map((m) => m.text)).toEqual(['You said: photo image/jpeg received']);
		expect(n8n!.output()).not.toContain(fb.pageAccessToken);
	});

	it('Messenger: forged and unsigned batches get 401, malformed bodies and echoes start nothing', async () => {
		const psid = '7000000000000003';
		const forged = await fb.deliver(messengerUrl, [fb.messageEvent(psid, { text: 'forged' })], { forgeSignature: true });
		const unsigned = await fb.deliver(messengerUrl, [fb.messageEvent(psid, { text: 'unsigned' })], { omitSignature: true });
		const notPage = await fb.deliver(messengerUrl, [fb.messageEvent(psid, { text: 'wrong object' })], { object: 'user' });
		const broken = await fb.deliver(messengerUrl, [], { rawBody: '{"object":"page","entry":[' });
		const echo = await fb.deliver(messengerUrl, [fb.echoEvent(psid, { text: 'our own reply' })]);
		expect([forged.status, unsigned.status, notPage.status]).toEqual([401, 401, 400]);
		expect(broken.status).toBeGreaterThanOrEqual(400);
		expect(echo.status).toBe(200);
		await settle();
		expect(fb.messagesTo(psid)).toHaveLength(0);
		expect(fb.messages).toHaveLength(3);
	});
});
