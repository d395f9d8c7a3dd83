/**
 * The one way the channel nodes talk to Twilio's REST API (2010-04-01, form-encoded, Basic auth
 * through the credential's `authenticate`). Retries and error mapping live here only.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { BinaryStream } from '../../shared/binary';
import type { EnvelopeResponse } from '../../shared/http';
import { markNetworkError } from '../../shared/outcome';
import type { MediaSources } from '../mediaSources';
import { mediaUrlRefusal } from '../mediaSources';
import {
	TIMEOUTS,
	basicAuthForms,
	namingTheWait,
	readBody,
	redact,
	secretForms,
	sendRequest,
} from '../../shared/http';

export const TWILIO_CREDENTIAL = 'teamSpiritTwilioApi';

export type TwilioContext = IExecuteFunctions | IHookFunctions | IWebhookFunctions;

export const TWILIO_LIMITS = {
	/** A WhatsApp message body through Twilio (error 21617 above it). */
	maxTextLength: 1600,
	/** The body next to a media file is the same body. */
	maxCaptionLength: 1600,
	/** WhatsApp media is at most 16 MB a message, received or sent (by URL: Twilio fetches it). */
	maxDownloadBytes: 16 * 1024 * 1024,
};

export interface TwilioCredentials {
	accountSid: string;
	authToken: string;
	baseUrl: string;
	/** The Auth Token, the API key secret and their Basic-auth forms: never shown in an error. */
	secrets: string[];
}

export async function credentialsOf(
	ctx: TwilioContext,
	itemIndex?: number,
): Promise<TwilioCredentials> {
	const credentials = await (ctx as IExecuteFunctions).getCredentials<{
		accountSid?: string;
		authToken?: string;
		apiKeySid?: string;
		apiKeySecret?: string;
		baseUrl?: string;
	}>(TWILIO_CREDENTIAL, itemIndex ?? 0);
	const accountSid = String(credentials.accountSid ?? '').trim();
	return {
		accountSid,
		authToken: String(credentials.authToken ?? ''),
		baseUrl:
			String(credentials.baseUrl ?? '')
				.trim()
				.replace(/\/+$/, '') || 'https://api.twilio.com',
		secrets: [
			...basicAuthForms(accountSid, credentials.authToken),
			...basicAuthForms(String(credentials.apiKeySid ?? '').trim(), credentials.apiKeySecret),
			...secretForms(credentials.apiKeySecret),
		],
	};
}

interface TwilioErrorBody {
	code?: number;
	message?: string;
	more_info?: string;
	status?: number;
}

const WINDOW_HINT =
	"WhatsApp allows free-form messages only within 24 hours of the customer's last message. " +
	'Outside that window, send an approved template: operation "Send Template" with its ' +
	'Content SID (HX…) and variables.';

/** What a Twilio error code means for the person reading the error, and what to do. */
const HINTS: Record<number, string> = {
	20003:
		'Twilio did not accept the credential: check the Account SID and Auth Token (or the API key pair).',
	20404: 'Twilio does not know this resource: check the Account SID.',
	20429:
		'Twilio kept answering "too many requests" after several waits. Send fewer messages at once.',
	21211: 'The conversation ID must be a WhatsApp number: whatsapp:+<country code><number>.',
	21617: 'The text is longer than 1600 characters.',
	21619: 'The message needs a text, a media URL or a template.',
	21620:
		'Twilio could not use the media URL: it must be public and serve one file of a supported type.',
	21654: 'Template variables need a Content SID.',
	21655: 'The Content SID (HX…) does not exist on this account.',
	21656: 'A template variable is missing or empty.',
	21609: 'The status callback URL must be an absolute http(s) URL whose host has no underscores.',
	21910: 'The sender and the recipient must both be WhatsApp addresses (whatsapp:+…).',
	63007: 'The sender is not a WhatsApp sender of this account: check "From (WhatsApp Sender)".',
	63016: WINDOW_HINT,
	63019: 'Twilio could not fetch the media from the URL.',
};

/** The explanation of a Twilio error code, for errors and for failed status events. */
export function twilioErrorHint(code: number | string | undefined): string | undefined {
	return HINTS[Number(code)];
}

