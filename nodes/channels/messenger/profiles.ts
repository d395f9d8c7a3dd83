/**
 * The names of Messenger customers: the User Profile API (`GET /<PSID>?fields=first_name,last_name,name`
 * with the Page token), cached by ../meta/profiles.ts.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { SenderProfile } from '../meta/profiles';
import { metaSenderNames, senderNameLookups } from '../meta/profiles';
import { MESSENGER_GRAPH } from './transport';

/** The in-process store of customer names (shared by the Meta channels). */
export const senderNames = metaSenderNames;

/** The profile's display name: `name`, else first and last name; '' when there is none. */
function profileOf(profile: IDataObject): SenderProfile {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	return {
		name:
			text(profile.name) ||
			[text(profile.first_name), text(profile.last_name)].filter(Boolean).join(' '),
	};
}

/** The lookups of one delivery's senders (each PSID once, never rejecting). */
export function messengerNameLookups(ctx: IWebhookFunctions, pageId: string) {
	return senderNameLookups(ctx, {
		api: MESSENGER_GRAPH,
		account: pageId,
		fields: 'first_name,last_name,name',
		profileOf,
		label: 'Chat Channel Trigger (Messenger)',
	});
}
