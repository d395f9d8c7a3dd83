/**
 * The one way the channel nodes talk to Meta's Graph API for Messenger. The token and its
 * appsecret_proof are added by the credential's `authenticate`. Graph answers most errors with
 * HTTP 400 and a code: rate limits (4, 17, 32, 613) are refused requests and are retried with
 * backoff, per request; other errors are mapped to readable messages here.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { createHmac } from 'crypto';
import { NodeApiError } from 'n8n-workflow';

import type { MultipartBody } from '../../shared/binary';
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

export const MESSENGER_CREDENTIAL = 'teamSpiritMessengerApi';

export type MessengerContext = IExecuteFunctions | IHookFunctions | IWebhookFunctions;

export const MESSENGER_LIMITS = {
	maxTextLength: 2000,
	/** Attachments carry no caption: the text follows as messages of up to 2000 characters. */
	maxCaptionLength: 2000,
	/** Attachment uploads: 25 MB. */
	maxUploadBytes: 25 * 1024 * 1024,
	maxQuickReplies: 13,
};

/** Graph's rate-limit codes: app (4), user (17), page (32), custom (613); also 80006 (Messenger). */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80006]);

export interface MessengerCredentials {
	pageId: string;
	appSecret: string;
	verifyToken: string;
	apiUrl: string;
	/** The Page token, the App Secret, the Verify Token and the proof: never shown in an error. */
	secrets: string[];
}

export async function credentialsOf(
	ctx: MessengerContext,
	itemIndex?: number,
): Promise<MessengerCredentials> {
	const credentials = await (ctx as IExecuteFunctions).getCredentials<{
		pageId?: string;
		accessToken?: string;
		appSecret?: string;
		verifyToken?: string;
		graphVersion?: string;
		baseUrl?: string;
	}>(MESSENGER_CREDENTIAL, itemIndex ?? 0);
	const base =
		String(credentials.baseUrl ?? '')
			.trim()
			.replace(/\/+$/, '') || 'https://graph.facebook.com';
	const version =
		String(credentials.graphVersion ?? '')
			.trim()
			.replace(/^\/+|\/+$/g, '') || 'v23.0';
	return {
		pageId: String(credentials.pageId ?? '').trim(),
		appSecret: String(credentials.appSecret ?? ''),
		verifyToken: String(credentials.verifyToken ?? ''),
		apiUrl: `${base}/${version}`,
		secrets: [
			...secretForms(credentials.accessToken),
			...secretForms(credentials.appSecret),
			...secretForms(credentials.verifyToken),
			...(credentials.accessToken && credentials.appSecret
				? secretForms(
						createHmac('sha256', String(credentials.appSecret))
							.update(String(credentials.accessToken))
							.digest('hex'),
					)
				: []),
		],
	};
}

interface GraphError {
	message?: string;
	type?: string;
	code?: number;
	error_subcode?: number;
	fbtrace_id?: string;
	is_transient?: boolean;
}

function graphErrorOf(body: unknown): GraphError | undefined {
	const error = (body as { error?: GraphError } | undefined)?.error;
	return error && typeof error === 'object' ? error : undefined;
}

function hintFor(error: GraphError | undefined, statusCode: number): string | undefined {
	const code = error?.code;
	const sub = error?.error_subcode;
	if (sub === 2018278 || /outside of allowed window/i.test(error?.message ?? '')) {
		return (
			"Messenger allows replies within 24 hours of the customer's last message. " +
			'Later, a person may still answer for up to 7 days with Messaging Type "Message Tag" ' +
			'and the tag HUMAN_AGENT (the app needs the Human Agent permission); ' +
			'automated messages cannot be sent.'
		);
	}
	if (code === 190)
		return (
			'The Page access token is invalid or expired: ' +
			'create a new one in the Meta app (Messenger → Settings → Access Tokens).'
		);
	if (code === 100 && /appsecret_proof/i.test(error?.message ?? ''))
		return 'Check the App Secret in the Messenger credential: it must belong to the app the Page token was made for.';
	if (sub === 2018001)
		return (
			'No such person: the conversation ID must be a page-scoped ID (PSID) from the trigger, ' +
			'of someone who wrote to this page.'
		);
	if (code === 10 || code === 200)
		return 'The app lacks a permission (pages_messaging), or the person cannot be messaged now.';
	if (code !== undefined && RATE_LIMIT_CODES.has(code))
		return 'Meta kept rate-limiting the request after several waits. Send fewer messages at once.';
	if (statusCode >= 500 || code === 1 || code === 2) return 'A temporary problem at Meta.';
	return undefined;
}

