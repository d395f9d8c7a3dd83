/**
 * TeamSpirit markdown (docs/teamspirit-api.md, `format: "markdown"`): reading it, and writing it
 * from styled text. Shared by every channel's converters (`channels/<name>/format.ts`). Pure
 * functions; none of them throws, whatever the input.
 *
 * TeamSpirit markdown is a CommonMark subset, read here the way CommonMark reads it:
 * - `**bold**`, `*italic*` / `_italic_`, `~~strike~~` (CommonMark's delimiter runs: flanking, the
 *   rule of three, `_` not inside words);
 * - `` `code` `` spans (backtick runs of equal length, one space stripped on both sides) and fenced
 *   code blocks (a line ```` ```lang ````, the code, a line of at least as many backticks);
 * - `[text](url)` (no links inside links), lines starting with `>` (up to 3 spaces before) as a
 *   quote, `\` before any ASCII punctuation shows that character;
 * - everything else is literal text, line breaks included; an unclosed marker or fence is literal.
 *
 * A customer's message becomes markdown by escaping every character markdown would read as syntax
 * (the operator sees exactly what the customer typed) and adding the channel's own formatting as
 * markdown. The result is parsed back and compared with what was meant: when the markdown would
 * read differently (a marker next to punctuation inside a word, overlapping styles), formatting is
 * given up step by step, never the text.
 */
import { graphemeBoundaries } from './graphemes';

// ---------------------------------------------------------------------------
// Reading TeamSpirit markdown
// ---------------------------------------------------------------------------

export type Inline =
	| { type: 'text'; text: string }
	| { type: 'code'; text: string }
	| { type: 'bold' | 'italic' | 'strike'; children: Inline[] }
	| { type: 'link'; url: string; children: Inline[] };

export type Block =
	| { type: 'paragraph'; children: Inline[] }
	| { type: 'quote'; children: Inline[] }
	| { type: 'pre'; language: string; text: string };

const ASCII_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const isAsciiPunctuation = (c: string | undefined) =>
	c !== undefined && c.length === 1 && ASCII_PUNCTUATION.includes(c);
export const isSpace = (c: string | undefined) => c === undefined || /\s/u.test(c);
export const isPunctuation = (c: string | undefined) => c !== undefined && /[\p{P}\p{S}]/u.test(c);

/** The character (code point) ending just before `i`. */
export function charBefore(s: string, i: number): string | undefined {
	if (i <= 0) return undefined;
	const low = s.charCodeAt(i - 1);
	if (i >= 2 && low >= 0xdc00 && low <= 0xdfff) {
		const high = s.charCodeAt(i - 2);
		if (high >= 0xd800 && high <= 0xdbff) return s.slice(i - 2, i);
	}
	return s[i - 1];
}

/** The character (code point) starting at `i`. */
export function charAt(s: string, i: number): string | undefined {
	const code = s.codePointAt(i);
	return code === undefined ? undefined : String.fromCodePoint(code);
}

function runLength(s: string, i: number): number {
	let n = 1;
	while (s[i + n] === s[i]) n++;
	return n;
}

/** A code span opened by the `n` backticks at `i`: ends at a run of exactly `n` backticks. */
function codeSpanAt(s: string, i: number, n: number): { end: number; text: string } | undefined {
	let j = i + n;
	while (j < s.length) {
		if (s[j] !== '`') {
			j++;
			continue;
		}
		const m = runLength(s, j);
		if (m === n) {
			let text = s.slice(i + n, j);
			if (text.length > 1 && text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '') {
				text = text.slice(1, -1);
			}
			return { end: j + n, text };
		}
		j += m;
	}
	return undefined;
}

/** `[text](url)` at `i`: the text (still markdown) and the url (escapes removed). */
function linkAt(s: string, i: number): { end: number; text: string; url: string } | undefined {
	let depth = 0;
	let k = i;
	for (; k < s.length; k++) {
		const c = s[k];
		if (c === '\\' && isAsciiPunctuation(s[k + 1])) {
			k++;
		} else if (c === '`') {
			const n = runLength(s, k);
			k = (codeSpanAt(s, k, n)?.end ?? k + n) - 1;
		} else if (c === '[') {
			depth++;
		} else if (c === ']' && --depth === 0) {
			break;
		}
	}
	if (k >= s.length || s[k + 1] !== '(') return undefined;
	let url = '';
	let parens = 0;
	let j = k + 2;
	for (; j < s.length; j++) {
		const c = s[j];
		if (c === '\\' && isAsciiPunctuation(s[j + 1])) {
			url += s[++j];
			continue;
		}
		if (isSpace(c)) return undefined;
		if (c === '(') parens++;
		else if (c === ')' && parens-- === 0) break;
		url += c;
	}
	if (j >= s.length || !url) return undefined;
	return { end: j + 1, text: s.slice(i + 1, k), url };
}

