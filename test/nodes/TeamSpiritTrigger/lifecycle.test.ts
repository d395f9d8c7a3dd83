/**
 * The outgoing webhook's life through n8n-core's real HookContext against the emulator:
 * registration on activation, recognising its own registration, re-registering after a
 * server-side deletion, and deleting only its own.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { WebhookTrigger } from '../../harness';
import { startSeededEmulator, startTrigger, TRIGGER_NAME, triggerWorkflow } from './setup';

let emulator: TeamSpiritEmulator;
const hooks: WebhookTrigger[] = [];
beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await emulator.stop();
});

const params = (extra: INodeParameters = {}): INodeParameters => ({
	events: ['message.created', 'chat.member_joined'],
	chatFilter: { chats: [{ chat: { __rl: true, mode: 'list', value: 'c_general' } }, { chat: { __rl: true, mode: 'id', value: 'c_support' } }] },
	...extra,
});

async function trigger(...args: Parameters<typeof startTrigger>) {
	const hook = await startTrigger(...args);
	hooks.push(hook);
	return hook;
}

const webhookCalls = () => emulator.requests.filter((r) => r.path.startsWith('/api/v1/webhooks'));
/** The same workflow after an n8n restart: same URL (port), the static data n8n stored. */
async function restart(before: WebhookTrigger, parameters: INodeParameters, id: string) {
	await before.close();
	return await trigger(emulator, triggerWorkflow(parameters, { reply: false, id }), {
		staticData: before.savedStaticData(),
		port: Number(new URL(before.url).port),
	});
}

const registrationsIn = (staticData: Record<string, unknown>) =>
	(staticData[`node:${TRIGGER_NAME}`] as { registrations: Record<string, { id: string; secret: string }> }).registrations;

