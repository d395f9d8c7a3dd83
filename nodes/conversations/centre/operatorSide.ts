/**
 * What Send to Customer needs of the contact centre for one delivery: the conversation chat as
 * the delivery shows it (its version spares a read before a conditional change; when it does
 * not show it, as TeamSpirit holds it), the queue's note prefix, and, once operator messages
 * reached the customer, their times on the conversation (`firstResponseAt`,
 * `lastOperatorMessageAt`): one conditional write, and only when it is needed (no first
 * response yet, or the last operator message recorded is a minute older).
 */
import type { IDataObject } from 'n8n-workflow';

import type { Conversation, OperatorEvent, Outbound } from '../outboundContext';
import { getChat, type ConversationChat } from '../teamspirit';
import { readQueue } from './queues';
import { changeConversation } from './state';

export interface OperatorSide {
	/** The chat as delivered, when it shows this conversation and its version; else its id. */
	chat: ConversationChat | string;
	/** The queue's note prefix ('' for none). */
	notePrefix: string;
}

/** How much `lastOperatorMessageAt` may lag behind the newest operator message. */
const LAST_MESSAGE_PRECISION_MS = 60_000;

export async function operatorSide(
	o: Outbound,
	c: Conversation,
	ev: OperatorEvent,
): Promise<OperatorSide> {
	const chat = usableChat(o, c, ev.chat) ?? (await readChat(o, c));
	const queue = typeof chat === 'string' ? undefined : (chat.metadata?.queue as unknown);
	const settings =
		typeof queue === 'string' && queue
			? await o.ts(async () => await readQueue(o.ctx, o.itemIndex, queue))
			: undefined;
	return { chat, notePrefix: settings?.settings.notePrefix ?? '' };
}

/** The chat as delivered, when it shows this conversation and its version. */
function usableChat(o: Outbound, c: Conversation, chat: unknown): ConversationChat | undefined {
	const delivered = chat as ConversationChat | undefined;
	return delivered?.id === o.chatId &&
		delivered.externalKey === c.key &&
		Number.isSafeInteger(delivered.version)
		? delivered
		: undefined;
}

/**
 * The chat as TeamSpirit holds it, when the delivery does not show it (an older delivery, a
 * delivery without the chat): its queue's note prefix decides which messages are private notes,
 * so a note is never sent for want of it.
 */
async function readChat(o: Outbound, c: Conversation): Promise<ConversationChat | string> {
	const read = await o.ts(async () => await getChat(o.ctx, o.itemIndex, o.chatId));
	return usableChat(o, c, read) ?? o.chatId;
}

/**
 * Records that operator messages reached the customer, the newest created at `at`. A failure
 * here is logged, not thrown: the messages were sent, and the next one records the time.
 */
export async function recordResponse(o: Outbound, side: OperatorSide, at: string): Promise<void> {
	if (Number.isNaN(Date.parse(at))) return;
	try {
		await changeConversation(o.ctx, o.itemIndex, side.chat, (state) => {
			const { firstResponseAt, lastOperatorMessageAt: last } = state.times;
			const behind =
				last === null || Date.parse(at) - Date.parse(last) >= LAST_MESSAGE_PRECISION_MS;
			if (firstResponseAt !== null && !behind) return undefined;
			const times: IDataObject = {};
			if (firstResponseAt === null) times.firstResponseAt = at;
			if (behind) times.lastOperatorMessageAt = at;
			return { times };
		});
	} catch (error) {
		o.ctx.logger.warn(
			`Conversation chat ${o.chatId}: the operator's response time was not recorded: ${(error as Error).message}`,
		);
	}
}
