/**
 * What time makes due (the Chat Channel node's *Process Due Conversations*, run by a Schedule
 * Trigger): snoozed conversations whose `snoozedUntil` passed go back to open (a notice), and
 * pending conversations are routed when their queue is open and has a free operator (oldest
 * first). Everything is read from TeamSpirit (metadata filters; only chats whose key the bridge
 * signed count, list.ts `signedOnly`) and changed conditionally
 * (state.ts): two processes running it at once, or a run repeated, wake and assign each once.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ChannelAdapter } from '../../channels/types';
import {
	conversationSecret,
	listAllChats,
	postMessage,
	type ConversationChat,
} from '../teamspirit';
import { lineFor } from './customerLine';
import { finish, unfinished } from './handover';
import { conversationOfChat, signedOnly } from './list';
import { readQueue } from './queues';
import { route } from './routing';
import { changeConversation, stateOf } from './state';

export interface DueResult extends IDataObject {
	/** Conversations (chat ids) whose unfinished handover this run finished. */
	handedOver: string[];
	/** Snoozed conversations (chat ids) this run opened. */
	woke: string[];
	/** Pending conversations this run assigned (manual queues: opened and announced). */
	routed: string[];
	/** Pending conversations still waiting (queue closed, no free operator). */
	waiting: number;
	/** Queues named by pending conversations that TeamSpirit does not know. */
	unknownQueues: string[];
}

/**
 * Finishes the handovers left unfinished, wakes the snoozes that expired and routes the pending
 * conversations that can be. `adapter`: the node's channel (its customers get their Handover
 * Message; other channels' handovers wait for their own channel's run).
 */
export async function processDue(
	ctx: IExecuteFunctions,
	itemIndex: number,
	now = new Date(),
	adapter?: ChannelAdapter,
): Promise<DueResult> {
	const handedOver = await finishHandovers(ctx, itemIndex, now, adapter);
	const woke = await wakeSnoozed(ctx, itemIndex, now);
	return { handedOver, woke, ...(await routePending(ctx, itemIndex, now)) };
}

/** How long a handover's own run has to finish it before Process Due does. */
const HANDOVER_GRACE_MS = 60_000;

/**
 * The handovers whose run stopped after the ownership changed (older than a minute): their notice
 * and Handover Message under the handover's keys (posted once whoever posts them), the record
 * removed. A record the conversation outlived (given back to the bot, resolved) is removed.
 */
async function finishHandovers(
	ctx: IExecuteFunctions,
	itemIndex: number,
	now: Date,
	adapter: ChannelAdapter | undefined,
): Promise<string[]> {
	const chats = await listAllChats(ctx, itemIndex, { metadata: { handoverDue: 'true' } });
	const secret = await conversationSecret(ctx, itemIndex);
	const done: string[] = [];
	for (const chat of chats) {
		const conversation = conversationOfChat(chat, secret);
		const recorded = conversation?.state.handover;
		if (!conversation || !recorded) continue;
		if (!unfinished(conversation.state)) {
			await changeConversation(ctx, itemIndex, chat, (state) =>
				state.handover && !unfinished(state) ? { handover: null } : undefined,
			);
			continue;
		}
		const age = now.getTime() - Date.parse(recorded.at);
		if (!(age >= HANDOVER_GRACE_MS) || conversation.key.channel !== adapter?.name) continue;
		const line = await lineFor(ctx, itemIndex, adapter, conversation.chat);
		await finish(ctx, itemIndex, conversation.chat, recorded, {
			line: 'why' in line ? undefined : line,
		});
		done.push(chat.id);
	}
	return done;
}

async function wakeSnoozed(ctx: IExecuteFunctions, itemIndex: number, now: Date) {
	const snoozed = await signedOnly(
		ctx,
		itemIndex,
		await listAllChats(ctx, itemIndex, { metadata: { status: 'snoozed' } }),
	);
	const expired = (until: string | null) => until !== null && Date.parse(until) <= now.getTime();
	const woke: string[] = [];
	for (const chat of snoozed) {
		if (!expired(stateOf(chat).snoozedUntil)) continue;
		const result = await changeConversation(ctx, itemIndex, chat, (state) =>
			state.status === 'snoozed' && expired(state.snoozedUntil)
				? { status: 'open', snoozedUntil: null }
				: undefined,
		);
		if (!result.changed) continue;
		await postMessage(ctx, itemIndex, chat.id, {
			text: `⏰ Snooze ended (${result.before.snoozedUntil ?? ''})`,
			format: 'plain',
			externalKey: `notice:${chat.id}:woke:${String(result.chat.version ?? '')}`,
		});
		woke.push(chat.id);
	}
	return woke;
}

/**
 * Pending conversations by queue, oldest first; each queue until one stays waiting. One whose
 * handover is not finished waits for it (its run, or a later Process Due, routes it).
 */
async function routePending(ctx: IExecuteFunctions, itemIndex: number, now: Date) {
	const pending = await signedOnly(
		ctx,
		itemIndex,
		await listAllChats(ctx, itemIndex, { metadata: { status: 'pending' } }),
	);
	const byQueue = new Map<string, ConversationChat[]>();
	for (const chat of pending) {
		const state = stateOf(chat);
		// a handover still being finished: its run routes it once the customer was told
		if (state.queue && !unfinished(state))
			byQueue.set(state.queue, [...(byQueue.get(state.queue) ?? []), chat]);
	}
	const routed: string[] = [];
	const unknownQueues: string[] = [];
	let waiting = 0;
	for (const [name, chats] of byQueue) {
		const queue = (await readQueue(ctx, itemIndex, name))?.settings;
		if (!queue) {
			unknownQueues.push(name);
			waiting += chats.length;
			continue;
		}
		for (const [index, chat] of chats.entries()) {
			const result = await route(ctx, itemIndex, queue, chat, { now });
			if (result.outcome === 'assigned' || result.outcome === 'announced') routed.push(chat.id);
			else if (result.outcome !== 'unchanged') {
				waiting += chats.length - index;
				break;
			}
		}
	}
	return { routed, waiting, unknownQueues };
}
