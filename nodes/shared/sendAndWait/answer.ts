/**
 * What an answer is, read from the request (a link's query, a form's body) into n8n's output
 * shapes: `{ data: { approved, respondedAt } }`, `{ data: { text, respondedAt } }`,
 * `{ data: { ...fields, respondedAt } }`.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { FormFieldType } from './properties';
import { FORM_FIELD_TYPES } from './properties';

export type Answer =
	| { kind: 'approval'; approved: boolean }
	| { kind: 'freeText'; text: string }
	| { kind: 'customForm'; fields: IDataObject };

/** A field of the custom form, as the node's Form Elements define it. */
export interface FormField {
	label: string;
	type: FormFieldType;
	required: boolean;
	placeholder: string;
	options: string[];
	multiple: boolean;
}

/** The free-text form's one field (n8n's name for it). */
export const TEXT_FIELD: FormField = {
	label: 'Response',
	type: 'textarea',
	required: true,
	placeholder: '',
	options: [],
	multiple: false,
};

/** Input names of the form fields: `field-0`, `field-1`… (as n8n's forms). */
export const inputName = (index: number) => `field-${index}`;

/** The Form Elements parameter as fields; a field without a label is left out. */
export function formFieldsOf(ctx: IWebhookFunctions): FormField[] {
	const values = ctx.getNodeParameter('formFields.values', []) as IDataObject[];
	return (Array.isArray(values) ? values : []).flatMap((value) => {
		const label = String(value.fieldLabel ?? '').trim();
		if (!label) return [];
		const type = FORM_FIELD_TYPES.includes(value.fieldType as FormFieldType)
			? (value.fieldType as FormFieldType)
			: 'text';
		const options = ((value.fieldOptions as IDataObject | undefined)?.values ??
			[]) as IDataObject[];
		return [
			{
				label,
				type,
				required: value.requiredField === true,
				placeholder: String(value.placeholder ?? ''),
				options: options.map((o) => String(o.option ?? '').trim()).filter(Boolean),
				multiple: type === 'checkbox' || value.multiselect === true,
			},
		];
	});
}

export interface FormReading {
	/** The values by field label, when every field is valid. */
	values?: IDataObject;
	/** Per field index, what is wrong (shown on the form again). */
	errors: Record<number, string>;
	/** What was sent, per field index, to fill the form again. */
	sent: Record<number, string[]>;
}

const asList = (value: unknown): string[] =>
	(Array.isArray(value) ? value : value === undefined || value === null ? [] : [value])
		.map((v) => (typeof v === 'string' ? v : String(v)))
		.filter((v) => v.trim() !== '');

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One field's value from what was sent, or the reason it is not acceptable. */
function fieldValue(field: FormField, sent: string[]): { value?: unknown; error?: string } {
	if (!sent.length) return field.required ? { error: 'This field is required' } : { value: null };
	if (field.options.length && sent.some((v) => !field.options.includes(v))) {
		return { error: 'Choose one of the options' };
	}
	if (field.multiple) return { value: sent };
	if (sent.length > 1) return { error: 'Only one value is allowed' };
	const [text] = sent;
	if (text.length > 10_000) return { error: 'The text is too long (10,000 characters at most)' };
	switch (field.type) {
		case 'number':
			return Number.isFinite(Number(text)) ? { value: Number(text) } : { error: 'Enter a number' };
		case 'email':
			return EMAIL.test(text.trim()) ? { value: text.trim() } : { error: 'Enter an email address' };
		case 'date':
			return DATE.test(text) && !isNaN(Date.parse(text))
				? { value: text }
				: { error: 'Enter a date (YYYY-MM-DD)' };
		default:
			return { value: text };
	}
}

/** Reads a posted form against its fields: the values, or what is wrong with each field. */
export function readForm(fields: FormField[], body: IDataObject): FormReading {
	const reading: FormReading = { errors: {}, sent: {} };
	const values: IDataObject = {};
	fields.forEach((field, index) => {
		const sent = asList(body[inputName(index)]);
		reading.sent[index] = sent;
		const { value, error } = fieldValue(field, sent);
		if (error) reading.errors[index] = error;
		else values[field.label] = value as IDataObject[keyof IDataObject];
	});
	if (!Object.keys(reading.errors).length) reading.values = values;
	return reading;
}

/** n8n's output item for an answer; `respondedAt` last, so no form field replaces it. */
export function answerJson(answer: Answer, extra: IDataObject = {}): IDataObject {
	const respondedAt = new Date().toISOString();
	if (answer.kind === 'approval') {
		return { data: { approved: answer.approved, ...extra, respondedAt } };
	}
	if (answer.kind === 'freeText') return { data: { text: answer.text, ...extra, respondedAt } };
	return { data: { ...answer.fields, ...extra, respondedAt } };
}

/** The approval a link carries (`approved=true|false` in its signed query). */
export function approvalOf(query: IDataObject): boolean {
	return query.approved === 'true';
}

/** The line that replaces the links once an answer counts: "✅ Approved by Anna Petrova". */
export function outcomeText(answer: Answer, by = ''): string {
	const who = by ? ` by ${by}` : '';
	if (answer.kind === 'approval')
		return answer.approved ? `✅ Approved${who}` : `❌ Declined${who}`;
	return `💬 Answered${who}`;
}
