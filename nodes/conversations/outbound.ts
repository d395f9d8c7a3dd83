/**
 * Operators → customer (Send to Customer, docs/conversations.md): what an operator posts, edits or
 * deletes in a conversation chat reaches the chat's customer, exactly once and in order.
 *
 * - The delivery is data, not proof: only a chat whose key the bridge signed, naming this customer,
 *   is sent from (`trustOf`).
 * - Exactly one execution, in whichever process, sends a created message: it claims it in
 *   TeamSpirit first (claims.ts; the key states: keys.ts), and records what it became.
 * - One chat's events go one after another (`inOrder`), and older operator messages whose own
 *   delivery has not come go first (`catchUp`).
 * - Edits and deletes change what the customer got (changes.ts); whatever cannot be done is a
 *   notice in the chat (notices.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import type { ChannelAdapter } from '../channels/types';
import { changeSent } from './changes';
import { claimMessage, type ClaimContext } from './claims';
import { notYetSent, unsentKey } from './keys';
import { trustOf } from './trust';
import { notice, skipped } from './notices';
import { inOrder } from './order';
import {
	outbound,
	type Conversation,
	type Outbound,
	type OperatorEvent,
	type OutboundOptions,
} from './outboundContext';
import { sendClaimed } from './send';
import { parseCommand } from './centre/commands/parse';
import { runCommand } from './centre/commands';
import { operatorSide, recordResponse, type OperatorSide } from './centre/operatorSide';
import { takeOver } from './centre/ownership';
import { botOf, conversationSecret, getChat, identityOf, recentMessages } from './teamspirit';
import { cacheKey, trustedChats } from './caches';
import { mentions } from '../shared/teamspirit/utils';
import { withItemIndex } from '../shared/errors';

/** How far back a delivery catches up on operator messages whose own delivery has not come. */
const CATCH_UP_MS = 60 * 60 * 1000;
const CATCH_UP_COUNT = 50;
/** How long one send step may take beyond the patience before its claim lapses. */
const STEP_BUDGET_MS = 5 * 60 * 1000;

/** Sends one operator event (created, updated, deleted) to the customer of its chat. */
export async function sendToCustomer(
	ctx: Outbound['ctx'],
	itemIndex: number,
	adapter: ChannelAdapter,
	event: OperatorEvent,
	options: OutboundOptions,
): Promise<IDataObject> {
	// what operators post is written by people (the AI first line's answers go by botReply.ts)
	const o: Outbound = {
		...outbound(ctx, itemIndex, adapter, event.chatId, options),
		byPerson: true,
	};
	// one chat's messages reach its customer one after another, in the order they came
	return await inOrder(`teamspirit:${event.chatId}`, async () => await deliver(o, event));
}

async function deliver(o: Outbound, ev: OperatorEvent): Promise<IDataObject> {
	const messageId = String(ev.message.id);
	const trust = await trusted(o, ev);
	if ('skip' in trust) return skipped(`chat ${o.chatId}: ${trust.skip}`, { chatId: o.chatId });
	if ('why' in trust) {
		if (ev.event !== 'message.created') {
			return skipped(`chat ${o.chatId}: ${trust.why}`, { chatId: o.chatId });
		}
		// a command is not run there either: this is not a conversation the bridge opened
		const what = parseCommand(ev.message.text) ? 'Not run' : 'Not sent';
		await notice(o, messageId, 'untrusted', `${what}: ${trust.why}.`);
		return { action: 'notice', chatId: o.chatId, messageId, reason: trust.why };
	}
	if (ev.event === 'message.updated' || ev.event === 'message.deleted') {
		const isCommand = async (message: IDataObject) => {
			const text = operatorText(message);
			if (parseCommand(text)) return true;
			return parseCommand(text, (await operatorSide(o, trust, ev)).notePrefix) !== undefined;
		};
		return await changeSent(o, trust, ev, claimsOf(o, trust), isCommand);
	}
	return await deliverCreated(o, trust, ev);
}

