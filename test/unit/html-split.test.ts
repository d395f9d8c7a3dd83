import { splitHtml } from '../../nodes/channels/text';
import { parseFormatted } from '../emulators/telegram';
import { seededRandom } from '../helpers/random';

const TAGS = ['b', 'i', 'u', 's', 'tg-spoiler', 'code', 'pre', 'a href="https://x.y/?a=1&amp;b=2"', 'blockquote'];
const WORDS = ['word', 'x', '&amp;', '&lt;', '&gt;', '&quot;', '🇩🇪', '👩‍💻', '👍🏽', 'e\u0301', ' ', ' ', '\n', '\n\n', 'a.b-c!'];

/** Random well-formed Telegram HTML: nested tags around words, entities and emoji. */
function randomHtml(random: () => number, depth = 0): string {
	let out = '';
	const count = 1 + Math.floor(random() * 12);
	for (let i = 0; i < count; i++) {
		if (depth < 3 && random() < 0.25) {
			const tag = TAGS[Math.floor(random() * TAGS.length)];
			const name = tag.split(' ')[0];
			out += `<${tag}>${randomHtml(random, depth + 1)}</${name}>`;
		} else {
			out += WORDS[Math.floor(random() * WORDS.length)];
		}
	}
	return out;
}

const squeeze = (text: string) => text.replace(/\s+/g, '');

describe('HTML is split only where Telegram accepts every part', () => {
	it('property: random nested HTML at random limits, every part parses and fits, nothing is lost', () => {
		const seed = 11;
		const random = seededRandom(seed);
		for (let n = 0; n < 1500; n++) {
			const html = randomHtml(random);
			const limit = 80 + Math.floor(random() * 60);
			const parts = splitHtml(html, limit);
			const shown = parts.map((part) => {
				try {
					return parseFormatted(part, 'HTML', limit, 'text').text;
				} catch (error) {
					throw new Error(`case ${n} (seed ${seed}, limit ${limit}): ${(error as Error).message}\nhtml: ${JSON.stringify(html)}\npart: ${JSON.stringify(part)}`);
				}
			});
			expect(squeeze(shown.join(''))).toBe(squeeze(parseFormatted(html, 'HTML', 1e6, 'text').text));
		}
	});
});
