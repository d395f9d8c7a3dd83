/**
 * Customer → TeamSpirit (Forward to TeamSpirit, docs/conversations.md): each customer's messages,
 * files, replies and edits appear in a TeamSpirit chat of their own, created on the first message,
 * each message once (keys.ts) and in the channel's order (order.ts).
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ChannelAdapter, ChannelMessage } from '../channels/types';
import { release } from '../channels/sequence';
import { conversationName, customerMarkdown, groupRefusal, isGroup } from './incoming';
import type { GroupChats } from './incoming';
import { cacheKey, conversationChats } from './caches';
import { announcementKey, conversationKey, messageKey, noticeKey } from './keys';
import { afterPredecessors, arrivesLate, inOrder, lateLine, untilAvailable } from './order';
import {
	conversationSecret,
	ensureChat,
	findChat,
	findMessage,
	findSentMessage,
	identityOf,
	patchMessage,
	postKeyed,
	postMessage,
	type ConversationChat,
} from './teamspirit';
import { cleanFileName, cleanName, fieldPlain } from './untrusted';
import { afterCustomerMessage, ratingIn } from './centre/customer';
import { stateOf } from './centre/state';
import { botFirst, publishQueues, queueFor, type QueueSettings } from './centre/queues';
import { getUploadSource } from '../shared/binary';
import { withItemIndex } from '../shared/errors';
import { truncateGraphemes } from '../shared/graphemes';
import { uploadFile } from '../shared/teamspirit/files';

/** Forward to TeamSpirit's parameters, read by the operation. */
export interface InboundOptions {
	/** The operators: members of every new conversation chat. */
	operators: string[];
	/** Starts every new chat's title (empty: the channel's name). */
	titlePrefix: string;
	groupChats: GroupChats;
	/** A team chat that hears of every new conversation ('' for none). */
	announceChatId: string;
	/** How long to keep trying through an outage (ms). */
	waitMs: number;
	/** The contact centre's queues (none: no routing, every operator a member of every chat). */
	queues: QueueSettings[];
}

type CustomerMessage = ChannelMessage & { account?: string };

/** One inbound item's work: the run, the channel, the message and the options. */
interface Inbound {
	ctx: IExecuteFunctions;
	itemIndex: number;
	adapter: ChannelAdapter;
	message: CustomerMessage;
	options: InboundOptions;
	isEdit: boolean;
}

/** The channel's title part: "WhatsApp (Twilio)" → "WhatsApp". */
const channelTitle = (displayName: string) => displayName.replace(/\s*\(.*\)\s*$/, '');

/** The grouping key of a trigger item: one customer's items keep their order. */
export const conversationOfItem = (json: IDataObject) =>
	`${String(json.channel ?? '')}:${String(json.conversationId ?? '')}`;

/** Forwards one Chat Channel Trigger item to its customer's TeamSpirit chat. */
export async function forwardToTeamSpirit(
	ctx: IExecuteFunctions,
	itemIndex: number,
	adapter: ChannelAdapter,
	options: InboundOptions,
): Promise<IDataObject> {
	const json = ctx.getInputData()[itemIndex].json;
	try {
		return await forwardItem(ctx, itemIndex, adapter, options);
	} finally {
		// whatever happened to it, the customer's next messages no longer wait for this one
		release(json);
	}
}

async function forwardItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	adapter: ChannelAdapter,
	options: InboundOptions,
): Promise<IDataObject> {
	const message = ctx.getInputData()[itemIndex].json as unknown as CustomerMessage;
	if (message.channel !== adapter.name || typeof message.conversationId !== 'string') {
		throw new NodeOperationError(
			ctx.getNode(),
			`Item ${itemIndex} is not a ${adapter.displayName} message from the Chat Channel Trigger`,
			{
				itemIndex,
				description:
					`Connect this node to a Chat Channel Trigger whose Channel is ${adapter.displayName}, ` +
					'and set the same Channel here.',
			},
		);
	}
	const event = String(message.event);
	if (event === 'callback' && ratingIn(message) !== undefined) {
		const i: Inbound = { ctx, itemIndex, adapter, message, options, isEdit: false };
		return await inTurn(i, async () => await rate(i));
	}
	const isEdit = event === 'edited_message' || event === 'edited_channel_post';
	const isFailure =
		event === 'status' && ['failed', 'undelivered'].includes(String(message.status));
	if (!['message', 'channel_post'].includes(event) && !isEdit && !isFailure) {
		return { action: 'skipped', reason: `${event} events are not forwarded`, event };
	}
	if (!message.messageId)
		return { action: 'skipped', reason: 'the event has no message ID', event };
	const refusal = groupRefusal(adapter, message, options.groupChats);
	if (refusal) return { action: 'skipped', reason: refusal, event };
	const i: Inbound = { ctx, itemIndex, adapter, message, options, isEdit };
	return await inTurn(i, async () => (isFailure ? await reportFailure(i) : await forward(i)));
}

