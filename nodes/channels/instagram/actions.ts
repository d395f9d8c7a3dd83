/**
 * What the Chat Channel node can do on Instagram Direct (Messenger Platform for Instagram): text
 * (split to Instagram's 1000 bytes), files by URL or uploaded (attachment upload API, then sent by
 * attachment_id), quick replies, the HUMAN_AGENT tag for answers after 24 hours, sender actions.
 * No message Meta accepted is sent twice (../parts.ts).
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { buildMultipart } from '../../shared/binary';
import { sendAsPersonMay } from '../meta/humanAgent';
import { quickRepliesOf } from '../meta/quickReplies';
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
import { INSTAGRAM_GRAPH, INSTAGRAM_LIMITS, credentialsOf, graphApiRequest } from './transport';

export const instagramSendProperties: INodeProperties[] = [
	{
		displayName: 'Messaging Type',
		name: 'instagramMessagingType',
		type: 'options',
		displayOptions: {
			show: {
				channel: ['instagram'],
				resource: ['message'],
				operation: ['send', 'sendAndWait', 'sendFile'],
			},
		},
		options: [
			{
				name: 'Human Agent (Message Tag)',
				value: 'MESSAGE_TAG',
				description:
					"A person answers up to 7 days after the customer's last message (tag HUMAN_AGENT)",
			},
			{
				name: 'Response',
				value: 'RESPONSE',
				description: 'A reply within 24 hours of the customer’s last message',
			},
		],
		default: 'RESPONSE',
	},
];

interface GraphSent extends IDataObject {
	recipient_id?: string;
	message_id: string;
}

function messagingOf(call: SendContext): IDataObject {
	const type = String(
		call.ctx.getNodeParameter('instagramMessagingType', call.itemIndex, 'RESPONSE'),
	);
	return type === 'MESSAGE_TAG'
		? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
		: { messaging_type: 'RESPONSE' };
}

function quickReplies(call: SendContext, buttons: InlineButton[][] | undefined) {
	return quickRepliesOf(call, buttons, 'Instagram', INSTAGRAM_LIMITS.maxQuickReplies);
}

/** UTF-8 bytes of a text (Instagram counts its limit in bytes). */
function utf8Bytes(text: string): number {
	let bytes = 0;
	for (const char of text) {
		const code = char.codePointAt(0) ?? 0;
		bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
	}
	return bytes;
}

/** Parts of at most 1000 bytes each, cut on paragraph, line or word boundaries where there is one. */
export function instagramTextParts(
	text: string,
	maxBytes = INSTAGRAM_LIMITS.maxTextBytes,
): string[] {
	const parts: string[] = [];
	for (const part of splitText(text, maxBytes)) {
		let pieces = [part];
		let limit = maxBytes;
		while (pieces.some((piece) => utf8Bytes(piece) > maxBytes) && limit > 2) {
			limit = Math.max(2, Math.floor(limit * 0.75));
			pieces = splitText(part, limit);
		}
		parts.push(...pieces);
	}
	return parts;
}

/** One message with `messaging` (a person's may go again tagged: ../meta/humanAgent.ts). */
async function post(
	call: SendContext,
	body: IDataObject,
	messaging: IDataObject,
): Promise<AcceptedPart> {
	const sent = await sendAsPersonMay(
		call,
		INSTAGRAM_GRAPH,
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
	return instagramTextParts(toLightMarkup(text, format));
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
	return partsResult('instagram', request.conversationId, sent);
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
	m4a: 'audio/mp4',
	aac: 'audio/aac',
	wav: 'audio/wav',
	mp4: 'video/mp4',
	mov: 'video/quicktime',
	webm: 'video/webm',
};

function mimeOfUrl(url: string): string | undefined {
	const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
	return extension ? EXTENSION_MIME[extension] : undefined;
}

function attachmentTypeFor(kind: FileKind, mimeType: string | undefined): string {
	if (kind !== 'auto') return TYPE_OF_KIND[kind];
	const mime = (mimeType ?? '').toLowerCase();
	if (/^image\/(jpeg|jpg|png|gif)$/.test(mime)) return 'image';
	if (mime.startsWith('audio/')) return 'audio';
	if (mime.startsWith('video/')) return 'video';
	return 'file';
}

function tooLarge(call: SendContext, size: number | undefined, type: string): void {
	const max = type === 'image' ? INSTAGRAM_LIMITS.maxImageBytes : INSTAGRAM_LIMITS.maxUploadBytes;
	if (size === undefined || size <= max) return;
	throw new NodeOperationError(
		call.ctx.getNode(),
		`The file is ${(size / 1024 / 1024).toFixed(1)} MB; Instagram takes ${type === 'image' ? 'images up to 8 MB' : 'files up to 25 MB'}`,
		{
			itemIndex: call.itemIndex,
			description: 'Send a link to the file in a text message instead.',
		},
	);
}

/** Uploads a file with the attachment upload API (`platform=instagram`): its attachment_id. */
async function upload(
	call: SendContext,
	type: string,
	file: Extract<SendFileRequest['source'], { type: 'binary' }>['upload'],
): Promise<string> {
	const { pageId } = await credentialsOf(call.ctx, call.itemIndex);
	const fields = {
		platform: 'instagram',
		message: JSON.stringify({ attachment: { type, payload: { is_reusable: true } } }),
	};
	const saved = await graphApiRequest<{ attachment_id?: string }>(call.ctx, {
		method: 'POST',
		path: `/${encodeURIComponent(pageId || 'me')}/message_attachments`,
		multipart: async () =>
			buildMultipart(fields, {
				fieldName: 'filedata',
				fileName: file.fileName,
				mimeType: file.mimeType,
				content: await file.open(),
				size: file.size,
			}),
		// an upload shows nothing to the customer: safe to repeat
		idempotent: true,
		itemIndex: call.itemIndex,
		what: 'upload attachment',
		timeoutMs: 10 * 60_000,
	});
	return String(saved.attachment_id ?? '');
}

async function sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult> {
	const { source } = request;
	const file = source.type === 'binary' ? source.upload : undefined;
	const type = attachmentTypeFor(
		request.kind,
		file?.mimeType ?? (source.type === 'url' ? mimeOfUrl(source.url) : undefined),
	);
	tooLarge(call, file?.size, type);
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
		let payload: IDataObject;
		if (file) payload = { attachment_id: await upload(call, type, file) };
		else if (source.type === 'url') payload = { url: source.url };
		else payload = { attachment_id: source.type === 'fileId' ? source.fileId : '' };
		const message: IDataObject = { attachment: { type, payload } };
		if (replies && last) message.quick_replies = replies;
		return await post(call, { recipient, message }, messaging);
	});
	return { ...partsResult('instagram', request.conversationId, sent), kind: type };
}

function senderActionFor(action: string): string {
	if (action === 'mark_seen') return 'mark_seen';
	if (action === 'typing_off') return 'typing_off';
	return 'typing_on';
}

export const instagramActions: ChannelActions = {
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
			channel: 'instagram',
			conversationId: request.conversationId,
			action: senderAction,
			sent: true,
		};
	},
};
