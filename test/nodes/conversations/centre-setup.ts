/**
 * What the contact-centre engine tests share: a bridge whose Forward to TeamSpirit has queues, and
 * a probe node that runs Process Due / a freed slot in a fresh copy of the package's modules (one
 * more n8n process each time).
 */
import { randomUUID } from 'node:crypto';

import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';

import type * as DueModule from '../../../nodes/conversations/centre/due';
import type * as QueuesModule from '../../../nodes/conversations/centre/queues';
import type * as RoutingModule from '../../../nodes/conversations/centre/routing';
import type * as TeamSpiritModule from '../../../nodes/conversations/teamspirit';
import type { Message, TeamSpiritEmulator } from '../../emulators/teamspirit';
import { runWorkflow, type WorkflowJson } from '../../harness';
import { startBridge, type Bridge, type BridgeOptions, type Channel, type Customer } from './setup';

const PROBE = 'teamspiritTest.centre';

/** Starts a bridge whose Forward to TeamSpirit has one queue "Support" with both operators. */
export async function startCentre(
	queue: IDataObject | ((operators: Array<{ id: string }>, ts: TeamSpiritEmulator) => IDataObject),
	options: BridgeOptions & { channel?: Channel; online?: boolean } = {},
): Promise<Bridge> {
	const bridge = await startBridge(options.channel ?? 'telegram', {
		...options,
		forwardParameters: (operators, ts) => ({
			contactCentre: {
				queues: [
					{
						name: 'Support',
						operators: operators.map((o) => o.id),
						...(typeof queue === 'function' ? queue(operators, ts) : queue),
					},
				],
			},
		}),
	});
	if (options.online !== false) {
		for (const operator of bridge.operators) bridge.ts.setStatus(operator.id, { status: 'online' });
	}
	return bridge;
}

/** The conversation's state fields as TeamSpirit holds them. */
export function stateIn(bridge: Bridge, customer: Customer): IDataObject {
	const chat = bridge.chatOf(customer);
	if (!chat) throw new Error(`no chat for ${customer.name}`);
	return bridge.ts.chat(chat.id)!.metadata as IDataObject;
}

/** The bot's notices in the customer's chat (not the customer's messages), oldest first. */
export function notices(bridge: Bridge, customer: Customer): string[] {
	return bridge
		.messagesOf(customer)
		.filter((m: Message) => m.senderId === bridge.ts.bot.id && !/#/.test(m.externalKey ?? ''))
		.map((m) => m.text);
}

/** Changes the conversation as an operator's command would (through TeamSpirit: version + 1). */
export async function operatorSets(bridge: Bridge, customer: Customer, fields: IDataObject) {
	const chat = bridge.ts.chat(bridge.chatOf(customer)!.id)!;
	await bridge.ts.changeChatAsUser(chat.id, bridge.operator.id, {
		metadata: { ...chat.metadata, ...fields },
	});
}

type Modules = {
	due: typeof DueModule;
	routing: typeof RoutingModule;
	queues: typeof QueuesModule;
	teamspirit: typeof TeamSpiritModule;
};

/** Routes one conversation (`chatId`) of the queue, as Forward to TeamSpirit does; the outcome. */
async function routeOne(m: Modules, ctx: IExecuteFunctions, i: number, json: IDataObject) {
	const queue = (await m.queues.readQueue(ctx, i, String(json.queue)))!.settings;
	const chat = await m.teamspirit.getChat(ctx, i, String(json.chatId));
	const routed = await m.routing.route(ctx, i, queue, chat, { announceWaiting: true });
	return { outcome: routed.outcome, assigneeId: routed.assigneeId ?? null };
}

function probe(m: Modules): INodeType {
	return {
		description: {
			displayName: 'Contact centre (test)',
			name: PROBE,
			group: ['transform'],
			version: 1,
			description: 'Runs centre/due.ts or routing.ts per item',
			defaults: { name: 'Probe' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [{ name: 'teamSpiritApi', required: true }],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const out: INodeExecutionData[] = [];
			for (const [i, { json }] of this.getInputData().entries()) {
				const now = json.now ? new Date(String(json.now)) : new Date();
				const result =
					json.do === 'freed'
						? { assigned: await m.routing.assignFreedSlot(this, i, String(json.queue), now) }
						: json.do === 'route'
							? await routeOne(m, this, i, json)
							: await m.due.processDue(this, i, now);
				out.push({ json: result as IDataObject, pairedItem: { item: i } });
			}
			return [out];
		},
	};
}

/** One more n8n process: a fresh copy of the package's modules. */
function processCopy(): INodeType {
	let node: INodeType | undefined;
	jest.isolateModules(() => {
		/* eslint-disable @typescript-eslint/no-require-imports */
		node = probe({
			due: require('../../../nodes/conversations/centre/due'),
			routing: require('../../../nodes/conversations/centre/routing'),
			queues: require('../../../nodes/conversations/centre/queues'),
			teamspirit: require('../../../nodes/conversations/teamspirit'),
		});
		/* eslint-enable @typescript-eslint/no-require-imports */
	});
	return node!;
}

/** Runs Process Due Conversations (or a freed slot) in a process of its own; its output. */
export async function inProcess(bridge: Bridge, item: IDataObject): Promise<IDataObject> {
	const workflow = {
		id: `wf-centre-${randomUUID().slice(0, 8)}`,
		name: 'centre',
		nodes: [
			{
				parameters: {},
				name: 'Probe',
				type: PROBE,
				typeVersion: 1,
				position: [0, 0],
				id: randomUUID(),
				credentials: { teamSpiritApi: { id: '1', name: 'TeamSpirit' } },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowJson;
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [PROBE]: processCopy() },
		credentialTypes: bridge.credentialTypes,
		credentials: bridge.credentials,
		startNode: 'Probe',
		startItems: [{ json: item }],
	});
	if (result.error) throw result.error;
	return result.nodeOutput('Probe')[0].json;
}
