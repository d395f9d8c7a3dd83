/**
 * "Acknowledge: After the Workflow Has Run" on the Chat Channel Trigger (Telegram webhook and long
 * polling, WhatsApp through Twilio, Messenger) and the TeamSpirit Trigger, through the engine:
 * the platform gets its 2xx only after the execution succeeded, a failed one gets n8n's 500 and the
 * platform (each emulator as the real one does) sends the delivery again; the default answers at
 * once. Rejections, repeats and skipped deliveries are answered at once either way.
 *
 * The webhook harness answers responseMode `lastNode` as n8n 2.41's executeWebhook does (500
 * `Error in workflow` for a failed run). What n8n answers for a queue-mode job whose worker died
 * (the same 500, once the job stalled) is in test/e2e/acknowledge.e2e.test.ts and the README.
 */
import {
	NodeConnectionTypes,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IRun,
} from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../credentials/TeamSpiritMessengerApi.credentials';
import { TeamSpiritTelegramApi } from '../../credentials/TeamSpiritTelegramApi.credentials';
import { TeamSpiritTwilioApi } from '../../credentials/TeamSpiritTwilioApi.credentials';
import { seenEvents } from '../../nodes/channels/memory';
import { ChatChannelTrigger } from '../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TeamSpiritTrigger } from '../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { handledDeliveries } from '../../nodes/shared/dedupe';
import { GraphEmulator } from '../emulators/graph';
import { TelegramEmulator } from '../emulators/telegram';
import { TwilioEmulator } from '../emulators/twilio';
import { startWebhookTrigger, type RunningTrigger, type WebhookTrigger, type WorkflowJson } from '../harness';
import { startPolling, TRIGGER_TYPE } from './ChatChannelTrigger/setup';
import { startSeededEmulator, startTrigger as startTeamSpiritTrigger, triggerWorkflow } from './TeamSpiritTrigger/setup';

const FLAKY_TYPE = 'teamspiritTest.flaky';

/** A downstream node that fails its first `failures` runs (a TeamSpirit outage, a bug since fixed). */
const flaky = { failures: 0, seen: [] as string[], passed: [] as string[] };
class FlakyNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Flaky (test)',
		name: FLAKY_TYPE,
		group: ['transform'],
		version: 1,
		description: 'Fails its first runs',
		defaults: { name: 'Flaky' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const ids = items.map((item) => String(item.json.eventId ?? item.json.text ?? ''));
		flaky.seen.push(...ids);
		if (flaky.failures > 0) {
			flaky.failures--;
			throw new NodeOperationError(this.getNode(), 'The next system refused the message');
		}
		flaky.passed.push(...ids);
		return [items];
	}
}

/** Trigger → Flaky. */
function withFlaky(trigger: IDataObject): WorkflowJson {
	return {
		id: `wf-ack-${String(trigger.name).replace(/\W/g, '')}`,
		name: 'Acknowledge',
		nodes: [
			trigger,
			{ id: 'flaky', name: 'Flaky', type: FLAKY_TYPE, typeVersion: 1, position: [200, 0], parameters: {} },
		],
		connections: { [String(trigger.name)]: { main: [[{ node: 'Flaky', type: 'main', index: 0 }]] } },
	} as unknown as WorkflowJson;
}

const chatTrigger = (webhookId: string, parameters: IDataObject, credentials: IDataObject) => ({
	id: 'trigger',
	name: 'Chat Channel Trigger',
	type: TRIGGER_TYPE,
	typeVersion: 1,
	position: [0, 0],
	webhookId,
	parameters,
	credentials,
});

const hooks: WebhookTrigger[] = [];
const pollers: RunningTrigger[] = [];
const stops: Array<() => Promise<void>> = [];

beforeEach(() => {
	seenEvents.clear();
	handledDeliveries.clear();
	flaky.failures = 0;
	flaky.seen = [];
	flaky.passed = [];
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	for (const poller of pollers.splice(0)) await poller.close();
	for (const stop of stops.splice(0)) await stop();
});

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
	const started = Date.now();
	while (!check()) {
		if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

const runStatus = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started).map((c) => (c.run?.error ? 'failed' : 'succeeded'));

