/**
 * Checking signed webhook requests, for every trigger of the package: TeamSpirit's
 * `X-TeamSpirit-Signature`, and the chat channels' own schemes (Telegram's secret token header,
 * Twilio's `X-Twilio-Signature`, Messenger's `X-Hub-Signature-256`).
 *
 * Every comparison of a secret or a signature goes through `safeEqual`: constant time, also when
 * the lengths differ, so that timing reveals neither how much of a guess was right nor how long
 * the expected value is.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type DigestEncoding = 'hex' | 'base64';
export type Bytes = string | Buffer;

function isBytes(value: unknown): value is Bytes {
	return (typeof value === 'string' || Buffer.isBuffer(value)) && value.length > 0;
}

/**
 * Constant-time equality of two secrets or signatures. Both sides are hashed first, so the
 * comparison always runs over 32 bytes whatever the inputs' lengths. Anything that is not a
 * non-empty string or Buffer (a missing header, an array of headers, an empty secret) is unequal
 * to everything, itself included.
 */
export function safeEqual(a: unknown, b: unknown): boolean {
	if (!isBytes(a) || !isBytes(b)) return false;
	const left = createHash('sha256').update(a).digest();
	const right = createHash('sha256').update(b).digest();
	return timingSafeEqual(left, right);
}

/** HMAC of the concatenated parts (strings are taken as UTF-8; Buffers as they are). */
export function hmacDigest(
	algorithm: HmacAlgorithm,
	key: Bytes,
	parts: Bytes[],
	encoding: DigestEncoding = 'hex',
): string {
	const hmac = createHmac(algorithm, key);
	for (const part of parts) hmac.update(part);
	return hmac.digest(encoding);
}

export interface HmacSignatureCheck {
	algorithm: HmacAlgorithm;
	/** The shared secret. An empty secret never verifies anything. */
	secret: Bytes;
	/** What was signed, in order: e.g. `[timestamp, '.', rawBody]`. Use the raw request bytes. */
	parts: Bytes[];
	/** The signature as received (a header value); undefined when the header was missing. */
	signature: string | undefined;
	/** Scheme prefix in front of the digest, e.g. `sha256=` (matched case-insensitively). */
	prefix?: string;
	encoding?: DigestEncoding;
}

/** True when `signature` is `prefix` + the HMAC of `parts` under `secret`; compared in constant time. */
export function verifyHmacSignature(check: HmacSignatureCheck): boolean {
	const { signature, prefix = '', encoding = 'hex' } = check;
	if (typeof signature !== 'string' || check.secret.length === 0) return false;
	const value = signature.trim();
	if (value.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return false;
	let digest = value.slice(prefix.length);
	// hex digests are case-insensitive; base64 is not
	if (encoding === 'hex') digest = digest.toLowerCase();
	const expected = hmacDigest(check.algorithm, check.secret, check.parts, encoding);
	return safeEqual(digest, expected);
}

export type TimestampCheck =
	| { ok: true; ageSeconds: number }
	| { ok: false; reason: 'missing' | 'invalid' | 'too-old' | 'in-the-future'; ageSeconds?: number };

/**
 * Whether a unix-seconds timestamp header is within `toleranceSeconds` of now, in both
 * directions (a delivery signed long ago is a replay; one far in the future is a clock problem
 * or a forgery prepared in advance).
 */
export function checkTimestamp(
	value: string | undefined,
	toleranceSeconds: number,
	nowMs: number = Date.now(),
): TimestampCheck {
	if (value === undefined || value.trim() === '') return { ok: false, reason: 'missing' };
	if (!/^\d{1,12}$/.test(value.trim())) return { ok: false, reason: 'invalid' };
	const ageSeconds = Math.floor(nowMs / 1000) - Number(value.trim());
	if (ageSeconds > toleranceSeconds) return { ok: false, reason: 'too-old', ageSeconds };
	if (ageSeconds < -toleranceSeconds) return { ok: false, reason: 'in-the-future', ageSeconds };
	return { ok: true, ageSeconds };
}

/** One header value: the first one if the header came several times. Names are lower-case in Node. */
export function headerValue(
	headers: Record<string, string | string[] | undefined>,
	name: string,
): string | undefined {
	const value = headers[name.toLowerCase()];
	return Array.isArray(value) ? value[0] : value;
}
