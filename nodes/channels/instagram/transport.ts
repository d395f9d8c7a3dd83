/**
 * Instagram Direct's use of the Graph API (../meta/graph.ts): the Messenger Platform for
 * Instagram, with the Page access token of the Facebook Page linked to the Instagram professional
 * account (and its appsecret_proof, added by the credential's `authenticate`). Its limits and its
 * own error hints: the 24-hour window (10 / 2534022), unknown IGSIDs (2534014), people who cannot
 * be messaged (551).
 */
import type { IDataObject } from 'n8n-workflow';

import type { GraphApi, GraphRequest, MetaContext } from '../meta/graph';
import { graphApiRequest as metaGraphRequest, metaCredentialsOf } from '../meta/graph';

export const INSTAGRAM_CREDENTIAL = 'teamSpiritInstagramApi';

export const INSTAGRAM_LIMITS = {
	/** Characters the node counts; the API's own limit is 1000 bytes of UTF-8 (maxTextBytes). */
	maxTextLength: 1000,
	maxTextBytes: 1000,
	/** Attachments carry no caption: the text follows as messages. */
	maxCaptionLength: 1000,
	/** Images: 8 MB; audio, video and files: 25 MB. */
	maxImageBytes: 8 * 1024 * 1024,
	maxUploadBytes: 25 * 1024 * 1024,
	maxQuickReplies: 13,
};

export const INSTAGRAM_GRAPH: GraphApi = {
	credentialType: INSTAGRAM_CREDENTIAL,
	label: 'Instagram',
	token: 'Page access token',
	tokenHelp:
		'create a new one for the Page linked to the Instagram account ' +
		'(Meta app → Messenger → Instagram settings → Access Tokens).',
	permission: 'instagram_manage_messages',
	windowSubcodes: [2534022],
	hint(error) {
		const sub = error?.error_subcode;
		if (sub === 2534022 || /outside of allowed window/i.test(error?.message ?? '')) {
			return (
				"Instagram allows replies within 24 hours of the customer's last message. " +
				'Later, a person may still answer for up to 7 days with Messaging Type "Human Agent" ' +
				'(the HUMAN_AGENT tag; the app needs the Human Agent permission); ' +
				'automated messages cannot be sent.'
			);
		}
		if (sub === 2534014)
			return (
				'No such person: the conversation ID must be an Instagram-scoped ID (IGSID) from the ' +
				'trigger, of someone who wrote to this Instagram account.'
			);
		if (error?.code === 551 || sub === 1545041)
			return 'This person cannot receive messages from the account now (Instagram says they are unavailable).';
		return undefined;
	},
};

export interface InstagramCredentials {
	pageId: string;
	instagramAccountId: string;
	appSecret: string;
	verifyToken: string;
	apiUrl: string;
}

export async function credentialsOf(
	ctx: MetaContext,
	itemIndex?: number,
): Promise<InstagramCredentials> {
	const credentials = await metaCredentialsOf(ctx, INSTAGRAM_GRAPH, itemIndex);
	return {
		...credentials,
		pageId: credentials.fields.pageId ?? '',
		instagramAccountId: credentials.fields.instagramAccountId ?? '',
	};
}

/** One Graph call with the Instagram credential (../meta/graph.ts). */
export async function graphApiRequest<T = IDataObject>(
	ctx: MetaContext,
	request: GraphRequest,
): Promise<T> {
	return await metaGraphRequest<T>(ctx, INSTAGRAM_GRAPH, request);
}
