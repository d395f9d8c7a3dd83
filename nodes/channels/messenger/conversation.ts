/** How Facebook Messenger conversations meet TeamSpirit (nodes/conversations/). */
import { markdownToPlain, plainToMarkdown } from './format';
import { locationNote } from '../location';
import type { ConversationRules } from '../types';
import { credentialsOf } from './transport';

export const messengerConversation: ConversationRules = {
	// Messenger has no formatting: the customer's text is shown as typed.
	toMarkdown: (message) => plainToMarkdown(message.text ?? '', { quietMentions: true }),
	describe: (message) => (message.location ? [locationNote(message.location)] : []),
	fromMarkdown: (markdown) => ({ text: markdownToPlain(markdown), format: 'plain' }),
	files: 'upload',
	account: async (ctx, itemIndex) => (await credentialsOf(ctx, itemIndex)).pageId || undefined,
	keyPart: (conversationId) => conversationId,
	// a page talks with one person per conversation
	groups: false,
};
