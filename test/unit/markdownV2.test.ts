import { toMarkdownV2 } from '../../nodes/channels/telegram/format';
import { splitMarkdownV2 } from '../../nodes/channels/telegram/markdownV2';
import { validateMarkdownV2, type Entity } from '../emulators/markdownV2';
import { seededRandom } from '../helpers/random';

const TOKENS = [
	...'_*[]()~`>#+-=|{}.!\\'.split(''),
	'_',
	'_',
	'*',
	'`',
	'__',
	'**',
	'||',
	'~~',
	'```',
	'```js\n',
	'a',
	'b',
	'x',
	'word',
	'snake_case',
	'file_name__v2_final.txt',
	' ',
	' ',
	' ',
	' ',
	'\n',
	'\n',
	'\n\n',
	'😀',
	'👍🏽',
	'🇩🇪',
	'🇫🇷🇮🇹',
	'👨‍👩‍👧',
	'❤️',
	'#️⃣',
	'e\u0301',
	'[link](https://x.y/a_(b))',
	'[a *b*](u)',
	'1.5',
];

function randomText(random: () => number, maxTokens: number): string {
	const count = Math.floor(random() * (maxTokens + 1));
	let text = '';
	for (let i = 0; i < count; i++) text += TOKENS[Math.floor(random() * TOKENS.length)];
	return text;
}

/**
 * What a reader sees of `text` once the markup is taken away: the link targets and a code
 * block's language line are markup, and so is every marker character. Applied to the user's input
 * and to what Telegram shows, it must give the same: no character the user typed is lost, none is
 * added.
 */
