/**
 * The one request envelope every transport and downloader of the package uses. A transport adds
 * only its base URL, its credential type, its secrets and its error vocabulary; what is written
 * here once:
 *
 * - **Timeouts**: every attempt has its own (`timeoutMs`), so a server that accepts and never
 *   answers costs one timeout per attempt, not n8n's global five minutes.
 * - **Redirects and credential scope**: the HTTP client never follows a redirect itself (n8n's
 *   helper would re-send the credential to whatever host the `Location` names). A redirect on the
 *   same origin is followed here, with the credential; to another origin it is refused (API calls)
 *   or followed without any credential (media downloads, `redirects: 'download'`).
 * - **Retries**: 429 waited out, 5xx and network errors retried only when the request is safe to
 *   repeat (./retry.ts), every server-given wait clamped.
 * - **Redaction**: `redact()` removes every known secret (and its URL-encoded and Basic-auth forms)
 *   from an error, deeply: message, description, cause, the response body it carries, the stack.
 */
import type { IHttpRequestOptions, IN8nHttpFullResponse } from 'n8n-workflow';

import type { FinalResponse, HttpResponse, RetryPolicy } from './retry';
import { rateLimitGiveUp, sendWithRetry } from './retry';

export interface HttpContext {
	helpers: {
		httpRequestWithAuthentication(
			this: unknown,
			credentialsType: string,
			requestOptions: IHttpRequestOptions,
		): Promise<unknown>;
		httpRequest(requestOptions: IHttpRequestOptions): Promise<unknown>;
	};
	/** The running execution's cancel signal (node runs; not webhooks or hooks). */
	getExecutionCancelSignal?(): AbortSignal | undefined;
}

export type RedirectPolicy =
	/** Follow on the same origin (with the credential); refuse another origin. */
	| 'sameOrigin'
	/** Also follow to other origins, without any credential (e.g. Twilio's media CDN). */
	| 'download';

export interface EnvelopeRequest {
	/** The credential whose `authenticate` signs the request; omitted: an anonymous request. */
	credentialType?: string;
	/**
	 * Signs a request with that credential as the transport already read it (its own
	 * `authenticate`, applied to the data the transport holds), sent with `helpers.httpRequest`:
	 * without it, `httpRequestWithAuthentication` reads and decrypts the credential again for every
	 * request. Like the credential itself, it is dropped for a hop to another origin.
	 */
	authenticate?: (options: IHttpRequestOptions) => Promise<IHttpRequestOptions>;
	/** Method, url, qs, headers, body, json, encoding: the request as the transport builds it. */
	options: IHttpRequestOptions;
	/** Builds the body afresh for every attempt (a stream cannot be sent twice). */
	rawBody?: () => Promise<{ body: unknown; headers: Record<string, string> }>;
	/** Ms one attempt may take, answer included. */
	timeoutMs: number;
	abortSignal?: AbortSignal;
	redirects?: RedirectPolicy;
	/** With `redirects: 'download'`: whether a hop to another origin may be followed at all. */
	allowRedirectTo?: (url: string) => boolean;
	retry: Omit<RetryPolicy, 'wait'>;
}

export interface EnvelopeResponse<T = unknown> extends FinalResponse<T> {
	/** Set when the server redirected to another origin and the redirect was not followed. */
	refusedRedirect?: string;
}

/**
 * A channel's error for a rate-limited request that the retries gave up on before the wait the
 * server asked for (one wait too long, or too long in all): its description names the wait.
 */
export function namingTheWait<E extends { description?: string | null }>(
	error: E,
	response: FinalResponse,
	service: string,
): E {
	const gaveUp = rateLimitGiveUp(response);
	if (gaveUp !== undefined)
		error.description = `${service} ${gaveUp}. Send fewer messages at once, or send later.`;
	return error;
}

/** Request timeouts of the package's transports, in ms (documented in the README). */
export const TIMEOUTS = {
	/** An API call (JSON). */
	api: 30_000,
	/** An upload or a download (a stream: the time until the answer starts, and between chunks). */
	transfer: 120_000,
};

