import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { SendResult } from '../../../channels/types';
import type { ClaimContext } from '../../../conversations/claims';
import {
	claimMessage,
	keyState,
	notYetSent,
	settled,
	uncertainKey,
	unsentKey,
} from '../../../conversations/claims';
import {
	channelMessageIdOf,
	messageKey,
	noticeKey,
	parseConversationKey,
	verifyConversationKey,
} from '../../../conversations/keys';
import type { ConversationChat } from '../../../conversations/teamspirit';
import {
	botOf,
	conversationSecret,
	fileLink,
	fileSource,
	getChat,
	getMessage,
	postMessage,
	recentMessages,
	userName,
} from '../../../conversations/teamspirit';
import { plainToMarkdown } from '../../../shared/markdown';
import { inOrder, patienceMs, untilAvailable, waitOption } from '../../../conversations/order';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { mentions } from '../../../shared/teamspirit/utils';
import { outcomeOf } from '../../../shared/outcome';
import type { OperationCall } from '../types';

const properties: INodeProperties[] = [
	{
		displayName:
			'Connect this node to a TeamSpirit Trigger (events Message Created, Updated and Deleted; ' +
			'Conversations: this channel): what operators post in a conversation chat reaches its customer.',
		name: 'toCustomerNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Options',
		name: 'conversationOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Catch Up Earlier Messages',
				name: 'catchUp',
				type: 'boolean',
				default: true,
				description:
					"Whether to first send the chat's operator messages of the last hour that have not reached " +
					'the customer (their own delivery failed or is late), when they pass the TeamSpirit ' +
					"Trigger's filters. Turn it off when the workflow leaves out messages with other nodes " +
					'(e.g. an If node) before this one.',
			},
			{
				displayName: 'File Link Lifetime (Minutes)',
				name: 'linkMinutes',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1440 },
				default: 60,
				description:
					'For channels that fetch files from a link (WhatsApp through Twilio): ' +
					"how long the unguessable TeamSpirit link to an operator's file works",
			},
			{
				displayName: 'Sign With Operator Name',
				name: 'signature',
				type: 'boolean',
				default: false,
				description: "Whether to start each message with the operator's name in bold",
			},
			waitOption(
				'While the channel or TeamSpirit is unreachable or answers 503 / 429, keep trying this long ' +
					"(the operator's next messages wait behind, in order). " +
					'A message the channel may already have taken (its answer was lost) is never sent again.',
			),
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['toCustomer'] } },
	properties,
);

/** One TeamSpirit chat's items go in order: the chat is the grouping key. */
export function conversationOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const json = ctx.getInputData()[itemIndex]?.json ?? {};
	return `teamspirit:${String(json.chatId ?? (json.message as IDataObject | undefined)?.chatId ?? '')}`;
}

const skipped = (reason: string, extra: IDataObject = {}) => ({
	action: 'skipped',
	reason,
	...extra,
});

