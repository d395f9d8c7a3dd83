import type { ChannelAdapter } from '../types';
import { vkActions } from './actions';
import { vkConversation } from './conversation';
import { VK_CREDENTIAL, VK_LIMITS } from './transport';
import { vkTrigger } from './trigger';
import { vkTriggerProperties } from './triggerProperties';
import { vkWaitPrompt } from './waiting';

export const vk: ChannelAdapter = {
	name: 'vk',
	displayName: 'VK',
	description: 'A VK community (group) with a community access token',
	credentialType: VK_CREDENTIAL,
	actions: vkActions,
	conversation: vkConversation,
	trigger: vkTrigger,
	maxTextLength: VK_LIMITS.maxTextLength,
	maxCaptionLength: VK_LIMITS.maxCaptionLength,
	buttons:
		'Rows of buttons under the message (an inline keyboard: at most 10 buttons, 5 in a row). A ' +
		'button with callback data starts the Chat Channel Trigger with event "callback"; one with a ' +
		'URL opens the link.',
	conversationId: {
		normalize: (value) => (/^-?\d{1,12}$/.test(value.trim()) ? value.trim() : undefined),
		description:
			'A VK conversation ID is a peer ID, a number: the user ID for a private dialogue, ' +
			'2000000000 + the chat number for a chat (conversationId of a trigger item).',
	},
	messageId: {
		pattern: /^\d+$/,
		description: 'A VK message ID is a positive number.',
		// the community's message ids count up
		growing: true,
	},
	triggerProperties: vkTriggerProperties,
	waitPrompt: vkWaitPrompt,
	redelivery: 'long polling, and the Callback API a limited number of times',
	unavailable: {
		sendReaction: 'VK reactions are not sent by this node: send a text.',
		sendTemplate: 'VK has no message templates: use "Send Text".',
	},
};
