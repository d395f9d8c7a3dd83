/**
 * Routing a pending conversation of a queue to an operator (docs/conversations.md):
 * - manual: announced in the queue's announcement chat and left open, unassigned: the first
 *   operator to type /take gets it;
 * - round robin: the available operators in turn (the pointer, `lastAssigned`, is kept in the
 *   queue's settings chat and moved with a conditional PATCH, so two processes take turns too);
 * - least busy: the available operator with the fewest open conversations (TeamSpirit finds
 *   them: `GET /chats?metadata.assigneeId=…&metadata.status=open`; only chats whose key the
 *   bridge signed count, as only those are routed).
 * Available: TeamSpirit status neither away nor offline, and under the queue's Max Open per
 * Operator. No one available: the conversation stays pending (announced as waiting) until a slot
 * frees (`assignFreedSlot`) or Process Due Conversations tries again; outside business hours it
 * stays pending until they begin. The assignment is a conditional change of the conversation:
 * two processes routing one conversation assign it once. Two processes routing two conversations
 * at once to an operator's last slot (each counted before the other wrote): the data decides
 * (slots.ts): each assignment stamps `assignedAt`, then the operator's open conversations are
 * ranked by (assignedAt, chat id); one not among the first Max Open is given back (conditional)
 * and routed to the next operator, so the earlier assignment stays. The member and the notice
 * come only after that check. Assumed: the n8n processes' clocks agree within one write's time.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import {
	getChat,
	listAllChats,
	patchChat,
	postMessage,
	type ConversationChat,
} from '../teamspirit';
import { fieldPlain } from '../untrusted';
import { isOpen } from '../../shared/hours';
import { signedOnly } from './list';
import { addMember, isAvailable, openCount, operatorName } from './operators';
import { hoursOf, readQueue, type QueueSettings, type RoutingMode } from './queues';
import { takeSlot } from './slots';
import { changeConversation, stateOf } from './state';

export interface Routed {
	/**
	 * assigned; announced (manual: open for /take); waiting (no operator available: pending);
	 * closed (outside business hours: pending); unchanged (not pending, or routed by another).
	 */
	outcome: 'assigned' | 'announced' | 'waiting' | 'closed' | 'unchanged';
	chat: ConversationChat;
	assigneeId?: string;
}

const LABELS: Record<RoutingMode, string> = {
	manual: 'manual',
	roundRobin: 'round robin',
	leastBusy: 'least busy',
};

/**
 * Routes a pending conversation of `queue`. `announceWaiting`: say so in the announcement chat
 * when no operator is free (once, by the execution that made it pending).
 */
export async function route(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	chat: ConversationChat,
	options: { announceWaiting?: boolean; now?: Date } = {},
): Promise<Routed> {
	const now = options.now ?? new Date();
	if (stateOf(chat).status !== 'pending') return { outcome: 'unchanged', chat };
	if (!isOpen(hoursOf(queue), now)) return { outcome: 'closed', chat };
	if (queue.routing === 'manual') return await openForTake(ctx, itemIndex, queue, chat);
	const tried = new Set<string>();
	let current = chat;
	for (;;) {
		const chosen = await pickOperator(ctx, itemIndex, queue, tried);
		if (!chosen) break;
		const slot = await takeSlot(ctx, itemIndex, queue, current, chosen);
		if (slot.outcome === 'unchanged') return { outcome: 'unchanged', chat: slot.chat };
		if (slot.outcome === 'assigned')
			return await assigned(ctx, itemIndex, queue, slot.chat, chosen);
		// over the limit: an assignment made at the same moment came first; the next operator
		tried.add(chosen);
		current = slot.chat;
	}
	if (options.announceWaiting) await announce(ctx, itemIndex, queue, current, 'waiting');
	return { outcome: 'waiting', chat: current };
}

/** Manual: open and unassigned, announced once (by the execution that opened it). */
async function openForTake(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	chat: ConversationChat,
): Promise<Routed> {
	const result = await changeConversation(ctx, itemIndex, chat, (state) =>
		state.status === 'pending'
			? { status: 'open', assigneeId: null, queue: queue.name }
			: undefined,
	);
	if (!result.changed) return { outcome: 'unchanged', chat: result.chat };
	await announce(ctx, itemIndex, queue, result.chat, 'take');
	return { outcome: 'announced', chat: result.chat };
}

