/**
 * WhatsApp's own markup (`*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```mono``` ````) and
 * the Markdown tree (nodes/shared/markdown), both ways: a customer's message read into the tree
 * (and written as TeamSpirit markdown), an operator's TeamSpirit markdown rendered as WhatsApp's
 * markup. Pure functions; none of them throws. The markup is WhatsApp's, whoever carries it: both
 * WhatsApp channels (through Twilio, channels/whatsapp/, and Meta's Cloud API) convert with these
 * in their format.ts.
 */
import { charAt, charBefore, isPunctuation, isSpace } from './chars';
import { readMarkdown } from './read';
import { linkText, plainOf, type MarkdownNode } from './tree';
import { writeMarkdown, type ToMarkdownOptions } from './write';

type WhatsAppStyle = { bold?: boolean; italic?: boolean; strike?: boolean; code?: boolean };
type Emphasis = 'bold' | 'italic' | 'strike';
const WHATSAPP_MARKERS: Record<string, Emphasis> = { '*': 'bold', _: 'italic', '~': 'strike' };

/** Splits WhatsApp text into styled pieces (WhatsApp's marker rules). */
function readWhatsApp(
	s: string,
	style: WhatsAppStyle,
	top: boolean,
	out: Array<{ text: string; style: WhatsAppStyle; pre?: boolean }>,
): void {
	let plain = '';
	const flush = () => {
		if (plain) out.push({ text: plain, style });
		plain = '';
	};
	let i = 0;
	while (i < s.length) {
		const c = s[i];
		const marker = s.startsWith('```', i)
			? '```'
			: c === '`' || WHATSAPP_MARKERS[c]
				? c
				: undefined;
		const before = charBefore(s, i);
		const block = marker === '```';
		if (marker && (isSpace(before) || isPunctuation(before)) && (block || !isSpace(s[i + 1]))) {
			const from = i + marker.length;
			let close = -1;
			for (let j = from + 1; j < s.length; j++) {
				if (!block && s[j] === '\n') break;
				if (!s.startsWith(marker, j) || (!block && isSpace(s[j - 1]))) continue;
				const after = charAt(s, j + marker.length);
				if (isSpace(after) || isPunctuation(after)) {
					close = j;
					break;
				}
			}
			const content = s.slice(from, close);
			if (close > from && content.trim()) {
				flush();
				if (marker === '```' || marker === '`') {
					const pre =
						top &&
						block &&
						content.includes('\n') &&
						(i === 0 || s[i - 1] === '\n') &&
						(close + 3 === s.length || s[close + 3] === '\n');
					const code = pre ? content.replace(/^\n/, '').replace(/\n$/, '') : content;
					out.push({ text: code, style: { ...style, code: true }, pre });
				} else {
					readWhatsApp(content, { ...style, [WHATSAPP_MARKERS[marker]]: true }, false, out);
				}
				i = close + marker.length;
				continue;
			}
		}
		plain += c;
		i++;
	}
	flush();
}

/** WhatsApp text as the tree: a ```` ``` ```` block on its own lines is a code block. */
function whatsappTree(source: string): MarkdownNode[] {
	const pieces: Array<{ text: string; style: WhatsAppStyle; pre?: boolean }> = [];
	readWhatsApp(source, {}, true, pieces);
	return pieces.map((piece) => {
		if (piece.pre) return { type: 'pre', language: '', text: piece.text };
		let node: MarkdownNode = { type: piece.style.code ? 'code' : 'text', text: piece.text };
		for (const style of ['strike', 'italic', 'bold'] as const) {
			if (piece.style[style]) node = { type: style, children: [node] };
		}
		return node;
	});
}

/** A WhatsApp message with WhatsApp's own formatting as TeamSpirit markdown. */
export function whatsappMarkupToMarkdown(text: string, options: ToMarkdownOptions = {}): string {
	const source = typeof text === 'string' ? text : String(text ?? '');
	return writeMarkdown(whatsappTree(source), options);
}

/** WhatsApp text being written: each marker character tagged with its pair, text with -1. */
type Tagged = { text: string; pair: number[] };

const plain = (text: string): Tagged => ({ text, pair: new Array<number>(text.length).fill(-1) });
const concat = (parts: Tagged[]): Tagged => ({
	text: parts.map((part) => part.text).join(''),
	pair: parts.flatMap((part) => part.pair),
});
const slice = (t: Tagged, from: number, to?: number): Tagged => ({
	text: t.text.slice(from, to),
	pair: t.pair.slice(from, to),
});

