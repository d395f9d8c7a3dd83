/**
 * The node texts that name the channels, written from the registry (./index.ts): a new channel's
 * displayName, limits, conversation IDs, templates and redelivery reach every description without
 * an edit of a node file. Each is a sentence part the node puts in its own words.
 */
import { adapters } from './index';
import type { ChannelAdapter } from './types';

const all = (): ChannelAdapter[] => Object.values(adapters);

/** "A", "A or B", "A, B or C". */
function listed(names: string[], conjunction: 'or' | 'and' = 'or'): string {
	if (names.length <= 1) return names.join('');
	return `${names.slice(0, -1).join(', ')} ${conjunction} ${names[names.length - 1]}`;
}

/** The channels' names: "Telegram, WhatsApp (Twilio), Facebook Messenger or Website Chat". */
export const channelNames = (conjunction: 'or' | 'and' = 'or') =>
	listed(
		all().map((adapter) => adapter.displayName),
		conjunction,
	);

/** The names of the channels `which` picks, joined with "and". */
const namesOf = (which: (adapter: ChannelAdapter) => boolean) =>
	listed(
		all()
			.filter(which)
			.map((adapter) => adapter.displayName),
		'and',
	);

/** Per channel, a number of characters: "Telegram: 4096 characters, WhatsApp (Twilio): 1600, …". */
const limits = (limit: (adapter: ChannelAdapter) => number) =>
	all()
		.map((adapter, i) => `${adapter.displayName}: ${limit(adapter)}${i === 0 ? ' characters' : ''}`)
		.join(', ');

/** The most characters of one text message, per channel. */
export const textLimits = () => limits((adapter) => adapter.maxTextLength);

/** The most characters of a file's caption, per channel. */
export const captionLimits = () => limits((adapter) => adapter.maxCaptionLength);

/** How each channel's conversation ID looks, one sentence per channel. */
export const conversationIdRules = () =>
	all()
		.map((adapter) => adapter.conversationId.description)
		.join(' ');

/** The channels with templates ("WhatsApp (Twilio)"). */
export const templateChannels = () => namesOf((adapter) => adapter.templateId !== undefined);

/** How each channel's template ID looks, one sentence per channel with templates. */
export const templateIdRules = () =>
	all()
		.flatMap((adapter) => (adapter.templateId ? [adapter.templateId.description] : []))
		.join(' ');

/** The channels that show buttons under a message. */
export const buttonChannels = () => namesOf((adapter) => adapter.buttons !== undefined);

/** The channels that fetch an operator's file from a link (the bridge's `files: 'link'`). */
export const linkFileChannels = () => namesOf((adapter) => adapter.conversation.files === 'link');

/**
 * When each channel sends a delivery again that was not confirmed: "Telegram: webhook and long
 * polling; …" (the adapters' `redelivery`).
 */
export const redeliveries = () =>
	all()
		.flatMap((adapter) =>
			adapter.redelivery ? [`${adapter.displayName}: ${adapter.redelivery}`] : [],
		)
		.join('; ');
