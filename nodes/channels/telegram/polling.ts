/**
 * Telegram's long polling (getUpdates), the trigger's default mode: works behind a firewall, no
 * public URL. Each batch goes through the receive pipeline (../receive.ts `readEvents`); one
 * chat's updates of a batch start one execution, in order. The offset confirms a batch to
 * Telegram only once its executions were handed to n8n (When Received) or succeeded (After the
 * Workflow Has Run).
 */
import type {
	INodeExecutionData,
	ITriggerFunctions,
	ITriggerResponse,
	NodeApiError,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { acknowledgesAfterRun } from '../../shared/acknowledge';
import { backoffDelay } from '../../shared/retry';
import { abortableSleep, clampServerWait } from '../../shared/sleep';
import type { DownloadBudget } from '../attachments';
import { seenEvents } from '../memory';
import type { EventReader } from '../receive';
import { emitGroups, forgetItem, groupByConversation, readEvents, runGroups } from '../receive';
import { release } from '../sequence';
import type { TgUpdate } from './normalize';
import { messageOf } from './normalize';
import { credentialsOf, redact, retryAfterFromBody, telegramApiRequest } from './transport';
import type { TelegramStaticData, TriggerContext, TriggerOptions } from './triggerProperties';
import { allowedUpdates, optionsOf } from './triggerProperties';

/** How long deactivation waits for the poller to stop. */
const CLOSE_WAIT_MS = 2000;

const LABEL = 'Chat Channel Trigger';

interface Poller {
	ctx: ITriggerFunctions;
	reader: EventReader<TgUpdate>;
	staticData: TelegramStaticData;
	signal: AbortSignal;
	/** The long poll's timeout in seconds, and the update types asked for. */
	timeout: number;
	updates: string[];
	manual: boolean;
	afterRun: boolean;
	/** The next update_id to ask for. A manual test never saves it (that is production's). */
	offset: number;
	failures: number;
	conflicts: number;
	failedRuns: number;
}

export async function startPolling(
	ctx: ITriggerFunctions,
	readerOf: (ctx: TriggerContext, botId: string) => EventReader<TgUpdate>,
): Promise<ITriggerResponse> {
	const options = optionsOf(ctx);
	const staticData = ctx.getWorkflowStaticData('node') as TelegramStaticData;
	const { botId } = await credentialsOf(ctx);
	await ensureNoWebhook(ctx, options);
	const controller = new AbortController();
	const poller: Poller = {
		ctx,
		reader: readerOf(ctx, botId),
		staticData,
		signal: controller.signal,
		timeout: Math.min(50, Math.max(1, Math.round(Number(options.pollTimeout ?? 30)))),
		updates: allowedUpdates(ctx),
		manual: ctx.getMode() === 'manual',
		afterRun: acknowledgesAfterRun(ctx),
		offset: Number(staticData.offset ?? 0),
		failures: 0,
		conflicts: 0,
		failedRuns: 0,
	};
	const running = loop(poller).catch((error) => {
		if (!controller.signal.aborted) ctx.emitError(error as Error);
	});
	return {
		// Every wait and request of the loop listens to `signal`: it ends at once. Deactivation
		// waits for it at most CLOSE_WAIT_MS, whatever n8n's HTTP client does with the abort.
		closeFunction: async () => {
			controller.abort();
			const done = new AbortController();
			await Promise.race([running, abortableSleep(CLOSE_WAIT_MS, done.signal)]);
			done.abort();
		},
	};
}

async function loop(poller: Poller): Promise<void> {
	while (!poller.signal.aborted) {
		const batch = await nextBatch(poller);
		if (batch === 'stop') return;
		if (!batch) continue;
		const batchStart = poller.offset;
		const groups = await readBatch(poller, batch);
		if (groups === 'stop') return;
		if (poller.manual) continue;
		await confirm(poller, groups, batchStart);
	}
}

async function ensureNoWebhook(ctx: ITriggerFunctions, options: TriggerOptions): Promise<void> {
	const info = await telegramApiRequest<{ url?: string }>(ctx, {
		method: 'getWebhookInfo',
		idempotent: true,
	});
	if (!info?.url) return;
	if (!options.replaceWebhook) {
		throw new NodeOperationError(
			ctx.getNode(),
			`This bot has a webhook (${redact(info.url)}), so Telegram refuses long polling`,
			{
				description:
					"Telegram sends the bot's updates to that URL. " +
					'Either turn on "Replace Existing Webhook" in the trigger\'s options ' +
					'(the webhook is deleted; updates waiting for it are kept), or switch Mode to Webhook.',
			},
		);
	}
	await telegramApiRequest(ctx, {
		method: 'deleteWebhook',
		body: { drop_pending_updates: false },
		idempotent: true,
	});
	ctx.logger.info(`${LABEL}: deleted the webhook ${redact(info.url)} to use long polling`);
}

type Failure = 'conflict-webhook' | 'conflict-poller' | 'fatal' | 'transient';

function classify(error: unknown): Failure {
	const api = error as NodeApiError;
	const code = Number(api.httpCode ?? 0);
	const text = api.message ?? '';
	if (code === 409 && /webhook/i.test(text)) return 'conflict-webhook';
	if (code === 409) return 'conflict-poller';
	if (code === 401 || code === 404) return 'fatal';
	return 'transient';
}

/** The next batch of updates; undefined after a failed getUpdates (waited), 'stop' when it ends. */
async function nextBatch(poller: Poller): Promise<TgUpdate[] | undefined | 'stop'> {
	try {
		const batch = await telegramApiRequest<TgUpdate[]>(poller.ctx, {
			method: 'getUpdates',
			body: {
				offset: poller.offset,
				timeout: poller.timeout,
				limit: 100,
				allowed_updates: poller.updates,
			},
			timeoutMs: (poller.timeout + 15) * 1000,
			abortSignal: poller.signal,
			maxAttempts: 1,
		});
		poller.failures = 0;
		poller.conflicts = 0;
		return batch ?? [];
	} catch (error) {
		if (poller.signal.aborted) return 'stop';
		const kind = classify(error);
		if (kind === 'transient' || (kind === 'conflict-poller' && ++poller.conflicts < 3)) {
			await waitAfterFailure(poller, error);
			return undefined;
		}
		stopWith(poller.ctx, kind, error);
		return 'stop';
	}
}

/** A failed getUpdates: polls again after the server's wait (kept within [1 s, 5 min]) or a backoff. */
async function waitAfterFailure(poller: Poller, error: unknown): Promise<void> {
	poller.failures++;
	const cause = error as { cause?: unknown; errorResponse?: unknown };
	const retryAfter = retryAfterFromBody(cause.errorResponse) ?? retryAfterFromBody(cause.cause);
	const delay =
		retryAfter !== undefined
			? clampServerWait(retryAfter * 1000)
			: backoffDelay(poller.failures, 1000, 30_000);
	poller.ctx.logger.warn(
		`${LABEL}: getUpdates failed (${redact((error as Error).message)}); polling again in ${delay} ms`,
	);
	await abortableSleep(delay, poller.signal);
}

/** Ends the poller with an error n8n shows on the workflow. */
function stopWith(ctx: ITriggerFunctions, kind: Failure, error: unknown): void {
	const message = redact((error as Error).message);
	ctx.logger.error(`${LABEL}: ${message}`);
	const text =
		kind === 'conflict-poller'
			? "Telegram 409 Conflict: another program is reading this bot's updates with getUpdates " +
				'(another n8n workflow, a second n8n, a script). ' +
				'Only one may: stop the other one, or use webhook mode.'
			: message;
	ctx.emitError(
		new NodeOperationError(ctx.getNode(), text, {
			description: (error as NodeApiError).description ?? undefined,
		}),
	);
}

/**
 * A batch through the pipeline, its items grouped by chat: updates of one chat that come in one
 * batch (a burst, or what Telegram kept while n8n was down) start one execution with one item
 * each, in order (separate executions would race); other chats' start their own, side by side.
 * One chat's files of the batch share one budget. 'stop' when the poller stopped, or a manual
 * test emitted its first item.
 */
async function readBatch(
	poller: Poller,
	batch: TgUpdate[],
): Promise<INodeExecutionData[][] | 'stop'> {
	const { ctx, reader, signal } = poller;
	const budgets = new Map<string, DownloadBudget>();
	const budgetOf = (update: TgUpdate) => {
		const chat = String(messageOf(update)?.chat?.id ?? `#${update.update_id}`);
		if (!budgets.has(chat)) budgets.set(chat, reader.files!.budget());
		return budgets.get(chat);
	};
	let stop = false;
	const { items } = await readEvents(
		ctx,
		{ label: LABEL, redact },
		reader,
		batch.filter((update) => update.update_id >= poller.offset), // confirmed before: never again
		{ seen: (id) => !poller.manual && !seenEvents.add(id), budgetOf, signal },
		(update, read) => {
			if (signal.aborted) {
				// not emitted: the next start reads it again
				if (typeof read === 'object') forgetItem(read);
				return !(stop = true);
			}
			poller.offset = update.update_id + 1;
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
 * Starts the batch's executions and confirms the batch. When Received: the offset is saved with
 * the emit (n8n stores static data when a trigger emits), and Telegram forgets the updates only at
 * the next getUpdates: never before their execution was handed to n8n. After the Workflow Has
 * Run: the offset stays at the batch until every execution succeeded; after a failed or crashed
 * one the next getUpdates asks again from its first update.
 */
async function confirm(
	poller: Poller,
	groups: INodeExecutionData[][],
	batchStart: number,
): Promise<void> {
	if (!poller.afterRun) {
		poller.staticData.offset = poller.offset;
		emitGroups(poller.ctx, groups);
		return;
	}
	poller.staticData.offset = batchStart;
	const failed = await runGroups(poller.ctx, groups, poller.signal);
	if (!failed || poller.signal.aborted) return;
	if (!failed.length) {
		poller.failedRuns = 0;
		poller.staticData.offset = poller.offset;
		return;
	}
	const first = Math.min(...failed.flat().map((item) => updateIdOf(item) ?? poller.offset));
	poller.offset = Math.max(first, batchStart);
	const delay = backoffDelay(++poller.failedRuns, 1000, 60_000);
	poller.ctx.logger.warn(
		`${LABEL}: an execution of updates from ${poller.offset} did not succeed; ` +
			`they are emitted again in ${delay} ms`,
	);
	await abortableSleep(delay, poller.signal);
}

/** The update id in an item's event id (`telegram:<bot id>:<update_id>`). */
function updateIdOf(item: INodeExecutionData): number | undefined {
	const updateId = Number(
		String(item.json.eventId ?? '')
			.split(':')
			.pop(),
	);
	return Number.isSafeInteger(updateId) ? updateId : undefined;
}
