import { formCard, MAX_VALUE_CHARS, valueText } from '../../nodes/forms/card';
import { cardFields, honeypotFilled, nameList } from '../../nodes/forms/fields';
import { readMarkdown } from '../../nodes/shared/markdown/read';
import { plainOf } from '../../nodes/shared/markdown/tree';

const shown = (markdown: string) => plainOf(readMarkdown(markdown)).replace(/\u2060/g, '');

describe('the form card', () => {
	it('shows every label and value exactly as typed, whatever markdown it holds', () => {
		const nasty = ['**bold**', '_x_ *y*', '~~s~~', '`code`', '```', '[a](https://b.example)', '\\*', 'a\\', '<b>', '# h', '- l', '> q', '&amp;'];
		for (const text of nasty) {
			const card = formCard({ title: text, fields: [[text, text]] });
			expect(shown(card)).toBe(`${text}\n${text}: ${text}`);
		}
	});

	it('puts a value of several lines under its label as a quote, one line each', () => {
		const card = formCard({ title: 'T', fields: [['Message', 'one\r\n> two\n\nthree']] });
		expect(card).toBe('**T**\n**Message:**\n> one\n> \\> two\n>\n> three');
	});

	it('mentions nobody: an @ gets a word joiner', () => {
		expect(formCard({ title: 'T', fields: [['To', '@alice']] })).toBe('**T**\n**To:** @\u2060alice');
	});

	it('shows empty values as a dash and cuts very long ones', () => {
		const card = formCard({ title: '', fields: [['Empty', ''], ['Long', 'x'.repeat(MAX_VALUE_CHARS + 5)]] });
		expect(card.split('\n')).toEqual(['**Form submission**', '**Empty:** —', `**Long:** ${'x'.repeat(MAX_VALUE_CHARS)}… (5 more characters)`]);
	});

	it('names lists, numbers and n8n Form Trigger files by their text', () => {
		expect(valueText(['a', 'b'])).toBe('a, b');
		expect(valueText(42)).toBe('42');
		expect(valueText({ filename: 'cv.pdf', mimetype: 'application/pdf', size: 3 })).toBe('cv.pdf');
		expect(valueText([{ filename: 'a.png' }, { filename: 'b.png' }])).toBe('a.png, b.png');
		expect(valueText({ a: 1 })).toBe('{"a":1}');
	});
});

describe('the form fields', () => {
	const fields = { Name: 'Ada', website: '', submittedAt: 'now', Message: 'hi' };
	it('takes all but the excluded and the honeypot, in the form order', () => {
		expect(cardFields(fields, { mode: 'all', include: [], exclude: ['submittedAt'], honeypot: 'website' })).toEqual([
			['Name', 'Ada'],
			['Message', 'hi'],
		]);
	});
	it('or the chosen ones in the chosen order, never the honeypot', () => {
		expect(cardFields(fields, { mode: 'selected', include: nameList('Message, website, Name, Nope'), exclude: [], honeypot: 'website' })).toEqual([
			['Message', 'hi'],
			['Name', 'Ada'],
		]);
	});
	it('calls a honeypot filled when it holds anything but blanks', () => {
		expect(honeypotFilled({ website: '  ' }, 'website')).toBe(false);
		expect(honeypotFilled({}, 'website')).toBe(false);
		expect(honeypotFilled({ website: 'x' }, 'website')).toBe(true);
		expect(honeypotFilled({ website: 'x' }, '')).toBe(false);
	});
	it("does not count a honeypot that the Form Trigger page's link filled (?Website=…)", () => {
		const fromLink = { formQueryParameters: { Website: 'https://a.example' } };
		expect(honeypotFilled({ Website: 'https://a.example', ...fromLink }, 'Website')).toBe(false);
		// typed over what the link put there: filled
		expect(honeypotFilled({ Website: 'https://spam.example', ...fromLink }, 'Website')).toBe(true);
		expect(honeypotFilled({ Website: 'x', formQueryParameters: { Other: 'x' } }, 'Website')).toBe(true);
	});
});
