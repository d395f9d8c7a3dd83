/** How Telegram conversations meet TeamSpirit (nodes/conversations/): formatting, files, bot id. */
import { locationNote } from '../location';
import type { ConversationNote, ConversationRules, TextSpan } from '../types';
import { markdownToTelegramHtml, telegramToMarkdown } from './format';
import type { TelegramEntity } from './format';
import { credentialsOf } from './transport';

/** The channel-neutral spans (./normalize.ts) as the entities the converter reads. */
const entityOf = (span: TextSpan): TelegramEntity => ({
	...span,
	type: span.type === 'link' ? 'text_link' : span.type,
});

export const telegramConversation: ConversationRules = {
	toMarkdown: (message) =>
		telegramToMarkdown(message.text ?? '', (message.formatting ?? []).map(entityOf), {
			quietMentions: true,
		}),
	describe(message) {
		const notes: ConversationNote[] = [];
		if (message.location) notes.push(locationNote(message.location));
		const contact = message.contact;
		if (contact) notes.push({ label: '👤 Contact:', values: [contact.name, contact.phone ?? ''] });
		const emoji = message.attachments?.find((attachment) => attachment.emoji)?.emoji;
		if (emoji) notes.push({ label: 'Sticker', values: [emoji] });
		return notes;
	},
	fromMarkdown: (markdown) => ({ text: markdownToTelegramHtml(markdown), format: 'html' }),
	files: 'upload',
	account: async (ctx, itemIndex) => (await credentialsOf(ctx, itemIndex)).botId,
	keyPart: (conversationId) => conversationId,
	// groups, supergroups and channels: several people in one chat
	groups: true,
};