function twilioError(
	ctx: TwilioContext,
	statusCode: number,
	body: TwilioErrorBody | undefined,
	what: string,
	itemIndex?: number,
): NodeApiError {
	const code = body?.code;
	const reason = body?.message ?? `HTTP ${statusCode}`;
	const onItem = itemIndex === undefined ? '' : ` (item ${itemIndex})`;
	const hint = twilioErrorHint(code);
	return new NodeApiError(
		ctx.getNode(),
		{ ...(body as unknown as JsonObject), httpCode: String(statusCode) },
		{
			message: `Twilio ${what}: ${code ? `${code} ` : ''}${reason}${onItem}`,
			description: [hint, body?.more_info].filter(Boolean).join(' ') || undefined,
			httpCode: String(statusCode),
			itemIndex,
		},
	);
}

function networkError(
	ctx: TwilioContext,
	error: unknown,
	what: string,
	itemIndex?: number,
	mayHaveSent = false,
): NodeApiError {
	const cause = error as {
		code?: string;
		message?: string;
		cause?: { code?: string; message?: string };
	};
	const code = cause.cause?.code ?? cause.code;
	const reason = cause.cause?.message ?? cause.message ?? 'unknown error';
	return new NodeApiError(
		ctx.getNode(),
		{ message: reason },
		{
			message: `Could not reach Twilio (${what})${itemIndex === undefined ? '' : ` (item ${itemIndex})`}`,
			description:
				`${code ? `${code}: ` : ''}${reason}. ` +
				(mayHaveSent
					? 'The message may have been sent: it is not sent again automatically. '
					: '') +
				'Check the API Base URL in the Twilio credential and that n8n can reach it.',
			itemIndex,
		},
	);
}

export async function readJson(
	body: unknown,
	secrets: string[] = [],
): Promise<IDataObject | undefined> {
	return await readBody<IDataObject>(body, secrets, (text) => ({ message: text.slice(0, 300) }));
}

/** Form-encodes parameters the way Twilio reads them (a repeated name for a list). */
function formEncode(params: Record<string, string | string[] | undefined>): string {
	const form = new URLSearchParams();
	for (const [name, value] of Object.entries(params)) {
		if (value === undefined) continue;
		for (const one of Array.isArray(value) ? value : [value]) form.append(name, one);
	}
	return form.toString();
}

export interface TwilioRequest {
	method: 'GET' | 'POST';
	/** Below `/2010-04-01/Accounts/{AccountSid}`, e.g. `/Messages.json`. */
	path: string;
	form?: Record<string, string | string[] | undefined>;
	qs?: IDataObject;
	/**
	 * Safe to send again after a 5xx or a lost connection (reads). A message create is not:
	 * Twilio has no idempotency key for it, and a message it may have accepted must not appear
	 * twice. A 429 is always retried: Twilio documents that it processed nothing.
	 */
	idempotent?: boolean;
	itemIndex?: number;
	what?: string;
	/** Another Twilio API than the account's 2010 API: `messaging` = Messaging Services (v1). */
	api?: 'messaging';
}

/** Messaging Services live on messaging.twilio.com; a proxy or test server serves both APIs. */
function messagingBaseUrl(baseUrl: string): string {
	return /^https:\/\/api\.twilio\.com$/i.test(baseUrl) ? 'https://messaging.twilio.com' : baseUrl;
}

