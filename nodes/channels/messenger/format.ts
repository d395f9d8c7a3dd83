/**
 * Messenger shows plain text: an operator's TeamSpirit markdown (nodes/shared/markdown.ts) as what
 * it means, without syntax.
 */
import { blocksOf, inlinePlain, quoted } from '../../shared/markdown';

/** A Messenger text is plain: as markdown it shows verbatim. */
export { plainToMarkdown } from '../../shared/markdown';

/** What an operator meant, without syntax (Messenger): links as `text (url)`, quotes as `> `. */
export function markdownToPlain(markdown: string): string {
	return blocksOf(markdown)
		.map((block) => {
			if (block.type === 'pre') return block.text;
			const text = inlinePlain(block.children);
			return block.type === 'quote' ? quoted(text) : text;
		})
		.join('\n');
}
