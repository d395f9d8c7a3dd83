/**
 * Send and Wait on Messenger, the trigger's side: a quick reply whose payload is `n8n-wait:` + a
 * signed link is relayed to n8n's waiting webhook (POST, JSON `{ answer, from }`), only on the
 * trigger's own origin and n8n's waiting path; the customer gets a short answer in the chat; the
 * tap starts nothing. Instagram Direct's trigger relays the same way (../../../nodes/channels/meta/relay.ts).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritInstagramApi } from '../../../credentials/TeamSpiritInstagramApi.credentials';
import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { GraphEmulator } from '../../emulators/graph';
import { InstagramEmulator } from '../../emulators/instagram';
import { listen } from '../../emulators/listen';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { metaRequest } from '../../helpers/signing';

const TRIGGER_TYPE = 'n8n-nodes-teamspirit.chatChannelTrigger';
const PSID = '7000000000000001';

interface Received {
	method: string;
	url: string;
	contentType: string;
	body: string;
}

/** Stands in for n8n's waiting webhooks: records requests, answers as the Chat Channel node does. */
class WaitingServer {
	readonly received: Received[] = [];
	/** Answers for the next requests, before `answer`. */
	readonly next: Array<{ status: number; type: string; body: string }> = [];
	answer: { status: number; type: string; body: string } = {
		status: 200,
		type: 'application/json',
		body: JSON.stringify({ recorded: true }),
	};
	private readonly server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			this.received.push({
				method: req.method ?? '',
				url: req.url ?? '',
				contentType: String(req.headers['content-type'] ?? ''),
				body: Buffer.concat(chunks).toString('utf8'),
			});
			const answer = this.next.shift() ?? this.answer;
			res.writeHead(answer.status, { 'Content-Type': answer.type });
			res.end(answer.body);
		});
	});

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async start(): Promise<this> {
		await listen(this.server);
		return this;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}

let fb: GraphEmulator;
let n8n: WaitingServer;
let elsewhere: WaitingServer;
const hooks: WebhookTrigger[] = [];

async function start(parameters: IDataObject = {}): Promise<WebhookTrigger> {
	const workflow = {
		id: 'wf-messenger-relay',
		name: 'Messenger relay',
		nodes: [
			{
				id: 'n1',
				name: 'Chat Channel Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId: '7d4c9f20-8e3b-4a9e-9b77-3b3b2c2d2e2f',
				parameters: { channel: 'messenger', ...parameters },
				credentials: { teamSpiritMessengerApi: { id: '3', name: 'Page' } },
			},
		],
		connections: {},
	};
	const hook = await startWebhookTrigger({
		workflow: workflow as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritMessengerApi()],
		credentials: { teamSpiritMessengerApi: fb.credentialData() },
		// the trigger's n8n: its waiting webhooks are the stand-in's
		baseUrl: n8n.url,
	});
	hooks.push(hook);
	await hook.activate();
	return hook;
}

/** A signed Meta delivery of a quick reply tap. */
async function tap(hook: WebhookTrigger, title: string, payload: string) {
	const event = fb.messageEvent(PSID, { text: title, quickReplyPayload: payload });
	const body = JSON.stringify({ object: 'page', entry: [{ id: fb.pageId, time: Date.now(), messaging: [event] }] });
	fb.touch(PSID); // the customer wrote: the page may answer (Meta's 24-hour window)
	const call = await hook.request(metaRequest(fb.appSecret, body));
	await hook.settled();
	return call;
}

const signedLink = (base: string, query = 'approved=true&signature=abc123') =>
	`${base}/webhook-waiting/42/node-7?${query}`;

beforeEach(async () => {
	seenEvents.clear();
	fb = await GraphEmulator.start();
	n8n = await new WaitingServer().start();
	elsewhere = await new WaitingServer().start();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await fb.stop();
	await n8n.stop();
	await elsewhere.stop();
});

