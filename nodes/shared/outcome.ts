/**
 * What a failed request says about whether the server took it: the one rule for "may I send this
 * again?" when no idempotency key makes the question moot.
 *
 * - `notTaken`: the server answered that it did not do it (429 "too many", 503 "unavailable"), or
 *   it was never reached (connection refused, unknown host, no route): sending again cannot
 *   duplicate.
 * - `unknown`: the request went out and what happened is not known: the answer was lost (timeout,
 *   connection reset), or another 5xx came back (500, 502, 504: a gateway or the service failing
 *   part-way, after it may have done the work). Without a key, do not send it again.
 * - `refused`: the server answered no (4xx): sending again gives the same answer.
 */
import type { IDataObject } from 'n8n-workflow';

export type Outcome = 'notTaken' | 'unknown' | 'refused';

/** Network errors raised before a request reached the server. */
const NEVER_REACHED = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EADDRNOTAVAIL',
]);

/**
 * Marks a node error made from a network failure, so `outcomeOf` can read it: the transports call
 * this on the errors they build from `EnvelopeResponse.networkError`.
 */
export function markNetworkError<E extends { context: IDataObject }>(error: E, cause: unknown): E {
	const raw = cause as { code?: unknown; cause?: { code?: unknown } } | undefined;
	const code = raw?.cause?.code ?? raw?.code;
	error.context.network = true;
	if (typeof code === 'string') error.context.networkCode = code;
	return error;
}

export function outcomeOf(error: unknown): Outcome {
	const e = error as { httpCode?: string | null; context?: IDataObject } | undefined;
	if (e?.context?.network === true) {
		const code = e.context.networkCode;
		return typeof code === 'string' && NEVER_REACHED.has(code) ? 'notTaken' : 'unknown';
	}
	const status = Number(e?.httpCode);
	if (status === 429 || status === 503) return 'notTaken';
	if (status >= 500) return 'unknown';
	return 'refused';
}
