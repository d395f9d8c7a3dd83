/**
 * The names of VK customers: events carry only `from_id`, so the trigger asks `users.get` (first
 * and last name) and keeps the answer in process memory. Only a cache: the newest 1000 names for
 * 24 hours; a failed lookup is remembered for 10 minutes as "no name". A lookup never fails the
 * event: the name stays empty and the reason goes to the debug log.
 */
import type { ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

import { BoundedMap } from '../../shared/dedupe';
import { vkApiRequest } from './transport';

const NAMES_CAPACITY = 1000;
const NAMES_TTL_MS = 24 * 60 * 60 * 1000;
const FAILED_TTL_MS = 10 * 60 * 1000;
/** One attempt, this long at most: the event waits for it. */
const LOOKUP_TIMEOUT_MS = 3000;

/** The in-process store of customer names (cleared by tests like a restart of n8n would). */
export const vkNames = {
	found: new BoundedMap<string>(NAMES_CAPACITY, NAMES_TTL_MS),
	failed: new BoundedMap<true>(NAMES_CAPACITY, FAILED_TTL_MS),
	clear(): void {
		this.found.clear();
		this.failed.clear();
	},
};

interface VkUser {
	id?: number;
	first_name?: string;
	last_name?: string;
}

async function lookUp(
	ctx: ITriggerFunctions | IWebhookFunctions,
	groupId: string,
	userId: string,
): Promise<string> {
	const key = `${groupId}:${userId}`;
	const known = vkNames.found.get(key);
	if (known !== undefined) return known;
	if (vkNames.failed.get(key)) return '';
	try {
		const users = await vkApiRequest<VkUser[]>(ctx, {
			method: 'users.get',
			params: { user_ids: userId },
			idempotent: true,
			maxAttempts: 2,
			timeoutMs: LOOKUP_TIMEOUT_MS,
		});
		const user = (Array.isArray(users) ? users : []).find((u) => String(u?.id) === userId);
		const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
		const name = [text(user?.first_name), text(user?.last_name)].filter(Boolean).join(' ');
		if (name) vkNames.found.set(key, name);
		else vkNames.failed.set(key, true);
		return name;
	} catch (error) {
		// vkApiRequest's errors carry no secret (redacted there)
		vkNames.failed.set(key, true);
		ctx.logger.debug(
			`Chat Channel Trigger (VK): no name for sender ${userId} (${(error as Error).message}); ` +
				"the item's sender.name stays empty",
		);
		return '';
	}
}

/**
 * Looks up senders' names: `request(id)` resolves with the name or '' (never rejects); a sender
 * asked for while a lookup of them is under way joins it. A long poll's reader lives as long as
 * the poller: only lookups in flight are held here, the names in `vkNames`.
 */
export function senderNameLookups(ctx: ITriggerFunctions | IWebhookFunctions, groupId: string) {
	const pending = new Map<string, Promise<string>>();
	return {
		request(userId: string): Promise<string> {
			let lookup = pending.get(userId);
			if (!lookup) {
				lookup = lookUp(ctx, groupId, userId)
					.catch(() => '')
					.finally(() => pending.delete(userId));
				pending.set(userId, lookup);
			}
			return lookup;
		},
	};
}