/** A line in the queue's announcement chat, once per conversation version. */
async function announce(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	chat: ConversationChat,
	what: 'take' | 'waiting',
): Promise<void> {
	if (!queue.announceChatId) return;
	const customer = (chat.metadata?.customer ?? {}) as { name?: unknown };
	const who = fieldPlain(customer.name ?? chat.title);
	const text =
		what === 'take'
			? `📥 ${queue.name}: new conversation with ${who} (chat "${fieldPlain(chat.title)}"): type /take there to answer it`
			: `⏳ ${queue.name}: ${who} is waiting for a free operator (chat "${fieldPlain(chat.title)}")`;
	await postMessage(ctx, itemIndex, queue.announceChatId, {
		text,
		format: 'plain',
		externalKey: `announce:${chat.id}:${what}:${String(chat.version ?? '')}`,
	});
}

/** The operators of the queue who can take one more conversation, with their open counts. */
async function freeOperators(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	tried: Set<string>,
): Promise<Array<{ id: string; open: number }>> {
	const free: Array<{ id: string; open: number }> = [];
	const counted = queue.maxOpen > 0 || queue.routing === 'leastBusy';
	for (const id of queue.operators) {
		if (tried.has(id) || !(await isAvailable(ctx, itemIndex, id))) continue;
		const open = counted ? await openCount(ctx, itemIndex, id) : 0;
		if (queue.maxOpen > 0 && open >= queue.maxOpen) continue;
		free.push({ id, open });
	}
	return free;
}

async function pickOperator(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	tried: Set<string>,
): Promise<string | undefined> {
	const free = await freeOperators(ctx, itemIndex, queue, tried);
	if (!free.length) return undefined;
	if (queue.routing === 'leastBusy') {
		return free.reduce((best, next) => (next.open < best.open ? next : best)).id;
	}
	return await nextInTurn(
		ctx,
		itemIndex,
		queue,
		free.map((f) => f.id),
	);
}

/**
 * Round robin: the free operator after the one assigned last (the queue's operators in order),
 * the pointer moved at the settings chat's version so two processes never pick the same turn.
 */
async function nextInTurn(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	free: string[],
): Promise<string> {
	const published = await readQueue(ctx, itemIndex, queue.name);
	if (!published) return free[0];
	let chat = await getChat(ctx, itemIndex, published.chatId);
	for (let attempt = 0; attempt < 5; attempt++) {
		const last = queue.operators.indexOf(String(chat.metadata?.lastAssigned ?? ''));
		const order = [...queue.operators.slice(last + 1), ...queue.operators.slice(0, last + 1)];
		const next = order.find((id) => free.includes(id)) ?? free[0];
		const metadata = { ...chat.metadata, lastAssigned: next };
		const answer = await patchChat(ctx, itemIndex, chat.id, { metadata }, chat.version);
		if (answer.changed) return next;
		chat = answer.chat;
	}
	return free[0];
}

/** The assignment that stays (within the limit): the operator a member, a notice in the chat. */
async function assigned(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	chat: ConversationChat,
	userId: string,
): Promise<Routed> {
	const version = String(chat.version ?? '');
	const current = chat.memberIds?.includes(userId)
		? chat
		: await addMember(ctx, itemIndex, chat.id, userId);
	const name = await operatorName(ctx, itemIndex, userId);
	await postMessage(ctx, itemIndex, chat.id, {
		text: `👤 Assigned to ${fieldPlain(name)} (${LABELS[queue.routing]})`,
		format: 'plain',
		externalKey: `notice:${chat.id}:assigned:${version}`,
	});
	return { outcome: 'assigned', chat: current, assigneeId: userId };
}

/**
 * A slot freed in `queueName` (an operator resolved, transferred or snoozed a conversation): the
 * oldest pending conversations of the queue (signed ones only) are routed while operators are free. Unknown queue,
 * manual routing or outside business hours: nothing. Returns how many were assigned.
 */
export async function assignFreedSlot(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queueName: string,
	now = new Date(),
): Promise<number> {
	const published = await readQueue(ctx, itemIndex, queueName);
	if (!published || published.settings.routing === 'manual') return 0;
	const queue = published.settings;
	if (!isOpen(hoursOf(queue), now)) return 0;
	const pending = await listAllChats(
		ctx,
		itemIndex,
		{ metadata: { status: 'pending', queue: queue.name } },
		200,
	);
	let assigned = 0;
	for (const chat of await signedOnly(ctx, itemIndex, pending)) {
		const routed = await route(ctx, itemIndex, queue, chat, { now });
		if (routed.outcome === 'assigned') assigned++;
		else if (routed.outcome !== 'unchanged') break;
	}
	return assigned;
}
