/**
 * The one Markdown model. Every text format the package reads or writes meets in this small syntax
 * tree: TeamSpirit markdown (./read.ts, ./write.ts), Telegram entities, HTML and MarkdownV2
 * (channels/telegram/format.ts), WhatsApp's markup (./whatsapp.ts) and plain text
 * (channels/messenger/format.ts). A reader builds the tree, a renderer writes a format from it.
 *
 * A document is a list of nodes. A line break is a `\n` inside a text (TeamSpirit keeps every
 * line break as it is; docs/teamspirit-api.md). A quote or a code block stands on whole lines
 * where TeamSpirit markdown made it; a reader of a channel's markup may put a code block anywhere
 * its channel does. Mentions are text: TeamSpirit reads `@name` in any text (./write.ts keeps a
 * customer's from mentioning anyone). TeamSpirit has no lists, headings or tables: they are text.
 */

/** Emphasis: TeamSpirit markdown has bold, italic and strike; Telegram also underline and spoiler. */
export type Style = 'bold' | 'italic' | 'underline' | 'strike' | 'spoiler';

export type MarkdownNode =
	| { type: 'text'; text: string }
	| { type: 'code'; text: string }
	| { type: 'pre'; language: string; text: string }
	| { type: Style; children: MarkdownNode[] }
	| { type: 'link'; url: string; children: MarkdownNode[] }
	| { type: 'quote'; children: MarkdownNode[] };

/** A link as text where it cannot be a link: `text (url)`, or the url alone when that is its text. */
export const linkText = (text: string, url: string) =>
	!text || text === url ? url : `${text} (${url})`;

/** What the nodes show without any formatting: a link as `text (url)`, a quote as its lines. */
export function plainOf(nodes: MarkdownNode[]): string {
	return nodes
		.map((node) => {
			if (node.type === 'text' || node.type === 'code' || node.type === 'pre') return node.text;
			if (node.type === 'link') return linkText(plainOf(node.children), node.url);
			return plainOf(node.children);
		})
		.join('');
}

/** Lines shown as a quote in plain text: `> ` before each (`>` alone before an empty one). */
export const quoted = (text: string) =>
	text
		.split('\n')
		.map((line) => (line ? `> ${line}` : '>'))
		.join('\n');
