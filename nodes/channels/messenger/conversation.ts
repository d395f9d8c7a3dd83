/** How Facebook Messenger conversations meet TeamSpirit (nodes/conversations/). */
import { markdownToPlain, plainToMarkdown } from './format';
import type { ConversationRules } from '../types';
import { credentialsOf } from './transport';

interface Attachment {
	type?: string;
	title?: string;
	payload?: { coordinates?: { lat?: number; long?: number } };
}

export const messengerConversation: ConversationRules = {
	// Messenger has no formatting: the customer's text is shown as typed.
	toMarkdown: (message) => plainToMarkdown(message.text ?? '', { quietMentions: true }),
	describe(message) {
		const raw = (message.raw ?? {}) as { message?: { attachments?: Attachment[] } };
		const attachments = Array.isArray(raw.message?.attachments) ? raw.message.attachments : [];
		return attachments
			.filter((a) => a?.type === 'location' && typeof a.payload?.coordinates?.lat === 'number')
			.map((a) => {
				const { lat, long } = a.payload!.coordinates!;
				const map = `https://www.openstreetmap.org/?mlat=${lat}&mlon=${long}#map=17/${lat}/${long}`;
				return a.title
					? { label: '📍', values: [a.title], link: map }
					: { label: '📍 Location', values: [], link: map };
			});
	},
	fromMarkdown: (markdown) => ({ text: markdownToPlain(markdown), format: 'plain' }),
	files: 'upload',
	account: async (ctx, itemIndex) => (await credentialsOf(ctx, itemIndex)).pageId || undefined,
	keyPart: (conversationId) => conversationId,
	// a page talks with one person per conversation
	groups: false,
};
