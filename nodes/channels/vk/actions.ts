/**
 * What the Chat Channel node can do on VK: text (split above 4096 characters), photos and
 * documents through VK's upload servers, replies (`reply_to`), an inline keyboard (callback and
 * link buttons), edits, deletes for everyone, typing, answers to callback buttons.
 *
 * Exactly once: every message carries `random_id`, VK's own idempotency key, derived from the
 * send's `acceptKey` and the part (`randomIdOf`): a retry (n8n's Retry On Fail, a retried
 * execution of a conversation, a second process) sends the same random_id, and VK answers the id
 * of the message it already has instead of sending it again. Within one process the parts already
 * accepted are also kept (nodes/channels/parts.ts) and not asked for again.
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { UploadSource } from '../../shared/binary';
import { buildMultipart } from '../../shared/binary';
import { truncateGraphemes } from '../../shared/graphemes';
import type { AcceptedPart } from '../parts';
import { partsResult, sendParts } from '../parts';
import { splitText, toLightMarkup } from '../text';
import type {
	ChannelActions,
	FileKind,
	InlineButton,
	SendContext,
	SendFileRequest,
	SendResult,
	SendTextRequest,
	TextFormat,
} from '../types';
import { VK_LIMITS, vkApiRequest, vkUpload } from './transport';

/**
 * `random_id` of a message part: a positive 31-bit integer from the send's key and the part
 * (`<acceptKey>:<part>`, the key nodes/channels/parts.ts keeps the part under), the same on
 * every retry of that send.
 */
export function randomIdOf(acceptKey: string, part: number | string): number {
	const digest = createHash('sha256').update(`${acceptKey}:${part}`).digest();
	return digest.readUInt32BE(0) & 0x7fffffff || 1;
}

function textParts(text: string, format: TextFormat): string[] {
	return splitText(toLightMarkup(text, format), VK_LIMITS.maxTextLength);
}

/** Rows of buttons as VK's inline keyboard (callback buttons and link buttons). */
function keyboardOf(call: SendContext, buttons: InlineButton[][] | undefined): string | undefined {
	const rows = (buttons ?? []).map((row) => row.filter((b) => b.text)).filter((r) => r.length);
	if (!rows.length) return undefined;
	const count = rows.flat().length;
	const fail = (message: string, description?: string) =>
		new NodeOperationError(call.ctx.getNode(), message, {
			itemIndex: call.itemIndex,
			description,
		});
	if (count > VK_LIMITS.maxButtons || rows.length > VK_LIMITS.maxButtonRows)
		throw fail(
			`VK allows at most ${VK_LIMITS.maxButtons} buttons in ${VK_LIMITS.maxButtonRows} rows under a message; it has ${count} in ${rows.length}`,
		);
	if (rows.some((row) => row.length > VK_LIMITS.maxButtonsPerRow))
		throw fail(`VK allows at most ${VK_LIMITS.maxButtonsPerRow} buttons in a row`);
	return JSON.stringify({
		inline: true,
		buttons: rows.map((row) =>
			row.map((button) => {
				const label = truncateGraphemes(button.text, VK_LIMITS.maxLabelLength);
				if (button.url) return { action: { type: 'open_link', link: button.url, label } };
				const payload = JSON.stringify({ data: button.callbackData || button.text });
				if (payload.length > VK_LIMITS.maxPayloadLength)
					throw fail(
						`A button's callback data is too long for VK (its payload may have ${VK_LIMITS.maxPayloadLength} characters)`,
						'Keep callback data short, e.g. an ID the workflow looks up.',
					);
				return { action: { type: 'callback', label, payload } };
			}),
		),
	});
}

/** One messages.send of a part; safe to repeat, because of its random_id. */
async function sendMessage(
	call: SendContext,
	params: IDataObject,
	part: number,
): Promise<AcceptedPart> {
	const randomId = randomIdOf(call.acceptKey, part);
	const id = await vkApiRequest<number>(call.ctx, {
		method: 'messages.send',
		params: { ...params, random_id: randomId },
		idempotent: true,
		itemIndex: call.itemIndex,
	});
	return {
		messageId: String(id),
		timestamp: new Date().toISOString(),
		raw: { message_id: id, peer_id: Number(params.peer_id), random_id: randomId },
	};
}

