import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { customerHistory } from '../../../conversations/centre/history';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { conversationChatField, readConversation } from './shared';

export { conversationOf } from './shared';

const properties: INodeProperties[] = [
	{
		...conversationChatField,
		default: { __rl: true, mode: 'id', value: '={{ $json.conversation.chatId }}' },
		description:
			"The conversation chat: Forward to TeamSpirit's conversation.chatId (as a tool of the AI Agent, the item the agent answers)",
	},
	{
		displayName: 'Messages per Conversation',
		name: 'messages',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 20,
		description:
			'How many of the last messages of each conversation to return (customer, bot and operators; notes and commands left out)',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['getHistory'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const conversation = await readConversation(this, itemIndex);
	const wanted = Number(this.getNodeParameter('messages', itemIndex, 20));
	const messages = Number.isFinite(wanted) ? Math.min(100, Math.max(1, Math.floor(wanted))) : 20;
	return await customerHistory(this, itemIndex, conversation, messages);
}
