/**
 * Twilio's webhook parameters (an inbound WhatsApp message, or a status callback) as the channel
 * message shape. Pure.
 */
import type { IDataObject } from 'n8n-workflow';

import type { MediaSources } from '../mediaSources';
import { locationOf } from '../location';
import type { AttachmentType, ChannelAttachment, ChannelMessage } from '../types';
import { twilioErrorHint } from './transport';

export type TwilioParams = Record<string, string | string[] | undefined>;

export const one = (value: string | string[] | undefined): string =>
	Array.isArray(value) ? (value[0] ?? '') : (value ?? '');

/**
 * Where WhatsApp media may be fetched from: Twilio's REST API media URLs
 * (`https://api.twilio.com/2010-04-01/Accounts/AC…/Messages/MM…/Media/ME…`, fetched with the
 * account's credentials), or the same path on the host of the credential's API Base URL. Twilio
 * answers with a redirect to its media CDN (TWILIO_MEDIA_REDIRECT_HOSTS), fetched without credentials.
 */
export const TWILIO_MEDIA_SOURCES: MediaSources = {
	hosts: ['api.twilio.com'],
	path: /^\/2010-04-01\/Accounts\/AC[0-9a-f]{32}\/Messages\/(?:MM|SM)[0-9a-f]{32}\/Media\/ME[0-9a-f]{32}$/,
	description: "Twilio's API host (api.twilio.com)",
};

/** The shapes of Twilio's ids in a webhook (a value that merges a neighbour parameter fails them). */
const MESSAGE_SID = /^(SM|MM)[0-9a-f]{32}$/;
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/;

/**
 * Why a (signed) webhook's ids cannot be trusted, or undefined. Twilio signs the names and values
 * without separators, so a parameter's text moved into a neighbour's value keeps the signature:
 * every id must have its exact shape, the message ids must agree, and the account must be ours.
 */
export function idProblem(params: TwilioParams, accountSid: string): string | undefined {
	const account = params.AccountSid;
	if (typeof account !== 'string' || !ACCOUNT_SID.test(account) || account !== accountSid)
		return 'AccountSid is not this account';
	const ids: string[] = [];
	for (const name of ['MessageSid', 'SmsSid', 'SmsMessageSid']) {
		const value = params[name];
		if (value === undefined) continue;
		if (typeof value !== 'string' || !MESSAGE_SID.test(value))
			return `${name} is not a message SID`;
		ids.push(value);
	}
	if (!ids.length) return 'no MessageSid';
	if (ids.some((id) => id !== ids[0])) return 'MessageSid, SmsSid and SmsMessageSid differ';
	for (const name of ['MessageStatus', 'SmsStatus']) {
		const value = params[name];
		if (value === undefined) continue;
		if (typeof value !== 'string' || !/^[a-z_]{1,40}$/i.test(value) || /[a-z][A-Z]/.test(value))
			return `${name} is not a message status`;
	}
	return undefined;
}

/** Statuses Twilio posts to a StatusCallback. */
const STATUS_VALUES = [
	'queued',
	'accepted',
	'sending',
	'sent',
	'delivered',
	'read',
	'failed',
	'undelivered',
];

export function isStatusCallback(params: TwilioParams): boolean {
	const status = one(params.MessageStatus).toLowerCase();
	return status !== '' && status !== 'received' && STATUS_VALUES.includes(status);
}

