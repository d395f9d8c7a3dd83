/**
 * Text helpers shared by every channel: splitting long texts on line or word boundaries, and
 * Telegram HTML (MarkdownV2: channels/telegram/markdownV2.ts and format.ts). Pure functions.
 *
 * Limits are counted in UTF-16 code units (`string.length`). That is Telegram's own unit (4096 per
 * message, 1024 per caption, counted after entity parsing); Twilio (1600) and Messenger (2000)
 * count characters, and a text never has more characters than UTF-16 code units, so a part that
 * fits here fits there too. Cuts fall between grapheme clusters only: never half an emoji, a flag
 * or a ZWJ sequence.
 */

import { graphemeBoundaries } from '../shared/graphemes';
import { splitOnSpans, type SourceSpan } from './split';

/**
 * Where to cut `text` so the first part has at most `limit` code units: after the last blank
 * line, else the last line break, else the last space, else hard (never inside a grapheme
 * cluster). `veto(i)` returns false for a position that must not be cut (e.g. inside an HTML
 * tag). Returns the length of the first part.
 */
function cutPosition(
	text: string,
	limit: number,
	veto: (i: number) => boolean = () => true,
): number {
	if (text.length <= limit) return text.length;
	const window = text.slice(0, limit + 1);
	// a boundary depends on the characters before it and the one after: limit + 2 code units suffice
	const boundaries = new Set(graphemeBoundaries(text.slice(0, limit + 2)));
	const allowed = (i: number, after = i) => veto(i) && boundaries.has(i) && boundaries.has(after);
	const minimum = Math.floor(limit / 2); // never cut off a tiny first part when a better cut exists
	for (const separator of ['\n\n', '\n', ' ']) {
		let at = window.lastIndexOf(separator, limit - separator.length);
		while (at > 0 && !allowed(at, at + separator.length))
			at = window.lastIndexOf(separator, at - 1);
		if (at >= minimum || (at > 0 && separator === ' ')) return at + separator.length;
	}
	let at = limit;
	while (at > 0 && !allowed(at)) at--;
	// a single cluster longer than the limit (a very long ZWJ or combining sequence) is cut hard
	return at > 0 ? at : limit;
}

/**
 * Splits a plain text into parts of at most `limit` characters, on paragraph, line or word
 * boundaries where there is one. Whitespace at a cut is dropped; nothing else is lost.
 */
export function splitText(text: string, limit: number): string[] {
	if (limit < 2) throw new RangeError('limit must be at least 2');
	const parts: string[] = [];
	let rest = text;
	while (rest.length > limit) {
		const at = cutPosition(rest, limit);
		const part = rest.slice(0, at).replace(/\s+$/, '');
		if (part) parts.push(part);
		rest = rest.slice(at).replace(/^\s+/, '');
	}
	if (rest || parts.length === 0) parts.push(rest);
	return parts;
}

// ---------------------------------------------------------------------------
// HTML (Telegram's subset)
// ---------------------------------------------------------------------------

export function escapeHtml(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Characters Telegram would show: the text without tags, entities counted once. */
export function htmlVisibleLength(html: string): number {
	return html.replace(/<[^>]*>/g, '').replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, '_').length;
}

/**
 * Splits Telegram HTML into parts of at most `limit` characters as Telegram counts them (the text
 * without tags, an entity such as `&amp;` counted as the character it stands for), never inside a
 * tag, an entity or a grapheme cluster; tags open at a cut are closed at the end of the part and
 * opened again in the next. HTML that is not well formed is cut between tags and entities only.
 */
export function splitHtml(html: string, limit: number): string[] {
	const shownBefore: number[] = new Array(html.length + 1).fill(0);
	const blocked = new Set<number>();
	const spans: SourceSpan[] = [];
	const stack: Array<{ name: string; start: number; contentStart: number }> = [];
	let wellFormed = true;
	let shown = 0;
	let last = 0;
	const re = /<(\/?)([a-z0-9-]*)[^>]*>|&(#\d+|#x[0-9a-f]+|[a-z]+);/gi;
	let m: RegExpExecArray | null;
	const textUpTo = (to: number) => {
		for (let p = last; p < to; p++) shownBefore[p + 1] = ++shown;
	};
	while ((m = re.exec(html)) !== null) {
		textUpTo(m.index);
		const end = m.index + m[0].length;
		for (let p = m.index + 1; p < end; p++) {
			blocked.add(p);
			shownBefore[p] = shown;
		}
		if (m[3] !== undefined) shown += decodedLength(m[3]);
		shownBefore[end] = shown;
		last = end;
		if (m[3] !== undefined) continue;
		const name = m[2].toLowerCase();
		if (!m[1]) {
			stack.push({ name, start: m.index, contentStart: end });
			continue;
		}
		const open = stack.pop();
		if (!open || open.name !== name) {
			wellFormed = false;
			continue;
		}
		const openTag = html.slice(open.start, open.contentStart);
		spans.push({
			start: open.start,
			contentStart: open.contentStart,
			contentEnd: m.index,
			end,
			open: openTag,
			close: m[0],
		});
	}
	textUpTo(html.length);
	return splitOnSpans(
		{
			text: html,
			spans: wellFormed && !stack.length ? spans : [],
			shown: (from, to) => shownBefore[to] - shownBefore[from],
			blocked: (at) => blocked.has(at),
		},
		limit,
	);
}

/** UTF-16 code units of the character an HTML entity stands for. */
function decodedLength(entity: string): number {
	if (!entity.startsWith('#')) return 1;
	const code =
		entity[1] === 'x' || entity[1] === 'X'
			? parseInt(entity.slice(2), 16)
			: Number(entity.slice(1));
	return code > 0xffff ? 2 : 1;
}

/**
 * Text for channels with only light markup (WhatsApp: *bold*, _italic_, ~strike~, ```mono```;
 * Messenger shows the same characters as they are): HTML becomes that markup, escaped MarkdownV2
 * is unescaped, plain text and "Markdown (escaped for you)" stay as written.
 */
export function toLightMarkup(
	text: string,
	format: 'plain' | 'html' | 'markdownV2' | 'markdownV2Raw',
): string {
	if (format === 'markdownV2Raw') return text.replace(/\\([_*[\]()~`>#+\-=|{}.!\\])/g, '$1');
	if (format !== 'html') return text;
	return text
		.replace(/<\/?(b|strong)>/gi, '*')
		.replace(/<\/?(i|em)>/gi, '_')
		.replace(/<\/?(s|strike|del)>/gi, '~')
		.replace(/<\/?(pre|code)[^>]*>/gi, '```')
		.replace(/<a\s[^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gi, '$2 ($1)')
		.replace(/<[^>]+>/g, '')
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&amp;/g, '&');
}
