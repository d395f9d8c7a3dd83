/** How WhatsApp (Cloud API) conversations meet TeamSpirit (nodes/conversations/). */
import { locationNote } from '../location';
import type { ConversationNote, ConversationRules } from '../types';
import { cloudTextToMarkdown, markdownToCloudText } from './format';

export const whatsappCloudConversation: ConversationRules = {
	toMarkdown: (message) => cloudTextToMarkdown(message.text ?? '', { quietMentions: true }),
	describe(message) {
		const notes: ConversationNote[] = [];
		if (message.location) notes.push(locationNote(message.location));
		const contact = message.contact;
		if (contact) notes.push({ label: '👤 Contact:', values: [contact.name, contact.phone ?? ''] });
		if (message.attachments.some((attachment) => attachment.type === 'other'))
			notes.push({
				label: '⚠️ A message WhatsApp does not show to businesses (unsupported type)',
				values: [],
			});
		return notes;
	},
	fromMarkdown: (markdown) => ({ text: markdownToCloudText(markdown), format: 'plain' }),
	// the node uploads an operator's file to /{phone-number-id}/media, streamed
	files: 'upload',
	// one app subscription serves every number: a reply goes out from the number the customer wrote to
	account: async () => undefined,
	keyPart: (conversationId) => conversationId.replace(/^\+/, ''),
	// WhatsApp Cloud API: one customer per conversation
	groups: false,
};
