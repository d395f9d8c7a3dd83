import { telegramTextParts } from '../../nodes/channels/telegram/actions';
import { escapeMarkdownV2, toMarkdownV2 } from '../../nodes/channels/telegram/format';
import { splitHtml, splitText } from '../../nodes/channels/text';
import { parseFormatted } from '../emulators/telegram';

describe('splitting long texts', () => {
	it('keeps a text that fits in one part', () => {
		expect(splitText('short', 4096)).toEqual(['short']);
	});

	it('cuts at the last line break before the limit and loses nothing but the break', () => {
		const text = `${'a'.repeat(60)}\n${'b'.repeat(60)}`;
		expect(splitText(text, 100)).toEqual(['a'.repeat(60), 'b'.repeat(60)]);
	});

	it('prefers a paragraph, then a line, then a word boundary', () => {
		expect(splitText('aaaa bbbb\n\ncccc dddd', 15)).toEqual(['aaaa bbbb', 'cccc dddd']);
		expect(splitText('aaaa bbbb cccc dddd', 12)).toEqual(['aaaa bbbb', 'cccc dddd']);
	});

	it('cuts a word without spaces hard, never inside a surrogate pair', () => {
		const emoji = '😀'.repeat(10); // 20 UTF-16 code units
		const parts = splitText(emoji, 7);
		expect(parts.join('')).toBe(emoji);
		for (const part of parts) {
			expect(part.length).toBeLessThanOrEqual(7);
			expect(/^(?:[\uD800-\uDBFF][\uDC00-\uDFFF])+$/.test(part)).toBe(true);
		}
	});

	it('every part of a 10 000-character text fits Telegram’s 4096', () => {
		const text = Array.from({ length: 1000 }, (_, i) => `word${i}`).join(' ').repeat(2);
		const parts = telegramTextParts(text, 'plain');
		expect(parts.length).toBeGreaterThan(1);
		for (const part of parts) expect(part.length).toBeLessThanOrEqual(4096);
		expect(parts.join(' ')).toBe(text);
	});

	it('HTML parts close the tags open at a cut and reopen them', () => {
		const parts = splitHtml(`<b>${'x '.repeat(100)}</b> <i>tail</i>`, 120);
		expect(parts.length).toBeGreaterThan(1);
		for (const part of parts) expect(() => parseFormatted(part, 'HTML', 4096, 'text')).not.toThrow();
		expect(parts[0].startsWith('<b>')).toBe(true);
		expect(parts[0].endsWith('</b>')).toBe(true);
		expect(parts[1].startsWith('<b>')).toBe(true);
	});
});

describe('MarkdownV2', () => {
	it('escapes every reserved character so the text shows as typed', () => {
		const text = 'a_b*c[d]e(f)g~h`i>j#k+l-m=n|o{p}q.r!s\\t';
		const escaped = escapeMarkdownV2(text);
		expect(parseFormatted(escaped, 'MarkdownV2', 4096, 'text').text).toBe(text);
	});

	it('keeps everyday Markdown as formatting and escapes the rest', () => {
		const md = toMarkdownV2('Order #12.5 is *ready* - see [the docs](https://x.y/a_(b)) or `npm i -g x`!');
		expect(md).toBe('Order \\#12\\.5 is *ready* \\- see [the docs](https://x.y/a_(b\\)) or `npm i -g x`\\!');
		expect(parseFormatted(md, 'MarkdownV2', 4096, 'text').text).toBe('Order #12.5 is ready - see the docs or npm i -g x!');
	});

	it('an unpaired marker shows as typed instead of breaking the message', () => {
		const md = toMarkdownV2('2 * 3 = 6 and snake_case');
		expect(parseFormatted(md, 'MarkdownV2', 4096, 'text').text).toBe('2 * 3 = 6 and snake_case');
	});

	it('long Markdown with a code block: every part parses', () => {
		const text = `Intro\n\`\`\`\n${'line of code;\n'.repeat(400)}\`\`\`\nThe end.`;
		const parts = telegramTextParts(text, 'markdownV2');
		expect(parts.length).toBeGreaterThan(1);
		for (const part of parts) expect(() => parseFormatted(part, 'MarkdownV2', 4096, 'text')).not.toThrow();
	});
});
