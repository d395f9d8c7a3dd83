/**
 * Round trips through the one Markdown model (nodes/shared/markdown): random TeamSpirit markdown
 * rendered for a channel and read back as that channel's customer message keeps what a reader sees
 * (the visible text) and the links. Telegram's output is first read the way Telegram reads it: the
 * emulator's MarkdownV2 checker (test/emulators/markdownV2.ts) and its HTML parser.
 */
import { markdownToPlain, plainToMarkdown } from '../../nodes/channels/messenger/format';
import {
	markdownToTelegramHtml,
	markdownToTelegramMarkdownV2,
	telegramToMarkdown,
	type TelegramEntity,
} from '../../nodes/channels/telegram/format';
import { markdownToWhatsApp, whatsappToMarkdown } from '../../nodes/channels/whatsapp/format';
import { readMarkdown, type MarkdownNode } from '../../nodes/shared/markdown';
import { validateMarkdownV2 } from '../emulators/markdownV2';
import { parseFormatted } from '../emulators/telegram';
import { seededRandom } from '../helpers/random';

/** TeamSpirit markdown pieces: every construct, the characters around them, emoji and mentions. */
const PIECES = [
	'a', 'b', 'Z', '1', ' ', ' ', '\n', '\t', '.', ',', '!', '(', ')', '<', '&', '"', '#', '-', '=', '|', '{',
	'👍🏽', '👨‍👩‍👧', '🇩🇪', 'é', '@anna', 'x@y',
	'*', '**', '_', '~~', '`', '[', ']', '\\', '>', '\\*', '\\_', '\\`', '\\\\', '\\>', '\\[',
	'**x**', '*y*', '_z_', '~~s~~', '`c`', '``d`e``', '**b *i* b**', '***bi***', '**a\nb**',
	'\n```js\n', '\n```\n', '\n> ', '> ',
	'[t](https://e.x/?a=1&b="2")', '[**bold** link](https://e.x/a_(b))', '[`code` l](tg://user?id=1)',
	'[t](javascript:alert(1))', '[](https://e.x)', '[x](mailto:a@b.c)', '[https://e.x](https://e.x)',
];

/** The pieces without a character WhatsApp reads as a marker where it shows (`*`, `_`, `~`, `` ` ``). */
const NO_LITERAL_MARKERS = PIECES.filter(
	(piece) => !['*', '**', '_', '~~', '`', '\\*', '\\_', '\\`', '``d`e``'].includes(piece),
);

function randomMarkdown(next: () => number, max: number, pieces = PIECES): string {
	let text = '';
	const n = Math.floor(next() * max);
	for (let k = 0; k < n; k++) text += pieces[Math.floor(next() * pieces.length)];
	return text;
}

type Link = { text: string; url: string };

/**
 * What a reader of TeamSpirit markdown sees, and where it links: the stretches of the visible
 * text that open a url. A link a channel keeps shows its text; one it cannot keep shows
 * `text (url)` (its url is still there to read). A quote's lines show `> ` where the channel
 * shows quotes as text (`quoteMarks`), else nothing.
 */
function seen(
	markdown: string,
	quoteMarks: boolean,
	keeps: (link: Link) => boolean,
): { text: string; links: Array<[string, string]> } {
	const links: Array<[string, string]> = [];
	const walk = (nodes: MarkdownNode[]): string =>
		nodes
			.map((node) => {
				if (node.type === 'text' || node.type === 'code' || node.type === 'pre') return node.text;
				const inner = walk(node.children);
				if (node.type === 'link') {
					if (!keeps({ text: inner, url: node.url })) {
						return !inner || inner === node.url ? node.url : `${inner} (${node.url})`;
					}
					links.push([inner, node.url]);
					return `\u0000${links.length - 1}\u0000${inner}\u0001`;
				}
				if (node.type === 'quote' && quoteMarks) {
					return inner.split('\n').map((line) => (line ? `> ${line}` : '>')).join('\n');
				}
				return inner;
			})
			.join('');
	const marked = walk(readMarkdown(markdown));
	// links next to each other with the same url read as one
	const stretches: Array<[string, string]> = [];
	for (const m of marked.matchAll(/\u0000(\d+)\u0000([^\u0001]*)\u0001/g)) {
		const [, index, text] = m;
		const url = links[Number(index)][1];
		const last = stretches[stretches.length - 1];
		const adjacent = last && marked.slice(0, m.index).endsWith(`${last[0]}\u0001`);
		if (adjacent && last[1] === url) last[0] += text;
		else stretches.push([text, url]);
	}
	return { text: marked.replace(/\u0000\d+\u0000|\u0001/g, ''), links: stretches };
}

/** Links Telegram opens (http, https, tg, mailto) with a text: the others show as `text (url)`. */
const opensOnTelegram = (link: Link) =>
	!!link.text && /^(?:https?:\/\/|tg:\/\/|mailto:)\S+$/i.test(link.url);

