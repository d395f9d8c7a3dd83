/**
 * Telegram updates (core.telegram.org/bots/api#update) as the channel message shape. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import { locationOf } from '../location';
import type {
	AttachmentType,
	ChannelAttachment,
	ChannelContact,
	ChannelEvent,
	ChannelLocation,
	ChannelMessage,
	ConversationType,
	TextSpan,
} from '../types';

export interface TgUser {
	id: number;
	is_bot?: boolean;
	first_name?: string;
	last_name?: string;
	username?: string;
}

export interface TgChat {
	id: number;
	type?: string;
	title?: string;
	username?: string;
	first_name?: string;
	last_name?: string;
}

export interface TgFile {
	file_id: string;
	file_unique_id?: string;
	file_size?: number;
	file_name?: string;
	mime_type?: string;
	width?: number;
	height?: number;
}

export interface TgMessage extends IDataObject {
	message_id: number;
	date: number;
	edit_date?: number;
	chat: TgChat & IDataObject;
	from?: TgUser & IDataObject;
	sender_chat?: TgChat & IDataObject;
	text?: string;
	caption?: string;
	reply_to_message?: TgMessage;
}

export interface TgUpdate extends IDataObject {
	update_id: number;
}

/**
 * Where Telegram files come from: only the Bot API file endpoint of the credential's API Base URL
 * (`<base>/file/bot<token>/<file_path>`, the path from getFile). A file_path is relative: no
 * scheme, no leading slash, no query.
 */
