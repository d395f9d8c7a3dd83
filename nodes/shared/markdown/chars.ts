/** Character classes the Markdown readers share (CommonMark's, applied by code point). */

const ASCII_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
export const isAsciiPunctuation = (c: string | undefined) =>
	c !== undefined && c.length === 1 && ASCII_PUNCTUATION.includes(c);
/** Whitespace, or no character at all (the start or end of the text). */
export const isSpace = (c: string | undefined) => c === undefined || /\s/u.test(c);
export const isPunctuation = (c: string | undefined) => c !== undefined && /[\p{P}\p{S}]/u.test(c);

/** The character (code point) ending just before `i`. */
export function charBefore(s: string, i: number): string | undefined {
	if (i <= 0) return undefined;
	const low = s.charCodeAt(i - 1);
	if (i >= 2 && low >= 0xdc00 && low <= 0xdfff) {
		const high = s.charCodeAt(i - 2);
		if (high >= 0xd800 && high <= 0xdbff) return s.slice(i - 2, i);
	}
	return s[i - 1];
}

/** The character (code point) starting at `i`. */
export function charAt(s: string, i: number): string | undefined {
	const code = s.codePointAt(i);
	return code === undefined ? undefined : String.fromCodePoint(code);
}
