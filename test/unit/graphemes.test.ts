import { quickReplies } from '../../nodes/channels/messenger/actions';
import { splitHtml, splitText } from '../../nodes/channels/text';
import type { SendContext } from '../../nodes/channels/types';
import { truncateGraphemes } from '../../nodes/shared/graphemes';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (text: string) => [...segmenter.segment(text)].map((s) => s.segment);

/** Every cluster of `part` is a whole cluster of the original, in order. */
function expectWholeClusters(parts: string[], original: string): void {
	const all = graphemes(original);
	const seen = parts.flatMap(graphemes).filter((g) => g.trim());
	expect(seen).toEqual(all.filter((g) => g.trim()));
}

const FLAGS = '🇩🇪🇫🇷🇮🇹🇪🇸🇵🇱🇳🇱🇧🇪🇦🇹🇨🇭🇩🇰';
const CODERS = '👩‍💻👨‍👩‍👧‍👦🧑🏽‍🚀❤️‍🔥';

describe('cutting text to a limit keeps emoji, flags and ZWJ sequences whole', () => {
	it.each([
		['Yes please 🇩🇪🇫🇷🇮🇹'],
		['OK 👩‍💻👩‍💻👩‍💻👩‍💻'],
		['Team 👍🏽👍🏽👍🏽👍🏽👍🏽'],
		['Reservations for Zoe\u0308'],
	])('a Messenger quick-reply title longer than 20 ends on a whole character: %s', (text) => {
		const [reply] = quickReplies({} as SendContext, [[{ text, callbackData: 'x' }]])!;
		const title = String(reply.title);
		expect(title.length).toBeLessThanOrEqual(20);
		expect(text.startsWith(title)).toBe(true);
		expect(graphemes(text).slice(0, graphemes(title).length)).toEqual(graphemes(title));
	});

	it('a long text of flags is never split between the two halves of a flag', () => {
		const text = FLAGS.repeat(20);
		for (const limit of [7, 9, 10, 13, 101]) {
			const parts = splitText(text, limit);
			for (const part of parts) expect(part.length).toBeLessThanOrEqual(limit);
			expect(parts.join('')).toBe(text);
			expectWholeClusters(parts, text);
		}
	});

	it('a long text of ZWJ sequences and skin tones is never split inside one', () => {
		const text = CODERS.repeat(30);
		for (const limit of [12, 17, 40, 1600]) {
			const parts = splitText(text, limit);
			for (const part of parts) expect(part.length).toBeLessThanOrEqual(limit);
			expectWholeClusters(parts, text);
		}
	});

	it('a word boundary before a combining mark is not a place to cut', () => {
		const text = `${'a'.repeat(10)} \u0301${'b'.repeat(10)}`;
		const parts = splitText(text, 12);
		expectWholeClusters(parts, text);
	});

	it('HTML parts cut hard inside a run of flags keep every flag whole', () => {
		const text = `<b>xy${FLAGS.repeat(10)}</b>`;
		const parts = splitHtml(text, 40);
		expect(parts.length).toBeGreaterThan(1);
		expectWholeClusters(
			parts.map((p) => p.replace(/<[^>]+>/g, '')),
			`xy${FLAGS.repeat(10)}`,
		);
	});

	it('truncating keeps whole clusters and drops one that does not fit', () => {
		expect(truncateGraphemes('ab🇩🇪', 5)).toBe('ab');
		expect(truncateGraphemes('ab🇩🇪', 6)).toBe('ab🇩🇪');
		expect(truncateGraphemes('short', 20)).toBe('short');
	});
});
