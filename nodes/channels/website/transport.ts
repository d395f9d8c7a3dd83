/**
 * The Website channel talks to nothing but TeamSpirit: the visitors' transcripts are TeamSpirit
 * chats (./transcript.ts). Every request goes through the package's one TeamSpirit transport
 * (nodes/shared/teamspirit/transport.ts) as the Website Chat credential's bot; this file adds only
 * the credential's name, its Session Secret, and the bot's identity.
 */
import type { IDataObject } from 'n8n-workflow';

import { BoundedMap } from '../../shared/dedupe';
import {
	conversationSecretOf,
	credentialIdentityOf,
	teamSpiritApiRequest,
	type TeamSpiritContext,
	type TeamSpiritRequest,
} from '../../shared/teamspirit/transport';

export const WEBSITE_CREDENTIAL = 'teamSpiritWebsiteApi';

export type WebsiteContext = TeamSpiritContext;

export const WEBSITE_LIMITS = {
	/** What one transcript message may hold (the widget's own limit is the trigger's option). */
	maxTextLength: 4000,
	maxCaptionLength: 4000,
	/** TeamSpirit's `POST /files` takes up to 100 MB. */
	maxUploadBytes: 100 * 1024 * 1024,
};

/** One TeamSpirit request as the Website Chat credential's bot. */
export async function websiteRequest(
	ctx: WebsiteContext,
	request: Omit<TeamSpiritRequest, 'credentialType'>,
): Promise<IDataObject> {
	return await teamSpiritApiRequest.call(ctx, { ...request, credentialType: WEBSITE_CREDENTIAL });
}

/** The credential's Session Secret: signs sessions and transcript keys (never sent anywhere). */
export async function sessionSecretOf(ctx: WebsiteContext, itemIndex?: number): Promise<string> {
	return await conversationSecretOf.call(ctx, itemIndex, WEBSITE_CREDENTIAL);
}

/** Which server, bot and secret (a hash): what this process's caches are keyed by. */
export async function identityOf(ctx: WebsiteContext, itemIndex?: number): Promise<string> {
	return await credentialIdentityOf.call(ctx, itemIndex, WEBSITE_CREDENTIAL);
}

/** The bot's user id (`GET /me`), per credential, for 10 minutes: the channel's `account`. */
const bots = new BoundedMap<string>(100, 10 * 60 * 1000);

export async function botIdOf(ctx: WebsiteContext, itemIndex?: number): Promise<string> {
	const identity = await identityOf(ctx, itemIndex);
	const known = bots.get(identity);
	if (known) return known;
	const me = await websiteRequest(ctx, { method: 'GET', path: '/me', itemIndex });
	const id = String(me.id ?? '');
	if (id) bots.set(identity, id);
	return id;
}
