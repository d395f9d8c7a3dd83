/**
 * Send and Wait for Response of the TeamSpirit node through the engine: a workflow
 * (Trigger → Items → "Ask" (sendAndWait) → "After" (posts what Ask gave)), started until it
 * waits, and the links of the wait message it posted. Shared by the send-and-wait suites.
 */
import * as http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INode } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpirit } from '../../../nodes/TeamSpirit/TeamSpirit.node';
import type { Message, TeamSpiritEmulator } from '../../emulators/teamspirit';
import { startExecution, type Execution, type RunOptions, type WorkflowJson } from '../../harness';

export const NODE_TYPE = 'n8n-nodes-teamspirit.teamSpirit';
export const ASK_NODE_ID = '7a1c0de0-0000-4000-8000-00000000a5c0';

/** A browser's user agent: what a person's click sends. */
export const BROWSER =
	'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

const node = (name: string, type: string, parameters: IDataObject, x: number): INode => ({
	id: name === 'Ask' ? ASK_NODE_ID : `7a1c0de0-0000-4000-8000-${String(x).padStart(12, '0')}`,
	name,
	type,
	typeVersion: 1,
	position: [x, 300],
	parameters: parameters as INode['parameters'],
	...(type === NODE_TYPE ? { credentials: { teamSpiritApi: { id: '1', name: 'TeamSpirit' } } } : {}),
});

/** The workflow; `ask` are the Ask node's parameters beside the chat and operation. */
export function sendAndWaitWorkflow(chatId: string, ask: IDataObject): WorkflowJson {
	const chat = { __rl: true, mode: 'id', value: chatId };
	const nodes = [
		node('Start', 'n8n-nodes-base.manualTrigger', {}, 100),
		node('Items', 'teamspiritTest.items', { items: '[{"order": 42}, {"order": 43}]' }, 300),
		node('Ask', NODE_TYPE, { resource: 'message', operation: 'sendAndWait', chatId: chat, ...ask }, 500),
		node(
			'After',
			NODE_TYPE,
			{
				resource: 'message',
				operation: 'send',
				chatId: chat,
				text: '=After: {{ JSON.stringify($json.data ?? $json.order) }}',
			},
			700,
		),
	];
	const to = (name: string) => ({ main: [[{ node: name, type: 'main', index: 0 }]] });
	return {
		name: 'Send and wait',
		nodes,
		connections: { Start: to('Items'), Items: to('Ask'), Ask: to('After') } as WorkflowJson['connections'],
		settings: { executionOrder: 'v1' },
	};
}

export function runOptions(emulator: { url: string; apiKey: string }, workflow: WorkflowJson): RunOptions {
	return {
		workflow,
		nodeTypes: { [NODE_TYPE]: new TeamSpirit() },
		credentialTypes: [new TeamSpiritApi()],
		credentials: { teamSpiritApi: { serverUrl: emulator.url, apiKey: emulator.apiKey } },
	};
}

/** Starts the workflow until Ask waits. `server` defaults to the emulator (a proxy may stand in). */
export async function startWaiting(
	emulator: TeamSpiritEmulator,
	chatId: string,
	ask: IDataObject,
	server: { url: string; apiKey: string } = emulator,
): Promise<Execution> {
	return await startExecution(runOptions(server, sendAndWaitWorkflow(chatId, ask)));
}

/** The wait message of an execution (by its key), whether open or answered. */
export function waitMessage(emulator: TeamSpiritEmulator, chatId: string, executionId: string): Message {
	const found = emulator
		.messagesIn(chatId)
		.find((m) => [`wait:${executionId}:${ASK_NODE_ID}`, `answered:${executionId}:${ASK_NODE_ID}`].includes(m.externalKey ?? ''));
	if (!found) throw new Error(`No wait message of execution ${executionId} in ${chatId}`);
	return found;
}

/** The markdown links of a text: label → URL. */
export function linksOf(text: string): Record<string, string> {
	return Object.fromEntries([...text.matchAll(/\[((?:\\.|[^\]\\])+)\]\((\S+?)\)/g)].map((m) => [m[1].replace(/\\(.)/g, '$1'), m[2]]));
}

export const formBody = (fields: Record<string, string | string[]>) => {
	const params = new URLSearchParams();
	for (const [name, value] of Object.entries(fields)) {
		for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
	}
	return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': BROWSER }, body: params.toString() };
};

/**
 * A pass-through proxy in front of TeamSpirit that holds PATCH requests until `count` of them
 * are waiting, then forwards them together (or after 15 s, so a test that expected a race it did
 * not get fails on its assertions instead of hanging): both answers have read the message first.
 */
export async function patchBarrier(target: string, count: number) {
	const held: Array<() => void> = [];
	const server = http.createServer((req, res) => {
		const forward = () => {
			const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			});
			upstream.on('error', () => res.destroy());
			req.pipe(upstream);
		};
		if (req.method !== 'PATCH') return forward();
		held.push(forward);
		if (held.length >= count) held.splice(0).forEach((go) => go());
		else setTimeout(() => held.splice(0).forEach((go) => go()), 15_000).unref();
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		async stop() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
