/**
 * How the widget's endpoints answer: JSON bodies, errors as `{ error: { code, message,
 * retryAfter? } }` (429 with a `Retry-After` header), and the request's body as the widget sends
 * it (a JSON string as text/plain, n8n parses it to a string; or multipart fields).
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';

export type ErrorCode =
	| 'bad_request'
	| 'contact_required'
	| 'invalid_token'
	| 'origin_not_allowed'
	| 'not_your_conversation'
	| 'not_found'
	| 'text_too_long'
	| 'file_too_large'
	| 'too_many_files'
	| 'rate_limited'
	| 'unavailable';

/** Answers the request with `body` as JSON; starts nothing. */
export function sendJson(
	ctx: IWebhookFunctions,
	status: number,
	body: unknown,
): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(status);
	res.setHeader('Content-Type', 'application/json; charset=utf-8');
	res.setHeader('Cache-Control', 'no-store');
	res.end(JSON.stringify(body));
	return { noWebhookResponse: true };
}

/** The error body of the widget's API. */
export function errorBody(code: string, message: string, retryAfter?: number): IDataObject {
	return { error: { code, message, ...(retryAfter === undefined ? {} : { retryAfter }) } };
}

export function sendError(
	ctx: IWebhookFunctions,
	status: number,
	code: ErrorCode | string,
	message: string,
	retryAfter?: number,
): IWebhookResponseData {
	if (retryAfter !== undefined)
		ctx.getResponseObject().setHeader('Retry-After', String(retryAfter));
	return sendJson(ctx, status, errorBody(code, message, retryAfter));
}

/** Answers 204 without a body. */
export function sendNoContent(ctx: IWebhookFunctions): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(204);
	res.end();
	return { noWebhookResponse: true };
}

/**
 * The fields of a JSON body: n8n hands a text/plain body over as a string, an application/json
 * one parsed. Undefined when it is not a JSON object.
 */
export function jsonFields(ctx: IWebhookFunctions): IDataObject | undefined {
	const body = ctx.getBodyData() as unknown;
	if (typeof body === 'string') {
		try {
			const parsed = jsonParse<unknown>(body);
			return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
				? (parsed as IDataObject)
				: undefined;
		} catch {
			return undefined;
		}
	}
	return body && typeof body === 'object' && !Array.isArray(body)
		? (body as IDataObject)
		: undefined;
}

/** A string field, or undefined. */
export const stringField = (fields: IDataObject | undefined, name: string): string | undefined =>
	typeof fields?.[name] === 'string' ? (fields[name] as string) : undefined;

/** A query parameter, once (a repeated one is taken as absent). */
export function queryField(ctx: IWebhookFunctions, name: string): string | undefined {
	const value = (ctx.getQueryData() as IDataObject)[name];
	return typeof value === 'string' ? value : undefined;
}