/**
 * Runs `step` in the customer's turn: one customer's messages are posted in the channel's order,
 * first after the earlier messages this process still handles (another execution may have got
 * ahead of theirs), then one after another, also while the first waits for TeamSpirit to come back.
 * Every step is a read or a keyed write: repeating one can never post twice.
 */
async function inTurn(i: Inbound, step: () => Promise<IDataObject>): Promise<IDataObject> {
	const { ctx, message } = i;
	const patience = {
		ms: i.options.waitMs,
		repeatable: true,
		onWait: (error: unknown, waitMs: number) =>
			ctx.logger.info(
				`Conversation ${message.conversationId}: ${(error as Error).message}; trying again in ${waitMs} ms`,
			),
	};
	if (!i.isEdit) await afterPredecessors(ctx, message, patience.ms);
	return await inOrder(
		conversationOfItem(message as unknown as IDataObject),
		async () => await untilAvailable(ctx, patience, step),
	);
}

/** The bot / number / page the customer wrote to. */
async function accountOf(i: Inbound): Promise<string> {
	const { message, adapter } = i;
	const account =
		(typeof message.account === 'string' && message.account) ||
		(await adapter.conversation.account(i.ctx, i.itemIndex));
	if (!account) {
		throw new NodeOperationError(
			i.ctx.getNode(),
			`Item ${i.itemIndex} does not say which ${adapter.displayName} account it arrived at`,
			{
				itemIndex: i.itemIndex,
				description: 'Use the item of a Chat Channel Trigger as it is ("account").',
			},
		);
	}
	return account;
}

/** The customer's signed conversation key: only n8n can name (or open in advance) their chat. */
async function keyOf(i: Inbound, account: string): Promise<string> {
	const part = i.adapter.conversation.keyPart(i.message.conversationId);
	const secret = await conversationSecret(i.ctx, i.itemIndex);
	return conversationKey(i.adapter.name, account, part, secret);
}

/** The customer's chat, created (and announced) on their first message. */
async function chatOf(
	i: Inbound,
	account: string,
	key: string,
): Promise<{ chat: ConversationChat; created: boolean }> {
	const { adapter, message } = i;
	const part = adapter.conversation.keyPart(message.conversationId);
	// the customer's (or group's) name, cleaned of bidi, zero-width and control characters
	const name = conversationName(adapter, message, part);
	const prefix = i.options.titlePrefix.trim() || channelTitle(adapter.displayName);
	const queue = queueFor(i.options.queues, adapter.name, account);
	const found = await ensureChat(i.ctx, i.itemIndex, {
		key,
		title: truncateGraphemes(`${prefix} · ${name}`, 200),
		memberIds: [...new Set([...(queue?.operators ?? []), ...i.options.operators])],
		// with a queue, `times` marks a chat made with the contact centre (customer.ts adopts the others)
		metadata: {
			...chatMetadata(i, account, name),
			...(queue ? { times: { createdAt: new Date().toISOString() } } : {}),
		},
	});
	// a bot-first queue's conversation is the bot's: the operators hear of it when it is handed over
	if (found.created && i.options.announceChatId && !botFirst(queue)) {
		await postMessage(i.ctx, i.itemIndex, i.options.announceChatId, {
			text: `New ${channelTitle(adapter.displayName)} conversation: ${fieldPlain(name)} (chat "${fieldPlain(found.chat.title)}")`,
			format: 'plain',
			externalKey: announcementKey(key),
		});
	}
	return found;
}

