import { markdownToPlain } from '../../nodes/channels/messenger/format';
import { markdownToTelegramHtml, telegramToMarkdown } from '../../nodes/channels/telegram/format';
import type { TelegramEntity } from '../../nodes/channels/telegram/format';
import { markdownToWhatsApp, whatsappToMarkdown } from '../../nodes/channels/whatsapp/format';
import { plainToMarkdown } from '../../nodes/shared/markdown';
import { seededRandom } from '../helpers/random';

function randomText(next: () => number, pieces: string[], max: number): string {
	let text = '';
	const n = Math.floor(next() * max);
	for (let k = 0; k < n; k++) text += pieces[Math.floor(next() * pieces.length)];
	return text;
}

const FAMILY = '👨‍👩‍👧';
const THUMB = '👍🏽';
const FLAG = '🇩🇪';

/** Characters markdown reads as syntax, and those around them. */
const PLAIN_PIECES = [
	'a',
	'b',
	'Z',
	'1',
	' ',
	' ',
	'\n',
	'\t',
	'\r',
	'*',
	'**',
	'_',
	'__',
	'~',
	'~~',
	'`',
	'```',
	'[',
	']',
	'(',
	')',
	'\\',
	'>',
	'  >',
	'#',
	'-',
	'!',
	'<',
	'&',
	'"',
	'.',
	THUMB,
	FAMILY,
	FLAG,
	'é',
	'😀',
];

/** Markdown-ish pieces: markers, fences, links, quotes, HTML specials. */
const MARKDOWN_PIECES = [
	...PLAIN_PIECES,
	'**x**',
	'*y*',
	'_z_',
	'~~s~~',
	'`c`',
	'``d`e``',
	'\n```js\n',
	'\n```\n',
	'```"><b>\n',
	'[t](https://e.x/?a=1&b="2")',
	'[t](javascript:alert(1))',
	'](',
	'\n> ',
	'> ',
	'<b>',
	'</i>',
	'&amp;',
	'&#60;',
	'\\*',
	'\\`',
	'\\\\',
];

describe('plain text as markdown shows exactly what was typed', () => {
	it.each([
		['2*3*4', '2\\*3\\*4'],
		['snake_case_name', 'snake\\_case\\_name'],
		['[not a link](x)', '\\[not a link\\](x)'],
		['C:\\temp', 'C:\\\\temp'],
		['~~gone~~ `code`', '\\~\\~gone\\~\\~ \\`code\\`'],
		['> not a quote\na > b', '\\> not a quote\na > b'],
		['  > indented', '  \\> indented'],
		['```js\nx\n```', '\\`\\`\\`js\nx\n\\`\\`\\`'],
		[`${THUMB} ${FAMILY} ${FLAG} ok`, `${THUMB} ${FAMILY} ${FLAG} ok`],
	])('%j', (text, markdown) => {
		expect(plainToMarkdown(text)).toBe(markdown);
		expect(telegramToMarkdown(text, [])).toBe(markdown);
		expect(markdownToPlain(markdown)).toBe(text);
	});

	it('round trips thousands of random texts (markdown → plain gives the text back)', () => {
		const next = seededRandom(20250314);
		for (let k = 0; k < 3000; k++) {
			const text = randomText(next, PLAIN_PIECES, 40);
			expect(markdownToPlain(plainToMarkdown(text))).toBe(text);
			expect(markdownToPlain(telegramToMarkdown(text, []))).toBe(text);
			expect(markdownToPlain(telegramToMarkdown(text, undefined))).toBe(text);
		}
	});
});

