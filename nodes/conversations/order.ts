/**
 * Order and patience for the conversation bridge, in one n8n process.
 *
 * - `inOrder`: the executions of one conversation run the bridge one at a time, in the order they
 *   reached it; other conversations go on side by side. A burst of messages from one customer (or
 *   one operator) therefore arrives in the order it was sent, also when the first waits out an
 *   outage. This is process memory: it orders, it never guarantees an effect happens once (the
 *   keys kept in TeamSpirit do that, in every process).
 * - `afterPredecessors`: before that, a message waits for the messages of its conversation that
 *   come before it in the channel's own sequence and that this process has received but not yet
 *   handled (nodes/channels/sequence.ts): an execution that got ahead of an earlier message's
 *   execution lets it go first. The wait is bounded: 30 s for a predecessor that has not reached
 *   this step yet (its execution may have stopped before it, or be lost), the patience for one that
 *   is being forwarded (it may be waiting through an outage).
 * - `untilAvailable`: runs a step again while the server says it did not take it (or, for a step
 *   that is safe to repeat, while the answer is lost), with backoff capped at 15 s, until the
 *   patience runs out or the execution is cancelled.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { monotonicNow } from '../shared/clock';
import { markActive, predecessorsOf, touch, type Sequenced } from '../channels/sequence';
import { channelMessageIdsOf } from './keys';
import { recentMessages } from './teamspirit';
import { withItemIndex } from '../shared/errors';
import { outcomeOf } from '../shared/outcome';
import { abortableSleep } from '../shared/sleep';

const tails = new Map<string, Promise<void>>();

export async function inOrder<T>(key: string, step: () => Promise<T>): Promise<T> {
	const previous = tails.get(key) ?? Promise.resolve();
	let release: () => void = () => undefined;
	const mine = new Promise<void>((resolve) => (release = resolve));
	const tail = previous.then(async () => await mine);
	tails.set(key, tail);
	try {
		await previous;
		return await step();
	} finally {
		release();
		if (tails.get(key) === tail) tails.delete(key);
	}
}

/** How long a message waits for an earlier one that has not reached the bridge yet. */
const ANNOUNCED_WAIT_MS = 30_000;

/**
 * Waits until no earlier message of `message`'s conversation is in flight in this process (see
 * the file's comment), then marks `message` as being worked on. Resolves with how many earlier
 * messages it waited for (0: none); never throws: past the bound it goes on.
 */
export async function afterPredecessors(
	ctx: IExecuteFunctions,
	message: Sequenced,
	patienceMs: number,
): Promise<number> {
	const signal = ctx.getExecutionCancelSignal?.();
	const started = monotonicNow();
	let waitedFor = 0;
	for (;;) {
		// still waiting: not forgotten by its successors, however long the wait
		touch(message);
		const before = predecessorsOf(message);
		if (!before) break;
		if (!waitedFor)
			ctx.logger.info(
				`Conversation ${String(message.conversationId)}: message ${String(message.messageId)} ` +
					`waits for ${before.count} earlier message(s) of the conversation still in flight`,
			);
		waitedFor = Math.max(waitedFor, before.count);
		const limit = before.active ? Math.max(patienceMs, ANNOUNCED_WAIT_MS) : ANNOUNCED_WAIT_MS;
		const left = started + limit - monotonicNow();
		if (left <= 0 || signal?.aborted) break;
		// woken by the release, or every second to look again (a predecessor may become active)
		const timer = new AbortController();
		const cancel = () => timer.abort();
		signal?.addEventListener('abort', cancel, { once: true });
		try {
			await Promise.race([before.released, abortableSleep(Math.min(left, 1000), timer.signal)]);
		} finally {
			timer.abort();
			signal?.removeEventListener('abort', cancel);
		}
	}
	markActive(message);
	return waitedFor;
}

/** How many of a chat's newest messages `arrivesLate` reads. */
const LATE_LOOKBACK = 20;

/**
 * Whether TeamSpirit already holds a later customer message of this conversation than
 * `channelMessageId` (another process forwarded it first: queue mode): one of the chat's newest
 * messages carries a key naming a higher channel message id. The caller asks only for channels
 * whose message ids grow within a conversation (the adapter's `messageId.growing`).
 */
export async function arrivesLate(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	conversation: string,
	channelMessageId: string,
): Promise<boolean> {
	const mine = Number(channelMessageId);
	if (!/^\d+$/.test(channelMessageId) || !Number.isSafeInteger(mine)) return false;
	const newest = await recentMessages(ctx, itemIndex, chatId, LATE_LOOKBACK);
	return newest.some((held) =>
		channelMessageIdsOf(held.externalKey, conversation).some(
			(id) => /^\d+$/.test(id) && Number(id) > mine,
		),
	);
}

/** The line that heads a message `arrivesLate` found late: when it was sent, and that it is. */
export function lateLine(timestamp: unknown): string {
	const at = typeof timestamp === 'string' ? new Date(timestamp) : undefined;
	const when = at && !Number.isNaN(at.getTime()) ? ` at ${at.toISOString().slice(11, 19)} UTC` : '';
	return `(Sent${when}, before the message above: it reached TeamSpirit late.)`;
}

/** Waits between attempts: 1 s doubling up to 15 s, so a recovery is noticed within 15 s. */
const FIRST_WAIT_MS = 1000;
const MAX_WAIT_MS = 15_000;

export interface Patience {
	/** How long to keep trying, in ms (0: one attempt). */
	ms: number;
	/** Whether a lost answer may be retried too (the step is idempotent, e.g. keyed). */
	repeatable: boolean;
	/** Called before each wait, e.g. to log. */
	onWait?: (error: unknown, waitMs: number) => void;
}

/**
 * `step()`, again while it fails in a way that sending again cannot duplicate, within
 * `patience.ms`. A refusal (4xx) and, for a step that is not repeatable, a lost answer end it at
 * once; so does cancelling the execution. Throws the last error.
 */
export async function untilAvailable<T>(
	ctx: IExecuteFunctions,
	patience: Patience,
	step: () => Promise<T>,
): Promise<T> {
	const deadline = monotonicNow() + Math.max(0, patience.ms);
	const signal = ctx.getExecutionCancelSignal?.();
	let wait = FIRST_WAIT_MS;
	for (;;) {
		try {
			return await step();
		} catch (error) {
			const outcome = outcomeOf(error);
			const retryable = outcome === 'notTaken' || (outcome === 'unknown' && patience.repeatable);
			if (!retryable || monotonicNow() + wait > deadline || signal?.aborted)
				throw withItemIndex(ctx.getNode(), error);
			patience.onWait?.(error, wait);
			if (!(await abortableSleep(wait, signal))) throw withItemIndex(ctx.getNode(), error);
			wait = Math.min(wait * 2, MAX_WAIT_MS);
		}
	}
}

/** The bridge operations' "Wait Through Outages (Minutes)" option; `description` says what waits. */
export function waitOption(description: string): INodeProperties {
	return {
		displayName: 'Wait Through Outages (Minutes)',
		name: 'waitMinutes',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 60 },
		default: 10,
		description,
	};
}

/** The option in ms (default 10 minutes, at most 60). */
export function patienceMs(options: IDataObject): number {
	const minutes = options.waitMinutes === undefined ? 10 : Number(options.waitMinutes);
	return Math.round(Math.min(60, Math.max(0, Number.isFinite(minutes) ? minutes : 10)) * 60_000);
}
