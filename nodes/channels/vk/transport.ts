/**
 * The one way the channel nodes talk to VK's API (`POST <base>/method/<name>`, form-encoded; the
 * credential's `authenticate` adds `access_token` and `v`). VK answers every call with HTTP 200:
 * `{ response }` or `{ error: { error_code, error_msg } }`. Here, and nowhere else, its codes
 * become the package's retry policy (nodes/shared/retry.ts) and readable errors:
 * - 6 (too many requests per second) and 9 (flood control) are refused requests: waited out like
 *   a 429 (6: one second, VK's limit is per second; 9: with backoff);
 * - 10 (internal server error) and 1 (unknown error) are retried like a 5xx, only when the call
 *   is safe to repeat: `messages.send` is, because it carries VK's idempotency key `random_id`;
 * - 18, 900, 901, 902, 915, 916 (deleted page, blacklist, messages not allowed, privacy, messages
 *   off) are refusals with a hint the conversation bridge shows the operators as its notice.
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

import type { MultipartBody } from '../../shared/binary';
import type { EnvelopeResponse } from '../../shared/http';
import {
	TIMEOUTS,
	namingTheWait,
	readBody,
	redact,
	secretForms,
	sendRequest,
} from '../../shared/http';
import { markNetworkError } from '../../shared/outcome';
import type { HttpResponse } from '../../shared/retry';
import { pacer } from '../pacing';

export const VK_CREDENTIAL = 'teamSpiritVkApi';

export type VkContext = IExecuteFunctions | ITriggerFunctions | IHookFunctions | IWebhookFunctions;

export const VK_LIMITS = {
	/** messages.send: at most 4096 characters (error 914 above). */
	maxTextLength: 4096,
	/** A file's caption is the message text of the same message. */
	maxCaptionLength: 4096,
	/** A community token: 20 calls per second; 55 ms keeps a little under it. */
	intervalMs: 55,
	/** Photos: 50 MB; documents: 200 MB (VK's upload limits). */
	maxPhotoBytes: 50 * 1024 * 1024,
	maxDocBytes: 200 * 1024 * 1024,
	/** An inline keyboard: 6 rows, 5 buttons in a row, 10 buttons; a label 40 characters. */
	maxButtonRows: 6,
	maxButtonsPerRow: 5,
	maxButtons: 10,
	maxLabelLength: 40,
	/** A button's payload: 255 characters of JSON. */
	maxPayloadLength: 255,
};

/** Refused requests: waited out (nodes/shared/retry.ts treats them as a 429). */
const RATE_LIMITED = new Set([6, 9]);
/** VK's own failures: retried when the call is safe to repeat. */
const SERVER_ERRORS = new Set([1, 10]);

export interface VkCredentials {
	groupId: string;
	apiUrl: string;
	confirmation: string;
	secretKey: string;
	/** The token and the secret key: never shown in an error. */
	secrets: string[];
}

export async function credentialsOf(ctx: VkContext, itemIndex?: number): Promise<VkCredentials> {
	const credentials = await (ctx as IExecuteFunctions).getCredentials<{
		accessToken?: string;
		groupId?: string | number;
		confirmation?: string;
		secretKey?: string;
		baseUrl?: string;
	}>(VK_CREDENTIAL, itemIndex ?? 0);
	const base =
		String(credentials.baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '') || 'https://api.vk.com';
	return {
		groupId: String(credentials.groupId ?? '')
			.trim()
			.replace(/^-/, ''),
		apiUrl: base,
		confirmation: String(credentials.confirmation ?? '').trim(),
		secretKey: String(credentials.secretKey ?? ''),
		secrets: [...secretForms(credentials.accessToken), ...secretForms(credentials.secretKey)],
	};
}

export interface VkApiError {
	error_code?: number;
	error_msg?: string;
}

function vkErrorOf(body: unknown): VkApiError | undefined {
	const error = (body as { error?: VkApiError } | undefined)?.error;
	return error && typeof error === 'object' ? error : undefined;
}

/**
 * VK's errors that say the message cannot reach this customer (deleted page, blacklist, no
 * permission, privacy, messages off): the reason goes into the error's message, which the
 * conversation bridge shows the operators.
 */
const REFUSALS = new Set([18, 900, 901, 902, 915, 916]);