describe('Acknowledge: the option', () => {
	it('is one parameter on both triggers, When Received by default, and sets n8n’s response mode from it', () => {
		for (const node of [new ChatChannelTrigger(), new TeamSpiritTrigger()] as INodeType[]) {
			const property = node.description.properties.find((p) => p.name === 'acknowledge');
			expect(property).toMatchObject({ displayName: 'Acknowledge', type: 'options', default: 'whenReceived' });
			expect((property!.options as Array<{ name: string; value: string }>).map((o) => [o.name, o.value])).toEqual([
				['After the Workflow Has Run', 'afterRun'],
				['When Received', 'whenReceived'],
			]);
			const webhook = node.description.webhooks!.find((w) => w.name === 'default')!;
			expect(webhook.responseMode).toBe('={{$parameter["acknowledge"] === "afterRun" ? "lastNode" : "onReceived"}}');
			expect(webhook.responseData).toBe('noData');
		}
	});
});

describe('Acknowledge: Telegram webhook', () => {
	async function setUp(acknowledge?: string) {
		const tg = await TelegramEmulator.start({ webhookRetryMs: 100 });
		stops.push(async () => await tg.stop());
		const parameters: IDataObject = { channel: 'telegram', mode: 'webhook', ...(acknowledge ? { acknowledge } : {}) };
		const hook = await startWebhookTrigger({
			workflow: withFlaky(chatTrigger('5b2a7d0e-6c1f-4e7c-9f55-1f1f0a0b0c01', parameters, { teamSpiritTelegramApi: { id: '1', name: 'bot' } })),
			nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger(), [FLAKY_TYPE]: new FlakyNode() },
			credentialTypes: [new TeamSpiritTelegramApi()],
			credentials: { teamSpiritTelegramApi: { accessToken: tg.token, baseUrl: tg.url } },
			listen: true,
			runWorkflow: true,
		});
		hooks.push(hook);
		await hook.activate();
		return { tg, hook };
	}

	it('after the run: a failed execution gets 500, Telegram sends the update again, and it runs through once', async () => {
		const { tg, hook } = await setUp('afterRun');
		flaky.failures = 1;
		const update = tg.pushMessage({ chatId: 42, text: 'my order is late' });
		await until(() => tg.deliveries.some((d) => d.status === 200), 'a delivery answered 200');
		await hook.settled();
		expect(tg.deliveries.map((d) => [d.updateId, d.status])).toEqual([
			[update.update_id, 500],
			[update.update_id, 200],
		]);
		expect(runStatus(hook)).toEqual(['failed', 'succeeded']);
		const eventId = `telegram:${tg.botId}:${update.update_id}`;
		expect(flaky.passed).toEqual([eventId]);
		// the 2xx answer records it: the same update once more starts nothing and is answered at once
		const again = await hook.request({
			headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': String(tg.webhook?.secretToken) },
			body: JSON.stringify(update),
		});
		expect([again.response.status, again.started, again.response.json]).toEqual([200, false, { ok: true, duplicate: true }]);
		// a wrong secret is refused at once, as before
		const forged = await hook.request({
			headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': 'wrong' },
			body: JSON.stringify({ ...update, update_id: update.update_id + 1 }),
		});
		expect([forged.response.status, forged.started]).toEqual([403, false]);
	});

	it('when received (default): Telegram gets 200 before the run, and a failed execution is not sent again', async () => {
		const { tg, hook } = await setUp();
		flaky.failures = 1;
		const update = tg.pushMessage({ chatId: 42, text: 'my order is late' });
		await until(() => tg.deliveries.length > 0, 'a delivery');
		await hook.settled();
		expect(tg.deliveries.map((d) => [d.updateId, d.status])).toEqual([[update.update_id, 200]]);
		expect(runStatus(hook)).toEqual(['failed']);
		expect(flaky.passed).toEqual([]);
	});
});

