import type { ChannelAdapter } from '../types';
import { telegramConversation } from './conversation';
import { telegramActions } from './actions';
import { telegramTrigger } from './trigger';
import { telegramTriggerProperties } from './triggerProperties';
import { TELEGRAM_CREDENTIAL, TELEGRAM_LIMITS } from './transport';

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
	conversationId: {
		normalize: (value) =>
			/^-?\d{1,20}$/.test(value) || /^@[A-Za-z][A-Za-z0-9_]{3,}$/.test(value) ? value : undefined,
		description:
			'A Telegram conversation ID is a number (negative for groups and channels) or @channelusername.',
	},
	messageId: { pattern: /^\d+$/, description: 'A Telegram message ID is a positive number.' },
	triggerProperties: telegramTriggerProperties,
	unavailable: {
		sendTemplate:
			'Telegram bots may write to a user any time after the user wrote first: use "Send Text".',
	},
};
