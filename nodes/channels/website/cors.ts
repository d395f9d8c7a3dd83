/**
 * The widget's CORS: its requests are "simple" (GET, or POST of text/plain or multipart), so the
 * browser sends no preflight and reads an answer only when `Access-Control-Allow-Origin` names its
 * page's origin. n8n's webhook server reflects any `Origin` into that header before the node runs
 * (webhook-request-handler.js, `setupCorsHeaders`): each endpoint sets it here, per the trigger's
 * *Allowed Origins*, and refuses a request from an origin that is not allowed (403). That 403
 * (`origin_not_allowed`, no data) alone names the page's origin, so the widget can read it and
 * stop, instead of seeing a network error and trying again for ever.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

/** The trigger's *Allowed Origins*: `*` or a list of `scheme://host[:port]`. */
function allowedOriginsOf(ctx: Pick<IWebhookFunctions, 'getNodeParameter'>): string[] | '*' {
	const value = String(ctx.getNodeParameter('websiteAllowedOrigins', '*') ?? '*');
	const origins = value
		.split(/[\s,]+/)
		.map((origin) => origin.trim().replace(/\/+$/, '').toLowerCase())
		.filter(Boolean);
	return !origins.length || origins.includes('*') ? '*' : origins;
}

/** Whether a page of `origin` may use the widget. No Origin (not a browser's cross-site request): yes. */
function originAllowed(origin: string | undefined, allowed: string[] | '*'): boolean {
	if (origin === undefined) return true;
	return allowed === '*' || allowed.includes(origin.toLowerCase());
}

function originOf(ctx: IWebhookFunctions): string | undefined {
	const origin = ctx.getHeaderData().origin;
	return typeof origin === 'string' && origin ? origin : undefined;
}

/**
 * Sets the answer's CORS headers for this request: the page's origin when it is allowed, none
 * otherwise. Returns whether the origin is allowed.
 */
export function applyCors(ctx: IWebhookFunctions): boolean {
	const res = ctx.getResponseObject();
	const origin = originOf(ctx);
	const allowed = originAllowed(origin, allowedOriginsOf(ctx));
	res.removeHeader('Access-Control-Allow-Origin');
	res.removeHeader('Access-Control-Allow-Methods');
	res.setHeader('Vary', 'Origin');
	if (origin !== undefined && allowed) {
		res.setHeader('Access-Control-Allow-Origin', origin);
		res.setHeader('Access-Control-Expose-Headers', 'Retry-After, ETag');
	}
	return allowed;
}

/** Lets the page read the 403 `origin_not_allowed` (it carries no data): the widget stops on it. */
export function exposeRefusal(ctx: IWebhookFunctions): void {
	const origin = originOf(ctx);
	if (origin !== undefined)
		ctx.getResponseObject().setHeader('Access-Control-Allow-Origin', origin);
}
