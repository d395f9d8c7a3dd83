/**
 * What the contact centre's operations share: the conversation chat they act on (a chat picker)
 * read as a conversation (a signed key, or an error), the Channels choice of the reading
 * operations, date-times and the operator as fields, running an action of centre/actions.ts as
 * the workflow (`act`, `outcome`), and the line to the customer.
 */
import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { adapterFor } from '../../../channels';
import * as actions from '../../../conversations/centre/actions';
import type { ActionResult, Actor } from '../../../conversations/centre/actions';
import {
	conversationOfChat,
	conversationView,
	type Conversation,
} from '../../../conversations/centre/list';
import { stateOf } from '../../../conversations/centre/state';
import { lineFor, type CustomerLine } from '../../../conversations/centre/customerLine';
import { validZone, zonedTime } from '../../../conversations/centre/time';
import { conversationSecret, getChat, postMessage } from '../../../conversations/teamspirit';
import { chatRLC } from '../../../shared/teamspirit/descriptions';
import type { OperationCall } from '../types';

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

export const operatorField: INodeProperties = {
	// n8n's lint and community scanner want exactly this sentence for a list loaded from the API
	displayName: 'Operator Name or ID',
	name: 'operator',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getUsers' },
	default: '',
	required: true,
	description:
		'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
	hint: 'An expression may also give a TeamSpirit @username',
};

/** The operator chosen: a user id, or `@username` given by an expression. */
export function operatorOf(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { userId?: string; username?: string } {
	const value = String(ctx.getNodeParameter('operator', itemIndex, '') ?? '').trim();
	if (!value)
		throw new NodeOperationError(ctx.getNode(), 'No operator is chosen', {
			itemIndex,
			description: 'Pick a TeamSpirit user, or map their ID or @username.',
		});
	return value.startsWith('@') ? { username: value.slice(1) } : { userId: value };
}

/** Who the contact centre's notices name: the workflow. */
export function actorOf(ctx: IExecuteFunctions): Actor {
	const name = ctx.getWorkflow().name?.trim();
	return { id: null, name: name ? `the workflow "${name}"` : 'an n8n workflow' };
}

/** A key for what this item of this execution sends (the same on a Retry On Fail). */
export const sendKeyOf = (call: OperationCall, what: string) =>
	`editor:${createHash('sha256').update(call.acceptKey).digest('base64url').slice(0, 16)}:${what}`;

/** What the contact centre's actions answer bad input with (an unknown user or queue, …). */
const REFUSED = /^(❓|⛔)\s*/u;

type ActionName = 'assign' | 'transfer' | 'reopen' | 'snooze' | 'addNote';

/**
 * Runs a contact-centre action (centre/actions.ts) on the conversation chosen, as the workflow:
 * bad input is an error for the item (Continue On Fail goes on); a change is told in the chat, once
 * (keyed by the item's execution); the output is the conversation as it is now.
 */
export async function act(
	ctx: IExecuteFunctions,
	call: OperationCall,
	name: ActionName,
	args: IDataObject,
): Promise<IDataObject> {
	const { itemIndex } = call;
	const conversation = await readConversation(ctx, itemIndex);
	const action = actions[name] as (
		...a: [IExecuteFunctions, number, Conversation['chat'], IDataObject, Actor]
	) => Promise<ActionResult>;
	const result = await action(ctx, itemIndex, conversation.chat, args, actorOf(ctx));
	return await outcome(ctx, call, conversation, result);
}

/** The action's result as output, after telling the chat what changed (bad input: an error). */
export async function outcome<R extends ActionResult>(
	ctx: IExecuteFunctions,
	call: OperationCall,
	conversation: Conversation,
	result: R,
	told = result.notice,
): Promise<IDataObject> {
	if (REFUSED.test(result.notice))
		// the notice's word joiners (they keep TeamSpirit from reading @name as a mention) go
		throw new NodeOperationError(
			ctx.getNode(),
			result.notice.replace(REFUSED, '').replace(/\u2060/g, ''),
			{
				itemIndex: call.itemIndex,
			},
		);
	if (result.changed || told !== result.notice) {
		await postMessage(ctx, call.itemIndex, conversation.chat.id, {
			text: told,
			format: 'plain',
			externalKey: `notice:${sendKeyOf(call, 'told')}`,
		});
	}
	const { chat, state, changed, notice, ...rest } = result;
	// the chat as the action left it (after routing, too) says the state
	const now = { ...conversation.chat, ...chat };
	const after = { chat: now, key: conversation.key, state: chat?.metadata ? stateOf(now) : state };
	return { ...conversationView(after), changed, notice, ...(rest as IDataObject) };
}

/**
 * How this node reaches the conversation's customer (the closing message, the rating question, a
 * canned reply): only on its own channel, whose credential it has.
 */
export async function customerLine(
	ctx: IExecuteFunctions,
	call: OperationCall,
	conversation: Conversation,
): Promise<CustomerLine> {
	const { itemIndex, adapter } = call;
	const channel = conversation.key.channel;
	if (channel !== adapter.name) {
		const theirs = adapterFor(channel)?.displayName ?? channel;
		throw new NodeOperationError(
			ctx.getNode(),
			`The conversation is on ${theirs}; this node's Channel is ${adapter.displayName}`,
			{
				itemIndex,
				description: `This operation writes to the customer: use a node whose Channel is ${theirs}.`,
			},
		);
	}
	const line = await lineFor(ctx, itemIndex, adapter, conversation.chat);
	if ('why' in line)
		throw new NodeOperationError(ctx.getNode(), `The customer cannot be reached: ${line.why}`, {
			itemIndex,
		});
	return line;
}
