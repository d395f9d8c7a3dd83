import type { ChannelAdapter } from '../types';
import { telegramConversation } from './conversation';
import { telegramActions } from './actions';
import { telegramTrigger } from './trigger';
import { telegramTriggerProperties } from './triggerProperties';
import { TELEGRAM_CREDENTIAL, TELEGRAM_LIMITS } from './transport';
import { telegramWaitPrompt } from './waiting';

export const telegram: ChannelAdapter = {
	name: 'telegram',
	displayName: 'Telegram',
	description: 'A Telegram bot (Bot API)',
	credentialType: TELEGRAM_CREDENTIAL,
	actions: telegramActions,
	conversation: telegramConversation,
	trigger: telegramTrigger,
	maxTextLength: TELEGRAM_LIMITS.maxTextLength,
	maxCaptionLength: TELEGRAM_LIMITS.maxCaptionLength,
	redelivery: 'webhook and long polling',
	textFormats: {
		html: '<b>, <i>, <a href>, <code>, <pre>, … Long texts are split without breaking tags',
		markdownV2:
			'*bold*, _italic_, `code`, [link](URL); every other special character (. - ! ( …) is ' +
			'escaped, so data from earlier nodes cannot break the message.',
		markdownV2Raw: "Telegram's MarkdownV2, sent unchanged: you escape reserved characters yourself",
		plain: 'Shown exactly as written',
	},
	buttons:
		'Rows of buttons under the message (an inline keyboard). A button with callback data starts ' +
		'the Chat Channel Trigger with event "callback"; one with a URL opens the link.',
	conversationId: {
		normalize: (value) =>
			/^-?\d{1,20}$/.test(value) || /^@[A-Za-z][A-Za-z0-9_]{3,}$/.test(value) ? value : undefined,
		description:
			'A Telegram conversation ID is a number (negative for groups and channels) or @channelusername.',
	},
	messageId: {
		pattern: /^\d+$/,
		description: 'A Telegram message ID is a positive number.',
		growing: true,
	},
	triggerProperties: telegramTriggerProperties,
	waitPrompt: telegramWaitPrompt,
	unavailable: {
		sendTemplate:
			'Telegram bots may write to a user any time after the user wrote first: use "Send Text".',
	},
};