describe('Telegram entities become markdown', () => {
	const md = (text: string, entities: TelegramEntity[]) => telegramToMarkdown(text, entities);

	it('bold, italic, strikethrough, code', () => {
		expect(md('Hello bold world', [{ type: 'bold', offset: 6, length: 4 }])).toBe(
			'Hello **bold** world',
		);
		expect(md('an italic word', [{ type: 'italic', offset: 3, length: 6 }])).toBe(
			'an *italic* word',
		);
		expect(md('old price', [{ type: 'strikethrough', offset: 0, length: 3 }])).toBe(
			'~~old~~ price',
		);
		expect(md('run ls -la now', [{ type: 'code', offset: 4, length: 6 }])).toBe('run `ls -la` now');
		expect(md('a `tick`', [{ type: 'code', offset: 2, length: 6 }])).toBe('a `` `tick` ``');
	});

	it('bold containing italic, and both on the same word', () => {
		const nested = md('very bold and italic', [
			{ type: 'bold', offset: 0, length: 20 },
			{ type: 'italic', offset: 14, length: 6 },
		]);
		expect(nested).toBe('**very bold and *italic***');
		expect(markdownToTelegramHtml(nested)).toBe('<b>very bold and <i>italic</i></b>');
		const same = md('both', [
			{ type: 'italic', offset: 0, length: 4 },
			{ type: 'bold', offset: 0, length: 4 },
		]);
		expect(markdownToTelegramHtml(same)).toMatch(/^<(b|i)><(i|b)>both<\/\2><\/\1>$/);
	});

	it('adjacent entities stay apart', () => {
		const adjacent = md('ab', [
			{ type: 'italic', offset: 0, length: 1 },
			{ type: 'bold', offset: 1, length: 1 },
		]);
		expect(markdownToTelegramHtml(adjacent)).toBe('<i>a</i><b>b</b>');
		const two = md('one two', [
			{ type: 'bold', offset: 0, length: 3 },
			{ type: 'bold', offset: 4, length: 3 },
		]);
		expect(markdownToTelegramHtml(two)).toBe('<b>one</b> <b>two</b>');
	});

	it('markup characters inside formatting are still escaped', () => {
		const text = 'use snake_case and 2*3';
		const out = md(text, [{ type: 'bold', offset: 4, length: 10 }]);
		expect(out).toBe('use **snake\\_case** and 2\\*3');
		expect(markdownToPlain(out)).toBe(text);
	});

	it('spaces at the edge of an entity stay outside the markers', () => {
		expect(md('say hi there', [{ type: 'bold', offset: 3, length: 4 }])).toBe('say **hi** there');
	});

	it('text links, and plain urls / mentions / hashtags / underline / spoiler', () => {
		expect(
			md('see the docs', [{ type: 'text_link', offset: 8, length: 4, url: 'https://e.x/a_(b)' }]),
		).toBe('see the [docs](https://e.x/a_\\(b\\))');
		expect(
			md('@bob #tag https://e.x under secret', [
				{ type: 'mention', offset: 0, length: 4 },
				{ type: 'hashtag', offset: 5, length: 4 },
				{ type: 'url', offset: 10, length: 11 },
				{ type: 'underline', offset: 22, length: 5 },
				{ type: 'spoiler', offset: 28, length: 6 },
			]),
		).toBe('@bob #tag https://e.x under secret');
		const bold = md('click here', [
			{ type: 'bold', offset: 0, length: 10 },
			{ type: 'text_link', offset: 6, length: 4, url: 'https://e.x' },
		]);
		expect(markdownToTelegramHtml(bold)).toBe('<b>click <a href="https://e.x">here</a></b>');
	});

	it('code blocks on their own lines, with the language', () => {
		const text = 'Look:\nconst a = `x`;\n```\nend';
		const out = md(text, [{ type: 'pre', offset: 6, length: 18, language: 'js' }]);
		expect(out).toBe('Look:\n````js\nconst a = `x`;\n```\n````\nend');
		expect(markdownToPlain(out)).toBe(text);
		expect(markdownToTelegramHtml(out)).toBe(
			'Look:\n<pre><code class="language-js">const a = `x`;\n```</code></pre>\nend',
		);
		// inside a line a code block can only be inline code
		expect(md('a b c', [{ type: 'pre', offset: 2, length: 1 }])).toBe('a `b` c');
	});

	it('emoji are never split, around and inside entities (UTF-16 offsets)', () => {
		const text = `${THUMB} great ${FAMILY} ${FLAG}!`;
		const out = md(text, [
			{ type: 'bold', offset: 0, length: 4 },
			{ type: 'italic', offset: 11, length: FAMILY.length },
			{ type: 'code', offset: 12 + FAMILY.length, length: 4 },
		]);
		expect(out).toBe(`**${THUMB}** great *${FAMILY}* \`${FLAG}\`!`);
		expect(markdownToPlain(out)).toBe(text);
		// an entity ending inside an emoji covers the whole emoji
		const cut = md(`x ${THUMB}`, [{ type: 'bold', offset: 2, length: 1 }]);
		expect(cut).toBe(`x **${THUMB}**`);
	});

	it('gives up formatting, never text, where markdown could not read it', () => {
		// CommonMark reads no bold in a**(x)**b: the text stays, the bold goes
		const text = 'a(x)b and *this*';
		const out = md(text, [
			{ type: 'bold', offset: 1, length: 3 },
			{ type: 'italic', offset: 10, length: 6 },
		]);
		expect(markdownToPlain(out)).toBe(text);
		expect(markdownToTelegramHtml(out)).toBe('a(x)b and <i>*this*</i>');
	});

	it('random texts with random entities keep their text and never throw', () => {
		const next = seededRandom(42);
		const types = ['bold', 'italic', 'strikethrough', 'code', 'pre', 'underline', 'spoiler', 'url'];
		for (let k = 0; k < 2000; k++) {
			const text = randomText(next, PLAIN_PIECES, 30);
			const entities: TelegramEntity[] = [];
			const count = Math.floor(next() * 4);
			for (let e = 0; e < count; e++) {
				const offset = Math.floor(next() * (text.length + 1));
				const length = 1 + Math.floor(next() * (text.length - offset + 1));
				const type = types[Math.floor(next() * types.length)];
				entities.push({ type, offset, length, language: next() < 0.5 ? 'py' : undefined });
			}
			const out = telegramToMarkdown(text, entities);
			expect(markdownToPlain(out)).toBe(text);
			expect(checkTelegramHtml(markdownToTelegramHtml(out))).toBeUndefined();
		}
	});

	it('nonsense entities are ignored', () => {
		const broken = [
			null,
			{ type: 'bold', offset: -5, length: 7 },
			{ type: 'italic', offset: 'x', length: 2 },
			{ type: 'bold', offset: 100, length: 3 },
			{ type: 'text_link', offset: 0, length: 1, url: 42 },
		] as unknown as TelegramEntity[];
		expect(telegramToMarkdown('ab_c', broken)).toBe('**ab**\\_c');
		expect(telegramToMarkdown(undefined as unknown as string, broken)).toBe('');
	});
});

