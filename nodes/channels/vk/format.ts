/**
 * VK shows community messages as plain text: a customer's text is plain (as TeamSpirit markdown it
 * shows verbatim), and an operator's TeamSpirit markdown is rendered from the tree
 * (nodes/shared/markdown) as what it means, without syntax: links as `text (url)`, quotes as `> `.
 */
import { plainOf, plainToMarkdown, quoted, readMarkdown } from '../../shared/markdown';

/** A customer's VK text as TeamSpirit markdown, shown as typed and mentioning no one. */
export function vkToMarkdown(text: string): string {
	return plainToMarkdown(text, { quietMentions: true });
}

/** What an operator meant, as VK's plain text. */
export function markdownToVk(markdown: string): string {
	return readMarkdown(markdown)
		.map((node) => (node.type === 'quote' ? quoted(plainOf(node.children)) : plainOf([node])))
		.join('');
}
