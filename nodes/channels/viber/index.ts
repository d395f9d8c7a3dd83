import type { ChannelAdapter } from '../types';
import { viberActions } from './actions';
import { viberConversation } from './conversation';
import { VIBER_CREDENTIAL, VIBER_LIMITS } from './transport';
import { viberTrigger, viberTriggerProperties } from './trigger';
import { viberWaitPrompt } from './waiting';

export const viber: ChannelAdapter = {
	name: 'viber',
	displayName: 'Viber',
	description: 'A Viber bot (REST Bot API)',
	credentialType: VIBER_CREDENTIAL,
	redelivery: 'several times within about an hour',
	actions: viberActions,
	conversation: viberConversation,
	trigger: viberTrigger,
	maxTextLength: VIBER_LIMITS.maxTextLength,
	maxCaptionLength: VIBER_LIMITS.maxCaptionLength,
	buttons:
		'A keyboard under the conversation (up to 24 buttons, 6 per row): a button with callback ' +
		"data sends it as the customer's reply (a message with callbackData), a button with a URL " +
		'opens it.',
	conversationId: {
		normalize: (value) =>
			/^[A-Za-z0-9+/=_-]{8,64}$/.test(value.trim()) ? value.trim() : undefined,
		description:
			"A Viber conversation ID is the customer's user ID for this bot (sender.id of a trigger item, e.g. 01234567890A=).",
	},
	messageId: {
		pattern: /^-?\d{1,20}$/,
		description: "A Viber message ID is the message's message_token, a number of up to 20 digits.",
	},
	unavailable: {
		sendReaction: "Viber's bot API has no reactions: send a text.",
		editText: 'Viber bot messages cannot be changed after sending; send a new message.',
		deleteMessage: "Viber's bot API cannot take a message back.",
		sendAction: 'Viber\'s bot API has no "typing…" status.',
		sendTemplate: 'Viber bots have no templates: use "Send Text".',
		answerCallback:
			"A Viber button tap arrives as the customer's message (callbackData): answer it with Send Text.",
	},
	triggerProperties: viberTriggerProperties,
	waitPrompt: viberWaitPrompt,
};