describe('TeamSpirit Trigger: registration', () => {
	it('registers the webhook URL with exactly the chosen events and chats, and keeps id and secret in static data', async () => {
		const hook = await trigger(emulator, triggerWorkflow(params(), { reply: false }));
		expect(await hook.activate()).toEqual({ existed: false });

		expect([...emulator.webhooks.values()]).toEqual([
			expect.objectContaining({ url: hook.url, events: ['message.created', 'chat.member_joined'], chatIds: ['c_general', 'c_support'] }),
		]);
		const [webhook] = emulator.webhooks.values();
		expect(hook.url).toMatch(/\/webhook\/4f3e2d1c-0b9a-4877-8665-544332211009\/teamspirit$/);
		expect(registrationsIn(hook.savedStaticData())).toEqual({
			[hook.url]: { id: webhook.id, secret: webhook.secret, events: webhook.events, chatIds: webhook.chatIds },
		});
		expect(webhookCalls().map((r) => `${r.method} ${r.status}`)).toEqual(['POST 201']);
	});

	it('recognises its own registration after a restart and registers nothing new', async () => {
		const first = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-restart' }));
		await first.activate();
		const [webhook] = emulator.webhooks.values();

		const again = await restart(first, params(), 'wf-restart');
		expect(await again.activate('init')).toEqual({ existed: true });
		expect([...emulator.webhooks.keys()]).toEqual([webhook.id]);
		expect(webhookCalls().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
			'POST /api/v1/webhooks 201',
			`GET /api/v1/webhooks/${webhook.id} 200`,
		]);
	});

	it('registers again when the webhook was deleted in TeamSpirit, and verifies with the new secret', async () => {
		const first = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-deleted' }));
		await first.activate();
		const [old] = emulator.webhooks.values();
		emulator.webhooks.delete(old.id); // an admin deleted it

		const again = await restart(first, params(), 'wf-deleted');
		expect(await again.activate('init')).toEqual({ existed: false });
		const [fresh] = emulator.webhooks.values();
		expect(fresh.id).not.toBe(old.id);
		expect(fresh.url).toBe(again.url);
		expect(registrationsIn(again.savedStaticData())[again.url]).toMatchObject({ id: fresh.id, secret: fresh.secret });

		const attempt = await emulator.postAsUser('c_general', 'u_alice', { text: 'still there?' });
		expect(attempt.deliveries.map((d) => d.status)).toEqual([200]);
		expect(again.calls.filter((c) => c.started)).toHaveLength(1);
	});

	it('replaces its registration when the chosen events or chats changed', async () => {
		const first = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-changed' }));
		await first.activate();
		const [old] = emulator.webhooks.values();

		const changed = await restart(first, params({ events: ['message.created'], chatFilter: {} }), 'wf-changed');
		expect(await changed.activate('init')).toEqual({ existed: false });
		expect(emulator.webhooks.has(old.id)).toBe(false);
		expect([...emulator.webhooks.values()]).toEqual([
			expect.objectContaining({ url: changed.url, events: ['message.created'], chatIds: [] }),
		]);
	});

	it('on deactivation deletes its own webhook only: not an admin’s, not another workflow’s', async () => {
		const adminHook = { id: 'wh_admin', url: 'https://elsewhere.example/hook', events: ['message.created' as const], chatIds: [], secret: 'whsec_admin', createdAt: new Date().toISOString() };
		emulator.webhooks.set(adminHook.id, adminHook);
		const other = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-other' }));
		await other.activate();
		const hook = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-mine' }));
		await hook.activate();
		const mine = [...emulator.webhooks.values()].find((w) => w.url === hook.url)!;
		const theirs = [...emulator.webhooks.values()].find((w) => w.url === other.url)!;
		expect(mine.id).not.toBe(theirs.id);

		expect(await hook.deactivate()).toBe(true);
		expect([...emulator.webhooks.keys()].sort()).toEqual([theirs.id, 'wh_admin'].sort());
		expect(emulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([`/api/v1/webhooks/${mine.id}`]);
		expect(registrationsIn(hook.savedStaticData())).toEqual({});
	});

	it('test and production URLs keep separate registrations and never delete each other’s', async () => {
		const production = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-both' }));
		await production.activate();
		// even sharing static data (n8n keeps them apart), the test URL gets its own registration
		const test = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-both' }), {
			url: 'test',
			staticData: production.savedStaticData(),
			listen: false,
			baseUrl: new URL(production.url).origin,
		});
		expect(test.url).toBe(production.otherUrl);
		expect(test.url).toMatch(/\/webhook-test\//);
		expect(await test.activate()).toEqual({ existed: false });
		expect([...emulator.webhooks.values()].map((w) => w.url).sort()).toEqual([production.url, test.url].sort());

		await test.deactivate();
		expect([...emulator.webhooks.values()].map((w) => w.url)).toEqual([production.url]);

		const attempt = await emulator.postAsUser('c_general', 'u_alice', { text: 'for production' });
		expect(attempt.deliveries.map((d) => [d.url, d.status])).toEqual([[production.url, 200]]);

		await production.deactivate();
		expect(emulator.webhooks.size).toBe(0);
	});

	it('keeps its registration when TeamSpirit refuses the delete, and the next activation replaces it', async () => {
		const first = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-refused' }));
		await first.activate();
		const [old] = emulator.webhooks.values();
		// the same workflow, deactivated after its API key was revoked
		const revoked = await restart(first, params(), 'wf-refused');
		const withRevokedKey = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-refused' }), {
			staticData: revoked.savedStaticData(),
			listen: false,
			baseUrl: new URL(revoked.url).origin,
			credentials: { teamSpiritApi: { serverUrl: emulator.url, apiKey: 'ts-revoked-key' } },
		});
		expect(await withRevokedKey.deactivate()).toBe(false);
		expect(emulator.webhooks.has(old.id)).toBe(true);
		expect(registrationsIn(withRevokedKey.savedStaticData())[revoked.url].id).toBe(old.id);

		const changed = await restart(revoked, params({ events: ['message.deleted'] }), 'wf-refused');
		await changed.activate();
		expect(emulator.webhooks.has(old.id)).toBe(false);
		expect([...emulator.webhooks.values()].map((w) => w.events)).toEqual([['message.deleted']]);
	});

	it('after n8n’s public URL changed, finds its registration by path: activation replaces it, deactivation deletes it', async () => {
		const first = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-moved' }));
		await first.activate();
		const [old] = emulator.webhooks.values();
		const moved = () => ({ staticData: first.savedStaticData(), listen: false, baseUrl: 'https://n8n.example.corp' });

		const deactivating = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-moved' }), moved());
		expect(await deactivating.deactivate()).toBe(true);
		expect(emulator.webhooks.has(old.id)).toBe(false);
		expect(registrationsIn(deactivating.savedStaticData())).toEqual({});

		emulator.webhooks.set(old.id, old); // again, for the activation case
		const activating = await trigger(emulator, triggerWorkflow(params(), { reply: false, id: 'wf-moved' }), moved());
		expect(await activating.activate()).toEqual({ existed: false });
		expect(emulator.webhooks.has(old.id)).toBe(false);
		expect([...emulator.webhooks.values()].map((w) => w.url)).toEqual([activating.url]);
		expect(activating.url).toMatch(/^https:\/\/n8n\.example\.corp\/webhook\//);
		expect(Object.keys(registrationsIn(activating.savedStaticData()))).toEqual([activating.url]);
	});

	it('fails the activation with TeamSpirit’s reason when the API key is wrong, without showing the key', async () => {
		const hook = await trigger(emulator, triggerWorkflow(params(), { reply: false }), {
			credentials: { teamSpiritApi: { serverUrl: emulator.url, apiKey: 'ts-wrong-key-999' } },
		});
		const error = (await hook.activate().catch((e: unknown) => e)) as Error;
		expect(error.message).toBe('TeamSpirit: Invalid API key');
		expect(`${JSON.stringify(error)} ${error.stack}`).not.toContain('ts-wrong-key-999');
		expect(emulator.webhooks.size).toBe(0);
	});

	it('with a webhook created by an admin registers, checks and deletes nothing', async () => {
		const hook = await trigger(emulator, triggerWorkflow(params({ setup: 'manual' }), { reply: false }), {
			credentials: { teamSpiritApi: { serverUrl: emulator.url, apiKey: emulator.apiKey, webhookSecret: 'whsec_pasted' } },
		});
		expect(await hook.activate()).toEqual({ existed: true });
		expect(await hook.deactivate()).toBe(true);
		expect(webhookCalls()).toEqual([]);
	});
});