type Delimiter = {
	kind: 'delim';
	char: string;
	count: number;
	length: number;
	canOpen: boolean;
	canClose: boolean;
};
type Item = { kind: 'node'; node: Inline } | Delimiter;

function parseInline(s: string, links: boolean): Inline[] {
	const items: Item[] = [];
	let text = '';
	const flush = () => {
		if (text) items.push({ kind: 'node', node: { type: 'text', text } });
		text = '';
	};
	let i = 0;
	while (i < s.length) {
		const c = s[i];
		if (c === '\\') {
			const escaped = isAsciiPunctuation(s[i + 1]);
			text += escaped ? s[i + 1] : c;
			i += escaped ? 2 : 1;
			continue;
		}
		if (c === '`') {
			const n = runLength(s, i);
			const span = codeSpanAt(s, i, n);
			if (span) {
				flush();
				items.push({ kind: 'node', node: { type: 'code', text: span.text } });
				i = span.end;
			} else {
				text += s.slice(i, i + n);
				i += n;
			}
			continue;
		}
		if (c === '[' && links) {
			const link = linkAt(s, i);
			if (link) {
				flush();
				const children = parseInline(link.text, false);
				items.push({ kind: 'node', node: { type: 'link', url: link.url, children } });
				i = link.end;
				continue;
			}
		}
		if (c === '*' || c === '_' || c === '~') {
			const n = runLength(s, i);
			const before = charBefore(s, i);
			const after = charAt(s, i + n);
			const left =
				!isSpace(after) && (!isPunctuation(after) || isSpace(before) || isPunctuation(before));
			const right =
				!isSpace(before) && (!isPunctuation(before) || isSpace(after) || isPunctuation(after));
			flush();
			items.push({
				kind: 'delim',
				char: c,
				count: n,
				length: n,
				canOpen: c === '_' ? left && (!right || isPunctuation(before)) : left,
				canClose: c === '_' ? right && (!left || isPunctuation(after)) : right,
			});
			i += n;
			continue;
		}
		text += c;
		i++;
	}
	flush();
	return resolveEmphasis(items);
}

function pairs(opener: Delimiter, closer: Delimiter): boolean {
	if (opener.char !== closer.char || !opener.canOpen || opener.count === 0) return false;
	if (closer.char === '~') return opener.length === 2 && closer.length === 2 && opener.count === 2;
	const sum = opener.length + closer.length;
	const ruleOfThree =
		(opener.canClose || closer.canOpen) &&
		sum % 3 === 0 &&
		!(opener.length % 3 === 0 && closer.length % 3 === 0);
	return !ruleOfThree;
}

const toInlines = (items: Item[]): Inline[] =>
	items.flatMap((item): Inline[] => {
		if (item.kind === 'node') return [item.node];
		return item.count ? [{ type: 'text', text: item.char.repeat(item.count) }] : [];
	});

/** CommonMark's "process emphasis": each closer, left to right, with the nearest opener. */
function resolveEmphasis(items: Item[]): Inline[] {
	let c = 0;
	while (c < items.length) {
		const closer = items[c];
		if (closer.kind !== 'delim' || !closer.canClose || closer.count === 0) {
			c++;
			continue;
		}
		let o = c - 1;
		while (o >= 0) {
			const candidate = items[o];
			if (candidate.kind === 'delim' && pairs(candidate, closer)) break;
			o--;
		}
		if (o < 0) {
			c++;
			continue;
		}
		const opener = items[o] as Delimiter;
		const use = closer.char === '~' ? 2 : opener.count >= 2 && closer.count >= 2 ? 2 : 1;
		const type = closer.char === '~' ? 'strike' : use === 2 ? 'bold' : 'italic';
		const children = toInlines(items.slice(o + 1, c));
		opener.count -= use;
		closer.count -= use;
		items.splice(o + 1, c - o - 1, { kind: 'node', node: { type, children } });
		c = o + 2;
		if (opener.count === 0) {
			items.splice(o, 1);
			c--;
		}
		if (closer.count === 0) items.splice(c, 1);
	}
	return toInlines(items);
}

