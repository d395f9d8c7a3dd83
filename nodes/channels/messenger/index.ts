import type { ChannelAdapter } from '../types';
import { messengerActions, messengerSendProperties } from './actions';
import { MESSENGER_CREDENTIAL, MESSENGER_LIMITS } from './transport';
import { messengerTrigger, messengerTriggerProperties } from './trigger';

export const messenger: ChannelAdapter = {
	name: 'messenger',
	displayName: 'Facebook Messenger',
	credentialType: MESSENGER_CREDENTIAL,
	actions: messengerActions,
	trigger: messengerTrigger,
	maxTextLength: MESSENGER_LIMITS.maxTextLength,
	maxCaptionLength: MESSENGER_LIMITS.maxCaptionLength,
	conversationId: {
		normalize: (value) => (/^\d{5,25}$/.test(value.trim()) ? value.trim() : undefined),
		description: 'A Messenger conversation ID is the customer\'s page-scoped ID (PSID), a number: conversationId of a trigger item.',
	},
	messageId: { pattern: /^(m_|mid\.)[\w.$:-]+$/, description: 'A Messenger message ID starts with m_ (message_id of the Send API, mid of the trigger).' },
	sendProperties: messengerSendProperties,
	triggerProperties: messengerTriggerProperties,
};