function peerOf(call: SendContext, conversationId: string): number {
	const peer = Number(conversationId);
	if (!Number.isSafeInteger(peer) || peer === 0)
		throw new NodeOperationError(call.ctx.getNode(), `"${conversationId}" is not a VK peer ID`, {
			itemIndex: call.itemIndex,
			description: 'A VK conversation ID is a number: the peer_id of a trigger item.',
		});
	return peer;
}

async function sendText(call: SendContext, request: SendTextRequest): Promise<SendResult> {
	if (!request.text.trim()) {
		throw new NodeOperationError(call.ctx.getNode(), 'The text is empty', {
			itemIndex: call.itemIndex,
		});
	}
	const peer = peerOf(call, request.conversationId);
	const keyboard = keyboardOf(call, request.buttons);
	const parts = textParts(request.text, request.format);
	const sent = await sendParts(call, parts.length, async (index) => {
		const params: IDataObject = { peer_id: peer, message: parts[index] };
		if (index === 0 && request.replyToMessageId) params.reply_to = request.replyToMessageId;
		if (keyboard && index === parts.length - 1) params.keyboard = keyboard;
		if (request.disableLinkPreview) params.dont_parse_links = 1;
		if (request.silent) params.disable_mentions = 1;
		return await sendMessage(call, params, index);
	});
	return partsResult('vk', request.conversationId, sent);
}

const PHOTO_MIME = /^image\/(jpeg|jpg|png|gif)$/i;

/** Whether the file goes as a photo (shown in the chat) or as a document. */
function sendsAsPhoto(kind: FileKind, upload: UploadSource): boolean {
	if (kind === 'photo') return true;
	if (kind !== 'auto') return false;
	return (
		PHOTO_MIME.test(upload.mimeType) &&
		(upload.size === undefined || upload.size <= VK_LIMITS.maxPhotoBytes)
	);
}

/** A binary file uploaded to VK and saved: its attachment string (`photo<owner>_<id>`, `doc…`). */
async function uploadFile(
	call: SendContext,
	peer: number,
	upload: UploadSource,
	asPhoto: boolean,
): Promise<string> {
	const { ctx, itemIndex } = call;
	const server = await vkApiRequest<{ upload_url?: string }>(ctx, {
		method: asPhoto ? 'photos.getMessagesUploadServer' : 'docs.getMessagesUploadServer',
		params: asPhoto ? { peer_id: peer } : { peer_id: peer, type: 'doc' },
		idempotent: true,
		itemIndex,
	});
	if (!server?.upload_url)
		throw new NodeOperationError(ctx.getNode(), 'VK named no upload server', { itemIndex });
	const multipart = async () =>
		buildMultipart(
			{},
			{
				fieldName: asPhoto ? 'photo' : 'file',
				fileName: upload.fileName,
				mimeType: upload.mimeType,
				content: await upload.open(),
				size: upload.size,
			},
		);
	const what = asPhoto ? 'photo upload' : 'document upload';
	const uploaded = await vkUpload(ctx, server.upload_url, multipart, what, itemIndex);
	if (asPhoto) {
		const [photo] = await vkApiRequest<
			Array<{ id: number; owner_id: number; access_key?: string }>
		>(ctx, {
			method: 'photos.saveMessagesPhoto',
			params: { photo: uploaded.photo, server: uploaded.server, hash: uploaded.hash },
			idempotent: true,
			itemIndex,
		});
		const key = photo.access_key ? `_${photo.access_key}` : '';
		return `photo${photo.owner_id}_${photo.id}${key}`;
	}
	const saved = await vkApiRequest<{ doc?: { id: number; owner_id: number } }>(ctx, {
		method: 'docs.save',
		params: { file: uploaded.file, title: upload.fileName },
		idempotent: true,
		itemIndex,
	});
	if (!saved?.doc)
		throw new NodeOperationError(ctx.getNode(), 'VK saved no document', { itemIndex });
	return `doc${saved.doc.owner_id}_${saved.doc.id}`;
}

const ATTACHMENT_ID = /^(photo|doc|video|audio|audio_message|wall|market|poll)-?\d+_\d+(_\w+)?$/;

