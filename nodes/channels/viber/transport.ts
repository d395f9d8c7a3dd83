/**
 * The one way the channel nodes talk to Viber's REST Bot API (`POST <base>/<method>`, JSON). The
 * auth token travels in the `X-Viber-Auth-Token` header (the credential's `authenticate`). Viber
 * answers HTTP 200 whatever happened; the outcome is the body's `status` (0: ok). Status 12
 * (tooManyRequests) is a refused request and is waited out like a 429; the rules on whom a bot may
 * write to (not subscribed, no suitable device, …) are errors whose text the conversation bridge
 * shows the operators. `message_token` is a 64-bit integer: bodies are read as text and the token
 * kept as a decimal string (a JavaScript number would lose its last digits).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, jsonParse } from 'n8n-workflow';

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

export const VIBER_CREDENTIAL = 'teamSpiritViberApi';

export type ViberContext = IExecuteFunctions | IHookFunctions | IWebhookFunctions;

export const VIBER_LIMITS = {
	maxTextLength: 7000,
	/** A picture's text (its caption). */
	maxCaptionLength: 768,
	/** Pictures: JPEG, PNG (or GIF) up to 1 MB; larger ones go as files. */
	maxPictureBytes: 1024 * 1024,
	maxVideoBytes: 26 * 1024 * 1024,
	maxFileBytes: 50 * 1024 * 1024,
	maxFileNameLength: 256,
	maxSenderNameLength: 28,
	/** Buttons of one keyboard (Viber shows up to 24 per keyboard page). */
	maxButtons: 24,
	/** A button's ActionBody (a reply's text or a URL). */
	maxActionBody: 2048,
	maxTrackingData: 4096,
};

/** Viber's status codes (the REST Bot API's error table) and what each means for the reader. */
const STATUS_HINTS: Record<number, string> = {
	1: 'Viber could not use the webhook URL: it must be a public https URL with a valid certificate that answers 200.',
	2: 'Viber did not accept the Auth Token: copy it again from the bot (Viber → More → Settings → Bots → Edit Info → Your app key, or the Viber Admin Panel).',
	3: 'Viber refused the message as malformed (a field too long or of the wrong type).',
	4: 'A field Viber needs is missing (the Bot Name of the credential is the sender name).',
	5: 'No Viber user has this ID for this bot: the conversation ID must be the sender.id of a trigger item.',
	6: 'The customer is not subscribed to the bot (they unsubscribed, or never wrote to it): Viber lets a bot write only to subscribers and to people who wrote to it; the message can reach them once they write again.',
	7: 'The bot is blocked by Viber.',
	8: 'The Auth Token does not belong to a bot.',
	9: 'The bot is suspended by Viber.',
	10: 'The bot has no webhook: Viber accepts messages only from a bot with a webhook (activate a Chat Channel Trigger for Viber).',
	11: "The customer's device or Viber version cannot receive bot messages.",
	12: 'Viber kept answering "too many requests" (tooManyRequests) after several waits. Send fewer messages at once.',
	13: "The customer's Viber version does not support this message.",
	14: 'The message does not fit the API version it asks for.',
};

/** Statuses where Viber's rules refused the recipient: the customer cannot be written to now. */
const RECIPIENT_REFUSALS = new Set([5, 6, 11, 13]);

export interface ViberCredentials {
	token: string;
	botName: string;
	avatarUrl: string;
	apiUrl: string;
	/** The auth token in its forms: never shown in an error. */
	secrets: string[];
}

export async function credentialsOf(
	ctx: ViberContext,
	itemIndex?: number,
): Promise<ViberCredentials> {
	const credentials = await (ctx as IExecuteFunctions).getCredentials<{
		accessToken?: string;
		botName?: string;
		avatarUrl?: string;
		baseUrl?: string;
	}>(VIBER_CREDENTIAL, itemIndex ?? 0);
	return {
		token: String(credentials.accessToken ?? '').trim(),
		botName: String(credentials.botName ?? '').trim(),
		avatarUrl: String(credentials.avatarUrl ?? '').trim(),
		apiUrl: apiUrlOf(credentials.baseUrl),
		secrets: secretForms(credentials.accessToken),
	};
}

/** The API base URL of a credential (Viber's own by default), without a trailing slash. */
function apiUrlOf(baseUrl: unknown): string {
	return (
		String(baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '') || 'https://chatapi.viber.com/pa'
	);
}

/**
 * JSON text as data, `message_token` (a 64-bit integer in Viber's bodies) kept as a decimal
 * string. Throws on text that is not JSON.
 */
export function parseViberJson<T = IDataObject>(text: string): T {
	return jsonParse<T>(text.replace(/("message_token"\s*:\s*)(-?\d+)/g, '$1"$2"'));
}

interface ViberAnswer extends IDataObject {
	status?: number;
	status_message?: string;
}

function statusOf(body: unknown): number | undefined {
	const status = (body as ViberAnswer | undefined)?.status;
	return typeof status === 'number' ? status : undefined;
}