/** Why the channel refused, for the operator: the error and the channel's own hint. */
function refusal(error: unknown): string {
	const e = error as { message?: string; description?: string | null };
	return [e.message, e.description].filter(Boolean).join('. ');
}

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const json = this.getInputData()[itemIndex].json;
	const event = String(json.event ?? '');
	const message = (json.message ?? {}) as IDataObject;
	if (!event.startsWith('message.') || !message.id) {
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemIndex} is not a message event of the TeamSpirit Trigger`,
			{
				itemIndex,
				description:
					'Connect this node to a TeamSpirit Trigger with the events Message Created, Message Updated and Message Deleted.',
			},
		);
	}
	const chatId = String(message.chatId ?? json.chatId ?? '');
	// one chat's messages reach its customer one after another, in the order they came
	return await inOrder(
		`teamspirit:${chatId}`,
		async () => await deliver.call(this, call, { event, message, chatId, json }),
	);
}

/** How far back a delivery catches up on operator messages whose own delivery has not come. */
const CATCH_UP_MS = 60 * 60 * 1000;
const CATCH_UP_COUNT = 50;
/** How long one send step may take beyond the patience before its claim lapses. */
const STEP_BUDGET_MS = 5 * 60 * 1000;

/**
 * Whether the bridge may send from a chat. Chats of another channel or account are someone else's
 * (`skip`: another workflow's bridge serves them). A chat of this channel and account must carry a
 * key the bridge signed (keys.ts) and metadata naming the customer of the key; otherwise it is a
 * chat the bridge did not open, or one changed behind its back (`why`: a notice, never a send).
 */
function trustOf(
	chat: ConversationChat,
	adapter: OperationCall['adapter'],
	secret: string,
	ownAccount: string | undefined,
): { skip: string } | { why: string } | { conversationId: string } {
	const looks = parseConversationKey(chat.externalKey);
	if (!looks) return { skip: 'not a customer conversation' };
	if (looks.channel !== adapter.name) return { skip: `not a ${adapter.displayName} conversation` };
	if (ownAccount !== undefined && ownAccount !== looks.account) {
		return { skip: `a conversation of another ${adapter.displayName} account` };
	}
	const parsed = verifyConversationKey(chat.externalKey, secret);
	if (!parsed) {
		return {
			why:
				'this chat was not opened by the conversation bridge (its key does not carry the ' +
				"bridge's signature), so nothing written here is sent to a customer",
		};
	}
	const metadata = (chat.metadata ?? {}) as IDataObject;
	const conversationId =
		typeof metadata.conversationId === 'string'
			? adapter.conversationId.normalize(metadata.conversationId)
			: undefined;
	if (!conversationId || adapter.conversation.keyPart(conversationId) !== parsed.conversation) {
		return {
			why:
				"the chat's metadata names another customer than its key: it was changed outside the " +
				'bridge, so nothing written here is sent',
		};
	}
	return { conversationId };
}

async function deliver(
	this: IExecuteFunctions,
	call: OperationCall,
	{
		event,
		message,
		chatId,
		json,
	}: { event: string; message: IDataObject; chatId: string; json: IDataObject },
) {
	const { itemIndex, adapter } = call;
	const options = this.getNodeParameter('conversationOptions', itemIndex, {}) as IDataObject;
	const waitMs = patienceMs(options);
	const onWait = (error: unknown, waitMs: number) =>
		this.logger.info(
			`Conversation chat ${chatId}: ${(error as Error).message}; trying again in ${waitMs} ms`,
		);
	// TeamSpirit calls are reads and keyed writes: safe to repeat whatever happened
	const ts = async <T>(step: () => Promise<T>) =>
		await untilAvailable(this, { ms: waitMs, repeatable: true, onWait }, step);
	// a channel send is repeated only when the channel said it did not take it
	const channel = async <T>(step: () => Promise<T>) =>
		await untilAvailable(this, { ms: waitMs, repeatable: false, onWait }, step);

	/** A notice about one operator message in the conversation chat, posted once. */
	const noticeFor = (id: string) => async (what: string, text: string) => {
		await ts(
			async () =>
				await postMessage(this, itemIndex, chatId, {
					text: `⚠️ ${text}`,
					format: 'plain',
					externalKey: noticeKey(id, what),
				}),
		);
	};
	const messageId = String(message.id);
	const notice = noticeFor(messageId);

	// The delivery is data, not proof: the chat is read from TeamSpirit, and only a chat whose key
	// the bridge signed, naming this customer, is sent from.
	const chat = await ts(async () => await getChat(this, itemIndex, chatId));
	const secret = await conversationSecret(this, itemIndex);
	const ownAccount = await adapter.conversation.account(this, itemIndex);
	const trust = trustOf(chat, adapter, secret, ownAccount);
	if ('skip' in trust) return skipped(`chat ${chatId}: ${trust.skip}`, { chatId });
	if ('why' in trust) {
		if (event !== 'message.created') return skipped(`chat ${chatId}: ${trust.why}`, { chatId });
		await notice('untrusted', `Not sent: ${trust.why}.`);
		return { action: 'notice', chatId, messageId, reason: trust.why };
	}
	const { conversationId } = trust;
	const key = String(chat.externalKey);
	const parsed = parseConversationKey(key)!;
	const base = { chatId, messageId, conversationId };
	const claims = (id: string): ClaimContext => ({
		ctx: this,
		itemIndex,
		chatId,
		messageId: id,
		conversation: key,
		holdMs: waitMs + STEP_BUDGET_MS,
		ts,
	});

	if (event === 'message.updated' || event === 'message.deleted') {
		const edit = event === 'message.updated';
		let channelMessageIds: string[];
		let current: IDataObject = message;
		if (edit) {
			// what TeamSpirit holds now (after a send still running elsewhere has ended)
			const found = await settled(claims(messageId));
			if (!found) return skipped('the message was deleted before its edit was sent', base);
			current = found.message;
			if (found.state.kind === 'uncertain') {
				await notice(
					`edited:${String(current.editedAt ?? '')}`,
					'Not changed for the customer: the message may not have reached them.',
				);
				return { action: 'notice', ...base, reason: 'the message may not have been sent' };
			}
			channelMessageIds = found.state.kind === 'sent' ? found.state.channelMessageIds : [];
		} else {
			const state = keyState(message.externalKey, key, messageId);
			if (state.kind === 'claimed') {
				// deleted while being sent: the sending execution sees the deletion before its next
				// part and when it records the message, and takes back what it sent
				return skipped('deleted while being sent: the sending execution takes it back', base);
			}
			channelMessageIds = state.kind === 'sent' ? state.channelMessageIds : [];
		}
		// only what reached the customer can change there; the bridge's own posts carry other keys
		if (!channelMessageIds.length) return skipped('the message was not sent to the customer', base);
		const channelMessageId = channelMessageIds[0];
		const send = {
			...call,
			conversationId,
			account: parsed.account,
			acceptKey: `teamspirit:${messageId}:${event}:${String(current.editedAt ?? '')}`,
		};
		const action = edit ? adapter.actions.editText : adapter.actions.deleteMessage;
		if (typeof action !== 'function') {
			const why = adapter.unavailable?.[edit ? 'editText' : 'deleteMessage'] ?? '';
			await notice(
				edit ? `edited:${String(current.editedAt ?? '')}` : 'deleted',
				`${adapter.displayName}: the customer still sees the ${edit ? 'original' : 'message'}. ${why}`.trim(),
			);
			return { action: 'notice', ...base, reason: why };
		}
		try {
			if (edit) {
				const { text, format } = await outgoingText.call(this, itemIndex, current, adapter);
				await channel(
					async () =>
						await adapter.actions.editText!(send, {
							conversationId,
							messageId: channelMessageId,
							text,
							format,
						}),
				);
			} else {
				await takeBack(send, conversationId, channelMessageIds, channel);
			}
		} catch (error) {
			await notice(
				edit ? `edit-failed:${String(current.editedAt ?? '')}` : 'delete-failed',
				`Not ${edit ? 'changed' : 'deleted'} for the customer: ${refusal(error)}`,
			);
			return { action: 'notice', ...base, error: refusal(error) };
		}
		return edit
			? { action: 'edited', ...base, channelMessageId }
			: { action: 'deleted', ...base, channelMessageIds };
	}

	/** Sends one created operator message (the delivered one, or an earlier one it catches up). */
	const sendCreated = async (targetId: string): Promise<IDataObject> => {
		const messageId = targetId;
		const base = { chatId, messageId, conversationId };
		const send = {
			...call,
			conversationId,
			account: parsed.account,
			acceptKey: `teamspirit:${messageId}:message.created:`,
		};
		const notice = noticeFor(messageId);
		// message.created. What TeamSpirit holds now decides, not the (maybe old) delivery; exactly
		// one execution, in whichever process, wins the claim and sends.
		const claimed = await claimMessage(claims(messageId));
		if (!claimed.won) {
			switch (claimed.state.kind) {
				case 'deleted':
					return skipped('the message was deleted before it was sent', base);
				case 'uncertain':
					await notice(
						'uncertain',
						'An earlier attempt to send this message stopped before it was recorded: it may or may ' +
							'not have reached the customer, so it is not sent again. Ask the customer, or send it again.',
					);
					return { action: 'notice', ...base, reason: 'an earlier attempt may have sent it' };
				case 'sent':
					return skipped('the message was already sent to the customer', base);
				default:
					return skipped("the message is the bridge's own", base);
			}
		}
		const { message: current, claim } = claimed;

		let replyToMessageId: string | undefined;
		if (current.replyToId) {
			try {
				const original = await ts(
					async () => await getMessage(this, itemIndex, chatId, String(current.replyToId)),
				);
				replyToMessageId = channelMessageIdOf(original.externalKey, key);
			} catch {
				replyToMessageId = undefined;
			}
		}
		const files = Array.isArray(current.files) ? (current.files as IDataObject[]) : [];
		const { text, format } = await outgoingText.call(this, itemIndex, current, adapter);
		const sentIds: string[] = [];
		let failure: unknown;
		let withdrawn = false;
		try {
			if (text.trim()) {
				const result = await channel(
					async () =>
						await adapter.actions.sendText(
							{ ...send, acceptKey: `${send.acceptKey}:text` },
							{ conversationId, text, format, replyToMessageId },
						),
				);
				sentIds.push(...result.messageIds);
			}
			const seconds = Math.round(
				Math.min(1440, Math.max(1, Number(options.linkMinutes) || 60)) * 60,
			);
			for (const [index, file] of files.entries()) {
				// the operator may have deleted it meanwhile: then nothing more is sent
				if (!(await claim.renew())) {
					withdrawn = true;
					break;
				}
				const sendPart = { ...send, acceptKey: `${send.acceptKey}:file:${index}` };
				const replyTo = sentIds.length ? undefined : replyToMessageId;
				const source =
					adapter.conversation.files === 'link'
						? {
								type: 'url' as const,
								url: await ts(
									async () => await fileLink(this, itemIndex, String(file.id), seconds),
								),
							}
						: { type: 'binary' as const, upload: fileSource(this, itemIndex, file) };
				const result: SendResult = await channel(
					async () =>
						await adapter.actions.sendFile(sendPart, {
							conversationId,
							kind: 'auto',
							source,
							format: 'plain',
							replyToMessageId: replyTo,
						}),
				);
				sentIds.push(...result.messageIds);
			}
		} catch (error) {
			const partly = (error as { context?: IDataObject }).context?.sentMessageIds;
			if (Array.isArray(partly)) sentIds.push(...partly.map(String));
			failure = error;
		}
		if (!withdrawn) {
			if (sentIds.length) {
				// record what the message became: replies, edits and deletes find it by this key
				withdrawn = !(await claim.record(messageKey(key, sentIds)));
			} else if (failure) {
				// certainly not sent: a retried execution may try again; the answer lost: it may have
				// arrived, and no one waits for this claim to lapse before saying so
				withdrawn = !(await claim.record(
					outcomeOf(failure) === 'unknown' ? uncertainKey(messageId) : unsentKey(messageId),
				));
			}
		}
		if (withdrawn) {
			// deleted in TeamSpirit while it was being sent: take back what reached the customer
			try {
				await takeBack(send, conversationId, sentIds, channel);
			} catch (error) {
				await notice(
					'delete-failed',
					`Deleted here while it was being sent, but not deleted for the customer: ${refusal(error)}`,
				);
				return { action: 'notice', ...base, error: refusal(error) };
			}
			return { action: 'deleted', ...base, channelMessageIds: sentIds };
		}
		if (failure) {
			const what = sentIds.length ? 'Only partly delivered' : 'Not delivered';
			const unsure =
				outcomeOf(failure) === 'unknown'
					? ' The answer was lost: the customer may have it; it is not sent again.'
					: '';
			await notice('created', `${what} to the customer: ${refusal(failure)}${unsure}`);
			return { action: 'notice', ...base, sentMessageIds: sentIds, error: refusal(failure) };
		}
		return { action: 'sent', ...base, channelMessageIds: sentIds };
	};

	// Deliveries can come out of order (TeamSpirit re-sends a failed one later): operator messages
	// of the last hour that are older than this one, have not reached the customer, and would have
	// started this workflow (the trigger's filters) go first.
	const caughtUp: string[] = [];
	if (options.catchUp !== false) {
		const bot = await ts(async () => await botOf(this, itemIndex));
		const filters = (json.triggerFilters ?? {}) as IDataObject;
		const recent = await ts(
			async () => await recentMessages(this, itemIndex, chatId, CATCH_UP_COUNT),
		);
		const createdAt = String(
			recent.find((m) => m.id === messageId)?.createdAt ?? message.createdAt ?? '',
		);
		const since = Date.parse(createdAt) - CATCH_UP_MS;
		const earlier = recent
			.filter(
				(m) =>
					m.id !== messageId &&
					notYetSent(m.externalKey, key, String(m.id)) &&
					m.senderId !== bot.id &&
					String(m.createdAt) < createdAt &&
					Date.parse(String(m.createdAt)) >= since &&
					(filters.onlyMentions !== true || mentions(m.text, bot.username)),
			)
			.reverse();
		for (const older of earlier) {
			await sendCreated(String(older.id));
			caughtUp.push(String(older.id));
		}
	}
	const result = await sendCreated(messageId);
	return caughtUp.length ? { ...result, caughtUp } : result;
}

/** Deletes every part an operator message became on the channel. */
async function takeBack(
	send: OperationCall &
		Parameters<NonNullable<OperationCall['adapter']['actions']['deleteMessage']>>[0],
	conversationId: string,
	channelMessageIds: string[],
	channel: <T>(step: () => Promise<T>) => Promise<T>,
) {
	const remove = send.adapter.actions.deleteMessage;
	if (typeof remove !== 'function' || !channelMessageIds.length) return;
	for (const id of channelMessageIds) {
		await channel(async () => await remove(send, { conversationId, messageId: id }));
	}
}

/** The operator's text in the channel's format, signed when asked. */
async function outgoingText(
	this: IExecuteFunctions,
	itemIndex: number,
	message: IDataObject,
	adapter: OperationCall['adapter'],
) {
	const options = this.getNodeParameter('conversationOptions', itemIndex, {}) as IDataObject;
	let markdown =
		message.format === 'markdown'
			? String(message.text ?? '')
			: plainToMarkdown(String(message.text ?? ''));
	if (options.signature === true && message.senderId) {
		const name = await userName(this, itemIndex, String(message.senderId));
		if (name) {
			markdown = markdown.trim() ? `**${plainToMarkdown(name)}:**\n${markdown}` : markdown;
		}
	}
	return adapter.conversation.fromMarkdown(markdown);
}
