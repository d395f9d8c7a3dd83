/**
 * What the Chat Channel node can do on Facebook Messenger: text (split above 2000 characters),
 * attachments from a binary property (multipart upload) or a URL, quick replies, messaging types
 * and the HUMAN_AGENT tag, sender actions. No message Meta accepted is sent twice.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { buildMultipart } from '../../shared/binary';
import { partsResult, sendParts, type AcceptedPart } from '../parts';
import { splitText, toLightMarkup } from '../text';
import type {
	ChannelActions,
	FileKind,
	InlineButton,
	SendContext,
	SendFileRequest,
	SendResult,
	SendTextRequest,
} from '../types';
import { sendAsPersonMay } from '../meta/humanAgent';
import { quickRepliesOf } from '../meta/quickReplies';
import { MESSENGER_GRAPH, MESSENGER_LIMITS, graphApiRequest } from './transport';

export const messengerSendProperties: INodeProperties[] = [
	{
		displayName: 'Messaging Type',
		name: 'messengerMessagingType',
		type: 'options',
		displayOptions: {
			show: {
				channel: ['messenger'],
				resource: ['message'],
				operation: ['send', 'sendAndWait', 'sendFile'],
			},
		},
		options: [
			{
				name: 'Message Tag',
				value: 'MESSAGE_TAG',
				description:
					'Outside the 24-hour window, with a tag (e.g. HUMAN_AGENT: a person answers within 7 days)',
			},
			{
				name: 'Response',
				value: 'RESPONSE',
				description: 'A reply to a message the customer sent within the last 24 hours',
			},
			{
				name: 'Update',
				value: 'UPDATE',
				description: 'A message the page starts itself, within the 24-hour window',
			},
		],
		default: 'RESPONSE',
	},
	{
		displayName: 'Tag',
		name: 'messengerTag',
		type: 'options',
		displayOptions: {
			show: {
				channel: ['messenger'],
				resource: ['message'],
				operation: ['send', 'sendAndWait', 'sendFile'],
				messengerMessagingType: ['MESSAGE_TAG'],
			},
		},
		options: [
			{ name: 'Account Update', value: 'ACCOUNT_UPDATE' },
			{ name: 'Confirmed Event Update', value: 'CONFIRMED_EVENT_UPDATE' },
			{ name: 'Customer Feedback', value: 'CUSTOMER_FEEDBACK' },
			{
				name: 'Human Agent',
				value: 'HUMAN_AGENT',
				description: "A person replies up to 7 days after the customer's last message",
			},
			{ name: 'Post Purchase Update', value: 'POST_PURCHASE_UPDATE' },
		],
		default: 'HUMAN_AGENT',
	},
];

interface GraphSent extends IDataObject {
	recipient_id?: string;
	message_id: string;
}

function messagingOf(call: SendContext): IDataObject {
	const type = String(
		call.ctx.getNodeParameter('messengerMessagingType', call.itemIndex, 'RESPONSE'),
	);
	if (type !== 'MESSAGE_TAG') return { messaging_type: type };
	return {
		messaging_type: type,
		tag: String(call.ctx.getNodeParameter('messengerTag', call.itemIndex, 'HUMAN_AGENT')),
	};
}

/** Inline buttons with callback data become quick replies (Messenger: up to 13, under the last message). */
export function quickReplies(
	call: SendContext,
	buttons: InlineButton[][] | undefined,
): IDataObject[] | undefined {
	return quickRepliesOf(call, buttons, 'Messenger', MESSENGER_LIMITS.maxQuickReplies);
}

/** One message with `messaging` (a person's may go again tagged: ../meta/humanAgent.ts). */
async function post(
	call: SendContext,
	body: IDataObject,
	messaging: IDataObject,
): Promise<AcceptedPart> {
	const sent = await sendAsPersonMay(
		call,
		MESSENGER_GRAPH,
		messaging,
		async (as) =>
			await graphApiRequest<GraphSent>(call.ctx, {
				method: 'POST',
				path: '/me/messages',
				body: { ...body, ...as },
				itemIndex: call.itemIndex,
				what: 'send message',
			}),
	);
	return { messageId: sent.message_id, timestamp: new Date().toISOString(), raw: sent };
}

function textParts(text: string, format: SendTextRequest['format']): string[] {
	return splitText(toLightMarkup(text, format), MESSENGER_LIMITS.maxTextLength);
}

