/** Which deliveries start the workflow: the node's filters, as pure functions. */
import type { IDataObject } from 'n8n-workflow';

import type { Delivery } from './delivery';
import { mentions } from '../../shared/teamspirit/utils';
import { conversationChanges, conversationOfUpdate, type ConversationChange } from './conversation';

export interface FilterSettings {
	events: string[];
	/** Empty: every chat. */
	chatIds: string[];
	ignoreOwnMessages: boolean;
	onlyMentions: boolean;
	/**
	 * Only message events in customer-conversation chats of these channels (chats whose
	 * `externalKey` is `<channel>:…`, docs/conversations.md). Empty: every chat.
	 */
	conversationChannels?: string[];
	/** Conversation Changed (`chat.updated`): only these kinds of change. Empty: every kind. */
	conversationChanges?: string[];
}

export interface BotIdentity {
	id: string;
	username: string;
}

export const isMessageEvent = (event: string): boolean => event.startsWith('message.');

/** Events whose delivery carries the chat (`data.chat`: id, title, externalKey, metadata, version). */
const carriesChat = (event: string): boolean => isMessageEvent(event) || event === 'chat.typing';

/** The changes of a Conversation Changed delivery that the node's settings choose. */
export function chosenChanges(delivery: Delivery, settings: FilterSettings): ConversationChange[] {
	const kinds = settings.conversationChanges ?? [];
	return conversationChanges(delivery.data).filter(
		(change) => kinds.length === 0 || kinds.includes(change),
	);
}

/**
 * Why a `chat.updated` delivery starts nothing: Conversation Changed is about conversations only,
 * chats whose key the bridge signed with `secret` (the channel is the signed key's).
 */
function whyConversationIgnored(
	delivery: Delivery,
	settings: FilterSettings,
	secret: string,
): string | undefined {
	const chat = delivery.chatId ?? '';
	const conversation = conversationOfUpdate(delivery.data, secret);
	if (!conversation) return `chat ${chat} is not a customer conversation`;
	if (
		settings.conversationChannels?.length &&
		!settings.conversationChannels.includes(conversation.channel)
	)
		return `chat ${chat} is not a conversation of the chosen channels`;
	if (chosenChanges(delivery, settings).length === 0)
		return 'the chat changed in none of the chosen conversation changes';
	return undefined;
}

/** Whether the filters need to know who the bot is for this delivery. */
export function needsBotIdentity(delivery: Delivery, settings: FilterSettings): boolean {
	return isMessageEvent(delivery.event) && (settings.ignoreOwnMessages || settings.onlyMentions);
}

/**
 * Why the delivery starts nothing, or undefined when it should start the workflow.
 * `conversationSecret`: the credential's, for `chat.updated` (none: no chat is a conversation).
 */
export function whyIgnored(
	delivery: Delivery,
	settings: FilterSettings,
	bot?: BotIdentity,
	conversationSecret = '',
): string | undefined {
	if (!settings.events.includes(delivery.event)) return `event ${delivery.event} is not selected`;
	if (
		settings.chatIds.length > 0 &&
		delivery.chatId !== undefined &&
		!settings.chatIds.includes(delivery.chatId)
	) {
		return `chat ${delivery.chatId} is not selected`;
	}
	if (delivery.event === 'chat.updated')
		return whyConversationIgnored(delivery, settings, conversationSecret);
	const message: IDataObject = delivery.data;
	if (settings.conversationChannels?.length && carriesChat(delivery.event)) {
		const key = (message.chat as IDataObject | undefined)?.externalKey;
		const channel = typeof key === 'string' ? key.split(':')[0] : undefined;
		if (!channel || !settings.conversationChannels.includes(channel))
			return `chat ${delivery.chatId ?? ''} is not a conversation of the chosen channels`;
	}
	if (!isMessageEvent(delivery.event) || !bot) return undefined;
	if (settings.ignoreOwnMessages && message.senderId === bot.id)
		return 'the message is from the bot itself';
	if (settings.onlyMentions && !mentions(message.text, bot.username))
		return 'the message does not mention the bot';
	return undefined;
}
