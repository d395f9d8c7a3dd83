/**
 * Telegram MarkdownV2 as written by the user (format "MarkdownV2 (As Written)"), read the way
 * Telegram reads it: to count what a caption shows and to split a long text into parts Telegram
 * accepts one by one, without cutting an escape or an entity
 * (https://core.telegram.org/bots/api#markdownv2-style). Writing MarkdownV2 is the renderer's job
 * (./format.ts).
 */
import { splitOnSpans, type SourceSpan } from '../split';
import { splitText } from '../text';

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

/**
 * Splits MarkdownV2 (written by the user, "as written") into parts of at most `limit` characters
 * as Telegram counts them (after parsing, UTF-16): never inside an escape or an entity where a
 * better cut exists; an entity longer than a part is closed and opened again. Text Telegram would
 * reject anyway is split like plain text, so the error Telegram gives names the user's markup.
 */
export function splitMarkdownV2(text: string, limit: number): string[] {
	const reading = readMarkdownV2(text);
	if (!reading) return splitText(text, limit);
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
