/**
 * Instagram webhook events (`object: "instagram"`, `entry[].messaging[]`; entry.id is the
 * Instagram professional account) as the channel message shape. Pure.
 *
 * - `message`: text, files (image, video, audio, file: Meta's CDN links, downloaded by the
 *   trigger), links that are no file of the conversation (a story mention, a shared post or reel:
 *   never downloaded; Instagram's rules forbid storing story media), a story reply
 *   (`reply_to.story`), a reply (`reply_to.mid`), a quick reply tap;
 * - `message.is_deleted`: the customer unsent a message → `deleted_message`;
 * - `message.is_echo`: the account's own message (ignored unless "Include Echoes");
 * - `reaction`: a reaction to a message, or its removal → `reaction`;
 * - `postback`: an icebreaker or button tap → `callback`;
 * - `read`: the customer saw the account's message → `status: read`.
 */
import type { IDataObject } from 'n8n-workflow';

import type { MediaSources } from '../mediaSources';
import type { MessagingEvent } from '../meta/events';
import { cdnFileOf, isoOf as iso, messagingEventsOf, payloadOf } from '../meta/events';
import { META_MEDIA_HOSTS } from '../meta/media';
import type { AttachmentType, ChannelAttachment, ChannelMessage } from '../types';

export type InstagramEvent = MessagingEvent;

export type InstagramEventKind =
	'message' | 'echo' | 'deleted' | 'reaction' | 'postback' | 'read' | 'other';

export function kindOf(event: InstagramEvent): InstagramEventKind {
	const message = event.message as IDataObject | undefined;
	if (message) {
		if (message.is_echo === true) return 'echo';
		return message.is_deleted === true ? 'deleted' : 'message';
	}
	if (event.reaction) return 'reaction';
	if (event.postback) return 'postback';
	if (event.read) return 'read';
	return 'other';
}

/** Every messaging event of a webhook body, in order, with the account it was for. */
export const eventsOf = messagingEventsOf<InstagramEvent>;

/** Attachment types that are files of the conversation, on Meta's CDN. */
const FILE_TYPES: Record<string, AttachmentType> = {
	image: 'photo',
	video: 'video',
	audio: 'audio',
	file: 'document',
};

/** Attachments that are links to something on Instagram, in the operator's words. */
const LINK_KINDS: Record<string, string> = {
	story_mention: 'Story mention',
	share: 'Shared post',
	ig_post: 'Shared post',
	ig_reel: 'Shared reel',
	reel: 'Shared reel',
	animated_image_share: 'GIF',
	fallback: 'Link',
};

/**
 * Where Instagram media may be fetched from: Meta's CDN hosts (*.fbcdn.net, *.fbsbx.com) and
 * Instagram's (*.cdninstagram.com), plus the host of the credential's API Base URL.
 */
export const INSTAGRAM_MEDIA_SOURCES: MediaSources = {
	hosts: [...META_MEDIA_HOSTS, '*.cdninstagram.com'],
	description: "one of Meta's media hosts (*.fbcdn.net, *.fbsbx.com, *.cdninstagram.com)",
};

function attachmentOf(attachment: IDataObject): ChannelAttachment {
	const kind = String(attachment?.type ?? '');
	const payload = payloadOf(attachment);
	const url = typeof payload.url === 'string' ? payload.url : undefined;
	const type = FILE_TYPES[kind];
	if (!type) {
		// a story mention, a shared post or reel: a link, never fetched (conversation.ts shows it)
		const title = typeof payload.title === 'string' ? payload.title : null;
		return {
			type: 'other',
			fileName: title ?? LINK_KINDS[kind] ?? kind ?? null,
			mimeType: null,
			size: null,
		};
	}
	return cdnFileOf(type, url);
}

/** The links of a message that are no file: a story reply's story, story mentions, shares. */
export function linksOf(raw: IDataObject): Array<{ label: string; url: string }> {
	const message = (raw?.message ?? {}) as IDataObject;
	const links: Array<{ label: string; url: string }> = [];
	const story = ((message.reply_to ?? {}) as IDataObject).story as IDataObject | undefined;
	if (story && typeof story.url === 'string')
		links.push({ label: 'Reply to your story', url: story.url });
	const list = (Array.isArray(message.attachments) ? message.attachments : []) as IDataObject[];
	for (const attachment of list) {
		const kind = String(attachment?.type ?? '');
		const url = payloadOf(attachment).url;
		if (FILE_TYPES[kind] || typeof url !== 'string') continue;
		links.push({ label: LINK_KINDS[kind] ?? `Attachment "${kind}"`, url });
	}
	return links;
}