/** A new chat's metadata: the channel, the account and who the customer (or group) is. */
function chatMetadata(i: Inbound, account: string, name: string): IDataObject {
	const { adapter, message } = i;
	const sender = message.sender ?? { id: '', name: '' };
	const group = isGroup(adapter, message);
	return {
		channel: adapter.name,
		account,
		conversationId: message.conversationId,
		...(group ? { conversationType: message.conversationType } : {}),
		customer: group
			? { id: message.conversationId, name }
			: {
					id: String(sender.id ?? ''),
					name,
					...(sender.username ? { username: cleanName(sender.username) } : {}),
					...(sender.phone ? { phone: cleanName(sender.phone) } : {}),
					...(sender.email ? { email: cleanName(sender.email) } : {}),
				},
	};
}

/**
 * The customer's chat is the one this process found under the key before (caches.ts), else the
 * one `POST /chats` finds or creates. A cached chat that is gone (404) or no longer the bot's
 * (403) is forgotten and the message goes the keyed way.
 */
async function forward(i: Inbound): Promise<IDataObject> {
	const account = await accountOf(i);
	const key = await keyOf(i, account);
	await publishQueues(i.ctx, i.itemIndex, i.options.queues);
	const entry = cacheKey(await identityOf(i.ctx, i.itemIndex), key);
	const cached = conversationChats.get(entry);
	if (cached) {
		try {
			return await forwardInto(i, key, { chat: cached, created: false });
		} catch (error) {
			if (!chatGone(error)) throw withItemIndex(i.ctx.getNode(), error, i.itemIndex);
			conversationChats.delete(entry);
		}
	}
	const found = await chatOf(i, account, key);
	conversationChats.set(entry, found.chat);
	return await forwardInto(i, key, found);
}

const chatGone = (error: unknown) =>
	[403, 404].includes(Number((error as { httpCode?: string }).httpCode));

/**
 * Posts the message in its chat under its key (`200`: it was there already), or edits it. Only an
 * edit or a message with files looks for the message first (files are not uploaded twice).
 */
async function forwardInto(
	i: Inbound,
	key: string,
	{ chat, created }: { chat: ConversationChat; created: boolean },
): Promise<IDataObject> {
	const { ctx, itemIndex, message } = i;
	const ownKey = messageKey(key, String(message.messageId));
	const text = customerMarkdown(i.adapter, message);
	const result = {
		chatId: chat.id,
		chatTitle: chat.title,
		chatCreated: created,
		conversationKey: key,
	};
	const existing =
		i.isEdit || hasFiles(i) ? await findMessage(ctx, itemIndex, chat.id, ownKey) : undefined;
	if (i.isEdit && existing) {
		const edited = await patchMessage(ctx, itemIndex, chat.id, String(existing.id), {
			text,
			format: 'markdown',
		});
		return { action: 'edited', ...result, messageId: edited.id, message: edited };
	}
	if (existing) return { action: 'exists', ...result, messageId: existing.id, message: existing };
	// new, or an edit whose original never arrived (sent before the bridge was set up)
	const replyToId = await replyTarget(i, chat.id, key);
	const fileIds = await uploadFiles(i);
	// another process forwarded a later message of the customer first: say so, visibly
	const late =
		!i.isEdit &&
		i.adapter.messageId.growing === true &&
		(await arrivesLate(ctx, itemIndex, chat.id, key, String(message.messageId)));
	const body = text || (fileIds.length ? '' : '(empty message)');
	const posted = await postKeyed(ctx, itemIndex, chat.id, {
		text: late ? `${lateLine(message.timestamp)}\n${body}`.trimEnd() : body,
		format: 'markdown',
		...(fileIds.length ? { fileIds } : {}),
		...(replyToId ? { replyToId } : {}),
		externalKey: ownKey,
	});
	const action = posted.created ? 'posted' : 'exists';
	const messageId = posted.message.id;
	const centre = i.isEdit ? undefined : await contactCentre(i, key, chat, created);
	return {
		action,
		...result,
		messageId,
		message: posted.message,
		// the customer's words, for an AI Agent
		text: typeof message.text === 'string' ? message.text : '',
		...(centre ? { conversation: { ...centre.conversation, messageId } } : {}),
	};
}

/**
 * The contact centre's rules for the customer's message (centre/customer.ts), also for a message
 * that was posted before (a retry finishes what the first attempt may not have). The chat as it is
 * afterwards is what this process remembers of it.
 */
