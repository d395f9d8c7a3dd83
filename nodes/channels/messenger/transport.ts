/**
 * Messenger's use of the Graph API (../meta/graph.ts): its credential, its limits and its own
 * error hints (the 24-hour window, unknown PSIDs). The token and its appsecret_proof are added by
 * the credential's `authenticate`.
 */
import type { IDataObject } from 'n8n-workflow';

import type { GraphApi, GraphRequest, MetaContext } from '../meta/graph';
import { graphApiRequest as metaGraphRequest, metaCredentialsOf } from '../meta/graph';

export const MESSENGER_CREDENTIAL = 'teamSpiritMessengerApi';

export const MESSENGER_LIMITS = {
	maxTextLength: 2000,
	/** Attachments carry no caption: the text follows as messages of up to 2000 characters. */
	maxCaptionLength: 2000,
	/** Attachment uploads: 25 MB. */
	maxUploadBytes: 25 * 1024 * 1024,
	maxQuickReplies: 13,
};

export const MESSENGER_GRAPH: GraphApi = {
	credentialType: MESSENGER_CREDENTIAL,
	label: 'Messenger',
	token: 'Page access token',
	tokenHelp: 'create a new one in the Meta app (Messenger → Settings → Access Tokens).',
	permission: 'pages_messaging',
	// 80006: Messenger's own rate limit
	rateLimitCodes: [80006],
	windowSubcodes: [2018278],
	hint(error) {
		if (
			error?.error_subcode === 2018278 ||
			/outside of allowed window/i.test(error?.message ?? '')
		) {
			return (
				"Messenger allows replies within 24 hours of the customer's last message. " +
				'Later, a person may still answer for up to 7 days with Messaging Type "Message Tag" ' +
				'and the tag HUMAN_AGENT (the app needs the Human Agent permission); ' +
				'automated messages cannot be sent.'
			);
		}
		if (error?.error_subcode === 2018001)
			return (
				'No such person: the conversation ID must be a page-scoped ID (PSID) from the trigger, ' +
				'of someone who wrote to this page.'
			);
		return undefined;
	},
};

export interface MessengerCredentials {
	pageId: string;
	appSecret: string;
	verifyToken: string;
	apiUrl: string;
}

export async function credentialsOf(
	ctx: MetaContext,
	itemIndex?: number,
): Promise<MessengerCredentials> {
	const credentials = await metaCredentialsOf(ctx, MESSENGER_GRAPH, itemIndex);
	return { ...credentials, pageId: credentials.fields.pageId ?? '' };
}

/** One Graph call with the Messenger credential (../meta/graph.ts). */
export async function graphApiRequest<T = IDataObject>(
	ctx: MetaContext,
	request: GraphRequest,
): Promise<T> {
	return await metaGraphRequest<T>(ctx, MESSENGER_GRAPH, request);
}