describe('Acknowledge: WhatsApp (Twilio)', () => {
	async function setUp(acknowledge?: string) {
		const tw = await TwilioEmulator.start({ connectionOverrides: true });
		stops.push(async () => await tw.stop());
		const parameters: IDataObject = {
			channel: 'whatsapp',
			whatsappOptions: { configureOn: 'phoneNumber', configureTarget: '+14155238886' },
			...(acknowledge ? { acknowledge } : {}),
		};
		const hook = await startWebhookTrigger({
			workflow: withFlaky(chatTrigger('6c3b8e1f-7d2a-4f8d-8a66-2a2a1b1c1d02', parameters, { teamSpiritTwilioApi: { id: '2', name: 'Twilio' } })),
			nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger(), [FLAKY_TYPE]: new FlakyNode() },
			credentialTypes: [new TeamSpiritTwilioApi()],
			credentials: { teamSpiritTwilioApi: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url } },
			listen: true,
			runWorkflow: true,
		});
		hooks.push(hook);
		await hook.activate();
		return { tw, hook };
	}

	it('after the run: a failed execution gets 500, Twilio retries (connection overrides), the retry runs through once and gets an empty 200', async () => {
		const { tw, hook } = await setUp('afterRun');
		flaky.failures = 1;
		const result = await tw.sendInbound(tw.inboundWebhookUrl(), { From: 'whatsapp:+4915112345678', Body: 'my order is late' });
		await hook.settled();
		expect(result.attempts?.map((a) => [a.status, a.failure])).toEqual([
			[500, '5xx'],
			[200, undefined],
		]);
		expect(result.body).toBe('');
		expect(result.contentType).toMatch(/^text\/xml/);
		expect(runStatus(hook)).toEqual(['failed', 'succeeded']);
		expect(flaky.passed).toHaveLength(1);
		// answered 2xx: Twilio sending it once more starts nothing, and gets <Response/> at once
		const again = await tw.sendInbound(tw.inboundWebhookUrl(), result.params);
		await hook.settled();
		expect([again.status, again.body]).toEqual([200, expect.stringContaining('<Response/>')]);
		expect(runStatus(hook)).toHaveLength(2);
		// a forged signature is refused at once, as before
		const forged = await tw.sendInbound(hook.url, { Body: 'x' }, { forgeSignature: true });
		expect(forged.status).toBe(403);
	});

	it('when received (default): <Response/> before the run, and a failed execution is not retried', async () => {
		const { tw, hook } = await setUp();
		flaky.failures = 1;
		const result = await tw.sendInbound(tw.inboundWebhookUrl(), { From: 'whatsapp:+4915112345678', Body: 'my order is late' });
		await hook.settled();
		expect(result.attempts?.map((a) => a.failure ?? a.status)).toEqual([200]);
		expect(result.body).toContain('<Response/>');
		expect(runStatus(hook)).toEqual(['failed']);
	});
});

describe('Acknowledge: Messenger', () => {
	async function setUp(acknowledge?: string) {
		const fb = await GraphEmulator.start();
		stops.push(async () => await fb.stop());
		const parameters: IDataObject = { channel: 'messenger', messengerOptions: { lookUpNames: false }, ...(acknowledge ? { acknowledge } : {}) };
		const hook = await startWebhookTrigger({
			workflow: withFlaky(chatTrigger('7d4c9f20-8e3b-4a9e-9b77-3b3b2c2d2e03', parameters, { teamSpiritMessengerApi: { id: '3', name: 'Page' } })),
			nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger(), [FLAKY_TYPE]: new FlakyNode() },
			credentialTypes: [new TeamSpiritMessengerApi()],
			credentials: {
				teamSpiritMessengerApi: fb.credentialData(),
			},
			listen: true,
			runWorkflow: true,
		});
		hooks.push(hook);
		await hook.activate();
		return { fb, hook };
	}

	it('after the run: a failed execution gets 500, Meta sends the batch again, it runs through once', async () => {
		const { fb, hook } = await setUp('afterRun');
		flaky.failures = 1;
		const event = fb.messageEvent('7000000000000001', { text: 'my order is late' });
		const result = await fb.deliver(hook.url, [event], { retryDelaysMs: [50, 50] });
		await hook.settled();
		expect(result.attempts?.map((a) => a.status)).toEqual([500, 200]);
		expect(runStatus(hook)).toEqual(['failed', 'succeeded']);
		expect(flaky.passed).toHaveLength(1);
		// answered 2xx: the same event again starts nothing and is answered at once
		const again = await fb.deliver(hook.url, [event]);
		await hook.settled();
		expect([again.status, again.body]).toEqual([200, 'EVENT_RECEIVED']);
		expect(runStatus(hook)).toHaveLength(2);
		const forged = await fb.deliver(hook.url, [event], { forgeSignature: true });
		expect(forged.status).toBe(401);
	});

	it('when received (default): EVENT_RECEIVED before the run, nothing sent again', async () => {
		const { fb, hook } = await setUp();
		flaky.failures = 1;
		const result = await fb.deliver(hook.url, [fb.messageEvent('7000000000000001', { text: 'hi' })], { retryDelaysMs: [50] });
		await hook.settled();
		expect(result.attempts?.map((a) => a.status)).toEqual([200]);
		expect(result.body).toBe('EVENT_RECEIVED');
		expect(runStatus(hook)).toEqual(['failed']);
	});
});

