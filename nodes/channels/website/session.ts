/**
 * A website visitor's session: an anonymous visitor id and a token the widget keeps in
 * localStorage, `v1.<visitorId>.<issuedAt base36>.<sig>`, signed with the credential's Session
 * Secret (HMAC-SHA256, compared in constant time), valid 180 days. Nothing is stored on the
 * server: any n8n process checks any token.
 */
import { createHmac, randomBytes } from 'crypto';

import { safeEqual } from '../../shared/signature';

/** How long a token is valid. */
const SESSION_LIFETIME_MS = 180 * 24 * 60 * 60 * 1000;

const TOKEN = /^v1\.(v_[A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;

export interface Session {
	visitorId: string;
	/** When the token was issued (ms since the epoch). */
	issuedAt: number;
	token: string;
}

/** A new visitor id: `v_` and 22 base64url characters (128 random bits). */
export function newVisitorId(): string {
	return `v_${randomBytes(16).toString('base64url')}`;
}

function signature(secret: string, visitorId: string, issuedAt: string): string {
	return createHmac('sha256', secret)
		.update(`n8n-nodes-teamspirit website session\n${visitorId}\n${issuedAt}`)
		.digest('base64url');
}

/** A token for the visitor, issued now. */
export function issueSession(secret: string, visitorId: string, now = Date.now()): Session {
	const issued = now.toString(36);
	const token = `v1.${visitorId}.${issued}.${signature(secret, visitorId, issued)}`;
	return { visitorId, issuedAt: now, token };
}

/**
 * The session a token stands for, or undefined when it is not one this secret signed, or is
 * older than 180 days (or issued in the future).
 */
export function readSession(secret: string, token: unknown, now = Date.now()): Session | undefined {
	if (typeof token !== 'string' || !secret) return undefined;
	const match = TOKEN.exec(token);
	if (!match) return undefined;
	const [, visitorId, issued, sig] = match;
	if (!safeEqual(sig, signature(secret, visitorId, issued))) return undefined;
	const issuedAt = parseInt(issued, 36);
	// a minute of clock difference between n8n processes is tolerated
	if (!(issuedAt <= now + 60_000) || now - issuedAt > SESSION_LIFETIME_MS) return undefined;
	return { visitorId, issuedAt, token };
}
