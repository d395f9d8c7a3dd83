/**
 * What the contact centre's operations share: the conversation chat they act on (a chat
 * picker), reading it as a conversation, and the Channels choice of the reading operations.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { conversationOfChat, type Conversation } from '../../../conversations/centre/list';
import { validZone, zonedTime } from '../../../conversations/centre/time';
import { conversationSecret, getChat } from '../../../conversations/teamspirit';
import { chatRLC } from '../../../shared/teamspirit/descriptions';

export const conversationChatField: INodeProperties = {
	...chatRLC,
	displayName: 'Conversation Chat',
	description:
		"The customer's TeamSpirit conversation chat (the chatId of a conversation, or of a " +
		'TeamSpirit Trigger item)',
};

/** The chat id chosen in the Conversation Chat field. */
export function chatIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	return String(ctx.getNodeParameter('chatId', itemIndex, '', { extractValue: true }) ?? '').trim();
}

/** Operations on one conversation chat: one chat's items run one after another. */
export function conversationOf(ctx: IExecuteFunctions, itemIndex: number): string {
	return `teamspirit:${chatIdOf(ctx, itemIndex)}`;
}

/** Operations that read many conversations: every item runs on its own. */
export const ownKey = (): undefined => undefined;

/** The conversation of the chat chosen, or a clear error when the chat is none. */
export async function readConversation(
	ctx: IExecuteFunctions,
	itemIndex: number,
	chatId = chatIdOf(ctx, itemIndex),
): Promise<Conversation> {
	if (!chatId) {
		throw new NodeOperationError(ctx.getNode(), 'No conversation chat is chosen', {
			itemIndex,
			description: 'Pick the chat, or map its ID (e.g. {{ $json.chatId }}).',
		});
	}
	const chat = await getChat(ctx, itemIndex, chatId);
	const conversation = conversationOfChat(chat, await conversationSecret(ctx, itemIndex));
	if (!conversation) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The chat "${chat.title ?? chatId}" is not a customer conversation`,
			{
				itemIndex,
				description:
					'Only the chats Forward to TeamSpirit made (one per customer) are conversations.',
			},
		);
	}
	return conversation;
}

export const channelsOption: INodeProperties = {
	displayName: 'Channels',
	name: 'channels',
	type: 'options',
	options: [
		{
			name: "This Node's Channel",
			value: 'this',
			description: 'Only the conversations of the channel chosen above',
		},
		{ name: 'All Channels', value: 'all', description: "Every channel's conversations" },
	],
	default: 'this',
};

/** The channel to read: this node's, unless the options say all. */
export function channelFilter(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: IDataObject,
): string | undefined {
	if (options.channels === 'all') return undefined;
	return String(ctx.getNodeParameter('channel', itemIndex, 'telegram'));
}

/** `2026-12-24T09:00:00` (no zone written, as n8n's date picker gives it) in the workflow's zone. */
function parseDate(value: string, zone: string): Date {
	const wall = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/.exec(
		value,
	);
	if (!wall) return new Date(value);
	const [, year, month, day, hour = '0', minute = '0', second = '0'] = wall;
	const moment = zonedTime(
		{ year: +year, month: +month, day: +day, hour: +hour, minute: +minute },
		validZone(zone),
	);
	return new Date(moment.getTime() + Number(second) * 1000);
}

/** A date-time field's moment (a written zone counts; none: the workflow's time zone). */
export function dateOf(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: string,
	label: string,
): Date | undefined {
	const value = ctx.getNodeParameter(name, itemIndex, '') as string | Date;
	if (value === '' || value === null || value === undefined) return undefined;
	const date = value instanceof Date ? value : parseDate(String(value).trim(), ctx.getTimezone());
	if (Number.isNaN(date.getTime())) {
		throw new NodeOperationError(ctx.getNode(), `${label} is not a date`, {
			itemIndex,
			description: `"${String(value).slice(0, 60)}": use an ISO date-time, e.g. 2026-12-24T09:00:00Z.`,
		});
	}
	return date;
}