describe('Acknowledge: TeamSpirit Trigger', () => {
	async function setUp(acknowledge?: string) {
		const { emulator } = await startSeededEmulator({ retryDelaysMs: [100, 100] });
		stops.push(async () => await emulator.stop());
		const base = triggerWorkflow({ events: ['message.created'], ...(acknowledge ? { acknowledge } : {}) }, { reply: false });
		const workflow = withFlaky(base.nodes[0] as unknown as IDataObject);
		const hook = await startTeamSpiritTrigger(emulator, workflow, {
			nodeTypes: {
				[base.nodes[0].type]: new TeamSpiritTrigger(),
				[FLAKY_TYPE]: new FlakyNode(),
			},
			runWorkflow: true,
		});
		hooks.push(hook);
		await hook.activate();
		return { emulator, hook };
	}

	it('after the run: a failed execution gets 500, TeamSpirit retries the delivery, it runs through once', async () => {
		const { emulator, hook } = await setUp('afterRun');
		flaky.failures = 1;
		const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'Is the deploy done?' });
		expect(deliveries.map((d) => d.status)).toEqual([500]);
		await until(() => emulator.deliveries.some((d) => d.status === 200), 'a delivery answered 200');
		await hook.settled();
		const attempts = emulator.deliveries.filter((d) => d.deliveryId === deliveries[0].deliveryId);
		expect(attempts.map((d) => [d.status, d.responseBody])).toEqual([
			[500, JSON.stringify({ message: 'Error in workflow' })],
			[200, ''],
		]);
		expect(runStatus(hook)).toEqual(['failed', 'succeeded']);
		expect(flaky.passed).toEqual([deliveries[0].eventId]);
		// answered 2xx: the same delivery again is a repeat, answered at once
		const again = await emulator.redeliver(attempts[1]);
		expect([again.status, JSON.parse(again.responseBody).ignored]).toEqual([200, expect.stringMatching(/already handled/)]);
	});

	it('when received (default): 200 {"ok":true} before the run, nothing retried', async () => {
		const { emulator, hook } = await setUp();
		flaky.failures = 1;
		const { deliveries } = await emulator.postAsUser('c_general', 'u_alice', { text: 'Is the deploy done?' });
		await hook.settled();
		expect(deliveries.map((d) => [d.status, d.responseBody])).toEqual([[200, '{"ok":true}']]);
		expect(runStatus(hook)).toEqual(['failed']);
	});
});