function graphError(
	ctx: MessengerContext,
	statusCode: number,
	body: unknown,
	what: string,
	itemIndex?: number,
): NodeApiError {
	const error = graphErrorOf(body);
	const onItem = itemIndex === undefined ? '' : ` (item ${itemIndex})`;
	const codes =
		error?.code !== undefined
			? ` (#${error.code}${error.error_subcode ? `/${error.error_subcode}` : ''})`
			: '';
	return new NodeApiError(
		ctx.getNode(),
		{ ...((body as JsonObject) ?? {}), httpCode: String(statusCode) },
		{
			message: `Messenger ${what}: ${error?.message ?? `HTTP ${statusCode}`}${codes}${onItem}`,
			description: hintFor(error, statusCode),
			httpCode: String(statusCode),
			itemIndex,
		},
	);
}

async function readAnswer(body: unknown, secrets: string[]): Promise<unknown | undefined> {
	return await readBody<unknown>(body, secrets, (text) => ({
		error: { message: text.slice(0, 300) },
	}));
}

export interface GraphRequest {
	method: 'GET' | 'POST' | 'DELETE';
	/** Below the versioned API URL, e.g. `/me/messages`. */
	path: string;
	body?: IDataObject;
	qs?: IDataObject;
	/** Builds a multipart body afresh for every attempt (a stream cannot be resent). */
	multipart?: () => Promise<MultipartBody>;
	/** Safe to repeat after a 5xx or a lost connection (reads, subscriptions, sender actions). */
	idempotent?: boolean;
	itemIndex?: number;
	what?: string;
	timeoutMs?: number;
	/** Attempts in all, the first included (default: the envelope's). 1: no retry, no wait. */
	maxAttempts?: number;
}

/** One Graph call; resolves with the JSON body, throws a NodeApiError with Meta's reason. */
export async function graphApiRequest<T = IDataObject>(
	ctx: MessengerContext,
	request: GraphRequest,
): Promise<T> {
	const { itemIndex } = request;
	const what = request.what ?? `${request.method} ${request.path}`;
	const { apiUrl, secrets } = await credentialsOf(ctx, itemIndex);
	const options: IHttpRequestOptions = {
		method: request.method,
		url: `${apiUrl}${request.path}`,
		headers: { Accept: 'application/json' },
	};
	if (request.qs) options.qs = request.qs;
	if (!request.multipart && request.body) {
		options.body = request.body;
		options.json = true;
		options.headers!['Content-Type'] = 'application/json';
	}
	const response = await sendRequest(
		{
			helpers: {
				httpRequest: async (o) => await ctx.helpers.httpRequest(o),
				// A Graph rate limit is a refused request: retry it like a 429 (Graph sends no Retry-After).
				httpRequestWithAuthentication: async (type, o) => {
					const answer = (await ctx.helpers.httpRequestWithAuthentication.call(
						ctx,
						type,
						o,
					)) as HttpResponse;
					const body = await readAnswer(answer.body, secrets);
					const code = graphErrorOf(body)?.code;
					const statusCode =
						code !== undefined && RATE_LIMIT_CODES.has(code) ? 429 : answer.statusCode;
					return {
						...answer,
						statusCode,
						body,
						headers: { ...answer.headers, 'x-graph-status': String(answer.statusCode) },
					};
				},
			},
		},
		{
			credentialType: MESSENGER_CREDENTIAL,
			options,
			rawBody: request.multipart,
			timeoutMs: request.timeoutMs ?? (request.multipart ? TIMEOUTS.transfer : TIMEOUTS.api),
			redirects: 'sameOrigin',
			retry: {
				retryServerErrors: request.idempotent ?? false,
				...(request.maxAttempts !== undefined ? { maxAttempts: request.maxAttempts } : {}),
				onRetry: ({ attempt, delayMs, reason }) =>
					ctx.logger.debug(
						`Messenger ${what}: ${redact(reason, secrets)}, retry ${attempt} in ${delayMs} ms`,
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
						message: `Could not reach the Graph API (${what})${itemIndex === undefined ? '' : ` (item ${itemIndex})`}`,
						description: `${reason}. ${maybeSent}Check the API Base URL in the Messenger credential.`,
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
			'not followed, so the Page token stays with the API Base URL you configured';
		throw redact(
			graphError(ctx, response.statusCode, { error: { message } }, what, itemIndex),
			secrets,
		);
	}
	const originalStatus = Number(response.headers['x-graph-status'] ?? response.statusCode);
	if (originalStatus >= 200 && originalStatus < 300 && !graphErrorOf(response.body))
		return response.body as T;
	const error = graphError(ctx, originalStatus, response.body, what, itemIndex);
	throw redact(namingTheWait(error, response, 'Meta'), secrets);
}
