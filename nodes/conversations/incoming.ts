/**
 * What a customer's message becomes in TeamSpirit (docs/conversations.md): which conversations
 * are forwarded at all, the conversation chat's title, and the message's markdown. Every string
 * the customer controls goes through ./untrusted.ts here, once: names and titles cleaned, inserted
 * fields shown literally.
 */
import type {
	ChannelAdapter,
	ChannelAttachment,
	ChannelMessage,
	ConversationNote,
} from '../channels/types';
import { cleanName, fieldMarkdown } from './untrusted';

/** What the bridge does with a group conversation (Forward to TeamSpirit's *Group Chats*). */
export type GroupChats = 'ignore' | 'bridge';

/** The message comes from a conversation of several people (a group, a broadcast channel). */
export function isGroup(adapter: ChannelAdapter, message: ChannelMessage): boolean {
	return (
		adapter.conversation.groups &&
		typeof message.conversationType === 'string' &&
		message.conversationType !== 'private'
	);
}

/** Why the message is not forwarded (a group chat the workflow does not bridge), or undefined. */
export function groupRefusal(
	adapter: ChannelAdapter,
	message: ChannelMessage,
	groupChats: GroupChats,
): string | undefined {
	if (groupChats === 'bridge' || !isGroup(adapter, message)) return undefined;
	return (
		`a ${adapter.displayName} ${String(message.conversationType)} chat: only private chats are ` +
		'forwarded (set the option Group Chats to Bridge to forward groups)'
	);
}

/** Who wrote, cleaned: their name, @username or phone number, else `fallback`. */
function senderName(message: ChannelMessage, fallback: string): string {
	const sender = message.sender ?? ({} as ChannelMessage['sender']);
	const username = cleanName(sender.username);
	return (
		cleanName(sender.name) ||
		(username ? `@${username}` : '') ||
		cleanName(sender.phone) ||
		fallback
	);
}

/**
 * The name a conversation chat is titled and announced with: the customer's, or for a group the
 * group's title (not whoever wrote first).
 */
export function conversationName(
	adapter: ChannelAdapter,
	message: ChannelMessage,
	fallback: string,
): string {
	if (!isGroup(adapter, message)) return senderName(message, fallback);
	return cleanName(message.conversationTitle) || `Group ${fallback}`;
}

/** A note (location, contact card) as one markdown line: the customer's values literal. */
function noteMarkdown(note: ConversationNote): string {
	const values = note.values.map((value) => fieldMarkdown(value)).filter(Boolean);
	const text = values.length ? `${note.label} ${values.join(', ')}` : note.label;
	return note.link ? `${text}: ${note.link}` : text;
}

/** The lines the operator reads for attachments that did not come as files. */
function attachmentLines(attachments: ChannelAttachment[]): string[] {
	return attachments
		.filter((a) => !a.binaryProperty && a.notice)
		.map((a) => {
			const name = a.fileName ? fieldMarkdown(a.fileName) : '';
			return `(${a.type}${name ? ` "${name}"` : ''} not shown: ${fieldMarkdown(a.notice)})`;
		});
}

/**
 * A customer's message as TeamSpirit markdown: in a group, who wrote it first (in bold), then
 * the text with the channel's formatting, then a line per note and per file not shown.
 */
export function customerMarkdown(adapter: ChannelAdapter, message: ChannelMessage): string {
	const lines = [
		adapter.conversation.toMarkdown(message),
		...adapter.conversation.describe(message).map(noteMarkdown),
		...attachmentLines(message.attachments ?? []),
	].filter((line) => line.trim());
	if (isGroup(adapter, message)) {
		const name = senderName(message, cleanName(message.sender?.id) || 'Someone');
		lines.unshift(`**${fieldMarkdown(name)}:**`);
	}
	return lines.join('\n');
}
