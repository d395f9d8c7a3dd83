/** `GET widget.js` and `GET widget.css`: the widget, served to any page (the API checks origins). */
import { createHash } from 'crypto';
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { TriggerEndpoint } from '../../types';
import { applyCors } from '../cors';
import { WIDGET_SCRIPT, WIDGET_STYLE, WIDGET_VERSION } from '../widget/assets';

const etagOf = (text: string) =>
	`"${WIDGET_VERSION}-${createHash('sha256').update(text).digest('base64url').slice(0, 16)}"`;

function serve(ctx: IWebhookFunctions, body: string, type: string): IWebhookResponseData {
	applyCors(ctx);
	const res = ctx.getResponseObject();
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

export const assetEndpoints: TriggerEndpoint[] = [
	{
		name: 'widgetScript',
		httpMethod: 'GET',
		path: 'widget.js',
		handle: async (ctx) => serve(ctx, WIDGET_SCRIPT, 'text/javascript; charset=utf-8'),
	},
	{
		name: 'widgetStyle',
		httpMethod: 'GET',
		path: 'widget.css',
		handle: async (ctx) => serve(ctx, WIDGET_STYLE, 'text/css; charset=utf-8'),
	},
];
