/**
 * Splitting marked-up text (MarkdownV2, HTML, everyday Markdown) into parts that each stand on
 * their own: the caller describes where its constructs open and close; this file picks the cuts.
 */
import { graphemeBoundaries } from '../shared/graphemes';

/** A construct of the user's text, by source offsets: [start, contentStart) opens it, [contentEnd, end) closes it. */
export interface SourceSpan {
	start: number;
	contentStart: number;
	contentEnd: number;
	end: number;
	/** What opens / closes the construct again when a part boundary falls inside it. */
	open: string;
	close: string;
}

export interface SplitSource {
	text: string;
	spans: SourceSpan[];
	/** UTF-16 code units shown for text[from, to). */
	shown: (from: number, to: number) => number;
	blocked: (at: number) => boolean;
}

/**
 * Splits `source.text` into parts showing at most `limit` code units each. A part ends, in this
 * order of preference: outside every entity at a paragraph, line or word boundary; inside entities
 * at such a boundary; outside every entity anywhere; anywhere. Never inside an escape, a marker or
 * a grapheme cluster. An entity cut in two is closed at the end of the part and opened again at
 * the start of the next one (a code block becomes two code blocks).
 */
export function splitOnSpans(source: SplitSource, limit: number): string[] {
	const { text, spans } = source;
	const graphemes = new Set(graphemeBoundaries(text));
	// a part never ends right after an opening marker or right before a closing one (an empty
	// entity, or a closing marker left for the next part)
	const markers = new Set<number>();
	for (const span of spans) {
		for (let p = span.start + 1; p <= span.contentStart; p++) markers.add(p);
		for (let p = span.contentEnd; p < span.end; p++) markers.add(p);
	}
	const cuttable = (p: number) => graphemes.has(p) && !markers.has(p) && !source.blocked(p);
	const opened = new Map<number, SourceSpan[]>();
	const openAt = (p: number) => {
		let found = opened.get(p);
		if (!found) {
			found = spans
				.filter((s) => s.contentStart < p && p < s.contentEnd)
				.sort((a, b) => a.start - b.start || b.end - a.end);
			opened.set(p, found);
		}
		return found;
	};
	const isBlank = (c: string | undefined) => c === ' ' || c === '\n' || c === '\t';
	const parts: string[] = [];
	let start = 0;
	let prefix = '';
	while (start < text.length) {
		// the longest stretch that fits
		let max = start;
		while (max < text.length && source.shown(start, max + 1) <= limit) max++;
		let cut = text.length;
		if (max < text.length) {
			const minimum = start + Math.floor((max - start) / 2);
			const candidates: number[] = [];
			for (let p = max; p > start; p--) if (cuttable(p)) candidates.push(p);
			const after = (sep: string, p: number) => text.slice(p - sep.length, p) === sep;
			const choose = (topLevel: boolean, sep?: string) =>
				candidates.find(
					(p) =>
						(!topLevel || openAt(p).length === 0) &&
						(sep === undefined ? p >= minimum : after(sep, p) && (p >= minimum || sep === ' ')),
				);
			cut =
				choose(true, '\n\n') ??
				choose(true, '\n') ??
				choose(true, ' ') ??
				choose(false, '\n\n') ??
				choose(false, '\n') ??
				choose(false, ' ') ??
				choose(true) ??
				candidates[0] ??
				Math.max(max, start + 1);
		}
		const open = cut < text.length ? openAt(cut) : [];
		let end = cut;
		while (end > start && isBlank(text[end - 1]) && cuttable(end - 1)) end--;
		const body = text.slice(start, end);
		const closing = open
			.map((s) => s.close)
			.reverse()
			.join('');
		if (source.shown(start, end) > 0 && body.trim()) parts.push(prefix + body + closing);
		prefix = open.map((s) => s.open).join('');
		start = cut;
		while (start < text.length && isBlank(text[start]) && cuttable(start + 1)) start++;
		// an expandable quotation reopened where a line begins with its own `>`: `**` + `>…`
		if (prefix.endsWith('>') && text[start] === '>') prefix = prefix.slice(0, -1);
	}
	return parts.length ? parts : [text];
}