/** Telegram HTML read as Telegram reads it: the shown text and its entities (UTF-16 offsets). */
function readTelegramHtml(html: string): { text: string; entities: TelegramEntity[] } {
	const { text: shown } = parseFormatted(html, 'HTML', Infinity, 'text');
	const entities: TelegramEntity[] = [];
	const open: TelegramEntity[] = [];
	const types: Record<string, string> = {
		b: 'bold', i: 'italic', s: 'strikethrough', u: 'underline', 'tg-spoiler': 'spoiler',
		a: 'text_link', code: 'code', pre: 'pre', blockquote: 'blockquote',
	};
	const decode = (s: string) =>
		s.replace(/&(lt|gt|amp|quot);/g, (_, e: string) => ({ lt: '<', gt: '>', amp: '&', quot: '"' })[e]!);
	let text = '';
	for (const m of html.matchAll(/<(\/?)([a-z-]+)([^>]*)>|[^<]+/g)) {
		if (m[2] === undefined) {
			text += decode(m[0]);
			continue;
		}
		if (m[1]) {
			const entity = open.pop()!;
			entity.length = text.length - entity.offset;
			// <pre><code class="language-x"> is one pre entity with a language
			const outer = open[open.length - 1];
			if (entity.type === 'code' && outer?.type === 'pre' && entity.language) outer.language = entity.language;
			else if (entity.length) entities.push(entity);
			continue;
		}
		const entity: TelegramEntity = { type: types[m[2]], offset: text.length, length: 0 };
		const href = /href="([^"]*)"/.exec(m[3]);
		if (href) entity.url = decode(href[1]);
		const language = /class="language-([^"]*)"/.exec(m[3]);
		if (language) entity.language = language[1];
		open.push(entity);
	}
	expect(text).toBe(shown);
	return { text, entities };
}

/** Runs `roundTrip` over random markdown; checks the visible text and the links come back. */
function property(
	seed: number,
	cases: number,
	roundTrip: (markdown: string) => string,
	options: {
		quoteMarks: boolean;
		keeps: (link: Link) => boolean;
		pieces?: string[];
		skip?: (shown: string) => boolean;
	},
) {
	const next = seededRandom(seed);
	let checked = 0;
	for (let n = 0; n < cases; n++) {
		const markdown = randomMarkdown(next, 20, options.pieces);
		const before = seen(markdown, options.quoteMarks, options.keeps);
		if (options.skip?.(before.text)) continue;
		let back: string;
		try {
			back = roundTrip(markdown);
		} catch (error) {
			throw new Error(`case ${n} (seed ${seed}) ${JSON.stringify(markdown)}: ${(error as Error).message}`);
		}
		const after = seen(back, options.quoteMarks, options.keeps);
		const context = `case ${n} (seed ${seed})\nmarkdown: ${JSON.stringify(markdown)}\nback:     ${JSON.stringify(back)}`;
		if (after.text !== before.text) {
			throw new Error(`${context}\nshows ${JSON.stringify(after.text)}, not ${JSON.stringify(before.text)}`);
		}
		if (JSON.stringify(after.links) !== JSON.stringify(before.links)) {
			throw new Error(`${context}\nlinks ${JSON.stringify(after.links)}, not ${JSON.stringify(before.links)}`);
		}
		checked++;
	}
	expect(checked).toBeGreaterThan(cases / 2);
}

describe('TeamSpirit markdown → channel → back keeps the visible text and the links', () => {
	it('Telegram MarkdownV2 (read by the emulator’s MarkdownV2 checker)', () => {
		property(
			20260101,
			3000,
			(markdown) => {
				const { text, entities } = validateMarkdownV2(markdownToTelegramMarkdownV2(markdown));
				return telegramToMarkdown(text, entities);
			},
			{ quoteMarks: false, keeps: opensOnTelegram },
		);
	});

	it('Telegram HTML (read as the emulator reads it)', () => {
		property(
			20260102,
			3000,
			(markdown) => {
				const { text, entities } = readTelegramHtml(markdownToTelegramHtml(markdown));
				return telegramToMarkdown(text, entities);
			},
			{ quoteMarks: false, keeps: opensOnTelegram },
		);
	});

	it('WhatsApp (texts without its marker characters: WhatsApp has no escape for them)', () => {
		property(20260103, 3000, (markdown) => whatsappToMarkdown(markdownToWhatsApp(markdown)), {
			quoteMarks: true,
			keeps: () => false,
			pieces: NO_LITERAL_MARKERS,
			skip: (shown) => /[*_~`]/.test(shown),
		});
	});

	it('Messenger (plain text)', () => {
		property(20260104, 3000, (markdown) => plainToMarkdown(markdownToPlain(markdown)), {
			quoteMarks: true,
			keeps: () => false,
		});
	});
});
