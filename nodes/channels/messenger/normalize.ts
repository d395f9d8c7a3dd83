/**
 * Messenger webhook events (`entry[].messaging[]`) as the channel message shape. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { AttachmentType, ChannelAttachment, ChannelMessage } from '../types';

export interface MessengerEvent extends IDataObject {
	sender?: { id?: string };
	recipient?: { id?: string };
	timestamp?: number;
}

export type MessengerEventKind = 'message' | 'echo' | 'postback' | 'delivery' | 'read' | 'other';

export function kindOf(event: MessengerEvent): MessengerEventKind {
	const message = event.message as IDataObject | undefined;
	if (message) return message.is_echo === true ? 'echo' : 'message';
	if (event.postback) return 'postback';
	if (event.delivery) return 'delivery';
	if (event.read) return 'read';
	return 'other';
}

/** Every messaging event of a webhook body, in order, with the page it was for. */
export function eventsOf(body: IDataObject): Array<{ pageId: string; event: MessengerEvent }> {
	const out: Array<{ pageId: string; event: MessengerEvent }> = [];
	for (const entry of (Array.isArray(body.entry) ? body.entry : []) as IDataObject[]) {
		if (!entry || typeof entry !== 'object') continue;
		for (const event of (Array.isArray(entry.messaging) ? entry.messaging : []) as MessengerEvent[]) {
			if (event && typeof event === 'object') out.push({ pageId: String(entry.id ?? ''), event });
		}
	}
	return out;
}

const TYPES: Record<string, AttachmentType> = {
	image: 'photo',
	audio: 'audio',
	video: 'video',
	file: 'document',
	location: 'location',
	sticker: 'sticker',
};

function attachmentsOf(message: IDataObject): ChannelAttachment[] {
	const list = (Array.isArray(message.attachments) ? message.attachments : []) as IDataObject[];
	return list.map((attachment) => {
		const payload = (attachment.payload ?? {}) as IDataObject;
		const url = typeof payload.url === 'string' ? payload.url : undefined;
		const type = payload.sticker_id ? 'sticker' : TYPES[String(attachment.type)] ?? 'other';
		const name = url ? decodeURIComponent(new URL(url, 'https://x.invalid').pathname.split('/').pop() ?? '') : '';
		const item: ChannelAttachment = { type, fileName: name || null, mimeType: null, size: null };
		if (url) item.fileId = url;
		return item;
	});
}

const iso = (ms: unknown) => new Date(typeof ms === 'number' && Number.isFinite(ms) ? ms : Date.now()).toISOString();

/** The item of one event; `pageId` is the page the webhook is for. */
export function normalizeMessenger(pageId: string, event: MessengerEvent): ChannelMessage {
	const kind = kindOf(event);
	const senderId = String(event.sender?.id ?? '');
	const recipientId = String(event.recipient?.id ?? '');
	const base = {
		channel: 'messenger' as const,
		conversationId: kind === 'echo' ? recipientId : senderId,
		sender: { id: senderId, name: '', isBot: kind === 'echo' },
		text: '',
		attachments: [] as ChannelAttachment[],
		timestamp: iso(event.timestamp),
		raw: event as IDataObject,
	};
	if (kind === 'message' || kind === 'echo') {
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
		return result;
	}
	if (kind === 'postback') {
		const postback = event.postback as IDataObject;
		const payload = String(postback.payload ?? '');
		const mid = typeof postback.mid === 'string' ? postback.mid : null;
		return {
			...base,
			event: 'callback',
			eventId: `messenger:${pageId}:${mid ?? `postback:${senderId}:${event.timestamp}`}`,
			messageId: mid,
			text: payload,
			callbackData: payload,
		};
	}
	if (kind === 'delivery' || kind === 'read') {
		const receipt = (event[kind] ?? {}) as IDataObject;
		const watermark = Number(receipt.watermark ?? 0);
		const mids = (Array.isArray(receipt.mids) ? receipt.mids : []).map(String);
		return {
			...base,
			event: 'status',
			eventId: `messenger:${pageId}:${kind}:${senderId}:${watermark}`,
			messageId: mids[0] ?? null,
			status: kind === 'delivery' ? 'delivered' : 'read',
			messageIds: mids,
			watermark: iso(watermark),
			timestamp: iso(event.timestamp ?? watermark),
		};
	}
	return {
		...base,
		event: 'other',
		eventId: `messenger:${pageId}:other:${senderId}:${event.timestamp ?? ''}:${Object.keys(event).sort().join(',')}`,
		messageId: null,
	};
}