const FENCE = /^(`{3,})([^`\s]*)[ \t]*$/;
const FENCE_CLOSE = /^(`{3,})[ \t]*$/;
const QUOTE = /^ {0,3}>/;
const QUOTE_PREFIX = /^ {0,3}> ?/;
const BLANK = /^\s*$/;

/** The line closing the fence opened at line `i`, or -1 (not a fence, or never closed). */
function fenceEnd(lines: string[], i: number): number {
	const open = FENCE.exec(lines[i]);
	if (!open) return -1;
	for (let j = i + 1; j < lines.length; j++) {
		const close = FENCE_CLOSE.exec(lines[j]);
		if (close && close[1].length >= open[1].length) return j;
	}
	return -1;
}

/** TeamSpirit markdown as blocks, one line break between two blocks. */
function parseMarkdown(markdown: string): Block[] {
	const lines = markdown.split('\n');
	const blocks: Block[] = [];
	let i = 0;
	while (i < lines.length) {
		const end = fenceEnd(lines, i);
		if (end >= 0) {
			const language = FENCE.exec(lines[i])?.[2] ?? '';
			blocks.push({ type: 'pre', language, text: lines.slice(i + 1, end).join('\n') });
			i = end + 1;
			continue;
		}
		if (QUOTE.test(lines[i])) {
			const quoted: string[] = [];
			while (i < lines.length && QUOTE.test(lines[i])) {
				quoted.push(lines[i].replace(QUOTE_PREFIX, ''));
				i++;
			}
			blocks.push({ type: 'quote', children: parseInline(quoted.join('\n'), true) });
			continue;
		}
		if (BLANK.test(lines[i])) {
			blocks.push({ type: 'paragraph', children: [{ type: 'text', text: lines[i] }] });
			i++;
			continue;
		}
		const paragraph: string[] = [];
		while (
			i < lines.length &&
			!BLANK.test(lines[i]) &&
			!QUOTE.test(lines[i]) &&
			(paragraph.length === 0 || fenceEnd(lines, i) < 0)
		) {
			paragraph.push(lines[i]);
			i++;
		}
		blocks.push({ type: 'paragraph', children: parseInline(paragraph.join('\n'), true) });
	}
	return blocks;
}

/** Parsing never throws on a string; anything else is read as its text. */
export function blocksOf(markdown: unknown): Block[] {
	return parseMarkdown(typeof markdown === 'string' ? markdown : String(markdown ?? ''));
}

// ---------------------------------------------------------------------------
// Writing TeamSpirit markdown from styled text
// ---------------------------------------------------------------------------

/** Per UTF-16 code unit of a text: how it is formatted. */
export interface Styles {
	bold: boolean[];
	italic: boolean[];
	strike: boolean[];
	code: boolean[];
	/** The language ('' for none) of a code block. */
	pre: Array<string | undefined>;
	url: Array<string | undefined>;
}

export type Emphasis = 'bold' | 'italic' | 'strike';
const EMPHASES: Emphasis[] = ['bold', 'italic', 'strike'];

export function emptyStyles(n: number): Styles {
	return {
		bold: new Array<boolean>(n).fill(false),
		italic: new Array<boolean>(n).fill(false),
		strike: new Array<boolean>(n).fill(false),
		code: new Array<boolean>(n).fill(false),
		pre: new Array<string | undefined>(n).fill(undefined),
		url: new Array<string | undefined>(n).fill(undefined),
	};
}

const cloneStyles = (st: Styles): Styles => ({
	bold: [...st.bold],
	italic: [...st.italic],
	strike: [...st.strike],
	code: [...st.code],
	pre: [...st.pre],
	url: [...st.url],
});

const keyAt = (st: Styles, k: number) =>
	JSON.stringify([st.bold[k], st.italic[k], st.strike[k], st.code[k], st.pre[k], st.url[k]]);

const LANGUAGE = /^[A-Za-z0-9_+#.-]*$/;
export const languageOf = (value: unknown) =>
	typeof value === 'string' && LANGUAGE.test(value) ? value : '';
/** A url as a link destination can hold it (no spaces), or undefined. */
export const urlOf = (value: unknown) =>
	typeof value === 'string' && value.trim()
		? value.trim().replace(/\s/gu, (c) => encodeURIComponent(c))
		: undefined;

/** Maximal stretches [start, end) where `on(k)` holds. */
function stretches(n: number, on: (k: number) => boolean): Array<[number, number]> {
	const found: Array<[number, number]> = [];
	let k = 0;
	while (k < n) {
		if (!on(k)) {
			k++;
			continue;
		}
		const start = k;
		while (k < n && on(k)) k++;
		found.push([start, k]);
	}
	return found;
}

/** Characters plain markdown would read as syntax, escaped: the text shows as given. */
function escapedChars(text: string): string[] {
	const out: string[] = [];
	let lineStart = true; // only spaces and tabs since the last line break
	for (const c of text) {
		if ('\\*_~`[]'.includes(c) || (c === '>' && lineStart)) out.push(`\\${c}`);
		else out.push(c);
		if (c.length === 2) out.push('');
		if (c === '\n') lineStart = true;
		else if (c !== ' ' && c !== '\t') lineStart = false;
	}
	return out;
}

