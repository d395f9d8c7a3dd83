/** How Viber conversations meet TeamSpirit (nodes/conversations/). */
import { locationNote } from '../location';
import type { ConversationNote, ConversationRules } from '../types';
import { markdownToPlain, plainToMarkdown } from './format';
import { accountOf } from './account';

export const viberConversation: ConversationRules = {
	toMarkdown: (message) => plainToMarkdown(message.text ?? '', { quietMentions: true }),
	describe(message) {
		const notes: ConversationNote[] = [];
		if (message.location) notes.push(locationNote(message.location));
		const contact = message.contact;
		if (contact) notes.push({ label: '👤 Contact:', values: [contact.name, contact.phone ?? ''] });
		return notes;
	},
	fromMarkdown: (markdown) => ({ text: markdownToPlain(markdown), format: 'plain' }),
	// Viber takes no uploads: it fetches media from a URL, a short-lived TeamSpirit file link
	files: 'link',
	account: async (ctx, itemIndex) => await accountOf(ctx, itemIndex),
	keyPart: (conversationId) => conversationId,
	// a bot talks with one person per conversation
	groups: false,
};
