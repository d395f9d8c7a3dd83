import type { ChannelAdapter } from '../types';
import { instagramActions, instagramSendProperties } from './actions';
import { instagramConversation } from './conversation';
import { INSTAGRAM_CREDENTIAL, INSTAGRAM_LIMITS } from './transport';
import { instagramTrigger, instagramTriggerProperties } from './trigger';
import { instagramWaitPrompt } from './waiting';

export const instagram: ChannelAdapter = {
	name: 'instagram',
	displayName: 'Instagram Direct',
	description: 'An Instagram professional account through its linked Facebook Page (Graph API)',
	credentialType: INSTAGRAM_CREDENTIAL,
	redelivery: 'Meta for up to 36 hours',
	actions: instagramActions,
	conversation: instagramConversation,
	trigger: instagramTrigger,
	maxTextLength: INSTAGRAM_LIMITS.maxTextLength,
	maxCaptionLength: INSTAGRAM_LIMITS.maxCaptionLength,
	buttons:
		'Quick replies under the (last) message: at most 13, callback data only (no URL). A tap ' +
		'reaches the Chat Channel Trigger with the callback data.',
	conversationId: {
		normalize: (value) => (/^\d{5,25}$/.test(value.trim()) ? value.trim() : undefined),
		description:
			"An Instagram conversation ID is the customer's Instagram-scoped ID (IGSID), a number: conversationId of a trigger item.",
	},
	messageId: {
		pattern: /^[\w.$:=+/-]{10,}$/,
		description: 'An Instagram message ID: message_id of the Send API, mid of the trigger.',
	},
	unavailable: {
		sendReaction: 'Instagram reactions are not sent by this node: send a text.',
		editText: 'Instagram messages cannot be changed after sending; send a new message.',
		deleteMessage: 'The Send API for Instagram cannot take a message back.',
		sendTemplate:
			'Use "Send Text" on this channel (after 24 hours: Messaging Type "Human Agent", within 7 days).',
		answerCallback:
			'Instagram postbacks and quick-reply taps need no answer: reply with Send Text.',
	},
	sendProperties: instagramSendProperties,
	triggerProperties: instagramTriggerProperties,
	waitPrompt: instagramWaitPrompt,
};
