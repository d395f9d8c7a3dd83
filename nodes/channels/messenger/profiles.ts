/**
 * The names of Messenger customers: Meta's webhook events carry only the PSID, so the trigger asks
 * the User Profile API (`GET /<PSID>?fields=first_name,last_name,name` with the Page token) through
 * the Messenger transport, and keeps the answer in process memory.
 *
 * Only a cache: the newest 1000 names for 24 hours; a failed lookup (no profile permission, 4xx,
 * 5xx, a timeout) is remembered for 10 minutes as "no name", so that a customer whose profile the
 * page may not read costs one request, not one per message. A lookup never fails the event: the
 * name stays empty and the reason goes to the debug log.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import { BoundedMap } from '../../shared/dedupe';
import { graphApiRequest } from './transport';

/** Names found: the newest 1000, for 24 h. */
const NAMES_CAPACITY = 1000;
const NAMES_TTL_MS = 24 * 60 * 60 * 1000;
/** Lookups that failed: not asked again for 10 minutes. */
const FAILED_TTL_MS = 10 * 60 * 1000;
/** One attempt, this long at most: the event waits for it. */
const LOOKUP_TIMEOUT_MS = 3000;

interface GraphProfile {
	id?: string;
	name?: string;
	first_name?: string;
	last_name?: string;
}

/** The in-process store of customer names (cleared by tests like a restart of n8n would). */
export const senderNames = {
	found: new BoundedMap<string>(NAMES_CAPACITY, NAMES_TTL_MS),
	failed: new BoundedMap<true>(NAMES_CAPACITY, FAILED_TTL_MS),
	clear(): void {
		this.found.clear();
		this.failed.clear();
	},
};

/** The profile's display name: `name`, else first and last name; '' when there is none. */
function nameOf(profile: GraphProfile | undefined): string {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	return (
		text(profile?.name) ||
		[text(profile?.first_name), text(profile?.last_name)].filter(Boolean).join(' ')
	);
}

async function lookUp(ctx: IWebhookFunctions, pageId: string, psid: string): Promise<string> {
	const key = `${pageId}:${psid}`;
	const known = senderNames.found.get(key);
	if (known !== undefined) return known;
	if (senderNames.failed.get(key)) return '';
	try {
		const profile = await graphApiRequest<GraphProfile>(ctx, {
			method: 'GET',
			path: `/${encodeURIComponent(psid)}`,
			qs: { fields: 'first_name,last_name,name' },
			idempotent: true,
			maxAttempts: 1,
			timeoutMs: LOOKUP_TIMEOUT_MS,
			what: 'look up the sender name',
		});
		const name = nameOf(profile);
		if (name) senderNames.found.set(key, name);
		else senderNames.failed.set(key, true);
		return name;
	} catch (error) {
		// graphApiRequest's errors carry no secret (redacted there)
		senderNames.failed.set(key, true);
		ctx.logger.debug(
			`Chat Channel Trigger (Messenger): no name for sender ${psid} (${(error as Error).message}); ` +
				"the item's sender.name stays empty",
		);
		return '';
	}
}

/**
 * Looks up the names of one delivery's senders, each PSID once, side by side: `request(psid)`
 * starts (or joins) a lookup and resolves with the name, or '' (never rejects).
 */
export function senderNameLookups(ctx: IWebhookFunctions, pageId: string) {
	const pending = new Map<string, Promise<string>>();
	return {
		request(psid: string): Promise<string> {
			let lookup = pending.get(psid);
			if (!lookup) {
				lookup = lookUp(ctx, pageId, psid).catch(() => '');
				pending.set(psid, lookup);
			}
			return lookup;
		},
	};
}
