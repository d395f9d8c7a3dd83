/**
 * End to end: the TeamSpirit Trigger in a real n8n (`n8n start`), with the reply example
 * (examples/teamspirit-trigger-reply.json) published. The emulator receives the registration,
 * delivers signed events to n8n's production URL, and sees the workflow's replies.
 *
 * Also measured here, for the README: what n8n 2.41 does with the registration on shutdown and
 * restart (with its workflow publication service, and with the activation it replaces), and on
 * unpublishing in the running n8n.
 *
 * Run with `npm run test:e2e` (scripts/e2e.sh), which builds, packs and sets TS_PACKAGE_TARBALL.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { conversationKey } from '../../nodes/conversations/keys';
import { TeamSpiritEmulator, type DeliveryAttempt, type Webhook } from '../emulators/teamspirit';
import {
	createN8nHome,
	formatTimings,
	importCredentials,
	importWorkflow,
	installPackageTarball,
	publishWorkflow,
	REPO_ROOT,
	startN8n,
	timings,
	type N8nHome,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';

const EXAMPLE = path.join(REPO_ROOT, 'examples', 'teamspirit-trigger-reply.json');
const tarball = process.env.TS_PACKAGE_TARBALL;

async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

/** The owner's session in n8n's REST API (what the editor uses), to list executions and unpublish. */
class Editor {
	private cookie = '';

	constructor(private readonly n8n: () => RunningN8n) {}

	private async call(method: string, route: string, body?: object): Promise<{ status: number; json: any }> {
		const res = await fetch(`${this.n8n().url}/rest${route}`, {
			method,
			headers: { 'content-type': 'application/json', 'browser-id': 'e2e-browser', cookie: this.cookie },
			body: body && JSON.stringify(body),
		});
		const setCookie = res.headers.get('set-cookie');
		if (setCookie) this.cookie = setCookie.split(';')[0];
		const text = await res.text();
		let json: any;
		try {
			json = JSON.parse(text);
		} catch {
			json = text;
		}
		return { status: res.status, json };
	}

	async setUpOwner(): Promise<void> {
		const r = await this.call('POST', '/owner/setup', {
			email: 'owner@example.corp',
			firstName: 'E2E',
			lastName: 'Owner',
			password: 'E2e-owner-password-1',
		});
		if (r.status !== 200) throw new Error(`owner setup: ${r.status} ${JSON.stringify(r.json)}`);
	}

	async executions(workflowId: string): Promise<Array<{ id: string; status: string; mode: string }>> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const r = await this.call('GET', `/executions?filter=${filter}&limit=100`);
		if (r.status !== 200) throw new Error(`executions: ${r.status} ${JSON.stringify(r.json)}`);
		return r.json.data.results;
	}

	/** Creates a workflow as the editor saves one (each webhook node with its own webhookId). */
	async createWorkflow(workflow: WorkflowJson): Promise<string> {
		const nodes = workflow.nodes.map((n) => (n.type.endsWith('Trigger') ? { ...n, webhookId: randomUUID() } : n));
		const r = await this.call('POST', '/workflows', { ...workflow, nodes, active: false });
		if (r.status !== 200) throw new Error(`create workflow: ${r.status} ${JSON.stringify(r.json)}`);
		return r.json.data.id;
	}

	async setPublished(workflowId: string, published: boolean): Promise<void> {
		let body = {};
		if (published) {
			// publishing names the version to publish: the current one
			const current = await this.call('GET', `/workflows/${workflowId}`);
			body = { versionId: current.json?.data?.versionId };
		}
		const r = await this.call('POST', `/workflows/${workflowId}/${published ? 'activate' : 'deactivate'}`, body);
		if (r.status !== 200) throw new Error(`${published ? 'activate' : 'deactivate'}: ${r.status} ${JSON.stringify(r.json)}`);
	}
}

