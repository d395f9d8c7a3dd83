import type { ChannelAdapter } from '../types';
import { telegramActions } from './actions';
import { telegramTrigger } from './trigger';
import { TELEGRAM_CREDENTIAL, TELEGRAM_LIMITS } from './transport';

export const telegram: ChannelAdapter = {
	name: 'telegram',
	displayName: 'Telegram',
	credentialType: TELEGRAM_CREDENTIAL,
	actions: telegramActions,
	trigger: telegramTrigger,
	maxTextLength: TELEGRAM_LIMITS.maxTextLength,
	maxCaptionLength: TELEGRAM_LIMITS.maxCaptionLength,
	unavailable: {
		sendTemplate: 'Telegram bots may write to a user any time after the user wrote first: use "Send Text".',
	},
};