/**
 * Styles made writable: a cluster (emoji, flag) styled as a whole, code blocks only on whole lines
 * (else inline code), emphasis not over line breaks nor starting or ending with a space, and not
 * where CommonMark could not read its marker (punctuation inside, a letter outside).
 */
function normalize(text: string, st: Styles): Styles {
	const n = text.length;
	const out = cloneStyles(st);
	const bounds = graphemeBoundaries(text);
	for (let b = 0; b + 1 < bounds.length; b++) {
		for (let k = bounds[b] + 1; k < bounds[b + 1]; k++) {
			for (const e of EMPHASES) out[e][k] = out[e][bounds[b]];
			out.code[k] = out.code[bounds[b]];
			out.pre[k] = out.pre[bounds[b]];
			out.url[k] = out.url[bounds[b]];
		}
	}
	for (const [a, b] of stretches(n, (k) => out.pre[k] !== undefined)) {
		const block = (a === 0 || text[a - 1] === '\n') && (b === n || text[b] === '\n');
		for (let k = a; k < b; k++) {
			if (!block) {
				out.code[k] = true;
				out.pre[k] = undefined;
				continue;
			}
			out.pre[k] = out.pre[a];
			out.code[k] = false;
			out.url[k] = undefined;
			for (const e of EMPHASES) out[e][k] = false;
		}
	}
	for (const [a, b] of stretches(n, (k) => out.code[k])) {
		for (let k = a + 1; k < b; k++) {
			for (const e of EMPHASES) out[e][k] = out[e][a];
			out.url[k] = out.url[a];
		}
	}
	// what markdown shows next to a marker inside the stretch: punctuation (or a backslash)?
	const punctuation = (k: number) => out.code[k] || isPunctuation(charAt(text, k));
	const opensPunctuated = (k: number) =>
		punctuation(k) || (out.url[k] !== undefined && out.url[k] !== out.url[k - 1]);
	const closesPunctuated = (k: number, end: number) =>
		punctuation(k) || (out.url[k] !== undefined && out.url[k] !== out.url[end]);
	for (const e of EMPHASES) {
		for (let k = 0; k < n; k++) if (text[k] === '\n') out[e][k] = false;
		for (const [start, end] of stretches(n, (k) => out[e][k])) {
			let a = start;
			let b = end;
			while (a < b && !out.code[a] && isSpace(text[a])) out[e][a++] = false;
			while (b > a && !out.code[b - 1] && isSpace(text[b - 1])) out[e][--b] = false;
			if (a === b) continue;
			const outside = (c: string | undefined) => !isSpace(c) && !isPunctuation(c);
			const lastStart = bounds[bounds.findIndex((x) => x >= b) - 1] ?? b - 1;
			if (
				(opensPunctuated(a) && outside(charBefore(text, a))) ||
				(closesPunctuated(lastStart, b) && outside(charAt(text, b)))
			) {
				for (let k = a; k < b; k++) out[e][k] = false;
			}
		}
	}
	return out;
}

const MARKERS = { bold: '**', italic: '*', strike: '~~' };

