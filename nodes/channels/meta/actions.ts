/**
 * The Chat Channel node's actions on a Messenger Platform channel (Messenger, Instagram Direct):
 * text split to the channel's limit, files by URL, attachment id or upload, quick replies, the
 * messaging type (a person's answer may go again tagged HUMAN_AGENT: ./humanAgent.ts), sender
 * actions. No message Meta accepted is sent twice (../parts.ts). A channel supplies only what
 * differs: its messaging type, its text limit, the files it takes and how an upload is sent.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { partsResult, sendParts, type AcceptedPart } from '../parts';
import { toLightMarkup } from '../text';
import type {
	ChannelActions,
	FileKind,
	SendContext,
	SendFileRequest,
	SendResult,
	SendTextRequest,
} from '../types';
import type { GraphApi } from './graph';
import { graphApiRequest } from './graph';
import { sendAsPersonMay } from './humanAgent';
import { quickRepliesOf } from './quickReplies';

interface GraphSent extends IDataObject {
	recipient_id?: string;
	message_id: string;
}

type Upload = Extract<SendFileRequest['source'], { type: 'binary' }>['upload'];

/** An uploaded file's first message, ready but for the file itself. */
export interface UploadMessage {
	type: string;
	upload: Upload;
	recipient: IDataObject;
	/** `{ attachment: { type, payload: {} }, quick_replies? }`: the payload is the channel's to fill. */
	message: IDataObject & { attachment: IDataObject };
	messaging: IDataObject;
	/** Posts a JSON message with the messaging type (and HUMAN_AGENT retry). */
	post: (body: IDataObject) => Promise<AcceptedPart>;
}

/** What one Messenger Platform channel's actions are made of. */
export interface MessengerPlatformActions {
	/** The channel key: `messenger`. */
	channel: string;
	/** The platform in messages: "Messenger". */
	platformName: string;
	api: GraphApi;
	maxQuickReplies: number;
	/** `messaging_type` (and `tag`) from the node's parameters. */
	messagingOf: (call: SendContext) => IDataObject;
	/** A text already in the channel's markup, in parts the channel takes. */
	textParts: (text: string) => string[];
	/** MIME types guessed from a URL's file extension (for "Send As: Automatic" with a URL). */
	extensionMime: Record<string, string>;
	/** The image MIME types sent as `image` (others go as `file`). */
	imageMime: RegExp;
	/** The largest upload of an attachment type, and how the refusal names it ("attachments up to 25 MB"). */
	uploadLimit: (type: string) => { bytes: number; what: string };
	/** The payload of a file given by URL. */
	urlPayload: (url: string) => IDataObject;
	/** Sends an uploaded file's first message. */
	sendUpload: (call: SendContext, upload: UploadMessage) => Promise<AcceptedPart>;
}

const TYPE_OF_KIND: Record<Exclude<FileKind, 'auto'>, string> = {
	photo: 'image',
	audio: 'audio',
	voice: 'audio',
	video: 'video',
	document: 'file',
};

/** The node's chat actions as Messenger Platform sender actions. */
function senderActionFor(action: string): string {
	if (action === 'mark_seen') return 'mark_seen';
	if (action === 'typing_off') return 'typing_off';
	return 'typing_on';
}

/** One message with `messaging` (a person's may go again tagged: ./humanAgent.ts). */
async function postMessage(
	call: SendContext,
	api: GraphApi,
	body: IDataObject,
	messaging: IDataObject,
): Promise<AcceptedPart> {
	const sent = await sendAsPersonMay(
		call,
		api,
		messaging,
		async (as) =>
			await graphApiRequest<GraphSent>(call.ctx, api, {
				method: 'POST',
				path: '/me/messages',
				body: { ...body, ...as },
				itemIndex: call.itemIndex,
				what: 'send message',
			}),
	);
	return { messageId: sent.message_id, timestamp: new Date().toISOString(), raw: sent };
}