export const TELEGRAM_FILE_PATH = /^[A-Za-z0-9_][^?#\\:]*$/;

/** The update types the trigger offers, in Telegram's names. */
const UPDATE_TYPES = [
	'message',
	'edited_message',
	'channel_post',
	'edited_channel_post',
	'callback_query',
] as const;
export type UpdateType = (typeof UPDATE_TYPES)[number];

export function updateTypeOf(update: TgUpdate): string | undefined {
	return Object.keys(update).find((key) => key !== 'update_id');
}

const EVENTS: Record<string, ChannelEvent> = {
	message: 'message',
	edited_message: 'edited_message',
	channel_post: 'channel_post',
	edited_channel_post: 'edited_channel_post',
	callback_query: 'callback',
};

function fullName(
	user: { first_name?: string; last_name?: string; title?: string; username?: string } | undefined,
): string {
	if (!user) return '';
	const name =
		[user.first_name, user.last_name].filter(Boolean).join(' ') || user.title || user.username;
	return name ?? '';
}

/** Telegram's chat types as the channel message's: a supergroup is a group. */
function conversationTypeOf(chat: TgChat | undefined): ConversationType | undefined {
	if (!chat || typeof chat.type !== 'string') return undefined;
	if (chat.type === 'private') return 'private';
	return chat.type === 'channel' ? 'channel' : 'group';
}

/** The message inside an update, if it carries one. */
export function messageOf(update: TgUpdate): TgMessage | undefined {
	const type = updateTypeOf(update);
	if (!type) return undefined;
	if (type === 'callback_query')
		return (update.callback_query as IDataObject).message as TgMessage | undefined;
	const value = update[type] as TgMessage | undefined;
	return value && typeof value === 'object' && 'chat' in value ? value : undefined;
}

/** The user who caused an update. */
export function senderOf(update: TgUpdate): TgUser | undefined {
	const type = updateTypeOf(update);
	if (!type) return undefined;
	const value = update[type] as IDataObject | undefined;
	return (value?.from as TgUser | undefined) ?? undefined;
}

/** The files of a message, the largest photo size only. */
function filesOf(message: TgMessage | undefined): Array<{ type: AttachmentType; file: TgFile }> {
	if (!message) return [];
	const files: Array<{ type: AttachmentType; file: TgFile }> = [];
	const photo = message.photo as TgFile[] | undefined;
	if (Array.isArray(photo) && photo.length) {
		const largest = photo.reduce((a, b) =>
			(b.file_size ?? (b.width ?? 0) * (b.height ?? 0)) >
			(a.file_size ?? (a.width ?? 0) * (a.height ?? 0))
				? b
				: a,
		);
		files.push({ type: 'photo', file: largest });
	}
	for (const type of [
		'document',
		'audio',
		'voice',
		'video',
		'video_note',
		'animation',
		'sticker',
	] as const) {
		const file = message[type] as TgFile | undefined;
		if (file?.file_id) files.push({ type, file });
	}
	return files;
}

const DEFAULT_NAMES: Partial<Record<AttachmentType, [string, string]>> = {
	photo: ['photo.jpg', 'image/jpeg'],
	voice: ['voice.ogg', 'audio/ogg'],
	video_note: ['video_note.mp4', 'video/mp4'],
	sticker: ['sticker.webp', 'image/webp'],
	animation: ['animation.mp4', 'video/mp4'],
	video: ['video.mp4', 'video/mp4'],
	audio: ['audio.mp3', 'audio/mpeg'],
};

function attachmentOf(type: AttachmentType, file: TgFile): ChannelAttachment {
	const [defaultName, defaultMime] = DEFAULT_NAMES[type] ?? [`${type}`, 'application/octet-stream'];
	const emoji = (file as { emoji?: unknown }).emoji;
	return {
		type,
		fileName: file.file_name ?? defaultName,
		mimeType: file.mime_type ?? defaultMime,
		size: file.file_size ?? null,
		fileId: file.file_id,
		...(type === 'sticker' && typeof emoji === 'string' && emoji ? { emoji } : {}),
	};
}

/** Telegram's entity types as the channel-neutral spans; the rest (mentions, URLs…) is plain text. */
const SPANS: Record<string, TextSpan['type']> = {
	bold: 'bold',
	italic: 'italic',
	underline: 'underline',
	strikethrough: 'strikethrough',
	spoiler: 'spoiler',
	code: 'code',
	pre: 'pre',
	text_link: 'link',
	blockquote: 'blockquote',
	expandable_blockquote: 'blockquote',
};

/** The formatting of a message's text or caption (its entities), as channel-neutral spans. */
function formattingOf(message: TgMessage): TextSpan[] {
	const entities = message.entities ?? message.caption_entities;
	if (!Array.isArray(entities)) return [];
	const spans: TextSpan[] = [];
	for (const entity of entities as IDataObject[]) {
		const type = SPANS[String(entity?.type ?? '')];
		const offset = Number(entity?.offset);
		const length = Number(entity?.length);
		if (!type || !Number.isFinite(offset) || !Number.isFinite(length)) continue;
		const span: TextSpan = { type, offset, length };
		if (typeof entity.url === 'string') span.url = entity.url;
		if (typeof entity.language === 'string') span.language = entity.language;
		spans.push(span);
	}
	return spans;
}

/** A shared location; a venue's title and address with it. */
function locationIn(message: TgMessage): ChannelLocation | undefined {
	const location = message.location as { latitude?: unknown; longitude?: unknown } | undefined;
	if (!location || typeof location !== 'object') return undefined;
	const venue = message.venue as { title?: unknown; address?: unknown } | undefined;
	const place = venue?.title ? { name: venue.title, address: venue.address } : {};
	return locationOf(location.latitude, location.longitude, place);
}

/** A shared contact card. */
function contactIn(message: TgMessage): ChannelContact | undefined {
	const contact = message.contact as
		| { first_name?: string; last_name?: string; phone_number?: string; user_id?: number }
		| undefined;
	if (!contact || typeof contact !== 'object') return undefined;
	return {
		name: [contact.first_name, contact.last_name].filter(Boolean).join(' '),
		...(contact.phone_number ? { phone: String(contact.phone_number) } : {}),
		...(contact.user_id !== undefined ? { userId: String(contact.user_id) } : {}),
	};
}

/** What the conversation bridge reads of a customer's message besides its text. */
function detailsOf(message: TgMessage): Partial<ChannelMessage> {
	const formatting = formattingOf(message);
	const location = locationIn(message);
	const contact = contactIn(message);
	return {
		...(formatting.length ? { formatting } : {}),
		...(location ? { location } : {}),
		...(contact ? { contact } : {}),
	};
}

/** An update as the item every channel trigger emits. */
export function normalize(update: TgUpdate, botId: string): ChannelMessage {
	const type = updateTypeOf(update) ?? 'other';
	const message = messageOf(update);
	const callback = type === 'callback_query' ? (update.callback_query as IDataObject) : undefined;
	const from = senderOf(update) ?? (message?.sender_chat as TgUser | undefined);
	const chat = message?.chat;
	const attachments: ChannelAttachment[] = filesOf(callback ? undefined : message).map(
		({ type: t, file }) => attachmentOf(t, file),
	);
	if (message && !callback) {
		if (message.location)
			attachments.push({ type: 'location', fileName: null, mimeType: null, size: null });
		if (message.contact)
			attachments.push({ type: 'contact', fileName: null, mimeType: null, size: null });
	}
	const seconds = callback
		? Date.now() / 1000
		: (message?.edit_date ?? message?.date ?? Date.now() / 1000);
	const contact = message?.contact as { phone_number?: string; user_id?: number } | undefined;
	const conversationType = conversationTypeOf(chat);
	const result: ChannelMessage = {
		channel: 'telegram',
		account: botId,
		event: EVENTS[type] ?? 'other',
		eventId: `telegram:${botId}:${update.update_id}`,
		messageId: message ? String(message.message_id) : null,
		conversationId: chat ? String(chat.id) : from ? String(from.id) : '',
		sender: {
			id: from ? String(from.id) : '',
			name: fullName(from as TgUser & { title?: string }),
			...(from?.username ? { username: from.username } : {}),
			...(contact?.phone_number && contact.user_id === from?.id
				? { phone: contact.phone_number }
				: {}),
			isBot: from?.is_bot === true,
		},
		text: callback ? String(callback.data ?? '') : String(message?.text ?? message?.caption ?? ''),
		attachments,
		timestamp: new Date(Math.round(seconds * 1000)).toISOString(),
		...(conversationType ? { conversationType } : {}),
		...(conversationType && conversationType !== 'private' && typeof chat?.title === 'string'
			? { conversationTitle: chat.title }
			: {}),
		raw: update,
	};
	if (message?.reply_to_message && !callback)
		result.replyToMessageId = String(message.reply_to_message.message_id);
	if (message && !callback) Object.assign(result, detailsOf(message));
	if (callback) {
		result.callbackData = String(callback.data ?? '');
		result.callbackId = String(callback.id ?? '');
	}
	return result;
}
