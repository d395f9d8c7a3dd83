import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { adapters } from '../../../channels';
import type { ChannelMessage } from '../../../channels/types';
import {
	conversationName,
	customerMarkdown,
	groupRefusal,
	isGroup,
	type GroupChats,
} from '../../../conversations/incoming';
import {
	announcementKey,
	conversationKey,
	messageKey,
	noticeKey,
} from '../../../conversations/keys';
import {
	afterPredecessors,
	arrivesLate,
	inOrder,
	lateLine,
	patienceMs,
	untilAvailable,
	waitOption,
} from '../../../conversations/order';
import { release } from '../../../channels/sequence';
import {
	conversationSecret,
	ensureChat,
	findChat,
	findMessage,
	findSentMessage,
	patchMessage,
	postMessage,
} from '../../../conversations/teamspirit';
import { cleanFileName, cleanName, fieldPlain } from '../../../conversations/untrusted';
import { truncateGraphemes } from '../../../shared/graphemes';
import { uploadFile } from '../../../shared/teamspirit/files';
import { getUploadSource } from '../../../shared/binary';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { chatRLC } from '../../../shared/teamspirit/descriptions';
import type { OperationCall } from '../types';

/**
 * A message the channel took but could not deliver (Twilio's status callback "failed", e.g.
 * 63016 outside WhatsApp's 24-hour window): a notice in the conversation chat, as a reply to the
 * operator's message, once.
 */
async function reportFailure(
	this: IExecuteFunctions,
	itemIndex: number,
	key: string,
	message: ChannelMessage,
) {
	const channelMessageId = String(message.messageId);
	const chat = await findChat(this, itemIndex, key);
	if (!chat) return { action: 'skipped', reason: 'no conversation chat for this customer' };
	const sent = await findSentMessage(this, itemIndex, chat.id, key, channelMessageId);
	if (!sent) return { action: 'skipped', reason: 'no operator message was sent as this one' };
	const why = [message.errorCode ? `error ${message.errorCode}` : '', message.error ?? '']
		.filter(Boolean)
		.join(': ');
	const notice = await postMessage(this, itemIndex, chat.id, {
		text: `⚠️ Not delivered to the customer (${String(message.status)}${why ? `, ${why}` : ''}).`,
		format: 'plain',
		replyToId: String(sent.id),
		externalKey: noticeKey(String(sent.id), `status:${channelMessageId}`),
	});
	return { action: 'notice', chatId: chat.id, messageId: notice.id, notice: notice.text };
}

const properties: INodeProperties[] = [
	{
		displayName:
			'Connect this node to a Chat Channel Trigger of the same channel: each customer gets ' +
			'a TeamSpirit chat of their own, and their messages, files, replies and edits appear in it.',
		name: 'toTeamSpiritNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Operator Names or IDs',
		name: 'operators',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getUsers' },
		default: [],
		// n8n's lint and community scanner want exactly this sentence for a list loaded from the API
		description:
			'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		hint: 'The TeamSpirit users who answer customers: members of every new conversation chat',
	},
	{
		displayName: 'Options',
		name: 'conversationOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				...chatRLC,
				displayName: 'Announce New Conversations In',
				name: 'announceChat',
				required: false,
				description:
					'A team chat that gets a short message when a customer writes for the first time',
			},
			{
				displayName: 'Chat Title Prefix',
				name: 'titlePrefix',
				type: 'string',
				default: '',
				placeholder: 'Telegram',
				description:
					'Starts the title of every new conversation chat ("Telegram · Anna Petrova"). Empty: the channel\'s name.',
			},
			{
				displayName: 'Group Chats',
				name: 'groupChats',
				type: 'options',
				options: [
					{
						name: 'Bridge',
						value: 'bridge',
						description:
							"Each group gets one chat titled with the group's name; every message shows who wrote it",
					},
					{
						name: 'Ignore',
						value: 'ignore',
						description: 'Only private chats are forwarded; group messages are skipped',
					},
				],
				default: 'ignore',
				description:
					'Messages from groups (and channels) the bot is in. Operators who answer in a bridged group chat answer the whole group.',
				// only channels whose conversations can have several people (the registry says which)
				displayOptions: {
					show: {
						'/channel': Object.values(adapters)
							.filter((adapter) => adapter.conversation.groups)
							.map((adapter) => adapter.name),
					},
				},
			},
			waitOption(
				'While TeamSpirit is unreachable or answers 5xx / 429, keep trying this long; ' +
					"the customer's next messages wait behind, in order. " +
					'Past it, the execution fails and can be retried safely.',
			),
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['toTeamSpirit'] } },
	properties,
);

function stringList(value: unknown): string[] {
	if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
	if (typeof value === 'string')
		return value
			.split(',')
			.map((v) => v.trim())
			.filter(Boolean);
	return [];
}

/** The conversation of the item: its chat is the grouping key, so one customer's items keep order. */
export function conversationOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const json = ctx.getInputData()[itemIndex]?.json ?? {};
	return `${String(json.channel ?? '')}:${String(json.conversationId ?? '')}`;
}

/** The channel's title part: "WhatsApp (Twilio)" → "WhatsApp". */
const channelTitle = (displayName: string) => displayName.replace(/\s*\(.*\)\s*$/, '');

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	try {
		return await forwardItem.call(this, call);
	} finally {
		// whatever happened to it, the customer's next messages no longer wait for this one
		release(this.getInputData()[call.itemIndex].json);
	}
}

