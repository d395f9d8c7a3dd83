/**
 * The one way the TeamSpirit node talks to the TeamSpirit REST API (docs/teamspirit-api.md).
 * Retries, rate limits and error mapping live here and nowhere else.
 */
import { createHash } from 'crypto';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { BinaryStream } from '../binary';
import type { EnvelopeResponse } from '../http';
import { TIMEOUTS, readBody, redact, secretForms, sendRequest } from '../http';
import { markNetworkError } from '../outcome';
import { rateLimitGiveUp } from '../retry';
import { afterPause, pauseSends } from '../runner';
import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritWebsiteApi } from '../../../credentials/TeamSpiritWebsiteApi.credentials';

export type TeamSpiritContext =
	IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export const CREDENTIAL_TYPE = 'teamSpiritApi';

/**
 * The credential types that speak to TeamSpirit as a bot, each with its own `authenticate` (a
 * Bearer API key) and the secret it signs with: the TeamSpirit API credential (its Conversation
 * Secret, else its API key), and the Website chat's (its Session Secret, nodes/channels/website/).
 */
const CREDENTIALS = {
	teamSpiritApi: {
		type: new TeamSpiritApi(),
		label: 'TeamSpirit API',
		signingSecret: (c: TeamSpiritCredentials) =>
			String(c.conversationSecret ?? '').trim() || String(c.apiKey ?? '').trim(),
	},
	teamSpiritWebsiteApi: {
		type: new TeamSpiritWebsiteApi(),
		label: 'TeamSpirit Website Chat API',
		signingSecret: (c: TeamSpiritCredentials) => String(c.sessionSecret ?? ''),
	},
};

export type TeamSpiritCredentialType = keyof typeof CREDENTIALS;

export interface TeamSpiritRequest {
	method: IHttpRequestMethods;
	/** Path below /api/v1, starting with a slash. */
	path: string;
	body?: IDataObject | IDataObject[];
	qs?: IDataObject;
	/**
	 * Safe to send again after a 5xx or a lost connection. True by default for GET, PUT, PATCH and DELETE; a POST
	 * is safe only with `idempotencyKey`, which makes TeamSpirit return the message it already
	 * created instead of creating a second one.
	 */
	idempotent?: boolean;
	idempotencyKey?: string;
	/** A conditional update: only when the object is still at this `version` (`412` otherwise). */
	ifMatch?: number;
	/** Builds a raw body (e.g. multipart) afresh for every attempt: a stream cannot be resent. */
	rawBody?: () => Promise<{ body: Buffer | BinaryStream; headers: Record<string, string> }>;
	/** 'stream' answers with the response body as a stream (file downloads). */
	responseType?: 'json' | 'stream';
	itemIndex?: number;
	/** The credential to speak as (default: the TeamSpirit API credential, `teamSpiritApi`). */
	credentialType?: TeamSpiritCredentialType;
	/** Ms one attempt may take (default TIMEOUTS.api; streams TIMEOUTS.transfer). */
	timeoutMs?: number;
	/**
	 * Error statuses the caller handles itself (e.g. 409 for a chat whose externalKey exists):
	 * their body is returned, as `{ statusCode, body }`, instead of thrown. A success status listed
	 * here comes back the same way (e.g. 200, a message that exists, beside 201, a new one).
	 */
	expectStatuses?: number[];
}

interface ApiErrorBody {
	error?: { code?: string; message?: string };
}

export function normalizeServerUrl(serverUrl: unknown): string {
	return String(serverUrl ?? '')
		.trim()
		.replace(/\/+$/, '')
		.replace(/\/api\/v1$/, '');
}

interface TeamSpiritCredentials {
	serverUrl?: string;
	apiKey?: string;
	webhookSecret?: string;
	conversationSecret?: string;
	sessionSecret?: string;
}