/** The Chat Channel actions of a Messenger Platform channel. */
export function messengerPlatformActions(platform: MessengerPlatformActions): ChannelActions {
	const { api, channel } = platform;

	const quickReplies = (call: SendContext, buttons: SendTextRequest['buttons']) =>
		quickRepliesOf(call, buttons, platform.platformName, platform.maxQuickReplies);

	const post = async (call: SendContext, body: IDataObject, messaging: IDataObject) =>
		await postMessage(call, api, body, messaging);

	const textParts = (text: string, format: SendTextRequest['format']) =>
		platform.textParts(toLightMarkup(text, format));

	function mimeOfUrl(url: string): string | undefined {
		const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
		return extension ? platform.extensionMime[extension] : undefined;
	}

	function attachmentTypeFor(kind: FileKind, mimeType: string | undefined): string {
		if (kind !== 'auto') return TYPE_OF_KIND[kind];
		const mime = (mimeType ?? '').toLowerCase();
		if (platform.imageMime.test(mime)) return 'image';
		if (mime.startsWith('audio/')) return 'audio';
		if (mime.startsWith('video/')) return 'video';
		return 'file';
	}

	function tooLarge(call: SendContext, size: number | undefined, type: string): void {
		const limit = platform.uploadLimit(type);
		if (size === undefined || size <= limit.bytes) return;
		throw new NodeOperationError(
			call.ctx.getNode(),
			`The file is ${(size / 1024 / 1024).toFixed(1)} MB; ${platform.platformName} takes ${limit.what}`,
			{
				itemIndex: call.itemIndex,
				description: 'Send a link to the file in a text message instead.',
			},
		);
	}

	async function sendText(call: SendContext, request: SendTextRequest): Promise<SendResult> {
		if (!request.text.trim()) {
			throw new NodeOperationError(call.ctx.getNode(), 'The text is empty', {
				itemIndex: call.itemIndex,
			});
		}
		const replies = quickReplies(call, request.buttons);
		const parts = textParts(request.text, request.format);
		const messaging = platform.messagingOf(call);
		const sent = await sendParts(call, parts.length, async (index) => {
			const message: IDataObject = { text: parts[index] };
			if (replies && index === parts.length - 1) message.quick_replies = replies;
			return await post(call, { recipient: { id: request.conversationId }, message }, messaging);
		});
		return partsResult(channel, request.conversationId, sent);
	}

	async function sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult> {
		const { source } = request;
		const upload = source.type === 'binary' ? source.upload : undefined;
		const type = attachmentTypeFor(
			request.kind,
			upload?.mimeType ?? (source.type === 'url' ? mimeOfUrl(source.url) : undefined),
		);
		tooLarge(call, upload?.size, type);
		const messaging = platform.messagingOf(call);
		const replies = quickReplies(call, request.buttons);
		const caption = request.caption?.trim() ? textParts(request.caption, request.format) : [];
		const recipient = { id: request.conversationId };
		const sent = await sendParts(call, 1 + caption.length, async (index) => {
			const last = index === caption.length;
			if (index > 0) {
				const message: IDataObject = { text: caption[index - 1] };
				if (replies && last) message.quick_replies = replies;
				return await post(call, { recipient, message }, messaging);
			}
			const attachment: IDataObject = { type, payload: {} };
			const message = { attachment } as UploadMessage['message'];
			if (replies && last) message.quick_replies = replies;
			if (!upload) {
				attachment.payload =
					source.type === 'url'
						? platform.urlPayload(source.url)
						: { attachment_id: source.type === 'fileId' ? source.fileId : '' };
				return await post(call, { recipient, message }, messaging);
			}
			return await platform.sendUpload(call, {
				type,
				upload,
				recipient,
				message,
				messaging,
				post: async (body) => await post(call, body, messaging),
			});
		});
		return { ...partsResult(channel, request.conversationId, sent), kind: type };
	}

	return {
		sendText,
		sendFile,

		async sendAction(call, request) {
			const senderAction = senderActionFor(request.action);
			await graphApiRequest(call.ctx, api, {
				method: 'POST',
				path: '/me/messages',
				body: { recipient: { id: request.conversationId }, sender_action: senderAction },
				idempotent: true,
				itemIndex: call.itemIndex,
				what: 'sender action',
			});
			return { channel, conversationId: request.conversationId, action: senderAction, sent: true };
		},
	};
}
