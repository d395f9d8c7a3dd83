/**
 * The pages a person sees after following a link of a wait message: our own, self-contained
 * (inline style, no script, nothing loaded from elsewhere), every text escaped, sent with a
 * Content-Security-Policy that allows nothing but the inline style and posting the form back.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { FormField } from './answer';
import { inputName } from './answer';

type Response = ReturnType<IWebhookFunctions['getResponseObject']>;

export const PAGE_CSP =
	"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; " +
	"frame-ancestors 'none'";

export function escapeHtml(text: unknown): string {
	return String(text ?? '').replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
	);
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;background:#fbfcfe;font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,sans-serif;color:#1f2937}main{max-width:480px;margin:48px auto;padding:32px;
background:#fff;border:1px solid #dbdfe7;border-radius:8px;box-shadow:0 4px 16px rgba(99,77,255,.06)}
h1{font-size:20px;margin:0 0 8px}p{margin:0 0 12px;white-space:pre-wrap;color:#525356}
label{display:block;font-weight:600;margin:16px 0 4px}input[type=text],input[type=email],
input[type=number],input[type=date],textarea,select{width:100%;padding:8px 10px;border:1px solid
#dbdfe7;border-radius:6px;font:inherit}textarea{min-height:110px}.option{font-weight:400;margin:4px 0}
.error{color:#c02626;font-size:13px;margin-top:4px}button{margin-top:24px;width:100%;padding:10px;
border:0;border-radius:6px;background:#ff6d5a;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer}
.mark{font-size:40px;line-height:1;margin-bottom:12px}`;

function page(title: string, body: string): string {
	return (
		`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
		`<meta name="viewport" content="width=device-width,initial-scale=1">` +
		`<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>` +
		`<style>${STYLE}</style></head><body><main>${body}</main></body></html>`
	);
}

/** Sends a page with the security headers; the link's signature stays out of any Referer. */
export function sendPage(res: Response, status: number, html: string): void {
	res.status(status);
	pageHeaders(res);
	res.end(html);
}

/** The headers of a page, set before n8n sends it (a `webhookResponse`). */
export function pageHeaders(res: Response): void {
	res.setHeader('Content-Type', 'text/html; charset=utf-8');
	res.setHeader('Content-Security-Policy', PAGE_CSP);
	res.setHeader('X-Content-Type-Options', 'nosniff');
	res.setHeader('Referrer-Policy', 'no-referrer');
	res.setHeader('Cache-Control', 'no-store');
}

const notice = (mark: string, title: string, text: string) =>
	page(
		title,
		`<div class="mark">${mark}</div><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`,
	);

export const recordedPage = () =>
	notice('✅', 'Got it, thanks', 'Your answer was recorded. This page can be closed now.');

export const alreadyAnsweredPage = (outcome = '') =>
	notice(
		'ℹ️',
		'Already answered',
		`Someone answered before you${outcome ? ` (${outcome})` : ''}: only the first answer counts. ` +
			'Yours was not recorded.',
	);

/**
 * For what may be a link preview (a bot, or an in-app browser that looks like one): a page that
 * answers nothing by being fetched, with the link's answer as one button. The button posts to the
 * same signed address (no `action`: the form posts to the page's own URL, query included), so a
 * person answers with one more tap; a preview fetches with GET and never presses it.
 */
export const previewPage = (button: string) =>
	page(
		'Answer requested',
		`<div class="mark">🔗</div><h1>Answer requested</h1>` +
			`<p>Press the button to send your answer.</p>` +
			`<form method="POST"><button type="submit">${escapeHtml(button)}</button></form>`,
	);

export interface FormPage {
	title: string;
	description: string;
	button: string;
	fields: FormField[];
	/** What was sent last time, per field index (shown again after an error). */
	sent?: Record<number, string[]>;
	errors?: Record<number, string>;
}

function control(field: FormField, index: number, sent: string[]): string {
	const name = inputName(index);
	const required = field.required && !field.multiple ? ' required' : '';
	const placeholder = field.placeholder ? ` placeholder="${escapeHtml(field.placeholder)}"` : '';
	const value = escapeHtml(sent[0] ?? '');
	if (field.type === 'textarea') {
		return `<textarea id="${name}" name="${name}"${placeholder}${required}>${value}</textarea>`;
	}
	if (field.type === 'checkbox') {
		return field.options
			.map(
				(o) =>
					`<label class="option"><input type="checkbox" name="${name}" value="${escapeHtml(o)}"` +
					`${sent.includes(o) ? ' checked' : ''}> ${escapeHtml(o)}</label>`,
			)
			.join('');
	}
	if (field.type === 'dropdown') {
		const options = field.options.map(
			(o) =>
				`<option value="${escapeHtml(o)}"${sent.includes(o) ? ' selected' : ''}>${escapeHtml(o)}</option>`,
		);
		const multiple = field.multiple ? ' multiple' : '';
		const empty = field.multiple ? '' : '<option value=""></option>';
		return `<select id="${name}" name="${name}"${multiple}${required}>${empty}${options.join('')}</select>`;
	}
	const type = field.type === 'text' ? 'text' : field.type;
	return `<input type="${type}" id="${name}" name="${name}" value="${value}"${placeholder}${required}>`;
}

/** The free-text or custom form; it posts back to its own (signed) address. */
export function formPage(form: FormPage): string {
	const fields = form.fields.map((field, index) => {
		const error = form.errors?.[index];
		return (
			`<label for="${inputName(index)}">${escapeHtml(field.label)}${field.required ? ' *' : ''}</label>` +
			control(field, index, form.sent?.[index] ?? []) +
			(error ? `<div class="error">${escapeHtml(error)}</div>` : '')
		);
	});
	const title = form.title ? `<h1>${escapeHtml(form.title)}</h1>` : '';
	const description = form.description ? `<p>${escapeHtml(form.description)}</p>` : '';
	return page(
		form.title || 'Your answer',
		`${title}${description}<form method="POST">${fields.join('')}` +
			`<button type="submit">${escapeHtml(form.button)}</button></form>`,
	);
}
