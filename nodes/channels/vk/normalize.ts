/**
 * VK community events (Bots Long Poll `updates[]` and Callback API bodies: `{ type, object,
 * group_id, event_id }`) as the channel message shape. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import { locationOf } from '../location';
import type { MediaSources } from '../mediaSources';
import type {
	ChannelAttachment,
	ChannelEvent,
	ChannelLocation,
	ChannelMessage,
	ConversationType,
} from '../types';

export interface VkEvent extends IDataObject {
	type?: string;
	object?: IDataObject;
	group_id?: number;
	event_id?: string;
}

export interface VkMessage extends IDataObject {
	id?: number;
	conversation_message_id?: number;
	from_id?: number;
	peer_id?: number;
	text?: string;
	date?: number;
	attachments?: IDataObject[];
	reply_message?: IDataObject;
	fwd_messages?: IDataObject[];
	geo?: IDataObject;
	payload?: string;
}

/** The event types the trigger reads; every other type is acknowledged and starts nothing. */
export const VK_EVENT_TYPES = ['message_new', 'message_edit', 'message_event'] as const;

/** Peer ids of multi-person chats start here (VK: 2000000000 + chat id). */
const CHAT_PEER_START = 2_000_000_000;

/**
 * Where VK media may be fetched from: its content hosts (photos on sun*.userapi.com, documents
 * redirected from vk.com/doc… to *.userapi.com, voice messages on *.vkuseraudio.net / *.vk.me),
 * plus the host of the credential's API Base URL. docs/chat-channels.md.
 */
export const VK_MEDIA_SOURCES: MediaSources = {
	hosts: [
		'vk.com',
		'*.vk.com',
		'*.userapi.com',
		'*.vkuseraudio.net',
		'*.vkuservideo.net',
		'*.vk.me',
		'*.vkuserphoto.ru',
	],
	description:
		"one of VK's media hosts (vk.com, *.userapi.com, *.vkuseraudio.net, *.vkuservideo.net, *.vk.me, *.vkuserphoto.ru)",
};

/** The message an event carries (message_new: `object.message`; message_edit: `object`). */
export function messageOf(event: VkEvent): VkMessage | undefined {
	const object = event.object;
	if (!object || typeof object !== 'object') return undefined;
	if (event.type === 'message_new') return object.message as VkMessage | undefined;
	if (event.type === 'message_edit' || event.type === 'message_reply') return object as VkMessage;
	return undefined;
}

const str = (value: unknown) =>
	typeof value === 'number' || typeof value === 'string' ? String(value) : '';

function isoOf(seconds: unknown): string {
	if (typeof seconds !== 'number') return new Date().toISOString();
	// throws RangeError for a date no calendar has: the event then arrives with a notice
	return new Date(seconds * 1000).toISOString();
}

const EXTENSION_MIME: Record<string, string> = {
	pdf: 'application/pdf',
	txt: 'text/plain',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	png: 'image/png',
	gif: 'image/gif',
	zip: 'application/zip',
	doc: 'application/msword',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
	xls: 'application/vnd.ms-excel',
	xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
	mp3: 'audio/mpeg',
	ogg: 'audio/ogg',
	mp4: 'video/mp4',
};

/** A photo's largest size (by its pixels; VK lists them smallest first). */
function largestSize(photo: IDataObject): IDataObject | undefined {
	const sizes = (Array.isArray(photo.sizes) ? photo.sizes : []) as IDataObject[];
	let best: IDataObject | undefined;
	for (const size of sizes) {
		if (typeof size?.url !== 'string') continue;
		const area = Number(size.width ?? 0) * Number(size.height ?? 0);
		const bestArea = best ? Number(best.width ?? 0) * Number(best.height ?? 0) : -1;
		if (!best || area >= bestArea) best = size;
	}
	return best;
}

