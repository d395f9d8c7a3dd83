/**
 * Send pacing per bot, shared by every execution in this n8n process: a channel's documented
 * limits are kept before a request goes out, so the channel rarely has to say 429 at all.
 *
 * Each limit is a minimum spacing between two sends ("one message per second per chat" = 1000 ms
 * in that chat); a send takes the first moment every limit that applies allows, and reserves it
 * before it waits, so concurrent sends queue up fairly instead of racing.
 */
import { sleep } from 'n8n-workflow';

import { monotonicNow } from '../shared/clock';

export interface PaceLimits {
	/** Minimum ms between two sends of one bot (Telegram: ~30 messages/s → 35 ms). */
	globalIntervalMs: number;
	/** Minimum ms between two sends into one private chat (Telegram: 1 message/s). */
	chatIntervalMs: number;
	/** Minimum ms between two sends into one group (Telegram: 20 messages/min → 3000 ms). */
	groupIntervalMs: number;
}

class Pacer {
	private readonly next = new Map<string, number>();

	constructor(
		private readonly now: () => number = monotonicNow,
		private readonly wait: (ms: number) => Promise<void> = async (ms) => await sleep(ms),
	) {}

	/** Reserves the earliest slot allowed by every `[key, interval]` and waits for it. */
	async acquire(keys: Array<[string, number]>): Promise<number> {
		const now = this.now();
		let at = now;
		for (const [key, interval] of keys) {
			if (interval > 0) at = Math.max(at, this.next.get(key) ?? 0);
		}
		for (const [key, interval] of keys) {
			if (interval > 0) this.next.set(key, at + interval);
		}
		this.prune(now);
		const delay = at - now;
		if (delay > 0) await this.wait(delay);
		return delay;
	}

	/** Pushes a key's next slot out by `delayMs` from now (after a 429 told us to wait). */
	defer(key: string, delayMs: number): void {
		this.next.set(key, Math.max(this.next.get(key) ?? 0, this.now() + delayMs));
	}

	private prune(now: number): void {
		if (this.next.size < 10_000) return;
		for (const [key, at] of this.next) if (at < now) this.next.delete(key);
	}
}

/** The one pacer of this process. */
export const pacer = new Pacer();
