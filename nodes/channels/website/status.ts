/**
 * What the widget shows beside the messages: whether an operator is typing (the transcript's
 * `typingUntil`, set by the adapter's typing action) and whether support is offline (outside the
 * *Business Hours Queue*'s hours), and the digest the long poll compares.
 */
import { createHash } from 'crypto';
import type { IWebhookFunctions } from 'n8n-workflow';

import { outsideHours } from './hours';
import type { TranscriptChat, TranscriptMessage } from './transcript';

export const isTyping = (chat: TranscriptChat | undefined, now = Date.now()): boolean => {
	const until = Date.parse(String(chat?.metadata?.typingUntil ?? ''));
	return Number.isFinite(until) && until > now;
};

/**
 * Whether the widget says support is offline now: outside the hours of the trigger's *Business
 * Hours Queue* (empty: always open).
 */
export async function isOffline(ctx: IWebhookFunctions): Promise<boolean> {
	const queue = String(ctx.getNodeParameter('websiteHoursQueue', '') ?? '').trim();
	return await outsideHours(ctx, queue);
}

/** A hash of what the widget shows: the messages (ids and versions), typing and offline. */
export function digestOf(
	messages: Array<Pick<TranscriptMessage, 'id' | 'version' | 'editedAt'>>,
	typing: boolean,
	offline: boolean,
): string {
	const hash = createHash('sha256');
	for (const message of messages) hash.update(`${message.id}.${message.version ?? ''}\n`);
	hash.update(`${typing ? 1 : 0}${offline ? 1 : 0}`);
	return hash.digest('base64url').slice(0, 22);
}
