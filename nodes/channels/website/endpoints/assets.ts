/**
 * `GET widget.js` and `GET widget.css`: the widget, served to any page (the API checks origins).
 * widget.js opened in a browser tab (a navigation, not a `<script>` load) answers a small page with
 * the tag to copy, written with the node's own Production URL: n8n's editor shows a notice's text as
 * written, so the trigger's panel cannot show it with the URL filled in.
 */
import { createHash } from 'crypto';
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { TriggerEndpoint } from '../../types';
import { applyCors } from '../cors';
import { WIDGET_SCRIPT, WIDGET_STYLE, WIDGET_VERSION } from '../widget/assets';

const etagOf = (text: string) =>
	`"${WIDGET_VERSION}-${createHash('sha256').update(text).digest('base64url').slice(0, 16)}"`;

function serve(
	ctx: IWebhookFunctions,
	body: string,
	type: string,
	vary?: string,
): IWebhookResponseData {
	applyCors(ctx);
	const res = ctx.getResponseObject();
	if (vary) res.setHeader('Vary', vary);
	const etag = etagOf(body);
	// the page always asks again (no-cache), and gets 304 while the widget is the same
	res.setHeader('Cache-Control', 'no-cache');
	res.setHeader('ETag', etag);
	res.setHeader('X-Content-Type-Options', 'nosniff');
	const asked = ctx.getHeaderData()['if-none-match'];
	if (typeof asked === 'string' && asked.split(/\s*,\s*/).includes(etag)) {
		res.status(304);
		res.end();
		return { noWebhookResponse: true };
	}
	res.status(200);
	res.setHeader('Content-Type', type);
	res.end(body);
	return { noWebhookResponse: true };
}

/** What decides between the script and the page: a cache keeps one of each. */
const VARY = 'Origin, Sec-Fetch-Dest, Accept';

const header = (ctx: IWebhookFunctions, name: string) => {
	const value = ctx.getHeaderData()[name];
	return typeof value === 'string' ? value.trim().toLowerCase() : '';
};

/**
 * Whether the request is a browser tab opening the URL: `Sec-Fetch-Dest: document` or
 * `Sec-Fetch-Mode: navigate`; without those (an older browser), an Accept that prefers text/html
 * (a `<script>` load sends `*\/*`, as do curl and fetch). A script load is never one.
 */
function isNavigation(ctx: IWebhookFunctions): boolean {
	const dest = header(ctx, 'sec-fetch-dest');
	if (dest === 'script') return false;
	if (dest === 'document' || header(ctx, 'sec-fetch-mode') === 'navigate') return true;
	const ranges = header(ctx, 'accept')
		.split(',')
		.map((range) => {
			const [type, ...params] = range.split(';').map((part) => part.trim());
			const q = params.find((param) => param.startsWith('q='));
			const weight = q === undefined ? 1 : Number(q.slice(2));
			return { type, weight: Number.isFinite(weight) ? weight : 0 };
		})
		.filter((range) => range.type);
	const html = ranges.find((range) => range.type === 'text/html');
	return (
		html !== undefined && html.weight > 0 && ranges.every((range) => range.weight <= html.weight)
	);
}

const escapeHtml = (text: string) =>
	text.replace(
		/[&<>"']/g,
		(c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
	);

/** No script, nothing loaded from elsewhere: only the page's own inline style. */
const PAGE_CSP =
	"default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; " +
	"frame-ancestors 'none'";

const PAGE_STYLE =
	'body{margin:0;background:#fbfcfe;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,' +
	'sans-serif;color:#1f2937}main{max-width:640px;margin:48px auto;padding:32px;background:#fff;' +
	'border:1px solid #dbdfe7;border-radius:8px}h1{font-size:20px;margin:0 0 12px}textarea{width:100%;' +
	'box-sizing:border-box;padding:8px 10px;border:1px solid #dbdfe7;border-radius:6px;' +
	'font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;resize:vertical}code{font-size:13px}';

/** The page that shows the tag to copy into the site's pages. No secrets: anyone may open it. */
function embeddingPage(scriptUrl: string): string {
	const tag = `<script src="${scriptUrl}" async></script>`;
	let origin = '';
	try {
		origin = new URL(scriptUrl).origin;
	} catch {
		origin = scriptUrl;
	}
	return (
		'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">' +
		'<meta name="viewport" content="width=device-width,initial-scale=1">' +
		'<meta name="robots" content="noindex"><title>TeamSpirit Website Chat: the tag for your site</title>' +
		`<style>${PAGE_STYLE}</style></head><body><main>` +
		'<h1>Put the chat on your site</h1>' +
		'<p>Add this tag to the pages that should show the chat (anywhere in the page):</p>' +
		`<textarea readonly rows="3" aria-label="The tag to copy" spellcheck="false">${escapeHtml(tag)}</textarea>` +
		"<p>It is the trigger's <b>Production URL</b> of widget.js: keep the workflow published " +
		'(activated). A test URL takes one request only; the widget needs many.</p>' +
		"<p>Only the sites in the trigger's <b>Allowed Origins</b> can use the chat (scheme, host " +
		'and port, e.g. <code>https://www.example.com</code>; <code>*</code> for any): add your ' +
		"site's there. A site with a Content Security Policy allows " +
		`<code>${escapeHtml(origin)}</code> in script-src, style-src, connect-src and img-src.</p>` +
		'</main></body></html>'
	);
}

function servePage(ctx: IWebhookFunctions): IWebhookResponseData {
	applyCors(ctx);
	const res = ctx.getResponseObject();
	// n8n's own Production URL (its WEBHOOK_URL), not the request's host: behind a proxy that is
	// n8n's address inside, not the one a site reaches
	const url =
		ctx.getNodeWebhookUrl('widgetScript' as never) ?? 'https://<your n8n>/webhook/<id>/widget.js';
	res.status(200);
	res.setHeader('Vary', VARY);
	res.setHeader('Content-Type', 'text/html; charset=utf-8');
	res.setHeader('Content-Security-Policy', PAGE_CSP);
	res.setHeader('X-Content-Type-Options', 'nosniff');
	res.setHeader('Referrer-Policy', 'no-referrer');
	res.setHeader('Cache-Control', 'no-store');
	res.end(embeddingPage(url));
	return { noWebhookResponse: true };
}

export const assetEndpoints: TriggerEndpoint[] = [
	{
		name: 'widgetScript',
		httpMethod: 'GET',
		path: 'widget.js',
		handle: async (ctx) => {
			if (isNavigation(ctx)) return servePage(ctx);
			return serve(ctx, WIDGET_SCRIPT, 'text/javascript; charset=utf-8', VARY);
		},
	},
	{
		name: 'widgetStyle',
		httpMethod: 'GET',
		path: 'widget.css',
		handle: async (ctx) => serve(ctx, WIDGET_STYLE, 'text/css; charset=utf-8'),
	},
];
