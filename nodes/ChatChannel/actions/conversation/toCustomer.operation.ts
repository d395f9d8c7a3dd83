import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { SendResult } from '../../../channels/types';
import {
	channelMessageIdOf,
	channelMessageIdsOf,
	messageKey,
	noticeKey,
	parseConversationKey,
} from '../../../conversations/keys';
import type { ConversationChat } from '../../../conversations/teamspirit';
import {
	fileLink,
	fileSource,
	getChat,
	botIdOf,
	getMessage,
	patchMessage,
	postMessage,
	recentMessages,
	userName,
} from '../../../conversations/teamspirit';
import { plainToMarkdown } from '../../../conversations/format';
import { inOrder, patienceMs, untilAvailable, waitOption } from '../../../conversations/order';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { withItemIndex } from '../../../shared/errors';
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

/** This process's claims on operator messages it is sending (a cache: the marker is in TeamSpirit). */
const claimedHere = new Set<string>();
const MAX_CLAIMS = 10_000;

/** How far back a delivery catches up on operator messages whose own delivery has not come. */
const CATCH_UP_MS = 60 * 60 * 1000;
const CATCH_UP_COUNT = 50;

const pendingKey = (messageId: string) => `pending:${messageId}`;
const unsentKey = (messageId: string) => `unsent:${messageId}`;

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

	const chat = (
		(json.chat as ConversationChat | undefined)?.id
			? json.chat
			: await ts(async () => await getChat(this, itemIndex, chatId))
	) as ConversationChat;
	const parsed = parseConversationKey(chat.externalKey);
	const metadata = (chat.metadata ?? {}) as IDataObject;
	if (!parsed || parsed.channel !== adapter.name || typeof metadata.conversationId !== 'string') {
		return skipped(`chat ${chatId} is not a ${adapter.displayName} conversation`, { chatId });
	}
	const ownAccount = await adapter.conversation.account(this, itemIndex);
	if (ownAccount !== undefined && ownAccount !== parsed.account) {
		return skipped(`chat ${chatId} is a conversation of another ${adapter.displayName} account`, {
			chatId,
		});
	}
	const conversationId = adapter.conversationId.normalize(metadata.conversationId);
	if (!conversationId) {
		return skipped(`chat ${chatId} names no valid ${adapter.displayName} conversation`, { chatId });
	}
	const key = String(chat.externalKey);
	const messageId = String(message.id);
	const channelMessageIds = channelMessageIdsOf(message.externalKey, key);
	const channelMessageId = channelMessageIds[0];
	// the key of the TeamSpirit message, not of this execution: parts the channel accepted for it
	// are not sent again by a retried execution in this n8n process
	const send = {
		...call,
		conversationId,
		account: parsed.account,
		acceptKey: `teamspirit:${messageId}:${event}:${String(message.editedAt ?? '')}`,
	};
	const base = { chatId, messageId, conversationId };

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
	const notice = noticeFor(messageId);

	if (event === 'message.updated' || event === 'message.deleted') {
		// only what reached the customer can change there; the bridge's own posts carry other keys
		if (!channelMessageId) return skipped('the message was not sent to the customer', base);
		const edit = event === 'message.updated';
		const action = edit ? adapter.actions.editText : adapter.actions.deleteMessage;
		if (typeof action !== 'function') {
			const why = adapter.unavailable?.[edit ? 'editText' : 'deleteMessage'] ?? '';
			await notice(
				edit ? `edited:${String(message.editedAt ?? '')}` : 'deleted',
				`${adapter.displayName}: the customer still sees the ${edit ? 'original' : 'message'}. ${why}`.trim(),
			);
			return { action: 'notice', ...base, reason: why };
		}
		try {
			if (edit) {
				const { text, format } = await outgoingText.call(this, itemIndex, message, adapter);
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
				// every part the message became: its text and each of its files
				for (const id of channelMessageIds) {
					await channel(
						async () =>
							await adapter.actions.deleteMessage!(send, { conversationId, messageId: id }),
					);
				}
			}
		} catch (error) {
			await notice(
				edit ? `edit-failed:${String(message.editedAt ?? '')}` : 'delete-failed',
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
		const setKey = async (externalKey: string) =>
			await ts(async () => await patchMessage(this, itemIndex, chatId, messageId, { externalKey }));
		// message.created. What TeamSpirit holds now decides, not the (maybe old) delivery: a message
		// with a key was posted by the bridge (the customer's own, a notice) or has reached the customer.
		let current: IDataObject;
		try {
			current = await ts(async () => await getMessage(this, itemIndex, chatId, messageId));
		} catch (error) {
			if (Number((error as { httpCode?: string }).httpCode) === 404) {
				return skipped('the message was deleted before it was sent', base);
			}
			throw withItemIndex(this.getNode(), error, itemIndex);
		}
		const currentKey = typeof current.externalKey === 'string' ? current.externalKey : '';
		if (currentKey === pendingKey(messageId) && !claimedHere.has(messageId)) {
			// an attempt elsewhere (another process, or one that stopped) may have sent it
			await notice(
				'uncertain',
				'An earlier attempt to send this message stopped before it was recorded: it may or may not ' +
					'have reached the customer, so it is not sent again. Ask the customer, or send it again.',
			);
			return { action: 'notice', ...base, reason: 'an earlier attempt may have sent it' };
		}
		if (currentKey && currentKey !== pendingKey(messageId) && currentKey !== unsentKey(messageId)) {
			return skipped('the message is already mapped to the channel', base);
		}
		if (currentKey !== pendingKey(messageId)) await setKey(pendingKey(messageId));
		if (claimedHere.size >= MAX_CLAIMS) claimedHere.clear();
		claimedHere.add(messageId);

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
				const sendPart = { ...send, acceptKey: `${send.acceptKey}:file:${index}` };
				const replyTo = sentIds.length ? undefined : replyToMessageId;
				let result: SendResult;
				if (adapter.conversation.files === 'link') {
					const url = await ts(
						async () => await fileLink(this, itemIndex, String(file.id), seconds),
					);
					result = await channel(
						async () =>
							await adapter.actions.sendFile(sendPart, {
								conversationId,
								kind: 'auto',
								source: { type: 'url', url },
								format: 'plain',
								replyToMessageId: replyTo,
							}),
					);
				} else {
					result = await channel(
						async () =>
							await adapter.actions.sendFile(sendPart, {
								conversationId,
								kind: 'auto',
								source: { type: 'binary', upload: fileSource(this, itemIndex, file) },
								format: 'plain',
								replyToMessageId: replyTo,
							}),
					);
				}
				sentIds.push(...result.messageIds);
			}
		} catch (error) {
			const partly = (error as { context?: IDataObject }).context?.sentMessageIds;
			if (Array.isArray(partly)) sentIds.push(...partly.map(String));
			failure = error;
		}
		if (sentIds.length) {
			// record what the message became: replies, edits and deletes find it by this key
			await setKey(messageKey(key, sentIds));
		} else if (failure && outcomeOf(failure) !== 'unknown') {
			// certainly not sent: a retried execution may try again
			await setKey(unsentKey(messageId));
		}
		claimedHere.delete(messageId);
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
	// of the last hour that are older than this one and have not reached the customer go first.
	const caughtUp: string[] = [];
	const botId = await ts(async () => await botIdOf(this, itemIndex));
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
				!m.externalKey &&
				m.senderId !== botId &&
				String(m.createdAt) < createdAt &&
				Date.parse(String(m.createdAt)) >= since,
		)
		.reverse();
	for (const older of earlier) {
		await sendCreated(String(older.id));
		caughtUp.push(String(older.id));
	}
	const result = await sendCreated(messageId);
	return caughtUp.length ? { ...result, caughtUp } : result;
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
