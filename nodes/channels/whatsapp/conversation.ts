/** How WhatsApp (Twilio) conversations meet TeamSpirit (nodes/conversations/). */
import { markdownToWhatsApp, whatsappToMarkdown } from './format';
import { locationNote } from '../location';
import type { ConversationRules } from '../types';

export const whatsappConversation: ConversationRules = {
	toMarkdown: (message) => whatsappToMarkdown(message.text ?? '', { quietMentions: true }),
	describe: (message) => (message.location ? [locationNote(message.location)] : []),
	fromMarkdown: (markdown) => ({ text: markdownToWhatsApp(markdown), format: 'plain' }),
	// Twilio fetches media itself from a public URL: a short-lived TeamSpirit file link.
	files: 'link',
	// One Twilio account serves many numbers: a reply goes out from the number the customer wrote to.
	account: async () => undefined,
	keyPart: (conversationId) => conversationId.replace(/^whatsapp:/, ''),
	// WhatsApp through Twilio: one customer per conversation
	groups: false,
};
