/**
 * Which fields of a submission go on the card, and the honeypot. Pure: unit-tested without n8n.
 */

/** What n8n's Form Trigger adds to every submission besides the form's own fields. */
export const DEFAULT_EXCLUDED = ['formMode', 'submittedAt', 'headers', 'formQueryParameters'];

export interface FieldChoice {
	/** 'all': every field except `exclude`; 'selected': `include`, in that order. */
	mode: 'all' | 'selected';
	include: string[];
	exclude: string[];
	/** The honeypot's name ('' none): never on the card. */
	honeypot: string;
}

/** A comma-separated list of names, trimmed, empty entries dropped. */
export function nameList(value: unknown): string[] {
	const list = Array.isArray(value) ? value : String(value ?? '').split(',');
	return list.map((name) => String(name).trim()).filter(Boolean);
}

/** The form's fields as an object: the parameter may hold an object or its JSON text. */
export function fieldsObject(value: unknown): Record<string, unknown> | undefined {
	let parsed = value;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
		return parsed as Record<string, unknown>;
	}
	return undefined;
}

/** The fields on the card, as [label, value], in the form's order (or the chosen list's). */
export function cardFields(
	fields: Record<string, unknown>,
	choice: FieldChoice,
): Array<[string, unknown]> {
	const hidden = new Set([choice.honeypot].filter(Boolean));
	if (choice.mode === 'selected') {
		return choice.include
			.filter((name) => !hidden.has(name) && Object.prototype.hasOwnProperty.call(fields, name))
			.map((name) => [name, fields[name]]);
	}
	for (const name of choice.exclude) hidden.add(name);
	return Object.entries(fields).filter(([name]) => !hidden.has(name));
}

/**
 * A honeypot is filled when its field holds anything but blanks, and not only what the page's
 * link put there: n8n's Form Trigger pre-fills a field from the query parameter of its name
 * (`?Field=…`) and hands the page's query on as `formQueryParameters`, so a link made to carry
 * the honeypot's name cannot silence the people who follow it.
 */
export function honeypotFilled(fields: Record<string, unknown>, honeypot: string): boolean {
	if (!honeypot) return false;
	const value = fields[honeypot];
	if (value === undefined || value === null) return false;
	const query = fields.formQueryParameters;
	if (query && typeof query === 'object' && !Array.isArray(query)) {
		const fromLink = (query as Record<string, unknown>)[honeypot];
		if (fromLink !== undefined && String(fromLink) === String(value)) return false;
	}
	if (typeof value === 'string') return value.trim() !== '';
	if (Array.isArray(value)) return value.some((v) => String(v ?? '').trim() !== '');
	return true;
}
