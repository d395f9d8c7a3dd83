/**
 * What time makes due (the Chat Channel node's *Process Due Conversations*, run by a Schedule
 * Trigger): snoozed conversations whose `snoozedUntil` passed go back to open (a notice), and
 * pending conversations are routed when their queue is open and has a free operator (oldest
 * first). Everything is read from TeamSpirit (metadata filters; only chats whose key the bridge
 * signed count, list.ts `signedOnly`) and changed conditionally
 * (state.ts): two processes running it at once, or a run repeated, wake and assign each once.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { listAllChats, postMessage, type ConversationChat } from '../teamspirit';
import { signedOnly } from './list';
import { readQueue } from './queues';
import { route } from './routing';
import { changeConversation, stateOf } from './state';

export interface DueResult extends IDataObject {
	/** Snoozed conversations (chat ids) this run opened. */
	woke: string[];
	/** Pending conversations this run assigned (manual queues: opened and announced). */
	routed: string[];
	/** Pending conversations still waiting (queue closed, no free operator). */
	waiting: number;
	/** Queues named by pending conversations that TeamSpirit does not know. */
	unknownQueues: string[];
}

/** Wakes the snoozes that expired and routes the pending conversations that can be. */
export async function processDue(
	ctx: IExecuteFunctions,
	itemIndex: number,
	now = new Date(),
): Promise<DueResult> {
	const woke = await wakeSnoozed(ctx, itemIndex, now);
	return { woke, ...(await routePending(ctx, itemIndex, now)) };
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

/** Pending conversations by queue, oldest first; each queue until one stays waiting. */
async function routePending(ctx: IExecuteFunctions, itemIndex: number, now: Date) {
	const pending = await signedOnly(
		ctx,
		itemIndex,
		await listAllChats(ctx, itemIndex, { metadata: { status: 'pending' } }),
	);
	const byQueue = new Map<string, ConversationChat[]>();
	for (const chat of pending) {
		const queue = stateOf(chat).queue;
		if (queue) byQueue.set(queue, [...(byQueue.get(queue) ?? []), chat]);
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
