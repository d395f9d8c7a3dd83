/**
 * Telegram's formatting and TeamSpirit markdown (nodes/shared/markdown.ts): a customer's text with
 * its entities as markdown, and an operator's markdown as Telegram HTML (parse_mode HTML).
 */
import {
	blocksOf,
	emptyStyles,
	inlinePlain,
	languageOf,
	linkText,
	styledToMarkdown,
	urlOf,
	type Inline,
	type ToMarkdownOptions,
} from '../../shared/markdown';

/** A Telegram message entity (Bot API `MessageEntity`): offsets and lengths in UTF-16 code units. */
export type TelegramEntity = {
	type: string;
	offset: number;
	length: number;
	url?: string;
	language?: string;
};

/** A Telegram text (or caption) with its entities as TeamSpirit markdown. */
export function telegramToMarkdown(
	text: string,
	entities: TelegramEntity[] | undefined,
	options: ToMarkdownOptions = {},
): string {
	const source = typeof text === 'string' ? text : String(text ?? '');
	const n = source.length;
	const st = emptyStyles(n);
	for (const entity of Array.isArray(entities) ? entities : []) {
		if (!entity || typeof entity !== 'object') continue;
		const start = Math.floor(Number(entity.offset));
		const stop = start + Math.floor(Number(entity.length));
		if (!Number.isFinite(start) || !Number.isFinite(stop)) continue;
		const offset = Math.max(0, start);
		const end = Math.min(n, stop);
		for (let k = offset; k < end; k++) {
			switch (entity.type) {
				case 'bold':
					st.bold[k] = true;
					break;
				case 'italic':
					st.italic[k] = true;
					break;
				case 'strikethrough':
					st.strike[k] = true;
					break;
				case 'code':
					st.code[k] = true;
					break;
				case 'pre':
					st.pre[k] = languageOf(entity.language);
					break;
				case 'text_link':
					st.url[k] = urlOf(entity.url);
					break;
				default: // underline, spoiler, url, mention, hashtag, …: plain text
			}
		}
	}
	return styledToMarkdown(source, st, options);
}

const escapeHtml = (s: string) =>
	s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
const escapeAttribute = (s: string) => escapeHtml(s).replace(/"/g, '&quot;');
const LINKABLE = /^(?:https?:\/\/|tg:\/\/|mailto:)\S+$/i;
const tag = (name: string, inner: string) => (inner ? `<${name}>${inner}</${name}>` : '');

function inlineHtml(nodes: Inline[]): string {
	return nodes
		.map((node) => {
			switch (node.type) {
				case 'text':
					return escapeHtml(node.text);
				case 'code':
					return tag('code', escapeHtml(node.text));
				case 'bold':
					return tag('b', inlineHtml(node.children));
				case 'italic':
					return tag('i', inlineHtml(node.children));
				case 'strike':
					return tag('s', inlineHtml(node.children));
				case 'link': {
					const inner = inlineHtml(node.children);
					if (inner && LINKABLE.test(node.url)) {
						return `<a href="${escapeAttribute(node.url)}">${inner}</a>`;
					}
					return escapeHtml(linkText(inlinePlain(node.children), node.url));
				}
			}
			return '';
		})
		.join('');
}

/** TeamSpirit markdown as Telegram HTML (parse_mode HTML): always well-formed, only its tags. */
export function markdownToTelegramHtml(markdown: string): string {
	return blocksOf(markdown)
		.map((block) => {
			if (block.type === 'quote') return tag('blockquote', inlineHtml(block.children));
			if (block.type === 'paragraph') return inlineHtml(block.children);
			if (!block.text) return '';
			const code = escapeHtml(block.text);
			const language = languageOf(block.language);
			return language
				? `<pre><code class="language-${escapeAttribute(language)}">${code}</code></pre>`
				: `<pre>${code}</pre>`;
		})
		.join('\n');
}
