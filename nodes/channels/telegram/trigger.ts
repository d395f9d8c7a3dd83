/**
 * Telegram in the Chat Channel Trigger: long polling (default: works behind a firewall, no public
 * URL) and webhooks (setWebhook with a random secret_token). Both end in `toItem()`: filters,
 * downloads, the shared message shape.
 */
import { randomBytes } from 'crypto';
import type {
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	ITriggerFunctions,
	IRun,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { acknowledgesAfterRun, claimWhenConfirmed, handledBefore } from '../../shared/acknowledge';
import { DownloadTooLargeError } from '../../shared/binary';
import { backoffDelay } from '../../shared/retry';
import { safeEqual } from '../../shared/signature';
import { abortableSleep, clampServerWait } from '../../shared/sleep';
import { DownloadBudget, downloadBudget, storeCapped, tooLargeNotice } from '../attachments';
import { seenEvents } from '../memory';
import { announce, release } from '../sequence';
import { addSummary } from '../summary';
import type { ChannelMessage, TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import type { TgFile, TgUpdate } from './normalize';
import {
	filesOf,
	messageOf,
	normalize,
	senderOf,
	TELEGRAM_FILE_PATH,
	updateTypeOf,
} from './normalize';
import type { TelegramContext } from './transport';
import {
	TELEGRAM_LIMITS,
	credentialsOf,
	redact,
	retryAfterFromBody,
	telegramApiRequest,
	telegramDownload,
} from './transport';

type TriggerContext = ITriggerFunctions | IWebhookFunctions;

export interface TriggerOptions {
	chatIds?: string;
	userIds?: string;
	ignoreBots?: boolean;
	download?: boolean;
	maxDownloadMb?: number;
	maxBatchMb?: number;
	maxConversationMb?: number;
	replaceWebhook?: boolean;
	pollTimeout?: number;
}

interface TelegramStaticData extends IDataObject {
	/** Long polling: the next update_id to ask for; everything below was emitted. */
	offset?: number;
	/** Webhook mode: the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token. */
	secretToken?: string;
	webhookUrl?: string;
	/**
	 * Webhook mode: the id of the bot the webhook was set for (no secret: the part of the token
	 * before the colon), so that a delivery needs no credential decryption.
	 */
	botId?: string;
}

const list = (value: string | undefined) =>
	String(value ?? '')
		.split(/[\s,]+/)
		.map((v) => v.trim())
		.filter(Boolean);

function optionsOf(ctx: TriggerContext | IHookFunctions): TriggerOptions {
	return ctx.getNodeParameter('options', {}) as TriggerOptions;
}

function allowedUpdates(ctx: TriggerContext | IHookFunctions): string[] {
	const updates = ctx.getNodeParameter('updates', []) as string[];
	return updates.length ? updates : ['message'];
}

/** Why an update starts nothing, or undefined when it passes the trigger's filters. */
function filterReason(
	update: TgUpdate,
	updates: string[],
	options: TriggerOptions,
): string | undefined {
	const type = updateTypeOf(update);
	if (!type || !updates.includes(type)) return `update type ${type ?? 'unknown'} not selected`;
	const chatIds = list(options.chatIds);
	const chat = messageOf(update)?.chat;
	if (
		chatIds.length &&
		!chatIds.includes(String(chat?.id ?? '')) &&
		!(chat?.username && chatIds.includes(`@${chat.username}`))
	) {
		return 'chat not in the allow-list';
	}
	const userIds = list(options.userIds);
	const from = senderOf(update);
	if (
		userIds.length &&
		!userIds.includes(String(from?.id ?? '')) &&
		!(from?.username && userIds.includes(`@${from.username}`))
	) {
		return 'user not in the allow-list';
	}
	if ((options.ignoreBots ?? true) && from?.is_bot === true) return 'sent by a bot';
	return undefined;
}

async function downloadAttachments(
	ctx: TriggerContext,
	update: TgUpdate,
	message: ChannelMessage,
	options: TriggerOptions,
	budget: DownloadBudget,
	abortSignal?: AbortSignal,
): Promise<INodeExecutionData['binary']> {
	const capBytes = Math.min(
		Math.max(0, Number(options.maxDownloadMb ?? 20)) * 1024 * 1024,
		Number.MAX_SAFE_INTEGER,
	);
	const binary: NonNullable<INodeExecutionData['binary']> = {};
	const files = filesOf(messageOf(update));
	let index = 0;
	for (const attachment of message.attachments) {
		const file = files.find((f) => f.file.file_id === attachment.fileId)?.file;
		if (!file) continue;
		/** Whether the budget, not "Max File Size", limited this download. */
		let overBudget = false;
		const size = attachment.size ?? undefined;
		if (size !== undefined && size <= capBytes && size > budget.remaining(message)) {
			attachment.notice = budget.notice(size, message);
			continue;
		}
		if (size !== undefined && size > capBytes) {
			const mb = `${(size / 1048576).toFixed(1)} MB`;
			attachment.notice =
				size > TELEGRAM_LIMITS.maxDownloadBytes
					? `Not downloaded: ${mb} is more than the 20 MB Telegram lets bots download ` +
						'(a local Bot API server has no such limit)'
					: `Not downloaded: ${mb} is more than the ${options.maxDownloadMb} MB set in "Max File Size"`;
			continue;
		}
		try {
			const info = await telegramApiRequest<TgFile & { file_path?: string }>(ctx, {
				method: 'getFile',
				body: { file_id: file.file_id },
				idempotent: true,
			});
			if (!info.file_path) throw new Error('Telegram returned no file_path');
			if ((info.file_size ?? 0) > capBytes) {
				attachment.notice = `Not downloaded: larger than ${options.maxDownloadMb} MB`;
				continue;
			}
			const left = budget.remaining(message);
			if ((info.file_size ?? 0) > left) {
				attachment.notice = budget.notice(info.file_size, message);
				continue;
			}
			overBudget = left < capBytes;
			if (
				!TELEGRAM_FILE_PATH.test(info.file_path) ||
				info.file_path.split('/').some((part) => part === '..' || part === '.')
			) {
				throw new Error(
					'Telegram returned a file_path that is not a file of the Bot API file endpoint',
				);
			}
			const stream = await telegramDownload(ctx, info.file_path, abortSignal);
			const property = index === 0 ? 'data' : `data_${index}`;
			const stored = await storeCapped(
				ctx,
				stream,
				Math.min(capBytes, left),
				attachment.fileName ?? undefined,
				attachment.mimeType ?? undefined,
			);
			budget.spend(stored.bytes, message);
			binary[property] = stored.binary;
			attachment.binaryProperty = property;
			attachment.size = stored.bytes;
			index++;
		} catch (error) {
			if (
				error instanceof DownloadTooLargeError ||
				(error as Error)?.name === 'DownloadTooLargeError'
			) {
				attachment.notice = overBudget
					? budget.notice(undefined, message)
					: tooLargeNotice(Number(options.maxDownloadMb ?? 20));
				continue;
			}
			const text = redact((error as NodeApiError).description ?? (error as Error).message);
			attachment.notice = /file is too big/i.test(text)
				? 'Not downloaded: more than the 20 MB Telegram lets bots download'
				: `Not downloaded: ${redact((error as Error).message)}`;
		}
	}
	return Object.keys(binary).length ? binary : undefined;
}

/** The item an update starts a workflow with, or undefined when the filters drop it. */
async function toItem(
	ctx: TriggerContext,
	update: TgUpdate,
	botId: string,
	/** The budget of the execution this update goes into. */
	budget: DownloadBudget,
	abortSignal?: AbortSignal,
): Promise<INodeExecutionData | undefined> {
	const options = optionsOf(ctx);
	const reason = filterReason(update, allowedUpdates(ctx), options);
	if (reason) {
		ctx.logger.debug(`Chat Channel Trigger: update ${update.update_id} skipped (${reason})`);
		return undefined;
	}
	const message = normalize(update, botId);
	// before its files are downloaded: a later message of the chat read meanwhile waits for it
	announce(message);
	const item: INodeExecutionData = { json: message as unknown as IDataObject };
	if (options.download && message.attachments.some((a) => a.fileId)) {
		const binary = await downloadAttachments(ctx, update, message, options, budget, abortSignal);
		if (binary) item.binary = binary;
	}
	item.json = addSummary(message) as unknown as IDataObject;
	return item;
}

/** The item of an update that could not be read: emitted with a notice, never dropped. */
function unreadableItem(update: TgUpdate, botId: string, error: unknown): INodeExecutionData {
	const message = unreadableEvent(
		'telegram',
		botId,
		update,
		new Error(redact((error as Error)?.message ?? String(error))),
	);
	message.eventId = `telegram:${botId}:${update.update_id}`;
	message.account = botId;
	return { json: message as unknown as IDataObject };
}

// ---------------------------------------------------------------------------
// Long polling
// ---------------------------------------------------------------------------

/** How long deactivation waits for the poller to stop. */
const CLOSE_WAIT_MS = 2000;

/** Whether an execution n8n reports as ended succeeded (a failed or crashed one has an error). */
function runSucceeded(run: IRun | undefined): boolean {
	if (!run) return true;
	if (run.data?.resultData?.error) return false;
	return !['error', 'crashed', 'canceled'].includes(String(run.status));
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
	ctx.logger.info(
		`Chat Channel Trigger: deleted the webhook ${redact(info.url)} to use long polling`,
	);
}

function classify(error: unknown): 'conflict-webhook' | 'conflict-poller' | 'fatal' | 'transient' {
	const api = error as NodeApiError;
	const code = Number(api.httpCode ?? 0);
	const text = api.message ?? '';
	if (code === 409 && /webhook/i.test(text)) return 'conflict-webhook';
	if (code === 409) return 'conflict-poller';
	if (code === 401 || code === 404) return 'fatal';
	return 'transient';
}

/** The messages of an ended execution no longer hold up the chat's later ones. */
function releaseAll(items: INodeExecutionData[]): void {
	for (const item of items) release(item.json);
}

async function startPolling(ctx: ITriggerFunctions): Promise<ITriggerResponse> {
	const options = optionsOf(ctx);
	const staticData = ctx.getWorkflowStaticData('node') as TelegramStaticData;
	const { botId } = await credentialsOf(ctx);
	const updates = allowedUpdates(ctx);
	const timeout = Math.min(50, Math.max(1, Math.round(Number(options.pollTimeout ?? 30))));
	const manual = ctx.getMode() === 'manual';
	const afterRun = acknowledgesAfterRun(ctx);
	await ensureNoWebhook(ctx, options);

	const controller = new AbortController();
	const signal = controller.signal;
	// A manual test only previews: it never moves the saved offset (that is production's).
	let offset = Number(staticData.offset ?? 0);
	let failures = 0;
	let conflicts = 0;
	let failedRuns = 0;

	const getUpdates = async () =>
		await telegramApiRequest<TgUpdate[]>(ctx, {
			method: 'getUpdates',
			body: { offset, timeout, limit: 100, allowed_updates: updates },
			timeoutMs: (timeout + 15) * 1000,
			abortSignal: signal,
			maxAttempts: 1,
		});

	const loop = async () => {
		while (!signal.aborted) {
			let batch: TgUpdate[];
			try {
				batch = await getUpdates();
				failures = 0;
				conflicts = 0;
			} catch (error) {
				if (signal.aborted) return;
				const kind = classify(error);
				const message = redact((error as Error).message);
				if (
					kind === 'conflict-webhook' ||
					kind === 'fatal' ||
					(kind === 'conflict-poller' && ++conflicts >= 3)
				) {
					ctx.logger.error(`Chat Channel Trigger: ${message}`);
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
					return;
				}
				failures++;
				const cause = error as { cause?: unknown; errorResponse?: unknown };
				const retryAfter =
					retryAfterFromBody(cause.errorResponse) ?? retryAfterFromBody(cause.cause);
				// a server-given wait is kept within [1 s, 5 min]: never a hot loop, never a day's pause
				const delay =
					retryAfter !== undefined
						? clampServerWait(retryAfter * 1000)
						: backoffDelay(failures, 1000, 30_000);
				ctx.logger.warn(
					`Chat Channel Trigger: getUpdates failed (${message}); polling again in ${delay} ms`,
				);
				await abortableSleep(delay, signal);
				continue;
			}
			// Updates of one chat that come in one batch (a burst, or what Telegram kept while n8n was
			// down) start one execution with one item each, in order: separate executions would race,
			// and the messages could reach the next node out of order. Other chats' updates start
			// executions of their own, side by side.
			const groups = new Map<string, INodeExecutionData[]>();
			const batchStart = offset;
			// one chat's updates of the batch become one execution: their files share one budget
			const budgets = new Map<string, DownloadBudget>();
			const budgetOf = (update: TgUpdate) => {
				const chat = String(messageOf(update)?.chat?.id ?? `#${update.update_id}`);
				if (!budgets.has(chat)) budgets.set(chat, downloadBudget(options));
				return budgets.get(chat)!;
			};
			for (const update of batch ?? []) {
				if (signal.aborted) return;
				if (update.update_id < offset) continue; // confirmed before: never again
				let item: INodeExecutionData | undefined;
				try {
					item = await toItem(ctx, update, botId, budgetOf(update), signal);
				} catch (error) {
					if (signal.aborted) return;
					ctx.logger.warn(
						`Chat Channel Trigger: update ${update.update_id} could not be read ` +
							`(${redact((error as Error).message)}); emitted with a notice`,
					);
					item = unreadableItem(update, botId, error);
				}
				if (signal.aborted) return; // not emitted: the next start reads it again
				offset = update.update_id + 1;
				if (manual) {
					if (item) {
						release(item.json);
						ctx.emit([[item]]);
						return;
					}
					continue;
				}
				const json = (item?.json ?? {}) as IDataObject;
				if (!item || !seenEvents.add(String(json.eventId ?? ''))) {
					release(json);
					continue;
				}
				const chat = String(json.conversationId ?? `#${update.update_id}`);
				if (!groups.has(chat)) groups.set(chat, []);
				groups.get(chat)!.push(item);
			}
			if (manual) continue;
			if (afterRun) {
				// Confirmed only when every execution of the batch succeeded: the offset stays at the
				// batch until then (n8n saves it with the emits), and after a failed or crashed one the
				// next getUpdates asks again from its first update
				const failed = await runBatch(batchStart, [...groups.values()]);
				if (signal.aborted) return;
				if (failed === undefined) {
					failedRuns = 0;
					staticData.offset = offset;
					continue;
				}
				offset = failed;
				const delay = backoffDelay(++failedRuns, 1000, 60_000);
				ctx.logger.warn(
					`Chat Channel Trigger: an execution of updates from ${failed} did not succeed; ` +
						`they are emitted again in ${delay} ms`,
				);
				await abortableSleep(delay, signal);
				continue;
			}
			// The offset is saved with the emit (n8n stores static data when a trigger emits), and
			// Telegram forgets the updates only at the next getUpdates: an update is never confirmed
			// before its execution was handed to n8n.
			staticData.offset = offset;
			for (const items of groups.values()) {
				// n8n settles `done` when the execution ended: its messages no longer hold up later ones
				const done = ctx.helpers.createDeferredPromise<IRun>();
				ctx.emit([items], undefined, done);
				void done.promise.then(
					() => releaseAll(items),
					() => releaseAll(items),
				);
			}
		}
	};

	/**
	 * "Acknowledge: After the Workflow Has Run": emits each chat's group with a done promise (n8n
	 * resolves it with the run when the execution ended; in queue mode when the worker finished, or
	 * with a crashed run once the job stalled) and waits for all of them. Returns the first update id
	 * of the groups that did not succeed (they are forgotten, so they are emitted again), or undefined.
	 */
	const runBatch = async (
		batchStart: number,
		groups: INodeExecutionData[][],
	): Promise<number | undefined> => {
		staticData.offset = batchStart;
		const runs = groups.map(async (items) => {
			const done = ctx.helpers.createDeferredPromise<IRun>();
			ctx.emit([items], undefined, done);
			const succeeded = await done.promise.then(runSucceeded, () => false);
			releaseAll(items);
			return { items, succeeded };
		});
		const stopped = new Promise<void>((resolve) =>
			signal.addEventListener('abort', () => resolve(), { once: true }),
		);
		const results = await Promise.race([Promise.all(runs), stopped]);
		if (!results) return undefined;
		let first: number | undefined;
		for (const { items, succeeded } of results) {
			if (succeeded) continue;
			for (const item of items) {
				const eventId = String(item.json.eventId ?? '');
				seenEvents.delete(eventId);
				const updateId = Number(eventId.split(':').pop());
				if (Number.isSafeInteger(updateId) && (first === undefined || updateId < first))
					first = updateId;
			}
		}
		return first === undefined ? undefined : Math.max(first, batchStart);
	};

	const running = loop().catch((error) => {
		if (!signal.aborted) ctx.emitError(error as Error);
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

// ---------------------------------------------------------------------------
// Webhook mode
// ---------------------------------------------------------------------------

function webhookUrlOf(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url)
		throw new NodeOperationError(ctx.getNode(), 'n8n did not give this trigger a webhook URL');
	return url;
}

export const telegramTrigger: TriggerAdapter = {
	async poll(ctx) {
		if (ctx.getNodeParameter('mode', 'polling') !== 'polling') return {};
		return await startPolling(ctx);
	},

	async checkExists(ctx) {
		const staticData = ctx.getWorkflowStaticData('node') as TelegramStaticData;
		const info = await telegramApiRequest<{ url?: string }>(ctx, {
			method: 'getWebhookInfo',
			idempotent: true,
		});
		const exists =
			Boolean(info?.url) && info.url === webhookUrlOf(ctx) && Boolean(staticData.secretToken);
		// a webhook set by an older version of this node: its deliveries get the bot id from here on
		if (exists && !staticData.botId) staticData.botId = (await credentialsOf(ctx)).botId;
		return exists;
	},

	async create(ctx) {
		const url = webhookUrlOf(ctx);
		const staticData = ctx.getWorkflowStaticData('node') as TelegramStaticData;
		const info = await telegramApiRequest<{ url?: string }>(ctx, {
			method: 'getWebhookInfo',
			idempotent: true,
		});
		// our own earlier production registration (n8n's URL changed) is ours to move; never for a
		// test listener, whose static data is a copy of production's
		const ours = ctx.getMode() !== 'manual' && info?.url === staticData.webhookUrl;
		if (info?.url && info.url !== url && !ours && !optionsOf(ctx).replaceWebhook) {
			const production = url.replace('/webhook-test/', '/webhook/');
			const what =
				info.url === production
					? 'the production URL of this workflow (it is active)'
					: redact(info.url);
			throw new NodeOperationError(ctx.getNode(), `This bot's webhook already points to ${what}`, {
				description:
					ctx.getMode() === 'manual'
						? 'A bot has one webhook: listening for a test event would take it away from production. ' +
							'Test with a second bot, or turn on "Replace Existing Webhook" if you mean it.'
						: 'A bot has one webhook. Turn on "Replace Existing Webhook" to take it over, or use another bot.',
			});
		}
		const secretToken = randomBytes(32).toString('hex');
		await telegramApiRequest(ctx, {
			method: 'setWebhook',
			body: {
				url,
				secret_token: secretToken,
				allowed_updates: allowedUpdates(ctx),
				drop_pending_updates: false,
			},
			idempotent: true,
		});
		staticData.secretToken = secretToken;
		staticData.webhookUrl = url;
		staticData.botId = (await credentialsOf(ctx)).botId;
		return true;
	},

	async delete(ctx) {
		const staticData = ctx.getWorkflowStaticData('node') as TelegramStaticData;
		const url = webhookUrlOf(ctx);
		const info = await telegramApiRequest<{ url?: string }>(ctx, {
			method: 'getWebhookInfo',
			idempotent: true,
		});
		delete staticData.secretToken;
		delete staticData.webhookUrl;
		delete staticData.botId;
		// Only our own webhook: another workflow (or the production of this one) may own the bot now.
		if (info?.url !== url) return true;
		await telegramApiRequest(ctx, {
			method: 'deleteWebhook',
			body: { drop_pending_updates: false },
			idempotent: true,
		});
		return true;
	},

	async webhook(ctx): Promise<IWebhookResponseData> {
		const staticData = ctx.getWorkflowStaticData('node') as TelegramStaticData;
		const received = ctx.getHeaderData()['x-telegram-bot-api-secret-token'];
		if (!safeEqual(staticData.secretToken, received)) {
			ctx
				.getResponseObject()
				.status(403)
				.json({ ok: false, description: 'Forbidden: wrong secret token' });
			return { noWebhookResponse: true };
		}
		const update = ctx.getBodyData() as TgUpdate;
		if (typeof update?.update_id !== 'number') {
			ctx.getResponseObject().status(400).json({ ok: false, description: 'Not a Telegram update' });
			return { noWebhookResponse: true };
		}
		// the bot id from the registration; a webhook set by an older version reads the credential
		const botId = staticData.botId ?? (await credentialsOf(ctx)).botId;
		const eventId = `telegram:${botId}:${update.update_id}`;
		const afterRun = acknowledgesAfterRun(ctx);
		if (handledBefore(afterRun, seenEvents, [eventId])) {
			ctx.logger.debug(
				`Chat Channel Trigger: duplicate delivery of update ${update.update_id} ignored`,
			);
			return { webhookResponse: { ok: true, duplicate: true } };
		}
		let item: INodeExecutionData | undefined;
		try {
			item = await toItem(ctx, update, botId, downloadBudget(optionsOf(ctx)));
		} catch (error) {
			// a redelivery would fail the same way and hold up the bot's later updates: the update
			// starts its workflow with a notice instead
			ctx.logger.warn(
				`Chat Channel Trigger: update ${update.update_id} could not be read ` +
					`(${redact((error as Error).message)}); emitted with a notice`,
			);
			item = unreadableItem(update, botId, error);
		}
		if (!item) return { webhookResponse: { ok: true, skipped: true } };
		if (afterRun) claimWhenConfirmed(ctx, seenEvents, [eventId]);
		return { workflowData: [[item]] };
	},
};

export type { TelegramContext };
