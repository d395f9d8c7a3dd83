/**
 * Retry policy shared by every transport of the package (TeamSpirit, Telegram, Twilio, Graph).
 *
 * A request is sent by `send()`, which resolves with the full response whatever its status
 * (callers pass `ignoreHttpStatusErrors`), or rejects on a network failure. The policy decides:
 * - 429: always safe to resend (the server refused the request); wait `Retry-After`
 *   (or the API's own `retry_after`) and try again.
 * - 5xx and network failures: only when the caller says the request is safe to repeat (a GET, or
 *   a POST carrying an idempotency key). A chat message that may have been accepted is never
 *   resent blindly.
 * - Every wait is capped (`maxRetryAfterMs`), and so is their sum for one request
 *   (`maxTotalWaitMs`): `Retry-After: 120` answered four times ends after the first wait with an
 *   error naming the wait, instead of holding the execution eight minutes.
 */
import { abortableSleep } from './sleep';

export interface HttpResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
}

/** The last answer, or why there is none. */
export interface FinalResponse<T = unknown> extends HttpResponse<T> {
	/** Set when no answer came (statusCode 0): the last network failure. */
	networkError?: unknown;
	/**
	 * Set on a 429 that was not waited out: the wait asked for. `waitLimit` says which cap it
	 * broke: one wait longer than `maxRetryAfterMs` ('each'), or more than `maxTotalWaitMs` with
	 * what this request had already waited (`waitedMs`, 'total').
	 */
	retryAfterMs?: number;
	waitLimit?: { kind: 'each' | 'total'; limitMs: number; waitedMs: number };
	/** Attempts made, the first included. */
	attempts: number;
}

export interface RetryPolicy {
	/** Resend after 5xx answers and network failures. */
	retryServerErrors: boolean;
	/** Total attempts, the first included. */
	maxAttempts?: number;
	/** First backoff for 5xx / network errors, in ms; doubles each time. */
	baseDelayMs?: number;
	/** Cap of one backoff, in ms. */
	maxDelayMs?: number;
	/** The longest `Retry-After` we are willing to wait, in ms; longer gives up with an error. */
	maxRetryAfterMs?: number;
	/**
	 * The longest one request waits in all (server-given waits and backoffs together), in ms: a
	 * wait that would go beyond it is not started, the request ends with the answer in hand.
	 */
	maxTotalWaitMs?: number;
	/** Reads a wait (seconds) out of a 429 body, e.g. Telegram's `parameters.retry_after`. */
	retryAfterFromBody?: (body: unknown) => number | undefined;
	/** Waits; tests may pass a recorder. Defaults to n8n-workflow's `sleep`. */
	wait?: (ms: number) => Promise<void>;
	/**
	 * Called on a 429 that will be waited out, with the wait: a transport shares it with the other
	 * requests to the same server (which then pause too).
	 */
	onRateLimited?: (delayMs: number) => void;
	/** Called before every wait, for logging. */
	onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
	/** Runs before every attempt (e.g. pacing: waits for the channel's next free slot). */
	beforeAttempt?: () => Promise<void>;
	/** Ends the waits at once (deactivation, a cancelled execution): no further attempt is made. */
	abortSignal?: AbortSignal;
}

/** The defaults of every transport (a test may shorten them with `jest.replaceProperty`). */
export const DEFAULT_RETRY = {
	maxAttempts: 5,
	baseDelayMs: 500,
	maxDelayMs: 8000,
	/** One server-given wait: 2 minutes. */
	maxRetryAfterMs: 120_000,
	/** All waits of one request together: 3 minutes. */
	maxTotalWaitMs: 180_000,
};

const inSeconds = (ms: number) => Math.ceil(ms / 1000);

/**
 * Why a rate-limited request was given up before the wait the server asked for, in words that
 * name the wait (for the error's message or description); undefined when it was not.
 */
export function rateLimitGiveUp(response: FinalResponse): string | undefined {
	const { retryAfterMs, waitLimit } = response;
	if (retryAfterMs === undefined || waitLimit === undefined) return undefined;
	if (waitLimit.kind === 'each') {
		return (
			`asked to wait ${inSeconds(retryAfterMs)} s, longer than the ` +
			`${inSeconds(waitLimit.limitMs)} s the node waits at a time`
		);
	}
	return (
		`asked to wait ${inSeconds(retryAfterMs)} s more after this request had already waited ` +
		`${inSeconds(waitLimit.waitedMs)} s; one request waits at most ` +
		`${inSeconds(waitLimit.limitMs)} s in all`
	);
}