function attachmentOf(attachment: IDataObject): ChannelAttachment {
	const type = str(attachment?.type);
	const body = (attachment?.[type] ?? {}) as IDataObject;
	const none = { fileName: null, mimeType: null, size: null };
	switch (type) {
		case 'photo': {
			const size = largestSize(body);
			return {
				type: 'photo',
				fileName: `photo${str(body.owner_id)}_${str(body.id)}.jpg`,
				mimeType: 'image/jpeg',
				size: null,
				...(size ? { fileId: String(size.url) } : {}),
			};
		}
		case 'doc': {
			const ext = str(body.ext).toLowerCase();
			const title = str(body.title) || `document.${ext || 'bin'}`;
			return {
				type: 'document',
				fileName: title,
				mimeType: EXTENSION_MIME[ext] ?? null,
				size: typeof body.size === 'number' ? body.size : null,
				...(typeof body.url === 'string' ? { fileId: body.url } : {}),
			};
		}
		case 'audio_message': {
			const link = body.link_ogg ?? body.link_mp3;
			return {
				type: 'voice',
				fileName: `voice${str(body.owner_id)}_${str(body.id)}.${body.link_ogg ? 'ogg' : 'mp3'}`,
				mimeType: body.link_ogg ? 'audio/ogg' : 'audio/mpeg',
				size: null,
				...(typeof link === 'string' ? { fileId: link } : {}),
			};
		}
		case 'sticker':
			return { type: 'sticker', ...none };
		case 'video':
			// VK gives a video's page, not its file: described, not downloaded
			return { type: 'video', ...none };
		case 'audio':
			return { type: 'audio', ...none };
		default:
			return { type: 'other', ...none };
	}
}

function locationOfGeo(geo: IDataObject | undefined): ChannelLocation | undefined {
	const coordinates = geo?.coordinates as IDataObject | string | undefined;
	if (!coordinates) return undefined;
	let latitude: unknown;
	let longitude: unknown;
	if (typeof coordinates === 'string') [latitude, longitude] = coordinates.split(/\s+/).map(Number);
	else ({ latitude, longitude } = coordinates);
	const place = (geo?.place ?? {}) as IDataObject;
	return locationOf(latitude, longitude, { name: place.title, address: place.address });
}

/** A callback button's data: our own `{ data }` payload's string, else the payload as JSON. */
function callbackDataOf(payload: unknown): string {
	if (typeof payload === 'string') {
		try {
			return callbackDataOf(JSON.parse(payload) as unknown);
		} catch {
			return payload;
		}
	}
	if (payload && typeof payload === 'object' && typeof (payload as IDataObject).data === 'string')
		return (payload as IDataObject).data as string;
	return payload === undefined ? '' : JSON.stringify(payload);
}

function conversationTypeOf(peerId: number | undefined): ConversationType {
	return (peerId ?? 0) >= CHAT_PEER_START ? 'group' : 'private';
}

/** The dedupe key: `vk:<group>:<event_id>` (or the message id for an event without one). */
export function eventIdOf(event: VkEvent, groupId: string): string {
	const id = str(event.event_id) || str(messageOf(event)?.id) || str(messageOf(event)?.date);
	return `vk:${groupId}:${id}`;
}

/** A VK event as the channel message; throws on an event it cannot read. */
export function normalize(event: VkEvent, groupId: string): ChannelMessage {
	const account = groupId;
	const eventId = eventIdOf(event, groupId);
	if (event.type === 'message_event') {
		const object = (event.object ?? {}) as IDataObject;
		const userId = str(object.user_id);
		const peerId = str(object.peer_id) || userId;
		return {
			channel: 'vk',
			account,
			event: 'callback',
			eventId,
			messageId: null,
			conversationId: peerId,
			sender: { id: userId, name: '' },
			text: '',
			attachments: [],
			timestamp: new Date().toISOString(),
			callbackData: callbackDataOf(object.payload),
			callbackId: `${str(object.event_id)}:${userId}:${peerId}`,
			conversationType: conversationTypeOf(Number(peerId)),
			raw: event,
		};
	}
	const message = messageOf(event);
	if (!message || typeof message !== 'object')
		throw new Error(`a ${str(event.type)} without a message`);
	const from = Number(message.from_id ?? 0);
	const peer = Number(message.peer_id ?? from);
	const kind: ChannelEvent = event.type === 'message_edit' ? 'edited_message' : 'message';
	const attachments = (Array.isArray(message.attachments) ? message.attachments : []).map(
		attachmentOf,
	);
	const location = locationOfGeo(message.geo);
	const reply = message.reply_message;
	const out: ChannelMessage = {
		channel: 'vk',
		account,
		event: kind,
		eventId,
		messageId: message.id ? String(message.id) : null,
		conversationId: String(peer),
		sender: { id: String(from), name: '', ...(from < 0 ? { isBot: true } : {}) },
		text: typeof message.text === 'string' ? message.text : '',
		attachments,
		timestamp: isoOf(message.date),
		conversationType: conversationTypeOf(peer),
		raw: event,
	};
	if (reply && typeof reply === 'object' && reply.id) out.replyToMessageId = String(reply.id);
	if (location) out.location = location;
	if (typeof message.payload === 'string' && message.payload) {
		out.callbackData = callbackDataOf(message.payload);
	}
	return out;
}
