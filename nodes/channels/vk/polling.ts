/**
 * VK's Bots Long Poll API, the trigger's default mode: works behind a firewall, no public URL.
 * `groups.getLongPollServer` gives a session (`server`, `key`, `ts`); `<server>?act=a_check&key
 * &ts&wait` holds until events come and answers them with the next `ts`. Each batch goes through
 * the receive pipeline (../receive.ts `readEvents`); one conversation's events of a batch start
 * one execution, in order. The `ts` confirms a batch only once its executions were handed to n8n
 * (When Received) or succeeded (After the Workflow Has Run): VK answers the events from an older
 * `ts` again. `failed: 1` (history gone: a new `ts`), `2` (key expired: a new key) and `3`
 * (information lost: a new key and `ts`) are handled as VK documents.
 */
import type { INodeExecutionData, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { acknowledgesAfterRun } from '../../shared/acknowledge';
import { readBody, sendRequest } from '../../shared/http';
import { backoffDelay } from '../../shared/retry';
import { abortableSleep } from '../../shared/sleep';
import type { DownloadBudget } from '../attachments';
import { seenEvents } from '../memory';
import type { EventReader } from '../receive';
import { emitGroups, forgetItem, groupByConversation, readEvents, runGroups } from '../receive';
import { release } from '../sequence';
import type { VkEvent } from './normalize';
import { credentialsOf, vkApiRequest } from './transport';
import type { VkStaticData, VkTriggerContext } from './triggerProperties';
import { optionsOf } from './triggerProperties';

const LABEL = 'Chat Channel Trigger (VK)';

/** How long deactivation waits for the poller to stop. */
const CLOSE_WAIT_MS = 2000;

/** VK's errors that no wait cures: the token, the group, the rights. */
const FATAL_CODES = new Set(['401', '400']);

interface Session {
	server: string;
	key: string;
}

interface Poller {
	ctx: ITriggerFunctions;
	reader: EventReader<VkEvent>;
	groupId: string;
	staticData: VkStaticData;
	signal: AbortSignal;
	wait: number;
	manual: boolean;
	afterRun: boolean;
	session?: Session;
	/** The `ts` to ask from next. */
	ts?: string;
	failures: number;
	failedRuns: number;
	secrets: string[];
}

type Answer = { ts?: string | number; updates?: VkEvent[]; failed?: number };

export async function startPolling(
	ctx: ITriggerFunctions,
	readerOf: (
		ctx: VkTriggerContext,
		community: { groupId: string; apiUrl: string },
	) => EventReader<VkEvent>,
): Promise<ITriggerResponse> {
	const options = optionsOf(ctx);
	const staticData = ctx.getWorkflowStaticData('node') as VkStaticData;
	const { groupId, apiUrl, secrets } = await credentialsOf(ctx);
	const controller = new AbortController();
	const poller: Poller = {
		ctx,
		reader: readerOf(ctx, { groupId, apiUrl }),
		groupId,
		staticData,
		signal: controller.signal,
		wait: Math.min(90, Math.max(1, Math.round(Number(options.pollWait ?? 25)))),
		manual: ctx.getMode() === 'manual',
		afterRun: acknowledgesAfterRun(ctx),
		// a manual test starts from now; production continues where it confirmed
		ts: ctx.getMode() === 'manual' ? undefined : staticData.ts,
		failures: 0,
		failedRuns: 0,
		secrets,
	};
	// the first session now: a wrong token or group fails the activation with VK's reason
	await openSession(poller);
	const running = loop(poller).catch((error) => {
		if (!controller.signal.aborted) ctx.emitError(error as Error);
	});
	return {
		closeFunction: async () => {
			controller.abort();
			const done = new AbortController();
			await Promise.race([running, abortableSleep(CLOSE_WAIT_MS, done.signal)]);
			done.abort();
		},
	};
}

/** A new long-poll session; the position stays where it is, if there is one (a restart, an expired key). */
async function openSession(poller: Poller): Promise<void> {
	const session = await vkApiRequest<{ server?: string; key?: string; ts?: string | number }>(
		poller.ctx,
		{
			method: 'groups.getLongPollServer',
			params: { group_id: poller.groupId },
			idempotent: true,
			abortSignal: poller.signal,
		},
	);
	if (!session?.server || !session.key)
		throw new NodeOperationError(poller.ctx.getNode(), 'VK gave no long poll server', {
			description: 'Turn the Long Poll API on: Community management → API usage → Long Poll API.',
		});
	const server = /^https?:\/\//i.test(session.server)
		? session.server
		: `https://${session.server}`;
	poller.session = { server, key: session.key };
	if (poller.ts === undefined) poller.ts = String(session.ts ?? '');
}

async function loop(poller: Poller): Promise<void> {
	while (!poller.signal.aborted) {
		const batch = await nextBatch(poller);
		if (batch === 'stop') return;
		if (!batch) continue;
		const groups = await readBatch(poller, batch.updates);
		if (groups === 'stop') return;
		if (poller.manual) continue;
		await confirm(poller, groups, batch.from, batch.next);
	}
}

/** One a_check: the events and the `ts` after them; undefined after a failure (waited). */
async function nextBatch(
	poller: Poller,
): Promise<{ updates: VkEvent[]; from: string; next: string } | undefined | 'stop'> {
	try {
		if (!poller.session) await openSession(poller);
		const { server, key } = poller.session!;
		const from = poller.ts ?? '';
		const response = await sendRequest(poller.ctx, {
			options: {
				method: 'GET',
				url: server,
				qs: { act: 'a_check', key, ts: from, wait: poller.wait },
				headers: { Accept: 'application/json' },
			},
			timeoutMs: (poller.wait + 15) * 1000,
			abortSignal: poller.signal,
			redirects: 'sameOrigin',
			retry: { retryServerErrors: true, maxAttempts: 1, abortSignal: poller.signal },
		});
		if (poller.signal.aborted) return 'stop';
		if (response.networkError !== undefined) throw response.networkError;
		const answer = await readBody<Answer>(response.body, poller.secrets, () => ({}));
		if (response.statusCode < 200 || response.statusCode >= 300 || !answer)
			throw new Error(`the long poll server answered HTTP ${response.statusCode}`);
		if (answer.failed !== undefined) {
			handleFailed(poller, answer);
			return undefined;
		}
		// an answer without events is not VK's: waited out like a failure (no busy loop)
		if (!Array.isArray(answer.updates))
			throw new Error('the long poll server answered without "updates"');
		poller.failures = 0;
		return {
			updates: answer.updates,
			from,
			next: String(answer.ts ?? from),
		};
	} catch (error) {
		if (poller.signal.aborted) return 'stop';
		const code = String((error as { httpCode?: unknown }).httpCode ?? '');
		if (FATAL_CODES.has(code)) {
			stopWith(poller.ctx, error);
			return 'stop';
		}
		poller.failures++;
		const delay = backoffDelay(poller.failures, 1000, 30_000);
		poller.ctx.logger.warn(
			`${LABEL}: the long poll failed (${(error as Error).message}); polling again in ${delay} ms`,
		);
		await abortableSleep(delay, poller.signal);
		return undefined;
	}
}

/** VK's `failed`: 1 the history is gone (its new `ts`), 2 the key expired, 3 start anew. */
function handleFailed(poller: Poller, answer: Answer): void {
	if (answer.failed === 1) {
		poller.ctx.logger.warn(
			`${LABEL}: VK no longer has the events from ts ${poller.ts}; continuing from ${String(answer.ts)} ` +
				'(events in between were not received)',
		);
		poller.ts = String(answer.ts ?? '');
		if (!poller.ts) poller.session = undefined;
		return;
	}
	poller.session = undefined;
	if (answer.failed !== 2) poller.ts = undefined;
}

/** Ends the poller with an error n8n shows on the workflow. */
function stopWith(ctx: ITriggerFunctions, error: unknown): void {
	const message = (error as Error).message;
	ctx.logger.error(`${LABEL}: ${message}`);
	ctx.emitError(
		new NodeOperationError(ctx.getNode(), message, {
			description: (error as { description?: string }).description ?? undefined,
		}),
	);
}

/**
 * A batch through the pipeline, grouped by conversation (one execution each). One
 * conversation's files of the batch share one budget. 'stop' when the poller stopped, or a
 * manual test emitted its first item.
 */
async function readBatch(
	poller: Poller,
	batch: VkEvent[],
): Promise<INodeExecutionData[][] | 'stop'> {
	const { ctx, reader, signal } = poller;
	const budgets = new Map<string, DownloadBudget>();
	const budgetOf = (event: VkEvent) => {
		const object = (event.object ?? {}) as { message?: { peer_id?: number }; peer_id?: number };
		const peer = String(object.message?.peer_id ?? object.peer_id ?? `#${String(event.event_id)}`);
		if (!budgets.has(peer)) budgets.set(peer, reader.files!.budget());
		return budgets.get(peer);
	};
	let stop = false;
	const { items } = await readEvents(
		ctx,
		{ label: LABEL },
		reader,
		batch,
		{ seen: (id) => !poller.manual && !seenEvents.add(id), budgetOf, signal },
		(_event, read) => {
			if (signal.aborted) {
				// not emitted: the next start reads it again
				if (typeof read === 'object') forgetItem(read);
				return !(stop = true);
			}
			if (!poller.manual || typeof read !== 'object') return true;
			release(read.json);
			ctx.emit([[read]]);
			return !(stop = true);
		},
	);
	if (stop) return 'stop';
	return poller.manual ? [] : groupByConversation(items);
}

/**
 * Starts the batch's executions and confirms the batch. When Received: the next `ts` is saved
 * with the emit (n8n stores static data when a trigger emits). After the Workflow Has Run: the
 * saved `ts` stays at the batch until every execution succeeded; after a failed or crashed one
 * the batch is asked for again (its succeeded events are known and start nothing).
 */
async function confirm(
	poller: Poller,
	groups: INodeExecutionData[][],
	from: string,
	next: string,
): Promise<void> {
	poller.ts = next;
	if (!poller.afterRun) {
		poller.staticData.ts = next;
		emitGroups(poller.ctx, groups);
		return;
	}
	poller.staticData.ts = from;
	const failed = await runGroups(poller.ctx, groups, poller.signal);
	if (!failed || poller.signal.aborted) return;
	if (!failed.length) {
		poller.failedRuns = 0;
		poller.staticData.ts = next;
		return;
	}
	poller.ts = from;
	const delay = backoffDelay(++poller.failedRuns, 1000, 60_000);
	poller.ctx.logger.warn(
		`${LABEL}: an execution of the events from ts ${from} did not succeed; ` +
			`they are emitted again in ${delay} ms`,
	);
	await abortableSleep(delay, poller.signal);
}