describe('TeamSpirit Trigger in a real n8n', () => {
	let home: N8nHome;
	let ts: TeamSpiritEmulator;
	let n8n: RunningN8n | undefined;
	let workflowId: string;
	let webhookId: string;
	const editor = new Editor(() => n8n!);
	const suiteStarted = Date.now();

	const registered = (): Webhook[] => [...ts.webhooks.values()];
	const productionUrl = () => `${n8n!.url}/webhook/${webhookId}/teamspirit`;
	const replies = (chatId: string) => ts.messagesIn(chatId).filter((m) => m.senderId === ts.bot.id);
	const answer = (d: DeliveryAttempt) => `${d.status} ${d.responseBody}`;
	const showN8n = () => `--- n8n output ---\n${n8n?.output().slice(-4000)}`;
	const seenByEmulator = () => `--- the emulator saw ---\n${ts.requests.map((r) => `${r.method} ${r.path} ${r.status}`).join('\n')}`;
	const waitUntil = async <T>(what: string, probe: () => T | undefined | false, timeoutMs?: number) =>
		await waitFor(what, probe, timeoutMs).catch((error: Error) => {
			throw new Error(`${error.message}\n${seenByEmulator()}\n${showN8n()}`);
		});

	/**
	 * Waits until n8n keeps a new registration's secret: n8n saves the workflow's static data after
	 * the registration, and a delivery arriving in between is refused (401, "no TeamSpirit secret
	 * here"; TeamSpirit's retry 10 s later gets through). The probe is a signed delivery without
	 * `data`: 401 until the secret is kept, then 400, and it never starts anything.
	 */
	async function untilSecretKept(webhook: Webhook, event: 'message.created' | 'chat.updated' = 'message.created'): Promise<void> {
		const deadline = Date.now() + 30_000;
		for (;;) {
			const data = event === 'chat.updated' ? { chat: { id: webhook.chatIds[0] ?? 'c_support' } } : { chatId: 'c_support' };
			const [probe] = await ts.deliver(event, data, { malformed: 'missing-data', webhookId: webhook.id });
			if (probe?.status === 400) return;
			if (Date.now() > deadline) throw new Error(`n8n never kept the registration's secret: ${probe ? answer(probe) : 'no delivery'}\n${showN8n()}`);
			await new Promise((r) => setTimeout(r, 250));
		}
	}

	/** Waits until every execution started so far has finished (success or error). */
	async function executionsSettled(count: number, id = workflowId): Promise<Array<{ id: string; status: string; mode: string }>> {
		const deadline = Date.now() + 30_000;
		for (;;) {
			const list = await editor.executions(id);
			if (list.length >= count && list.every((e) => !['new', 'running', 'waiting'].includes(e.status))) return list;
			if (Date.now() > deadline) throw new Error(`executions: ${JSON.stringify(list)}\n${showN8n()}`);
			await new Promise((r) => setTimeout(r, 200));
		}
	}

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run the e2e tests with `npm run test:e2e` (scripts/e2e.sh)');
		ts = await TeamSpiritEmulator.start({ autoDeliver: true });
		ts.addUser({ id: 'u_alice', name: 'Alice Archer', username: 'alice' });
		ts.addChat({ id: 'c_support', title: 'Support desk', memberIds: ['u_alice'] });
		home = await createN8nHome({ prefix: 'n8n-e2e-teamspirit-trigger-' });
		await installPackageTarball(home, tarball);
		await importCredentials(home, [
			{ id: 'teamspirit-example', name: 'TeamSpirit account', type: 'teamSpiritApi', data: { serverUrl: ts.url, apiKey: ts.apiKey } },
		]);
		const workflow = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8')) as WorkflowJson;
		workflowId = await importWorkflow(home, workflow);
		// the example has no webhookId (each import gets its own, as in the editor)
		webhookId = workflow.nodes.find((n) => n.type === 'n8n-nodes-teamspirit.teamSpiritTrigger')!.webhookId as string;
		await publishWorkflow(home, workflowId);
	});

	afterAll(async () => {
		await n8n?.stop();
		await ts?.stop();
		await home?.cleanup();
		timings.push({ label: 'trigger suite total', ms: Date.now() - suiteStarted });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	it('registers the production URL with TeamSpirit when n8n starts with the workflow published', async () => {
		n8n = await startN8n(home);
		await editor.setUpOwner();
		const [webhook] = await waitUntil('the registration', () => registered().length > 0 && registered());
		expect(registered()).toHaveLength(1);
		expect(webhook).toMatchObject({ url: productionUrl(), events: ['message.created'], chatIds: [] });
		await untilSecretKept(webhook);
	});

	it('a message starts the workflow, which replies in the same chat; its own reply starts nothing', async () => {
		const { message, deliveries } = await ts.postAsUser('c_support', 'u_alice', { text: 'Printer is on fire' });
		expect(deliveries.map(answer)).toEqual(['200 {"ok":true}']);

		const [reply] = await waitUntil('the reply', () => replies('c_support').length > 0 && replies('c_support'));
		expect(reply).toMatchObject({ text: 'Got it: Printer is on fire', replyToId: message.id });
		await ts.settled(); // the reply's own delivery
		const echo = ts.deliveries.find((d) => JSON.parse(d.body).data?.id === reply.id)!;
		expect(answer(echo)).toBe('200 {"ok":true,"ignored":"the message is from the bot itself"}');

		const executions = await executionsSettled(1);
		expect(executions.map((e) => [e.mode, e.status])).toEqual([['webhook', 'success']]);
		expect(replies('c_support')).toHaveLength(1);
		expect(n8n!.output()).not.toContain(ts.apiKey);
		expect(n8n!.output()).not.toContain(registered()[0].secret);
	});

	it('forged, unsigned, stale, malformed and repeated deliveries are refused and start nothing', async () => {
		const first = ts.deliveries.find((d) => d.status === 200 && JSON.parse(d.body).data?.senderId === 'u_alice')!;
		const message = ts.messagesIn('c_support')[0];
		const forged = await ts.deliver('message.created', message, { signature: 'wrong-secret' });
		const unsigned = await ts.deliver('message.created', message, { signature: 'omit' });
		const stale = await ts.deliver('message.created', message, { ageSeconds: 600 });
		const noData = await ts.deliver('message.created', message, { malformed: 'missing-data' });
		const notJson = await ts.deliver('message.created', message, { rawBody: 'hello', contentType: 'text/plain' });
		const truncated = await ts.deliver('message.created', message, { malformed: 'truncated-json' });
		const retry = await ts.redeliver(first);

		expect([forged, unsigned, stale, noData, notJson].map(([d]) => answer(d))).toEqual([
			'401 {"ok":false,"error":"X-TeamSpirit-Signature does not match the body and timestamp"}',
			'401 {"ok":false,"error":"Missing X-TeamSpirit-Signature header"}',
			expect.stringMatching(/^401 \{"ok":false,"error":"X-TeamSpirit-Timestamp is 60\d s old, more than 300 s: a replayed delivery"\}$/),
			'400 {"ok":false,"error":"The body has no \\"data\\" object"}',
			'400 {"ok":false,"error":"The body is not JSON"}',
		]);
		// JSON that does not parse never reaches the node: n8n's body parser refuses it
		expect(truncated[0].status).toBe(422);
		expect(answer(retry)).toBe(`200 {"ok":true,"ignored":"delivery ${first.deliveryId} was already handled"}`);

		await new Promise((r) => setTimeout(r, 1500));
		expect(await executionsSettled(1)).toHaveLength(1);
		expect(replies('c_support')).toHaveLength(1);
	});

	it('keeps its registration over a restart: n8n 2.41 runs no webhook method at startup, deliveries go on', async () => {
		const [before] = registered();
		const port = n8n!.port;
		await n8n!.stop();
		n8n = undefined;
		// n8n leaves webhook registrations in place on shutdown, so deliveries resume after a restart
		expect(registered().map((w) => w.id)).toEqual([before.id]);

		const seen = ts.requests.length;
		n8n = await startN8n(home, { port }); // the same WEBHOOK_URL, as in any real deployment
		await new Promise((r) => setTimeout(r, 1000));
		expect(ts.requests.slice(seen).filter((r) => r.path.startsWith('/api/v1/webhooks'))).toEqual([]);

		const { deliveries } = await ts.postAsUser('c_support', 'u_alice', { text: 'Still there?' });
		expect(deliveries.map(answer)).toEqual(['200 {"ok":true}']);
		await waitUntil('the second reply', () => replies('c_support').length === 2);
		expect(replies('c_support')[1].text).toBe('Got it: Still there?');
	});

	it('unpublishing in the running n8n deletes its registration; publishing again registers anew', async () => {
		const [current] = registered();
		await editor.setPublished(workflowId, false);
		await waitUntil('the deletion', () => registered().length === 0);
		expect(ts.requests.filter((r) => r.method === 'DELETE').map((r) => `${r.path} ${r.status}`)).toEqual([
			`/api/v1/webhooks/${current.id} 204`,
		]);

		await editor.setPublished(workflowId, true);
		const [fresh] = await waitUntil('the new registration', () => registered().length > 0 && registered());
		expect(fresh.id).not.toBe(current.id);
		expect(fresh.url).toBe(productionUrl());
	});

	it('with n8n’s previous activation (N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false) a restart finds a deleted registration and registers again', async () => {
		const [before] = registered();
		const port = n8n!.port;
		await n8n!.stop();
		n8n = undefined;
		ts.webhooks.delete(before.id); // an admin deleted it meanwhile

		n8n = await startN8n(home, { port, env: { N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'false' } });
		const [after] = await waitUntil('the new registration', () => registered().length > 0 && registered());
		expect(after.id).not.toBe(before.id);
		expect(after.url).toBe(productionUrl());
		await untilSecretKept(after);
		expect(ts.requests.filter((r) => r.path === `/api/v1/webhooks/${before.id}`).map((r) => `${r.method} ${r.status}`)).toContain('GET 404');

		const { deliveries } = await ts.postAsUser('c_support', 'u_alice', { text: 'Back again?' });
		expect(deliveries.map(answer)).toEqual(['200 {"ok":true}']);
		await waitUntil('the third reply', () => replies('c_support').length === 3);
	});

	it('Conversation Changed: a chat.updated delivery starts an execution whose item carries the change (resolved and rated only)', async () => {
		const supervisors = ts.addChat({ id: 'c_supervisors', title: 'Supervisors', memberIds: ['u_alice'] });
		const conversation = ts.addChat({
			title: 'Anna Petrova (Telegram)',
			// the bridge's chat: its key signed with the credential's conversation secret (the API key)
			externalKey: conversationKey('telegram', '123456789', '1001', ts.apiKey),
			metadata: { channel: 'telegram', conversationId: '123456789:1001', customer: { id: '1001', name: 'Anna Petrova' }, status: 'open', assigneeId: 'u_alice' },
		});
		const credentials = { teamSpiritApi: { id: 'teamspirit-example', name: 'TeamSpirit account' } };
		const id = await editor.createWorkflow({
			name: 'Conversation changes to the supervisors',
			nodes: [
				{ parameters: { events: ['chat.updated'], conversationChanges: ['resolved', 'rated'] }, id: randomUUID(), name: 'Conversation Changed', type: 'n8n-nodes-teamspirit.teamSpiritTrigger', typeVersion: 1, position: [0, 0], credentials },
				{
					parameters: {
						resource: 'message',
						operation: 'send',
						chatId: { __rl: true, mode: 'id', value: supervisors.id },
						text: '={{ $json.change }}: {{ $json.conversation.customer.name }} ({{ $json.conversation.channel }}) {{ $json.previous.status }} → {{ $json.status }} by {{ $json.actorId }}, score {{ $json.rating ? $json.rating.score : "none" }}',
						options: {},
					},
					id: randomUUID(),
					name: 'Tell the supervisors',
					type: 'n8n-nodes-teamspirit.teamSpirit',
					typeVersion: 1,
					position: [240, 0],
					credentials,
				},
			],
			connections: { 'Conversation Changed': { main: [[{ node: 'Tell the supervisors', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		} as WorkflowJson);
		await editor.setPublished(id, true);
		const [registration] = await waitUntil('the chat.updated registration', () => {
			const found = registered().filter((w) => w.events.includes('chat.updated'));
			return found.length > 0 && found;
		});
		expect(registration.events).toEqual(['chat.updated']);
		await untilSecretKept(registration, 'chat.updated');

		const change = async (metadata: object) =>
			(await ts.changeChatAsUser(conversation.id, 'u_alice', { metadata: { ...ts.chat(conversation.id)!.metadata, ...metadata } })).deliveries
				.filter((d) => d.webhookId === registration.id)
				.map(answer);
		expect(await change({ status: 'resolved' })).toEqual(['200 {"ok":true}']);
		expect(await change({ times: { resolvedAt: '2026-01-05T10:00:00.000Z' } })).toEqual([
			'200 {"ok":true,"ignored":"the chat changed in none of the chosen conversation changes"}',
		]);
		expect(await change({ rating: { score: 5, at: '2026-01-05T10:05:00.000Z' } })).toEqual(['200 {"ok":true}']);
		expect(await change({ status: 'open' })).toEqual(['200 {"ok":true,"ignored":"the chat changed in none of the chosen conversation changes"}']);

		const told = await waitUntil('the supervisors’ messages', () => ts.messagesIn(supervisors.id).length === 2 && ts.messagesIn(supervisors.id));
		expect(told.map((m) => m.text).sort()).toEqual([
			'rated: Anna Petrova (telegram) resolved → resolved by u_alice, score 5',
			'resolved: Anna Petrova (telegram) open → resolved by u_alice, score none',
		]);
		const executions = await executionsSettled(2, id);
		expect(executions.map((e) => [e.mode, e.status])).toEqual([
			['webhook', 'success'],
			['webhook', 'success'],
		]);
	});
});
