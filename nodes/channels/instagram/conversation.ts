/**
 * How Instagram Direct conversations meet TeamSpirit (nodes/conversations/): plain text both ways,
 * files uploaded, and what is neither text nor file (a story reply's story, a story mention, a
 * shared post or reel) as a line with its link.
 */
import type { ConversationNote, ConversationRules } from '../types';
import { instagramToMarkdown, markdownToInstagram } from './format';
import { linksOf } from './normalize';
import { credentialsOf } from './transport';

/** Meta's and Instagram's own hosts: their links are shown as links, others literally. */
function isInstagramLink(url: string): boolean {
	try {
		const { protocol, hostname } = new URL(url);
		return (
			protocol === 'https:' &&
			/(^|\.)(fbcdn\.net|fbsbx\.com|cdninstagram\.com|instagram\.com)$/i.test(hostname) &&
			!/\s/.test(url)
		);
	} catch {
		return false;
	}
}

export const instagramConversation: ConversationRules = {
	toMarkdown: (message) => instagramToMarkdown(message.text ?? ''),
	describe: (message) =>
		linksOf(message.raw ?? {}).map(({ label, url }): ConversationNote =>
			isInstagramLink(url)
				? { label, values: [], link: url }
				: { label: `${label}:`, values: [url] },
		),
	fromMarkdown: (markdown) => ({ text: markdownToInstagram(markdown), format: 'plain' }),
	files: 'upload',
	account: async (ctx, itemIndex) =>
		(await credentialsOf(ctx, itemIndex)).instagramAccountId || undefined,
	keyPart: (conversationId) => conversationId,
	// an Instagram account talks with one person per conversation
	groups: false,
};
