/**
 * WhatsApp Cloud API webhook notifications (`object: "whatsapp_business_account"`,
 * `entry[].changes[].value` with `metadata.phone_number_id`, `contacts`, `messages`, `statuses`)
 * as the channel message shape: one event per message or status. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import { locationOf } from '../location';
import type { AttachmentType, ChannelAttachment, ChannelMessage } from '../types';
import { cloudErrorHint } from './transport';

/** One message or status of a change, with what the change says around it. */
export interface CloudEvent {
	kind: 'message' | 'status' | 'error';
	/** The business number it is for (`metadata.phone_number_id`): the item's `account`. */
	phoneNumberId: string;
	/** The number as shown (`metadata.display_phone_number`). */
	displayNumber: string;
	/** The message, the status, or an error of the change itself. */
	body: IDataObject;
	/** The sender's profile name (`contacts[].profile.name` of the same wa_id). */
	name: string;
	/** The notification's time (`entry[].time` or the change's `timestamp`, seconds), when it has one. */
	time?: string;
}

const record = (value: unknown): IDataObject =>
	value && typeof value === 'object' && !Array.isArray(value) ? (value as IDataObject) : {};
const list = (value: unknown): IDataObject[] =>
	(Array.isArray(value) ? value : []).filter((v) => v && typeof v === 'object') as IDataObject[];
const text = (value: unknown): string =>
	typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';

/** Every message, status and error of a notification, in order. */
export function eventsOf(body: IDataObject): CloudEvent[] {
	const out: CloudEvent[] = [];
	for (const entry of list(body.entry)) {
		for (const change of list(entry.changes)) {
			if (change.field !== undefined && change.field !== 'messages') continue;
			const value = record(change.value);
			const metadata = record(value.metadata);
			const phoneNumberId = text(metadata.phone_number_id);
			const displayNumber = text(metadata.display_phone_number);
			const names = new Map<string, string>();
			for (const contact of list(value.contacts))
				names.set(text(contact.wa_id), text(record(contact.profile).name));
			const time = text(entry.time) || text(value.timestamp) || undefined;
			const base = { phoneNumberId, displayNumber, ...(time ? { time } : {}) };
			for (const message of list(value.messages))
				out.push({
					...base,
					kind: 'message',
					body: message,
					name: names.get(text(message.from)) ?? '',
				});
			for (const status of list(value.statuses))
				out.push({ ...base, kind: 'status', body: status, name: '' });
			for (const error of list(value.errors))
				out.push({ ...base, kind: 'error', body: error, name: '' });
		}
	}
	return out;
}

/** Message types with a file (a media id to download). */
const MEDIA: Record<string, AttachmentType> = {
	image: 'photo',
	video: 'video',
	document: 'document',
	sticker: 'sticker',
	audio: 'audio',
};

const EXTENSIONS: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/webp': 'webp',
	'audio/ogg': 'ogg',
	'audio/mpeg': 'mp3',
	'audio/aac': 'aac',
	'audio/amr': 'amr',
	'audio/mp4': 'm4a',
	'video/mp4': 'mp4',
	'video/3gpp': '3gp',
	'application/pdf': 'pdf',
	'text/plain': 'txt',
};

/** A media id is a number; anything else is never asked for. */
export const isMediaId = (value: string | undefined): boolean => /^\d{1,30}$/.test(value ?? '');

function attachmentOf(type: string, media: IDataObject): ChannelAttachment {
	const mimeType = text(media.mime_type).split(';')[0].trim() || null;
	const id = text(media.id);
	const extension = mimeType ? (EXTENSIONS[mimeType] ?? mimeType.split('/')[1] ?? 'bin') : 'bin';
	const voice = type === 'audio' && media.voice === true;
	return {
		type: voice ? 'voice' : MEDIA[type],
		fileName: text(media.filename) || (id ? `${id}.${extension}` : null),
		mimeType,
		size: null,
		...(id ? { fileId: id } : {}),
	};
}

const iso = (seconds: unknown) => {
	const value = Number(seconds);
	return new Date(Number.isFinite(value) && value > 0 ? value * 1000 : Date.now()).toISOString();
};

/** The item of one event. Throws on an event it cannot read (the pipeline's notice). */
export function normalize(event: CloudEvent): ChannelMessage {
	if (event.kind === 'status') return statusItem(event);
	if (event.kind === 'error') return errorItem(event);
	return messageItem(event);
}

/** A status of a message the business sent: sent, delivered, read, failed (with its error). */
function statusItem(event: CloudEvent): ChannelMessage {
	const status = event.body;
	const id = text(status.id);
	const state = text(status.status).toLowerCase();
	if (!id || !state) throw new Error('a status without a message id or state');
	const recipient = text(status.recipient_id);
	const message: ChannelMessage = {
		channel: 'whatsappcloud',
		account: event.phoneNumberId,
		event: 'status',
		eventId: `whatsappcloud:${event.phoneNumberId}:${id}:${state}`,
		messageId: id,
		conversationId: recipient,
		sender: { id: event.phoneNumberId, name: '', phone: `+${event.displayNumber}`, isBot: true },
		text: '',
		attachments: [],
		timestamp: iso(status.timestamp),
		raw: status,
		status: state,
	};
	const error = list(status.errors)[0];
	if (error) {
		const code = text(error.code);
		const details = text(record(error.error_data).details) || text(error.message);
		message.errorCode = code;
		message.error =
			cloudErrorHint(code) ??
			([text(error.title), details].filter(Boolean).join(': ') || `WhatsApp error ${code}`);
	}
	return message;
}

