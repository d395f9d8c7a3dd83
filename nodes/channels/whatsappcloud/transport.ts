/**
 * The one way the channel nodes talk to the WhatsApp Cloud API: Meta's Graph request
 * (../meta/graph.ts) with this channel's credential, its error vocabulary (131047 outside the
 * 24-hour window, 131026 undeliverable, …) and its rate limits (130429 throughput, 131056 pair
 * rate, 80007 account rate) waited out like a 429. Media: uploads to `/{phone-number-id}/media`,
 * downloads by id (`GET /{media-id}` → a URL that needs the token).
 */
import type { IDataObject, IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { OpenedDownload } from '../attachments';
import type { GraphApi, GraphError, GraphRequest, MetaContext } from '../meta/graph';
import { graphApiRequest, metaCredentialsOf } from '../meta/graph';
import { META_MEDIA_HOSTS, openMediaUrl } from '../meta/media';
import type { MediaSources } from '../mediaSources';
import { mediaUrlRefusal } from '../mediaSources';

export const WHATSAPP_CLOUD_CREDENTIAL = 'teamSpiritWhatsAppCloudApi';

export const CLOUD_LIMITS = {
	/** A text message's body. */
	maxTextLength: 4096,
	/** The caption of an image, video or document. */
	maxCaptionLength: 1024,
	/** The body of an interactive message (reply buttons, list, link button). */
	maxInteractiveBody: 1024,
	maxReplyButtons: 3,
	maxListRows: 10,
	/** A reply button's title; a list's button; a link button's text. */
	maxButtonTitle: 20,
	maxRowTitle: 24,
	maxReplyId: 256,
	maxRowId: 200,
	/** Received media: a document may have 100 MB. */
	maxDownloadMb: 100,
};

/** Upload limits per message type (Cloud API "Supported media types"). */
export const UPLOAD_LIMITS: Record<string, number> = {
	image: 5 * 1024 * 1024,
	audio: 16 * 1024 * 1024,
	video: 16 * 1024 * 1024,
	document: 100 * 1024 * 1024,
	sticker: 500 * 1024,
};

const WINDOW_HINT =
	"WhatsApp allows free-form messages only within 24 hours of the customer's last message. " +
	'Outside that window, send an approved template: operation "Send Template" with its ' +
	'name and language (e.g. order_update:en_US).';

/** What a Cloud API error code means for the person reading it, and what to do. */
const HINTS: Record<number, string> = {
	131047: WINDOW_HINT,
	131026:
		'The message could not be delivered: the number is not on WhatsApp, has not accepted ' +
		"WhatsApp's current terms, uses an old WhatsApp version, or blocked the business.",
	131051: 'WhatsApp does not support this message type.',
	131053: 'WhatsApp could not use the media: check its type and size.',
	131030:
		"The number is not in the test number's list of allowed recipients (Meta app → WhatsApp → API Setup).",
	131031: 'The WhatsApp Business Account is locked: see WhatsApp Manager.',
	131042: 'A payment problem with the WhatsApp Business Account: see its payment settings.',
	131048:
		'Too many messages of this number were blocked or flagged as spam: check its quality in WhatsApp Manager.',
	131049: 'Meta chose not to deliver this marketing message (per-user limit).',
	131050: 'The customer stopped marketing messages from this business.',
	131009: 'A parameter value is not valid.',
	131008: 'A required parameter is missing.',
	132000:
		"The parameters do not match the template's placeholders: check the header, body and buttons " +
		'(Variables, Header, Buttons) against the template in WhatsApp Manager.',
	132001:
		'No approved template with this name in this language: check "name:language" in WhatsApp Manager.',
	132005: 'The template text is too long once the variables are filled in.',
	132007: 'The template breaks a WhatsApp policy.',
	132012:
		"A parameter does not have the template's format: a header of another kind (text, image, " +
		'document, video), named variables for a positional template or the other way round, or a ' +
		"button parameter of another type than the template's button.",
	133010: 'The business phone number is not registered with the Cloud API.',
	130429:
		'Meta kept answering "rate limit hit" (Cloud API throughput) after several waits. Send fewer messages at once.',
	131056:
		'Too many messages to this customer in a short time, even after waiting. Try again later.',
	80007:
		'The WhatsApp Business Account kept hitting its rate limit after several waits. Try again later.',
	368: 'The WhatsApp Business Account is restricted for a policy violation.',
};

/** The explanation of a Cloud API error code, for errors and for failed status events. */
export function cloudErrorHint(code: number | string | undefined): string | undefined {
	return HINTS[Number(code)];
}

function detailsOf(error: GraphError | undefined): string | undefined {
	const data = error?.error_data as { details?: unknown } | string | undefined;
	const details = typeof data === 'string' ? data : data?.details;
	return typeof details === 'string' && details.trim() ? details.trim() : undefined;
}

const CLOUD_API: GraphApi = {
	credentialType: WHATSAPP_CLOUD_CREDENTIAL,
	label: 'WhatsApp (Cloud API)',
	token: 'access token',
	tokenHelp:
		'generate a new system user token (Meta Business Settings → Users → System users) and put it ' +
		'into the WhatsApp (Cloud API) credential.',
	permission: 'whatsapp_business_messaging',
	// throughput (130429), the pair rate of one customer (131056), the account's rate (80007)
	rateLimitCodes: [130429, 131056, 80007],
	hint(error) {
		const own = cloudErrorHint(error?.code);
		const details = detailsOf(error);
		if (own === undefined && details === undefined) return undefined;
		return [own, details && details !== own ? `(${details})` : undefined].filter(Boolean).join(' ');
	},
};

export interface CloudCredentials {
	/** The default sender: the credential's Phone Number ID. */
	phoneNumberId: string;
	businessAccountId: string;
	appSecret: string;
	verifyToken: string;
	apiUrl: string;
	secrets: string[];
}

export async function credentialsOf(
	ctx: MetaContext,
	itemIndex?: number,
): Promise<CloudCredentials> {
	const meta = await metaCredentialsOf(ctx, CLOUD_API, itemIndex);
	return {
		phoneNumberId: meta.fields.phoneNumberId ?? '',
		businessAccountId: meta.fields.businessAccountId ?? '',
		appSecret: meta.appSecret,
		verifyToken: meta.verifyToken,
		apiUrl: meta.apiUrl,
		secrets: meta.secrets,
	};
}

/** One Graph call of this channel; resolves with the JSON body, throws a NodeApiError with Meta's reason. */
export async function cloudApiRequest<T = IDataObject>(
	ctx: MetaContext,
	request: GraphRequest,
): Promise<T> {
	return await graphApiRequest<T>(ctx, CLOUD_API, request);
}

/**
 * Where a media URL (from `GET /{media-id}`) may be fetched with the token: Meta's media hosts
 * (lookaside.fbsbx.com), or the host of the credential's API Base URL.
 */
const CLOUD_MEDIA_SOURCES: MediaSources = {
	hosts: META_MEDIA_HOSTS,
	description: "one of Meta's media hosts (*.fbsbx.com, *.fbcdn.net)",
};

interface MediaInfo {
	url?: string;
	mime_type?: string;
	file_size?: number;
}

/**
 * Opens a received file by its media id: `GET /{media-id}` for its URL (valid for 5 minutes),
 * then the URL with the token, only on Meta's media hosts (or the API Base URL's host).
 */
export async function openMedia(ctx: IWebhookFunctions, mediaId: string): Promise<OpenedDownload> {
	const info = await cloudApiRequest<MediaInfo>(ctx, {
		method: 'GET',
		path: `/${encodeURIComponent(mediaId)}`,
		idempotent: true,
		what: 'read the media URL',
	});
	const url = String(info.url ?? '');
	const { apiUrl } = await credentialsOf(ctx);
	const refused = mediaUrlRefusal(url, CLOUD_MEDIA_SOURCES, apiUrl);
	if (refused) throw new Error(refused);
	const opened = await openMediaUrl(ctx, url, WHATSAPP_CLOUD_CREDENTIAL);
	return {
		...opened,
		size: opened.size ?? (typeof info.file_size === 'number' ? info.file_size : undefined),
		contentType: opened.contentType ?? info.mime_type,
	};
}

/** The Phone Number ID a send goes out from: the conversation's number, the node's, the credential's. */
export async function senderOf(
	ctx: IExecuteFunctions,
	itemIndex: number,
	account: string | undefined,
): Promise<string> {
	const own = String(ctx.getNodeParameter('whatsappcloudFrom', itemIndex, '') ?? '').trim();
	return account || own || (await credentialsOf(ctx, itemIndex)).phoneNumberId;
}
