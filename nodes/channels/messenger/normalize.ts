/**
 * Messenger webhook events (`entry[].messaging[]`) as the channel message shape. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { MediaSources } from '../mediaSources';
import type { MessagingEvent } from '../meta/events';
import { cdnFileOf, isoOf as iso, messagingEventsOf, payloadOf } from '../meta/events';
import { META_MEDIA_HOSTS } from '../meta/media';
import { locationOf } from '../location';
import type { AttachmentType, ChannelAttachment, ChannelLocation, ChannelMessage } from '../types';

export type MessengerEvent = MessagingEvent;

export type MessengerEventKind =
	'message' | 'echo' | 'edit' | 'postback' | 'delivery' | 'read' | 'other';

export function kindOf(event: MessengerEvent): MessengerEventKind {
	const message = event.message as IDataObject | undefined;
	if (message) return message.is_echo === true ? 'echo' : 'message';
	if (event.message_edit) return 'edit';
	if (event.postback) return 'postback';
	if (event.delivery) return 'delivery';
	if (event.read) return 'read';
	return 'other';
}

/** Every messaging event of a webhook body, in order, with the page it was for. */
export const eventsOf = messagingEventsOf<MessengerEvent>;

const TYPES: Record<string, AttachmentType> = {
	image: 'photo',
	audio: 'audio',
	video: 'video',
	file: 'document',
	location: 'location',
	sticker: 'sticker',
};

/** Attachment types whose `payload.url` is a file Meta hosts; everything else is never fetched. */
const MEDIA_TYPES = new Set(['image', 'audio', 'video', 'file', 'sticker']);

/**
 * Where Messenger media may be fetched from: the CDN hosts of Meta's webhook attachment URLs
 * (images and stickers on scontent-*.xx.fbcdn.net, files, audio and video on cdn.fbsbx.com /
 * lookaside.fbsbx.com), plus the host of the credential's API Base URL. docs/chat-channels.md.
 */
export const MESSENGER_MEDIA_SOURCES: MediaSources = {
	hosts: META_MEDIA_HOSTS,
	description: "one of Meta's media hosts (*.fbcdn.net, *.fbsbx.com)",
};

function attachmentOf(attachment: IDataObject): ChannelAttachment {
	const kind = String(attachment?.type ?? '');
	const payload = payloadOf(attachment);
	const url = typeof payload.url === 'string' ? payload.url : undefined;
	const type = payload.sticker_id ? 'sticker' : (TYPES[kind] ?? 'other');
	if (!MEDIA_TYPES.has(kind)) {
		// a link the customer shared ("fallback"), a template, a reel or post share: not a file of the
		// conversation, and never fetched
		const title =
			typeof payload.title === 'string'
				? payload.title
				: typeof attachment?.title === 'string'
					? attachment.title
					: null;
		const item: ChannelAttachment = { type, fileName: title, mimeType: null, size: null };
		if (url || typeof attachment?.url === 'string') {
			item.notice = `Not downloaded: a shared link (attachment type "${kind || 'unknown'}"), not a file Meta hosts`;
		}
		return item;
	}
	return cdnFileOf(type, url);
}

function attachmentsOf(message: IDataObject): ChannelAttachment[] {
	const list = (Array.isArray(message.attachments) ? message.attachments : []) as IDataObject[];
	return list.map((attachment) => attachmentOf(attachment));
}

/** The first location the customer shared (its pin's title as the name). */
function locationIn(message: IDataObject): ChannelLocation | undefined {
	const list = (Array.isArray(message.attachments) ? message.attachments : []) as IDataObject[];
	for (const attachment of list) {
		if (attachment?.type !== 'location') continue;
		const payload = (attachment.payload ?? {}) as {
			coordinates?: { lat?: unknown; long?: unknown };
		};
		const location = locationOf(payload.coordinates?.lat, payload.coordinates?.long, {
			name: attachment.title,
		});
		if (location) return location;
	}
	return undefined;
}

