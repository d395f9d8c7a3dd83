/**
 * The bridge's notices in a conversation chat: what the operators read when an operator message did
 * not (or not fully, or not certainly) reach the customer. Each is posted once (keys.ts `noticeKey`).
 */
import type { IDataObject } from 'n8n-workflow';

import { noticeKey } from './keys';
import type { Outbound } from './outboundContext';
import { postMessage } from './teamspirit';

/** Posts the notice `what` about the operator message `messageId`, once. */
export async function notice(
	o: Outbound,
	messageId: string,
	what: string,
	text: string,
): Promise<void> {
	await o.ts(
		async () =>
			await postMessage(o.ctx, o.itemIndex, o.chatId, {
				text: `⚠️ ${text}`,
				format: 'plain',
				externalKey: noticeKey(messageId, what),
			}),
	);
}

/** Why the channel refused, for the operator: the error and the channel's own hint. */
export function refusal(error: unknown): string {
	const e = error as { message?: string; description?: string | null };
	return [e.message, e.description].filter(Boolean).join('. ');
}

export const skipped = (reason: string, extra: IDataObject = {}): IDataObject => ({
	action: 'skipped',
	reason,
	...extra,
});