/** `marker` around the text; with `trim`, spaces at either end stay outside (no marker there). */
function around(marker: string, inner: Tagged, id: number, trim: boolean): Tagged {
	const m = trim ? /^(\s*)([\s\S]*?)(\s*)$/u.exec(inner.text) : ['', '', inner.text, ''];
	if (!m || !m[2]) return inner;
	const start = m[1].length;
	const end = start + m[2].length;
	const mark = { text: marker, pair: new Array<number>(marker.length).fill(id) };
	return concat([slice(inner, 0, start), mark, slice(inner, start, end), mark, slice(inner, end)]);
}

/** Each line with `> ` before it (`>` alone before an empty one), as quotes show in plain text. */
function quotedLines(inner: Tagged): Tagged {
	const lines: Tagged[] = [];
	let start = 0;
	for (let k = 0; k <= inner.text.length; k++) {
		if (k < inner.text.length && inner.text[k] !== '\n') continue;
		const line = slice(inner, start, k);
		if (lines.length) lines.push(plain('\n'));
		lines.push(line.text ? concat([plain('> '), line]) : plain('>'));
		start = k + 1;
	}
	return concat(lines);
}

const WHATSAPP_MARKER: Record<string, string> = { bold: '*', italic: '_', strike: '~' };

function renderWhatsApp(nodes: MarkdownNode[], next: { id: number }): Tagged {
	return concat(
		nodes.map((node): Tagged => {
			switch (node.type) {
				case 'text':
					return plain(node.text);
				case 'code':
					// WhatsApp's inline code is on one line: code over lines is a ``` block
					return around(node.text.includes('\n') ? '```' : '`', plain(node.text), next.id++, false);
				case 'pre':
					return around('```', plain(node.text), next.id++, false);
				case 'link':
					return plain(linkText(plainOf(node.children), node.url));
				case 'quote':
					return quotedLines(renderWhatsApp(node.children, next));
				default: {
					const inner = renderWhatsApp(node.children, next);
					const marker = WHATSAPP_MARKER[node.type];
					return marker ? around(marker, inner, next.id++, true) : inner;
				}
			}
		}),
	);
}

const shows = (c: string | undefined) => isSpace(c) || isPunctuation(c);

/**
 * Whether WhatsApp reads the marker at `i` as opening a pair closed at `j` (readWhatsApp's rules:
 * space or punctuation outside, none inside, not blank, one line, the first closer that fits).
 */
function readable(s: string, marker: string, i: number, j: number): boolean {
	const block = marker === '```';
	const seen = s.startsWith('```', i) ? '```' : s[i];
	if (seen !== marker || !shows(charBefore(s, i)) || (!block && isSpace(s[i + 1]))) return false;
	if (!s.slice(i + marker.length, j).trim()) return false;
	for (let k = i + marker.length + 1; k < s.length; k++) {
		if (!block && s[k] === '\n') return false;
		if (!s.startsWith(marker, k) || (!block && isSpace(s[k - 1]))) continue;
		if (shows(charAt(s, k + marker.length))) return k === j;
	}
	return false;
}

/** Where each pair's opening and closing marker start, and the marker. */
function markersOf(t: Tagged): Map<number, { marker: string; at: number[] }> {
	const found = new Map<number, { marker: string; at: number[] }>();
	t.pair.forEach((id, k) => {
		if (id < 0) return;
		const pair = found.get(id) ?? { marker: '', at: [] };
		if (t.pair[k - 1] !== id) pair.at.push(k);
		if (pair.at.length === 1) pair.marker += t.text[k];
		found.set(id, pair);
	});
	return found;
}

/** The text with every pair of markers WhatsApp would not read as written taken out. */
function resolveMarkers(t: Tagged): string {
	let current = t;
	for (;;) {
		const bad = new Set<number>();
		for (const [id, { marker, at }] of markersOf(current)) {
			if (!readable(current.text, marker, at[0], at[1])) bad.add(id);
		}
		if (!bad.size) return current.text;
		const keep = current.pair.map((id) => !bad.has(id));
		current = {
			text: current.text
				.split('')
				.filter((_, k) => keep[k])
				.join(''),
			pair: current.pair.filter((_, k) => keep[k]),
		};
	}
}

/** TeamSpirit markdown with WhatsApp's formatting: `*bold*`, `_italic_`, `~strike~`, code. */
export function markdownToWhatsAppMarkup(markdown: string): string {
	return resolveMarkers(renderWhatsApp(readMarkdown(markdown), { id: 0 }));
}