/** The item of one event; `pageId` is the page the webhook is for. */
export function normalize(pageId: string, event: MessengerEvent): ChannelMessage {
	const kind = kindOf(event);
	const senderId = String(event.sender?.id ?? '');
	const recipientId = String(event.recipient?.id ?? '');
	const base: Base = {
		channel: 'messenger',
		// the page the customer wrote to: the recipient of what customers send, the sender of echoes
		account: (kind === 'echo' ? senderId : recipientId) || pageId,
		conversationId: kind === 'echo' ? recipientId : senderId,
		sender: { id: senderId, name: '', isBot: kind === 'echo' },
		text: '',
		attachments: [],
		timestamp: iso(event.timestamp),
		raw: event as IDataObject,
	};
	if (kind === 'message' || kind === 'echo') return messageItem(base, pageId, event);
	if (kind === 'edit') return editItem(base, pageId, event);
	if (kind === 'postback') return postbackItem(base, pageId, event);
	if (kind === 'delivery' || kind === 'read') return receiptItem(base, pageId, event, kind);
	return {
		...base,
		event: 'other',
		eventId: `messenger:${pageId}:other:${senderId}:${event.timestamp ?? ''}:${Object.keys(event).sort().join(',')}`,
		messageId: null,
	};
}

/** What every item of an event has, before its kind adds the rest. */
type Base = Omit<ChannelMessage, 'event' | 'eventId' | 'messageId'>;

/** A message (or the echo of the page's own): text, attachments, quick reply, reply-to, location. */
function messageItem(base: Base, pageId: string, event: MessengerEvent): ChannelMessage {
	const message = event.message as IDataObject;
	const mid = String(message.mid ?? '');
	const result: ChannelMessage = {
		...base,
		event: 'message',
		eventId: `messenger:${pageId}:${mid}`,
		messageId: mid,
		text: typeof message.text === 'string' ? message.text : '',
		attachments: attachmentsOf(message),
	};
	const quick = (message.quick_reply as IDataObject | undefined)?.payload;
	if (typeof quick === 'string') result.callbackData = quick;
	const replyTo = (message.reply_to as IDataObject | undefined)?.mid;
	if (typeof replyTo === 'string') result.replyToMessageId = replyTo;
	const location = locationIn(message);
	if (location) result.location = location;
	return result;
}

/** message_edits: the customer changed the text of an earlier message (at most 5 times). */
function editItem(base: Base, pageId: string, event: MessengerEvent): ChannelMessage {
	const edit = event.message_edit as IDataObject;
	const mid = String(edit.mid ?? '');
	const count = String(edit.num_edit ?? `at:${event.timestamp ?? ''}`);
	return {
		...base,
		event: 'edited_message',
		eventId: `messenger:${pageId}:${mid}:edit:${count}`,
		messageId: mid,
		text: typeof edit.text === 'string' ? edit.text : '',
	};
}

/** A button or menu item was tapped. */
function postbackItem(base: Base, pageId: string, event: MessengerEvent): ChannelMessage {
	const postback = event.postback as IDataObject;
	const payload = String(postback.payload ?? '');
	const mid = typeof postback.mid === 'string' ? postback.mid : null;
	const key = mid ?? `postback:${base.sender.id}:${event.timestamp}`;
	return {
		...base,
		event: 'callback',
		eventId: `messenger:${pageId}:${key}`,
		messageId: mid,
		text: payload,
		callbackData: payload,
	};
}

/** A delivery or read receipt of the page's messages. */
function receiptItem(
	base: Base,
	pageId: string,
	event: MessengerEvent,
	kind: 'delivery' | 'read',
): ChannelMessage {
	const receipt = (event[kind] ?? {}) as IDataObject;
	const watermark = Number(receipt.watermark ?? 0);
	const mids = (Array.isArray(receipt.mids) ? receipt.mids : []).map(String);
	return {
		...base,
		event: 'status',
		eventId: `messenger:${pageId}:${kind}:${base.sender.id}:${watermark}`,
		messageId: mids[0] ?? null,
		status: kind === 'delivery' ? 'delivered' : 'read',
		messageIds: mids,
		watermark: iso(watermark),
		timestamp: iso(event.timestamp ?? watermark),
	};
}
