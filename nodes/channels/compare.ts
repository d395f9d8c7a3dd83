/**
 * Constant-time string comparison for shared secrets (Telegram's secret_token).
 * (nodes/shared/signature.ts, being written for the TeamSpirit Trigger, will offer the same; this
 * one moves there once it lands.)
 */
import { createHash, timingSafeEqual } from 'crypto';

/** True when both are non-empty and equal; the time taken does not depend on where they differ. */
export function safeEqual(expected: string | undefined, received: unknown): boolean {
	if (!expected || typeof received !== 'string' || !received) return false;
	// Hash first: equal lengths for timingSafeEqual, and the length of the secret does not leak.
	const a = createHash('sha256').update(expected).digest();
	const b = createHash('sha256').update(received).digest();
	return timingSafeEqual(a, b);
}