/**
 * A created operator message (and, with the catch-up, the earlier ones whose own delivery has
 * not come): each sent, or run as a command; then the conversation's response times.
 */
async function deliverCreated(o: Outbound, c: Conversation, ev: OperatorEvent) {
	const side = await operatorSide(o, c, ev);
	const { earlier, current } = o.options.catchUp
		? await catchUp(o, c, ev)
		: { earlier: [], current: ev.message };
	const caughtUp: string[] = [];
	const sentAt: string[] = [];
	const each = async (message: IDataObject) => {
		const result = await sendCreated(o, c, message, side);
		if (result.action === 'sent') sentAt.push(String(message.createdAt ?? ''));
		return result;
	};
	for (const older of earlier) {
		await each(older);
		caughtUp.push(String(older.id));
	}
	const result = await each(current);
	if (sentAt.length) await recordResponse(o, side, sentAt.sort()[sentAt.length - 1]);
	return caughtUp.length ? { ...result, caughtUp } : result;
}

/**
 * The chat's conversation, when the bridge may send from it (`trustOf`): as this process verified
 * it before while the delivery shows the chat with the same key and customer (caches.ts), else as
 * TeamSpirit holds the chat now (the delivery is data, not proof).
 */
export async function trusted(
	o: Outbound,
	ev: Pick<OperatorEvent, 'chat'>,
): ReturnType<typeof trustOfRead> {
	const ownAccount = await o.adapter.conversation.account(o.ctx, o.itemIndex);
	const entry = cacheKey(await identityOf(o.ctx, o.itemIndex), o.adapter.name, o.chatId);
	const known = trustedChats.get(entry);
	if (known && unchanged(o, known, ev.chat)) {
		if (ownAccount === undefined || ownAccount === known.account) return known;
		return { skip: `a conversation of another ${o.adapter.displayName} account` };
	}
	const trust = await trustOfRead(o, ownAccount);
	if ('conversationId' in trust) trustedChats.set(entry, trust);
	else trustedChats.delete(entry);
	return trust;
}

async function trustOfRead(o: Outbound, ownAccount: string | undefined) {
	const chat = await o.ts(async () => await getChat(o.ctx, o.itemIndex, o.chatId));
	const secret = await conversationSecret(o.ctx, o.itemIndex);
	return trustOf(chat, o.adapter, secret, ownAccount);
}

/** Whether the delivery shows the chat as it was verified: same id, key and customer. */
function unchanged(o: Outbound, known: Conversation, chat: IDataObject | undefined): boolean {
	const metadata = (chat?.metadata ?? {}) as IDataObject;
	return (
		chat?.id === o.chatId &&
		chat.externalKey === known.key &&
		typeof metadata.conversationId === 'string' &&
		o.adapter.conversationId.normalize(metadata.conversationId) === known.conversationId
	);
}

/** How the claims of this chat's operator messages are made (claims.ts). */
export function claimsOf(o: Outbound, c: Conversation) {
	return (messageId: string): ClaimContext => ({
		ctx: o.ctx,
		itemIndex: o.itemIndex,
		chatId: o.chatId,
		messageId,
		conversation: c.key,
		holdMs: o.options.waitMs + STEP_BUDGET_MS,
		ts: o.ts,
	});
}

/**
 * Deliveries can come out of order (TeamSpirit re-sends a failed one later): operator messages of
 * the last hour that are older than this one, have not reached the customer, and would have
 * started this workflow (the trigger's filters) go first. The same read gives the delivered
 * message as it is now (its version for the claim), when it is among the newest.
 */
