/**
 * What one webhook delivery costs n8n besides the node's own work (README, Benchmarks): n8n
 * evaluates expressions of the webhook description in a V8 isolate on every request (unless the
 * field has a native resolver) and decrypts a credential on every `getCredentials`. These tests
 * pin that a Telegram delivery needs neither, and that no trigger's webhook needs the engine.
 */
import {
	Workflow,
	resolveWebhookDescriptionField,
	webhookDescriptionIsNativelyResolvable,
	type IDataObject,
	type INode,
	type INodeParameters,
	type INodeType,
} from 'n8n-workflow';

import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TeamSpiritTrigger } from '../../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { TelegramEmulator } from '../../emulators/telegram';
import { NodeTypes, startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { TRIGGER_TYPE } from './setup';

const CREDENTIAL = 'teamSpiritTelegramApi';
const NODE = 'Chat Channel Trigger';

let tg: TelegramEmulator;
const hooks: WebhookTrigger[] = [];

const workflow = (parameters: INodeParameters = { channel: 'telegram', mode: 'webhook', updates: ['message'] }) => ({
	id: 'wf-inbound-cost',
	name: 'Inbound cost',
	nodes: [
		{
			id: 'n1',
			name: NODE,
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: '0b4f3c52-1a6e-4a8f-9a71-6a1d2f0c9e11',
			parameters,
			credentials: { [CREDENTIAL]: { id: '1', name: 'bot' } },
		},
	],
	connections: {},
});

async function start(staticData?: IDataObject) {
	const hook = await startWebhookTrigger({
		workflow: workflow() as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritTelegramApi()],
		credentials: { [CREDENTIAL]: { accessToken: tg.token, baseUrl: tg.url } },
		staticData,
	});
	hooks.push(hook);
	return hook;
}

const deliver = async (hook: WebhookTrigger, updateId: number, secret = tg.webhook!.secretToken!) =>
	await hook.request({
		headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
		body: JSON.stringify({
			update_id: updateId,
			message: { message_id: 1, date: 1_700_000_000, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'Ada' }, text: 'hi' },
		}),
	});

beforeEach(async () => {
	tg = await TelegramEmulator.start();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await tg.stop();
});

describe('Chat Channel Trigger: what a delivery costs n8n', () => {
	const botId = () => tg.token.split(':')[0];

	it('starts the workflow from a Telegram delivery without reading the credential or writing static data', async () => {
		const hook = await start();
		await hook.activate();
		expect(hook.savedStaticData()[`node:${NODE}`]).toMatchObject({ botId: botId() });
		const readsAfterActivation = hook.credentialReads(CREDENTIAL);

		for (const updateId of [701, 702, 703]) {
			const call = await deliver(hook, updateId);
			expect(call.started).toBe(true);
			expect(call.workflowData?.[0]?.[0]?.json.eventId).toBe(`telegram:${botId()}:${updateId}`);
			expect(call.staticDataChanged).toBe(false);
		}
		const forged = await deliver(hook, 704, 'f'.repeat(64));
		expect(forged.response.status).toBe(403);
		expect(forged.started).toBe(false);
		expect(hook.credentialReads(CREDENTIAL)).toBe(readsAfterActivation);
	});

	it('handles a webhook registered before the bot id was kept (reading the credential), and keeps it at the next activation', async () => {
		const first = await start();
		await first.activate();
		const saved = first.savedStaticData();
		delete (saved[`node:${NODE}`] as IDataObject).botId; // what an older version left behind

		const upgraded = await start(saved);
		const call = await deliver(upgraded, 801);
		expect(call.started).toBe(true);
		expect(call.workflowData?.[0]?.[0]?.json.eventId).toBe(`telegram:${botId()}:801`);
		expect(upgraded.credentialReads(CREDENTIAL)).toBe(1);

		// n8n's next start: the webhook exists (same URL and secret), and the bot id is kept from then on
		const { existed } = await upgraded.activate();
		expect(existed).toBe(true);
		expect(upgraded.savedStaticData()[`node:${NODE}`]).toMatchObject({ botId: botId(), secretToken: tg.webhook!.secretToken });
		const reads = upgraded.credentialReads(CREDENTIAL);
		expect((await deliver(upgraded, 802)).started).toBe(true);
		expect(upgraded.credentialReads(CREDENTIAL)).toBe(reads);
	});

	it('forgets the bot id with the webhook', async () => {
		const hook = await start();
		await hook.activate();
		await hook.deactivate();
		expect(hook.savedStaticData()[`node:${NODE}`]).not.toHaveProperty('botId');
	});
});

describe('Trigger webhook descriptions without the expression engine', () => {
	const acknowledge = [{}, { acknowledge: 'afterRun' }, { acknowledge: 'whenReceived' }];
	const triggers: Array<[string, INodeType, INodeParameters[]]> = [
		[
			TRIGGER_TYPE,
			new ChatChannelTrigger(),
			[{ channel: 'telegram' }, { channel: 'telegram', mode: 'polling' }, { channel: 'telegram', mode: 'webhook' }, { channel: 'whatsapp' }, { channel: 'messenger' }, { channel: 'website' }, {}].flatMap(
				(parameters) => acknowledge.map((ack) => ({ ...parameters, ...ack })),
			),
		],
		['n8n-nodes-teamspirit.teamSpiritTrigger', new TeamSpiritTrigger(), acknowledge],
	];

	it.each(triggers.flatMap(([type, nodeType]) => nodeType.description.webhooks!.map((webhook) => [type, webhook.name, nodeType] as const)))(
		'%s, webhook %s: every field that depends on parameters has a resolver',
		(_type, _name, nodeType) => {
			const description = nodeType.description.webhooks!.find((w) => w.name === _name)!;
			expect(webhookDescriptionIsNativelyResolvable(description)).toBe(true);
		},
	);

	it.each(
		triggers.flatMap(([type, nodeType, cases]) =>
			nodeType.description.webhooks!.flatMap((webhook) =>
				Object.keys(webhook)
					.filter((field) => String(webhook[field]).startsWith('='))
					.flatMap((field) => cases.map((parameters) => [type, webhook.name, field, parameters, nodeType] as const)),
			),
		),
	)('%s, webhook %s, %s with %j: n8n reads what the expression gives', (type, name, field, parameters, nodeType) => {
		const description = nodeType.description.webhooks!.find((w) => w.name === name)!;
		const node = { id: 'n1', name: 'Trigger', type, typeVersion: 1, position: [0, 0], parameters } as INode;
		const wf = new Workflow({ id: 'wf', nodes: [node], connections: {}, active: true, nodeTypes: new NodeTypes({ [type]: nodeType }) });
		const withDefaults = wf.getNode('Trigger')!; // its parameters with the defaults n8n applies
		const native = resolveWebhookDescriptionField(withDefaults, description, field);
		expect(native.resolved).toBe(true);
		const evaluated = wf.expression.getSimpleParameterValue(withDefaults, description[field] as string, 'internal', {}, undefined, 'GET');
		expect(native.resolved && native.value).toBe(evaluated);
	});
});
