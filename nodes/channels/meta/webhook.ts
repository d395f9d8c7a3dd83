/**
 * What Meta's webhooks are for every Meta channel: the GET subscription handshake
 * (`hub.mode=subscribe`, `hub.verify_token`, answered with `hub.challenge`), and POST deliveries
 * signed with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, keyed with the App
 * Secret>`, compared in constant time (timingSafeEqual). A channel's trigger uses these as the
 * `handshake` and `verify` steps of the receive pipeline (../receive.ts).
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';

import { headerValue, safeEqual, verifyHmacSignature } from '../../shared/signature';
import { Refusal } from '../receive';

/** Answers the webhook request with a plain text body (Meta reads only the status). */
export function answerPlain(
	ctx: IWebhookFunctions,
	status: number,
	body: string,
): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(status);
	res.setHeader('Content-Type', 'text/plain; charset=utf-8');
	res.end(body);
	return { noWebhookResponse: true };
}

/** Meta's subscription handshake: the challenge back when mode and verify token are right, else 403. */
export function answerHandshake(
	ctx: IWebhookFunctions,
	verifyToken: string,
	label: string,
): IWebhookResponseData {
	const query = ctx.getQueryData() as IDataObject;
	const hub = (query.hub ?? {}) as IDataObject;
	const mode = query['hub.mode'] ?? hub.mode;
	const token = query['hub.verify_token'] ?? hub.verify_token;
	const challenge = query['hub.challenge'] ?? hub.challenge;
	if (mode !== 'subscribe' || typeof challenge !== 'string' || !safeEqual(verifyToken, token)) {
		ctx.logger.warn(`${label}: subscription handshake with a wrong verify token or mode refused`);
		return answerPlain(ctx, 403, 'Forbidden');
	}
	return answerPlain(ctx, 200, challenge);
}

/** The request's bytes as received (the signature is over them). */
async function rawBodyOf(ctx: IWebhookFunctions): Promise<Buffer | undefined> {
	const request = ctx.getRequestObject();
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function')
		await request.readRawBody();
	return Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined;
}

/**
 * A signed delivery's JSON body, or the Refusal to answer: 401 when X-Hub-Signature-256 is
 * missing or does not match the raw bytes, 400 when the bytes are not JSON.
 */
export async function signedDelivery(
	ctx: IWebhookFunctions,
	appSecret: string,
): Promise<IDataObject | Refusal> {
	const raw = await rawBodyOf(ctx);
	const signature = headerValue(
		ctx.getHeaderData() as Record<string, string | string[] | undefined>,
		'x-hub-signature-256',
	);
	const secret = { algorithm: 'sha256' as const, secret: appSecret, prefix: 'sha256=' };
	if (!raw || !appSecret || !verifyHmacSignature({ ...secret, parts: [raw], signature }))
		return new Refusal(
			401,
			'Unauthorized: X-Hub-Signature-256 does not match',
			'delivery with a missing or wrong X-Hub-Signature-256 refused',
		);
	try {
		return jsonParse<IDataObject>(raw.toString('utf8'));
	} catch {
		return new Refusal(400, 'Bad Request: the body is not JSON');
	}
}
