/**
 * Text helpers shared by every channel: splitting long texts on line or word boundaries, and
 * Telegram's two markup languages (HTML and MarkdownV2) with correct escaping. Pure functions.
 */

/** Code units of `text` counted like Telegram does (UTF-16). */
function isHighSurrogate(code: number): boolean {
	return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Where to cut `text` so the first part has at most `limit` code units: after the last blank
 * line, else the last line break, else the last space, else hard (never inside a surrogate pair).
 * `allowed(i)` may veto a position (e.g. inside an HTML tag). Returns the length of the first part.
 */
function cutPosition(text: string, limit: number, allowed: (i: number) => boolean = () => true): number {
	if (text.length <= limit) return text.length;
	const window = text.slice(0, limit + 1);
	const minimum = Math.floor(limit / 2); // never cut off a tiny first part when a better cut exists
	for (const separator of ['\n\n', '\n', ' ']) {
		let at = window.lastIndexOf(separator, limit - separator.length);
		while (at > 0 && !allowed(at)) at = window.lastIndexOf(separator, at - 1);
		if (at >= minimum || (at > 0 && separator === ' ')) return at + separator.length;
	}
	let at = limit;
	while (at > 1 && (!allowed(at) || isHighSurrogate(text.charCodeAt(at - 1)))) at--;
	return at;
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
 * Splits Telegram HTML into parts of at most `limit` source characters, never inside a tag or an
 * entity; tags open at a cut are closed at the end of the part and opened again in the next.
 */
export function splitHtml(html: string, limit: number): string[] {
	const parts: string[] = [];
	let carry: string[] = []; // opening tags to repeat at the start of the next part
	let rest = html;
	while (rest.length > 0) {
		const prefix = carry.join('');
		const budget = limit - prefix.length - 60; // room for the closing tags
		let at: number;
		if (prefix.length + rest.length <= limit) {
			at = rest.length;
		} else {
			const inside = markupRanges(rest);
			at = cutPosition(rest, Math.max(budget, 16), (i) => !inside.some(([s, e]) => i > s && i < e));
		}
		const chunk = prefix + rest.slice(0, at);
		const open = openTags(chunk);
		const closing = open
			.map((t) => `</${tagName(t)}>`)
			.reverse()
			.join('');
		const part = (chunk + closing).trim();
		if (htmlVisibleLength(part) > 0 || parts.length === 0) parts.push(part);
		carry = open;
		rest = rest.slice(at).replace(/^\s+/, '');
	}
	return parts;
}

function markupRanges(html: string): Array<[number, number]> {
	const ranges: Array<[number, number]> = [];
	const re = /<[^>]*>|&[#a-z0-9]+;/gi;
	let m: RegExpExecArray | null;
	while ((m = re.exec(html)) !== null) ranges.push([m.index, m.index + m[0].length]);
	return ranges;
}

function tagName(tag: string): string {
	return /^<\/?\s*([a-z0-9-]+)/i.exec(tag)?.[1]?.toLowerCase() ?? '';
}

/** The opening tags still open at the end of `html`, outermost first. */
function openTags(html: string): string[] {
	const stack: string[] = [];
	for (const m of html.matchAll(/<[^>]*>/g)) {
		const tag = m[0];
		if (tag.startsWith('</')) {
			const name = tagName(tag);
			const index = stack.map(tagName).lastIndexOf(name);
			if (index >= 0) stack.splice(index, 1);
		} else if (!tag.endsWith('/>')) {
			stack.push(tag);
		}
	}
	return stack;
}

// ---------------------------------------------------------------------------
// MarkdownV2
// ---------------------------------------------------------------------------

const MDV2_RESERVED = /[_*[\]()~`>#+\-=|{}.!\\]/g;

/** Escapes every character MarkdownV2 reserves: the text shows exactly as given. */
export function escapeMarkdownV2(text: string): string {
	return text.replace(MDV2_RESERVED, (c) => `\\${c}`);
}

const escapeCode = (text: string) => text.replace(/[`\\]/g, (c) => `\\${c}`);
const escapeUrl = (text: string) => text.replace(/[)\\]/g, (c) => `\\${c}`);

/**
 * Converts everyday Markdown into valid Telegram MarkdownV2: `*bold*`, `**bold**`, `_italic_`,
 * `__underline__`, `~strike~`, `||spoiler||`, `` `code` ``, fenced ``` blocks and
 * `[text](url)` stay formatting; every other reserved character (`.`, `-`, `!`, `(`, …) is
 * escaped, so user data inside a template can never break the message ("can't parse entities").
 * Unpaired markers are escaped too and show as typed.
 */
export function toMarkdownV2(input: string): string {
	let out = '';
	let i = 0;
	const src = input;
	const peekClose = (marker: string, from: number): number => {
		const end = src.indexOf(marker, from);
		if (end <= from) return -1; // empty or missing
		const inner = src.slice(from, end);
		return inner.includes('\n\n') ? -1 : end;
	};
	while (i < src.length) {
		const rest = src.slice(i);
		// fenced code block
		if (rest.startsWith('```')) {
			const end = src.indexOf('```', i + 3);
			if (end > i + 3 || end === -1) {
				const close = end === -1 ? src.length : end;
				const body = src.slice(i + 3, close);
				out += '```' + escapeCode(body) + '```';
				i = end === -1 ? src.length : end + 3;
				continue;
			}
		}
		if (rest[0] === '`') {
			const end = peekClose('`', i + 1);
			if (end > 0 && !src.slice(i + 1, end).includes('\n')) {
				out += '`' + escapeCode(src.slice(i + 1, end)) + '`';
				i = end + 1;
				continue;
			}
		}
		if (rest[0] === '[') {
			const m = /^\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/.exec(rest);
			if (m) {
				out += `[${toMarkdownV2(m[1])}](${escapeUrl(m[2])})`;
				i += m[0].length;
				continue;
			}
		}
		const pairs: Array<[string, string]> = [
			['**', '*'],
			['__', '__'],
			['||', '||'],
			['*', '*'],
			['_', '_'],
			['~', '~'],
		];
		let matched = false;
		for (const [marker, emit] of pairs) {
			if (!rest.startsWith(marker)) continue;
			const end = peekClose(marker, i + marker.length);
			const inner = end > 0 ? src.slice(i + marker.length, end) : '';
			if (end > 0 && !/^\s|\s$/.test(inner)) {
				out += emit + toMarkdownV2(inner) + emit;
				i = end + marker.length;
				matched = true;
			}
			break;
		}
		if (matched) continue;
		const c = src[i];
		out += /[_*[\]()~`>#+\-=|{}.!\\]/.test(c) ? `\\${c}` : c;
		i++;
	}
	return out;
}

/** Splits lenient Markdown before conversion, keeping fenced code blocks closed in every part. */
export function splitMarkdown(text: string, limit: number): string[] {
	const parts = splitText(text, limit - 8);
	let inFence = false;
	return parts.map((part) => {
		let value = inFence ? '```' + part : part;
		const fences = (part.match(/```/g) ?? []).length;
		if (fences % 2 === 1) inFence = !inFence;
		if (inFence) value += '```';
		return value;
	});
}

/**
 * Text for channels with only light markup (WhatsApp: *bold*, _italic_, ~strike~, ```mono```;
 * Messenger shows the same characters as they are): HTML becomes that markup, escaped MarkdownV2
 * is unescaped, plain text and "Markdown (escaped for you)" stay as written.
 */
export function toLightMarkup(text: string, format: 'plain' | 'html' | 'markdownV2' | 'markdownV2Raw'): string {
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