describe('WhatsApp formatting becomes markdown', () => {
	it.each([
		['*bold* and _italic_ and ~strike~', '**bold** and *italic* and ~~strike~~'],
		['2*3*4 and snake_case_name', '2\\*3\\*4 and snake\\_case\\_name'],
		['* not bold * and *not closed', '\\* not bold \\* and \\*not closed'],
		['a*b*c', 'a\\*b\\*c'],
		['(*yes*)', '(**yes**)'],
		['*_both_*', '***both***'],
		['use `npm ci` or ```make all```', 'use `npm ci` or `make all`'],
		['```\nline 1\nline *2*\n```', '```\nline 1\nline *2*\n```'],
		['[x](y) \\ > q', '\\[x\\](y) \\\\ > q'],
		['> q', '\\> q'],
		[`*${THUMB}* ${FLAG}`, `**${THUMB}** ${FLAG}`],
		['*multi\nline*', '\\*multi\nline\\*'],
	])('%j', (text, markdown) => {
		expect(whatsappToMarkdown(text)).toBe(markdown);
	});

	it('random texts never throw and keep every character that is not a marker', () => {
		const next = seededRandom(7);
		const noMarkers = PLAIN_PIECES.filter((p) => !/[*_~`]/.test(p));
		for (let k = 0; k < 2000; k++) {
			const text = randomText(next, PLAIN_PIECES, 30);
			const out = whatsappToMarkdown(text);
			expect(typeof out).toBe('string');
			const plain = randomText(next, noMarkers, 30);
			expect(markdownToPlain(whatsappToMarkdown(plain))).toBe(plain);
		}
	});
});

/**
 * Telegram HTML as Telegram accepts it (parse_mode HTML): only the tags the converter may write,
 * balanced, `<a href>` and `<code class="language-…">` the only attributes, `&` only in the four
 * entities, no stray `<` or `>`. Returns the problem, or undefined.
 */
function checkTelegramHtml(html: string): string | undefined {
	const allowed: Record<string, RegExp> = {
		b: /^$/,
		i: /^$/,
		s: /^$/,
		blockquote: /^$/,
		pre: /^$/,
		code: /^(?: class="language-[A-Za-z0-9_+#.-]+")?$/,
		a: /^ href="[^"<>]*"$/,
	};
	const stack: string[] = [];
	const token = /<(\/?)([a-z]+)([^<>]*)>|&(?:lt|gt|amp|quot);|[^<>&]+|[\s\S]/g;
	let m: RegExpExecArray | null;
	while ((m = token.exec(html)) !== null) {
		const [all, closing, name, attributes] = m;
		if (name === undefined) {
			if (all === '<' || all === '>' || all === '&') return `stray ${all} at ${m.index}`;
			continue;
		}
		if (!(name in allowed)) return `tag ${name}`;
		if (closing) {
			if (attributes) return `attributes on </${name}>`;
			if (stack.pop() !== name) return `unbalanced </${name}> at ${m.index}`;
			continue;
		}
		if (!allowed[name].test(attributes)) return `attributes ${attributes} on <${name}>`;
		if (name === 'a' && /&(?!(?:lt|gt|amp|quot);)/.test(attributes)) return 'raw & in href';
		if (name === 'a' && stack.includes('a')) return 'link in link';
		stack.push(name);
	}
	return stack.length ? `unclosed <${stack[stack.length - 1]}>` : undefined;
}

describe('TeamSpirit markdown to the channels', () => {
	const sample =
		'**Hi** *there* _you_ ~~old~~ `a<b>&c` [docs](https://e.x/?a=1&b="2") [https://e.x](https://e.x)\n' +
		'> quoted **line**\n> second\n```py\nif a < b: print("&")\n```\n\\*not bold\\* 2 > 1 **unclosed';

	it('Telegram HTML', () => {
		expect(markdownToTelegramHtml(sample)).toBe(
			'<b>Hi</b> <i>there</i> <i>you</i> <s>old</s> <code>a&lt;b&gt;&amp;c</code> ' +
				'<a href="https://e.x/?a=1&amp;b=&quot;2&quot;">docs</a> <a href="https://e.x">https://e.x</a>\n' +
				'<blockquote>quoted <b>line</b>\nsecond</blockquote>\n' +
				'<pre><code class="language-py">if a &lt; b: print("&amp;")</code></pre>\n' +
				'*not bold* 2 &gt; 1 **unclosed',
		);
	});

	it('WhatsApp', () => {
		expect(markdownToWhatsApp(sample)).toBe(
			'*Hi* _there_ _you_ ~old~ `a<b>&c` docs (https://e.x/?a=1&b="2") https://e.x\n' +
				'> quoted *line*\n> second\n```if a < b: print("&")```\n' +
				'*not bold* 2 > 1 **unclosed',
		);
		expect(markdownToWhatsApp('** spaced ** and ** x**')).toBe('** spaced ** and ** x**');
		expect(markdownToWhatsApp('**x **y')).toBe('**x **y');
	});

	it('plain text (Messenger)', () => {
		expect(markdownToPlain(sample)).toBe(
			'Hi there you old a<b>&c docs (https://e.x/?a=1&b="2") https://e.x\n' +
				'> quoted line\n> second\nif a < b: print("&")\n' +
				'*not bold* 2 > 1 **unclosed',
		);
	});

	it.each([
		['***both***', '<i><b>both</b></i>'],
		['a**b**c and snake_case_name', 'a<b>b</b>c and snake_case_name'],
		['`` a ` b ``', '<code>a ` b</code>'],
		['```\nunclosed fence', '```\nunclosed fence'],
		['[link](javascript:alert(1))', 'link (javascript:alert(1))'],
		['[*a*](https://e.x) `x', '<a href="https://e.x"><i>a</i></a> `x'],
		['<script>&nbsp;', '&lt;script&gt;&amp;nbsp;'],
		[`**${THUMB}** *${FAMILY}*`, `<b>${THUMB}</b> <i>${FAMILY}</i>`],
	])('%j as Telegram HTML', (markdown, html) => {
		expect(markdownToTelegramHtml(markdown)).toBe(html);
	});

	it('Telegram HTML is well-formed for random markdown, and nothing throws', () => {
		const next = seededRandom(99);
		for (let k = 0; k < 3000; k++) {
			const markdown = randomText(next, MARKDOWN_PIECES, 25);
			const html = markdownToTelegramHtml(markdown);
			expect(checkTelegramHtml(html)).toBeUndefined();
			expect(typeof markdownToWhatsApp(markdown)).toBe('string');
			expect(typeof markdownToPlain(markdown)).toBe('string');
			expect(typeof whatsappToMarkdown(markdown)).toBe('string');
		}
	});

	it('the HTML checker catches what Telegram rejects', () => {
		expect(checkTelegramHtml('<b>x</b><i>y</i>')).toBeUndefined();
		expect(checkTelegramHtml('<b>x')).toBeDefined();
		expect(checkTelegramHtml('<b><i>x</b></i>')).toBeDefined();
		expect(checkTelegramHtml('a < b')).toBeDefined();
		expect(checkTelegramHtml('a & b')).toBeDefined();
		expect(checkTelegramHtml('<u>x</u>')).toBeDefined();
		expect(checkTelegramHtml('<a href="x" onclick="y">x</a>')).toBeDefined();
	});
});
