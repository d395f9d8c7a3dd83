/**
 * Who answers the customer (state.ts `owner`, README "AI first line"): the bot (the AI Agent's
 * Reply as Bot) or the operators. Every change is one conditional write of the conversation
 * (`changeConversation`): of two at once, the second decides on what the first did, and only the
 * execution whose write changed it acts (notices, the customer's message, routing).
 * - Hand Over to Operator (the agent's tool, handover.ts): owner operator, pending in its queue, a
 *   notice with the reason, the queue's Handover Message to the customer, then routing;
 * - an operator's message in a bot-owned chat (Send to Customer, before it is sent): owner
 *   operator, assigned to them;
 * - `/bot`: owner bot again, unassigned (only in a bot-first queue).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { noticeKey } from '../keys';
import type { Outbound } from '../outboundContext';
import { getChat, postMessage, userName, type ConversationChat } from '../teamspirit';
import { fieldPlain } from '../untrusted';
import type { Actor } from './actions';
import { botFirst, readQueue } from './queues';
import { assignFreedSlot } from './routing';
import { changeConversation, stateOf } from './state';

type Ctx = IExecuteFunctions;

/**
 * An operator's message in a bot-owned conversation (Send to Customer, once it won the message's
 * claim, before sending): the conversation is theirs (owner operator, assigned to them) and the
 * bot stays silent in it. The chat as delivered spares the read when it shows an operator owner.
 */
export async function takeOver(
	o: Outbound,
	chat: ConversationChat | string,
	message: IDataObject,
): Promise<void> {
	if (typeof chat !== 'string' && stateOf(chat).owner !== 'bot') return;
	const operatorId = typeof message.senderId === 'string' ? message.senderId : null;
	const r = await o.ts(
		async () =>
			await changeConversation(o.ctx, o.itemIndex, chat, (state) =>
				state.owner !== 'bot'
					? undefined
					: {
							owner: 'operator',
							assigneeId: operatorId,
							...(state.status === 'resolved' ? {} : { status: 'open', snoozedUntil: null }),
						},
			),
	);
	if (!r.changed) return;
	const name = operatorId ? await userName(o.ctx, o.itemIndex, operatorId) : undefined;
	await o.ts(
		async () =>
			await postMessage(o.ctx, o.itemIndex, o.chatId, {
				text: `🙋 ${fieldPlain(name ?? 'An operator')} took the conversation over from the bot`,
				format: 'plain',
				externalKey: noticeKey(String(message.id), 'takeover'),
			}),
	);
}

/**
 * `/bot`: the bot answers the conversation again (owner bot, unassigned; open unless resolved).
 * Only in a bot-first queue: elsewhere no AI Agent gets its messages.
 */
export async function giveToBot(
	ctx: Ctx,
	i: number,
	chat: ConversationChat | string,
	actor: Actor,
): Promise<string> {
	const current =
		typeof chat !== 'string' && Number.isSafeInteger(chat.version)
			? chat
			: await getChat(ctx, i, typeof chat === 'string' ? chat : chat.id);
	const name = stateOf(current).queue;
	const queue = name ? (await readQueue(ctx, i, name))?.settings : undefined;
	if (!botFirst(queue)) {
		return "❓ This conversation's queue has no AI first line (First Line: AI Agent First): nothing changed";
	}
	const r = await changeConversation(ctx, i, current, (state) =>
		state.owner === 'bot'
			? undefined
			: {
					owner: 'bot',
					assigneeId: null,
					// a handover left unfinished is over: the customer is the bot's again
					handover: null,
					...(state.status === 'resolved' ? {} : { status: 'open', snoozedUntil: null }),
				},
	);
	if (!r.changed) return 'ℹ️ The bot has this conversation already';
	if (r.before.status === 'open' && r.before.assigneeId && queue) {
		await assignFreedSlot(ctx, i, queue.name);
	}
	return `🤖 Given back to the bot by ${fieldPlain(actor.name)}: it answers the customer again`;
}