async function forwardItem(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex, adapter } = call;
	const item = this.getInputData()[itemIndex];
	const message = item.json as unknown as ChannelMessage & { account?: string };
	if (message.channel !== adapter.name || typeof message.conversationId !== 'string') {
		throw new NodeOperationError(
			this.getNode(),
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
	const isEdit = event === 'edited_message' || event === 'edited_channel_post';
	const isFailure =
		event === 'status' && ['failed', 'undelivered'].includes(String(message.status));
	if (!['message', 'channel_post'].includes(event) && !isEdit && !isFailure) {
		return { action: 'skipped', reason: `${event} events are not forwarded`, event };
	}
	if (!message.messageId)
		return { action: 'skipped', reason: 'the event has no message ID', event };
	const options = this.getNodeParameter('conversationOptions', itemIndex, {}) as IDataObject;
	const refusal = groupRefusal(adapter, message, (options.groupChats as GroupChats) ?? 'ignore');
	if (refusal) return { action: 'skipped', reason: refusal, event };
	const patience = {
		ms: patienceMs(options),
		// every step is a read or a keyed write: repeating one can never post twice
		repeatable: true,
		onWait: (error: unknown, waitMs: number) =>
			this.logger.info(
				`Conversation ${message.conversationId}: ${(error as Error).message}; trying again in ${waitMs} ms`,
			),
	};
	// one customer's messages are posted in the channel's order: first after the earlier messages
	// this process still handles (another execution may have got ahead of theirs), then one after
	// another, also while the first waits for TeamSpirit to come back
	if (!isEdit) await afterPredecessors(this, message, patience.ms);
	return await inOrder(
		conversationOf(this, itemIndex),
		async () =>
			await untilAvailable(
				this,
				patience,
				async () => await forward.call(this, call, message, { isEdit, isFailure, options }),
			),
	);
}

async function forward(
	this: IExecuteFunctions,
	call: OperationCall,
	message: ChannelMessage & { account?: string },
	{ isEdit, isFailure, options }: { isEdit: boolean; isFailure: boolean; options: IDataObject },
) {
	const { itemIndex, adapter } = call;
	const item = this.getInputData()[itemIndex];

	const account =
		(typeof message.account === 'string' && message.account) ||
		(await adapter.conversation.account(this, itemIndex));
	if (!account) {
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemIndex} does not say which ${adapter.displayName} account it arrived at`,
			{ itemIndex, description: 'Use the item of a Chat Channel Trigger as it is ("account").' },
		);
	}
	const part = adapter.conversation.keyPart(message.conversationId);
	// signed: only n8n can name (or open in advance) the chat of this customer
	const key = conversationKey(
		adapter.name,
		account,
		part,
		await conversationSecret(this, itemIndex),
	);
	if (isFailure) return await reportFailure.call(this, itemIndex, key, message);
	// the customer's (or group's) name, cleaned of bidi, zero-width and control characters
	const name = conversationName(adapter, message, part);
	const prefix = String(options.titlePrefix ?? '').trim() || channelTitle(adapter.displayName);
	const sender = message.sender ?? { id: '', name: '' };
	const group = isGroup(adapter, message);
	const { chat, created } = await ensureChat(this, itemIndex, {
		key,
		title: truncateGraphemes(`${prefix} · ${name}`, 200),
		memberIds: stringList(this.getNodeParameter('operators', itemIndex, [])),
		metadata: {
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
					},
		},
	});
	const announceChatId = String(
		this.getNodeParameter('conversationOptions.announceChat', itemIndex, '', {
			extractValue: true,
		}) ?? '',
	).trim();
	if (created && announceChatId) {
		await postMessage(this, itemIndex, announceChatId, {
			text: `New ${channelTitle(adapter.displayName)} conversation: ${fieldPlain(name)} (chat "${fieldPlain(chat.title)}")`,
			format: 'plain',
			externalKey: announcementKey(key),
		});
	}

	const ownKey = messageKey(key, String(message.messageId));
	const existing = await findMessage(this, itemIndex, chat.id, ownKey);
	const text = customerMarkdown(adapter, message);
	const result = {
		chatId: chat.id,
		chatTitle: chat.title,
		chatCreated: created,
		conversationKey: key,
	};

	if (isEdit) {
		if (existing) {
			const edited = await patchMessage(this, itemIndex, chat.id, String(existing.id), {
				text,
				format: 'markdown',
			});
			return { action: 'edited', ...result, messageId: edited.id, message: edited };
		}
		// the original never arrived (sent before the bridge was set up): post the edited text
	} else if (existing) {
		return { action: 'exists', ...result, messageId: existing.id, message: existing };
	}

	let replyToId: string | undefined;
	if (message.replyToMessageId) {
		const original = await findMessage(
			this,
			itemIndex,
			chat.id,
			messageKey(key, String(message.replyToMessageId)),
		);
		replyToId = original ? String(original.id) : undefined;
	}
	const fileIds: string[] = [];
	for (const attachment of message.attachments ?? []) {
		if (!attachment.binaryProperty || !item.binary?.[attachment.binaryProperty]) continue;
		const source = await getUploadSource(this, itemIndex, attachment.binaryProperty);
		const file = await uploadFile(this, itemIndex, source, cleanFileName(source.fileName));
		fileIds.push(String(file.id));
	}
	// another process forwarded a later message of the customer first: say so, visibly
	const late =
		!isEdit && (await arrivesLate(this, itemIndex, chat.id, key, String(message.messageId)));
	const body = text || (fileIds.length ? '' : '(empty message)');
	const posted = await postMessage(this, itemIndex, chat.id, {
		text: late ? `${lateLine(message.timestamp)}\n${body}`.trimEnd() : body,
		format: 'markdown',
		...(fileIds.length ? { fileIds } : {}),
		...(replyToId ? { replyToId } : {}),
		externalKey: ownKey,
	});
	return { action: 'posted', ...result, messageId: posted.id, message: posted };
}