/** What an operator or a workflow author should do about VK's error `code`. */
function hintFor(code: number | undefined): string | undefined {
	switch (code) {
		case 5:
			return 'The community access token is invalid or was revoked: create a new one (Community management → API usage).';
		case 6:
		case 9:
			return 'VK kept limiting the requests after several waits (error 6: more than 20 calls a second; 9: flood control). Send fewer messages at once.';
		case 1:
		case 10:
			return 'A temporary problem at VK.';
		case 7:
		case 15:
		case 27:
			return 'The token lacks a right: give it access to community messages, photos and documents.';
		case 18:
			return "The customer's VK page is deleted or blocked: VK delivers nothing to it.";
		case 900:
			return 'The customer blocked this community (its blacklist): nothing reaches them until they unblock it.';
		case 915:
		case 916:
			return (
				"Messages are switched off for this conversation (the community's messages or the " +
				'chat bot feature are off in Community management → Messages): nothing can be sent.'
			);
		case 901:
			return (
				'The customer has not allowed messages from this community: a community may write to a ' +
				'person only after they wrote to it first or allowed its messages.'
			);
		case 902:
			return "The customer's privacy settings do not allow messages from this community.";
		case 914:
			return 'The text is longer than VK allows (4096 characters).';
		case 911:
			return 'VK refused the buttons: at most 10 buttons in 6 rows, labels of 40 characters.';
		case 917:
		case 945:
			return 'The community has no access to this conversation.';
		default:
			return undefined;
	}
}

/** The HTTP status the package's rules read (outcome, retries) for VK's error `code`. */
function statusOf(code: number | undefined, httpStatus: number): number {
	if (code === undefined) return httpStatus;
	if (RATE_LIMITED.has(code)) return 429;
	if (SERVER_ERRORS.has(code)) return 500;
	if (code === 5) return 401;
	return 400;
}

function vkError(
	ctx: VkContext,
	httpStatus: number,
	body: unknown,
	method: string,
	itemIndex?: number,
): NodeApiError {
	const error = vkErrorOf(body);
	const code = error?.error_code;
	const status = statusOf(code, httpStatus);
	const onItem = itemIndex === undefined ? '' : ` (item ${itemIndex})`;
	const what = error?.error_msg ?? `HTTP ${httpStatus}`;
	// the customer's refusals: the reason in the message itself (an item's error, an operator's notice)
	const refusal = code !== undefined && REFUSALS.has(code) ? `: ${hintFor(code)}` : '';
	return new NodeApiError(
		ctx.getNode(),
		{ ...((body as JsonObject) ?? {}), httpCode: String(status) },
		{
			message: `VK ${method}: ${what}${code !== undefined ? ` (error ${code})` : ''}${onItem}${refusal}`,
			description: refusal ? undefined : hintFor(code),
			httpCode: String(status),
			itemIndex,
		},
	);
}

export interface VkRequest {
	method: string;
	params?: IDataObject;
	/**
	 * Safe to repeat after VK's own failure (10), a 5xx or a lost answer: reads, typing, edits and
	 * deletes, and `messages.send` with its `random_id` (VK sends a repeated random_id once).
	 */
	idempotent?: boolean;
	itemIndex?: number;
	timeoutMs?: number;
	abortSignal?: AbortSignal;
	maxAttempts?: number;
}

/** A form body as VK reads it: booleans as 1/0, objects as JSON. */
function formOf(params: IDataObject): string {
	const form = new URLSearchParams();
	for (const [key, value] of Object.entries(params)) {
		if (value === undefined || value === null) continue;
		if (typeof value === 'boolean') form.set(key, value ? '1' : '0');
		else if (typeof value === 'object') form.set(key, JSON.stringify(value));
		else form.set(key, String(value));
	}
	return form.toString();
}

async function readAnswer(body: unknown, secrets: string[]): Promise<unknown> {
	return await readBody<unknown>(body, secrets, (text) => ({
		error: { error_msg: text.slice(0, 300) },
	}));
}