async function contactCentre(
	i: Inbound,
	key: string,
	chat: ConversationChat,
	chatCreated = false,
): Promise<{ conversation: IDataObject }> {
	const account = await accountOf(i);
	const after = await afterCustomerMessage({
		ctx: i.ctx,
		itemIndex: i.itemIndex,
		adapter: i.adapter,
		message: i.message,
		account,
		chat,
		queues: i.options.queues,
		queue: queueFor(i.options.queues, i.adapter.name, account),
		chatCreated,
	});
	conversationChats.set(cacheKey(await identityOf(i.ctx, i.itemIndex), key), after.chat);
	const state = stateOf(after.chat);
	return {
		conversation: {
			chatId: after.chat.id,
			key,
			owner: state.owner,
			status: state.status,
			queue: state.queue,
			assigneeId: state.assigneeId,
			done: after.done,
		},
	};
}

/**
 * A rating button (Telegram's inline button, `rate:<n>`): the tap is answered, and the rating
 * recorded when the conversation waits for one. No chat is made for it.
 */
async function rate(i: Inbound): Promise<IDataObject> {
	const { ctx, itemIndex, message, adapter } = i;
	if (message.callbackId && adapter.actions.answerCallback) {
		await adapter.actions.answerCallback(
			{ ctx, itemIndex, acceptKey: `centre:${message.eventId}:answer`, account: message.account },
			{ callbackId: message.callbackId, text: 'Thank you!' },
		);
	}
	const key = await keyOf(i, await accountOf(i));
	// read afresh: whether a rating is awaited is decided on the chat as it is, with no write
	const chat = await findChat(ctx, itemIndex, key);
	if (!chat) return { action: 'skipped', reason: 'no conversation chat for this customer' };
	const centre = await contactCentre(i, key, chat);
	return { action: 'rated', chatId: chat.id, conversationKey: key, ...centre };
}

/** Whether the trigger downloaded files of the message (they are uploaded before the post). */
function hasFiles(i: Inbound): boolean {
	const binary = i.ctx.getInputData()[i.itemIndex].binary ?? {};
	return (i.message.attachments ?? []).some((a) => a.binaryProperty && binary[a.binaryProperty]);
}

/** The TeamSpirit message the customer's message replies to, when it is in the chat. */
async function replyTarget(i: Inbound, chatId: string, key: string): Promise<string | undefined> {
	if (!i.message.replyToMessageId) return undefined;
	const replyKey = messageKey(key, String(i.message.replyToMessageId));
	const original = await findMessage(i.ctx, i.itemIndex, chatId, replyKey);
	return original ? String(original.id) : undefined;
}

/** Uploads the files the trigger downloaded; returns their TeamSpirit ids. */
async function uploadFiles(i: Inbound): Promise<string[]> {
	const item = i.ctx.getInputData()[i.itemIndex];
	const fileIds: string[] = [];
	for (const attachment of i.message.attachments ?? []) {
		if (!attachment.binaryProperty || !item.binary?.[attachment.binaryProperty]) continue;
		const source = await getUploadSource(i.ctx, i.itemIndex, attachment.binaryProperty);
		const file = await uploadFile(i.ctx, i.itemIndex, source, cleanFileName(source.fileName));
		fileIds.push(String(file.id));
	}
	return fileIds;
}

/**
 * A message the channel took but could not deliver (Twilio's status callback "failed", e.g.
 * 63016 outside WhatsApp's 24-hour window): a notice in the conversation chat, as a reply to the
 * operator's message, once.
 */
async function reportFailure(i: Inbound): Promise<IDataObject> {
	const { ctx, itemIndex, message } = i;
	const key = await keyOf(i, await accountOf(i));
	const channelMessageId = String(message.messageId);
	const chat = await findChat(ctx, itemIndex, key);
	if (!chat) return { action: 'skipped', reason: 'no conversation chat for this customer' };
	const sent = await findSentMessage(ctx, itemIndex, chat.id, key, channelMessageId);
	if (!sent) return { action: 'skipped', reason: 'no operator message was sent as this one' };
	const why = [message.errorCode ? `error ${message.errorCode}` : '', message.error ?? '']
		.filter(Boolean)
		.join(': ');
	const notice = await postMessage(ctx, itemIndex, chat.id, {
		text: `⚠️ Not delivered to the customer (${String(message.status)}${why ? `, ${why}` : ''}).`,
		format: 'plain',
		replyToId: String(sent.id),
		externalKey: noticeKey(String(sent.id), `status:${channelMessageId}`),
	});
	return { action: 'notice', chatId: chat.id, messageId: notice.id, notice: notice.text };
}
