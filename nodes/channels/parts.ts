/**
 * Sending a message in parts (a long text split, a file and its follow-up text), for every
 * channel: a part the channel already accepted for this item (n8n's "Retry On Fail" running the
 * node again) is taken from memory instead of being sent again, and when a part fails, the error
 * lists the parts that did go out.
 */
import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { acceptedParts } from './memory';
import type { ChannelName, SendContext, SendResult } from './types';

export interface AcceptedPart {
	messageId: string;
	timestamp: string;
	raw: IDataObject;
}

export async function sendParts(
	call: SendContext,
	count: number,
	sendPart: (index: number) => Promise<AcceptedPart>,
): Promise<AcceptedPart[]> {
	const sent: AcceptedPart[] = [];
	for (let index = 0; index < count; index++) {
		const key = `${call.acceptKey}:${index}`;
		const earlier = acceptedParts.get(key) as AcceptedPart | undefined;
		if (earlier) {
			sent.push(earlier);
			continue;
		}
		const outcome = await sendPart(index).then(
			(part) => ({ part, error: undefined }),
			(error: unknown) => ({ part: undefined, error }),
		);
		if (outcome.part) {
			acceptedParts.set(key, outcome.part as unknown as Record<string, unknown>);
			sent.push(outcome.part);
			continue;
		}
		const { error } = outcome;
		if (sent.length && error instanceof NodeApiError) {
			const ids = sent.map((m) => m.messageId).join(', ');
			const before = error.description ? `${error.description} ` : '';
			error.description =
				`${before}Parts 1–${sent.length} of ${count} were sent (message IDs ${ids}); ` +
				'they are not sent again when the node retries.';
			error.context.sentMessageIds = sent.map((m) => m.messageId);
		}
		throw error;
	}
	return sent;
}

export function partsResult(
	channel: ChannelName,
	conversationId: string,
	sent: AcceptedPart[],
): SendResult {
	return {
		channel,
		conversationId,
		messageId: sent[0].messageId,
		messageIds: sent.map((m) => m.messageId),
		parts: sent.length,
		timestamp: sent[0].timestamp,
		raw: sent[0].raw,
	};
}
