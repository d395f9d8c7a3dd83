import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { replyAsBot } from '../../../conversations/botReply';
import { patienceMs, waitOption } from '../../../conversations/order';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { chatIdOf, conversationChatField } from './shared';

const properties: INodeProperties[] = [
	{
		...conversationChatField,
		default: { __rl: true, mode: 'id', value: '={{ $json.conversation.chatId }}' },
		description:
			"The conversation chat: Forward to TeamSpirit's conversation.chatId (after an AI Agent: {{ $('Forward to TeamSpirit').item.json.conversation.chatId }})",
	},
	{
		displayName: 'Customer Message ID',
		name: 'customerMessageId',
		type: 'string',
		default: '={{ $json.conversation.messageId }}',
		required: true,
		description:
			"The customer's message this answers: Forward to TeamSpirit's conversation.messageId. One customer message gets one answer, however often this runs.",
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.output }}',
		required: true,
		description: "The answer (plain text); an AI Agent's answer is its output",
	},
	{
		displayName: 'Options',
		name: 'conversationOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			waitOption(
				'While the channel or TeamSpirit is unreachable or answers 503 / 429, keep trying this long. ' +
					'An answer the channel may already have taken (its answer was lost) is never sent again.',
			),
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['replyAsBot'] } },
	properties,
);

export { conversationOf } from './shared';

/**
 * Sends the bot's answer to the customer, once per customer message, only while the bot owns the
 * conversation (else `{ sent: false, reason }`), mirrored in the chat as the bot's ("🤖 ").
 */
export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const options = this.getNodeParameter('conversationOptions', itemIndex, {}) as IDataObject;
	return await replyAsBot(this, itemIndex, call.adapter, {
		chatId: chatIdOf(this, itemIndex),
		customerMessageId: String(
			this.getNodeParameter('customerMessageId', itemIndex, '') ?? '',
		).trim(),
		text: String(this.getNodeParameter('text', itemIndex, '') ?? ''),
		waitMs: patienceMs(options),
	});
}