async function sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult> {
	const { source } = request;
	const peer = peerOf(call, request.conversationId);
	const upload = source.type === 'binary' ? source.upload : undefined;
	if (upload?.size !== undefined && upload.size > VK_LIMITS.maxDocBytes) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`The file is ${(upload.size / 1024 / 1024).toFixed(1)} MB; VK takes documents up to 200 MB`,
			{ itemIndex: call.itemIndex, description: 'Send a link to the file instead.' },
		);
	}
	if (source.type === 'fileId' && !ATTACHMENT_ID.test(source.fileId)) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`"${source.fileId}" is not a VK attachment (e.g. photo-1_457239017 or doc123_456)`,
			{ itemIndex: call.itemIndex },
		);
	}
	const keyboard = keyboardOf(call, request.buttons);
	const caption = request.caption?.trim() ? textParts(request.caption, request.format) : [];
	// VK takes no file by URL: the link goes in the text (VK shows its preview), after the caption
	const first =
		source.type === 'url' ? [caption[0], source.url].filter(Boolean).join('\n') : caption[0];
	const more = caption.slice(1);
	const asPhoto = upload ? sendsAsPhoto(request.kind, upload) : false;
	const sent = await sendParts(call, 1 + more.length, async (index) => {
		const last = index === more.length;
		const params: IDataObject = { peer_id: peer };
		if (keyboard && last) params.keyboard = keyboard;
		if (request.silent) params.disable_mentions = 1;
		if (index > 0) return await sendMessage(call, { ...params, message: more[index - 1] }, index);
		if (request.replyToMessageId) params.reply_to = request.replyToMessageId;
		if (first) params.message = first;
		if (source.type === 'fileId') params.attachment = source.fileId;
		if (upload) params.attachment = await uploadFile(call, peer, upload, asPhoto);
		return await sendMessage(call, params, 0);
	});
	const kind = source.type === 'url' ? 'link' : asPhoto ? 'photo' : 'document';
	return { ...partsResult('vk', request.conversationId, sent), kind };
}

export const vkActions: ChannelActions = {
	sendText,
	sendFile,

	async editText(call, request) {
		const [text, ...more] = textParts(request.text, request.format);
		if (more.length || !text) {
			throw new NodeOperationError(
				call.ctx.getNode(),
				more.length ? 'The new text is longer than 4096 characters' : 'The new text is empty',
				{ itemIndex: call.itemIndex, description: 'An edited message cannot be split.' },
			);
		}
		const params: IDataObject = {
			peer_id: peerOf(call, request.conversationId),
			message_id: request.messageId,
			message: text,
			keep_forward_messages: 1,
		};
		const keyboard = keyboardOf(call, request.buttons);
		if (keyboard) params.keyboard = keyboard;
		await vkApiRequest(call.ctx, {
			method: 'messages.edit',
			params,
			idempotent: true,
			itemIndex: call.itemIndex,
		});
		return {
			channel: 'vk',
			conversationId: request.conversationId,
			messageId: request.messageId,
			edited: true,
		};
	},

	async deleteMessage(call, request) {
		await vkApiRequest(call.ctx, {
			method: 'messages.delete',
			params: {
				peer_id: peerOf(call, request.conversationId),
				message_ids: request.messageId,
				delete_for_all: 1,
			},
			idempotent: true,
			itemIndex: call.itemIndex,
		});
		return {
			channel: 'vk',
			conversationId: request.conversationId,
			messageId: request.messageId,
			deleted: true,
		};
	},

	async sendAction(call, request) {
		const type = /voice|audio/i.test(request.action) ? 'audiomessage' : 'typing';
		await vkApiRequest(call.ctx, {
			method: 'messages.setActivity',
			params: { peer_id: peerOf(call, request.conversationId), type },
			idempotent: true,
			itemIndex: call.itemIndex,
		});
		return { channel: 'vk', conversationId: request.conversationId, action: type, sent: true };
	},

	async answerCallback(call, request) {
		const [eventId, userId, peerId] = request.callbackId.split(':');
		if (!eventId || !userId) {
			throw new NodeOperationError(
				call.ctx.getNode(),
				`"${request.callbackId}" is not the callbackId of a VK button press`,
				{ itemIndex: call.itemIndex },
			);
		}
		const params: IDataObject = { event_id: eventId, user_id: userId, peer_id: peerId || userId };
		if (request.text)
			params.event_data = JSON.stringify({
				type: 'show_snackbar',
				text: request.text.slice(0, 90),
			});
		await vkApiRequest(call.ctx, {
			method: 'messages.sendMessageEventAnswer',
			params,
			idempotent: true,
			itemIndex: call.itemIndex,
		});
		return { channel: 'vk', callbackId: request.callbackId, answered: true };
	},
};
