import type { ChannelAdapter } from '../types';
import { whatsappConversation } from './conversation';
import { twilioActions, whatsappAddress, whatsappSendProperties } from './actions';
import { TWILIO_CREDENTIAL, TWILIO_LIMITS } from './transport';
import { twilioTrigger, whatsappTriggerProperties } from './trigger';
import { linksInText } from '../waiting';

export const whatsapp: ChannelAdapter = {
	name: 'whatsapp',
	displayName: 'WhatsApp (Twilio)',
	description: 'A WhatsApp sender on Twilio',
	credentialType: TWILIO_CREDENTIAL,
	actions: twilioActions,
	conversation: whatsappConversation,
	trigger: twilioTrigger,
	maxTextLength: TWILIO_LIMITS.maxTextLength,
	maxCaptionLength: TWILIO_LIMITS.maxCaptionLength,
	redelivery: "with Twilio's retry options in the URL",
	textFormats: {
		html:
			"<b>, <i>, <s>, <code>, <a href> as WhatsApp's *bold*, _italic_, ~strike~, ```mono``` " +
			'and "text (URL)"; other tags are removed',
		plain: 'Sent as written: WhatsApp itself shows *bold*, _italic_, ~strike~ and ```mono```',
	},
	conversationId: {
		normalize: whatsappAddress,
		description:
			"A WhatsApp conversation ID is the customer's number: whatsapp:+<country code><number> (or +E164).",
	},
	messageId: {
		pattern: /^(SM|MM)[0-9a-f]{32}$/i,
		description: 'A Twilio message SID starts with SM or MM.',
	},
	templateId: {
		pattern: /^HX[0-9a-f]{32}$/i,
		description:
			'A Twilio Content SID is HX followed by 32 hexadecimal characters (Content Template Builder → your template).',
	},
	unavailable: {
		sendReaction:
			"Twilio's WhatsApp API sends no reactions: send a text, or use the WhatsApp (Cloud API) channel.",
		editText: 'WhatsApp messages sent through Twilio cannot be changed; send a new message.',
		deleteMessage:
			"WhatsApp messages sent through Twilio cannot be deleted from the customer's phone.",
		sendAction: 'Twilio\'s WhatsApp API has no "typing…" status for this node.',
		answerCallback:
			'WhatsApp button taps arrive as messages (ButtonPayload): answer them with Send Text.',
	},
	sendProperties: whatsappSendProperties,
	triggerProperties: whatsappTriggerProperties,
	// no link buttons outside approved templates: the links are in the text
	waitPrompt: linksInText,
};
