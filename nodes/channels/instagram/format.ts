/**
 * Instagram shows plain text: a customer's text is plain (as TeamSpirit markdown it shows
 * verbatim), and an operator's TeamSpirit markdown is rendered as what it means, without syntax
 * (../meta/format.ts, as on Messenger).
 */
import { markdownToMetaPlain } from '../meta/format';
import { plainToMarkdown } from '../../shared/markdown';

/** A customer's text as TeamSpirit markdown, shown as typed and mentioning no one. */
export function instagramToMarkdown(text: string): string {
	return plainToMarkdown(text, { quietMentions: true });
}

/** What an operator meant, without syntax: links as `text (url)`, quotes as `> `. */
export function markdownToInstagram(markdown: string): string {
	return markdownToMetaPlain(markdown);
}
