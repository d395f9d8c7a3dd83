/**
 * Checking and reading one TeamSpirit webhook delivery (docs/teamspirit-api.md, "Outgoing webhook
 * deliveries"), without n8n: raw body bytes and headers in, a verdict out.
 */
import type { IDataObject } from 'n8n-workflow';

import { checkTimestamp, headerValue, verifyHmacSignature } from '../../shared/signature';

/** How far a delivery's timestamp may be from our clock, in seconds (the contract's 5 minutes). */
const TIMESTAMP_TOLERANCE_SECONDS = 300;

export interface Delivery {
	event: string;
	/** The body's `id` (`evt_…`); undefined if the body had none. */
	eventId: string | undefined;
	/** `X-TeamSpirit-Delivery` (`dlv_…`); undefined if the header was missing. */
	deliveryId: string | undefined;
	createdAt: string | undefined;
	/** The chat a message.* or chat.* event is about. */
	chatId: string | undefined;
	data: IDataObject;
}

export type DeliveryCheck =
	{ ok: true; delivery: Delivery } | { ok: false; status: 400 | 401; message: string };

export interface DeliveryInput {
	/** The request body exactly as received; undefined when n8n did not keep it. */
	rawBody: Buffer | undefined;
	headers: Record<string, string | string[] | undefined>;
	/**
	 * Secrets the signature may be made with (the webhook's; more than one only when this node
	 * holds several registrations). `null`: the user chose not to verify.
	 */
	secrets: string[] | null;
	nowMs?: number;
}

const reject = (status: 400 | 401, message: string): DeliveryCheck => ({
	ok: false,
	status,
	message,
});

function checkSignature(input: DeliveryInput, rawBody: Buffer): DeliveryCheck | undefined {
	const secrets = (input.secrets ?? []).filter((secret) => secret.length > 0);
	const signature = headerValue(input.headers, 'x-teamspirit-signature');
	const timestamp = headerValue(input.headers, 'x-teamspirit-timestamp');
	if (secrets.length === 0) {
		return reject(
			401,
			'This webhook URL has no TeamSpirit secret here: deactivate and activate the workflow',
		);
	}
	if (!signature) return reject(401, 'Missing X-TeamSpirit-Signature header');
	const time = checkTimestamp(timestamp, TIMESTAMP_TOLERANCE_SECONDS, input.nowMs);
	if (!time.ok && (time.reason === 'missing' || time.reason === 'invalid')) {
		return reject(401, 'Missing or invalid X-TeamSpirit-Timestamp header (unix seconds)');
	}
	const matches = secrets.map((secret) =>
		verifyHmacSignature({
			algorithm: 'sha256',
			secret,
			parts: [String(timestamp).trim(), '.', rawBody],
			signature,
			prefix: 'sha256=',
		}),
	);
	if (!matches.includes(true))
		return reject(401, 'X-TeamSpirit-Signature does not match the body and timestamp');
	if (!time.ok && time.reason === 'too-old') {
		return reject(
			401,
			`X-TeamSpirit-Timestamp is ${time.ageSeconds} s old, ` +
				`more than ${TIMESTAMP_TOLERANCE_SECONDS} s: a replayed delivery`,
		);
	}
	if (!time.ok) {
		return reject(
			401,
			`X-TeamSpirit-Timestamp is ${-(time.ageSeconds ?? 0)} s ahead of this server's clock, ` +
				`more than ${TIMESTAMP_TOLERANCE_SECONDS} s`,
		);
	}
	return undefined;
}

function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function chatOf(event: string, data: IDataObject): string | undefined {
	if (!event.startsWith('message.') && !event.startsWith('chat.')) return undefined;
	// chat.updated carries the whole chat
	const chatId = event === 'chat.updated' && isObject(data.chat) ? data.chat.id : data.chatId;
	return typeof chatId === 'string' ? chatId : undefined;
}

/**
 * Verifies the signature and the timestamp (unless `secrets` is null), then parses the body. The
 * signature is checked over the raw bytes before anything is parsed.
 */
export function checkDelivery(input: DeliveryInput): DeliveryCheck {
	const rawBody = input.rawBody;
	if (rawBody === undefined) return reject(400, 'The request has no body');
	if (input.secrets !== null) {
		const rejected = checkSignature(input, rawBody);
		if (rejected) return rejected;
	}
	let body: unknown;
	try {
		const text = rawBody.toString('utf8');
		body = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
	} catch {
		return reject(400, 'The body is not JSON');
	}
	if (!isObject(body)) return reject(400, 'The body is not a JSON object');
	if (typeof body.event !== 'string' || body.event === '')
		return reject(400, 'The body has no "event"');
	if (!isObject(body.data)) return reject(400, 'The body has no "data" object');
	const deliveryId = headerValue(input.headers, 'x-teamspirit-delivery')?.trim() || undefined;
	const eventId = typeof body.id === 'string' && body.id ? body.id : undefined;
	if (!deliveryId && !eventId)
		return reject(400, 'Neither an X-TeamSpirit-Delivery header nor an "id" in the body');
	return {
		ok: true,
		delivery: {
			event: body.event,
			eventId,
			deliveryId,
			createdAt: typeof body.createdAt === 'string' ? body.createdAt : undefined,
			chatId: chatOf(body.event, body.data),
			data: body.data,
		},
	};
}
