/**
 * The one way the Meta channels (Messenger, Instagram Direct, WhatsApp Cloud API) talk to Meta's
 * Graph API. A channel describes itself once (`GraphApi`: its credential type, its name in
 * messages, its token, its own error hints) and calls `graphApiRequest`. The token (and, where the
 * credential adds it, its appsecret_proof) comes from the credential's `authenticate`. Graph
 * answers most errors with HTTP 400 and a code: rate limits (4, 17, 32, 613, 80006…) are refused
 * requests and are waited out like a 429; 5xx retried for requests safe to repeat; other errors
 * mapped to readable messages here.
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

export type MetaContext = IExecuteFunctions | IHookFunctions | IWebhookFunctions;

/** Graph's error object (`{ error: { message, type, code, error_subcode, … } }`). */
export interface GraphError {
	message?: string;
	type?: string;
	code?: number;
	error_subcode?: number;
	fbtrace_id?: string;
	is_transient?: boolean;
	error_data?: unknown;
}

/** How one Meta channel uses the Graph API. */
export interface GraphApi {
	credentialType: string;
	/** The channel in messages: "Messenger send message: …", "… in the Messenger credential". */
	label: string;
	/** The token, as the hints name it ("Page access token"). */
	token: string;
	/** Where a new token comes from (ends the "invalid or expired" hint). */
	tokenHelp: string;
	/** The permission sending needs (named when Graph answers #10 / #200). */
	permission: string;
	/** More rate-limit codes than Graph's own (4, 17, 32, 613). */
	rateLimitCodes?: number[];
	/** The subcodes with which Meta refuses a send outside the 24-hour window (./humanAgent.ts). */
	windowSubcodes?: number[];
	/** The channel's own hints (windows, unknown recipients), asked before the common ones. */
	hint?: (error: GraphError | undefined, statusCode: number) => string | undefined;
	/** Defaults of the credential (a channel may pin another Graph version). */
	defaultBaseUrl?: string;
	defaultVersion?: string;
}

/** A Meta credential as the transports read it. */
export interface MetaCredentials {
	appSecret: string;
	verifyToken: string;
	/** Base URL and version: `https://graph.facebook.com/v23.0`. */
	apiUrl: string;
	/** The token, the App Secret, the Verify Token and the proof: never shown in an error. */
	secrets: string[];
	/** Every field of the credential as a trimmed string (the channel's ids: `pageId`, …). */
	fields: Record<string, string>;
}

/** Graph's own rate-limit codes: app (4), user (17), page (32), custom (613). */
const GRAPH_RATE_LIMIT_CODES = [4, 17, 32, 613];

/** `appsecret_proof`: hex HMAC-SHA256 of the access token keyed with the app secret. */
function proofOf(accessToken: string, appSecret: string): string {
	return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

export async function metaCredentialsOf(
	ctx: MetaContext,
	api: Pick<GraphApi, 'credentialType' | 'defaultBaseUrl' | 'defaultVersion'>,
	itemIndex?: number,
): Promise<MetaCredentials> {
	const credentials = await (ctx as IExecuteFunctions).getCredentials<IDataObject>(
		api.credentialType,
		itemIndex ?? 0,
	);
	const text = (name: string) =>
		credentials[name] === undefined || credentials[name] === null ? '' : String(credentials[name]);
	const base =
		text('baseUrl').trim().replace(/\/+$/, '') ||
		api.defaultBaseUrl ||
		'https://graph.facebook.com';
	const version =
		text('graphVersion')
			.trim()
			.replace(/^\/+|\/+$/g, '') ||
		api.defaultVersion ||
		'v23.0';
	const token = text('accessToken');
	const appSecret = text('appSecret');
	const fields: Record<string, string> = {};
	for (const name of Object.keys(credentials)) fields[name] = text(name).trim();
	return {
		appSecret,
		verifyToken: text('verifyToken'),
		apiUrl: `${base}/${version}`,
		fields,
		secrets: [
			...secretForms(token),
			...secretForms(appSecret),
			...secretForms(text('verifyToken')),
			...(token && appSecret ? secretForms(proofOf(token, appSecret)) : []),
		],
	};
}

function graphErrorOf(body: unknown): GraphError | undefined {
	const error = (body as { error?: GraphError } | undefined)?.error;
	return error && typeof error === 'object' ? error : undefined;
}

/** The Graph error a `graphApiRequest` failure carries, if it is one. */
export function graphErrorIn(error: unknown): GraphError | undefined {
	const e = error as { errorResponse?: unknown; cause?: unknown } | undefined;
	return graphErrorOf(e?.errorResponse) ?? graphErrorOf(e?.cause);
}

function rateLimited(api: GraphApi, code: number | undefined): boolean {
	return (
		code !== undefined &&
		(GRAPH_RATE_LIMIT_CODES.includes(code) || (api.rateLimitCodes ?? []).includes(code))
	);
}

function hintFor(
	api: GraphApi,
	error: GraphError | undefined,
	statusCode: number,
): string | undefined {
	const own = api.hint?.(error, statusCode);
	if (own !== undefined) return own;
	const code = error?.code;
	if (code === 190) return `The ${api.token} is invalid or expired: ${api.tokenHelp}`;
	if (code === 100 && /appsecret_proof/i.test(error?.message ?? ''))
		return `Check the App Secret in the ${api.label} credential: it must belong to the app the ${api.token} was made for.`;
	if (code === 10 || code === 200)
		return `The app lacks a permission (${api.permission}), or the person cannot be messaged now.`;
	if (rateLimited(api, code))
		return 'Meta kept rate-limiting the request after several waits. Send fewer messages at once.';
	if (statusCode >= 500 || code === 1 || code === 2) return 'A temporary problem at Meta.';
	return undefined;
}

function graphError(
	ctx: MetaContext,
	api: GraphApi,
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
			message: `${api.label} ${what}: ${error?.message ?? `HTTP ${statusCode}`}${codes}${onItem}`,
			description: hintFor(api, error, statusCode),
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
	ctx: MetaContext,
	api: GraphApi,
	request: GraphRequest,
): Promise<T> {
	const { itemIndex } = request;
	const what = request.what ?? `${request.method} ${request.path}`;
	const { apiUrl, secrets } = await metaCredentialsOf(ctx, api, itemIndex);
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
					const statusCode = rateLimited(api, code) ? 429 : answer.statusCode;
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
			credentialType: api.credentialType,
			options,
			rawBody: request.multipart,
			timeoutMs: request.timeoutMs ?? (request.multipart ? TIMEOUTS.transfer : TIMEOUTS.api),
			redirects: 'sameOrigin',
			retry: {
				retryServerErrors: request.idempotent ?? false,
				...(request.maxAttempts !== undefined ? { maxAttempts: request.maxAttempts } : {}),
				onRetry: ({ attempt, delayMs, reason }) =>
					ctx.logger.debug(
						`${api.label} ${what}: ${redact(reason, secrets)}, retry ${attempt} in ${delayMs} ms`,
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
						description: `${reason}. ${maybeSent}Check the API Base URL in the ${api.label} credential.`,
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
			`not followed, so the ${api.token} stays with the API Base URL you configured`;
		throw redact(
			graphError(ctx, api, response.statusCode, { error: { message } }, what, itemIndex),
			secrets,
		);
	}
	const originalStatus = Number(response.headers['x-graph-status'] ?? response.statusCode);
	if (originalStatus >= 200 && originalStatus < 300 && !graphErrorOf(response.body))
		return response.body as T;
	const error = graphError(ctx, api, originalStatus, response.body, what, itemIndex);
	throw redact(namingTheWait(error, response, 'Meta'), secrets);
}
