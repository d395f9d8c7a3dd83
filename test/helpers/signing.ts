/**
 * Webhook requests signed as the channels and TeamSpirit sign them, for tests that build a
 * delivery by hand (a tampered body, a replay, re-serialized JSON). Each builder signs one thing
 * and may send another, so a test can show that a signature covers what it should.
 *
 * Twilio's and Meta's signatures are the emulators' (the channels' stand-ins deliver with the same
 * functions); TeamSpirit's is computed here from the contract (docs/teamspirit-api.md). None uses
 * the nodes' own code.
 */
import { createHmac, randomBytes } from 'node:crypto';

import { hubSignature } from '../emulators/graph';
import { twilioSignature } from '../emulators/twilio';

export interface SignedRequest {
	headers: Record<string, string>;
	body: string;
}

/**
 * A Twilio webhook POST: form-encoded `params`, with X-Twilio-Signature over `url` and `signed`
 * (default: the params sent).
 */
export function twilioRequest(
	authToken: string,
	url: string,
	params: Record<string, string>,
	signed: Record<string, string> = params,
): SignedRequest {
	return {
		headers: {
			'content-type': 'application/x-www-form-urlencoded',
			'x-twilio-signature': twilioSignature(authToken, url, signed),
		},
		body: new URLSearchParams(params).toString(),
	};
}

/**
 * A Meta (Messenger) webhook POST: the raw JSON `body`, with X-Hub-Signature-256 over `signed`
 * (default: the bytes sent).
 */
export function metaRequest(appSecret: string, body: string, signed: string = body): SignedRequest {
	return {
		headers: {
			'content-type': 'application/json',
			'x-hub-signature-256': hubSignature(appSecret, signed),
		},
		body,
	};
}

/** X-TeamSpirit-Signature: `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.` + raw body). */
export function teamSpiritSignature(
	secret: string,
	timestamp: string,
	body: string | Buffer,
): string {
	return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** The headers of a TeamSpirit outgoing-webhook delivery of `body`, signed with `secret`. */
export function teamSpiritHeaders(
	secret: string,
	body: string | Buffer,
	opts: { timestamp?: number; event?: string; deliveryId?: string; contentType?: string } = {},
): Record<string, string> {
	const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
	return {
		'content-type': opts.contentType ?? 'application/json',
		'x-teamspirit-event': opts.event ?? 'message.created',
		'x-teamspirit-delivery': opts.deliveryId ?? `dlv_${randomBytes(6).toString('hex')}`,
		'x-teamspirit-timestamp': timestamp,
		'x-teamspirit-signature': teamSpiritSignature(secret, timestamp, body),
	};
}
