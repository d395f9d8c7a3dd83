import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { adapters } from '../../../channels';
import type { GroupChats } from '../../../conversations/incoming';
import { nodeQueues } from '../../../conversations/centre/queues';
import { conversationOfItem, forwardToTeamSpirit } from '../../../conversations/inbound';
import { patienceMs, waitOption } from '../../../conversations/order';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { chatRLC } from '../../../shared/teamspirit/descriptions';
import type { OperationCall } from '../types';
import { contactCentreFields } from './contactCentre.fields';

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
	...contactCentreFields,
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
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{
						name: 'All Messages',
						value: 'all',
						description: 'Every forwarded message continues, with what was done',
					},
					{
						name: 'Only Messages the AI Agent Should Answer',
						value: 'botOwned',
						description:
							'Only new customer messages of conversations the bot owns (a bot-first queue) continue: connect the AI Agent here. Every message is still forwarded.',
					},
				],
				default: 'all',
				description:
					"Which items continue to the next node. Each carries conversation (chatId, key, messageId, owner, status, queue) and the customer's text.",
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
	return conversationOfItem(ctx.getInputData()[itemIndex]?.json ?? {});
}

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const options = this.getNodeParameter('conversationOptions', itemIndex, {}) as IDataObject;
	const announceChatId = String(
		this.getNodeParameter('conversationOptions.announceChat', itemIndex, '', {
			extractValue: true,
		}) ?? '',
	).trim();
	const forwarded = await forwardToTeamSpirit(this, itemIndex, call.adapter, {
		operators: stringList(this.getNodeParameter('operators', itemIndex, [])),
		titlePrefix: String(options.titlePrefix ?? ''),
		groupChats: (options.groupChats as GroupChats) ?? 'ignore',
		announceChatId,
		waitMs: patienceMs(options),
		queues: nodeQueues(this, itemIndex),
	});
	return options.output === 'botOwned' && !forBot(forwarded) ? [] : forwarded;
}

/**
 * Whether the AI Agent should answer the item: a customer's new message (posted now, or by an
 * earlier attempt of this execution) in an unresolved conversation the bot owns.
 */
function forBot(forwarded: IDataObject): boolean {
	const conversation = (forwarded.conversation ?? {}) as IDataObject;
	return (
		['posted', 'exists'].includes(String(forwarded.action)) &&
		conversation.owner === 'bot' &&
		conversation.status !== 'resolved'
	);
}