function attachmentType(mimeType: string): AttachmentType {
	if (/^image\/webp$/i.test(mimeType)) return 'sticker';
	if (/^image\//i.test(mimeType)) return 'photo';
	if (/^audio\/ogg/i.test(mimeType)) return 'voice';
	if (/^audio\//i.test(mimeType)) return 'audio';
	if (/^video\//i.test(mimeType)) return 'video';
	if (/^text\/(x-)?vcard/i.test(mimeType)) return 'contact';
	return 'document';
}

const EXTENSIONS: Record<string, string> = {
	'image/jpeg': 'jpg',
	'image/png': 'png',
	'image/webp': 'webp',
	'audio/ogg': 'ogg',
	'audio/mpeg': 'mp3',
	'video/mp4': 'mp4',
	'application/pdf': 'pdf',
};

/** Twilio sends no file names: `<MediaSid>.<extension>`. */
function fileNameOf(url: string, mimeType: string): string {
	const id = url.split('/').pop() || 'media';
	const extension =
		EXTENSIONS[mimeType.split(';')[0].trim().toLowerCase()] ??
		mimeType.split('/')[1]?.split(';')[0] ??
		'bin';
	return `${id}.${extension}`;
}

/** The item of an inbound message or a status callback. */
export function normalize(
	params: TwilioParams,
	nowIso: string = new Date().toISOString(),
): ChannelMessage {
	const raw = Object.fromEntries(
		Object.entries(params).map(([k, v]) => [k, v ?? '']),
	) as IDataObject;
	return isStatusCallback(params) ? statusOf(params, raw, nowIso) : inboundOf(params, raw, nowIso);
}

const messageSidOf = (params: TwilioParams) => one(params.MessageSid) || one(params.SmsSid);

/** A status callback: about a message the business sent, so From is the business number. */
function statusOf(params: TwilioParams, raw: IDataObject, nowIso: string): ChannelMessage {
	const status = one(params.MessageStatus).toLowerCase();
	const errorCode = one(params.ErrorCode);
	const business = one(params.From).replace(/^whatsapp:/, '');
	const message: ChannelMessage = {
		channel: 'whatsapp',
		account: business,
		event: 'status',
		eventId: `whatsapp:${one(params.AccountSid)}:${messageSidOf(params)}:${status}`,
		messageId: messageSidOf(params),
		conversationId: one(params.To),
		sender: { id: business, name: '', phone: business, isBot: true },
		text: '',
		attachments: [],
		timestamp: nowIso,
		raw,
		status,
	};
	if (errorCode) {
		message.errorCode = errorCode;
		message.error =
			twilioErrorHint(errorCode) ??
			`Twilio error ${errorCode}: https://www.twilio.com/docs/errors/${errorCode}`;
	}
	return message;
}

/** The media (MediaUrl0…9) and a shared location of an inbound message. */
function attachmentsOf(params: TwilioParams): ChannelAttachment[] {
	const attachments: ChannelAttachment[] = [];
	const count = Math.min(10, Math.max(0, Number(one(params.NumMedia)) || 0));
	for (let index = 0; index < count; index++) {
		const url = one(params[`MediaUrl${index}`]);
		if (!url) continue;
		const mimeType = one(params[`MediaContentType${index}`]) || 'application/octet-stream';
		const fileName = fileNameOf(url, mimeType);
		attachments.push({
			type: attachmentType(mimeType),
			fileName,
			mimeType,
			size: null,
			fileId: url,
		});
	}
	if (one(params.Latitude) && one(params.Longitude)) {
		attachments.push({
			type: 'location',
			fileName: null,
			mimeType: null,
			size: null,
			fileId: `${one(params.Latitude)},${one(params.Longitude)}`,
		});
	}
	return attachments;
}

/** A customer's message (or button tap) to the business number `To`. */
function inboundOf(params: TwilioParams, raw: IDataObject, nowIso: string): ChannelMessage {
	const messageSid = messageSidOf(params);
	const waId = one(params.WaId);
	const from = one(params.From);
	const phone = waId ? `+${waId}` : from.replace(/^whatsapp:/, '');
	const payload = one(params.ButtonPayload);
	const message: ChannelMessage = {
		channel: 'whatsapp',
		account: one(params.To).replace(/^whatsapp:/, ''),
		event: payload ? 'callback' : 'message',
		eventId: `whatsapp:${one(params.AccountSid)}:${messageSid}:received`,
		messageId: messageSid,
		conversationId: from.startsWith('whatsapp:') ? from : `whatsapp:${phone}`,
		sender: {
			id: waId || phone.replace(/^\+/, ''),
			name: one(params.ProfileName),
			phone,
			isBot: false,
		},
		text: payload || one(params.Body),
		attachments: attachmentsOf(params),
		timestamp: nowIso,
		raw,
	};
	const replyTo = one(params.OriginalRepliedMessageSid);
	if (replyTo) message.replyToMessageId = replyTo;
	const location = locationOf(one(params.Latitude).trim(), one(params.Longitude).trim(), {
		name: one(params.Label),
		address: one(params.Address),
	});
	if (location) message.location = location;
	if (payload) {
		message.callbackData = payload;
		message.callbackId = messageSid;
	}
	return message;
}
