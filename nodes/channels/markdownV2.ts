/**
 * Telegram MarkdownV2 (https://core.telegram.org/bots/api#markdownv2-style): turning everyday
 * Markdown into MarkdownV2 that Telegram always accepts, reading MarkdownV2 the way Telegram does,
 * and splitting either into parts without cutting an escape or an entity. Pure functions.
 *
 * Telegram's rules the code relies on:
 * - outside entities every one of `_*[]()~`>#+-=|{}.!` is escaped with `\`; `\` itself too;
 * - inside `code` and ```pre``` only `` ` `` and `\` are escaped; inside the `(…)` of a link only `)`
 *   and `\`;
 * - `__` is always read greedily as underline, `_` as italic: an italic marker must never touch
 *   another `_` marker (the converter only emits one marker per run of the user's markers, so two
 *   markers always have a character between them);
 * - ```lang\n starts a pre block in `lang`: its first word is taken as the language, then one
 *   newline is skipped;
 * - the 4096-character limit counts the text after parsing, in UTF-16 code units.
 */
import { splitOnSpans, type SourceSpan } from './split';

const RESERVED = /[_*[\]()~`>#+\-=|{}.!\\]/g;

/** Escapes every character MarkdownV2 reserves: the text shows exactly as given. */
export function escapeMarkdownV2(text: string): string {
	return text.replace(RESERVED, (c) => `\\${c}`);
}

const escapeCode = (text: string) => text.replace(/[`\\]/g, (c) => `\\${c}`);
const escapeUrl = (text: string) => text.replace(/[)\\]/g, (c) => `\\${c}`);

// ---------------------------------------------------------------------------
// Everyday Markdown → MarkdownV2
// ---------------------------------------------------------------------------

type Style = 'bold' | 'italic' | 'underline' | 'strike' | 'spoiler';

const MARKER: Record<Style, string> = {
	bold: '*',
	italic: '_',
	underline: '__',
	strike: '~',
	spoiler: '||',
};

type MdNode =
	| { kind: 'text'; text: string }
	| { kind: 'code'; text: string }
	| { kind: 'pre'; language: string; text: string }
	| { kind: 'link'; url: string; children: MdNode[] }
	| { kind: 'style'; style: Style; children: MdNode[] };

interface Parsed {
	nodes: MdNode[];
	spans: SourceSpan[];
}

type Atom =
	| {
			kind: 'node';
			node: MdNode;
			start: number;
			end: number;
			inner?: Parsed;
			innerOffset?: number;
			open?: string;
			close?: string;
			contentStart?: number;
			contentEnd?: number;
	  }
	| {
			kind: 'delim';
			char: string;
			length: number;
			start: number;
			canOpen: boolean;
			canClose: boolean;
			style?: Style;
			partner?: number;
	  }
	| { kind: 'text'; text: string; start: number; paragraph?: boolean };

const isSpace = (c: string | undefined) => c === undefined || /\s/u.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

function styleOf(char: string, length: number): Style | undefined {
	if (char === '*' && length <= 2) return 'bold';
	if (char === '_') return length === 1 ? 'italic' : length === 2 ? 'underline' : undefined;
	if (char === '~' && length <= 2) return 'strike';
	if (char === '|' && length === 2) return 'spoiler';
	return undefined;
}

