/**
 * Telegram's formats and the Markdown tree (nodes/shared/markdown): a customer's text with its
 * entities read into the tree (and written as TeamSpirit markdown), and the tree rendered as
 * Telegram HTML (parse_mode HTML) and as MarkdownV2. Pure functions; none of them throws.
 */
import {
	emptyStyles,
	languageOf,
	linkText,
	plainOf,
	readMarkdown,
	styledTree,
	urlOf,
	writeMarkdown,
	type MarkdownNode,
	type Style,
	type ToMarkdownOptions,
} from '../../shared/markdown';
import { readEverydayMarkdown } from './everydayMarkdown';

/** A Telegram message entity (Bot API `MessageEntity`): offsets and lengths in UTF-16 code units. */
export type TelegramEntity = {
	type: string;
	offset: number;
	length: number;
	url?: string;
	language?: string;
};

// ---------------------------------------------------------------------------
// Telegram → tree → TeamSpirit markdown
// ---------------------------------------------------------------------------

/** A text with its entities as the tree; underline, spoiler, urls, mentions… stay plain text. */
function entitiesTree(source: string, entities: TelegramEntity[]): MarkdownNode[] {
	const n = source.length;
	const st = emptyStyles(n);
	for (const entity of entities) {
		if (!entity || typeof entity !== 'object') continue;
		const start = Math.floor(Number(entity.offset));
		const stop = start + Math.floor(Number(entity.length));
		if (!Number.isFinite(start) || !Number.isFinite(stop)) continue;
		for (let k = Math.max(0, start); k < Math.min(n, stop); k++) {
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
	return styledTree(source, st);
}

/** A Telegram text (or caption) with its entities as TeamSpirit markdown. */
export function telegramToMarkdown(
	text: string,
	entities: TelegramEntity[] | undefined,
	options: ToMarkdownOptions = {},
): string {
	const source = typeof text === 'string' ? text : String(text ?? '');
	return writeMarkdown(entitiesTree(source, Array.isArray(entities) ? entities : []), options);
}

// ---------------------------------------------------------------------------
// Tree → Telegram
// ---------------------------------------------------------------------------

const LINKABLE = /^(?:https?:\/\/|tg:\/\/|mailto:)\S+$/i;

/** Links Telegram opens stay links; any other link (or one without text) shows `text (url)`. */
function telegramLinks(nodes: MarkdownNode[]): MarkdownNode[] {
	return nodes.map((node): MarkdownNode => {
		if (node.type === 'link') {
			const text = plainOf(node.children);
			if (!text || !LINKABLE.test(node.url)) {
				return { type: 'text', text: linkText(text, node.url) };
			}
		}
		if ('children' in node) return { ...node, children: telegramLinks(node.children) };
		return node;
	});
}

const escapeHtml = (s: string) =>
	s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
const escapeAttribute = (s: string) => escapeHtml(s).replace(/"/g, '&quot;');
const tag = (name: string, inner: string) => (inner ? `<${name}>${inner}</${name}>` : '');

const HTML_TAG: Record<Style | 'quote', string> = {
	bold: 'b',
	italic: 'i',
	underline: 'u',
	strike: 's',
	spoiler: 'tg-spoiler',
	quote: 'blockquote',
};

function renderHtml(nodes: MarkdownNode[]): string {
	return nodes
		.map((node) => {
			switch (node.type) {
				case 'text':
					return escapeHtml(node.text);
				case 'code':
					return tag('code', escapeHtml(node.text));
				case 'pre': {
					if (!node.text) return '';
					const code = escapeHtml(node.text);
					const language = languageOf(node.language);
					return language
						? `<pre><code class="language-${escapeAttribute(language)}">${code}</code></pre>`
						: `<pre>${code}</pre>`;
				}
				case 'link':
					return `<a href="${escapeAttribute(node.url)}">${renderHtml(node.children)}</a>`;
				default:
					return tag(HTML_TAG[node.type], renderHtml(node.children));
			}
		})
		.join('');
}

/** TeamSpirit markdown as Telegram HTML (parse_mode HTML): always well-formed, only its tags. */
export function markdownToTelegramHtml(markdown: string): string {
	return renderHtml(telegramLinks(readMarkdown(markdown)));
}

const RESERVED = /[_*[\]()~`>#+\-=|{}.!\\]/g;

/** Escapes every character MarkdownV2 reserves: the text shows exactly as given. */
export function escapeMarkdownV2(text: string): string {
	return text.replace(RESERVED, (c) => `\\${c}`);
}

const escapeCode = (text: string) => text.replace(/[`\\]/g, (c) => `\\${c}`);
const escapeUrl = (text: string) => text.replace(/[)\\]/g, (c) => `\\${c}`);

const MARKER: Record<Style, string> = {
	bold: '*',
	italic: '_',
	underline: '__',
	strike: '~',
	spoiler: '||',
};

/** Whether `out` ends with a `_` marker (not an escaped `\_`): another `_` next to it needs a `\r`. */
function endsWithUnderscoreMarker(out: string): boolean {
	if (!out.endsWith('_')) return false;
	let slashes = 0;
	while (out[out.length - 2 - slashes] === '\\') slashes++;
	return slashes % 2 === 0;
}

type Scope = { active: ReadonlySet<Style>; link: boolean; quote: boolean };

function renderNodeV2(node: MarkdownNode, scope: Scope): string {
	switch (node.type) {
		case 'text': {
			const text = escapeMarkdownV2(node.text);
			return scope.quote ? text.replace(/\n/g, '\n>') : text;
		}
		case 'code':
			// Telegram has no code inside a link: there it is the link's text
			return scope.link ? escapeMarkdownV2(node.text) : '`' + escapeCode(node.text) + '`';
		case 'pre':
			// always a newline after the language: the first word of the code is never taken as one
			return node.text ? '```' + node.language + '\n' + escapeCode(node.text) + '```' : '';
		case 'link': {
			const inner = renderV2(node.children, { ...scope, link: true });
			return '[' + inner + '](' + escapeUrl(node.url) + ')';
		}
		case 'quote': {
			const inner = renderV2(node.children, { ...scope, quote: true });
			return inner ? '>' + inner : '';
		}
		default: {
			// the same style inside itself would close the outer one: only the outer one is marked
			if (scope.active.has(node.type)) return renderV2(node.children, scope);
			const active = new Set([...scope.active, node.type]);
			const marker = MARKER[node.type];
			return join([marker, renderV2(node.children, { ...scope, active }), marker]);
		}
	}
}

/** Pieces joined; `_` markers that would touch are kept apart by a `\r` (Telegram drops it). */
function join(pieces: string[]): string {
	let out = '';
	for (const piece of pieces) {
		if (piece.startsWith('_') && endsWithUnderscoreMarker(out)) out += '\r';
		out += piece;
	}
	return out;
}

const renderV2 = (nodes: MarkdownNode[], scope: Scope): string =>
	join(nodes.map((node) => renderNodeV2(node, scope)));

/** The tree as MarkdownV2 that Telegram accepts, showing the tree's text. */
function renderMarkdownV2(nodes: MarkdownNode[]): string {
	return renderV2(nodes, { active: new Set(), link: false, quote: false });
}

/** TeamSpirit markdown as Telegram MarkdownV2 (parse_mode MarkdownV2). */
export function markdownToTelegramMarkdownV2(markdown: string): string {
	return renderMarkdownV2(telegramLinks(readMarkdown(markdown)));
}

/**
 * "Markdown (Escaped for You)" (./everydayMarkdown.ts) as MarkdownV2 that Telegram accepts for
 * every input: the formatting kept, everything else shown as typed.
 */
export function toMarkdownV2(input: string): string {
	return renderMarkdownV2(readEverydayMarkdown(input));
}
