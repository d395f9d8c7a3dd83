/**
 * Viber callbacks as the channel message shape. Pure. `message_token` arrives as a decimal string
 * (transport.ts `parseViberJson`): it is the message ID and, for messages, the dedupe key
 * `viber:<account>:<message_token>`.
 */
import type { IDataObject } from 'n8n-workflow';

import { locationOf } from '../location';
import type { MediaSources } from '../mediaSources';
import type { AttachmentType, ChannelAttachment, ChannelMessage, ChannelSender } from '../types';
import { callbackOf } from './keyboard';

/** One callback, as Viber sends it. */
export interface ViberEvent extends IDataObject {
	event?: string;
	timestamp?: number;
	message_token?: string;
}

/** The callbacks the trigger can start on (`webhook` is Viber's URL check: it starts nothing). */
export const VIBER_EVENTS = [
	'message',
	'conversation_started',
	'subscribed',
	'unsubscribed',
	'delivered',
	'seen',
	'failed',
] as const;

/**
 * Where Viber media may be fetched from: Viber's media hosts (dl-media.viber.com,
 * share.cdn.viber.com, …), plus the host of the credential's API Base URL. docs/chat-channels.md.
 */
export const VIBER_MEDIA_SOURCES: MediaSources = {
	hosts: ['*.viber.com'],
	description: "one of Viber's media hosts (*.viber.com)",
};

const iso = (ms: unknown) =>
	new Date(typeof ms === 'number' && Number.isFinite(ms) ? ms : Date.now()).toISOString();

const text = (value: unknown) => (typeof value === 'string' ? value : '');

const tokenOf = (event: ViberEvent) => {
	const token = event.message_token as unknown;
	return typeof token === 'string' || typeof token === 'number' ? String(token) : '';
};

/** The person of a callback: `sender` (message), `user` (subscribed, conversation_started), or `user_id`. */
function senderOf(event: ViberEvent): ChannelSender {
	const person = (event.sender ?? event.user) as IDataObject | undefined;
	if (person && typeof person === 'object')
		return { id: text(person.id), name: text(person.name).trim() };
	return { id: text(event.user_id), name: '' };
}

const FILE_TYPES: Record<string, AttachmentType> = {
	picture: 'photo',
	video: 'video',
	file: 'document',
	sticker: 'sticker',
};

/** The last path segment of a URL, decoded; '' when there is none. */
function fileNameOf(url: string): string {
	try {
		const last = new URL(url).pathname.split('/').pop() ?? '';
		try {
			return decodeURIComponent(last);
		} catch {
			return last;
		}
	} catch {
		return '';
	}
}

/** A picture, video, file or sticker Viber hosts; the media URL is its fileId. */
function attachmentOf(message: IDataObject): ChannelAttachment | undefined {
	const type = FILE_TYPES[text(message.type)];
	if (!type) return undefined;
	const media = text(message.media);
	const size = Number(message.size ?? message.file_size);
	const item: ChannelAttachment = {
		type,
		fileName: text(message.file_name) || (media && fileNameOf(media)) || null,
		mimeType: null,
		size: Number.isFinite(size) && size > 0 ? size : null,
	};
	if (media) item.fileId = media;
	else item.notice = `Not downloaded: the ${text(message.type)} has no media URL`;
	return item;
}

/** A message's item: text, a file, a location, a contact, a shared link, a button reply. */
function messageItem(base: Base, account: string, event: ViberEvent): ChannelMessage {
	const message = (event.message ?? {}) as IDataObject;
	if (typeof message !== 'object') throw new Error('the message is not an object');
	const token = tokenOf(event);
	if (!token) throw new Error('the message has no message_token');
	const type = text(message.type);
	const result: ChannelMessage = {
		...base,
		event: 'message',
		eventId: `viber:${account}:${token}`,
		messageId: token,
		// a shared link (type "url") is its URL
		text: type === 'url' ? text(message.media) : text(message.text),
	};
	const attachment = attachmentOf(message);
	if (attachment) result.attachments = [attachment];
	if (type === 'location') {
		const where = (message.location ?? {}) as IDataObject;
		const location = locationOf(where.lat, where.lon, { address: where.address });
		if (!location) throw new Error('the location has no coordinates');
		result.location = location;
		result.attachments = [{ type: 'location', fileName: null, mimeType: null, size: null }];
	}
	if (type === 'contact') {
		const contact = (message.contact ?? {}) as IDataObject;
		const phone = text(contact.phone_number);
		result.contact = { name: text(contact.name), ...(phone ? { phone } : {}) };
		result.attachments = [{ type: 'contact', fileName: null, mimeType: null, size: null }];
	}
	// a tap on one of the bot's reply buttons: its label as the text, its data as callbackData
	const callback =
		type === 'text' ? callbackOf(text(message.tracking_data), result.text) : undefined;
	if (callback !== undefined) result.callbackData = callback;
	return result;
}

/** What every item of an event has, before its kind adds the rest. */
type Base = Omit<ChannelMessage, 'event' | 'eventId' | 'messageId'>;

const STATUS: Record<string, string> = { delivered: 'delivered', seen: 'read', failed: 'failed' };

/** The item of one callback; `account` is the bot's id (get_account_info). */
export function normalize(account: string, event: ViberEvent): ChannelMessage {
	const kind = text(event.event);
	const sender = senderOf(event);
	const base: Base = {
		channel: 'viber',
		account,
		conversationId: sender.id,
		sender,
		text: '',
		attachments: [],
		timestamp: iso(event.timestamp),
		raw: event,
	};
	if (typeof event.timestamp !== 'number' || !Number.isFinite(new Date(event.timestamp).getTime()))
		throw new Error('the callback has no valid timestamp');
	if (kind === 'message') return messageItem(base, account, event);
	const token = tokenOf(event);
	if (STATUS[kind]) {
		const status: ChannelMessage = {
			...base,
			event: 'status',
			eventId: `viber:${account}:${token}:${kind}`,
			messageId: token || null,
			status: STATUS[kind],
			messageIds: token ? [token] : [],
		};
		if (kind === 'failed') status.error = text(event.desc) || 'Viber could not deliver the message';
		return status;
	}
	// conversation_started, subscribed, unsubscribed: `raw.event` says which
	return {
		...base,
		event: 'other',
		eventId: `viber:${account}:${token}:${kind}`,
		messageId: null,
	};
}