function withoutMarkup(text: string, entities: Entity[], shown?: string): string {
	let out = text;
	if (shown !== undefined) {
		// where a code block was made, the fence's language line (or the newline after it) is markup
		for (const pre of entities.filter((e) => e.type === 'pre')) {
			const code = shown.slice(pre.offset, pre.offset + pre.length);
			const written = '```' + (pre.language ?? '') + '\n' + code + '```';
			out = out.replace(written, () => '```' + code + '```');
		}
	}
	for (const url of entities.filter((e) => e.type === 'text_link').map((e) => e.url!)) out = out.split(`](${url})`).join(']');
	return out.replace(/[*_~|`[\]()]/g, '');
}

describe('Markdown (escaped for you) becomes MarkdownV2 that Telegram accepts', () => {
	it.each([
		['my_var__x_y'],
		['file_name__v2_final.txt'],
		['see my_var__x_y and _this_'],
		['__init__ and __init___x'],
	])('underscores inside words stay text and never make "__" underline: %s', (input) => {
		const { text } = validateMarkdownV2(toMarkdownV2(input));
		expect(text).toBe(input.replace(/(^|\s)_this_/, '$1this').replace(/^__init__/, 'init'));
	});

	it('an unclosed ``` fence shows as typed instead of breaking the message', () => {
		for (const input of ['```', 'code: ```let x = 1;', '```js\nconst a = 1;', '````', 'a ``` b ``']) {
			expect(validateMarkdownV2(toMarkdownV2(input)).text).toBe(input);
		}
	});

	it('keeps everyday formatting as entities', () => {
		const { text, entities } = validateMarkdownV2(toMarkdownV2('*bold* _it_ __under__ ~gone~ ||secret|| `x_y` [docs](https://x.y/a_(b))'));
		expect(text).toBe('bold it under gone secret x_y docs');
		expect(entities.map((e) => e.type)).toEqual(['bold', 'italic', 'underline', 'strikethrough', 'spoiler', 'code', 'text_link']);
		expect(entities[6].url).toBe('https://x.y/a_(b)');
	});

	it('a fenced block keeps its language and never takes the first word of code as one', () => {
		const withLanguage = validateMarkdownV2(toMarkdownV2('```python\nprint(1)\n```'));
		expect(withLanguage.text).toBe('print(1)\n');
		expect(withLanguage.entities[0]).toMatchObject({ type: 'pre', language: 'python' });
		expect(validateMarkdownV2(toMarkdownV2('```npm i -g x```')).text).toBe('npm i -g x');
		expect(validateMarkdownV2(toMarkdownV2('```let x = 1;\nlet y;```')).text).toBe('let x = 1;\nlet y;');
	});

	it('property: 5000 random texts over every reserved character, emoji, flags and ZWJ sequences all parse and show what the user typed', () => {
		const started = Date.now();
		const seed = 20240611;
		const random = seededRandom(seed);
		for (let n = 0; n < 5000; n++) {
			const input = randomText(random, 40);
			const output = toMarkdownV2(input);
			let shown: { text: string; entities: Entity[] };
			try {
				shown = validateMarkdownV2(output);
			} catch (error) {
				throw new Error(`case ${n} (seed ${seed}): ${(error as Error).message}\ninput:  ${JSON.stringify(input)}\noutput: ${JSON.stringify(output)}`);
			}
			const expected = withoutMarkup(input, shown.entities, shown.text);
			const actual = withoutMarkup(shown.text, shown.entities);
			if (actual !== expected) {
				throw new Error(`case ${n} (seed ${seed}): shows ${JSON.stringify(shown.text)}\ninput:  ${JSON.stringify(input)}\noutput: ${JSON.stringify(output)}`);
			}
			// without marker characters the text shows exactly as typed
			if (!/[*_~|`[]/.test(input)) expect(shown.text).toBe(input);
		}
		expect(Date.now() - started).toBeLessThan(10_000);
	});
});

/** The visible text of parts joined again, compared without the whitespace dropped at cuts. */
const squeeze = (text: string) => text.replace(/\s+/g, '');

describe('raw MarkdownV2 is split only where Telegram accepts every part', () => {
	it('never cuts between a backslash and the character it escapes', () => {
		const text = 'x'.repeat(9) + '\\.' + 'y'.repeat(20);
		for (const part of splitMarkdownV2(text, 10)) expect(() => validateMarkdownV2(part)).not.toThrow();
	});

	it('an entity longer than a part is closed at the cut and opened again', () => {
		const text = `intro *${'bold words '.repeat(30).trim()}* [a ${'link text '.repeat(10).trim()}](https://x.y/\\)) end`;
		const parts = splitMarkdownV2(text, 50);
		expect(parts.length).toBeGreaterThan(3);
		const shown = parts.map((p) => validateMarkdownV2(p));
		for (const s of shown) expect(s.text.length).toBeLessThanOrEqual(50);
		expect(squeeze(shown.map((s) => s.text).join(''))).toBe(squeeze(validateMarkdownV2(text).text));
		expect(parts[1].startsWith('*')).toBe(true);
		expect(shown.filter((s) => s.entities.some((e) => e.type === 'text_link' && e.url === 'https://x.y/)')).length).toBeGreaterThan(1);
	});

	it('a code block longer than a part becomes two code blocks in the same language', () => {
		const text = '```ts\n' + 'const value = 1;\n'.repeat(20) + '```';
		const parts = splitMarkdownV2(text, 100);
		expect(parts.length).toBeGreaterThan(2);
		for (const part of parts) {
			const { entities } = validateMarkdownV2(part);
			expect(entities[0]).toMatchObject({ type: 'pre', language: 'ts' });
		}
	});

	it('block quotations split by line keep their `>`; an expandable one is closed with `||` and reopened with `**>`', () => {
		const text = `>${'quoted words '.repeat(12).trim()}\n>second *line*\nafter \\. done\n**>expandable ${'x '.repeat(20).trim()}\n>last line||\nplain`;
		for (const limit of [10, 17, 30, 60]) {
			const shown = splitMarkdownV2(text, limit).map((part) => validateMarkdownV2(part));
			for (const s of shown) expect(s.text.length).toBeLessThanOrEqual(limit);
			expect(squeeze(shown.map((s) => s.text).join(''))).toBe(squeeze(validateMarkdownV2(text).text));
			expect(shown.filter((s) => s.entities.some((e) => e.type === 'expandable_blockquote')).length).toBeGreaterThan(1);
		}
	});

	it('property: random MarkdownV2 split at random limits, every part parses and fits, nothing is lost', () => {
		const seed = 77;
		const random = seededRandom(seed);
		for (let n = 0; n < 1500; n++) {
			const text = toMarkdownV2(randomText(random, 80));
			const limit = 8 + Math.floor(random() * 40);
			const parts = splitMarkdownV2(text, limit);
			const shown = parts.map((part) => {
				try {
					return validateMarkdownV2(part);
				} catch (error) {
					throw new Error(`case ${n} (seed ${seed}, limit ${limit}): ${(error as Error).message}\ntext: ${JSON.stringify(text)}\npart: ${JSON.stringify(part)}`);
				}
			});
			for (const s of shown) expect(s.text.length).toBeLessThanOrEqual(limit);
			expect(squeeze(shown.map((s) => s.text).join(''))).toBe(squeeze(validateMarkdownV2(text).text));
		}
	});

});
