/**
 * The item of an event a trigger could not read (a malformed field, a URL that does not parse):
 * emitted with a `notice` instead of being lost, so that one bad event never costs the others of
 * its delivery. The dedupe key is a hash of the event, so a redelivery of it starts nothing.
 */
import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import type { ChannelMessage, ChannelName } from './types';

export type UnreadableMessage = ChannelMessage & { notice: string };

function stringOrEmpty(value: unknown): string {
	return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export function unreadableEvent(
	channel: ChannelName,
	scope: string,
	raw: IDataObject,
	error: unknown,
	known: { messageId?: unknown; conversationId?: unknown; senderId?: unknown } = {},
): UnreadableMessage {
	let serialized: string;
	try {
		serialized = JSON.stringify(raw) ?? '';
	} catch {
		serialized = String(raw);
	}
	const hash = createHash('sha256').update(serialized).digest('hex').slice(0, 32);
	const reason = (error as Error)?.message ?? String(error);
	const messageId = stringOrEmpty(known.messageId);
	return {
		channel,
		event: 'other',
		eventId: `${channel}:${scope}:unreadable:${hash}`,
		messageId: messageId || null,
		conversationId: stringOrEmpty(known.conversationId),
		sender: { id: stringOrEmpty(known.senderId), name: '' },
		text: '',
		attachments: [],
		timestamp: new Date().toISOString(),
		raw: raw && typeof raw === 'object' ? raw : {},
		notice: `This event could not be read (${reason.slice(0, 200)}); it is in "raw" as received`,
	};
}
