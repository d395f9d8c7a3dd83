import type { ChannelAdapter } from '../types';
import { websiteActions } from './actions';
import { websiteConversation } from './conversation';
import { isVisitorId } from './transcript';
import { WEBSITE_CREDENTIAL, WEBSITE_LIMITS } from './transport';
import { websiteTrigger } from './trigger';
import { websiteTriggerProperties } from './triggerProperties';

/**
 * A chat on the company's website, answered from TeamSpirit. TeamSpirit is the channel's only
 * storage: each visitor's messages are a transcript chat of the Website Chat credential's bot
 * (./transcript.ts); what the adapter sends is posted there and the widget reads it from there.
 */
export const website: ChannelAdapter = {
	name: 'website',
	displayName: 'Website Chat',
	description: 'A chat widget on your own website (one script tag), stored in TeamSpirit',
	credentialType: WEBSITE_CREDENTIAL,
	actions: websiteActions,
	conversation: websiteConversation,
	trigger: websiteTrigger,
	triggerProperties: websiteTriggerProperties,
	maxTextLength: WEBSITE_LIMITS.maxTextLength,
	maxCaptionLength: WEBSITE_LIMITS.maxCaptionLength,
	conversationId: {
		normalize: (value) => (isVisitorId(value.trim()) ? value.trim() : undefined),
		description:
			"A Website Chat conversation ID is the visitor's ID: v_ and 22 letters, digits, - or _ " +
			'(conversationId of a trigger item).',
	},
	messageId: {
		pattern: /^m_[\w-]+$/,
		description:
			'A Website Chat message ID starts with m_ (messageId of a send or a trigger item).',
	},
	unavailable: {
		sendReaction: 'The website widget shows no reactions: send a text.',
		sendTemplate: 'The website widget has no templates: use "Send Text".',
		answerCallback: 'The website widget has no buttons: links in the text open in the browser.',
	},
};
