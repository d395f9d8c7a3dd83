/**
 * The one loop over input items of both action nodes (TeamSpirit, Chat Channel).
 *
 * - **Keys.** Items with the same key (a chat, a conversation) run one after another, in input
 *   order; up to `concurrency` keys run at once. An item without a key is a key of its own.
 * - **Output** in input order, each output item paired with its input item (`pairedItem`).
 * - **Continue On Fail**: a failed item gives an error item in its place; every other item runs.
 *   Without it, the first failure starts no new item, the items already running finish, and the
 *   error of the lowest failed item index is thrown (with that index).
 * - **A key that cannot be read** (e.g. an invalid conversation ID) fails its item before anything
 *   runs: without Continue On Fail nothing is sent at all.
 * - **429**: one pause per server, shared by every request to it from this process (the other keys
 *   of a run, other executions): `pauseSends` / `afterPause`, used by the transports before each
 *   attempt, so the items running side by side wait out one `Retry-After` together.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { monotonicNow } from './clock';
import { withItemIndex } from './errors';

export interface ItemRun {
	/** How many keys run at once (at least 1). */
	concurrency: number;
	/** The item's key; undefined: a key of its own. Throwing fails the item before anything runs. */
	keyOf?(itemIndex: number): string | undefined;
	/** Runs once the keys are read and nothing failed for good, before the first item. */
	prepare?(itemIndexes: number[]): Promise<void>;
	/** One item's output; the runner pairs it with the item. */
	run(itemIndex: number): Promise<INodeExecutionData[]>;
	/** The output item of a failed item under Continue On Fail; default `{ error: message }`. */
	errorItem?(error: unknown): INodeExecutionData;
}

interface RunState {
	results: INodeExecutionData[][];
	failures: Map<number, unknown>;
	continueOnFail: boolean;
}

/** Runs every input item as `plan` says; the node's output for its first output. */
export async function runItems(
	this: IExecuteFunctions,
	plan: ItemRun,
): Promise<INodeExecutionData[]> {
	const count = this.getInputData().length;
	const state: RunState = {
		results: new Array<INodeExecutionData[]>(count),
		failures: new Map(),
		continueOnFail: this.continueOnFail(),
	};
	const queues = queuesByKey(count, plan, state);
	if (!stopped(state)) {
		await plan.prepare?.(queues.flat().sort((a, b) => a - b));
		await runQueues(queues, Math.max(1, plan.concurrency), plan, state);
	}
	if (stopped(state)) {
		const first = Math.min(...state.failures.keys());
		throw withItemIndex(this.getNode(), state.failures.get(first), first);
	}
	return state.results.flatMap((items, item) =>
		(items ?? []).map((output) => ({ ...output, pairedItem: { item } })),
	);
}

const stopped = (state: RunState) => !state.continueOnFail && state.failures.size > 0;

function fail(state: RunState, plan: ItemRun, itemIndex: number, error: unknown): void {
	if (!state.continueOnFail) state.failures.set(itemIndex, error);
	else state.results[itemIndex] = [plan.errorItem?.(error) ?? errorItem(error)];
}

function errorItem(error: unknown): INodeExecutionData {
	return { json: { error: error instanceof Error ? error.message : String(error) } };
}

/** The items grouped by key, keys in the order they first appear, items in input order. */
function queuesByKey(count: number, plan: ItemRun, state: RunState): number[][] {
	const byKey = new Map<string, number[]>();
	const queues: number[][] = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		let key: string | undefined;
		try {
			key = plan.keyOf?.(itemIndex);
		} catch (error) {
			fail(state, plan, itemIndex, error);
			continue;
		}
		const queue = key === undefined ? undefined : byKey.get(key);
		if (queue) {
			queue.push(itemIndex);
			continue;
		}
		queues.push([itemIndex]);
		if (key !== undefined) byKey.set(key, queues[queues.length - 1]);
	}
	return queues;
}

/** Up to `concurrency` workers, each taking the next queue and running its items in order. */
async function runQueues(
	queues: number[][],
	concurrency: number,
	plan: ItemRun,
	state: RunState,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < queues.length && !stopped(state)) {
			for (const itemIndex of queues[next++]) {
				if (stopped(state)) return;
				try {
					state.results[itemIndex] = await plan.run(itemIndex);
				} catch (error) {
					fail(state, plan, itemIndex, error);
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, queues.length) }, worker));
}

/**
 * The 429 pauses of this process, by server (its URL): when sending may resume
 * (`monotonicNow()`).
 */
const pausedUntil = new Map<string, number>();

/** A 429 told one request to wait `delayMs`: every request to `server` waits as long. */
export function pauseSends(server: string, delayMs: number): void {
	const until = monotonicNow() + delayMs;
	if (until > (pausedUntil.get(server) ?? 0)) pausedUntil.set(server, until);
}

/** Resolves once `server` is not paused (at once when it is not). */
export async function afterPause(server: string): Promise<void> {
	for (;;) {
		const until = pausedUntil.get(server);
		if (until === undefined) return;
		const left = until - monotonicNow();
		if (left <= 0) {
			pausedUntil.delete(server);
			return;
		}
		// a pause made longer meanwhile (another 429) is read again after this wait
		await sleep(left);
	}
}
