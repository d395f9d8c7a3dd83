/**
 * How website visitors' conversations meet TeamSpirit (nodes/conversations/): plain text both
 * ways, operators' files uploaded into the visitor's transcript, one account per credential (its
 * bot), one visitor per conversation.
 */
import type { ConversationRules } from '../types';
import { markdownToPlain, plainToMarkdown } from './format';
import { botIdOf } from './transport';

export const websiteConversation: ConversationRules = {
	toMarkdown: (message) => plainToMarkdown(message.text ?? '', { quietMentions: true }),
	describe: () => [],
	fromMarkdown: (markdown) => ({ text: markdownToPlain(markdown), format: 'plain' }),
	files: 'upload',
	// the Website Chat credential's bot (GET /me): a conversation of another bot is left alone
	account: async (ctx, itemIndex) => (await botIdOf(ctx, itemIndex)) || undefined,
	keyPart: (conversationId) => conversationId,
	// a visitor talks with the company alone
	groups: false,
};
