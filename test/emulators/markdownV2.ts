/**
 * A strict MarkdownV2 validator written from Telegram's documented rules
 * (https://core.telegram.org/bots/api#markdownv2-style and "formatting options"):
 *
 * - Any character with code 1–126 can be escaped with a preceding `\`, anywhere; it is then an
 *   ordinary character. (Strict: a `\` that escapes nothing is rejected.)
 * - Inside pre and code entities, `` ` `` and `\` must be escaped; nothing else is markup there.
 * - Inside the `(…)` of an inline link or custom emoji, `)` and `\` must be escaped (strict: only
 *   those two may follow `\` there).
 * - Everywhere else `_ * [ ] ( ) ~ ` > # + - = | { } . !` must be escaped unless they are markup.
 * - `*bold*`, `_italic_`, `__underline__`, `~strike~`, `||spoiler||`, `` `code` ``, ```` ```pre``` ````
 *   (```` ```lang ```` names the language; one newline after it is skipped), `[text](url)`,
 *   `![emoji](tg://emoji?id=…)`, `>` at the start of a line (block quotation), `**>` (expandable)
 *   with `||` ending its last line.
 * - `__` is always taken greedily, left to right, as the start or end of underline; so `_` closes
 *   italic only when the next character is not `_`.
 * - Entities must be balanced and properly nested; links can't contain links, code or pre; block
 *   quotations can't be nested. (Strict: a formatting entity can't contain its own kind either;
 *   Telegram's greedy parser would close the outer one there anyway.)
 * - Empty entities are allowed (the docs use an empty bold as a separator) and produce nothing.
 * - `\r` is ignored.
 *
 * `validateMarkdownV2` returns the text Telegram would show and its entities (UTF-16 offsets), or
 * throws an error worded like Telegram's "can't parse entities".
 */

export interface Entity {
	type: 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler' | 'code' | 'pre' | 'text_link' | 'custom_emoji' | 'blockquote' | 'expandable_blockquote';
	offset: number;
	length: number;
	url?: string;
	language?: string;
}

export class MarkdownV2Error extends Error {}

const RESERVED = '_*[]()~`>#+-=|{}.!';
const FORMATTING = new Set(['bold', 'italic', 'underline', 'strikethrough', 'spoiler']);

interface Open {
	type: Entity['type'];
	offset: number;
	byte: number;
	language?: string;
}