function longestBacktickRun(s: string): number {
	let longest = 0;
	for (const m of s.match(/`+/g) ?? []) longest = Math.max(longest, m.length);
	return longest;
}

function codeSpan(content: string): string {
	if (!content) return '';
	const fence = '`'.repeat(longestBacktickRun(content) + 1);
	const pad =
		content.startsWith('`') ||
		content.endsWith('`') ||
		(content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '')
			? ' '
			: '';
	return fence + pad + content + pad + fence;
}

const escapeUrl = (url: string) => url.replace(/[\\()]/g, (c) => `\\${c}`);

type Open = { kind: Emphasis } | { kind: 'link'; url: string };

/** Markdown for a styled text, markers nested by how far each style goes on. */
function write(text: string, st: Styles, italic: string): string {
	const n = text.length;
	const escaped = escapedChars(text);
	const markers = { ...MARKERS, italic };
	const wanted = (k: number, open: Open) =>
		open.kind === 'link' ? st.url[k] === open.url : st[open.kind][k];
	const reach = (k: number, open: Open) => {
		let end = k;
		while (end < n && wanted(end, open)) end++;
		return end;
	};
	const stack: Open[] = [];
	let out = '';
	const close = (open: Open) =>
		open.kind === 'link' ? `](${escapeUrl(open.url)})` : markers[open.kind];
	const closeFrom = (depth: number) => {
		while (stack.length > depth) out += close(stack.pop() as Open);
	};
	let k = 0;
	while (k < n) {
		const key = keyAt(st, k);
		let end = k + 1;
		while (end < n && keyAt(st, end) === key) end++;
		const piece = text.slice(k, end);
		const pre = st.pre[k];
		if (pre !== undefined) {
			closeFrom(0);
			const fence = '`'.repeat(Math.max(3, longestBacktickRun(piece) + 1));
			out += `${fence}${pre}\n${piece}\n${fence}`;
			k = end;
			continue;
		}
		const keep = stack.findIndex((open) => !wanted(k, open));
		if (keep >= 0) closeFrom(keep);
		const url = st.url[k];
		const opening: Open[] = EMPHASES.filter(
			(e) => st[e][k] && !stack.some((open) => open.kind === e),
		).map((e) => ({ kind: e }));
		if (url !== undefined && !stack.some((open) => open.kind === 'link')) {
			opening.push({ kind: 'link', url });
		}
		opening.sort((x, y) => reach(k, y) - reach(k, x));
		for (const open of opening) {
			out += open.kind === 'link' ? '[' : markers[open.kind];
			stack.push(open);
		}
		out += st.code[k] ? codeSpan(piece) : escaped.slice(k, end).join('');
		k = end;
	}
	closeFrom(0);
	return out;
}

/** The text of parsed markdown, each stretch with the key of its style (as `keyAt`). */
function styledRuns(blocks: Block[]): Array<[string, string]> {
	const runs: Array<[string, string]> = [];
	const push = (text: string, key: string) => {
		if (!text) return;
		const last = runs[runs.length - 1];
		if (last && last[1] === key) last[0] += text;
		else runs.push([text, key]);
	};
	type Context = { bold: boolean; italic: boolean; strike: boolean; url?: string };
	const walk = (nodes: Inline[], ctx: Context, quote: boolean) => {
		for (const node of nodes) {
			const key = (code: boolean) =>
				JSON.stringify([ctx.bold, ctx.italic, ctx.strike, code, null, ctx.url ?? null]) +
				(quote ? 'q' : '');
			if (node.type === 'text') push(node.text, key(false));
			else if (node.type === 'code') push(node.text, key(true));
			else if (node.type === 'link') walk(node.children, { ...ctx, url: node.url }, quote);
			else walk(node.children, { ...ctx, [node.type]: true }, quote);
		}
	};
	const none = { bold: false, italic: false, strike: false };
	blocks.forEach((block, index) => {
		if (index > 0) push('\n', keyAt(emptyStyles(1), 0));
		if (block.type === 'pre') {
			push(block.text, JSON.stringify([false, false, false, false, block.language, null]));
		} else walk(block.children, none, block.type === 'quote');
	});
	return runs;
}

function intendedRuns(text: string, st: Styles): Array<[string, string]> {
	const runs: Array<[string, string]> = [];
	for (let k = 0; k < text.length; k++) {
		const key = keyAt(st, k);
		const last = runs[runs.length - 1];
		if (last && last[1] === key) last[0] += text[k];
		else runs.push([text[k], key]);
	}
	return runs;
}

const sameRuns = (a: Array<[string, string]>, b: Array<[string, string]>) =>
	a.length === b.length && a.every((run, k) => run[0] === b[k][0] && run[1] === b[k][1]);

function without(st: Styles, drop: Array<Emphasis | 'code' | 'url'>): Styles {
	const out = cloneStyles(st);
	for (const what of drop) {
		if (what === 'url') out.url.fill(undefined);
		else out[what].fill(false);
	}
	if (drop.includes('code')) out.pre.fill(undefined);
	return out;
}

/** The word joiner put after an `@` TeamSpirit would read as the start of a mention. */
export const MENTION_BREAK = '\u2060';

/**
 * An `@` TeamSpirit reads as the start of a mention (docs/teamspirit-api.md, "Mentions"): not
 * after a letter, digit or `_`, and followed by what a username can start with.
 */
const MENTION_START = /(?<![A-Za-z0-9_])@(?=[\p{L}\p{N}_])/gu;

/** `text` with a word joiner after every `@` that would mention someone: it reads the same. */
export function breakMentions(text: string): string {
	return text.replace(MENTION_START, `@${MENTION_BREAK}`);
}

/** A styled text with a word joiner (styled as its `@`) after every `@` that would mention. */
function withMentionBreaks(text: string, st: Styles): [string, Styles] {
	const at = new Set([...text.matchAll(MENTION_START)].map((m) => m.index));
	if (!at.size) return [text, st];
	let out = '';
	const indexes: number[] = [];
	for (let k = 0; k < text.length; k++) {
		out += text[k];
		indexes.push(k);
		if (at.has(k)) {
			out += MENTION_BREAK;
			indexes.push(k);
		}
	}
	const pick = <T>(values: T[]) => indexes.map((k) => values[k]);
	return [
		out,
		{
			bold: pick(st.bold),
			italic: pick(st.italic),
			strike: pick(st.strike),
			code: pick(st.code),
			pre: pick(st.pre),
			url: pick(st.url),
		},
	];
}

/**
 * A link's address is part of the message text too: an `@` there that would mention someone is
 * written `%40` (`https://example.com/@anna` → `https://example.com/%40anna`), which web servers
 * read the same in a path.
 */
function withQuietUrls(st: Styles): Styles {
	return {
		...st,
		url: st.url.map((url) => (url === undefined ? url : url.replace(MENTION_START, '%40'))),
	};
}

/** How a channel's text becomes TeamSpirit markdown. */
export interface ToMarkdownOptions {
	/**
	 * A word joiner after every `@` TeamSpirit would read as a mention: the text shows the same
	 * and mentions no one (a customer cannot notify employees by their username).
	 */
	quietMentions?: boolean;
}

/** Markdown for a styled text that reads back as that text: formatting given up before the text. */
export function styledToMarkdown(
	source: string,
	styles: Styles,
	options: ToMarkdownOptions = {},
): string {
	const [text, styled] = options.quietMentions
		? withMentionBreaks(source, withQuietUrls(styles))
		: [source, styles];
	const st = normalize(text, styled);
	const attempts: Array<[Styles, string]> = [
		[st, '*'],
		[st, '_'],
		[without(st, ['italic']), '*'],
		[without(st, ['italic', 'strike']), '*'],
		[without(st, EMPHASES), '*'],
		[without(st, [...EMPHASES, 'url']), '*'],
	];
	for (const [variant, italic] of attempts) {
		const markdown = write(text, variant, italic);
		if (sameRuns(styledRuns(parseMarkdown(markdown)), intendedRuns(text, variant))) {
			return markdown;
		}
	}
	return plainToMarkdown(text);
}

// ---------------------------------------------------------------------------
// Channel → TeamSpirit
// ---------------------------------------------------------------------------

/** Any plain text as markdown that shows it verbatim. */
export function plainToMarkdown(text: string, options: ToMarkdownOptions = {}): string {
	const source = typeof text === 'string' ? text : String(text ?? '');
	return escapedChars(options.quietMentions ? breakMentions(source) : source).join('');
}

// ---------------------------------------------------------------------------
// TeamSpirit → channel
// ---------------------------------------------------------------------------

export const linkText = (text: string, url: string) =>
	!text || text === url ? url : `${text} (${url})`;

export function inlinePlain(nodes: Inline[]): string {
	return nodes
		.map((node) => {
			if (node.type === 'text' || node.type === 'code') return node.text;
			if (node.type === 'link') return linkText(inlinePlain(node.children), node.url);
			return inlinePlain(node.children);
		})
		.join('');
}

export const quoted = (text: string) =>
	text
		.split('\n')
		.map((line) => (line ? `> ${line}` : '>'))
		.join('\n');
