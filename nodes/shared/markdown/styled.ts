/**
 * Styled text: per UTF-16 code unit of a text, how it is formatted. The channels' readers collect
 * formatting this way (Telegram's entities may overlap; WhatsApp's markers style stretches) and
 * turn it into the tree (./tree.ts); the TeamSpirit markdown writer (./write.ts) works on it to
 * decide where markers can go.
 */
import { graphemeBoundaries } from '../graphemes';
import type { MarkdownNode } from './tree';

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
export const EMPHASES: Emphasis[] = ['bold', 'italic', 'strike'];

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

export const cloneStyles = (st: Styles): Styles => ({
	bold: [...st.bold],
	italic: [...st.italic],
	strike: [...st.strike],
	code: [...st.code],
	pre: [...st.pre],
	url: [...st.url],
});

export const keyAt = (st: Styles, k: number) =>
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
export function stretches(n: number, on: (k: number) => boolean): Array<[number, number]> {
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

/**
 * A cluster (emoji, flag) styled as a whole, and code blocks only on whole lines (elsewhere they
 * are inline code; a block has no other formatting).
 */
export function wholeClustersAndLines(text: string, st: Styles): Styles {
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
	return out;
}

/** The tree of a styled text: each stretch of one style a node, code blocks on whole lines. */
export function styledTree(text: string, styles: Styles): MarkdownNode[] {
	const st = wholeClustersAndLines(text, styles);
	const nodes: MarkdownNode[] = [];
	let k = 0;
	while (k < text.length) {
		const key = keyAt(st, k);
		let end = k + 1;
		while (end < text.length && keyAt(st, end) === key) end++;
		const piece = text.slice(k, end);
		const language = st.pre[k];
		const url = st.url[k];
		let node: MarkdownNode =
			language !== undefined
				? { type: 'pre', language, text: piece }
				: { type: st.code[k] ? 'code' : 'text', text: piece };
		for (const e of [...EMPHASES].reverse()) if (st[e][k]) node = { type: e, children: [node] };
		if (url !== undefined) node = { type: 'link', url, children: [node] };
		nodes.push(node);
		k = end;
	}
	return nodes;
}

type Context = { bold: boolean; italic: boolean; strike: boolean; url?: string };

/** The styled text of a tree (underline, spoiler and quotes are not kept: TeamSpirit has none). */
export function styledText(nodes: MarkdownNode[]): { text: string; styles: Styles } {
	const st = emptyStyles(0);
	let text = '';
	const add = (piece: string, ctx: Context, code: boolean, pre?: string) => {
		text += piece;
		for (let k = 0; k < piece.length; k++) {
			for (const e of EMPHASES) st[e].push(ctx[e]);
			st.code.push(code);
			st.pre.push(pre);
			st.url.push(ctx.url);
		}
	};
	const walk = (list: MarkdownNode[], ctx: Context) => {
		for (const node of list) {
			if (node.type === 'text') add(node.text, ctx, false);
			else if (node.type === 'code') add(node.text, ctx, true);
			else if (node.type === 'pre') add(node.text, ctx, false, node.language);
			else if (node.type === 'link') walk(node.children, { ...ctx, url: node.url });
			else if (node.type === 'bold' || node.type === 'italic' || node.type === 'strike') {
				walk(node.children, { ...ctx, [node.type]: true });
			} else walk(node.children, ctx);
		}
	};
	walk(nodes, { bold: false, italic: false, strike: false });
	return { text, styles: st };
}