async function catchUp(
	o: Outbound,
	c: Conversation,
	ev: OperatorEvent,
): Promise<{ earlier: IDataObject[]; current: IDataObject }> {
	const messageId = String(ev.message.id);
	const bot = await o.ts(async () => await botOf(o.ctx, o.itemIndex));
	const recent = await o.ts(
		async () => await recentMessages(o.ctx, o.itemIndex, o.chatId, CATCH_UP_COUNT),
	);
	const current = recent.find((m) => m.id === messageId) ?? ev.message;
	const createdAt = String(current.createdAt ?? '');
	const since = Date.parse(createdAt) - CATCH_UP_MS;
	const onlyMentions = ev.triggerFilters.onlyMentions === true;
	const earlier = recent
		.filter(
			(m) =>
				m.id !== messageId &&
				notYetSent(m.externalKey, c.key, String(m.id)) &&
				m.senderId !== bot.id &&
				String(m.createdAt) < createdAt &&
				Date.parse(String(m.createdAt)) >= since &&
				(!onlyMentions || mentions(m.text, bot.username)),
		)
		.reverse();
	return { earlier, current };
}

/**
 * Sends one created operator message (the delivered one, or an earlier one it catches up), `seen`
 * as last read or delivered. What TeamSpirit holds now decides, not what was seen: exactly one
 * execution, in whichever process, wins the claim and sends.
 */
async function sendCreated(
	o: Outbound,
	c: Conversation,
	seen: IDataObject,
	side: OperatorSide,
): Promise<IDataObject> {
	let message = seen;
	// a command (or a private note) is run once and never sent (centre/commands/); a message
	// edited into or out of one before its claim is decided on again, as it is then
	for (let attempt = 1; ; attempt++) {
		const command = parseCommand(operatorText(message), side.notePrefix);
		if (!command) return await claimAndSend(o, c, message, side);
		if (attempt > 5) {
			return skipped('a command that kept changing: not run', {
				chatId: o.chatId,
				messageId: seen.id,
			});
		}
		const sendAs = async (as: IDataObject, text: { text: string; format: string }) =>
			await claimAndSend(o, c, as, side, text);
		const ran = await runCommand({ o, c, chat: side.chat, sendAs }, message, command);
		if (!('again' in ran)) return ran;
		message = ran.again as IDataObject;
	}
}

/** The text of an operator message, markdown escapes undone (`\/take` is `/take`). */
function operatorText(message: IDataObject): string {
	const text = String(message.text ?? '');
	return message.format === 'markdown' ? text.replace(/\\([!-/:-@[-`{-~])/g, '$1') : text;
}

/**
 * Claims an operator message and sends it (`instead`: another text, a canned reply), or says
 * what it is when another execution has it. In a conversation the bot owns, the operator takes
 * it over first (centre/ownership.ts): from then on the bot stays silent there.
 */
async function claimAndSend(
	o: Outbound,
	c: Conversation,
	seen: IDataObject,
	side: OperatorSide,
	instead?: { text: string; format: string },
): Promise<IDataObject> {
	const messageId = String(seen.id);
	const base = { chatId: o.chatId, messageId, conversationId: c.conversationId };
	const claimed = await claimMessage(claimsOf(o, c)(messageId), seen);
	if (claimed.won) {
		try {
			await takeOver(o, side.chat, claimed.message);
		} catch (error) {
			// nothing was sent: a retry may claim it again
			await claimed.claim.record(unsentKey(messageId));
			throw withItemIndex(o.ctx.getNode(), error, o.itemIndex);
		}
		return await sendClaimed(o, c, { ...claimed.message, ...instead }, claimed.claim);
	}
	switch (claimed.state.kind) {
		case 'deleted':
			return skipped('the message was deleted before it was sent', base);
		case 'uncertain':
			await notice(
				o,
				messageId,
				'uncertain',
				'An earlier attempt to send this message stopped before it was recorded: it may or may ' +
					'not have reached the customer, so it is not sent again. Ask the customer, or send it again.',
			);
			return { action: 'notice', ...base, reason: 'an earlier attempt may have sent it' };
		case 'sent':
			return skipped('the message was already sent to the customer', base);
		case 'command':
			return skipped('an operator command: run already, never sent', base);
		default:
			return skipped("the message is the bridge's own", base);
	}
}
