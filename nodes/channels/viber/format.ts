/**
 * Viber shows a bot's text as written: a customer's text is plain (as TeamSpirit markdown it
 * shows verbatim), and an operator's TeamSpirit markdown is rendered from the tree
 * (nodes/shared/markdown) as what it means, without syntax.
 */
import { plainOf, quoted, readMarkdown, type MarkdownNode } from '../../shared/markdown';

export { plainToMarkdown } from '../../shared/markdown';

function renderPlain(nodes: MarkdownNode[]): string {
	return nodes
		.map((node) => (node.type === 'quote' ? quoted(plainOf(node.children)) : plainOf([node])))
		.join('');
}

/** What an operator meant, without syntax (Viber): links as `text (url)`, quotes as `> `. */
export function markdownToPlain(markdown: string): string {
	return renderPlain(readMarkdown(markdown));
}
