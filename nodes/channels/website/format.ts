/**
 * The website widget shows plain text both ways: a visitor's text is plain (as TeamSpirit markdown
 * it shows verbatim), and an operator's TeamSpirit markdown is written as what it means, without
 * syntax (the tree of nodes/shared/markdown): links as `text (url)` (the widget makes http and
 * https addresses clickable), quotes as `> `.
 */
import { plainOf, quoted, readMarkdown } from '../../shared/markdown';

export { plainToMarkdown } from '../../shared/markdown';

/** An operator's TeamSpirit markdown as the plain text the widget shows. */
export function markdownToPlain(markdown: string): string {
	return readMarkdown(markdown)
		.map((node) => (node.type === 'quote' ? quoted(plainOf(node.children)) : plainOf([node])))
		.join('');
}
