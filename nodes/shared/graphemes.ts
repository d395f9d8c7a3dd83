/**
 * Cutting text to a limit without breaking what a reader sees as one character: an emoji with a
 * skin tone, a flag (two regional indicators), a family joined by ZWJ, a letter with combining
 * accents. Uses `Intl.Segmenter` (a JavaScript global in Node 16+; n8n runs on Node 20/24).
 * Limits are counted in UTF-16 code units: Telegram counts exactly that, and a text of N code units
 * never has more than N characters (code points) as Twilio and Meta count them, so a part within
 * the limit here is within it on every channel.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Offsets (UTF-16) where a grapheme cluster starts, plus `text.length`. */
export function graphemeBoundaries(text: string): number[] {
	const boundaries: number[] = [];
	for (const { index } of segmenter.segment(text)) boundaries.push(index);
	boundaries.push(text.length);
	return boundaries;
}

/** The last grapheme boundary at or before `at` (0 when the first cluster is already longer). */
function graphemeBoundaryAtOrBefore(text: string, at: number): number {
	if (at >= text.length) return text.length;
	let best = 0;
	// segmenting from the start: a window could pair a flag's regional indicators wrongly
	for (const { index } of segmenter.segment(text)) {
		if (index > at) break;
		best = index;
	}
	return best;
}

/**
 * `text` cut to at most `limit` UTF-16 code units, only between grapheme clusters (never half an
 * emoji or a flag). A cluster longer than the whole limit is dropped rather than cut.
 */
export function truncateGraphemes(text: string, limit: number): string {
	if (text.length <= limit) return text;
	return text.slice(0, graphemeBoundaryAtOrBefore(text, limit));
}