/**
 * An error of the notification itself (a system or account problem): for the workflow to see. Its
 * eventId has the notification's time (else the hour it came in), so that a redelivery is taken
 * once and the same error recurring later is seen again.
 */
function errorItem(event: CloudEvent): ChannelMessage {
	const error = event.body;
	const code = text(error.code);
	const when = event.time ?? `h${Math.floor(Date.now() / 3_600_000)}`;
	return {
		channel: 'whatsappcloud',
		account: event.phoneNumberId,
		event: 'other',
		eventId: `whatsappcloud:${event.phoneNumberId}:error:${when}:${code}:${text(error.title)}:${text(record(error.error_data).details)}`,
		messageId: null,
		conversationId: '',
		sender: { id: '', name: '' },
		text: '',
		attachments: [],
		timestamp: new Date().toISOString(),
		raw: error,
		errorCode: code,
		error:
			cloudErrorHint(code) ??
			([text(error.title), text(error.message)].filter(Boolean).join(': ') ||
				`WhatsApp error ${code}`),
	};
}

/** A customer's message: text, media, location, contact, a button tap, a reaction, an edit. */
function messageItem(event: CloudEvent): ChannelMessage {
	const body = event.body;
	const id = text(body.id);
	const from = text(body.from);
	if (!id || !from) throw new Error('a message without an id or a sender');
	const type = text(body.type);
	const content = record(body[type]);
	const message: ChannelMessage = {
		channel: 'whatsappcloud',
		account: event.phoneNumberId,
		event: 'message',
		eventId: `whatsappcloud:${event.phoneNumberId}:${id}`,
		messageId: id,
		conversationId: from,
		sender: { id: from, name: event.name, phone: `+${from}`, isBot: false },
		text: '',
		attachments: [],
		timestamp: iso(body.timestamp),
		raw: body,
	};
	const replyTo = text(record(body.context).id);
	if (replyTo) message.replyToMessageId = replyTo;
	if (type === 'text') {
		message.text = text(content.body);
	} else if (MEDIA[type]) {
		message.text = text(content.caption);
		message.attachments.push(attachmentOf(type, content));
	} else if (type === 'location') {
		const location = locationOf(content.latitude, content.longitude, {
			name: content.name,
			address: content.address,
		});
		if (!location) throw new Error('a location without coordinates');
		message.location = location;
		message.attachments.push({ type: 'location', fileName: null, mimeType: null, size: null });
	} else if (type === 'contacts') {
		const card = list(body.contacts)[0] ?? {};
		const phone = list(card.phones)[0] ?? {};
		message.contact = {
			name: text(record(card.name).formatted_name),
			...(text(phone.phone) ? { phone: text(phone.phone) } : {}),
			...(text(phone.wa_id) ? { userId: text(phone.wa_id) } : {}),
		};
		message.attachments.push({ type: 'contact', fileName: null, mimeType: null, size: null });
	} else if (type === 'interactive') {
		// a tap on a reply button or a list row the business sent
		const reply = record(content.button_reply ?? content.list_reply);
		message.event = 'callback';
		message.text = text(reply.title);
		message.callbackData = text(reply.id);
		message.callbackId = id;
	} else if (type === 'button') {
		// a quick-reply button of a template
		message.event = 'callback';
		message.text = text(content.text);
		message.callbackData = text(content.payload) || text(content.text);
		message.callbackId = id;
	} else if (type === 'reaction') {
		// a reaction to a message (ChannelEvent "reaction"): messageId is the reacted message, the
		// text its emoji ("" when the customer took the reaction back); the eventId stays the reaction's
		const reacted = text(content.message_id);
		message.event = 'reaction';
		message.text = text(content.emoji);
		message.messageId = reacted || null;
		if (reacted) message.replyToMessageId = reacted;
	} else if (type === 'edit') {
		// a customer changed an earlier message (numbers also on the WhatsApp Business app)
		const edited = record(content.message);
		const inner = record(edited[text(edited.type) || 'text']);
		message.event = 'edited_message';
		message.messageId = text(content.original_message_id);
		message.text = text(inner.body) || text(inner.caption);
		if (!message.messageId) throw new Error('an edit without the original message id');
	} else if (type === 'revoke') {
		// a customer deleted an earlier message for everyone: the workflow may see it; TeamSpirit keeps it
		message.event = 'other';
		message.messageId = text(record(content).original_message_id) || id;
	} else {
		// unsupported, system (the customer's number changed), order, …: described, never fetched
		const error = list(body.errors)[0];
		message.event = type === 'unsupported' || type === 'unknown' ? 'message' : 'other';
		message.attachments.push({ type: 'other', fileName: null, mimeType: null, size: null });
		if (error) {
			message.errorCode = text(error.code);
			message.error = text(record(error.error_data).details) || text(error.title);
		}
	}
	return message;
}