const MAX_REDIRECTS = 5;

function originOf(url: string): string | undefined {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
}

/** The absolute URL a Location names; undefined when it cannot be resolved (a relative request URL). */
function resolveUrl(location: string, base: string): string | undefined {
	for (const attempt of [() => new URL(location), () => new URL(location, base)]) {
		try {
			return attempt().toString();
		} catch {
			// relative Location, or a relative request URL (rewritten by the credential)
		}
	}
	return undefined;
}

function locationOf(response: HttpResponse): string | undefined {
	const value = response.headers.location ?? response.headers.Location;
	return Array.isArray(value) ? value[0] : value;
}

function isRedirect(status: number): boolean {
	return status >= 300 && status < 400 && status !== 304;
}

function discard(body: unknown): void {
	(body as { destroy?: () => void; resume?: () => void } | undefined)?.destroy?.();
}

/**
 * Sends one request through the envelope and resolves with the final answer (any status), or
 * with `networkError` set (statusCode 0) when there was none. Never rejects for HTTP or network
 * failures: the transport maps every outcome to one clear error.
 */
export async function sendRequest<T = unknown>(
	ctx: HttpContext,
	request: EnvelopeRequest,
): Promise<EnvelopeResponse<T>> {
	let refusedRedirect: string | undefined;
	const attempt = async (): Promise<HttpResponse> => {
		refusedRedirect = undefined;
		const options: IHttpRequestOptions = {
			...request.options,
			headers: { ...request.options.headers },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: request.timeoutMs,
		};
		if (request.abortSignal) options.abortSignal = request.abortSignal;
		if (request.rawBody) {
			const raw = await request.rawBody();
			options.body = raw.body as IHttpRequestOptions['body'];
			Object.assign(options.headers!, raw.headers);
		}
		let credential = request.credentialType;
		let response = (await send(ctx, options, credential, request.authenticate)) as HttpResponse;
		let url = String(options.url ?? '');
		for (let hop = 0; isRedirect(response.statusCode) && hop < MAX_REDIRECTS; hop++) {
			const location = locationOf(response);
			if (!location) break;
			const target = resolveUrl(location, url);
			if (!target) break;
			const sameOrigin = originOf(target) === originOf(url) && originOf(url) !== undefined;
			// Only reads are followed: a redirected POST is not sent again (it may have been carried out).
			const method = String(options.method ?? 'GET').toUpperCase();
			const elsewhereAllowed =
				request.redirects === 'download' && (request.allowRedirectTo?.(target) ?? true);
			if ((method !== 'GET' && method !== 'HEAD') || (!sameOrigin && !elsewhereAllowed)) {
				refusedRedirect = originOf(target) ?? target;
				break;
			}
			discard(response.body);
			url = target;
			const next: IHttpRequestOptions = {
				...options,
				url: target,
				baseURL: undefined,
				qs: undefined,
			};
			// Another origin never gets the credential (nor does any hop after it).
			if (!sameOrigin) credential = undefined;
			response = (await send(ctx, next, credential, request.authenticate)) as HttpResponse;
		}
		return response;
	};
	const response = await sendWithRetry(attempt, request.retry);
	return refusedRedirect
		? { ...(response as FinalResponse<T>), refusedRedirect }
		: (response as FinalResponse<T>);
}

async function send(
	ctx: HttpContext,
	options: IHttpRequestOptions,
	credentialType: string | undefined,
	authenticate: EnvelopeRequest['authenticate'],
) {
	if (credentialType === undefined) {
		const anonymous = { ...options, headers: { ...options.headers } };
		delete anonymous.headers!.Authorization;
		delete anonymous.headers!.authorization;
		return (await ctx.helpers.httpRequest(anonymous)) as IN8nHttpFullResponse;
	}
	if (authenticate) {
		const signed = await authenticate({ ...options, headers: { ...options.headers } });
		// as httpRequestWithAuthentication: a node run's request ends when the execution is cancelled
		if (!signed.abortSignal && ctx.getExecutionCancelSignal) {
			const cancel = ctx.getExecutionCancelSignal();
			if (cancel) signed.abortSignal = cancel;
		}
		return (await ctx.helpers.httpRequest(signed)) as IN8nHttpFullResponse;
	}
	return (await ctx.helpers.httpRequestWithAuthentication.call(
		ctx,
		credentialType,
		options,
	)) as IN8nHttpFullResponse;
}

