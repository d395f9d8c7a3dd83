/**
 * The AI first line's answer to a customer (Reply as Bot, README "AI first line"): exactly once
 * per customer message, and only while the bot owns the conversation (centre/state.ts `owner`).
 *
 * 1. The conversation chat is read from TeamSpirit (never a cache): an operator owns it → nothing
 *    is posted or sent.
 * 2. The answer is posted in the chat as the bot's message ("🤖 " first) under the key
 *    `bot:<customer message key>` (keys.ts `botReplyKey`): a second process posting at the same
 *    moment gets that message instead of posting another. It is linked to the customer's message
 *    in the conversation's state (`botReplies`, a conditional write): a retry, Retry On Fail or a
 *    process that forgot everything finds it there after its key changed to what it became, and
 *    sends (or not) the text it holds.
 * 3. It is claimed and sent like an operator message (claims.ts, send.ts): one execution wins the
 *    conditional claim; the others wait for it and find it sent. Just before sending, the chat is
 *    read again: an operator who took over meanwhile (typed while the agent was thinking) wins,
 *    the message is recorded `unsent:<id>` and a notice says it was not sent.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ChannelAdapter } from '../channels/types';
import { changeConversation, MAX_BOT_REPLIES, stateOf } from './centre/state';
import { claimMessage, type ClaimContext } from './claims';
import { botReplyKey, channelMessageIdOf, noticeKey, unsentKey } from './keys';
import { claimsOf } from './outbound';
import { outbound, type Conversation, type Outbound } from './outboundContext';
import { sendClaimed } from './send';
import { withItemIndex } from '../shared/errors';
import {
	botOf,
	conversationSecret,
	getChat,
	getMessage,
	postKeyed,
	postMessage,
	type ConversationChat,
} from './teamspirit';
import { trustOf } from './trust';

/** How the bot's answer starts in the conversation chat. */
const BOT_MARK = '🤖 ';

export interface BotReply {
	chatId: string;
	/** The TeamSpirit message id of the customer's message this answers. */
	customerMessageId: string;
	text: string;
	waitMs: number;
}

const NOT_OWNER = 'operator owns the conversation';

/** Sends the bot's answer to the customer of `chatId`, once, while the bot owns the conversation. */
export async function replyAsBot(
	ctx: IExecuteFunctions,
	itemIndex: number,
	adapter: ChannelAdapter,
	reply: BotReply,
): Promise<IDataObject> {
	const o = outbound(ctx, itemIndex, adapter, reply.chatId, {
		catchUp: false,
		linkSeconds: 3600,
		signature: false,
		waitMs: reply.waitMs,
	});
	const chat = await o.ts(async () => await getChat(ctx, itemIndex, reply.chatId));
	const c = await conversationOf(o, chat);
	const customerKey = await customerMessageKey(o, c, reply.customerMessageId);
	const base = { chatId: reply.chatId, customerMessageId: reply.customerMessageId };
	if (stateOf(chat).owner !== 'bot') return { sent: false, reason: NOT_OWNER, ...base };
	if (!reply.text.trim()) {
		throw new NodeOperationError(ctx.getNode(), 'The text to send is empty', {
			itemIndex,
			description: "Map the AI Agent's answer, e.g. {{ $json.output }}.",
		});
	}
	const key = botReplyKey(customerKey);
	const known = stateOf(chat).botReplies.find((r) => r.to === reply.customerMessageId);
	const mirror = known ? await readMirror(o, known.id) : await postMirror(o, chat, reply, key);
	if ('reason' in mirror) return { sent: false, ...mirror, ...base };
	const result = await claimAndSend(o, c, mirror.message, key);
	return { ...result, ...base, botMessageId: mirror.message.id };
}

type Mirror = { message: IDataObject } | { reason: string };

/** The bot's answer as TeamSpirit holds it now. */
async function readMirror(o: Outbound, id: string): Promise<Mirror> {
	try {
		return { message: await o.ts(async () => await getMessage(o.ctx, o.itemIndex, o.chatId, id)) };
	} catch (error) {
		if (Number((error as { httpCode?: string }).httpCode) === 404) {
			return { reason: "the bot's message was deleted in TeamSpirit" };
		}
		throw withItemIndex(o.ctx.getNode(), error, o.itemIndex);
	}
}

/**
 * Posts the bot's answer under its key, then links it to the customer's message in the
 * conversation's state (`botReplies`, a conditional write that also checks the bot still owns
 * it). A link made first by another execution wins: its answer is the one (this post, made after
 * that answer's key changed, stays unsent).
 */
