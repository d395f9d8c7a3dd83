/**
 * The one way the channel nodes talk to the Telegram Bot API. Retries, pacing and error mapping
 * live here and nowhere else. The token never appears in anything this module returns or throws:
 * URLs are `/bot/<method>`, rewritten by the credential's `authenticate`.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ITriggerFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { BinaryStream, MultipartBody } from '../../shared/binary';
import type { EnvelopeResponse } from '../../shared/http';
import {
	TIMEOUTS,
	namingTheWait,
	readBody,
	redact as redactSecrets,
	secretForms,
	sendRequest,
} from '../../shared/http';
import { markNetworkError } from '../../shared/outcome';
import { pacer } from '../pacing';

export const TELEGRAM_CREDENTIAL = 'teamSpiritTelegramApi';

export type TelegramContext =
	IExecuteFunctions | ITriggerFunctions | IHookFunctions | IWebhookFunctions;

/** Telegram's documented limits (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). */
export const TELEGRAM_LIMITS = {
	/** About 30 messages per second in total: 35 ms keeps a little under it. */
	globalIntervalMs: 35,
	/** About one message per second in one chat. */
	chatIntervalMs: 1000,
	/** 20 messages per minute in one group. */
	groupIntervalMs: 3000,
	maxTextLength: 4096,
	maxCaptionLength: 1024,
	/** getFile downloads: 20 MB (a local Bot API server has no such limit). */
	maxDownloadBytes: 20 * 1024 * 1024,
	/** sendDocument etc. with a multipart upload: 50 MB. */
	maxUploadBytes: 50 * 1024 * 1024,
};

