/**
 * Writing TeamSpirit markdown (docs/teamspirit-api.md) from the tree (./tree.ts): a customer's
 * message with its channel's formatting. Every character markdown would read as syntax is escaped
 * (the operator sees exactly what the customer typed) and the formatting added as markdown. The
 * result is read back (./read.ts) and compared with what was meant: when the markdown would read
 * differently (a marker next to punctuation inside a word, overlapping styles), formatting is
 * given up step by step, never the text. Never throws, whatever the input.
 */
import { graphemeBoundaries } from '../graphemes';
import { charAt, charBefore, isPunctuation, isSpace } from './chars';
import { readMarkdown } from './read';
import {
	cloneStyles,
	EMPHASES,
	keyAt,
	stretches,
	styledText,
	wholeClustersAndLines,
	type Emphasis,
	type Styles,
} from './styled';
import type { MarkdownNode } from './tree';

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
	const out = wholeClustersAndLines(text, st);
	const bounds = graphemeBoundaries(text);
	// a code span has one style; code in a link next to code outside it is two spans
	for (const [a, b] of stretches(n, (k) => out.code[k])) {
		let start = a;
		for (let k = a + 1; k < b; k++) {
			if (out.url[k] !== out.url[k - 1]) start = k;
			for (const e of EMPHASES) out[e][k] = out[e][start];
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

/** The text of parsed markdown, each stretch with the key of its style (as `keyAt`). */
function styledRuns(nodes: MarkdownNode[]): Array<[string, string]> {
	const runs: Array<[string, string]> = [];
	const push = (text: string, key: string) => {
		if (!text) return;
		const last = runs[runs.length - 1];
		if (last && last[1] === key) last[0] += text;
		else runs.push([text, key]);
	};
	type Context = { bold: boolean; italic: boolean; strike: boolean; url?: string };
	const walk = (list: MarkdownNode[], ctx: Context, quote: boolean) => {
		for (const node of list) {
			const key = (code: boolean) =>
				JSON.stringify([ctx.bold, ctx.italic, ctx.strike, code, null, ctx.url ?? null]) +
				(quote ? 'q' : '');
			if (node.type === 'text') push(node.text, key(false));
			else if (node.type === 'code') push(node.text, key(true));
			else if (node.type === 'pre') {
				push(node.text, JSON.stringify([false, false, false, false, node.language, null]));
			} else if (node.type === 'link') walk(node.children, { ...ctx, url: node.url }, quote);
			else if (node.type === 'quote') walk(node.children, ctx, true);
			else walk(node.children, { ...ctx, [node.type]: true }, quote);
		}
	};
	walk(nodes, { bold: false, italic: false, strike: false }, false);
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
function styledToMarkdown(source: string, styles: Styles, options: ToMarkdownOptions = {}): string {
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
		// code that cannot be written (a line of backticks inside it reads as a fence) keeps the links
		[without(st, [...EMPHASES, 'code']), '*'],
	];
	for (const [variant, italic] of attempts) {
		const markdown = write(text, variant, italic);
		if (sameRuns(styledRuns(readMarkdown(markdown)), intendedRuns(text, variant))) {
			return markdown;
		}
	}
	return plainToMarkdown(text);
}

/** Any plain text as markdown that shows it verbatim. */
export function plainToMarkdown(text: string, options: ToMarkdownOptions = {}): string {
	const source = typeof text === 'string' ? text : String(text ?? '');
	return escapedChars(options.quietMentions ? breakMentions(source) : source).join('');
}

/** The tree as TeamSpirit markdown that reads back as it: formatting given up before the text. */
export function writeMarkdown(nodes: MarkdownNode[], options: ToMarkdownOptions = {}): string {
	const { text, styles } = styledText(nodes);
	return styledToMarkdown(text, styles, options);
}
