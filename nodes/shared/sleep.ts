/**
 * Waiting that a deactivation can interrupt. Every wait of a trigger goes through here: it ends
 * early when `signal` aborts, and leaves neither a timer nor an abort listener behind.
 */
import { sleep } from 'n8n-workflow';

/** The longest wait a server may ask for; beyond it the poller comes back anyway. */
const MAX_SERVER_WAIT_MS = 5 * 60 * 1000;
/** The shortest: a server asking for 0, a negative or an unreadable wait gets this (no hot loop). */
const MIN_SERVER_WAIT_MS = 1000;

/**
 * A wait a server asked for (`retry_after`, `Retry-After`), in ms, kept within
 * [MIN_SERVER_WAIT_MS, MAX_SERVER_WAIT_MS]; anything that is not a finite number gets `fallbackMs`.
 */
export function clampServerWait(ms: unknown, fallbackMs = MIN_SERVER_WAIT_MS): number {
	const value = typeof ms === 'number' && Number.isFinite(ms) ? ms : fallbackMs;
	return Math.min(MAX_SERVER_WAIT_MS, Math.max(MIN_SERVER_WAIT_MS, value));
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (then with `false`). The abort listener is
 * removed when the wait ends either way, and n8n-workflow's `sleep` clears its timer on abort.
 */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<boolean> {
	const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0;
	if (!signal) {
		await sleep(delay);
		return true;
	}
	if (signal.aborted) return false;
	let onAbort: () => void = () => undefined;
	const aborted = new Promise<void>((resolve) => {
		onAbort = () => resolve();
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(delay, signal).catch(() => undefined), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
	return !signal.aborted;
}
