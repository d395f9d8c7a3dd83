/**
 * An assignment by routing that keeps the queue's Max Open per Operator when several processes
 * route at the same moment, with the data deciding (no locks): the conditional write that assigns
 * a pending conversation stamps `assignedAt` (taken just before each write attempt) in its
 * metadata; then the operator's open conversations are listed (the query that counts them) and
 * ranked by (assignedAt, chat id). A conversation not among the first `maxOpen` is given back
 * (pending, unassigned; a conditional write, only while this assignment still holds). Every process
 * ranks the same data the same way, so exactly the earlier assignments stay. Assumed: the clocks
 * of the n8n processes agree within the time of one write.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { patchChat, type ConversationChat } from '../teamspirit';
import { openConversations } from './operators';
import type { QueueSettings } from './queues';
import { changeConversation, stateOf } from './state';

export interface Slot {
	/** assigned (and within the limit); over (given back: pending); unchanged (routed by another). */
	outcome: 'assigned' | 'over' | 'unchanged';
	chat: ConversationChat;
}

const MAX_ATTEMPTS = 5;

/** Assigns the pending, unassigned conversation to `userId` if that keeps them within the limit. */
export async function takeSlot(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	chat: ConversationChat,
	userId: string,
): Promise<Slot> {
	const written = await writeAssignment(ctx, itemIndex, queue, chat, userId);
	if (!written) return { outcome: 'unchanged', chat };
	if (queue.maxOpen <= 0 || (await withinLimit(ctx, itemIndex, queue.maxOpen, written, userId))) {
		return { outcome: 'assigned', chat: written };
	}
	const stamp = written.metadata.assignedAt;
	const back = await changeConversation(ctx, itemIndex, written, (state, current) =>
		state.status === 'open' && state.assigneeId === userId && current.metadata?.assignedAt === stamp
			? { status: 'pending', assigneeId: null }
			: undefined,
	);
	return { outcome: back.changed ? 'over' : 'unchanged', chat: back.chat };
}

/** The conditional write (open, `userId`, `assignedAt`); the chat as written, or undefined. */
async function writeAssignment(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	chat: ConversationChat,
	userId: string,
): Promise<ConversationChat | undefined> {
	let current = chat;
	for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		const state = stateOf(current);
		if (state.status !== 'pending' || state.assigneeId) return undefined;
		const assignedAt = new Date().toISOString();
		const metadata = {
			...current.metadata,
			status: 'open',
			assigneeId: userId,
			queue: queue.name,
			assignedAt,
		};
		const answer = await patchChat(ctx, itemIndex, current.id, { metadata }, current.version);
		if (answer.changed) return answer.chat;
		// ours, although the answer was lost (the transport sent it again and found our version)
		const m = answer.chat.metadata ?? {};
		if (m.assignedAt === assignedAt && m.assigneeId === userId) return answer.chat;
		current = answer.chat;
	}
	return undefined;
}

/** Whether `chat` is among the operator's first `maxOpen` open conversations by (assignedAt, id). */
async function withinLimit(
	ctx: IExecuteFunctions,
	itemIndex: number,
	maxOpen: number,
	chat: ConversationChat,
	userId: string,
): Promise<boolean> {
	const open = await openConversations(ctx, itemIndex, userId);
	if (!open.some((c) => c.id === chat.id)) open.push(chat);
	const rank = (c: ConversationChat) => `${String(c.metadata?.assignedAt ?? '')} ${c.id}`;
	const first = open
		.map(rank)
		.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
		.slice(0, maxOpen);
	return first.includes(rank(chat));
}
