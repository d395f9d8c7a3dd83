/**
 * The rate limit of form submissions: at most N per client address and clock hour.
 *
 * Across n8n processes (queue mode, several webhook processors), when the node has the
 * TeamSpirit API: a submission claims one of N slots of its address and hour, each slot a message
 * key (`limit:<hour>:<address tag>:<slot>`) in one hidden chat of the bot (the "limits chat",
 * key `n8n-forms:limits`, found or created with `POST /chats` + 409). A message key is unique
 * within its chat (docs/teamspirit-api.md, "External keys"): posting a key that exists creates
 * nothing and returns the message that has it, so of two processes claiming one slot at the same
 * moment one gets it, and the other sees someone else's submission key in its text and tries the
 * next slot. A retried submission finds its own key in its slot: it is not counted twice. All
 * N slots taken: refused until the next hour.
 *
 * Through an incoming webhook (no API): the same count in this process's memory only.
 *
 * The address is never stored: the slot keys hold a hash of it with the workflow and node.
 */
import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { credentialIdentityOf, teamSpiritApiRequest } from '../shared/teamspirit/transport';
import { segment } from '../shared/teamspirit/utils';

const HOUR_MS = 3_600_000;
export const LIMITS_CHAT_KEY = 'n8n-forms:limits';

export interface LimitRequest {
	/** Submissions allowed per address and hour (0: no limit). */
	perHour: number;
	address: string;
	/** The workflow and node: each form counts on its own. */
	scope: string;
	/** The submission's key: its own claim, found again on a retry, counts once. */
	submissionKey: string;
	/** Now, in ms since the epoch (a moment outside the process: the clock hour). */
	now: number;
}

export type LimitOutcome = { allowed: true } | { allowed: false; retryAfter: number };

/** The address's tag in slot keys: a hash, never the address. Empty addresses share one. */
function addressTag(scope: string, address: string): string {
	const normal = address.trim().toLowerCase();
	return createHash('sha256').update(`${scope}\n${normal}`).digest('base64url').slice(0, 22);
}

/** Seconds from `now` to the next clock hour (at least 1). */
function secondsToNextHour(now: number): number {
	return Math.max(1, Math.ceil(((Math.floor(now / HOUR_MS) + 1) * HOUR_MS - now) / 1000));
}

// ----- in this process only (incoming webhooks) ------------------------------------------------

const counted = new Map<string, Set<string>>();

/** The limit kept in this process's memory: what an incoming webhook can have. */
export function claimInProcess(limit: LimitRequest): LimitOutcome {
	const hour = Math.floor(limit.now / HOUR_MS);
	for (const key of counted.keys()) if (!key.startsWith(`${hour}:`)) counted.delete(key);
	const key = `${hour}:${addressTag(limit.scope, limit.address)}`;
	const keys = counted.get(key) ?? new Set<string>();
	counted.set(key, keys);
	if (keys.has(limit.submissionKey)) return { allowed: true };
	if (keys.size >= limit.perHour)
		return { allowed: false, retryAfter: secondsToNextHour(limit.now) };
	keys.add(limit.submissionKey);
	return { allowed: true };
}

// ----- across processes (the TeamSpirit API) ---------------------------------------------------

/** The limits chat per credential identity: a cache (a stale entry is found again). */
const limitsChats = new Map<string, string>();
/** Per address and hour, the first slot not known taken: a cache that only saves requests. */
const firstFree = new Map<string, number>();

async function limitsChat(ctx: IExecuteFunctions, itemIndex: number): Promise<string> {
	const identity = await credentialIdentityOf.call(ctx, itemIndex);
	const cached = limitsChats.get(identity);
	if (cached) return cached;
	const answer = await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: '/chats',
		body: {
			type: 'group',
			title: 'n8n form rate limits (kept by n8n; nothing to read here)',
			externalKey: LIMITS_CHAT_KEY,
			metadata: { kind: 'n8nFormLimits' },
		},
		idempotent: true,
		expectStatuses: [409],
		itemIndex,
	});
	const chat = (
		answer.statusCode === 409 ? ((answer.body as IDataObject)?.error as IDataObject)?.chat : answer
	) as IDataObject | undefined;
	if (!chat?.id) {
		throw new NodeApiError(
			ctx.getNode(),
			{},
			{
				message: 'TeamSpirit did not show the chat of the form rate limits',
				itemIndex,
			},
		);
	}
	limitsChats.set(identity, String(chat.id));
	return String(chat.id);
}

const claimText = (submissionKey: string) => `form submission ${submissionKey}`;

/** One slot: true when it is (now, or already) this submission's. */
async function claimSlot(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId: string,
	externalKey: string,
	submissionKey: string,
): Promise<boolean> {
	const message = (await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/messages`,
		body: { text: claimText(submissionKey), format: 'plain', externalKey },
		// the key makes a repeat return the message it made: safe to send again
		idempotent: true,
		itemIndex,
	})) as IDataObject;
	return message.text === claimText(submissionKey);
}

/**
 * The limit kept in TeamSpirit: it holds across every n8n process using this bot. A limits chat
 * that went away (404 on the cached id) is found or made again, once.
 */
export async function claimInTeamSpirit(
	ctx: IExecuteFunctions,
	itemIndex: number,
	limit: LimitRequest,
): Promise<LimitOutcome> {
	const first = await claimSlots(ctx, itemIndex, limit).then(
		(outcome) => ({ outcome, error: undefined }),
		(error: unknown) => ({ outcome: undefined, error }),
	);
	if (first.outcome) return first.outcome;
	const { error } = first;
	if (!(error instanceof NodeApiError) || error.httpCode !== '404') throw error;
	limitsChats.clear();
	return await claimSlots(ctx, itemIndex, limit);
}

async function claimSlots(
	ctx: IExecuteFunctions,
	itemIndex: number,
	limit: LimitRequest,
): Promise<LimitOutcome> {
	const hour = Math.floor(limit.now / HOUR_MS);
	const tag = addressTag(limit.scope, limit.address);
	const cacheKey = `${hour}:${tag}`;
	for (const key of firstFree.keys()) if (!key.startsWith(`${hour}:`)) firstFree.delete(key);
	const chatId = await limitsChat(ctx, itemIndex);
	for (let slot = firstFree.get(cacheKey) ?? 0; slot < limit.perHour; slot++) {
		const key = `limit:${hour}:${tag}:${slot}`;
		if (await claimSlot(ctx, itemIndex, chatId, key, limit.submissionKey)) {
			firstFree.set(cacheKey, slot + 1);
			return { allowed: true };
		}
	}
	firstFree.set(cacheKey, limit.perHour);
	return { allowed: false, retryAfter: secondsToNextHour(limit.now) };
}

/** Forgets the caches (tests: a fresh emulator is a fresh server). */
export function resetLimitCaches(): void {
	limitsChats.clear();
	firstFree.clear();
	counted.clear();
}
