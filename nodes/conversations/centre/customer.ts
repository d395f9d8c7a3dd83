/**
 * The contact centre's rules for a customer's message (Forward to TeamSpirit, after the message is
 * posted in the chat), applied to the conversation's state in one conditional write (state.ts):
 * - every message: `times.lastCustomerMessageAt` (and the first one's time);
 * - a new conversation: pending in its queue (open without one), routed (routing.ts), greeted once;
 * - a resolved one: reopened (same chat, a notice, routed again);
 * - a snoozed one: open at once (a notice);
 * - outside business hours: the away reply, once per conversation per closed period, not when an
 *   operator answered in the last Away Quiet Minutes, not while snoozed;
 * - a bot-first queue (First Line: AI Agent First): a new or reopened conversation is open,
 *   unassigned and owned by the bot (`owner: bot`): not routed, not announced, no greeting and no
 *   away reply while the bot owns it (Reply as Bot answers; Hand Over to Operator routes it);
 * - an answer to the rating question (resolved, rating asked: "1".."5", a Telegram button
 *   `rate:<n>`, a Messenger quick reply `rate:<n>`): the rating, a notice; no reopen.
 * Only the execution whose write made a change acts on it (notices, routing, the bot's messages),
 * so two processes, or a retry, act once. The bot's messages to the customer go through the
 * channel adapter with an `acceptKey` of the event (a retry never sends twice) and are mirrored
 * in the chat as a notice.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ChannelAdapter, ChannelMessage } from '../../channels/types';
import { postMessage, type ConversationChat } from '../teamspirit';
import { refusal } from '../notices';
import { closedPeriodStart, nextOpening } from '../../shared/hours';
import { botFirst, hoursOf, queueNamed, readQueue, type QueueSettings } from './queues';
import { route } from './routing';
import {
	changeConversation,
	stateOf,
	type Changed,
	type ConversationState,
	type StateChange,
} from './state';

/** One customer event in its conversation. */
export interface CustomerTurn {
	ctx: IExecuteFunctions;
	itemIndex: number;
	adapter: ChannelAdapter;
	message: ChannelMessage;
	account: string;
	/** The conversation chat as last known (a stale version costs one 412, never an update). */
	chat: ConversationChat;
	/** The node's queues and the one that serves this account (none: no routing). */
	queues: QueueSettings[];
	queue?: QueueSettings;
	/** Whether this execution created the chat (one made before has no state: it is adopted). */
	chatCreated?: boolean;
}

/** A rating the message gives (`rate:<n>` data, or a text that is just 1..5). */
export function ratingIn(message: ChannelMessage): number | undefined {
	const data = typeof message.callbackData === 'string' ? message.callbackData : '';
	const match = data
		? /^rate:([1-5])$/.exec(data)
		: /^\s*([1-5])\s*(?:\/\s*5\s*)?$/.exec(message.text ?? '');
	return match ? Number(match[1]) : undefined;
}

const awaitingRating = (state: ConversationState) =>
	state.status === 'resolved' && state.ratingAskedAt !== null;

/** The queue whose rules apply: the conversation's own (it may have been transferred), else the node's. */
async function queueOf(t: CustomerTurn): Promise<QueueSettings | undefined> {
	const name = stateOf(t.chat).queue;
	if (!name) return t.queue;
	return (
		queueNamed(t.queues, name) ?? (await readQueue(t.ctx, t.itemIndex, name))?.settings ?? t.queue
	);
}

/** The start of the closed period to send the away reply for, when one is due. */
function awayPeriod(
	queue: QueueSettings | undefined,
	state: ConversationState,
	now: Date,
): string | undefined {
	if (!queue?.awayReply || state.status === 'snoozed' || state.owner === 'bot') return undefined;
	const start = closedPeriodStart(hoursOf(queue), now)?.toISOString();
	if (!start || state.awayRepliedFor === start) return undefined;
	const answered = Date.parse(state.times.lastOperatorMessageAt ?? '');
	if (now.getTime() - answered < queue.awayQuietMinutes * 60_000) return undefined;
	return start;
}

/** What a customer's message changes (pure: applied again to the state TeamSpirit holds on a 412). */
function customerChange(
	state: ConversationState,
	queue: QueueSettings | undefined,
	rating: number | undefined,
	now: Date,
	adopt = false,
): StateChange {
	const at = now.toISOString();
	if (rating !== undefined && awaitingRating(state)) {
		return { rating: { score: rating, at }, ratingAskedAt: null };
	}
	const change: StateChange = { times: { lastCustomerMessageAt: at } };
	if (!state.times.firstCustomerMessageAt && adopt) {
		// a chat from before the contact centre: open in the queue, not greeted, not routed (the
		// operators in the chat answer it as before; /take assigns it)
		change.times!.firstCustomerMessageAt = at;
		Object.assign(change, { status: 'open', queue: queue?.name ?? null });
	} else if (!state.times.firstCustomerMessageAt) {
		change.times!.firstCustomerMessageAt = at;
		Object.assign(change, { ...startsWith(queue, null), queue: queue?.name ?? null });
		if (queue?.greeting && !state.greeted && !botFirst(queue)) change.greeted = true;
	} else if (state.status === 'resolved') {
		Object.assign(change, startsWith(queue, state.assigneeId), { ratingAskedAt: null });
		change.times!.resolvedAt = null;
	} else if (state.status === 'snoozed') {
		Object.assign(change, { status: 'open', snoozedUntil: null });
	}
	const period = awayPeriod(queue, { ...state, owner: change.owner ?? state.owner }, now);
	if (period) change.awayRepliedFor = period;
	return change;
}

