import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { handOver } from '../../../conversations/centre/handover';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { conversationChatField, customerLine, readConversation } from './shared';

const properties: INodeProperties[] = [
	{
		...conversationChatField,
		default: { __rl: true, mode: 'id', value: '={{ $json.conversation.chatId }}' },
		description:
			"The conversation chat: Forward to TeamSpirit's conversation.chatId (as a tool of the AI Agent, the item the agent answers)",
	},
	{
		displayName: 'Reason',
		name: 'reason',
		type: 'string',
		typeOptions: { rows: 2 },
		default:
			"={{ $fromAI('reason', 'Why the customer needs a person, in one sentence for the operator', 'string') }}",
		description:
			'Shown to the operators in the chat ("🙋 Handover: …"); never sent to the customer',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['handOver'] } },
	properties,
);

export { conversationOf } from './shared';

/**
 * The bot hands the conversation to the operators: owner operator, a notice with the reason, the
 * queue's Handover Message to the customer once, then the queue's routing assigns an operator.
 */
export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const reason = String(this.getNodeParameter('reason', itemIndex, '') ?? '');
	const conversation = await readConversation(this, itemIndex);
	const line = await customerLine(this, call, conversation);
	const done = await handOver(this, itemIndex, conversation.chat, { reason, line });
	const { state } = done;
	return {
		handedOver: done.handedOver,
		...(done.reason ? { reason: done.reason } : {}),
		...(done.routed ? { routed: done.routed } : {}),
		chatId: done.chat.id,
		owner: state.owner,
		status: state.status,
		queue: state.queue,
		assigneeId: state.assigneeId,
	};
}