async function postMirror(
	o: Outbound,
	chat: ConversationChat,
	reply: BotReply,
	key: string,
): Promise<Mirror> {
	const posted = await o.ts(
		async () =>
			await postKeyed(o.ctx, o.itemIndex, o.chatId, {
				text: `${BOT_MARK}${reply.text.trim()}`,
				format: 'plain',
				externalKey: key,
			}),
	);
	const id = String(posted.message.id);
	const to = reply.customerMessageId;
	const linked = await o.ts(
		async () =>
			await changeConversation(o.ctx, o.itemIndex, chat, (state) =>
				state.owner !== 'bot' || state.botReplies.some((r) => r.to === to)
					? undefined
					: { botReplies: [...state.botReplies, { to, id }].slice(-MAX_BOT_REPLIES) },
			),
	);
	if (linked.after.owner !== 'bot') {
		await notSent(o, id);
		return { reason: NOT_OWNER };
	}
	const ref = linked.after.botReplies.find((r) => r.to === to);
	return ref && ref.id !== id ? await readMirror(o, ref.id) : { message: posted.message };
}

/** The bot's message stays in the chat, unsent (a retry may send it while the bot owns it). */
async function notSent(o: Outbound, messageId: string): Promise<void> {
	await o.ts(
		async () =>
			await postMessage(o.ctx, o.itemIndex, o.chatId, {
				text: '⚠️ Not sent to the customer: an operator took the conversation over.',
				format: 'plain',
				replyToId: messageId,
				externalKey: noticeKey(messageId, 'operator-owns'),
			}),
	);
}

/** The conversation of a chat the bridge opened (a signed key naming its customer), or an error. */
async function conversationOf(o: Outbound, chat: ConversationChat): Promise<Conversation> {
	const secret = await conversationSecret(o.ctx, o.itemIndex);
	const trust = trustOf(chat, o.adapter, secret, undefined);
	if ('conversationId' in trust) return trust;
	const why = 'skip' in trust ? trust.skip : trust.why;
	throw new NodeOperationError(o.ctx.getNode(), `The chat ${o.chatId} is not usable: ${why}`, {
		itemIndex: o.itemIndex,
		description:
			"Map the conversation of Forward to TeamSpirit's output ({{ $json.conversation.chatId }}), with a node of the same channel.",
	});
}

/** The key of the customer's message in the chat (the bridge posted it), or an error. */
async function customerMessageKey(o: Outbound, c: Conversation, id: string): Promise<string> {
	const fail = (why: string) =>
		new NodeOperationError(o.ctx.getNode(), `Message ${id} ${why}`, {
			itemIndex: o.itemIndex,
			description:
				"Map the customer's message of Forward to TeamSpirit's output ({{ $json.conversation.messageId }}).",
		});
	if (!id) throw fail('is not given');
	let message: IDataObject;
	try {
		message = await o.ts(async () => await getMessage(o.ctx, o.itemIndex, o.chatId, id));
	} catch (error) {
		if (Number((error as { httpCode?: string }).httpCode) === 404) throw fail('does not exist');
		throw withItemIndex(o.ctx.getNode(), error, o.itemIndex);
	}
	const bot = await o.ts(async () => await botOf(o.ctx, o.itemIndex));
	const key = message.externalKey;
	if (message.senderId !== bot.id || !channelMessageIdOf(key, c.key)) {
		throw fail("is not a customer's message of this conversation");
	}
	return String(key);
}

/** Claims the bot's message and sends its text, or says what became of it. */
async function claimAndSend(
	o: Outbound,
	c: Conversation,
	seen: IDataObject,
	freeKey: string,
): Promise<IDataObject> {
	const messageId = String(seen.id);
	const claims: ClaimContext = { ...claimsOf(o, c)(messageId), freeKey };
	const claimed = await claimMessage(claims, seen);
	if (!claimed.won) {
		const kind = claimed.state.kind;
		if (kind === 'sent') return { sent: true, duplicate: true };
		const why: Record<string, string> = {
			deleted: "the bot's message was deleted in TeamSpirit",
			uncertain: 'an earlier attempt may have sent it: not sent again',
		};
		return { sent: false, reason: why[kind] ?? `the bot's message is ${kind}` };
	}
	// an operator may have taken over while the agent was thinking: they win
	const now = await o.ts(async () => await getChat(o.ctx, o.itemIndex, o.chatId));
	if (stateOf(now).owner !== 'bot') {
		await claimed.claim.record(unsentKey(messageId));
		await notSent(o, messageId);
		return { sent: false, reason: NOT_OWNER };
	}
	// what the operators see is what the customer gets (a retry's new text does not count)
	const shown = String(claimed.message.text ?? '');
	const text = shown.startsWith(BOT_MARK) ? shown.slice(BOT_MARK.length) : shown;
	const message = { ...claimed.message, text, format: 'plain', replyToId: undefined };
	const result = await sendClaimed(o, c, message, claimed.claim);
	return { sent: result.action === 'sent', ...result };
}
