/**
 * Strings a customer controls (names, group titles, file names, location and contact fields) as
 * the bridge puts them into TeamSpirit. Pure functions; none of them throws, whatever the input.
 *
 * - `cleanField`: characters that change how the text around them reads are removed: bidi
 *   overrides, embeddings, isolates and marks (`invoice\u202Efdp.exe` would show "invoiceexe.pdf"),
 *   zero-width characters, C0 and C1 control characters. A zero-width joiner stays only inside
 *   an emoji sequence (👩‍💻), where it cannot hide anything. Line breaks become spaces unless the
 *   field may have lines.
 * - `fieldMarkdown`: a cleaned field as TeamSpirit markdown that shows it literally: no link, no
 *   emphasis, no code, no quote, and no mention (TeamSpirit reads `@username` in any message text
 *   as a mention, docs/teamspirit-api.md "Mentions": a word joiner after such an `@` keeps the
 *   text as it looks and mentions no one).
 * - `fieldPlain`: the same for a `plain` message (nothing is markup there; mentions still are).
 * - `cleanName`, `cleanFileName`: a cleaned field cut to MAX_NAME_LENGTH (a file name is never
 *   empty).
 *
 * The customer's own message text is converted by ./format.ts (`quietMentions`), not here.
 */
import { truncateGraphemes } from '../shared/graphemes';
import { breakMentions, plainToMarkdown } from '../shared/markdown';

/**
 * The most UTF-16 code units of a name or title (a chat's metadata must stay within 4096 bytes,
 * whatever length of profile name a channel passes on).
 */
export const MAX_NAME_LENGTH = 200;

/** Bidi controls (LRE…RLO, LRI…PDI, LRM, RLM, ALM) and invisible format characters. */
const INVISIBLE =
	/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C\u200B\u200C\u2060-\u2064\u206A-\u206F\u180E\uFEFF]/gu;
/** A zero-width joiner outside an emoji sequence. */
const LOOSE_JOINER =
	/(?<![\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F])\u200D|\u200D(?!\p{Extended_Pictographic})/gu;
/** C0 controls but tab and line feed, DEL, C1 controls. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
/** Line breaks of every kind (a carriage return and Unicode's line / paragraph separators too). */
const LINE_BREAK = /\r\n|[\r\u2028\u2029\u0085]/g;

export interface FieldOptions {
	/** The field may have several lines (kept, with tabs); otherwise they become spaces. */
	lines?: boolean;
	/** Cut to at most this many UTF-16 code units, between graphemes (default: no limit). */
	maxLength?: number;
}

/** `value` as text without bidi, zero-width and control characters, trimmed. */
export function cleanField(value: unknown, options: FieldOptions = {}): string {
	let text = typeof value === 'string' ? value : value == null ? '' : String(value);
	text = text
		.replace(LINE_BREAK, '\n')
		.replace(INVISIBLE, '')
		.replace(LOOSE_JOINER, '')
		.replace(CONTROL, '');
	if (!options.lines) text = text.replace(/[\n\t]+/g, ' ').replace(/ {2,}/g, ' ');
	text = text.trim();
	return options.maxLength === undefined ? text : truncateGraphemes(text, options.maxLength).trim();
}

/** A customer's string as plain message text: cleaned, mentioning no one. */
export function fieldPlain(value: unknown, options: FieldOptions = {}): string {
	return breakMentions(cleanField(value, options));
}

/** A customer's string as TeamSpirit markdown that shows it literally and mentions no one. */
export function fieldMarkdown(value: unknown, options: FieldOptions = {}): string {
	return plainToMarkdown(fieldPlain(value, options));
}

/** A name or title from a customer: cleaned, at most MAX_NAME_LENGTH long. */
export const cleanName = (value: unknown): string =>
	cleanField(value, { maxLength: MAX_NAME_LENGTH });

/** A file name from a customer: cleaned, `file` when nothing is left. */
export function cleanFileName(value: unknown): string {
	return cleanField(value, { maxLength: MAX_NAME_LENGTH }) || 'file';
}