/**
 * How a new (or reopened) conversation starts: in a bot-first queue open and the bot's (never
 * routed); in another queue pending (routed next); without a queue open (`assigneeId` kept).
 */
function startsWith(queue: QueueSettings | undefined, assigneeId: string | null): StateChange {
	if (botFirst(queue)) return { status: 'open', assigneeId: null, owner: 'bot' };
	return queue ? { status: 'pending', assigneeId: null } : { status: 'open', assigneeId };
}

/**
 * A chat made before the contact centre: not created by this execution, no state on it and not
 * made with a queue (inbound.ts marks those with `times` when it creates them, so a chat another
 * process is just creating is not taken for one).
 */
function madeBefore(t: CustomerTurn, chat: ConversationChat): boolean {
	const metadata = chat.metadata ?? {};
	return t.chatCreated !== true && !('status' in metadata) && !('times' in metadata);
}

/**
 * Applies the rules to the conversation after the customer's message was posted (or, for a
 * rating button, instead of a post). Returns the chat as it is now and what was done.
 */
export async function afterCustomerMessage(
	t: CustomerTurn,
	now = new Date(),
): Promise<{ chat: ConversationChat; done: string[] }> {
	const queue = await queueOf(t);
	const rating = ratingIn(t.message);
	const onlyRating = t.message.event === 'callback';
	const result = await changeConversation(t.ctx, t.itemIndex, t.chat, (state, chat) =>
		onlyRating && !(rating !== undefined && awaitingRating(state))
			? undefined
			: customerChange(state, queue, rating, now, madeBefore(t, chat)),
	);
	if (!result.changed) return { chat: result.chat, done: [] };
	return await actOn(t, queue, result, now);
}

/** What the change this execution made calls for, in the order the customer and operators see it. */
async function actOn(
	t: CustomerTurn,
	queue: QueueSettings | undefined,
	{ chat, before, after }: Changed,
	now: Date,
): Promise<{ chat: ConversationChat; done: string[] }> {
	const done: string[] = [];
	const version = String(chat.version ?? '');
	if (after.rating && after.rating.at !== before.rating?.at) {
		await notice(t, chat, `rated:${version}`, `⭐ Rated ${after.rating.score}/5`);
		return { chat, done: ['rated'] };
	}
	if (after.greeted && !before.greeted && queue) {
		await botMessage(t, chat, 'greeting', fill(queue.greeting, t, queue, now));
		done.push('greeted');
	}
	if (after.awayRepliedFor && after.awayRepliedFor !== before.awayRepliedFor && queue) {
		const what = `away:${after.awayRepliedFor}`;
		await botMessage(t, chat, what, fill(queue.awayReply, t, queue, now));
		done.push('awayReply');
	}
	if (before.status === 'resolved' && after.status !== 'resolved') {
		await notice(t, chat, `reopened:${version}`, '↩️ Reopened: the customer wrote again');
		done.push('reopened');
	}
	if (before.status === 'snoozed' && after.status === 'open') {
		await notice(t, chat, `woke:${version}`, '⏰ Snooze ended: the customer wrote');
		done.push('woke');
	}
	if (after.status === 'pending' && before.status !== 'pending' && queue) {
		const routed = await route(t.ctx, t.itemIndex, queue, chat, { announceWaiting: true, now });
		done.push(routed.outcome);
		return { chat: routed.chat, done };
	}
	return { chat, done };
}

/** The queue's text with its placeholders: {customer}, {opening}. */
function fill(text: string, t: CustomerTurn, queue: QueueSettings, now: Date): string {
	const customer = String((t.chat.metadata?.customer as IDataObject | undefined)?.name ?? '');
	return text
		.replace(/\{customer\}/g, customer || t.message.sender?.name || '')
		.replace(/\{opening\}/g, () => openingText(queue, now));
}

/** "Mon 7 Dec, 09:00" in the queue's time zone (the next opening), or "" when there is none. */
function openingText(queue: QueueSettings, now: Date): string {
	const opening = nextOpening(hoursOf(queue), now);
	if (!opening) return '';
	return new Intl.DateTimeFormat('en-GB', {
		timeZone: hoursOf(queue).timeZone,
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23',
	}).format(opening);
}

/** A notice of the contact centre in the conversation chat, once per key. */
async function notice(t: CustomerTurn, chat: ConversationChat, what: string, text: string) {
	await postMessage(t.ctx, t.itemIndex, chat.id, {
		text,
		format: 'plain',
		externalKey: `notice:${chat.id}:${what}`,
	});
}

/**
 * The bot's message to the customer (greeting, away reply), through the channel (accepted once
 * per event) and mirrored in the chat. A refusal is a notice, not a failed execution: the
 * conversation already moved on.
 */
async function botMessage(t: CustomerTurn, chat: ConversationChat, what: string, text: string) {
	if (!text.trim()) return;
	try {
		await t.adapter.actions.sendText(
			{
				ctx: t.ctx,
				itemIndex: t.itemIndex,
				account: t.account,
				acceptKey: `centre:${t.message.eventId}:${what}`,
			},
			{ conversationId: t.message.conversationId, text, format: 'plain' },
		);
		await notice(t, chat, what, `🤖 ${text}`);
	} catch (error) {
		t.ctx.logger.warn(`The ${what} could not be sent: ${(error as Error).message}`);
		await notice(t, chat, what, `⚠️ Not sent to the customer (${what}): ${refusal(error)}`);
	}
}
