/**
 * A conversation's state on its chat's metadata (centre/state.ts), through the engine and the
 * TeamSpirit emulator: two n8n processes (isolated module copies) change one conversation from the
 * same version at the same moment and neither change is lost (If-Match, 412, applied again); a
 * change that changes nothing writes nothing; chats made before read as open; the metadata filters
 * of `GET /chats` find conversations by state.
 */
import { randomUUID } from 'node:crypto';

import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import type * as StateModule from '../../../nodes/conversations/centre/state';
import type * as TeamSpiritModule from '../../../nodes/conversations/teamspirit';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { runWorkflow, type WorkflowJson } from '../../harness';

const PROBE = 'teamspiritTest.conversationState';

type Modules = { state: typeof StateModule; ts: typeof TeamSpiritModule };

/** A node that runs one of the state functions per item: one "n8n process" per module copy. */
function probe(modules: Modules): INodeType {
	const description: INodeTypeDescription = {
		displayName: 'Conversation state (test)',
		name: PROBE,
		group: ['transform'],
		version: 1,
		description: 'Runs centre/state.ts per item',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'teamSpiritApi', required: true }],
		properties: [],
	};
	return {
		description,
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const out: INodeExecutionData[] = [];
			for (const [i, item] of this.getInputData().entries()) {
				out.push({ json: await run(this, i, item.json, modules), pairedItem: { item: i } });
			}
			return [out];
		},
	};
}

async function run(ctx: IExecuteFunctions, i: number, json: IDataObject, m: Modules) {
	if (json.do === 'change') {
		const set = json.set as StateModule.StateChange;
		const chat = json.chat as TeamSpiritModule.ConversationChat;
		const result = await m.state.changeConversation(ctx, i, chat ?? String(json.chatId), () => set);
		return { changed: result.changed, after: result.after } as unknown as IDataObject;
	}
	if (json.do === 'list') {
		const filters = json.filters as TeamSpiritModule.ChatFilters;
		const page = await m.ts.listChats(ctx, i, { ...filters, limit: 1 });
		const all = await m.ts.listAllChats(ctx, i, filters);
		return { firstPage: page.items.map((c) => c.id), all: all.map((c) => c.id) };
	}
	return { state: m.state.stateOf(json.chat as IDataObject) } as unknown as IDataObject;
}

/** One more "n8n process": a fresh copy of the package's modules. */
function processCopy(): INodeType {
	let node: INodeType | undefined;
	jest.isolateModules(() => {
		/* eslint-disable @typescript-eslint/no-require-imports */
		node = probe({
			state: require('../../../nodes/conversations/centre/state'),
			ts: require('../../../nodes/conversations/teamspirit'),
		});
		/* eslint-enable @typescript-eslint/no-require-imports */
	});
	return node!;
}

