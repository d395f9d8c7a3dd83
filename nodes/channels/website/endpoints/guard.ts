/**
 * What every widget API request passes first: the page's origin (Allowed Origins, 403) and the
 * visitor's token (401); and how a failure to reach TeamSpirit is answered (503: the widget tries
 * again with the same message).
 */
import type { IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { applyCors, exposeRefusal } from '../cors';
import { readSession, type Session } from '../session';
import { sessionSecretOf } from '../transport';
import { sendError } from './http';

export const LABEL = 'Chat Channel Trigger (Website)';

export const ORIGIN_REFUSED = 'This site may not use the chat (Allowed Origins)';
export const TOKEN_REFUSED = 'The session token is not valid (forged, or older than 180 days)';

/** The 403 of a page whose origin is not allowed (readable by the page: it says only that). */
export function originRefused(ctx: IWebhookFunctions): IWebhookResponseData {
	exposeRefusal(ctx);
	ctx.logger.debug(`${LABEL}: a request from a page of another origin was refused`);
	return sendError(ctx, 403, 'origin_not_allowed', ORIGIN_REFUSED);
}

/** The answer when TeamSpirit could not be reached or refused the bot: 503, try again. */
export function unavailable(ctx: IWebhookFunctions, error: unknown): IWebhookResponseData {
	ctx.logger.warn(`${LABEL}: TeamSpirit could not be reached (${describe(error)})`);
	return sendError(ctx, 503, 'unavailable', 'The chat cannot be reached right now', 5);
}

/** An error's message, for a log line (the transport has removed secrets). */
export const describe = (error: unknown): string =>
	String((error as Error)?.message ?? error).slice(0, 300);

/**
 * The request's origin allowed and its token valid: the session; else the answer was sent
 * (403, 401, or 503 when the credential could not be read) and undefined is returned.
 */
export async function guard(
	ctx: IWebhookFunctions,
	token: unknown,
): Promise<{ session: Session } | { response: IWebhookResponseData }> {
	if (!applyCors(ctx)) return { response: originRefused(ctx) };
	let secret: string;
	try {
		secret = await sessionSecretOf(ctx);
	} catch (error) {
		return { response: unavailable(ctx, error) };
	}
	const session = readSession(secret, token);
	if (!session) return { response: sendError(ctx, 401, 'invalid_token', TOKEN_REFUSED) };
	return { session };
}
