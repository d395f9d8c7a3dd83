/**
 * Telegram in the Chat Channel Trigger: what is Telegram's own in receiving (the secret-token
 * check, the filters, getFile, the webhook registration). The pipeline is ./../receive.ts, for
 * webhooks and for long polling (./polling.ts, the default: no public URL needed).
 */
import { randomBytes } from 'crypto';
import type { IHookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { safeEqual } from '../../shared/signature';
import type { FileSource } from '../attachments';
import { downloadBudget } from '../attachments';
import type { EventReader, ReceiveAdapter } from '../receive';
import { Refusal } from '../receive';
import type { ChannelAttachment, TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import type { TgFile, TgUpdate } from './normalize';
import { messageOf, normalize, senderOf, TELEGRAM_FILE_PATH, updateTypeOf } from './normalize';
import { startPolling } from './polling';
import type { TelegramStaticData, TriggerContext, TriggerOptions } from './triggerProperties';
import { allowedUpdates, optionsOf } from './triggerProperties';
import {
	TELEGRAM_LIMITS,
	credentialsOf,
	redact,
	telegramApiRequest,
	telegramDownload,
} from './transport';

const list = (value: string | undefined) =>
	String(value ?? '')
		.split(/[\s,]+/)
		.map((v) => v.trim())
		.filter(Boolean);

/** Whether `id` or `@username` is in the allow-list (an empty list allows everyone). */
function allows(ids: string[], who: { id?: number; username?: string } | undefined): boolean {
	if (!ids.length || ids.includes(String(who?.id ?? ''))) return true;
	return Boolean(who?.username && ids.includes(`@${who.username}`));
}

/** Why an update starts nothing, or undefined when it passes the trigger's filters. */
function filterReason(
	update: TgUpdate,
	updates: string[],
	options: TriggerOptions,
): string | undefined {
	const type = updateTypeOf(update);
	if (!type || !updates.includes(type)) return `update type ${type ?? 'unknown'} not selected`;
	if (!allows(list(options.chatIds), messageOf(update)?.chat)) return 'chat not in the allow-list';
	const from = senderOf(update);
	if (!allows(list(options.userIds), from)) return 'user not in the allow-list';
	if ((options.ignoreBots ?? true) && from?.is_bot === true) return 'sent by a bot';
	return undefined;
}

/** getFile, then the file from the Bot API file endpoint (only after the size checks passed). */
async function openFile(ctx: TriggerContext, attachment: ChannelAttachment, signal?: AbortSignal) {
	const info = await telegramApiRequest<TgFile & { file_path?: string }>(ctx, {
		method: 'getFile',
		body: { file_id: attachment.fileId },
		idempotent: true,
	});
	const path = info.file_path;
	if (!path) throw new Error('Telegram returned no file_path');
	if (
		!TELEGRAM_FILE_PATH.test(path) ||
		path.split('/').some((part) => part === '..' || part === '.')
	)
		throw new Error(
			'Telegram returned a file_path that is not a file of the Bot API file endpoint',
		);
	return {
		size: info.file_size,
		contentType: undefined,
		stream: async () => await telegramDownload(ctx, path, signal),
	};
}

/** Where a Telegram update's files come from, when the trigger downloads them. */
function telegramFiles(ctx: TriggerContext, options: TriggerOptions): FileSource | undefined {
	if (!options.download) return undefined;
	return {
		capMb: Number(options.maxDownloadMb ?? 20),
		budget: () => downloadBudget(options),
		isFile: (attachment) => Boolean(attachment.fileId),
		open: async (attachment, signal) => await openFile(ctx, attachment, signal),
		tooLarge: (size) =>
			size > TELEGRAM_LIMITS.maxDownloadBytes
				? `Not downloaded: ${(size / 1048576).toFixed(1)} MB is more than the 20 MB Telegram ` +
					'lets bots download (a local Bot API server has no such limit)'
				: undefined,
		describeError(error) {
			const text = redact(
				(error as { description?: string }).description ?? (error as Error).message,
			);
			return /file is too big/i.test(text)
				? 'more than the 20 MB Telegram lets bots download'
				: redact((error as Error).message);
		},
	};
}

/** How updates of one bot are read (webhook deliveries and polling batches alike). */
function telegramReader(ctx: TriggerContext, botId: string): EventReader<TgUpdate> {
	const options = optionsOf(ctx);
	const updates = allowedUpdates(ctx);
	return {
		filter: (update) => filterReason(update, updates, options),
		normalize: (update) => normalize(update, botId),
		unreadable(update, error) {
			const reason = new Error(redact((error as Error)?.message ?? String(error)));
			const message = unreadableEvent('telegram', botId, update, reason);
			message.eventId = `telegram:${botId}:${update.update_id}`;
			message.account = botId;
			return message;
		},
		files: telegramFiles(ctx, options),
	};
}

/** Webhook deliveries: one update each, checked against the secret token set with setWebhook. */
const telegramReceive: ReceiveAdapter<TgUpdate, TgUpdate> = {
	label: 'Chat Channel Trigger',
	async verify(ctx) {
		const staticData = ctx.getWorkflowStaticData('node') as TelegramStaticData;
		const received = ctx.getHeaderData()['x-telegram-bot-api-secret-token'];
		if (!safeEqual(staticData.secretToken, received))
			return new Refusal(403, 'Forbidden: wrong secret token');
		return ctx.getBodyData() as TgUpdate;
	},
	events: (update) =>
		typeof update?.update_id === 'number' ? [update] : new Refusal(400, 'Not a Telegram update'),
	async reader(ctx) {
		const staticData = ctx.getWorkflowStaticData('node') as TelegramStaticData;
		// the bot id from the registration; a webhook set by an older version reads the credential
		const botId = staticData.botId ?? (await credentialsOf(ctx)).botId;
		return telegramReader(ctx, botId);
	},
	answer(ctx, reply) {
		const body =
			reply.status === 200
				? { ok: true, ...(reply.note ? { [reply.note]: true } : {}) }
				: { ok: false, description: reply.text };
		ctx.getResponseObject().status(reply.status).json(body);
	},
	answersItself: false,
	redact,
};

function webhookUrlOf(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url)
		throw new NodeOperationError(ctx.getNode(), 'n8n did not give this trigger a webhook URL');
	return url;
}

export const telegramTrigger: TriggerAdapter = {
	async poll(ctx) {
		if (ctx.getNodeParameter('mode', 'polling') !== 'polling') return {};
		return await startPolling(ctx, telegramReader);
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

	receive: telegramReceive,
};
