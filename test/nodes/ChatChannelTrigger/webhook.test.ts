import type { IDataObject } from 'n8n-workflow';

import type { WorkflowJson } from '../../harness';
import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TelegramEmulator } from '../../emulators/telegram';
import { startWebhookTrigger, type WebhookTrigger } from '../../harness';
import { TRIGGER_TYPE } from './setup';

let tg: TelegramEmulator;
const hooks: WebhookTrigger[] = [];

const workflow = (updates = ['message', 'callback_query']) => ({
	id: 'wf-webhook',
	name: 'Telegram webhook',
	nodes: [
		{
			id: 'n1',
			name: 'Chat Channel Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: '5b2a7d0e-6c1f-4e7c-9f55-1f1f0a0b0c0d',
			parameters: { channel: 'telegram', mode: 'webhook', updates },
			credentials: { teamSpiritTelegramApi: { id: '1', name: 'bot' } },
		},
	],
	connections: {},
});

async function start(options: { url?: 'production' | 'test'; listen?: boolean; staticData?: IDataObject } = {}) {
	const hook = await startWebhookTrigger({
		workflow: workflow() as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritTelegramApi()],
		credentials: { teamSpiritTelegramApi: { accessToken: tg.token, baseUrl: tg.url } },
		...options,
	});
	hooks.push(hook);
	return hook;
}

beforeEach(async () => {
	tg = await TelegramEmulator.start();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await tg.stop();
});

const update = (id: number, text = 'hi') => ({
	update_id: id,
	message: { message_id: 1, date: 1_700_000_000, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'Ada' }, text },
});

describe('Chat Channel Trigger (Telegram, webhook)', () => {
	it('registers the webhook with a random secret token, and Telegram’s deliveries start the workflow', async () => {
		const hook = await start({ listen: true });
		await hook.activate();
		expect(tg.webhook?.url).toBe(hook.url);
		const secret = tg.webhook!.secretToken!;
		expect(secret).toMatch(/^[0-9a-f]{64}$/);
		expect(secret).not.toContain('wf-webhook');
		expect(tg.calls('setWebhook')[0].params).toMatchObject({ allowed_updates: ['message', 'callback_query'], drop_pending_updates: false });
		tg.pushMessage({ chatId: 42, text: 'via webhook' });
		await tg.waitFor(() => hook.calls.length === 1, 5000, 'the delivery');
		expect(hook.calls[0].response.status).toBe(200);
		expect(hook.calls[0].workflowData?.[0][0].json).toMatchObject({ channel: 'telegram', event: 'message', text: 'via webhook', conversationId: '42' });
	});

	it('rejects a wrong or missing secret with 403 and starts nothing', async () => {
		const hook = await start();
		await hook.activate();
		const body = JSON.stringify(update(900_001));
		for (const headers of [{} as Record<string, string>, { 'x-telegram-bot-api-secret-token': 'wrong' }, { 'x-telegram-bot-api-secret-token': '' }]) {
			const call = await hook.request({ headers: { 'content-type': 'application/json', ...headers }, body });
			expect(call.response.status).toBe(403);
			expect(call.started).toBe(false);
		}
		const ok = await hook.request({ headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': tg.webhook!.secretToken! }, body });
		expect(ok.started).toBe(true);
	});

	it('starts one execution for an update delivered twice', async () => {
		const hook = await start();
		await hook.activate();
		const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': tg.webhook!.secretToken! };
		const body = JSON.stringify(update(900_002));
		const first = await hook.request({ headers, body });
		const again = await hook.request({ headers, body });
		expect(first.started).toBe(true);
		expect(again.started).toBe(false);
		expect(again.response.status).toBe(200);
	});

	it('a test URL never silently replaces the production webhook; deactivation deletes only our own webhook', async () => {
		const production = await start();
		await production.activate();
		const productionUrl = tg.webhook!.url;
		// the editor's test listener starts from the workflow's stored static data
		const test = await start({ url: 'test', staticData: production.savedStaticData() });
		await expect(test.activate()).rejects.toThrow("This bot's webhook already points to the production URL of this workflow (it is active)");
		expect(tg.webhook!.url).toBe(productionUrl);
		// the test listener going away must not take production's webhook with it
		await test.deactivate();
		expect(tg.webhook!.url).toBe(productionUrl);
		await production.deactivate();
		expect(tg.webhook).toBeNull();
	});

	it('after n8n’s URL changed, activation moves its own webhook to the new URL', async () => {
		const before = await start();
		await before.activate();
		tg.webhook!.url = 'https://old-n8n.example.com/webhook/x/webhook';
		const saved = { ...before.savedStaticData() } as IDataObject;
		const node = saved['node:Chat Channel Trigger'] as IDataObject;
		node.webhookUrl = tg.webhook!.url;
		const after = await start({ staticData: saved });
		await after.activate();
		expect(tg.webhook!.url).toBe(after.url);
	});
});
