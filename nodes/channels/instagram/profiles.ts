/**
 * The names of Instagram customers: the User Profile API for Instagram
 * (`GET /<IGSID>?fields=name,username` with the Page token), cached by ../meta/profiles.ts.
 * `name` is the profile's name, else the @username; `username` the handle.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { SenderProfile } from '../meta/profiles';
import { senderNameLookups } from '../meta/profiles';
import { INSTAGRAM_GRAPH } from './transport';

function profileOf(profile: IDataObject): SenderProfile {
	const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
	const username = text(profile.username);
	return {
		name: text(profile.name) || (username ? `@${username}` : ''),
		...(username ? { username } : {}),
	};
}

/** The lookups of one delivery's senders (each IGSID once, never rejecting). */
export function instagramProfileLookups(ctx: IWebhookFunctions, accountId: string) {
	return senderNameLookups(ctx, {
		api: INSTAGRAM_GRAPH,
		account: accountId,
		fields: 'name,username',
		profileOf,
		label: 'Chat Channel Trigger (Instagram)',
	});
}