describe('Acknowledge: Telegram long polling', () => {
	const succeeded = { status: 'success', data: { resultData: { runData: {} } } } as unknown as IRun;
	const failed = { status: 'error', data: { resultData: { runData: {}, error: new Error('node failed') } } } as unknown as IRun;
	const crashed = { status: 'crashed', data: { resultData: { runData: {}, error: new Error('job stalled more than maxStalledCount') } } } as unknown as IRun;

	async function setUp(acknowledge?: string, before?: (tg: TelegramEmulator) => void) {
		const tg = await TelegramEmulator.start();
		stops.push(async () => await tg.stop());
		before?.(tg);
		const poller = await startPolling(tg, { parameters: acknowledge ? { acknowledge } : {} });
		pollers.push(poller);
		return { tg, poller };
	}
	const offsets = (tg: TelegramEmulator) => tg.calls('getUpdates').map((c) => Number(c.params.offset ?? 0));
	const texts = (emit: INodeExecutionData[][]) => emit[0].map((item) => item.json.text);

	it('confirms a batch to Telegram only after its execution succeeded', async () => {
		const { tg, poller } = await setUp('afterRun');
		const update = tg.pushMessage({ chatId: 1, text: 'one' });
		await poller.waitForEmits(1);
		// the run is still going: the offset n8n saved with the emit is the batch's, and no getUpdates confirmed it
		const saved = (poller.savedStaticData()['node:Trigger'] ?? {}) as IDataObject;
		expect(Number(saved.offset ?? 0)).toBeLessThanOrEqual(update.update_id);
		await new Promise((resolve) => setTimeout(resolve, 300));
		expect(offsets(tg).every((offset) => offset <= update.update_id)).toBe(true);
		expect(tg.pending.map((u) => u.update_id)).toEqual([update.update_id]);
		poller.donePromises[0]!.resolve(succeeded);
		await until(() => offsets(tg).includes(update.update_id + 1), 'getUpdates confirming the batch');
		expect(tg.pending).toEqual([]);
		expect(poller.emitted).toHaveLength(1);
	});

	it('emits a batch again after a failed, a crashed and a lost run, and confirms it after the run that succeeded', async () => {
		const { tg, poller } = await setUp('afterRun');
		tg.pushMessage({ chatId: 1, text: 'one' });
		await poller.waitForEmits(1);
		poller.donePromises[0]!.resolve(failed);
		await poller.waitForEmits(2, 30_000);
		poller.donePromises[1]!.resolve(crashed);
		await poller.waitForEmits(3, 30_000);
		poller.donePromises[2]!.reject(new Error('the execution could not be found'));
		await poller.waitForEmits(4, 30_000);
		poller.donePromises[3]!.resolve(succeeded);
		const update = tg.calls('getUpdates').length;
		await until(() => tg.calls('getUpdates').length > update && tg.pending.length === 0, 'the batch confirmed');
		expect(poller.emitted.map(texts)).toEqual([['one'], ['one'], ['one'], ['one']]);
		tg.pushMessage({ chatId: 1, text: 'two' });
		await poller.waitForEmits(5);
		expect(texts(poller.emitted[4])).toEqual(['two']);
	});

	it('of two chats in one batch, only the chat whose execution failed is emitted again', async () => {
		// the updates wait at Telegram: the trigger gets them in one batch
		const { tg, poller } = await setUp('afterRun', (telegram) => {
			telegram.pushMessage({ chatId: 1, text: 'from one' });
			telegram.pushMessage({ chatId: 2, text: 'from two' });
		});
		await poller.waitForItems(2);
		const byText = new Map(poller.emitted.map((emit, index) => [String(texts(emit)[0]), index]));
		if (poller.emitted.length !== 2) throw new Error('expected one batch with two chats');
		poller.donePromises[byText.get('from one')!]!.resolve(succeeded);
		poller.donePromises[byText.get('from two')!]!.resolve(failed);
		await poller.waitForEmits(3, 30_000);
		expect(texts(poller.emitted[2])).toEqual(['from two']);
		poller.donePromises[2]!.resolve(succeeded);
		await until(() => tg.pending.length === 0, 'the batch confirmed');
		expect(poller.emitted.map(texts).flat().sort()).toEqual(['from one', 'from two', 'from two']);
	});

	it('when received (default): confirms at the next poll without waiting for the run, whatever it does', async () => {
		const { tg, poller } = await setUp();
		const update = tg.pushMessage({ chatId: 1, text: 'one' });
		await poller.waitForEmits(1);
		// the trigger asks n8n when the run ends (the conversation's order waits for it), but the
		// batch is confirmed while the run has not ended
		expect(poller.donePromises).toHaveLength(1);
		await until(() => offsets(tg).includes(update.update_id + 1), 'getUpdates confirming the batch');
		expect(poller.emitted).toHaveLength(1);
	});
});
