import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpirit } from '../../../nodes/TeamSpirit/TeamSpirit.node';
import { TeamSpiritTrigger } from '../../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { TeamSpiritEmulator, type EmulatorOptions } from '../../emulators/teamspirit';
import type { WebhookCall, WebhookTrigger, WebhookTriggerOptions, WorkflowJson } from '../../harness';
import { logsToText, startWebhookTrigger } from '../../harness';
import { teamSpiritHeaders } from '../../helpers/signing';

export const TRIGGER_TYPE = 'n8n-nodes-teamspirit.teamSpiritTrigger';
export const ACTION_TYPE = 'n8n-nodes-teamspirit.teamSpirit';
export const TRIGGER_NAME = 'TeamSpirit Trigger';
export const EXAMPLE = path.join(__dirname, '..', '..', '..', 'examples', 'teamspirit-trigger-reply.json');

export const EXAMPLE_WEBHOOK_ID = '4f3e2d1c-0b9a-4877-8665-544332211009';

/** The README example (trigger → reply); with `reply: false` only the trigger. Trigger parameters replaced when given. */
export function triggerWorkflow(parameters?: INodeParameters, opts: { reply?: boolean; id?: string } = {}): WorkflowJson {
	const workflow = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as WorkflowJson;
	workflow.id = opts.id ?? `wf-${randomBytes(4).toString('hex')}`;
	const trigger = workflow.nodes.find((n) => n.type === TRIGGER_TYPE)!;
	// the example has none (the editor gives each import its own), the tests pin one
	trigger.webhookId = EXAMPLE_WEBHOOK_ID;
	if (parameters) trigger.parameters = parameters;
	if (opts.reply === false) {
		workflow.nodes = [trigger];
		workflow.connections = {};
	}
	return workflow;
}

/** A server with the users and chats the trigger tests use. */
export async function startSeededEmulator(opts: EmulatorOptions = {}) {
	const emulator = await TeamSpiritEmulator.start(opts);
	const alice = emulator.addUser({ id: `u_alice`, name: 'Alice Archer', username: 'alice' });
	const bob = emulator.addUser({ id: `u_bob`, name: 'Bob Boyd', username: 'bob' });
	const general = emulator.addChat({ id: 'c_general', title: 'General', memberIds: [alice.id, bob.id] });
	const support = emulator.addChat({ id: 'c_support', title: 'Support desk', memberIds: [alice.id] });
	const elsewhere = emulator.addChat({ id: 'c_elsewhere', title: 'Without the bot', memberIds: [alice.id], includeBot: false });
	return { emulator, alice, bob, general, support, elsewhere };
}

export async function startTrigger(
	emulator: TeamSpiritEmulator,
	workflow: WorkflowJson,
	opts: Partial<WebhookTriggerOptions> = {},
): Promise<WebhookTrigger> {
	return await startWebhookTrigger({
		workflow,
		nodeTypes: { [TRIGGER_TYPE]: new TeamSpiritTrigger(), [ACTION_TYPE]: new TeamSpirit() },
		credentialTypes: [new TeamSpiritApi()],
		credentials: { teamSpiritApi: { serverUrl: emulator.url, apiKey: emulator.apiKey } },
		listen: true,
		...opts,
	});
}

/** Headers of a delivery signed as the contract says, computed in test/helpers/signing.ts. */
export const signedHeaders = teamSpiritHeaders;

/** A delivery body as TeamSpirit sends it. */
export function deliveryBody(event: string, data: object, id = `evt_${randomBytes(6).toString('hex')}`): string {
	return JSON.stringify({ id, event, createdAt: new Date().toISOString(), data });
}

export const startedCalls = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started);
export const itemsOf = (call: WebhookCall | undefined): INodeExecutionData[] => call?.workflowData?.[0] ?? [];
export const jsonOf = (call: WebhookCall | undefined): IDataObject[] => itemsOf(call).map((i) => i.json);

/** Everything a user or an admin could see of these calls: answers, output, logs. */
export function everything(hook: WebhookTrigger): string {
	return hook.calls
		.map((c) => `${c.response.status} ${c.response.body} ${JSON.stringify(c.workflowData ?? null)} ${c.error?.message ?? ''} ${logsToText(c.logs)}`)
		.join('\n');
}
