/**
 * A customer's conversations as an AI agent reads them (Get Conversation History): for each of
 * the customer's conversation chats on the channel (one per bot / number / page they wrote to),
 * its state (status, owner, queue, rating, times) and its last messages as compact lines, oldest
 * first:
 *
 *   customer: Where is my order?
 *   bot: It left the warehouse yesterday.
 *   (handed over to an operator: the customer asks for a refund)
 *   operator Anna Petrova: I have refunded it.
 *   (resolved)
 *
 * Who wrote a line is read from what TeamSpirit holds, never from the text alone: the bot's posts
 * under the conversation's message key are the customer's messages, the bot's posts that start with
 * "🤖 " are what the bot said to the customer (greeting, away reply, Reply as Bot), everyone
 * else's messages are operators'. Private notes and commands (`command:` / `note:` keys, or a text
 * that is a command the bridge has not claimed yet) and the bridge's other notices are left out.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { truncateGraphemes } from '../../shared/graphemes';
import { eachMessage } from '../../shared/teamspirit/messages';
import { botOf, userName } from '../teamspirit';
import { conversationView, eachConversation, type Conversation } from './list';

/** The longest a line's text gets in the history (UTF-16 units; longer texts end in "…"). */
const MAX_LINE = 500;

/** How many messages are read per conversation, at most, to find its last lines. */
const readLimit = (lines: number) => Math.max(100, lines * 5);

/** Who wrote a message of a conversation chat, for the history. */
type Speaker =
	| { kind: 'customer' }
	| { kind: 'bot' }
	| { kind: 'operator'; userId: string }
	| { kind: 'event'; text: string }
	| { kind: 'none' };

const COMMAND = /^\/[A-Za-z]+(\s|$)/;
const BOT_PREFIX = '🤖 ';

/**
 * Whether the bot's "🤖 " post is one the customer got (or is getting): an answer of Reply as Bot
 * (`bot:<customer message key>`, claimed `pending:…`, sent `<conversation key>#…`), the greeting,
 * an away reply, the handover message; not a notice for the operators that starts the same way
 * ("🤖 Given back to the bot by …"), nor an answer certainly not sent (`unsent:`).
 */
function saidToCustomer(key: string, conversationKey: string, chatId: string): boolean {
	return (
		/^(bot|pending|handover):/.test(key) ||
		key.startsWith(`${conversationKey}#`) ||
		key === `notice:${chatId}:greeting` ||
		key.startsWith(`notice:${chatId}:away:`)
	);
}

/** What a message of the conversation `conversationKey` is in its history (pure). */
function speakerOf(message: IDataObject, botId: string, conversationKey: string): Speaker {
	const key = typeof message.externalKey === 'string' ? message.externalKey : '';
	const text = typeof message.text === 'string' ? message.text : '';
	if (/^(command|note):/.test(key)) return { kind: 'none' };
	if (String(message.senderId ?? '') !== botId) {
		if (COMMAND.test(text.trim())) return { kind: 'none' };
		return { kind: 'operator', userId: String(message.senderId ?? '') };
	}
	if (text.startsWith(BOT_PREFIX) && saidToCustomer(key, conversationKey, String(message.chatId)))
		return { kind: 'bot' };
	if (key.startsWith(`${conversationKey}#`)) return { kind: 'customer' };
	if (text.startsWith('✅ Resolved')) return { kind: 'event', text: '(resolved)' };
	const handover = /^🙋 Handover:\s*(.*)$/su.exec(text);
	if (handover) {
		const reason = handover[1].trim();
		return { kind: 'event', text: `(handed over to an operator${reason ? `: ${reason}` : ''})` };
	}
	return { kind: 'none' };
}

/** A message's text as one line: files named, line breaks as spaces, long texts cut. */
function lineText(message: IDataObject, speaker: Speaker): string {
	let text = String(message.text ?? '');
	if (speaker.kind === 'bot' && text.startsWith(BOT_PREFIX)) text = text.slice(BOT_PREFIX.length);
	const files = ((message.files as IDataObject[] | undefined) ?? []).map((f) => String(f.name));
	if (files.length) text = `${text} [files: ${files.join(', ')}]`.trim();
	text = text.replace(/\s*\n\s*/g, ' ').trim();
	return text.length > MAX_LINE ? `${truncateGraphemes(text, MAX_LINE - 1)}…` : text;
}

interface HistoryReader {
	ctx: IExecuteFunctions;
	itemIndex: number;
	botId: string;
	/** Operators' names by user id, read once per run of the operation. */
	names: Map<string, Promise<string>>;
}

function nameOf(r: HistoryReader, userId: string): Promise<string> {
	let name = r.names.get(userId);
	if (!name) {
		name = userName(r.ctx, r.itemIndex, userId).then((found) => found ?? userId);
		r.names.set(userId, name);
	}
	return name;
}

/** The last `count` lines of a conversation chat, oldest first. */
async function historyLines(
	r: HistoryReader,
	conversation: Conversation,
	count: number,
): Promise<string[]> {
	const key = String(conversation.chat.externalKey);
	const found: Array<{ speaker: Speaker; message: IDataObject }> = [];
	await eachMessage(r.ctx, r.itemIndex, conversation.chat.id, readLimit(count), (message) => {
		const speaker = speakerOf(message, r.botId, key);
		if (speaker.kind !== 'none') found.push({ speaker, message });
		return found.length < count;
	});
	const lines: string[] = [];
	for (const { speaker, message } of found.reverse()) {
		if (speaker.kind === 'event') lines.push(speaker.text);
		else if (speaker.kind === 'operator')
			lines.push(`operator ${await nameOf(r, speaker.userId)}: ${lineText(message, speaker)}`);
		else lines.push(`${speaker.kind}: ${lineText(message, speaker)}`);
	}
	return lines;
}

/** One conversation in the history: its state and its last lines. */
async function summary(r: HistoryReader, c: Conversation, count: number): Promise<IDataObject> {
	const view = conversationView(c);
	return {
		chatId: view.chatId,
		account: view.account,
		status: view.status,
		owner: view.owner,
		queue: view.queue,
		assigneeId: view.assigneeId,
		rating: view.rating,
		times: view.times,
		messages: await historyLines(r, c, count),
	};
}

/**
 * The history of the customer of `conversation`: that conversation first, then the customer's
 * other conversations on the same channel (other bots / numbers / pages), newest first.
 */
export async function customerHistory(
	ctx: IExecuteFunctions,
	itemIndex: number,
	conversation: Conversation,
	messages: number,
): Promise<IDataObject> {
	const { channel, conversation: customer } = conversation.key;
	const conversationId = String(conversation.chat.metadata.conversationId ?? customer);
	const others: Conversation[] = [];
	await eachConversation(ctx, itemIndex, { channel, conversationId }, (c) => {
		if (c.chat.id !== conversation.chat.id && c.key.conversation === customer) others.push(c);
	});
	const at = (c: Conversation) =>
		c.state.times.lastCustomerMessageAt ?? c.state.times.createdAt ?? '';
	others.sort((a, b) => at(b).localeCompare(at(a)));
	const r: HistoryReader = {
		ctx,
		itemIndex,
		botId: (await botOf(ctx, itemIndex)).id,
		names: new Map(),
	};
	const conversations: IDataObject[] = [];
	for (const c of [conversation, ...others]) conversations.push(await summary(r, c, messages));
	const view = conversationView(conversation);
	return {
		channel,
		conversationId: view.conversationId,
		customer: view.customer,
		conversations,
	};
}