/** What every item of an event has, before its kind adds the rest. */
type Base = Omit<ChannelMessage, 'event' | 'eventId' | 'messageId'>;

/** The item of one event; `accountId` is the Instagram account the webhook entry is for. */
export function normalize(accountId: string, event: InstagramEvent): ChannelMessage {
	const kind = kindOf(event);
	const senderId = String(event.sender?.id ?? '');
	const recipientId = String(event.recipient?.id ?? '');
	const account = accountId || (kind === 'echo' ? senderId : recipientId);
	const base: Base = {
		channel: 'instagram',
		account,
		conversationId: kind === 'echo' ? recipientId : senderId,
		sender: { id: senderId, name: '', isBot: kind === 'echo' },
		text: '',
		attachments: [],
		timestamp: iso(event.timestamp),
		raw: event as IDataObject,
	};
	const key = `instagram:${account}`;
	if (kind === 'message' || kind === 'echo') return messageItem(base, key, event);
	if (kind === 'deleted') {
		const mid = String((event.message as IDataObject).mid ?? '');
		return { ...base, event: 'deleted_message', eventId: `${key}:${mid}:deleted`, messageId: mid };
	}
	if (kind === 'reaction') return reactionItem(base, key, event);
	if (kind === 'postback') {
		const postback = event.postback as IDataObject;
		const payload = String(postback.payload ?? '');
		const mid = typeof postback.mid === 'string' ? postback.mid : null;
		return {
			...base,
			event: 'callback',
			eventId: `${key}:${mid ?? `postback:${senderId}:${event.timestamp}`}`,
			messageId: mid,
			text: payload,
			callbackData: payload,
		};
	}
	if (kind === 'read') {
		const mid = String((event.read as IDataObject).mid ?? '');
		return {
			...base,
			event: 'status',
			eventId: `${key}:read:${senderId}:${mid || event.timestamp}`,
			messageId: mid || null,
			status: 'read',
			messageIds: mid ? [mid] : [],
		};
	}
	return {
		...base,
		event: 'other',
		eventId: `${key}:other:${senderId}:${event.timestamp ?? ''}:${Object.keys(event).sort().join(',')}`,
		messageId: null,
	};
}

/** A message (or the echo of the account's own): text, files, links, quick reply, reply-to. */
function messageItem(base: Base, key: string, event: InstagramEvent): ChannelMessage {
	const message = event.message as IDataObject;
	const mid = String(message.mid ?? '');
	const list = (Array.isArray(message.attachments) ? message.attachments : []) as IDataObject[];
	const result: ChannelMessage = {
		...base,
		event: 'message',
		eventId: `${key}:${mid}`,
		messageId: mid,
		text: typeof message.text === 'string' ? message.text : '',
		attachments: list.map((attachment) => attachmentOf(attachment)),
	};
	const quick = (message.quick_reply as IDataObject | undefined)?.payload;
	if (typeof quick === 'string') result.callbackData = quick;
	const replyTo = (message.reply_to as IDataObject | undefined)?.mid;
	if (typeof replyTo === 'string') result.replyToMessageId = replyTo;
	return result;
}

/** message_reactions: `react` with the emoji, `unreact` with none. */
function reactionItem(base: Base, key: string, event: InstagramEvent): ChannelMessage {
	const reaction = event.reaction as IDataObject;
	const mid = String(reaction.mid ?? '');
	const action = String(reaction.action ?? 'react');
	const emoji =
		action === 'unreact'
			? ''
			: typeof reaction.emoji === 'string'
				? reaction.emoji
				: String(reaction.reaction ?? '');
	return {
		...base,
		event: 'reaction',
		eventId: `${key}:${mid}:${action}:${base.sender.id}:${event.timestamp ?? ''}`,
		messageId: mid,
		text: emoji,
	};
}