const LINK = /^\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/;
const LANGUAGE = /^[A-Za-z0-9_+#.-]*$/;

/** Splits the text into code spans, links, runs of markers and plain characters. */
function atomsOf(src: string, inLink: boolean): Atom[] {
	const atoms: Atom[] = [];
	let i = 0;
	while (i < src.length) {
		const c = src[i];
		if (c === '`' && !inLink) {
			let n = 1;
			while (src[i + n] === '`') n++;
			const close = closingRun(src, i + n, n);
			const content = close < 0 ? '' : src.slice(i + n, close);
			if (close >= 0 && content.trim() && !(n < 3 && content.includes('\n\n'))) {
				const fence = '`'.repeat(n);
				const end = close + n;
				const newline = content.indexOf('\n');
				if (n >= 3 && newline >= 0) {
					const info = content.slice(0, newline);
					const language = LANGUAGE.test(info) ? info : '';
					const body = LANGUAGE.test(info) ? content.slice(newline + 1) : content;
					if (body) {
						const contentStart = LANGUAGE.test(info) ? i + n + newline + 1 : i + n;
						atoms.push({
							kind: 'node',
							node: { kind: 'pre', language, text: body },
							start: i,
							end,
							open: '```' + language + '\n',
							close: '```',
							contentStart,
							contentEnd: close,
						});
						i = end;
						continue;
					}
				} else {
					atoms.push({
						kind: 'node',
						node: { kind: 'code', text: content },
						start: i,
						end,
						open: fence,
						close: fence,
						contentStart: i + n,
						contentEnd: close,
					});
					i = end;
					continue;
				}
			}
			atoms.push({ kind: 'text', text: '`'.repeat(n), start: i });
			i += n;
			continue;
		}
		if (c === '[' && !inLink) {
			const m = LINK.exec(src.slice(i));
			if (m) {
				const inner = parseMarkdown(m[1], true);
				const end = i + m[0].length;
				atoms.push({
					kind: 'node',
					node: { kind: 'link', url: m[2], children: inner.nodes },
					start: i,
					end,
					inner,
					innerOffset: i + 1,
					open: '[',
					close: `](${m[2]})`,
					contentStart: i + 1,
					contentEnd: i + 1 + m[1].length,
				});
				i = end;
				continue;
			}
		}
		if ('*_~|'.includes(c)) {
			let n = 1;
			while (src[i + n] === c) n++;
			const before = src[i - 1];
			const after = src[i + n];
			const intraword = c === '_';
			atoms.push({
				kind: 'delim',
				char: c,
				length: n,
				start: i,
				canOpen: !isSpace(after) && !(intraword && isWordChar(before)),
				canClose: i > 0 && !isSpace(before) && !(intraword && isWordChar(after)),
				style: styleOf(c, n),
			});
			i += n;
			continue;
		}
		if (src.startsWith('\n\n', i)) {
			atoms.push({ kind: 'text', text: '\n\n', start: i, paragraph: true });
			i += 2;
			continue;
		}
		const cp = src.codePointAt(i) ?? 0;
		const ch = String.fromCodePoint(cp);
		atoms.push({ kind: 'text', text: ch, start: i });
		i += ch.length;
	}
	return atoms;
}

/** Index of the next run of exactly `n` backticks at or after `from`, or -1. */
function closingRun(src: string, from: number, n: number): number {
	let i = src.indexOf('`', from);
	while (i >= 0) {
		let m = 1;
		while (src[i + m] === '`') m++;
		if (m === n) return i;
		i = src.indexOf('`', i + m);
	}
	return -1;
}

/**
 * Pairs openers and closers like CommonMark's delimiter stack: the nearest opener of the same
 * run wins, openers in between stay text.
 */
function pairDelimiters(atoms: Atom[]): void {
	const stack: number[] = [];
	atoms.forEach((atom, index) => {
		if (atom.kind === 'text' && atom.paragraph) stack.length = 0; // no formatting across a blank line
		if (atom.kind !== 'delim' || !atom.style) return;
		if (atom.canClose) {
			for (let k = stack.length - 1; k >= 0; k--) {
				const opener = atoms[stack[k]] as Extract<Atom, { kind: 'delim' }>;
				if (opener.char === atom.char && opener.length === atom.length) {
					opener.partner = index;
					atom.partner = stack[k];
					stack.length = k;
					return;
				}
			}
		}
		if (atom.canOpen) stack.push(index);
	});
}

function parseMarkdown(src: string, inLink: boolean): Parsed {
	const atoms = atomsOf(src, inLink);
	pairDelimiters(atoms);
	const spans: SourceSpan[] = [];
	const build = (from: number, to: number): MdNode[] => {
		const nodes: MdNode[] = [];
		const text = (t: string) => {
			const last = nodes[nodes.length - 1];
			if (last?.kind === 'text') last.text += t;
			else nodes.push({ kind: 'text', text: t });
		};
		for (let k = from; k < to; k++) {
			const atom = atoms[k];
			if (atom.kind === 'text') text(atom.text);
			else if (atom.kind === 'node') {
				nodes.push(atom.node);
				if (atom.open !== undefined) {
					spans.push({
						start: atom.start,
						contentStart: atom.contentStart!,
						contentEnd: atom.contentEnd!,
						end: atom.end,
						open: atom.open,
						close: atom.close!,
					});
				}
				for (const span of atom.inner?.spans ?? []) {
					const shift = atom.innerOffset ?? 0;
					spans.push({
						...span,
						start: span.start + shift,
						contentStart: span.contentStart + shift,
						contentEnd: span.contentEnd + shift,
						end: span.end + shift,
					});
				}
			} else if (atom.partner !== undefined && atom.partner > k) {
				const closer = atoms[atom.partner] as Extract<Atom, { kind: 'delim' }>;
				const marker = atom.char.repeat(atom.length);
				spans.push({
					start: atom.start,
					contentStart: atom.start + atom.length,
					contentEnd: closer.start,
					end: closer.start + closer.length,
					open: marker,
					close: marker,
				});
				nodes.push({ kind: 'style', style: atom.style!, children: build(k + 1, atom.partner) });
				k = atom.partner;
			} else {
				text(atom.char.repeat(atom.length));
			}
		}
		return nodes;
	};
	return { nodes: build(0, atoms.length), spans };
}

function render(nodes: MdNode[], active: ReadonlySet<Style>): string {
	let out = '';
	for (const node of nodes) {
		switch (node.kind) {
			case 'text':
				out += escapeMarkdownV2(node.text);
				break;
			case 'code':
				out += '`' + escapeCode(node.text) + '`';
				break;
			case 'pre':
				// always a newline after the language: the first word of the code is never taken as one
				out += '```' + node.language + '\n' + escapeCode(node.text) + '```';
				break;
			case 'link':
				out += '[' + render(node.children, active) + '](' + escapeUrl(node.url) + ')';
				break;
			case 'style': {
				const inner = render(node.children, new Set([...active, node.style]));
				// the same style inside itself would close the outer one: the inner markers stay text
				const marker = active.has(node.style)
					? escapeMarkdownV2(MARKER[node.style])
					: MARKER[node.style];
				out += marker + inner + marker;
				break;
			}
		}
	}
	return out;
}

/**
 * Converts everyday Markdown into MarkdownV2 that Telegram accepts for every input: `*bold*`,
 * `**bold**`, `_italic_`, `__underline__`, `~strike~`, `||spoiler||`, `` `code` ``, fenced ```
 * blocks (with a language) and `[text](url)` stay formatting; everything else shows as typed.
 * Markup that is unbalanced or ambiguous shows as typed too: `_` inside a word (`snake_case`,
 * `my_var__x_y`) never formats, runs of three or more markers and unclosed fences stay text, and no
 * formatting spans a blank line. Carriage returns are dropped (Telegram drops them too).
 */
export function toMarkdownV2(input: string): string {
	return render(parseMarkdown(input.replace(/\r/g, ''), false).nodes, new Set());
}

// ---------------------------------------------------------------------------
// MarkdownV2 as Telegram reads it
// ---------------------------------------------------------------------------

interface RawReading {
	spans: SourceSpan[];
	/** visibleBefore[i]: UTF-16 code units Telegram shows for src[0, i). */
	visibleBefore: number[];
	/** Offsets where a part may not end: inside an escape, a marker or a link's URL. */
	blocked: Set<number>;
}

type OpenEntity = { type: string; start: number; contentStart: number; language?: string };

/**
 * Reads MarkdownV2 like Telegram's parser (left to right, greedy `__`, entities closed by the
 * innermost open one's marker). Returns undefined for text Telegram would reject.
 */
export function readMarkdownV2(src: string): RawReading | undefined {
	const spans: SourceSpan[] = [];
	const visibleBefore: number[] = new Array(src.length + 1).fill(0);
	const blocked = new Set<number>();
	const block = (from: number, to: number) => {
		for (let p = from; p <= to; p++) blocked.add(p);
	};
	const stack: OpenEntity[] = [];
	let visible = 0;
	// a plain quotation is one span per line (each line has its own `>`); an expandable one is a
	// single span from `**>` to its `||` mark, its continuation lines' `>` being markers inside it
	let quoteLine: { start: number; contentStart: number; open: string } | undefined;
	let expandable: { start: number; contentStart: number } | undefined;
	let i = 0;
	const advance = (to: number, shown: number) => {
		for (let p = i + 1; p <= to; p++) visibleBefore[p] = visible;
		visible += shown;
		visibleBefore[to] = visible;
		i = to;
	};
	const endExpandable = (contentEnd: number, end: number) => {
		if (expandable) spans.push({ ...expandable, contentEnd, end, open: '**>', close: '||' });
		expandable = undefined;
	};
	while (i < src.length) {
		const c = src[i];
		const top = stack[stack.length - 1];
		const lineStart = i === 0 || src[i - 1] === '\n';
		if (lineStart && expandable && !stack.length && c !== '>') endExpandable(i - 1, i - 1);
		if (lineStart && !stack.length && !quoteLine && (c === '>' || src.startsWith('**>', i))) {
			const len = c === '>' ? 1 : 3;
			if (len === 3) {
				endExpandable(i - 1, i - 1);
				expandable = { start: i, contentStart: i + 3 };
			} else if (!expandable) {
				quoteLine = { start: i, contentStart: i + len, open: '>' };
			}
			block(i + 1, i + len);
			advance(i + len, 0);
			continue;
		}
		if (c === '\n' && quoteLine) {
			spans.push({ ...quoteLine, contentEnd: i, end: i, close: '' });
			quoteLine = undefined;
		}
		const code = src.charCodeAt(i + 1);
		if (c === '\\' && code >= 1 && code <= 126) {
			block(i + 1, i + 1);
			advance(i + 2, 1);
			continue;
		}
		const inCode = top?.type === 'code' || top?.type === 'pre';
		if (!(inCode ? '`' : '_*[]()~`>#+-=|{}.!').includes(c)) {
			advance(i + 1, 1);
			continue;
		}
		if (
			expandable &&
			!inCode &&
			top?.type !== 'spoiler' &&
			src.startsWith('||', i) &&
			(i + 2 === src.length || src[i + 2] === '\n')
		) {
			block(i + 1, i + 2);
			advance(i + 2, 0);
			endExpandable(i - 2, i);
			continue;
		}
		const closes =
			top !== undefined &&
			((top.type === 'bold' && c === '*') ||
				(top.type === 'italic' && c === '_' && src[i + 1] !== '_') ||
				(top.type === 'underline' && c === '_' && src[i + 1] === '_') ||
				(top.type === 'strike' && c === '~') ||
				(top.type === 'spoiler' && c === '|' && src[i + 1] === '|') ||
				((top.type === 'code' || top.type === 'pre') && c === '`') ||
				((top.type === 'link' || top.type === 'emoji') && c === ']'));
		if (!closes) {
			const start = i;
			let type: string;
			let len = 1;
			let language: string | undefined;
			if (c === '_') [type, len] = src[i + 1] === '_' ? ['underline', 2] : ['italic', 1];
			else if (c === '*') type = 'bold';
			else if (c === '~') type = 'strike';
			else if (c === '|' && src[i + 1] === '|') [type, len] = ['spoiler', 2];
			else if (c === '[') type = 'link';
			else if (c === '!' && src[i + 1] === '[') [type, len] = ['emoji', 2];
			else if (src.startsWith('```', i)) {
				type = 'pre';
				let j = i + 3;
				while (j < src.length && !/\s/.test(src[j]) && src[j] !== '`') j++;
				language = j > i + 3 && j < src.length && src[j] !== '`' ? src.slice(i + 3, j) : '';
				if (!language) j = i + 3;
				if (src[j] === '\n' || src[j] === '\r')
					j += (src[j + 1] === '\n' || src[j + 1] === '\r') && src[j] !== src[j + 1] ? 2 : 1;
				len = j - i;
			} else if (c === '`') type = 'code';
			else return undefined;
			block(i + 1, i + len);
			advance(i + len, 0);
			stack.push({ type, start, contentStart: i, language });
			continue;
		}
		const entity = stack.pop()!;
		const contentEnd = i;
		let len = entity.type === 'underline' || entity.type === 'spoiler' ? 2 : 1;
		let close = src.slice(i, i + len);
		if (entity.type === 'pre') {
			if (!src.startsWith('```', i)) return undefined;
			len = 3;
			close = '```';
		}
		if ((entity.type === 'link' || entity.type === 'emoji') && src[i + 1] === '(') {
			let j = i + 2;
			while (j < src.length && src[j] !== ')')
				j += src[j] === '\\' && src.charCodeAt(j + 1) >= 1 && src.charCodeAt(j + 1) <= 126 ? 2 : 1;
			if (j >= src.length) return undefined;
			len = j + 1 - i;
			close = src.slice(i, j + 1);
		}
		block(i, i + len - 1);
		advance(i + len, 0);
		const open =
			entity.type === 'pre'
				? '```' + (entity.language ?? '') + '\n'
				: src.slice(entity.start, entity.contentStart);
		spans.push({
			start: entity.start,
			contentStart: entity.contentStart,
			contentEnd,
			end: i,
			open,
			close,
		});
	}
	if (stack.length) return undefined;
	if (quoteLine) spans.push({ ...quoteLine, contentEnd: src.length, end: src.length, close: '' });
	endExpandable(src.length, src.length);
	return { spans, visibleBefore, blocked };
}

// ---------------------------------------------------------------------------
// Splitting without cutting an escape or an entity
// ---------------------------------------------------------------------------

/**
 * Splits MarkdownV2 (written by the user, "as written") into parts of at most `limit` characters
 * as Telegram counts them (after parsing, UTF-16). Text Telegram would reject anyway is split like
 * plain text, so the error Telegram gives names the user's markup.
 */
export function splitMarkdownV2(
	text: string,
	limit: number,
	plain: (text: string, limit: number) => string[],
): string[] {
	const reading = readMarkdownV2(text);
	if (!reading) return plain(text, limit);
	const { visibleBefore } = reading;
	return splitOnSpans(
		{
			text,
			spans: reading.spans,
			shown: (from, to) => visibleBefore[to] - visibleBefore[from],
			blocked: (at) => reading.blocked.has(at),
		},
		limit,
	);
}

/**
 * Splits everyday Markdown before `toMarkdownV2`, so each part converts on its own: formatting,
 * links and code cut in two are closed at the end of a part and opened again in the next (a fence
 * reopens with its language). Counts source characters, never fewer than Telegram shows.
 */
export function splitMarkdown(text: string, limit: number): string[] {
	const clean = text.replace(/\r/g, '');
	const { spans } = parseMarkdown(clean, false);
	// reopened markers that end up as text must still fit: keep a margin
	return splitOnSpans(
		{ text: clean, spans, shown: (from, to) => to - from, blocked: () => false },
		Math.max(2, limit - 16),
	);
}