interface Connection {
	/** The configured server, without /api/v1. */
	serverUrl: string;
	/** Every secret an error must never show. */
	secrets: string[];
	/** Adds the Authorization header exactly as the credential's own `authenticate` does. */
	authenticate: (options: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
	/**
	 * What the credential signs with (never sent anywhere): the conversation bridge its chats' keys
	 * (TeamSpirit API), the Website chat its visitors' sessions and transcripts (Website Chat).
	 */
	conversationSecret: string;
	/** Which server and credential (a hash, never a secret): what per-process caches are keyed by. */
	identity: string;
}

/**
 * The credential of each node run (the context object is the run's, or the webhook request's),
 * read once: n8n reads a credential from its database and decrypts it on every `getCredentials`,
 * and `httpRequestWithAuthentication` does that again for every request, which was most of the
 * node's own work per item in a bulk send. A failed read is not kept: the next item reads again
 * and fails with its own item index.
 */
const connections = new WeakMap<TeamSpiritContext, Map<string, Promise<Connection>>>();

/**
 * The configured server, the secrets and the signer, from the credential as this node run reads it
 * (expressions in the credential, e.g. external secrets, are resolved for the first item that
 * asks: `httpRequestWithAuthentication` resolved the API key for item 0 on every request).
 */
async function connection(
	this: TeamSpiritContext,
	itemIndex?: number,
	credentialType: TeamSpiritCredentialType = CREDENTIAL_TYPE,
): Promise<Connection> {
	let known = connections.get(this);
	if (!known) {
		known = new Map();
		connections.set(this, known);
	}
	const cache = known;
	const earlier = cache.get(credentialType);
	if (earlier) {
		try {
			return await earlier;
		} catch {
			// that read failed (for another item): read again for this one
		}
	}
	const reading = readConnection.call(this, itemIndex, credentialType);
	cache.set(credentialType, reading);
	reading.catch(() => {
		if (cache.get(credentialType) === reading) cache.delete(credentialType);
	});
	return await reading;
}

async function readConnection(
	this: TeamSpiritContext,
	itemIndex: number | undefined,
	credentialType: TeamSpiritCredentialType,
): Promise<Connection> {
	const { type, label, signingSecret } = CREDENTIALS[credentialType];
	// a node without one (an example just imported) would get n8n's "Node does not have any
	// credentials set", shown in the editor only as "Error fetching options"
	if (!this.getNode().credentials?.[credentialType]) {
		throw new NodeOperationError(this.getNode(), `Choose a ${label} credential first`, {
			itemIndex,
			description:
				'This node talks to TeamSpirit: pick (or create) a "' +
				label +
				'" credential in its credential box, then open the list again.',
		});
	}
	const credentials = await this.getCredentials(credentialType, itemIndex);
	const values = credentials as TeamSpiritCredentials;
	const server = normalizeServerUrl(values.serverUrl);
	const secret = signingSecret(values);
	return {
		serverUrl: server,
		identity: createHash('sha256')
			.update(
				`${credentialType === CREDENTIAL_TYPE ? '' : `${credentialType}\n`}` +
					`${server}\n${String(values.apiKey ?? '')}\n${secret}`,
			)
			.digest('base64url'),
		secrets: [
			...secretForms(values.apiKey),
			...secretForms(values.webhookSecret),
			...secretForms(values.conversationSecret),
			...secretForms(values.sessionSecret),
		],
		authenticate: async (options) => await type.authenticate(credentials, options),
		conversationSecret: secret,
	};
}

/**
 * The secret the conversation bridge signs the keys of the chats it makes with: the credential's
 * Conversation Secret, or its API key when that is empty. Read with the credential, once per run.
 */
export async function conversationSecretOf(
	this: TeamSpiritContext,
	itemIndex?: number,
	credentialType?: TeamSpiritCredentialType,
): Promise<string> {
	return (await connection.call(this, itemIndex, credentialType)).conversationSecret;
}

/**
 * Which TeamSpirit server and credential (API key, conversation secret) this run speaks as, as a
 * hash: the conversation bridge keys its per-process caches (chats, the bot's identity) by it, so
 * an entry never serves another server or bot.
 */
export async function credentialIdentityOf(
	this: TeamSpiritContext,
	itemIndex?: number,
	credentialType?: TeamSpiritCredentialType,
): Promise<string> {
	return (await connection.call(this, itemIndex, credentialType)).identity;
}

/** Turns a final non-2xx answer into an error that carries TeamSpirit's own message. */
function apiError(
	this: TeamSpiritContext,
	statusCode: number,
	body: unknown,
	itemIndex?: number,
): NodeApiError {
	const error = (body as ApiErrorBody | undefined)?.error;
	const text =
		error?.message ?? (typeof body === 'string' && body ? body.slice(0, 500) : undefined);
	const onItem = itemIndex === undefined ? '' : ` (item ${itemIndex})`;
	const message = text
		? `TeamSpirit: ${text}${onItem}`
		: `TeamSpirit answered HTTP ${statusCode} without an error message${onItem}`;
	const hints: Record<number, string> = {
		401: 'Check the API key in the TeamSpirit API credential.',
		403:
			'The bot is not allowed to do this. ' +
			'Ask a TeamSpirit admin to grant the bot access (for a chat: add the bot as a member).',
		404: 'Check the ID: the chat, message, user or file does not exist or the bot cannot see it.',
		429: 'TeamSpirit kept rate-limiting the request after several waits. Send fewer requests at once.',
	};
	const description = [error?.code ? `Error code: ${error.code}` : undefined, hints[statusCode]]
		.filter(Boolean)
		.join('. ');
	return new NodeApiError(
		this.getNode(),
		{ ...(body as JsonObject), httpCode: String(statusCode) },
		{
			message,
			description: description || undefined,
			httpCode: String(statusCode),
			itemIndex,
		},
	);
}

function networkError(
	this: TeamSpiritContext,
	error: unknown,
	url: string,
	itemIndex?: number,
): NodeApiError {
	// Never pass the raw error on: it carries the request config, the Authorization header included.
	const cause = error as {
		code?: string;
		message?: string;
		cause?: { code?: string; message?: string };
	};
	const code = cause.cause?.code ?? cause.code;
	const reason = cause.cause?.message ?? cause.message ?? 'unknown error';
	const host = url.replace(/^(https?:\/\/[^/]+).*$/, '$1');
	// The code stays out of the message: n8n would swap a message naming it for a generic one.
	return new NodeApiError(
		this.getNode(),
		{ message: reason },
		{
			message: `Could not reach TeamSpirit at ${host}${itemIndex === undefined ? '' : ` (item ${itemIndex})`}`,
			description:
				`${code ? `${code}: ` : ''}${reason}. ` +
				'Check the Server URL in the TeamSpirit API credential and that n8n can reach the server.',
			itemIndex,
		},
	);
}

/** Sends one request to the TeamSpirit API and resolves with the parsed body. */
export async function teamSpiritApiRequest(
	this: TeamSpiritContext,
	request: TeamSpiritRequest,
): Promise<IDataObject> {
	const { method, path, itemIndex } = request;
	const credentialType = request.credentialType ?? CREDENTIAL_TYPE;
	const { serverUrl, secrets, authenticate } = await connection.call(
		this,
		itemIndex,
		credentialType,
	);
	const url = `${serverUrl}/api/v1${path}`;
	const retrySafe =
		(request.idempotent ?? method !== 'POST') || request.idempotencyKey !== undefined;
	const stream = request.responseType === 'stream' || request.rawBody !== undefined;

	const options: IHttpRequestOptions = {
		method,
		url,
		qs: request.qs,
		headers: { Accept: 'application/json' },
	};
	if (request.idempotencyKey) options.headers!['Idempotency-Key'] = request.idempotencyKey;
	if (request.ifMatch !== undefined) options.headers!['If-Match'] = `"${request.ifMatch}"`;
	if (!request.rawBody && request.body !== undefined) {
		options.body = request.body;
		options.json = true;
		options.headers!['Content-Type'] = 'application/json';
	}
	if (request.responseType === 'stream') options.encoding = 'stream';

	const response = await sendRequest(this, {
		credentialType,
		authenticate,
		options,
		rawBody: request.rawBody,
		timeoutMs: request.timeoutMs ?? (stream ? TIMEOUTS.transfer : TIMEOUTS.api),
		redirects: 'sameOrigin',
		retry: {
			retryServerErrors: retrySafe,
			// one 429 pauses every request to this server from this process (nodes/shared/runner.ts)
			beforeAttempt: async () => await afterPause(serverUrl),
			onRateLimited: (delayMs) => pauseSends(serverUrl, delayMs),
			onRetry: ({ attempt, delayMs, reason }) =>
				this.logger.debug(
					`TeamSpirit ${method} ${path}: ${redact(reason, secrets)}, retry ${attempt} in ${delayMs} ms`,
				),
		},
	});
	if (response.statusCode >= 200 && response.statusCode < 300) {
		const body = (response.statusCode === 204 ? {} : response.body) as IDataObject;
		return request.expectStatuses?.includes(response.statusCode)
			? { statusCode: response.statusCode, body }
			: body;
	}
	if (
		request.expectStatuses?.includes(response.statusCode) &&
		response.networkError === undefined
	) {
		const body = await readBody<IDataObject>(response.body, secrets, (text) => ({ text }));
		return { statusCode: response.statusCode, body: body ?? {} };
	}
	throw redact(await finalError.call(this, response, url, itemIndex, secrets), secrets);
}

async function finalError(
	this: TeamSpiritContext,
	response: EnvelopeResponse,
	url: string,
	itemIndex: number | undefined,
	secrets: string[],
): Promise<NodeApiError> {
	if (response.networkError !== undefined) {
		return markNetworkError(
			networkError.call(this, response.networkError, url, itemIndex),
			response.networkError,
		);
	}
	if (response.refusedRedirect !== undefined) {
		const message =
			`The server redirected the request to ${response.refusedRedirect}; ` +
			'the redirect was not followed, so the API key goes nowhere but the server you configured ' +
			'(check the Server URL: e.g. https instead of http)';
		(response.body as { destroy?: () => void } | undefined)?.destroy?.();
		return apiError.call(
			this,
			response.statusCode,
			{ error: { code: 'redirect_refused', message } },
			itemIndex,
		);
	}
	const gaveUp = rateLimitGiveUp(response);
	if (gaveUp !== undefined) {
		(response.body as { destroy?: () => void } | undefined)?.destroy?.();
		const message = `Rate limited: TeamSpirit ${gaveUp}`;
		return apiError.call(this, 429, { error: { code: 'rate_limited', message } }, itemIndex);
	}
	const body = await readBody<unknown>(response.body, secrets, (text) => ({
		error: { message: text.slice(0, 500) },
	}));
	return apiError.call(this, response.statusCode, body, itemIndex);
}

export interface ListPage<T> {
	items: T[];
	nextCursor: string | null;
}

/** "Return All" reads at most this many pages (100 items each). */
const MAX_PAGES = 1000;

/**
 * Follows `nextCursor` until `limit` items are read (or all of them when `limit` is undefined),
 * asking for at most 100 per page as the contract allows.
 */
export async function teamSpiritApiRequestAllItems(
	this: TeamSpiritContext,
	path: string,
	qs: IDataObject = {},
	limit?: number,
	itemIndex?: number,
): Promise<IDataObject[]> {
	const results: IDataObject[] = [];
	const seenCursors = new Set<string>();
	let cursor: string | null = null;
	do {
		if (cursor !== null) {
			if (seenCursors.has(cursor) || seenCursors.size >= MAX_PAGES) {
				throw new NodeApiError(
					this.getNode(),
					{ cursor },
					{
						message: seenCursors.has(cursor)
							? `TeamSpirit returned the page cursor "${cursor.slice(0, 40)}" twice: ` +
								`stopped reading ${path} to avoid an endless loop`
							: `Stopped reading ${path} after ${MAX_PAGES} pages (${results.length} items)`,
						description: 'Use a Limit (turn off Return All), or narrow the request with filters.',
						itemIndex,
					},
				);
			}
			seenCursors.add(cursor);
		}
		const pageSize = limit === undefined ? 100 : Math.min(100, limit - results.length);
		const page = (await teamSpiritApiRequest.call(this, {
			method: 'GET',
			path,
			qs: { ...qs, limit: pageSize, ...(cursor ? { cursor } : {}) },
			itemIndex,
		})) as unknown as ListPage<IDataObject>;
		results.push(...(page.items ?? []));
		cursor = page.nextCursor ?? null;
	} while (cursor && (limit === undefined || results.length < limit));
	return limit === undefined ? results : results.slice(0, limit);
}

/** Posts through an incoming webhook; the credential holds the whole URL (it is the secret). */
export async function incomingWebhookRequest(
	this: IExecuteFunctions,
	body: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	const credentials = await this.getCredentials<{ webhookUrl?: string }>(
		'teamSpiritIncomingWebhookApi',
		itemIndex,
	);
	const url = String(credentials.webhookUrl ?? '').trim();
	const safeUrl = url.replace(/\/hooks\/.*$/, '/hooks/…');
	// the whole URL and its token are secrets: a proxy page echoing the request must not show them
	const token = /\/hooks\/([^/?#]+)/.exec(url)?.[1];
	const secrets = [...secretForms(url), ...secretForms(token)];
	const response = await sendRequest(this, {
		credentialType: 'teamSpiritIncomingWebhookApi',
		options: {
			method: 'POST',
			url,
			body,
			json: true,
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		},
		timeoutMs: TIMEOUTS.api,
		redirects: 'sameOrigin',
		// No idempotency key on hooks: only a refused request (429) is sent again.
		retry: { retryServerErrors: false },
	});
	if (response.statusCode >= 200 && response.statusCode < 300) return response.body as IDataObject;
	throw redact(await finalError.call(this, response, safeUrl, itemIndex, secrets), secrets);
}
