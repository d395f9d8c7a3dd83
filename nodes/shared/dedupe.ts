/**
 * Remembering which webhook deliveries a trigger has already handled, so that a provider's retry
 * (the same delivery sent again because our answer was slow or lost) starts nothing.
 *
 * Why in process memory and not in the workflow's static data: measured in n8n 2.41, static data
 * that `webhook()` changes on a delivery that starts an execution never reaches the database. The
 * execution loads static data before the webhook's copy is saved, and saves its own copy over it
 * when it ends. (Static data written by a `webhook()` call that starts nothing is kept.)
 *
 * What this store guarantees: within one n8n process, among the last `capacity` deliveries and
 * for `ttlMs`, a key is claimed once. It is not shared between processes (queue mode with several
 * webhook processes, multi-main) and does not survive a restart.
 */
import { monotonicNow } from './clock';

/**
 * A bounded map whose entries expire: the newest `capacity` keys, each for `ttlMs`. No timers,
 * no dependencies; old entries go when new ones push them out or when they are read expired.
 */
export class BoundedMap<V> {
	private readonly entries = new Map<string, { value: V; at: number }>();

	constructor(
		private readonly capacity: number,
		private readonly ttlMs: number,
		private readonly now: () => number = monotonicNow,
	) {}

	get(key: string): V | undefined {
		const entry = this.entries.get(key);
		if (!entry) return undefined;
		if (this.now() - entry.at >= this.ttlMs) {
			this.entries.delete(key);
			return undefined;
		}
		return entry.value;
	}

	set(key: string, value: V): void {
		this.entries.delete(key);
		this.entries.set(key, { value, at: this.now() });
		while (this.entries.size > this.capacity) {
			const oldest = this.entries.keys().next().value as string;
			this.entries.delete(oldest);
		}
	}

	delete(key: string): void {
		this.entries.delete(key);
	}

	/** Forgets everything (what a restart of n8n does). */
	clear(): void {
		this.entries.clear();
	}

	get size(): number {
		return this.entries.size;
	}
}

/** Keys seen recently (a `BoundedMap` of timestamps): the dedupe store of every trigger. */
export class RecentIds {
	private readonly seen: BoundedMap<true>;

	constructor(capacity: number, ttlMs: number, now: () => number = monotonicNow) {
		this.seen = new BoundedMap<true>(capacity, ttlMs, now);
	}

	has(key: string): boolean {
		return this.seen.get(key) !== undefined;
	}

	/**
	 * Claims a delivery known by several keys (e.g. its delivery id and its event id): true when
	 * none of them was seen, and all are remembered from now on; false for a repeat. Synchronous,
	 * so two requests racing through the same process cannot both win.
	 */
	claim(keys: string[]): boolean {
		if (keys.some((key) => this.has(key))) return false;
		for (const key of keys) this.seen.set(key, true);
		return true;
	}

	/** `claim` of one key: true when it was new (and is now remembered). */
	add(key: string): boolean {
		return this.claim([key]);
	}

	/** Forgets keys again, e.g. when the delivery could not be handled and should be retried. */
	release(keys: string[]): void {
		for (const key of keys) this.seen.delete(key);
	}

	delete(key: string): void {
		this.seen.delete(key);
	}

	clear(): void {
		this.seen.clear();
	}

	get size(): number {
		return this.seen.size;
	}
}

/** Deliveries handled by the triggers of this package in this process: the newest 20 000, for 24 h. */
export const handledDeliveries = new RecentIds(20_000, 24 * 60 * 60 * 1000);
