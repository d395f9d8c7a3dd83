/**
 * Who answers the customer (state.ts `owner`, README "AI first line"): the bot (the AI Agent's
 * Reply as Bot) or the operators. Every change is one conditional write of the conversation
 * (`changeConversation`): of two at once, the second decides on what the first did, and only the
 * execution whose write changed it acts (notices, the customer's message, routing).
 * - Hand Over to Operator (the agent's tool): owner operator, pending in its queue, a notice with
 *   the reason, the queue's Handover Message to the customer, then routing picks the operator;
 * - an operator's message in a bot-owned chat (Send to Customer, before it is sent): owner
 *   operator, assigned to them;
 * - `/bot`: owner bot again, unassigned (only in a bot-first queue).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { handoverKey, noticeKey } from '../keys';
import { refusal } from '../notices';
import type { Outbound } from '../outboundContext';
import { getChat, postMessage, userName, type ConversationChat } from '../teamspirit';
import { fieldPlain } from '../untrusted';
import type { Actor } from './actions';
import type { CustomerLine } from './customerLine';
import { botFirst, DEFAULT_HANDOVER_MESSAGE, readQueue } from './queues';
import { assignFreedSlot, route } from './routing';
import { changeConversation, stateOf, type ConversationState } from './state';

type Ctx = IExecuteFunctions;

export interface Handover {
	handedOver: boolean;
	/** Why not (an operator owns it already). */
	reason?: string;
	chat: ConversationChat;
	state: ConversationState;
	/** The assignment routing made, when it did. */
	routed?: string;
}

/**
 * The bot hands the conversation to the operators: owner operator, pending in its queue (open
 * without one); a notice "🙋 Handover: <reason>"; the queue's Handover Message to the customer
 * once (`handover:<chat>:<n>`); then the queue's routing assigns an operator.
 */
export async function handOver(
	ctx: Ctx,
	i: number,
	chat: ConversationChat,
	args: { reason: string; line?: CustomerLine },
): Promise<Handover> {
	const r = await changeConversation(ctx, i, chat, (state) =>
		state.owner !== 'bot'
			? undefined
			: {
					owner: 'operator',
					handovers: state.handovers + 1,
					assigneeId: null,
					status: state.queue ? 'pending' : 'open',
					snoozedUntil: null,
				},
	);
	if (!r.changed) {
		const reason = 'an operator owns the conversation already';
		return { handedOver: false, reason, chat: r.chat, state: r.after };
	}
	const key = handoverKey(r.chat.id, r.after.handovers);
	const why = fieldPlain(args.reason.trim(), { lines: true }) || '(no reason given)';
	await postMessage(ctx, i, r.chat.id, {
		text: `🙋 Handover: ${why}`,
		format: 'plain',
		externalKey: `notice:${key}`,
	});
	const queue = r.after.queue ? (await readQueue(ctx, i, r.after.queue))?.settings : undefined;
	const message = queue?.handoverMessage ?? DEFAULT_HANDOVER_MESSAGE;
	if (message && args.line) await toCustomer(ctx, i, r.chat.id, args.line, message, key);
	if (!queue || r.after.status !== 'pending')
		return { handedOver: true, chat: r.chat, state: r.after };
	const routed = await route(ctx, i, queue, r.chat, { announceWaiting: true });
	return {
		handedOver: true,
		chat: routed.chat,
		state: stateOf(routed.chat),
		routed: routed.outcome,
	};
}

/** The bot's message to the customer, mirrored in the chat (a refusal: a notice instead). */
async function toCustomer(
	ctx: Ctx,
	i: number,
	chatId: string,
	line: CustomerLine,
	text: string,
	key: string,
): Promise<void> {
	try {
		await line.send(text, key);
		await postMessage(ctx, i, chatId, { text: `🤖 ${text}`, format: 'plain', externalKey: key });
	} catch (error) {
		await postMessage(ctx, i, chatId, {
			text: `⚠️ Not sent to the customer (handover message): ${refusal(error)}`,
			format: 'plain',
			externalKey: key,
		});
	}
}

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
					...(state.status === 'resolved' ? {} : { status: 'open', snoozedUntil: null }),
				},
	);
	if (!r.changed) return 'ℹ️ The bot has this conversation already';
	if (r.before.status === 'open' && r.before.assigneeId && queue) {
		await assignFreedSlot(ctx, i, queue.name);
	}
	return `🤖 Given back to the bot by ${fieldPlain(actor.name)}: it answers the customer again`;
}