export function validateMarkdownV2(source: string): { text: string; entities: Entity[] } {
	let text = '';
	const entities: Entity[] = [];
	const stack: Open[] = [];
	let quote: Open | undefined;
	let expandable = false;
	let i = 0;
	const fail = (message: string): never => {
		throw new MarkdownV2Error(`can't parse entities: ${message} at byte offset ${Buffer.byteLength(source.slice(0, i))}`);
	};
	const escapable = (code: number) => code >= 1 && code <= 126;
	const top = () => stack[stack.length - 1];
	const inCode = () => top()?.type === 'code' || top()?.type === 'pre';
	const open = (type: Entity['type'], extra: Partial<Open> = {}) => {
		if (FORMATTING.has(type) && stack.some((e) => e.type === type)) fail(`Entity ${type} can't contain itself`);
		if (stack.some((e) => e.type === 'text_link' || e.type === 'custom_emoji') && (type === 'text_link' || type === 'custom_emoji' || type === 'code' || type === 'pre')) {
			fail(`Entity ${type} can't be inside a link`);
		}
		stack.push({ type, offset: text.length, byte: i, ...extra });
	};
	const close = (extra: Partial<Entity> = {}) => {
		const entity = stack.pop()!;
		if (text.length > entity.offset) {
			entities.push({ type: entity.type, offset: entity.offset, length: text.length - entity.offset, ...(entity.language ? { language: entity.language } : {}), ...extra });
		}
	};
	const endQuote = () => {
		if (!quote) return;
		if (stack.length) fail(`Can't find end of ${top().type} entity inside a block quotation`);
		if (text.length > quote.offset) entities.push({ type: quote.type, offset: quote.offset, length: text.length - quote.offset });
		quote = undefined;
	};

	while (i < source.length) {
		const c = source[i];
		const lineStart = i === 0 || source[i - 1] === '\n';
		if (lineStart && !inCode()) {
			const startsQuote = c === '>' || source.startsWith('**>', i);
			if (startsQuote && (!quote || source.startsWith('**>', i))) {
				endQuote();
				if (stack.length) fail('A block quotation can start only outside other entities');
				expandable = c !== '>';
				quote = { type: expandable ? 'expandable_blockquote' : 'blockquote', offset: text.length, byte: i };
				i += expandable ? 3 : 1;
				continue;
			}
			if (startsQuote) {
				i += 1; // the next line of the same quotation
				continue;
			}
			if (quote) endQuote();
		}
		if (c === '\r') {
			i++;
			continue;
		}
		if (c === '\\') {
			const next = source.charCodeAt(i + 1);
			if (!escapable(next)) fail("Character '\\' is reserved and must be escaped with the preceding '\\'");
			text += source[i + 1];
			i += 2;
			continue;
		}
		if (inCode()) {
			if (c !== '`') {
				text += c;
				i++;
				continue;
			}
			const entity = top();
			if (entity.type === 'pre') {
				if (!source.startsWith('```', i)) fail("Can't find end of Pre entity");
				close();
				i += 3;
			} else {
				close();
				i += 1;
			}
			continue;
		}
		if (!RESERVED.includes(c)) {
			text += c;
			i++;
			continue;
		}
		// the end of the innermost entity?
		const t = top()?.type;
		if (t === 'bold' && c === '*') {
			close();
			i++;
			continue;
		}
		if (t === 'italic' && c === '_' && source[i + 1] !== '_') {
			close();
			i++;
			continue;
		}
		if (t === 'underline' && c === '_' && source[i + 1] === '_') {
			close();
			i += 2;
			continue;
		}
		if (t === 'strikethrough' && c === '~') {
			close();
			i++;
			continue;
		}
		if (t === 'spoiler' && c === '|' && source[i + 1] === '|') {
			close();
			i += 2;
			continue;
		}
		if ((t === 'text_link' || t === 'custom_emoji') && c === ']') {
			if (source[i + 1] !== '(') fail("Can't find end of a URL");
			let url = '';
			let j = i + 2;
			while (j < source.length && source[j] !== ')') {
				if (source[j] === '\\') {
					if (source[j + 1] !== ')' && source[j + 1] !== '\\') fail("Only ')' and '\\' may be escaped in a URL");
					url += source[j + 1];
					j += 2;
				} else {
					url += source[j++];
				}
			}
			if (j >= source.length) fail("Can't find end of a URL");
			close({ url });
			i = j + 1;
			continue;
		}
		// the expandability mark at the end of an expandable quotation's line
		if (quote && expandable && c === '|' && source[i + 1] === '|' && (i + 2 === source.length || source[i + 2] === '\n')) {
			endQuote();
			i += 2;
			continue;
		}
		// the start of an entity
		if (c === '*') open('bold');
		else if (c === '_' && source[i + 1] === '_') open('underline');
		else if (c === '_') open('italic');
		else if (c === '~') open('strikethrough');
		else if (c === '|' && source[i + 1] === '|') open('spoiler');
		else if (c === '[') open('text_link');
		else if (c === '!' && source[i + 1] === '[') open('custom_emoji');
		else if (source.startsWith('```', i)) {
			let j = i + 3;
			while (j < source.length && !/\s/.test(source[j]) && source[j] !== '`') j++;
			const language = j > i + 3 && j < source.length && source[j] !== '`' ? source.slice(i + 3, j) : '';
			if (!language) j = i + 3;
			if (source[j] === '\n') j++;
			open('pre', { language });
			i = j;
			continue;
		} else if (c === '`') open('code');
		else fail(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
		const t2 = top().type;
		i += t2 === 'underline' || t2 === 'spoiler' || t2 === 'custom_emoji' ? 2 : 1;
	}
	if (stack.length) fail(`Can't find end of ${top().type} entity at byte offset ${top().byte}`);
	endQuote();
	return { text, entities: entities.sort((a, b) => a.offset - b.offset || b.length - a.length) };
}
