import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ChannelAttachment, ChannelMessage } from '../../../channels/types';
import { announcementKey, conversationKey, messageKey } from '../../../conversations/keys';
import {
	ensureChat,
	findMessage,
	patchMessage,
	postMessage,
	uploadFile,
} from '../../../conversations/teamspirit';
import { getUploadSource } from '../../../shared/binary';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { chatRLC } from '../../../shared/teamspirit/descriptions';
import type { OperationCall } from '../types';

const properties: INodeProperties[] = [
	{
		displayName:
			'Connect this node to a Chat Channel Trigger of the same channel: each customer gets a TeamSpirit chat of their own, and their messages, files, replies and edits appear in it.',
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
		description:
			'The TeamSpirit users who answer customers: members of every new conversation chat. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
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

function customerName(message: ChannelMessage, fallback: string): string {
	const sender = message.sender ?? ({} as ChannelMessage['sender']);
	return (
		String(sender.name ?? '').trim() ||
		(sender.username ? `@${sender.username}` : '') ||
		String(sender.phone ?? '').trim() ||
		fallback
	);
}

/** The lines the operator reads for attachments that did not come as files. */
function attachmentLines(attachments: ChannelAttachment[]): string[] {
	return attachments
		.filter((a) => !a.binaryProperty && a.notice)
		.map((a) => `(${a.type}${a.fileName ? ` "${a.fileName}"` : ''} not shown: ${a.notice})`);
}

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex, adapter } = call;
	const item = this.getInputData()[itemIndex];
	const message = item.json as unknown as ChannelMessage & { account?: string };
	if (message.channel !== adapter.name || typeof message.conversationId !== 'string') {
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemIndex} is not a ${adapter.displayName} message from the Chat Channel Trigger`,
			{
				itemIndex,
				description: `Connect this node to a Chat Channel Trigger whose Channel is ${adapter.displayName}, and set the same Channel here.`,
			},
		);
	}
	const event = String(message.event);
	const isEdit = event === 'edited_message' || event === 'edited_channel_post';
	if (!['message', 'channel_post'].includes(event) && !isEdit) {
		return { action: 'skipped', reason: `${event} events are not forwarded`, event };
	}
	if (!message.messageId)
		return { action: 'skipped', reason: 'the event has no message ID', event };

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
	const key = conversationKey(adapter.name, account, part);
	const options = this.getNodeParameter('conversationOptions', itemIndex, {}) as IDataObject;
	const name = customerName(message, part);
	const prefix = String(options.titlePrefix ?? '').trim() || channelTitle(adapter.displayName);
	const sender = message.sender ?? { id: '', name: '' };
	const { chat, created } = await ensureChat(this, itemIndex, {
		key,
		title: `${prefix} · ${name}`.slice(0, 200),
		memberIds: stringList(this.getNodeParameter('operators', itemIndex, [])),
		metadata: {
			channel: adapter.name,
			account,
			conversationId: message.conversationId,
			customer: {
				id: String(sender.id ?? ''),
				name,
				...(sender.username ? { username: sender.username } : {}),
				...(sender.phone ? { phone: sender.phone } : {}),
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
			text: `New ${channelTitle(adapter.displayName)} conversation: ${name} (chat "${chat.title}")`,
			format: 'plain',
			externalKey: announcementKey(key),
		});
	}

	const ownKey = messageKey(key, message.messageId);
	const existing = await findMessage(this, itemIndex, chat.id, ownKey);
	const text = [
		adapter.conversation.toMarkdown(message),
		...adapter.conversation.describe(message),
		...attachmentLines(message.attachments ?? []),
	]
		.filter((line) => line.trim())
		.join('\n');
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
		const file = await uploadFile(this, itemIndex, source);
		fileIds.push(String(file.id));
	}
	const posted = await postMessage(this, itemIndex, chat.id, {
		text: text || (fileIds.length ? '' : '(empty message)'),
		format: 'markdown',
		...(fileIds.length ? { fileIds } : {}),
		...(replyToId ? { replyToId } : {}),
		externalKey: ownKey,
	});
	return { action: 'posted', ...result, messageId: posted.id, message: posted };
}
