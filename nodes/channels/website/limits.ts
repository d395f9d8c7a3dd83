/**
 * The website widget's limits, each a trigger option: the size of a message (text length, file
 * size, files per message) and how many messages a minute.
 *
 * - Per visitor: counted from the data, the visitor's own messages in their TeamSpirit transcript
 *   (`visitorWait`), so the limit holds whichever n8n process (queue mode) takes each message.
 * - Per client address: a token bucket in this process's memory (`takeAddress`), so with several
 *   webhook processes each counts its own share. Counting it across processes would cost a
 *   TeamSpirit write for every request; it is the cheap first check that every request which would
 *   read or write TeamSpirit passes (messages, sessions, typing), before it costs anything.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { monotonicNow } from '../../shared/clock';
import { BoundedMap } from '../../shared/dedupe';
import { authorOf } from './transcript';

export interface WebsiteLimits {
	/** Messages a visitor may send per minute (counted in their transcript). */
	perSession: number;
	/** Requests one client address may make per minute in this process (all its sessions). */
	perAddress: number;
	maxTextLength: number;
	/** Bytes. */
	maxFileSize: number;
	maxFiles: number;
}

const DEFAULT_LIMITS = {
	messagesPerMinute: 20,
	messagesPerMinutePerAddress: 60,
	maxTextLength: 4000,
	maxFileMb: 10,
	maxFiles: 5,
};

const number = (value: unknown, fallback: number, min = 0) => {
	const n = Number(value ?? fallback);
	return Number.isFinite(n) && n >= min ? n : fallback;
};

/** The limits the trigger's *Limits* option sets (defaults: 20 and 60 a minute, 4000, 10 MB, 5). */
export function limitsOf(ctx: Pick<IWebhookFunctions, 'getNodeParameter'>): WebsiteLimits {
	const set = ctx.getNodeParameter('websiteLimits', {}) as Record<string, unknown>;
	const d = DEFAULT_LIMITS;
	return {
		perSession: number(set.messagesPerMinute, d.messagesPerMinute, 1),
		perAddress: number(set.messagesPerMinutePerAddress, d.messagesPerMinutePerAddress, 1),
		maxTextLength: Math.floor(number(set.maxTextLength, d.maxTextLength, 1)),
		maxFileSize: Math.floor(number(set.maxFileMb, d.maxFileMb) * 1024 * 1024),
		maxFiles: Math.floor(number(set.maxFiles, d.maxFiles)),
	};
}

interface Bucket {
	tokens: number;
	at: number;
}

/**
 * Token buckets: `perMinute` requests a minute, as a burst or spread out. `take` spends one and
 * answers undefined, or the seconds until one is free again.
 */
class RateLimiter {
	private readonly buckets: BoundedMap<Bucket>;

	constructor(
		capacity = 50_000,
		private readonly now: () => number = monotonicNow,
	) {
		// a bucket unused for ten minutes is full again anyway
		this.buckets = new BoundedMap<Bucket>(capacity, 10 * 60 * 1000, now);
	}

	take(key: string, perMinute: number): number | undefined {
		return this.takeAll([[key, perMinute]]);
	}

	/**
	 * One from each bucket, or none: when one of them is empty nothing is spent and the answer is
	 * the longest wait.
	 */
	takeAll(buckets: Array<[key: string, perMinute: number]>): number | undefined {
		const now = this.now();
		const levels = buckets.map(([key, perMinute]) => {
			const known = this.buckets.get(key);
			const rate = perMinute / 60_000;
			const tokens = known
				? Math.min(perMinute, known.tokens + (now - known.at) * rate)
				: perMinute;
			return { key, rate, tokens };
		});
		const empty = levels.filter((level) => level.tokens < 1);
		const spend = empty.length ? 0 : 1;
		for (const { key, tokens } of levels)
			this.buckets.set(key, { tokens: tokens - spend, at: now });
		if (!empty.length) return undefined;
		return Math.max(
			...empty.map(({ tokens, rate }) => Math.max(1, Math.ceil((1 - tokens) / rate / 1000))),
		);
	}

	/** Forgets every bucket (what a restart does). */
	clear(): void {
		this.buckets.clear();
	}
}

/** The buckets of this process, shared by every Website trigger (keys name the workflow's node). */
export const messageLimiter = new RateLimiter();

/** The client's address as n8n's web server sees it (behind a proxy: per N8N_PROXY_HOPS). */
export function clientAddress(ctx: IWebhookFunctions): string {
	const request = ctx.getRequestObject();
	return String(request.ip ?? request.socket?.remoteAddress ?? 'unknown');
}

/** The counts of one trigger (workflow and node): triggers never share a bucket. */
const scopeOf = (ctx: IWebhookFunctions) => `${ctx.getWorkflow().id ?? ''}\n${ctx.getNode().id}`;

/** Which trigger and client address a request is: the key of what is counted per address. */
export const addressKey = (ctx: IWebhookFunctions): string =>
	`${scopeOf(ctx)}\naddress\n${clientAddress(ctx)}`;

/**
 * One message or session from the client's address: undefined when it may go on, else the seconds
 * to wait.
 */
export function takeAddress(ctx: IWebhookFunctions, limits: WebsiteLimits): number | undefined {
	return messageLimiter.take(addressKey(ctx), limits.perAddress);
}

/**
 * One typing signal from the client's address, counted apart (as many a minute as messages): the
 * widget sends one every 3 s while its visitor types, which must not use up the messages' count.
 */
export function takeTyping(ctx: IWebhookFunctions, limits: WebsiteLimits): number | undefined {
	return messageLimiter.take(`${addressKey(ctx)}\ntyping`, limits.perAddress);
}

/** How long a visitor's message counts against their limit. */
const VISITOR_WINDOW_MS = 60_000;

/**
 * The seconds this visitor must wait before one more message, or undefined when they may send it
 * now: `recent` is the newest of their transcript's messages (any order), the visitor's own
 * (`in:` keys) stored in the last minute are counted, and the wait ends when the oldest of the
 * newest `perSession` of them is a minute old.
 */
export function visitorWait(
	recent: Array<{ externalKey?: unknown; createdAt?: unknown }>,
	perSession: number,
	now = Date.now(),
): number | undefined {
	const times = recent
		.filter((message) => authorOf(message) === 'visitor')
		.map((message) => Date.parse(String(message.createdAt)))
		.filter((at) => Number.isFinite(at) && at > now - VISITOR_WINDOW_MS)
		.sort((a, b) => b - a);
	if (times.length < perSession) return undefined;
	const oldest = times[perSession - 1];
	return Math.min(60, Math.max(1, Math.ceil((oldest + VISITOR_WINDOW_MS - now) / 1000)));
}
