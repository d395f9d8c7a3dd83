/**
 * The names of a Meta channel's customers: Meta's webhook events carry only the sender's id, so
 * the trigger asks the channel's profile API (`GET /<id>?fields=…` with the token) and keeps the
 * answer in process memory, one store for every Meta channel (keys name the credential type and
 * the account).
 *
 * Only a cache: the newest 1000 names for 24 hours; a failed lookup (no profile permission, 4xx,
 * 5xx, a timeout) is remembered for 10 minutes as "no name", so that a customer whose profile the
 * account may not read costs one request, not one per message. A lookup never fails the event:
 * the name stays empty and the reason goes to the debug log.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { BoundedMap } from '../../shared/dedupe';
import type { GraphApi } from './graph';
import { graphApiRequest } from './graph';

/** Names found: the newest 1000, for 24 h. */
const NAMES_CAPACITY = 1000;
const NAMES_TTL_MS = 24 * 60 * 60 * 1000;
/** Lookups that failed: not asked again for 10 minutes. */
const FAILED_TTL_MS = 10 * 60 * 1000;
/** One attempt, this long at most: the event waits for it. */
const LOOKUP_TIMEOUT_MS = 3000;

/** The in-process store of customer names (cleared by tests like a restart of n8n would). */
export const metaSenderNames = {
	found: new BoundedMap<SenderProfile>(NAMES_CAPACITY, NAMES_TTL_MS),
	failed: new BoundedMap<true>(NAMES_CAPACITY, FAILED_TTL_MS),
	clear(): void {
		this.found.clear();
		this.failed.clear();
	},
};

/** What the trigger puts into `sender`: the display name, and the handle where the channel has one. */
export interface SenderProfile {
	name: string;
	username?: string;
}

/** What a channel's profile lookup asks and how it reads the answer. */
export interface ProfileQuery {
	api: GraphApi;
	/** The account (page, Instagram account) the ids are scoped to. */
	account: string;
	/** Graph `fields`, e.g. `first_name,last_name,name`. */
	fields: string;
	/** The display name (and handle) of a profile; name '' when there is none. */
	profileOf: (profile: IDataObject) => SenderProfile;
	/** The trigger in log lines: "Chat Channel Trigger (Messenger)". */
	label: string;
}

const NO_PROFILE: SenderProfile = { name: '' };

async function lookUp(
	ctx: IWebhookFunctions,
	query: ProfileQuery,
	id: string,
): Promise<SenderProfile> {
	const key = `${query.api.credentialType}:${query.account}:${id}`;
	const known = metaSenderNames.found.get(key);
	if (known !== undefined) return known;
	if (metaSenderNames.failed.get(key)) return NO_PROFILE;
	try {
		const profile = await graphApiRequest<IDataObject>(ctx, query.api, {
			method: 'GET',
			path: `/${encodeURIComponent(id)}`,
			qs: { fields: query.fields },
			idempotent: true,
			maxAttempts: 1,
			timeoutMs: LOOKUP_TIMEOUT_MS,
			what: 'look up the sender name',
		});
		const found = query.profileOf(profile ?? {});
		if (found.name) metaSenderNames.found.set(key, found);
		else metaSenderNames.failed.set(key, true);
		return found.name ? found : NO_PROFILE;
	} catch (error) {
		// graphApiRequest's errors carry no secret (redacted there)
		metaSenderNames.failed.set(key, true);
		ctx.logger.debug(
			`${query.label}: no name for sender ${id} (${(error as Error).message}); ` +
				"the item's sender.name stays empty",
		);
		return NO_PROFILE;
	}
}

/**
 * Looks up the profiles of one delivery's senders, each id once, side by side: `profile(id)`
 * starts (or joins) a lookup and resolves with the profile (name '' when there is none);
 * `request(id)` with the name alone. Neither rejects.
 */
export function senderNameLookups(ctx: IWebhookFunctions, query: ProfileQuery) {
	const pending = new Map<string, Promise<SenderProfile>>();
	const profile = (id: string): Promise<SenderProfile> => {
		let lookup = pending.get(id);
		if (!lookup) {
			lookup = lookUp(ctx, query, id).catch(() => NO_PROFILE);
			pending.set(id, lookup);
		}
		return lookup;
	};
	return {
		profile,
		request: async (id: string): Promise<string> => (await profile(id)).name,
	};
}