// ---------------------------------------------------------------------------
// Redaction
// ---------------------------------------------------------------------------

const MIN_SECRET_LENGTH = 6;

/** A secret and the forms it takes on the wire: URL-encoded, and inside a Basic header. */
export function secretForms(secret: unknown): string[] {
	const text = typeof secret === 'string' ? secret.trim() : '';
	if (text.length < MIN_SECRET_LENGTH) return [];
	return [
		...new Set([text, encodeURIComponent(text), encodeURIComponent(encodeURIComponent(text))]),
	];
}

/** `user:password` as HTTP Basic sends it (base64), plus the password's own forms. */
export function basicAuthForms(user: unknown, password: unknown): string[] {
	const pass = typeof password === 'string' ? password : '';
	if (pass.length < MIN_SECRET_LENGTH) return [];
	const encoded = Buffer.from(`${String(user ?? '')}:${pass}`).toString('base64');
	return [...secretForms(pass), encoded];
}

const REDACTED = '[redacted]';

function redactText(text: string, secrets: string[]): string {
	let out = text;
	for (const secret of secrets)
		if (secret && out.includes(secret)) out = out.split(secret).join(REDACTED);
	return out;
}

/**
 * Removes every secret from a value, deeply and in place for objects (an error's message,
 * description, cause, context, the response body it carries, its stack); returns the value.
 */
export function redact<T>(value: T, secretList: string[]): T {
	const secrets = [...new Set(secretList.filter((s) => s && s.length >= MIN_SECRET_LENGTH))].sort(
		(a, b) => b.length - a.length,
	);
	if (!secrets.length) return value;
	const seen = new WeakSet<object>();
	const walk = (current: unknown): unknown => {
		if (typeof current === 'string') return redactText(current, secrets);
		if (!current || typeof current !== 'object') return current;
		if (seen.has(current)) return current;
		seen.add(current);
		if (Array.isArray(current)) {
			for (let i = 0; i < current.length; i++) current[i] = walk(current[i]);
			return current;
		}
		// streams, buffers and the like are not data to show
		if (typeof (current as { pipe?: unknown }).pipe === 'function' || Buffer.isBuffer(current))
			return current;
		const record = current as Record<string, unknown>;
		const keys = new Set([
			...Object.getOwnPropertyNames(record),
			...(current instanceof Error ? ['message', 'stack'] : []),
		]);
		for (const key of keys) {
			try {
				const before = record[key];
				const after = walk(before);
				if (after !== before) record[key] = after;
			} catch {
				// a getter-only property: nothing to rewrite
			}
		}
		return current;
	};
	return walk(value) as T;
}

/** The most of an answer's body read to explain an error (the rest is discarded). */
const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/**
 * An answer's body as data, for error mapping: a stream is read (up to 1 MB), JSON parsed, other
 * text handed to `fromText`. Secrets are removed from the text before anything is parsed or cut
 * short, so neither a structured field nor a truncated excerpt can carry one.
 */
export async function readBody<T>(
	body: unknown,
	secrets: string[],
	fromText: (text: string) => T,
): Promise<T | undefined> {
	if (body && typeof body === 'object' && typeof (body as { pipe?: unknown }).pipe === 'function') {
		const chunks: Buffer[] = [];
		let size = 0;
		const stream = body as AsyncIterable<Buffer> & { destroy?: () => void };
		for await (const chunk of stream) {
			const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
			chunks.push(buffer);
			size += buffer.length;
			if (size >= MAX_ERROR_BODY_BYTES) {
				stream.destroy?.();
				break;
			}
		}
		body = Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
	}
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body === 'string') {
		const text = redact(body, secrets);
		try {
			return JSON.parse(text) as T;
		} catch {
			return fromText(text);
		}
	}
	return redact(body as T | undefined, secrets);
}