export interface TelegramResponse {
	ok: boolean;
	result?: unknown;
	error_code?: number;
	description?: string;
	parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface TelegramRequest {
	method: string;
	body?: IDataObject;
	/** Builds a multipart body afresh for every attempt (a stream cannot be resent). */
	multipart?: () => Promise<MultipartBody>;
	/**
	 * Safe to send again after a 5xx or a lost connection (reads, webhook settings, chat actions).
	 * A send is not: Telegram has no idempotency key, and a message it may have accepted must not
	 * appear twice. A 429 is always retried: Telegram refused that request.
	 */
	idempotent?: boolean;
	/** Pace this request as a message into this chat. */
	paceChat?: string;
	itemIndex?: number;
	/** Ms before the request is abandoned (long polls: their timeout + a margin). */
	timeoutMs?: number;
	abortSignal?: AbortSignal;
	/** Maximum attempts (default 5). */
	maxAttempts?: number;
}

const TOKEN_PATTERN = /bot\d+:[A-Za-z0-9_-]+/g;

/** Removes anything that looks like a bot token from a text. */
export function redact(text: string): string {
	return text
		.replace(TOKEN_PATTERN, 'bot<token>')
		.replace(/\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g, '<token>');
}

function botIdOf(token: unknown): string {
	return String(token ?? '').split(':')[0] || 'bot';
}

export async function credentialsOf(ctx: TelegramContext, itemIndex?: number) {
	const credentials = await (ctx as IExecuteFunctions).getCredentials<{
		accessToken?: string;
		baseUrl?: string;
	}>(TELEGRAM_CREDENTIAL, itemIndex ?? 0);
	return {
		botId: botIdOf(credentials.accessToken),
		baseUrl: credentials.baseUrl,
		/** The token and its forms: removed from every error (the bot id alone is no secret). */
		secrets: secretForms(credentials.accessToken),
	};
}

/** Group and channel ids are negative (or a @username of a public channel). */
function isGroupChat(chatId: string): boolean {
	return chatId.startsWith('-') || chatId.startsWith('@');
}

function telegramError(
	ctx: TelegramContext,
	statusCode: number,
	body: TelegramResponse | undefined,
	method: string,
	itemIndex?: number,
): NodeApiError {
	const description = redact(body?.description ?? `HTTP ${statusCode}`);
	const onItem = itemIndex === undefined ? '' : ` (item ${itemIndex})`;
	const hints: Array<[RegExp | number, string]> = [
		[401, 'Check the bot token in the Telegram credential (@BotFather → /token).'],
		[
			/bot was blocked/i,
			'The user blocked the bot; it can write to them again once they unblock it.',
		],
		[
			/chat not found/i,
			'Check the conversation ID: the chat does not exist or the bot was never added to it ' +
				'(users must write to the bot first).',
		],
		[
			/can't parse entities/i,
			'The text is not valid for the chosen format. Choose "Markdown (escaped for you)" or ' +
				'"Plain Text", or escape the text.',
		],
		[
			/terminated by other getUpdates/i,
			'Another program (or another n8n workflow) is reading updates for this bot. Only one ' +
				'may: stop the other one, or use webhook mode.',
		],
		[
			/webhook is active/i,
			'A webhook is set for this bot. Enable "Delete Existing Webhook" in the trigger, or use webhook mode.',
		],
		[
			429,
			'Telegram kept rate-limiting the request after several waits. Send fewer messages at once.',
		],
	];
	const hint = hints.find(([test]) =>
		typeof test === 'number' ? test === statusCode : test.test(description),
	)?.[1];
	const migrate = body?.parameters?.migrate_to_chat_id;
	return new NodeApiError(
		ctx.getNode(),
		{ ...(body as unknown as JsonObject), httpCode: String(statusCode) },
		{
			message: `Telegram ${method}: ${description}${onItem}`,
			description:
				[
					hint,
					migrate ? `The group became a supergroup: use conversation ID ${migrate}.` : undefined,
				]
					.filter(Boolean)
					.join(' ') || undefined,
			httpCode: String(statusCode),
			itemIndex,
		},
	);
}

function networkError(
	ctx: TelegramContext,
	error: unknown,
	method: string,
	itemIndex?: number,
): NodeApiError {
	const cause = error as {
		code?: string;
		message?: string;
		cause?: { code?: string; message?: string };
	};
	const code = cause.cause?.code ?? cause.code;
	const reason = redact(cause.cause?.message ?? cause.message ?? 'unknown error');
	return new NodeApiError(
		ctx.getNode(),
		{ message: reason },
		{
			message: `Could not reach the Telegram Bot API (${method})${itemIndex === undefined ? '' : ` (item ${itemIndex})`}`,
			description:
				`${code ? `${code}: ` : ''}${reason}. ` +
				'Check the API Base URL in the Telegram credential and that n8n can reach it.',
			itemIndex,
		},
	);
}

async function readAnswer(body: unknown, secrets: string[]): Promise<TelegramResponse | undefined> {
	return await readBody<TelegramResponse>(body, secrets, (text) => ({
		ok: false,
		description: text.slice(0, 300),
	}));
}

export const retryAfterFromBody = (body: unknown): number | undefined => {
	const seconds = (body as TelegramResponse | undefined)?.parameters?.retry_after;
	return typeof seconds === 'number' ? seconds : undefined;
};

/** One Bot API call; resolves with `result`, throws a NodeApiError naming Telegram's reason. */
export async function telegramApiRequest<T = IDataObject>(
	ctx: TelegramContext,
	request: TelegramRequest,
): Promise<T> {
	const { method, itemIndex } = request;
	const { botId, secrets } = await credentialsOf(ctx, itemIndex);
	const chat = request.paceChat;
	const paceKeys = (): Array<[string, number]> =>
		chat === undefined
			? []
			: [
					[`tg:${botId}`, TELEGRAM_LIMITS.globalIntervalMs],
					[
						`tg:${botId}:${chat}`,
						isGroupChat(chat) ? TELEGRAM_LIMITS.groupIntervalMs : TELEGRAM_LIMITS.chatIntervalMs,
					],
				];

	const options: IHttpRequestOptions = {
		method: 'POST',
		url: `/bot/${method}`,
		headers: { Accept: 'application/json' },
	};
	if (!request.multipart) {
		options.body = request.body ?? {};
		options.json = true;
		options.headers!['Content-Type'] = 'application/json';
	}
	const response = await sendRequest(ctx, {
		credentialType: TELEGRAM_CREDENTIAL,
		options,
		rawBody: request.multipart,
		timeoutMs: request.timeoutMs ?? (request.multipart ? TIMEOUTS.transfer : TIMEOUTS.api),
		abortSignal: request.abortSignal,
		redirects: 'sameOrigin',
		retry: {
			retryServerErrors: request.idempotent ?? false,
			maxAttempts: request.maxAttempts,
			retryAfterFromBody,
			abortSignal: request.abortSignal,
			beforeAttempt:
				chat === undefined ? undefined : async () => void (await pacer.acquire(paceKeys())),
			onRetry: ({ attempt, delayMs, reason }) => {
				if (chat !== undefined && reason.startsWith('429')) {
					// the whole bot waits: Telegram's flood control is per bot and chat
					for (const [key] of paceKeys()) pacer.defer(key, delayMs);
				}
				ctx.logger.debug(
					`Telegram ${method}: ${redact(redactSecrets(reason, secrets))}, retry ${attempt} in ${delayMs} ms`,
				);
			},
		},
	});
	if (response.networkError === undefined && response.refusedRedirect === undefined) {
		const body = await readAnswer(response.body, secrets);
		if (response.statusCode >= 200 && response.statusCode < 300 && body?.ok !== false) {
			return body?.result as T;
		}
		const error = telegramError(ctx, response.statusCode, body, method, itemIndex);
		throw redactSecrets(namingTheWait(error, response, 'Telegram'), secrets);
	}
	throw redactSecrets(await failure(ctx, response, method, itemIndex, secrets), secrets);
}

async function failure(
	ctx: TelegramContext,
	response: EnvelopeResponse,
	method: string,
	itemIndex: number | undefined,
	secrets: string[],
): Promise<NodeApiError> {
	if (response.networkError !== undefined)
		return markNetworkError(
			networkError(ctx, response.networkError, method, itemIndex),
			response.networkError,
		);
	if (response.refusedRedirect !== undefined) {
		(response.body as { destroy?: () => void } | undefined)?.destroy?.();
		return telegramError(
			ctx,
			response.statusCode,
			{
				ok: false,
				description:
					`redirected to ${response.refusedRedirect}; not followed, ` +
					'so the bot token stays with the API Base URL you configured',
			},
			method,
			itemIndex,
		);
	}
	return telegramError(
		ctx,
		response.statusCode,
		await readAnswer(response.body, secrets),
		method,
		itemIndex,
	);
}

/** Streams a file Telegram holds (`getFile`'s file_path). */
export async function telegramDownload(
	ctx: TelegramContext,
	filePath: string,
	abortSignal?: AbortSignal,
): Promise<BinaryStream> {
	const { secrets } = await credentialsOf(ctx);
	const response = await sendRequest(ctx, {
		credentialType: TELEGRAM_CREDENTIAL,
		options: {
			method: 'GET',
			url: `/file/bot/${filePath.split('/').map(encodeURIComponent).join('/')}`,
			encoding: 'stream',
		},
		timeoutMs: TIMEOUTS.transfer,
		abortSignal,
		redirects: 'sameOrigin',
		retry: { retryServerErrors: true, maxAttempts: 3, abortSignal },
	});
	if (
		response.statusCode >= 200 &&
		response.statusCode < 300 &&
		response.networkError === undefined
	) {
		return response.body as BinaryStream;
	}
	throw redactSecrets(await failure(ctx, response, 'file download', undefined, secrets), secrets);
}