describe('Chat Channel Trigger (Messenger): Send and Wait answers', () => {
	it('relays a quick reply tap to its own n8n as a JSON POST, thanks the customer, starts nothing', async () => {
		const hook = await start();
		const link = signedLink(n8n.url);
		const call = await tap(hook, 'Approve', `n8n-wait:${link}`);
		expect(call.response.status).toBe(200);
		expect(call.started).toBe(false);
		expect(n8n.received).toHaveLength(1);
		const [relayed] = n8n.received;
		expect(relayed).toMatchObject({ method: 'POST', url: '/webhook-waiting/42/node-7?approved=true&signature=abc123' });
		expect(relayed.contentType).toMatch(/^application\/json/);
		expect(JSON.parse(relayed.body)).toMatchObject({
			answer: 'Approve',
			from: { channel: 'messenger', id: PSID, conversationId: PSID },
		});
		expect(fb.messagesTo(PSID).map((m) => m.text)).toEqual(['Thanks, your answer was recorded.']);
	});

	it('relays whatever the trigger starts on (postbacks only), and the same tap delivered twice once', async () => {
		const hook = await start({ messengerEvents: ['postback'] });
		const event = fb.messageEvent(PSID, { text: 'Decline', quickReplyPayload: `n8n-wait:${signedLink(n8n.url, 'approved=false&signature=s')}` });
		const body = JSON.stringify({ object: 'page', entry: [{ id: fb.pageId, time: Date.now(), messaging: [event] }] });
		await hook.request(metaRequest(fb.appSecret, body));
		await hook.request(metaRequest(fb.appSecret, body));
		await hook.settled();
		expect(n8n.received.map((r) => r.url)).toEqual(['/webhook-waiting/42/node-7?approved=false&signature=s']);
		expect(hook.calls.filter((c) => c.started)).toHaveLength(0);
	});

	it('a tap before n8n saved the execution as waiting (409) is relayed again a second later', async () => {
		const hook = await start();
		n8n.next.push({ status: 409, type: 'application/json', body: JSON.stringify({ message: 'The execution "42" is running already.' }) });
		await tap(hook, 'Approve', `n8n-wait:${signedLink(n8n.url)}`);
		expect(n8n.received).toHaveLength(2);
		expect(fb.messagesTo(PSID).map((m) => m.text)).toEqual(['Thanks, your answer was recorded.']);
	});

	it('tells the customer when the question no longer takes answers (n8n’s page instead of JSON)', async () => {
		const hook = await start();
		n8n.answer = { status: 200, type: 'text/html', body: '<html>No action required</html>' };
		await tap(hook, 'Approve', `n8n-wait:${signedLink(n8n.url)}`);
		expect(n8n.received).toHaveLength(1);
		expect(fb.messagesTo(PSID).map((m) => m.text)).toEqual([
			'Thanks. This question was already answered or no longer takes answers.',
		]);
	});

	it('refuses to relay to another host, another path or an unsigned link: nothing sent, nothing started', async () => {
		const hook = await start();
		const targets = [
			signedLink(elsewhere.url),
			`${n8n.url}/webhook/42/node-7?approved=true&signature=abc`,
			`${n8n.url}/rest/executions/42?signature=abc`,
			`${n8n.url}/webhook-waiting/42/node-7/../../../rest?signature=abc`,
			signedLink(n8n.url, 'approved=true'),
			`http://user:pw@${new URL(n8n.url).host}/webhook-waiting/42/node-7?signature=abc`,
			'n8n-wait-not-a-url',
		];
		for (const target of targets) {
			const call = await tap(hook, 'Approve', `n8n-wait:${target}`);
			expect(call.started).toBe(false);
		}
		expect(elsewhere.received).toEqual([]);
		expect(n8n.received).toEqual([]);
		expect(fb.messagesTo(PSID)).toEqual([]);
	});

	it('an ordinary quick reply still starts the workflow', async () => {
		const hook = await start();
		const call = await tap(hook, 'Yes', 'YES');
		expect(call.started).toBe(true);
		expect(call.workflowData![0][0].json).toMatchObject({ callbackData: 'YES', text: 'Yes' });
		expect(n8n.received).toEqual([]);
	});
});

describe('Chat Channel Trigger (Instagram Direct): Send and Wait answers', () => {
	it('relays a quick reply tap to its own n8n, thanks the customer through the Instagram account, starts nothing', async () => {
		const ig = await InstagramEmulator.start();
		try {
			const hook = await startWebhookTrigger({
				workflow: {
					id: 'wf-instagram-relay',
					name: 'Instagram relay',
					nodes: [
						{
							id: 'n1',
							name: 'Chat Channel Trigger',
							type: TRIGGER_TYPE,
							typeVersion: 1,
							position: [0, 0],
							webhookId: '5b8f6c10-2d1e-4c8a-9a55-7e7e1c1d1e1f',
							parameters: { channel: 'instagram' },
							credentials: { teamSpiritInstagramApi: { id: '7', name: 'Instagram' } },
						},
					],
					connections: {},
				} as unknown as WorkflowJson,
				nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
				credentialTypes: [new TeamSpiritInstagramApi()],
				credentials: { teamSpiritInstagramApi: ig.instagramCredentialData() },
				baseUrl: n8n.url,
			});
			hooks.push(hook);
			await hook.activate();
			const igsid = '1790000000000001';
			const event = ig.messageEvent(igsid, { text: 'Approve', quickReplyPayload: `n8n-wait:${signedLink(n8n.url)}` });
			const body = JSON.stringify({ object: 'instagram', entry: [{ id: ig.instagramAccountId, time: Date.now(), messaging: [event] }] });
			ig.touch(igsid);
			const call = await hook.request(metaRequest(ig.appSecret, body));
			await hook.settled();
			expect(call.started).toBe(false);
			expect(n8n.received.map((r) => JSON.parse(r.body))).toEqual([
				expect.objectContaining({ answer: 'Approve', from: expect.objectContaining({ channel: 'instagram', id: igsid, conversationId: igsid }) }),
			]);
			expect(ig.messagesTo(igsid).map((m) => m.text)).toEqual(['Thanks, your answer was recorded.']);
		} finally {
			await ig.stop();
		}
	});
});