/** One API call; resolves with `response`, throws a NodeApiError with VK's reason and a hint. */
export async function vkApiRequest<T = IDataObject>(
	ctx: VkContext,
	request: VkRequest,
): Promise<T> {
	const { method, itemIndex } = request;
	const { apiUrl, groupId, secrets } = await credentialsOf(ctx, itemIndex);
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: `${apiUrl}/method/${method}`,
		headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
		body: formOf(request.params ?? {}),
	};
	const paceKeys: Array<[string, number]> = [[`vk:${groupId}`, VK_LIMITS.intervalMs]];
	const response = await sendRequest(
		{
			helpers: {
				httpRequest: async (o) => await ctx.helpers.httpRequest(o),
				// VK's error codes as the statuses the retry policy reads (its answers are all 200)
				httpRequestWithAuthentication: async (type, o) => {
					const answer = (await ctx.helpers.httpRequestWithAuthentication.call(
						ctx,
						type,
						o,
					)) as HttpResponse;
					const body = await readAnswer(answer.body, secrets);
					const code = vkErrorOf(body)?.error_code;
					return {
						...answer,
						statusCode: statusOf(code, answer.statusCode),
						body,
						headers: { ...answer.headers, 'x-vk-status': String(answer.statusCode) },
					};
				},
			},
		},
		{
			credentialType: VK_CREDENTIAL,
			options,
			timeoutMs: request.timeoutMs ?? TIMEOUTS.api,
			abortSignal: request.abortSignal,
			redirects: 'sameOrigin',
			retry: {
				retryServerErrors: request.idempotent ?? false,
				...(request.maxAttempts !== undefined ? { maxAttempts: request.maxAttempts } : {}),
				abortSignal: request.abortSignal,
				// error 6: the limit is per second
				retryAfterFromBody: (body) => (vkErrorOf(body)?.error_code === 6 ? 1 : undefined),
				beforeAttempt: async () => void (await pacer.acquire(paceKeys)),
				onRateLimited: (delayMs) => pacer.defer(paceKeys[0][0], delayMs),
				onRetry: ({ attempt, delayMs, reason }) =>
					ctx.logger.debug(
						`VK ${method}: ${redact(reason, secrets)}, retry ${attempt} in ${delayMs} ms`,
					),
			},
		},
	);
	if (response.networkError !== undefined || response.refusedRedirect !== undefined)
		throw redact(failure(ctx, response, method, request, itemIndex), secrets);
	const httpStatus = Number(response.headers['x-vk-status'] ?? response.statusCode);
	const body = response.body as { response?: unknown } | undefined;
	if (httpStatus >= 200 && httpStatus < 300 && !vkErrorOf(body) && body && 'response' in body)
		return body.response as T;
	const error = vkError(ctx, httpStatus, response.body, method, itemIndex);
	throw redact(namingTheWait(error, response, 'VK'), secrets);
}

function failure(
	ctx: VkContext,
	response: EnvelopeResponse,
	method: string,
	request: VkRequest,
	itemIndex: number | undefined,
): NodeApiError {
	if (response.refusedRedirect !== undefined) {
		const message =
			`redirected to ${response.refusedRedirect}; ` +
			'not followed, so the token stays with the API Base URL you configured';
		return vkError(ctx, response.statusCode, { error: { error_msg: message } }, method, itemIndex);
	}
	const cause = response.networkError as { message?: string; code?: string };
	const reason = `${cause.code ? `${cause.code}: ` : ''}${cause.message ?? ''}`;
	const maybeSent = request.idempotent
		? ''
		: 'It may have been carried out: it is not repeated automatically. ';
	return markNetworkError(
		new NodeApiError(
			ctx.getNode(),
			{ message: cause.message ?? 'network error' },
			{
				message: `Could not reach VK's API (${method})${itemIndex === undefined ? '' : ` (item ${itemIndex})`}`,
				description: `${reason}. ${maybeSent}Check the API Base URL in the VK credential.`,
				itemIndex,
			},
		),
		response.networkError,
	);
}

/**
 * Uploads a file to an upload server VK named (`upload_url` of photos/docs.getMessagesUploadServer):
 * no credential is sent (the URL carries its own signature). The server's JSON answer.
 */
export async function vkUpload(
	ctx: VkContext,
	uploadUrl: string,
	multipart: () => Promise<MultipartBody>,
	what: string,
	itemIndex?: number,
): Promise<IDataObject> {
	const { secrets } = await credentialsOf(ctx, itemIndex);
	const response = await sendRequest(ctx, {
		options: { method: 'POST', url: uploadUrl, headers: { Accept: 'application/json' } },
		rawBody: multipart,
		timeoutMs: TIMEOUTS.transfer,
		redirects: 'sameOrigin',
		// an upload stores nothing until it is saved (photos.saveMessagesPhoto, docs.save): safe to repeat
		retry: { retryServerErrors: true, maxAttempts: 3 },
	});
	if (response.networkError !== undefined || response.refusedRedirect !== undefined)
		throw redact(
			failure(ctx, response, what, { method: what, idempotent: true }, itemIndex),
			secrets,
		);
	const body = (await readAnswer(response.body, secrets)) as IDataObject | undefined;
	if (response.statusCode >= 200 && response.statusCode < 300 && body && !body.error) return body;
	const reason = typeof body?.error === 'string' ? body.error : `HTTP ${response.statusCode}`;
	throw redact(
		vkError(ctx, response.statusCode, { error: { error_msg: reason } }, what, itemIndex),
		secrets,
	);
}
