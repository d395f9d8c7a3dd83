import type { ChannelAdapter } from '../types';
import { whatsappCloudActions, waIdOf, whatsappCloudSendProperties } from './actions';
import { whatsappCloudConversation } from './conversation';
import { CLOUD_LIMITS, WHATSAPP_CLOUD_CREDENTIAL } from './transport';
import { whatsappCloudTrigger, whatsappCloudTriggerProperties } from './trigger';
import { whatsappCloudWaitPrompt } from './waiting';

export const whatsappcloud: ChannelAdapter = {
	name: 'whatsappcloud',
	displayName: 'WhatsApp (Cloud API)',
	description: "WhatsApp business numbers through Meta's Cloud API (Graph)",
	credentialType: WHATSAPP_CLOUD_CREDENTIAL,
	actions: whatsappCloudActions,
	conversation: whatsappCloudConversation,
	trigger: whatsappCloudTrigger,
	maxTextLength: CLOUD_LIMITS.maxTextLength,
	maxCaptionLength: CLOUD_LIMITS.maxCaptionLength,
	redelivery: 'Meta for up to 7 days',
	textFormats: {
		html:
			"<b>, <i>, <s>, <code>, <a href> as WhatsApp's *bold*, _italic_, ~strike~, ```mono``` " +
			'and "text (URL)"; other tags are removed',
		plain: 'Sent as written: WhatsApp itself shows *bold*, _italic_, ~strike~ and ```mono```',
	},
	buttons:
		'Up to 3 buttons with callback data as reply buttons, up to 10 as a list under "Choose", or ' +
		'one URL button alone as a link button; titles of at most 20 characters (24 in a list). A ' +
		'tap reaches the Chat Channel Trigger as a "callback" event with the callback data.',
	conversationId: {
		normalize: waIdOf,
		description:
			"A WhatsApp (Cloud API) conversation ID is the customer's number with country code, digits only (the wa_id of a trigger item's conversationId).",
	},
	messageId: {
		pattern: /^wamid\.[\w+/=-]+$/,
		description: 'A WhatsApp message ID starts with wamid.',
	},
	templateId: {
		pattern: /^[a-z0-9_]{1,512}:[A-Za-z]{2,3}(_[A-Za-z0-9]{2,4})?$/,
		description:
			'A WhatsApp template is named by its name and language code: name:language, e.g. order_update:en_US (WhatsApp Manager → Message templates).',
	},
	unavailable: {
		editText: 'The WhatsApp Cloud API cannot change a sent message; send a new message.',
		deleteMessage: "The WhatsApp Cloud API cannot delete a sent message from the customer's phone.",
		answerCallback:
			'WhatsApp button and list taps need no answer: reply with Send Text (the tap is a "callback" event).',
	},
	sendProperties: whatsappCloudSendProperties,
	triggerProperties: whatsappCloudTriggerProperties,
	waitPrompt: whatsappCloudWaitPrompt,
};