/** One REST call below the account; resolves with the JSON body, throws a NodeApiError naming Twilio's code. */
export async function twilioApiRequest<T = IDataObject>(
	ctx: TwilioContext,
	request: TwilioRequest,
): Promise<T> {
	const { itemIndex } = request;
	const what = request.what ?? `${request.method} ${request.path}`;
	const { accountSid, baseUrl, secrets } = await credentialsOf(ctx, itemIndex);
	const options: IHttpRequestOptions = {
		method: request.method,
		url:
			request.api === 'messaging'
				? `${messagingBaseUrl(baseUrl)}/v1${request.path}`
				: `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}${request.path}`,
		headers: { Accept: 'application/json' },
	};
	if (request.qs) options.qs = request.qs;
	if (request.form) {
		options.body = formEncode(request.form);
		options.headers!['Content-Type'] = 'application/x-www-form-urlencoded';
	}
	const response = await sendRequest(ctx, {
		credentialType: TWILIO_CREDENTIAL,
		options,
		timeoutMs: TIMEOUTS.api,
		redirects: 'sameOrigin',
		retry: {
			retryServerErrors: request.idempotent ?? false,
			onRetry: ({ attempt, delayMs, reason }) =>
				ctx.logger.debug(
					`Twilio ${what}: ${redact(reason, secrets)}, retry ${attempt} in ${delayMs} ms`,
				),
		},
	});
	if (response.networkError !== undefined) {
		throw redact(
			markNetworkError(
				networkError(ctx, response.networkError, what, itemIndex, !(request.idempotent ?? false)),
				response.networkError,
			),
			secrets,
		);
	}
	if (response.refusedRedirect !== undefined)
		throw redact(refusedRedirect(ctx, response, what, itemIndex), secrets);
	const body = await readJson(response.body, secrets);
	if (response.statusCode >= 200 && response.statusCode < 300) return body as T;
	const error = namingTheWait(
		twilioError(ctx, response.statusCode, body as TwilioErrorBody, what, itemIndex),
		response,
		'Twilio',
	);
	if (response.statusCode >= 500 && !request.idempotent) {
		error.description =
			(error.description ? `${error.description} ` : '') +
			'The message may have been accepted: it is not sent again automatically.';
	}
	throw redact(error, secrets);
}

function refusedRedirect(
	ctx: TwilioContext,
	response: EnvelopeResponse,
	what: string,
	itemIndex?: number,
): NodeApiError {
	(response.body as { destroy?: () => void } | undefined)?.destroy?.();
	return twilioError(
		ctx,
		response.statusCode,
		{
			message:
				`redirected to ${response.refusedRedirect}; not followed, ` +
				'so the Twilio credentials stay with the API Base URL you configured',
		},
		what,
		itemIndex,
	);
}

/** The hosts a Twilio media URL redirects to: Twilio's media CDN and its S3 storage. */
const TWILIO_MEDIA_REDIRECT_HOSTS = [
	'*.twiliocdn.com',
	'*.twilio.com',
	's3.amazonaws.com',
	'*.s3.amazonaws.com',
	's3-external-1.amazonaws.com',
];

const MEDIA_CDN: MediaSources = {
	hosts: TWILIO_MEDIA_REDIRECT_HOSTS,
	description: "Twilio's media CDN",
};

/**
 * Streams a media file (a `MediaUrlN` of an inbound message) with the account's Basic auth.
 * Twilio answers with a redirect to a temporary CDN URL on another host: the envelope follows it
 * without credentials (the HTTP client itself never follows, as it would carry the Basic auth).
 */
export async function twilioDownload(
	ctx: TwilioContext,
	url: string,
): Promise<{ stream: BinaryStream; size: number | undefined; contentType: string | undefined }> {
	const { secrets, baseUrl } = await credentialsOf(ctx);
	const response = await sendRequest(ctx, {
		credentialType: TWILIO_CREDENTIAL,
		options: { method: 'GET', url, encoding: 'stream' },
		timeoutMs: TIMEOUTS.transfer,
		redirects: 'download',
		// the CDN hop (no credentials): only to Twilio's media hosts, or the configured API host
		allowRedirectTo: (target) => mediaUrlRefusal(target, MEDIA_CDN, baseUrl) === undefined,
		retry: { retryServerErrors: true, maxAttempts: 3 },
	});
	if (response.networkError !== undefined)
		throw redact(networkError(ctx, response.networkError, 'media download'), secrets);
	if (response.statusCode < 200 || response.statusCode >= 300) {
		const body = (await readJson(response.body, secrets)) as TwilioErrorBody;
		throw redact(twilioError(ctx, response.statusCode, body, 'media download'), secrets);
	}
	const length = response.headers['content-length'];
	const type = response.headers['content-type'];
	return {
		stream: response.body as BinaryStream,
		size: length === undefined ? undefined : Number(Array.isArray(length) ? length[0] : length),
		contentType: Array.isArray(type) ? type[0] : type,
	};
}
