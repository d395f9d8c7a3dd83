import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { conversationView, eachConversation } from '../../../conversations/centre/list';
import type { Conversation } from '../../../conversations/centre/list';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { chatIdOf, conversationChatField, readConversation } from './shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Find By',
		name: 'findBy',
		type: 'options',
		options: [
			{ name: 'Conversation Chat', value: 'chat', description: 'Its TeamSpirit chat' },
			{
				name: "Customer's Conversation ID",
				value: 'conversationId',
				description:
					'The conversationId the Chat Channel Trigger gives (the chat with the customer)',
			},
		],
		default: 'chat',
	},
	{ ...conversationChatField, displayOptions: { show: { findBy: ['chat'] } } },
	{
		displayName: 'Conversation ID',
		name: 'conversationId',
		type: 'string',
		default: '={{ $json.conversationId }}',
		required: true,
		description: "The customer's conversation ID on this node's channel",
		displayOptions: { show: { findBy: ['conversationId'] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['get'] } },
	properties,
);

/** One conversation's items run in order (by its chat, or its customer). */
export function conversationOf(ctx: IExecuteFunctions, itemIndex: number): string {
	if (ctx.getNodeParameter('findBy', itemIndex, 'chat') === 'chat')
		return `teamspirit:${chatIdOf(ctx, itemIndex)}`;
	return `customer:${String(ctx.getNodeParameter('conversationId', itemIndex, ''))}`;
}

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex, adapter } = call;
	if (this.getNodeParameter('findBy', itemIndex, 'chat') === 'chat')
		return conversationView(await readConversation(this, itemIndex));
	const given = String(this.getNodeParameter('conversationId', itemIndex, '')).trim();
	const conversationId = adapter.conversationId.normalize(given);
	if (!conversationId) {
		throw new NodeOperationError(
			this.getNode(),
			`"${given.slice(0, 60)}" is not a ${adapter.displayName} conversation ID`,
			{ itemIndex, description: adapter.conversationId.description },
		);
	}
	const part = adapter.conversation.keyPart(conversationId);
	const found: Conversation[] = [];
	await eachConversation(this, itemIndex, { channel: adapter.name, conversationId }, (c) => {
		if (c.key.conversation === part) found.push(c);
	});
	if (!found.length) {
		throw new NodeOperationError(
			this.getNode(),
			`No ${adapter.displayName} conversation with the conversation ID "${conversationId}"`,
			{ itemIndex, description: 'The customer has not written yet, or wrote to another channel.' },
		);
	}
	// a customer who wrote to two of the channel's accounts has a conversation at each
	return found.map(conversationView);
}
