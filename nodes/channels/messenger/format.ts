/**
 * Messenger shows plain text: a customer's text is plain (as TeamSpirit markdown it shows
 * verbatim), and an operator's TeamSpirit markdown is rendered as what it means, without syntax
 * (../meta/format.ts, shared with Instagram).
 */
import { markdownToMetaPlain } from '../meta/format';

export { plainToMarkdown } from '../../shared/markdown';

/** What an operator meant, without syntax (Messenger): links as `text (url)`, quotes as `> `. */
export function markdownToPlain(markdown: string): string {
	return markdownToMetaPlain(markdown);
}