function workflow(): WorkflowJson {
	return {
		id: `wf-state-${randomUUID().slice(0, 8)}`,
		name: 'state',
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
}

let ts: TeamSpiritEmulator;
beforeEach(async () => {
	ts = await TeamSpiritEmulator.start();
});
afterEach(async () => {
	await ts.stop();
});

async function runProbe(node: INodeType, items: IDataObject[]) {
	const result = await runWorkflow({
		workflow: workflow(),
		nodeTypes: { [PROBE]: node },
		credentialTypes: [new TeamSpiritApi()],
		credentials: { teamSpiritApi: { serverUrl: ts.url, apiKey: ts.apiKey } },
		startNode: 'Probe',
		startItems: items.map((json) => ({ json })),
	});
	expect(result.error?.message).toBeUndefined();
	return result.nodeOutput('Probe').map((item) => item.json);
}

const CUSTOMER = {
	channel: 'telegram',
	account: '1',
	conversationId: '1001',
	customer: { id: '1001', name: 'Anna' },
};

/** The chat as GET /chats/{id} answers it now (with its version). */
async function read(chatId: string): Promise<TeamSpiritModule.ConversationChat> {
	const answer = await fetch(`${ts.url}/api/v1/chats/${chatId}`, {
		headers: { Authorization: `Bearer ${ts.apiKey}` },
	});
	return (await answer.json()) as TeamSpiritModule.ConversationChat;
}

describe('Conversation state on the chat (centre/state.ts)', () => {
	it('two processes changing one conversation from the same version at once: both changes survive', async () => {
		const chat = ts.addChat({ title: 'Anna (Telegram)', metadata: { ...CUSTOMER } });
		const seen = await read(chat.id);
		expect(seen.version).toEqual(expect.any(Number));

		const [a, b] = await Promise.all([
			runProbe(processCopy(), [
				{ do: 'change', chat: seen, set: { assigneeId: 'u_alice', status: 'open' } },
			]),
			runProbe(processCopy(), [
				{
					do: 'change',
					chat: seen,
					set: { times: { firstResponseAt: '2026-12-05T10:00:00.000Z' } },
				},
			]),
		]);

		expect([a[0].changed, b[0].changed]).toEqual([true, true]);
		const now = ts.chats.get(chat.id)!;
		expect(now.metadata).toMatchObject({
			...CUSTOMER,
			status: 'open',
			assigneeId: 'u_alice',
			times: { firstResponseAt: '2026-12-05T10:00:00.000Z' },
		});
		// both wrote at the version they saw: one was told it was stale and wrote again
		const patches = ts.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(chat.id));
		expect(patches.map((r) => r.status).sort()).toEqual([200, 200, 412]);
	});

	it('a change that changes nothing writes nothing; one that does, writes the whole state', async () => {
		const chat = ts.addChat({ title: 'Anna (Telegram)', metadata: { ...CUSTOMER } });
		const [first] = await runProbe(processCopy(), [
			{ do: 'change', chatId: chat.id, set: { queue: 'Support' } },
		]);
		expect(first.changed).toBe(true);
		expect(ts.chats.get(chat.id)!.metadata).toMatchObject({
			...CUSTOMER,
			status: 'open',
			queue: 'Support',
			assigneeId: null,
			times: { createdAt: chat.createdAt },
		});
		const before = ts.requests.length;
		const [again] = await runProbe(processCopy(), [
			{ do: 'change', chatId: chat.id, set: { queue: 'Support' } },
		]);
		expect(again.changed).toBe(false);
		expect(ts.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
	});

	it('a chat made before the contact centre reads as open, unassigned, with its own creation time', async () => {
		const [out] = await runProbe(processCopy(), [
			{ do: 'state', chat: { metadata: CUSTOMER, createdAt: '2026-01-01T00:00:00.000Z' } },
		]);
		expect(out.state).toEqual({
			status: 'open',
			snoozedUntil: null,
			assigneeId: null,
			queue: null,
			times: {
				createdAt: '2026-01-01T00:00:00.000Z',
				firstCustomerMessageAt: null,
				lastCustomerMessageAt: null,
				firstResponseAt: null,
				lastOperatorMessageAt: null,
				resolvedAt: null,
			},
			rating: null,
			ratingAskedAt: null,
			awayRepliedFor: null,
			greeted: false,
			closing: null,
			// the operators answer it: no bot, no handover, no bot answers
			owner: 'operator',
			handovers: 0,
			botReplies: [],
			handover: null,
		});
	});

	it('GET /chats metadata filters find conversations by state, over every page', async () => {
		const open1 = ts.addChat({
			title: 'A',
			metadata: { ...CUSTOMER, status: 'open', queue: 'Sales' },
		});
		ts.addChat({ title: 'B', metadata: { ...CUSTOMER, status: 'resolved', queue: 'Sales' } });
		const open2 = ts.addChat({
			title: 'C',
			metadata: { ...CUSTOMER, status: 'open', queue: 'Sales' },
		});
		ts.addChat({ title: 'D', metadata: { ...CUSTOMER, status: 'open', queue: 'Support' } });
		const [out] = await runProbe(processCopy(), [
			{ do: 'list', filters: { metadata: { status: 'open', queue: 'Sales' } } },
		]);
		expect(out).toEqual({ firstPage: [open1.id], all: [open1.id, open2.id] });
	});
});
