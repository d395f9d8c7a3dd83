/**
 * What the Chat Channel node can do on Instagram Direct (Messenger Platform for Instagram,
 * ../meta/actions.ts): text (split to Instagram's 1000 bytes), files by URL or uploaded
 * (attachment upload API, then sent by attachment_id), quick replies, the HUMAN_AGENT tag for
 * answers after 24 hours, sender actions. No message Meta accepted is sent twice (../parts.ts).
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { buildMultipart } from '../../shared/binary';
import { messengerPlatformActions } from '../meta/actions';
import { splitText } from '../text';
import type { SendContext } from '../types';
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

function messagingOf(call: SendContext): IDataObject {
	const type = String(
		call.ctx.getNodeParameter('instagramMessagingType', call.itemIndex, 'RESPONSE'),
	);
	return type === 'MESSAGE_TAG'
		? { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' }
		: { messaging_type: 'RESPONSE' };
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

export const instagramActions = messengerPlatformActions({
	channel: 'instagram',
	platformName: 'Instagram',
	api: INSTAGRAM_GRAPH,
	maxQuickReplies: INSTAGRAM_LIMITS.maxQuickReplies,
	messagingOf,
	textParts: (text) => instagramTextParts(text),
	extensionMime: {
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
	},
	imageMime: /^image\/(jpeg|jpg|png|gif)$/,
	uploadLimit: (type) =>
		type === 'image'
			? { bytes: INSTAGRAM_LIMITS.maxImageBytes, what: 'images up to 8 MB' }
			: { bytes: INSTAGRAM_LIMITS.maxUploadBytes, what: 'files up to 25 MB' },
	urlPayload: (url) => ({ url }),
	// uploaded first with the attachment upload API (`platform=instagram`), then sent by its id
	async sendUpload(call, { type, upload, recipient, message, post }) {
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
					fileName: upload.fileName,
					mimeType: upload.mimeType,
					content: await upload.open(),
					size: upload.size,
				}),
			// an upload shows nothing to the customer: safe to repeat
			idempotent: true,
			itemIndex: call.itemIndex,
			what: 'upload attachment',
			timeoutMs: 10 * 60_000,
		});
		message.attachment.payload = { attachment_id: String(saved.attachment_id ?? '') };
		return await post({ recipient, message });
	},
});
