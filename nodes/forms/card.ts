/**
 * A form submission as a card in TeamSpirit markdown (docs/teamspirit-api.md, "Markdown"): the
 * title in bold, then one line per field, `**Label:** value`. Every label and value is escaped
 * (`plainToMarkdown`, mentions quietened), so what a visitor typed shows exactly as typed and can
 * neither format the card nor notify anyone. A value of several lines follows its label as a
 * quote, one `> ` line per line. Pure: unit-tested without n8n.
 */
import { plainToMarkdown } from '../shared/markdown/write';

/** The most characters of one value shown in the card; the rest is cut with a note. */
export const MAX_VALUE_CHARS = 4000;

/** A file of the submission, as the card names it. */
export interface CardFile {
	name: string;
	size?: number;
}

export interface CardInput {
	title: string;
	fields: Array<[string, unknown]>;
	/** Files that could not travel with the card (an incoming webhook takes none): named in it. */
	notAttached?: CardFile[];
}

const esc = (text: string) => plainToMarkdown(text, { quietMentions: true });

/** A field's value as text: lists joined, n8n Form Trigger's file entries by their name. */
export function valueText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean') return String(value);
	if (Array.isArray(value)) return value.map(valueText).filter(Boolean).join(', ');
	if (typeof value === 'object') {
		const file = value as { filename?: unknown; fileName?: unknown };
		const name = file.filename ?? file.fileName;
		if (typeof name === 'string') return name;
		return JSON.stringify(value);
	}
	return String(value);
}

function cut(text: string): string {
	if (text.length <= MAX_VALUE_CHARS) return text;
	return `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length - MAX_VALUE_CHARS} more characters)`;
}

function fieldLines(label: string, value: unknown): string[] {
	const text = cut(valueText(value).replace(/\r\n?/g, '\n').trim());
	const head = `**${esc(label.replace(/\s+/g, ' ').trim())}:**`;
	if (!text) return [`${head} —`];
	const lines = text.split('\n');
	if (lines.length === 1) return [`${head} ${esc(lines[0])}`];
	return [head, ...lines.map((line) => (line.trim() ? `> ${esc(line)}` : '>'))];
}

/** "12 KB" style sizes for the names of files that were not attached. */
function sizeText(bytes: number | undefined): string {
	if (bytes === undefined || !Number.isFinite(bytes)) return '';
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
	return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The card's markdown. */
export function formCard({ title, fields, notAttached = [] }: CardInput): string {
	const lines = [`**${esc(title.replace(/\s+/g, ' ').trim() || 'Form submission')}**`];
	for (const [label, value] of fields) lines.push(...fieldLines(label, value));
	if (notAttached.length) {
		const names = notAttached.map((f) =>
			f.size === undefined ? f.name : `${f.name} (${sizeText(f.size)})`,
		);
		lines.push(
			`**Files not attached (an incoming webhook takes no files):** ${esc(names.join(', '))}`,
		);
	}
	return lines.join('\n');
}
