/**
 * Exactly once across n8n processes, for sends the platform offers no key for (Telegram, Twilio
 * and Meta have no idempotency key): a send caused by an event is claimed in n8n's shared store
 * first, and only the execution that wins the claim sends.
 *
 * The store is n8n's own dedupe store, `this.helpers.checkProcessedAndRecord` (what n8n's Remove
 * Duplicates node uses): the table `processed_data` in n8n's database, one row per workflow and
 * node holding the recorded values. Every n8n process (main, webhook processors, workers) reaches
 * it. It is **not atomic**: n8n 2.41 reads the row, adds the new values and writes the whole row
 * back (cli `deduplication/deduplication-helper.js`: `findOne`, then `update`, no transaction, no
 * lock; only the first `insert` of a row is guarded, by its primary key). Two processes recording
 * the same value at the same moment are both told it is new, and the later write drops whatever
 * the earlier one added.
 *
 * So a claim is two steps: record the key together with a token only this claim knows, wait until
 * every write that read the row before ours has landed (`settleMs`: far longer than one write),
 * and read back. The claim is won when the token is still there. When another claim's record of
 * the key replaced ours, the key is there without our token: the other one won. When both are
 * gone (a write for another event replaced the row with an older copy), the read-back recorded
 * them again and the claim waits and reads once more. Two executions can only both win if writes
 * to the row overlap without pause for the whole wait; within one process, the node's writes to
 * its row are made one at a time.
 *
 * A claim held by this execution stays won for n8n's *Retry On Fail* (same execution, same
 * process). A send that failed without reaching the platform is released, so a later execution
 * (n8n's *Retry*) sends it.
 */
import { randomBytes } from 'crypto';
import type { IExecuteFunctions, ICheckProcessedOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { BoundedMap } from './dedupe';
import { abortableSleep } from './sleep';

/** n8n keeps the newest values of a row only; two per claim (the key and its token). */
const STORE: ICheckProcessedOptions = { mode: 'entries', maxEntries: 10_000 };
/** The wait before reading a claim back: far longer than one write of the row takes. */
const SETTLE_MS = 500;
/** Read-backs before giving up (each after another wait). */
const ROUNDS = 5;

/** Claims won by executions of this process: key → execution id (for Retry On Fail). */
const held = new BoundedMap<string>(20_000, 60 * 60 * 1000);

/** One store operation at a time per workflow node in this process. */
const queues = new Map<string, Promise<unknown>>();

function rowOf(ctx: IExecuteFunctions): string {
	return `${ctx.getWorkflow().id ?? ''}|${ctx.getNode().id}`;
}

async function oneAtATime<T>(row: string, op: () => Promise<T>): Promise<T> {
	const before = queues.get(row) ?? Promise.resolve();
	const mine = before.then(op, op);
	const tail = mine.catch(() => undefined);
	queues.set(row, tail);
	try {
		return await mine;
	} finally {
		if (queues.get(row) === tail) queues.delete(row);
	}
}

/** Records `values` in the node's row; returns the ones that were there already. */
async function record(ctx: IExecuteFunctions, values: string[]): Promise<Set<string>> {
	return await oneAtATime(rowOf(ctx), async () => {
		for (let attempt = 0; ; attempt++) {
			try {
				const result = await ctx.helpers.checkProcessedAndRecord(values, 'node', STORE);
				return new Set(result.processed.map(String));
			} catch (error) {
				// the row's first insert raced another process's (primary key): it exists now
				if (attempt === 0 && /duplicate|unique|constraint/i.test((error as Error).message))
					continue;
				throw new NodeOperationError(
					ctx.getNode(),
					`Could not record the send in n8n's database: ${(error as Error).message}`,
					{
						description:
							'Nothing was sent. The node records each send caused by an event, so that a ' +
							'second execution of the same event does not send it again.',
					},
				);
			}
		}
	});
}

/**
 * Claims `keys` (one per send): returns the ones this execution may send. The others were claimed
 * by another execution (a second delivery of the same event, in this or another n8n process).
 */
export async function claimSends(ctx: IExecuteFunctions, keys: string[]): Promise<Set<string>> {
	const executionId = ctx.getExecutionId();
	const won = new Set<string>();
	let open: string[] = [];
	for (const key of new Set(keys)) {
		if (held.get(key) === executionId) won.add(key);
		else open.push(key);
	}
	if (!open.length) return won;

	const token = randomBytes(12).toString('hex');
	const mine = (key: string) => `${key}#${token}`;
	const values = (list: string[]) => [...list.map(mine), ...list];

	const known = await record(ctx, values(open));
	open = open.filter((key) => !known.has(key));
	const signal = ctx.getExecutionCancelSignal?.();
	for (let round = 0; open.length && round < ROUNDS; round++) {
		if (!(await abortableSleep(SETTLE_MS, signal))) break;
		const seen = await record(ctx, values(open));
		const again: string[] = [];
		for (const key of open) {
			if (seen.has(mine(key))) {
				won.add(key);
				held.set(key, executionId);
			} else if (!seen.has(key)) again.push(key);
			// else: the key is recorded without our token: another claim replaced ours and won
		}
		open = again;
	}
	if (open.length) {
		throw new NodeOperationError(ctx.getNode(), 'Could not claim the send in n8n’s database', {
			description:
				'Nothing was sent: the record of it was overwritten again and again by other ' +
				'executions of this node. Retry the execution.',
		});
	}
	return won;
}

/** Gives claims up again (the send failed before reaching the platform). */
export async function releaseSends(ctx: IExecuteFunctions, keys: string[]): Promise<void> {
	if (!keys.length) return;
	for (const key of keys) held.delete(key);
	await oneAtATime(rowOf(ctx), async () => {
		await ctx.helpers.removeProcessed(keys, 'node', STORE);
	});
}