function viberError(
	ctx: ViberContext,
	httpStatus: number,
	body: ViberAnswer | undefined,
	what: string,
	itemIndex?: number,
): NodeApiError {
	const status = statusOf(body);
	const onItem = itemIndex === undefined ? '' : ` (item ${itemIndex})`;
	const reason =
		status !== undefined
			? `${body?.status_message ?? 'error'} (status ${status})`
			: `HTTP ${httpStatus}`;
	const error = new NodeApiError(
		ctx.getNode(),
		{ ...((body as JsonObject) ?? {}), httpCode: String(httpStatus) },
		{
			message: `Viber ${what}: ${reason}${onItem}`,
			description:
				(status !== undefined ? STATUS_HINTS[status] : undefined) ??
				(httpStatus >= 500 ? 'A temporary problem at Viber.' : undefined),
			// a refusal by Viber's rules is an answer, not an outage: the bridge does not retry it
			httpCode: String(status !== undefined && status !== 0 ? 400 : httpStatus),
			itemIndex,
		},
	);
	if (status !== undefined) error.context.viberStatus = status;
	if (status !== undefined && RECIPIENT_REFUSALS.has(status)) error.context.recipientRefused = true;
	return error;
}

export interface ViberRequest {
	/** The API method, e.g. `send_message`. */
	api: string;
	body?: IDataObject;
	/** Safe to repeat after a 5xx or a lost connection (reads, set_webhook). */
	idempotent?: boolean;
	itemIndex?: number;
	what?: string;
	/** Attempts in all, the first included (default: the envelope's). */
	maxAttempts?: number;
}

/** One API call; resolves with the body (status 0), throws a NodeApiError with Viber's reason. */
export async function viberApiRequest<T = IDataObject>(
	ctx: ViberContext,
	request: ViberRequest,
): Promise<T> {
	const { itemIndex } = request;
	const what = request.what ?? request.api;
	const { apiUrl, secrets } = await credentialsOf(ctx, itemIndex);
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: `${apiUrl}/${request.api}`,
		headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		body: JSON.stringify(request.body ?? {}),
		// the text as sent: message_token is read by parseViberJson
		encoding: 'text',
	};
	const response = await sendRequest(
		{
			helpers: {
				httpRequest: async (o) => await ctx.helpers.httpRequest(o),
				// tooManyRequests (status 12, HTTP 200) is a refused request: waited out like a 429
				httpRequestWithAuthentication: async (type, o) => {
					const answer = (await ctx.helpers.httpRequestWithAuthentication.call(
						ctx,
						type,
						o,
					)) as HttpResponse;
					const body = await answerOf(answer.body, secrets);
					const status = statusOf(body);
					return {
						...answer,
						statusCode: status === 12 ? 429 : answer.statusCode,
						body,
						headers: { ...answer.headers, 'x-viber-http-status': String(answer.statusCode) },
					};
				},
			},
		},
		{
			credentialType: VIBER_CREDENTIAL,
			options,
			timeoutMs: TIMEOUTS.api,
			redirects: 'sameOrigin',
			retry: {
				retryServerErrors: request.idempotent ?? false,
				...(request.maxAttempts !== undefined ? { maxAttempts: request.maxAttempts } : {}),
				onRetry: ({ attempt, delayMs, reason }) =>
					ctx.logger.debug(
						`Viber ${what}: ${redact(reason, secrets)}, retry ${attempt} in ${delayMs} ms`,
					),
			},
		},
	);
	if (response.networkError !== undefined) {
		const cause = response.networkError as { message?: string; code?: string };
		const reason = `${cause.code ? `${cause.code}: ` : ''}${cause.message ?? ''}`;
		const maybeSent = request.idempotent
			? ''
			: 'The message may have been sent: it is not sent again automatically. ';
		throw redact(
			markNetworkError(
				new NodeApiError(
					ctx.getNode(),
					{ message: cause.message ?? 'network error' },
					{
						message: `Could not reach the Viber API (${what})${itemIndex === undefined ? '' : ` (item ${itemIndex})`}`,
						description: `${reason}. ${maybeSent}Check the API Base URL in the Viber credential.`,
						itemIndex,
					},
				),
				response.networkError,
			),
			secrets,
		);
	}
	if (response.refusedRedirect !== undefined) {
		const message =
			`redirected to ${response.refusedRedirect}; ` +
			'not followed, so the Auth Token stays with the API Base URL you configured';
		throw redact(
			viberError(ctx, response.statusCode, { status_message: message }, what, itemIndex),
			secrets,
		);
	}
	const httpStatus = Number(response.headers['x-viber-http-status'] ?? response.statusCode);
	const body = response.body as ViberAnswer | undefined;
	if (httpStatus >= 200 && httpStatus < 300 && statusOf(body) === 0) return body as T;
	const error = viberError(ctx, httpStatus, body, what, itemIndex);
	throw redact(namingTheWait(error, response, 'Viber'), secrets);
}

/** The sender of every message: the credential's Bot Name (at most 28 characters) and avatar. */
export function senderOf(credentials: ViberCredentials): IDataObject {
	const name = [...credentials.botName].slice(0, VIBER_LIMITS.maxSenderNameLength).join('');
	return credentials.avatarUrl ? { name, avatar: credentials.avatarUrl } : { name };
}

/** Viber's answer as data, message_token kept exact; text that is no JSON as a status_message. */
async function answerOf(raw: unknown, secrets: string[]): Promise<unknown> {
	const text =
		typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : undefined;
	if (text === undefined)
		return await readBody<unknown>(raw, secrets, (t) => ({ status_message: t.slice(0, 300) }));
	const clean = redact(text, secrets);
	try {
		return parseViberJson(clean);
	} catch {
		return { status_message: clean.slice(0, 300) };
	}
}