function header(headers: HttpResponse['headers'], name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` as delta-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return serverWaitMs(seconds);
	const date = Date.parse(value);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

/** A server-given wait in seconds, as ms; undefined when it is not a finite, non-negative number. */
function serverWaitMs(seconds: unknown): number | undefined {
	const value = typeof seconds === 'string' && seconds.trim() !== '' ? Number(seconds) : seconds;
	if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return undefined;
	return Math.round(value * 1000);
}

export function backoffDelay(attempt: number, base: number, cap: number): number {
	// Exponential with "equal jitter": half fixed, half random, so parallel clients spread out.
	const exp = Math.min(cap, base * 2 ** (attempt - 1));
	return Math.round(exp / 2 + Math.random() * (exp / 2));
}

function isServerError(status: number): boolean {
	return status >= 500 && status <= 599;
}

/**
 * Sends with `send` until the answer is final, and resolves with it: a 2xx, an error status that
 * is not retried, or (statusCode 0) the network failure that ended the retries. Never rejects for
 * HTTP or network failures, so that the caller maps every outcome to one clear error.
 */
export async function sendWithRetry<T>(
	send: () => Promise<HttpResponse<T>>,
	policy: RetryPolicy,
): Promise<FinalResponse<T>> {
	const maxAttempts = policy.maxAttempts ?? DEFAULT_RETRY.maxAttempts;
	const base = policy.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
	const cap = policy.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
	const maxRetryAfter = policy.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs;
	const maxTotal = policy.maxTotalWaitMs ?? DEFAULT_RETRY.maxTotalWaitMs;
	const signal = policy.abortSignal;
	const sleepFor = policy.wait ?? (async (ms: number) => await abortableSleep(ms, signal));
	let waitedMs = 0;
	const wait = async (ms: number) => {
		waitedMs += ms;
		await sleepFor(ms);
	};
	/** Whether a backoff of `ms` still fits in what this request may wait in all. */
	const fits = (ms: number) => waitedMs + ms <= maxTotal;
	const aborted = (attempt: number): FinalResponse<T> => ({
		statusCode: 0,
		headers: {},
		body: undefined as T,
		networkError: new Error('The request was cancelled'),
		attempts: attempt,
	});

	for (let attempt = 1; ; attempt++) {
		if (signal?.aborted) return aborted(attempt - 1);
		let response: HttpResponse<T>;
		try {
			await policy.beforeAttempt?.();
			response = await send();
		} catch (error) {
			const delayMs = backoffDelay(attempt, base, cap);
			if (!policy.retryServerErrors || attempt >= maxAttempts || !fits(delayMs)) {
				return {
					statusCode: 0,
					headers: {},
					body: undefined as T,
					networkError: error,
					attempts: attempt,
				};
			}
			policy.onRetry?.({ attempt, delayMs, reason: (error as Error).message });
			await wait(delayMs);
			continue;
		}

		const { statusCode } = response;
		if (statusCode === 429 && attempt < maxAttempts) {
			const fromHeader = parseRetryAfter(header(response.headers, 'retry-after'));
			const fromBody = serverWaitMs(policy.retryAfterFromBody?.(response.body));
			// A wait the server names is trusted only when it is a sane number: a negative, NaN or
			// missing one falls back to backoff (never a hot loop), a huge one ends the retries below.
			const delayMs = fromHeader ?? fromBody ?? backoffDelay(attempt, base, cap);
			if (delayMs > maxRetryAfter || !fits(delayMs)) {
				const kind = delayMs > maxRetryAfter ? 'each' : 'total';
				const limitMs = kind === 'each' ? maxRetryAfter : maxTotal;
				return {
					...response,
					retryAfterMs: delayMs,
					waitLimit: { kind, limitMs, waitedMs },
					attempts: attempt,
				};
			}
			policy.onRateLimited?.(delayMs);
			policy.onRetry?.({ attempt, delayMs, reason: '429 rate limited' });
			await wait(delayMs);
			continue;
		}
		const backoff = backoffDelay(attempt, base, cap);
		if (
			isServerError(statusCode) &&
			policy.retryServerErrors &&
			attempt < maxAttempts &&
			fits(backoff)
		) {
			const delayMs = backoff;
			policy.onRetry?.({ attempt, delayMs, reason: `HTTP ${statusCode}` });
			await wait(delayMs);
			continue;
		}
		return { ...response, attempts: attempt };
	}
}
