/**
 * Hand Over to Operator (the AI Agent's tool; README "AI first line"): the ownership changes in one
 * conditional write that also records the handover as pending (state.ts `handover`); then the
 * notice "🙋 Handover: <reason>" and the queue's Handover Message to the customer, each under the
 * handover's key (`notice:handover:<chat>:<n>`, `handover:<chat>:<n>`: TeamSpirit keeps one
 * message per key); then the record is removed and routing picks the operator. A run that stops
 * between the write and the removal (TeamSpirit failing, a crash) leaves the record: a retry of
 * Hand Over, or Process Due Conversations a minute later, finishes the steps under the same keys.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { handoverKey } from '../keys';
import { refusal } from '../notices';
import { postMessage, type ConversationChat } from '../teamspirit';
import { fieldPlain } from '../untrusted';
import type { CustomerLine } from './customerLine';
import { DEFAULT_HANDOVER_MESSAGE, readQueue } from './queues';
import { route } from './routing';
import {
	changeConversation,
	MAX_HANDOVER_REASON,
	stateOf,
	type ConversationState,
	type PendingHandover,
} from './state';

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

/** The handover whose steps are still to do: operators own the conversation, not resolved. */
export function unfinished(state: ConversationState): PendingHandover | undefined {
	return state.handover && state.owner === 'operator' && state.status !== 'resolved'
		? state.handover
		: undefined;
}

/**
 * The bot hands the conversation to the operators: owner operator, pending in its queue (open
 * without one), the handover recorded; its steps (`finish`); then the queue's routing assigns an
 * operator. A conversation an operator owns already is not handed over again, unless it is this
 * handover's retry (its steps still recorded as pending): those are finished.
 */
export async function handOver(
	ctx: Ctx,
	i: number,
	chat: ConversationChat,
	args: { reason: string; line?: CustomerLine },
): Promise<Handover> {
	const why = fieldPlain(args.reason.trim(), { lines: true }) || '(no reason given)';
	const r = await changeConversation(ctx, i, chat, (state) =>
		state.owner !== 'bot'
			? undefined
			: {
					owner: 'operator',
					handovers: state.handovers + 1,
					handover: {
						n: state.handovers + 1,
						reason: why.slice(0, MAX_HANDOVER_REASON),
						at: new Date().toISOString(),
					},
					assigneeId: null,
					status: state.queue ? 'pending' : 'open',
					snoozedUntil: null,
				},
	);
	const pending = unfinished(r.after);
	if (!pending) {
		const reason = 'an operator owns the conversation already';
		return { handedOver: false, reason, chat: r.chat, state: r.after };
	}
	const done = await finish(ctx, i, r.chat, pending, { reason: why, line: args.line });
	const state = stateOf(done);
	const queue = state.queue ? (await readQueue(ctx, i, state.queue))?.settings : undefined;
	if (!queue || state.status !== 'pending') return { handedOver: true, chat: done, state };
	const routed = await route(ctx, i, queue, done, { announceWaiting: true });
	return {
		handedOver: true,
		chat: routed.chat,
		state: stateOf(routed.chat),
		routed: routed.outcome,
	};
}

/**
 * A handover's steps, each under its key: the notice with the reason (the one given, else the
 * recorded one), the queue's Handover Message to the customer (when there is a line to them),
 * then the record removed (a conditional write: only this handover's). The chat after it.
 */
export async function finish(
	ctx: Ctx,
	i: number,
	chat: ConversationChat,
	handover: PendingHandover,
	args: { reason?: string; line?: CustomerLine },
): Promise<ConversationChat> {
	const key = handoverKey(chat.id, handover.n);
	await postMessage(ctx, i, chat.id, {
		text: `🙋 Handover: ${args.reason ?? handover.reason}`,
		format: 'plain',
		externalKey: `notice:${key}`,
	});
	const name = stateOf(chat).queue;
	const queue = name ? (await readQueue(ctx, i, name))?.settings : undefined;
	const message = queue?.handoverMessage ?? DEFAULT_HANDOVER_MESSAGE;
	if (message && args.line) await toCustomer(ctx, i, chat.id, args.line, message, key);
	const r = await changeConversation(ctx, i, chat, (state) =>
		state.handover?.n === handover.n ? { handover: null } : undefined,
	);
	return r.chat;
}

/**
 * The bot's message to the customer, then its mirror in the chat; a refusal: a notice under the
 * key instead (the operators read why). A failing TeamSpirit fails the run: the step stays pending.
 */
async function toCustomer(
	ctx: Ctx,
	i: number,
	chatId: string,
	line: CustomerLine,
	text: string,
	key: string,
): Promise<void> {
	let mirror = `🤖 ${text}`;
	try {
		await line.send(text, key);
	} catch (error) {
		mirror = `⚠️ Not sent to the customer (handover message): ${refusal(error)}`;
	}
	await postMessage(ctx, i, chatId, { text: mirror, format: 'plain', externalKey: key });
}
