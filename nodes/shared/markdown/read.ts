/**
 * Reading TeamSpirit markdown (docs/teamspirit-api.md, `format: "markdown"`) into the tree
 * (./tree.ts). TeamSpirit markdown is a CommonMark subset, read here the way CommonMark reads it:
 * - `**bold**`, `*italic*` / `_italic_`, `~~strike~~` (CommonMark's delimiter runs: flanking, the
 *   rule of three, `_` not inside words);
 * - `` `code` `` spans (backtick runs of equal length, one space stripped on both sides) and fenced
 *   code blocks (a line ```` ```lang ````, the code, a line of at least as many backticks);
 * - `[text](url)` (no links inside links), lines starting with `>` (up to 3 spaces before) as a
 *   quote, `\` before any ASCII punctuation shows that character;
 * - everything else is literal text, line breaks included; an unclosed marker or fence is literal.
 * Never throws, whatever the input.
 */
import { charAt, charBefore, isAsciiPunctuation, isPunctuation, isSpace } from './chars';
import type { MarkdownNode } from './tree';

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
type Item = { kind: 'node'; node: MarkdownNode } | Delimiter;

function parseInline(s: string, links: boolean): MarkdownNode[] {
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

const toInlines = (items: Item[]): MarkdownNode[] =>
	items.flatMap((item): MarkdownNode[] => {
		if (item.kind === 'node') return [item.node];
		return item.count ? [{ type: 'text', text: item.char.repeat(item.count) }] : [];
	});

/** CommonMark's "process emphasis": each closer, left to right, with the nearest opener. */
function resolveEmphasis(items: Item[]): MarkdownNode[] {
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

/** TeamSpirit markdown as blocks (paragraphs, quotes, code blocks), one line break between two. */
function parseMarkdown(markdown: string): MarkdownNode[] {
	const lines = markdown.split('\n');
	const nodes: MarkdownNode[] = [];
	let blocks = 0;
	const block = (...children: MarkdownNode[]) => {
		if (blocks++) nodes.push({ type: 'text', text: '\n' });
		nodes.push(...children);
	};
	let i = 0;
	while (i < lines.length) {
		const end = fenceEnd(lines, i);
		if (end >= 0) {
			const language = FENCE.exec(lines[i])?.[2] ?? '';
			block({ type: 'pre', language, text: lines.slice(i + 1, end).join('\n') });
			i = end + 1;
			continue;
		}
		if (QUOTE.test(lines[i])) {
			const quoted: string[] = [];
			while (i < lines.length && QUOTE.test(lines[i])) {
				quoted.push(lines[i].replace(QUOTE_PREFIX, ''));
				i++;
			}
			block({ type: 'quote', children: parseInline(quoted.join('\n'), true) });
			continue;
		}
		if (BLANK.test(lines[i])) {
			block({ type: 'text', text: lines[i] });
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
		block(...parseInline(paragraph.join('\n'), true));
	}
	return nodes;
}

/** TeamSpirit markdown as the tree. Anything but a string is read as its text. */
export function readMarkdown(markdown: unknown): MarkdownNode[] {
	return parseMarkdown(typeof markdown === 'string' ? markdown : String(markdown ?? ''));
}
