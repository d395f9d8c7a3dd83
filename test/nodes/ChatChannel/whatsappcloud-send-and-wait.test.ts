/**
 * Send and Wait on WhatsApp (Cloud API): the question's answers are reply buttons (a list above 3)
 * whose id is `n8n-wait:` + the signed link; the trigger relays a tap to n8n's waiting webhook, only
 * on its own origin and waiting path, thanks the customer from the number they wrote to, and starts
 * nothing. A form's one link is a link button.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritWhatsAppCloudApi } from '../../../credentials/TeamSpiritWhatsAppCloudApi.credentials';
import { adapters } from '../../../nodes/channels';
import { seenEvents } from '../../../nodes/channels/memory';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { SECOND_PHONE_NUMBER_ID, WhatsAppCloudEmulator } from '../../emulators/whatsappcloud';
import { listen } from '../../emulators/listen';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { metaRequest } from '../../helpers/signing';

const TRIGGER_TYPE = 'n8n-nodes-teamspirit.chatChannelTrigger';
const ADA = '4915112345678';

/** Stands in for n8n's waiting webhooks: records the relayed answers, answers `{ recorded: true }`. */
async function waitingServer() {
	const received: Array<{ method: string; url: string; body: string }> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			received.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ recorded: true }));
		});
	});
	await listen(server);
	return {
		received,
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		stop: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

let wa: WhatsAppCloudEmulator;
let n8n: Awaited<ReturnType<typeof waitingServer>>;
const hooks: WebhookTrigger[] = [];

async function start(parameters: IDataObject = {}) {
	const hook = await startWebhookTrigger({
		workflow: {
			id: 'wf-whatsappcloud-relay',
			name: 'WhatsApp Cloud relay',
			nodes: [
				{
					id: 'n1',
					name: 'Chat Channel Trigger',
					type: TRIGGER_TYPE,
					typeVersion: 1,
					position: [0, 0],
					webhookId: '8e5d0a31-9f4c-4b0f-8c88-4c4c3d3e3f41',
					parameters: { channel: 'whatsappcloud', ...parameters },
					credentials: { teamSpiritWhatsAppCloudApi: { id: '5', name: 'WhatsApp Cloud' } },
				},
			],
			connections: {},
		} as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritWhatsAppCloudApi()],
		credentials: { teamSpiritWhatsAppCloudApi: wa.credentialData() },
		baseUrl: n8n.url,
	});
	hooks.push(hook);
	await hook.activate();
	return hook;
}

const signedLink = (base: string, query = 'approved=true&signature=abc123') => `${base}/webhook-waiting/42/node-7?${query}`;

const tapValue = (id: string, title: string, phoneNumberId?: string) =>
	wa.messageValue(ADA, { phoneNumberId, name: 'Ada', type: 'interactive', content: { type: 'button_reply', button_reply: { id, title } } });

/** A signed notification, handed to the trigger (its URL is on the stand-in n8n's origin). */
async function deliver(hook: WebhookTrigger, value: ReturnType<typeof tapValue>) {
	const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: wa.wabaId, changes: [{ field: 'messages', value }] }] });
	wa.touch(ADA, wa.now(), value.metadata.phone_number_id); // the customer wrote: the number may answer
	const call = await hook.request(metaRequest(wa.appSecret, body));
	await hook.settled();
	return call;
}

beforeEach(async () => {
	seenEvents.clear();
	wa = await WhatsAppCloudEmulator.start();
	n8n = await waitingServer();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await wa.stop();
	await n8n.stop();
});

describe('WhatsApp (Cloud API): the Send and Wait question', () => {
	const prompt = adapters.whatsappcloud.waitPrompt!;

	it('asks with reply buttons (a list above 3) carrying the signed links; a form with one link button', () => {
		const links = ['Approve', 'Decline'].map((label, i) => ({ label, url: signedLink('https://n8n.example.com', `i=${i}&signature=s`) }));
		expect(prompt({ text: 'Ship it?', kind: 'answers', links })).toEqual({
			text: 'Ship it?',
			buttons: [links.map((link) => ({ text: link.label, callbackData: `n8n-wait:${link.url}` }))],
		});
		const form = prompt({ text: 'Tell us more', kind: 'form', links: [{ label: 'Respond', url: 'https://n8n.example.com/form' }] });
		expect(form).toEqual({ text: 'Tell us more', buttons: [[{ text: 'Respond', url: 'https://n8n.example.com/form' }]] });
		// a link longer than a list row's id may be: the links go into the text
		const long = Array.from({ length: 4 }, (_, i) => ({ label: `Option ${i}`, url: `https://n8n.example.com/${'x'.repeat(200)}${i}` }));
		expect(prompt({ text: 'Pick', kind: 'answers', links: long }).buttons).toBeUndefined();
	});
});

describe('Chat Channel Trigger (WhatsApp Cloud API): Send and Wait answers', () => {
	it('relays a button tap to its own n8n as a JSON POST, thanks the customer from the number they wrote to, starts nothing', async () => {
		const hook = await start({ whatsappcloudEvents: ['status'] });
		const link = signedLink(n8n.url);
		const value = tapValue(`n8n-wait:${link}`, 'Approve', SECOND_PHONE_NUMBER_ID);
		const first = await deliver(hook, value);
		await deliver(hook, value);
		expect(first.response.status).toBe(200);
		expect(hook.calls.filter((c) => c.started)).toHaveLength(0);
		expect(n8n.received.map((r) => [r.method, r.url])).toEqual([['POST', '/webhook-waiting/42/node-7?approved=true&signature=abc123']]);
		expect(JSON.parse(n8n.received[0].body)).toMatchObject({ answer: 'Approve', from: { channel: 'whatsappcloud', id: ADA, name: 'Ada', conversationId: ADA } });
		expect(wa.messagesTo(ADA).map((m) => [m.phoneNumberId, m.text, m.replyTo])).toEqual([
			[SECOND_PHONE_NUMBER_ID, 'Thanks, your answer was recorded.', value.messages![0].id],
		]);
	});

	it('never relays to another host: nothing sent to it, nothing started; an ordinary tap still starts the workflow', async () => {
		const hook = await start();
		await deliver(hook, tapValue(`n8n-wait:${signedLink('http://127.0.0.1:9')}`, 'Approve'));
		await deliver(hook, tapValue('YES', 'Yes'));
		expect(n8n.received).toHaveLength(0);
		expect(hook.calls.filter((c) => c.started).map((c) => c.workflowData![0][0].json)).toEqual([expect.objectContaining({ event: 'callback', callbackData: 'YES' })]);
	});
});
