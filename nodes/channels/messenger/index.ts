import type { ChannelAdapter } from '../types';
import { messengerConversation } from './conversation';
import { messengerActions, messengerSendProperties } from './actions';
import { MESSENGER_CREDENTIAL, MESSENGER_LIMITS } from './transport';
import { messengerTrigger, messengerTriggerProperties } from './trigger';
import { messengerWaitPrompt } from './waiting';

export const messenger: ChannelAdapter = {
	name: 'messenger',
	displayName: 'Facebook Messenger',
	description: 'A Facebook Page through a Meta app (Graph API)',
	credentialType: MESSENGER_CREDENTIAL,
	actions: messengerActions,
	conversation: messengerConversation,
	trigger: messengerTrigger,
	maxTextLength: MESSENGER_LIMITS.maxTextLength,
	maxCaptionLength: MESSENGER_LIMITS.maxCaptionLength,
	redelivery: 'Meta for up to 36 hours',
	buttons:
		'Quick replies under the (last) message: at most 13, callback data only (no URL). A tap ' +
		'reaches the Chat Channel Trigger with the callback data.',
	conversationId: {
		normalize: (value) => (/^\d{5,25}$/.test(value.trim()) ? value.trim() : undefined),
		description:
			"A Messenger conversation ID is the customer's page-scoped ID (PSID), a number: conversationId of a trigger item.",
	},
	messageId: {
		pattern: /^(m_|mid\.)[\w.$:-]+$/,
		description:
			'A Messenger message ID starts with m_ (message_id of the Send API, mid of the trigger).',
	},
	unavailable: {
		sendReaction: 'Messenger reactions are not sent by this node: send a text.',
		editText: 'Messenger messages cannot be changed after sending; send a new message.',
		deleteMessage: 'The Send API cannot take a message back.',
		sendTemplate:
			'Use "Send Text" on this channel (outside 24 hours: Messaging Type "Message Tag", HUMAN_AGENT).',
		answerCallback:
			'Messenger postbacks and quick-reply taps need no answer: reply with Send Text.',
	},
	sendProperties: messengerSendProperties,
	triggerProperties: messengerTriggerProperties,
	waitPrompt: messengerWaitPrompt,
};