async function sendText(call: SendContext, request: SendTextRequest): Promise<SendResult> {
	if (!request.text.trim()) {
		throw new NodeOperationError(call.ctx.getNode(), 'The text is empty', {
			itemIndex: call.itemIndex,
		});
	}
	const replies = quickReplies(call, request.buttons);
	const parts = textParts(request.text, request.format);
	const messaging = messagingOf(call);
	const sent = await sendParts(call, parts.length, async (index) => {
		const message: IDataObject = { text: parts[index] };
		if (replies && index === parts.length - 1) message.quick_replies = replies;
		return await post(call, { recipient: { id: request.conversationId }, message }, messaging);
	});
	return partsResult('messenger', request.conversationId, sent);
}

const TYPE_OF_KIND: Record<Exclude<FileKind, 'auto'>, string> = {
	photo: 'image',
	audio: 'audio',
	voice: 'audio',
	video: 'video',
	document: 'file',
};

const EXTENSION_MIME: Record<string, string> = {
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	png: 'image/png',
	gif: 'image/gif',
	webp: 'image/webp',
	mp3: 'audio/mpeg',
	m4a: 'audio/mp4',
	ogg: 'audio/ogg',
	mp4: 'video/mp4',
};

/** A MIME type guessed from a URL's file extension (for "Send As: Automatic" with a URL). */
function mimeOfUrl(url: string): string | undefined {
	const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
	return extension ? EXTENSION_MIME[extension] : undefined;
}

function attachmentTypeFor(kind: FileKind, mimeType: string | undefined): string {
	if (kind !== 'auto') return TYPE_OF_KIND[kind];
	const mime = (mimeType ?? '').toLowerCase();
	if (/^image\/(jpeg|jpg|png|gif|webp)$/.test(mime)) return 'image';
	if (mime.startsWith('audio/')) return 'audio';
	if (mime.startsWith('video/')) return 'video';
	return 'file';
}

async function sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult> {
	const { source } = request;
	const upload = source.type === 'binary' ? source.upload : undefined;
	if (upload?.size !== undefined && upload.size > MESSENGER_LIMITS.maxUploadBytes) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`The file is ${(upload.size / 1024 / 1024).toFixed(1)} MB; Messenger takes attachments up to 25 MB`,
			{
				itemIndex: call.itemIndex,
				description: 'Send a link to the file in a text message instead.',
			},
		);
	}
	const type = attachmentTypeFor(
		request.kind,
		upload?.mimeType ?? (source.type === 'url' ? mimeOfUrl(source.url) : undefined),
	);
	const messaging = messagingOf(call);
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
		const message: IDataObject = { attachment };
		if (replies && last) message.quick_replies = replies;
		if (!upload) {
			attachment.payload =
				source.type === 'url'
					? { url: source.url, is_reusable: false }
					: { attachment_id: source.type === 'fileId' ? source.fileId : '' };
			return await post(call, { recipient, message }, messaging);
		}
		const attach = async (as: IDataObject) => {
			const fields: Record<string, string> = {
				recipient: JSON.stringify(recipient),
				message: JSON.stringify(message),
			};
			for (const [name, value] of Object.entries(as)) fields[name] = String(value);
			return await graphApiRequest<GraphSent>(call.ctx, {
				method: 'POST',
				path: '/me/messages',
				multipart: async () =>
					buildMultipart(fields, {
						fieldName: 'filedata',
						fileName: upload.fileName,
						mimeType: upload.mimeType,
						content: await upload.open(),
						size: upload.size,
					}),
				itemIndex: call.itemIndex,
				what: 'send attachment',
				timeoutMs: 10 * 60_000,
			});
		};
		const result = await sendAsPersonMay(call, MESSENGER_GRAPH, messaging, attach);
		return { messageId: result.message_id, timestamp: new Date().toISOString(), raw: result };
	});
	return { ...partsResult('messenger', request.conversationId, sent), kind: type };
}

/** The node's chat actions as Messenger sender actions. */
function senderActionFor(action: string): string {
	if (action === 'mark_seen') return 'mark_seen';
	if (action === 'typing_off') return 'typing_off';
	return 'typing_on';
}

export const messengerActions: ChannelActions = {
	sendText,
	sendFile,

	async sendAction(call, request) {
		const senderAction = senderActionFor(request.action);
		await graphApiRequest(call.ctx, {
			method: 'POST',
			path: '/me/messages',
			body: { recipient: { id: request.conversationId }, sender_action: senderAction },
			idempotent: true,
			itemIndex: call.itemIndex,
			what: 'sender action',
		});
		return {
			channel: 'messenger',
			conversationId: request.conversationId,
			action: senderAction,
			sent: true,
		};
	},
};
