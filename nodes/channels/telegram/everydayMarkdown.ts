/**
 * "Markdown (Escaped for You)", the everyday Markdown the Chat Channel node turns into Telegram
 * MarkdownV2: read into the tree (nodes/shared/markdown/tree.ts), written by the MarkdownV2
 * renderer (./format.ts). `*bold*`, `**bold**`, `_italic_`, `__underline__`, `~strike~`,
 * `||spoiler||`, `` `code` ``, fenced ``` blocks (with a language) and `[text](url)` are formatting;
 * everything else shows as typed (no escapes, no quotes). Markup that is unbalanced or ambiguous
 * shows as typed too: `_` inside a word (`snake_case`, `my_var__x_y`) never formats, runs of three
 * or more markers and unclosed fences stay text, and no formatting spans a blank line.
 *
 * This is not TeamSpirit markdown (where `*x*` is italic): the field promised Telegram's reading of
 * `*` from the start, so it keeps its own reader; both meet in the same tree and renderer.
 */
import { isSpace, type MarkdownNode, type Style } from '../../shared/markdown';

type Atom =
	| { kind: 'node'; node: MarkdownNode }
	| {
			kind: 'delim';
			char: string;
			length: number;
			canOpen: boolean;
			canClose: boolean;
			style?: Style;
			partner?: number;
	  }
	| { kind: 'text'; text: string; paragraph?: boolean };

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
				const end = close + n;
				const newline = content.indexOf('\n');
				if (n >= 3 && newline >= 0) {
					const info = content.slice(0, newline);
					const language = LANGUAGE.test(info) ? info : '';
					const body = LANGUAGE.test(info) ? content.slice(newline + 1) : content;
					if (body) {
						atoms.push({ kind: 'node', node: { type: 'pre', language, text: body } });
						i = end;
						continue;
					}
				} else {
					atoms.push({ kind: 'node', node: { type: 'code', text: content } });
					i = end;
					continue;
				}
			}
			atoms.push({ kind: 'text', text: '`'.repeat(n) });
			i += n;
			continue;
		}
		if (c === '[' && !inLink) {
			const m = LINK.exec(src.slice(i));
			if (m) {
				const children = readAtoms(m[1], true);
				atoms.push({ kind: 'node', node: { type: 'link', url: m[2], children } });
				i += m[0].length;
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
				canOpen: !isSpace(after) && !(intraword && isWordChar(before)),
				canClose: i > 0 && !isSpace(before) && !(intraword && isWordChar(after)),
				style: styleOf(c, n),
			});
			i += n;
			continue;
		}
		if (src.startsWith('\n\n', i)) {
			atoms.push({ kind: 'text', text: '\n\n', paragraph: true });
			i += 2;
			continue;
		}
		const cp = src.codePointAt(i) ?? 0;
		const ch = String.fromCodePoint(cp);
		atoms.push({ kind: 'text', text: ch });
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

function readAtoms(src: string, inLink: boolean): MarkdownNode[] {
	const atoms = atomsOf(src, inLink);
	pairDelimiters(atoms);
	const build = (from: number, to: number): MarkdownNode[] => {
		const nodes: MarkdownNode[] = [];
		const text = (t: string) => {
			const last = nodes[nodes.length - 1];
			if (last?.type === 'text') last.text += t;
			else nodes.push({ type: 'text', text: t });
		};
		for (let k = from; k < to; k++) {
			const atom = atoms[k];
			if (atom.kind === 'text') text(atom.text);
			else if (atom.kind === 'node') nodes.push(atom.node);
			else if (atom.partner !== undefined && atom.partner > k) {
				nodes.push({ type: atom.style!, children: build(k + 1, atom.partner) });
				k = atom.partner;
			} else {
				text(atom.char.repeat(atom.length));
			}
		}
		return nodes;
	};
	return build(0, atoms.length);
}

/** Everyday Markdown as the tree. Carriage returns are dropped (Telegram drops them too). */
export function readEverydayMarkdown(input: string): MarkdownNode[] {
	return readAtoms(input.replace(/\r/g, ''), false);
}
