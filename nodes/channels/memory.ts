/**
 * Small bounded in-process stores (no dependencies, no timers).
 *
 * - `seenEvents`: event ids a trigger has already started a workflow for (webhook mode cannot
 *   keep them in static data: the execution a webhook call starts saves its own copy of static
 *   data afterwards, overwriting what `webhook()` wrote). Guarantees: within one n8n process, the
 *   same delivery starts at most one execution among the last `capacity` deliveries; it does not
 *   survive a restart and is not shared between n8n instances (queue mode).
 * - `acceptedParts`: message parts a channel accepted, per item, so that n8n's "Retry On Fail"
 *   re-running the node does not send them again.
 */
export class BoundedSet {
	private readonly entries = new Map<string, number>();

	constructor(
		private readonly capacity: number,
		private readonly ttlMs: number,
		private readonly now: () => number = () => Date.now(),
	) {}

	/** True when the key was new (and is now remembered); false for a repeat. */
	add(key: string): boolean {
		const now = this.now();
		const seen = this.entries.get(key);
		if (seen !== undefined && now - seen < this.ttlMs) return false;
		this.entries.delete(key);
		this.entries.set(key, now);
		while (this.entries.size > this.capacity) {
			const oldest = this.entries.keys().next().value as string;
			this.entries.delete(oldest);
		}
		return true;
	}

	delete(key: string): void {
		this.entries.delete(key);
	}

	get size(): number {
		return this.entries.size;
	}

	/** Forgets everything (what a restart of n8n does). */
	clear(): void {
		this.entries.clear();
	}
}

export class BoundedMap<V> {
	private readonly entries = new Map<string, { value: V; at: number }>();

	constructor(
		private readonly capacity: number,
		private readonly ttlMs: number,
		private readonly now: () => number = () => Date.now(),
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
}

/** Event ids seen by triggers in this process (10 000 newest, kept 24 h). */
export const seenEvents = new BoundedSet(10_000, 24 * 60 * 60 * 1000);

/** Accepted message parts by `${acceptKey}:${part}` (kept 1 h: long enough for node retries). */
export const acceptedParts = new BoundedMap<Record<string, unknown>>(20_000, 60 * 60 * 1000);
