/**
 * Customer-controlled strings as the conversation bridge inserts them into TeamSpirit
 * (nodes/conversations/untrusted.ts): what the operator reads is the literal text, without
 * hidden direction changes or invisible characters, and it links, formats and mentions nothing.
 */
import { markdownToPlain } from '../../nodes/channels/messenger/format';
import { telegramToMarkdown } from '../../nodes/channels/telegram/format';
import { whatsappToMarkdown } from '../../nodes/channels/whatsapp/format';
import { breakMentions, MENTION_BREAK, plainToMarkdown } from '../../nodes/shared/markdown';
import {
	cleanField,
	cleanFileName,
	cleanName,
	fieldMarkdown,
	fieldPlain,
	MAX_NAME_LENGTH,
} from '../../nodes/conversations/untrusted';
import { shown } from '../nodes/conversations/setup';

/** TeamSpirit's mention rule (docs/teamspirit-api.md, "Mentions"): which of `usernames` are mentioned. */
function mentioned(text: string, usernames: string[]): string[] {
	return usernames.filter((name) =>
		new RegExp(`(?<![A-Za-z0-9_])@${name}(?![A-Za-z0-9_-]|\\.[A-Za-z0-9_])`).test(text),
	);
}

const WJ = MENTION_BREAK;

describe('cleanField: names, titles and file names without hidden characters', () => {
	it.each([
		['a right-to-left override that makes "invoice‮fdp.exe" look like a PDF', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
		['every bidi embedding, override, isolate and mark', 'a\u202Ab\u202Bc\u202Cd\u202De\u2066f\u2067g\u2068h\u2069i\u200Ej\u200Fk\u061Cl', 'abcdefghijkl'],
		['zero-width space, non-joiner, word joiner, BOM', 'An\u200Bna\u200C Pe\u2060tro\uFEFFva', 'Anna Petrova'],
		['C0 and C1 controls, DEL', 'A\u0000n\u0007n\u001Ba\u007F \u0080P\u009Fetrova', 'Anna Petrova'],
		['line breaks and tabs in a one-line field', 'Anna\nPetrova\r\nLtd\tGmbH\u2028x', 'Anna Petrova Ltd GmbH x'],
		['surrounding and repeated spaces', '   Anna    Petrova  ', 'Anna Petrova'],
		['a zero-width joiner outside an emoji', 'Ann\u200Da', 'Anna'],
	])('removes %s', (_what, input, expected) => {
		expect(cleanField(input)).toBe(expected);
	});

	it('keeps what is visible: letters of every script, emoji sequences with their joiners, punctuation', () => {
		for (const text of ['Анна Петрова', 'محمد', 'שלום', '李小龍', '👩‍💻 Dev', '👨‍👩‍👧', '👩🏽‍💻', '🏳️‍🌈', '[Win](x) **b** `c` @olga']) {
			expect(cleanField(text)).toBe(text);
		}
	});

	it('keeps line breaks and tabs where the field may have lines, and still removes the rest', () => {
		expect(cleanField('Line 1\n\tLine\u202E 2\r\n', { lines: true })).toBe('Line 1\n\tLine 2');
	});

	it('turns anything into text and never throws', () => {
		for (const value of [undefined, null, 42, { a: 1 }, ['x'], '\uD800', '\u202E']) {
			expect(typeof cleanField(value)).toBe('string');
		}
		expect(cleanField(undefined)).toBe('');
		expect(cleanField(42)).toBe('42');
	});

	it('cuts names and file names to MAX_NAME_LENGTH, never inside an emoji', () => {
		const name = cleanName(`Anna ${'👍🏽'.repeat(100)}`);
		expect(name.length).toBeLessThanOrEqual(MAX_NAME_LENGTH);
		expect(name).toMatch(/^Anna (👍🏽)+$/u);
		expect(cleanFileName(`${'a'.repeat(500)}.pdf`)).toHaveLength(MAX_NAME_LENGTH);
		expect(cleanField('x'.repeat(500))).toHaveLength(500);
	});

	it('gives a file name that is never empty', () => {
		expect(cleanFileName('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
		expect(cleanFileName('\u202E\u200B')).toBe('file');
		expect(cleanFileName(undefined)).toBe('file');
	});
});

describe('fieldMarkdown: an inserted field is literal text in TeamSpirit markdown', () => {
	it.each([
		['a link', '[Win](http://evil.test)'],
		['bold and italic', '**Boss** *urgent* _x_'],
		['strike', '~~gone~~'],
		['code spans and fences', '`rm -rf` ```js'],
		['a quote', '> approved by IT'],
		['escapes', 'C:\\temp\\*'],
		['an image and an autolink', '![x](http://evil.test/a.png) <http://evil.test>'],
	])('%s shows as typed', (_what, text) => {
		const markdown = fieldMarkdown(text);
		expect(shown(markdown)).toBe(text);
		expect(shown(markdown)).not.toMatch(/<(a|b|i|s|code)\b/);
		expect(markdownToPlain(markdown)).toBe(text);
	});

	it('mentions no one, while showing the same text', () => {
		const text = '@olga please, cc @oskar. ask @n8n-bot';
		expect(mentioned(text, ['olga', 'oskar', 'n8n-bot'])).toEqual(['olga', 'oskar', 'n8n-bot']);
		const markdown = fieldMarkdown(text);
		expect(mentioned(markdown, ['olga', 'oskar', 'n8n-bot'])).toEqual([]);
		expect(markdownToPlain(markdown).replaceAll(WJ, '')).toBe(text);
		expect(mentioned(fieldPlain(text), ['olga', 'oskar', 'n8n-bot'])).toEqual([]);
	});

	it('leaves an @ that is no mention alone (an e-mail address, a lone @)', () => {
		expect(breakMentions('me@olga.corp and @ and @@ and 5@')).toBe('me@olga.corp and @ and @@ and 5@');
		expect(breakMentions('@@olga')).toBe(`@@${WJ}olga`);
	});

	it('a customer cannot smuggle their own word joiner or direction change in', () => {
		const markdown = fieldMarkdown('\u2060@\u202Eolga');
		expect(markdown).toBe(`@${WJ}olga`);
		expect(mentioned(markdown, ['olga'])).toEqual([]);
	});

	it('is one line unless lines are allowed', () => {
		expect(fieldMarkdown('a\n> b')).toBe('a > b');
		expect(fieldMarkdown('a\n> b', { lines: true })).toBe('a\n\\> b');
	});
});

describe('quietMentions: a customer’s own text mentions no one, with its formatting kept', () => {
	const text = '@olga: call @oskar about `@n8n-bot` or see x@olga.corp';
	const users = ['olga', 'oskar', 'n8n-bot'];

	it('plain, Telegram (entities after a mention keep their place) and WhatsApp text', () => {
		const outputs = [
			plainToMarkdown(text, { quietMentions: true }),
			telegramToMarkdown(text, [{ type: 'bold', offset: 12, length: 6 }], { quietMentions: true }),
			whatsappToMarkdown(text, { quietMentions: true }),
		];
		for (const markdown of outputs) expect(mentioned(markdown, users)).toEqual([]);
		for (const markdown of outputs.slice(0, 2)) {
			expect(markdownToPlain(markdown).replaceAll(WJ, '')).toBe(text);
		}
		expect(shown(outputs[1]).replaceAll(WJ, '')).toBe(
			'@olga: call <b>@oskar</b> about `@n8n-bot` or see x@olga.corp',
		);
		expect(shown(outputs[2]).replaceAll(WJ, '')).toBe(
			'@olga: call @oskar about <code>@n8n-bot</code> or see x@olga.corp',
		);
	});

	it('is off unless asked for (operators’ text and the existing converters are unchanged)', () => {
		expect(plainToMarkdown('@olga')).toBe('@olga');
		expect(telegramToMarkdown('@olga', [])).toBe('@olga');
		expect(whatsappToMarkdown('@olga')).toBe('@olga');
	});

	it('a link’s address mentions no one either: its @ is written %40', () => {
		const link = { type: 'text_link', offset: 3, length: 7, url: 'https://example.com/@olga' };
		const markdown = telegramToMarkdown('my profile', [link], { quietMentions: true });
		expect(markdown).toBe('my [profile](https://example.com/%40olga)');
		expect(mentioned(markdown, users)).toEqual([]);
		expect(telegramToMarkdown('my profile', [link])).toBe('my [profile](https://example.com/@olga)');
	});
});
