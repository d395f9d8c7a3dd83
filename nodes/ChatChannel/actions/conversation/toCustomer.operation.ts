import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { linkFileChannels } from '../../../channels/texts';
import { patienceMs, waitOption } from '../../../conversations/order';
import { sendToCustomer } from '../../../conversations/outbound';
import { sendTyping } from '../../../conversations/typing';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';

const properties: INodeProperties[] = [
	{
		displayName:
			'Connect this node to a TeamSpirit Trigger (events Message Created, Updated and Deleted; ' +
			'Conversations: this channel): what operators post in a conversation chat reaches its customer. ' +
			'With the event Typing too, the customer sees an operator typing where the channel can show it.',
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
					`For channels that fetch files from a link (${linkFileChannels()}): ` +
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

/** Send to Customer's options, as the bridge takes them. */
function optionsOf(ctx: IExecuteFunctions, itemIndex: number) {
	const options = ctx.getNodeParameter('conversationOptions', itemIndex, {}) as IDataObject;
	return {
		catchUp: options.catchUp !== false,
		linkSeconds: Math.round(Math.min(1440, Math.max(1, Number(options.linkMinutes) || 60)) * 60),
		signature: options.signature === true,
		waitMs: patienceMs(options),
	};
}

/** A Typing item (`chat.typing`): the operator's typing, shown where the channel can. */
async function typing(ctx: IExecuteFunctions, call: OperationCall, json: IDataObject) {
	const data = (json.typing ?? {}) as IDataObject;
	return await sendTyping(
		ctx,
		call.itemIndex,
		call.adapter,
		{
			chatId: String(json.chatId ?? data.chatId ?? ''),
			userId: String(json.userId ?? data.userId ?? ''),
			user: (data.user ?? {}) as IDataObject,
			until: String(json.until ?? data.until ?? ''),
			chat: (json.chat ?? data.chat ?? undefined) as IDataObject | undefined,
		},
		optionsOf(ctx, call.itemIndex),
	);
}

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const json = this.getInputData()[itemIndex].json;
	const event = String(json.event ?? '');
	if (event === 'chat.typing') return await typing(this, call, json);
	const message = (json.message ?? {}) as IDataObject;
	if (!event.startsWith('message.') || !message.id) {
		throw new NodeOperationError(
			this.getNode(),
			`Item ${itemIndex} is not a message event of the TeamSpirit Trigger`,
			{
				itemIndex,
				description:
					'Connect this node to a TeamSpirit Trigger with the events Message Created, Message Updated and Message Deleted (and Typing).',
			},
		);
	}
	const chatId = String(message.chatId ?? json.chatId ?? '');
	const triggerFilters = (json.triggerFilters ?? {}) as IDataObject;
	const chat = (message.chat ?? json.chat ?? undefined) as IDataObject | undefined;
	return await sendToCustomer(
		this,
		itemIndex,
		call.adapter,
		{ event, message, chatId, triggerFilters, chat: chat ?? undefined },
		optionsOf(this, itemIndex),
	);
}
