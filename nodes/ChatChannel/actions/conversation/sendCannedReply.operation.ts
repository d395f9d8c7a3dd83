import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { cannedReply } from '../../../conversations/centre/actions';
import { userName } from '../../../conversations/teamspirit';
import { plainOf, readMarkdown } from '../../../shared/markdown';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import {
	actorOf,
	conversationChatField,
	customerLine,
	outcome,
	readConversation,
	sendKeyOf,
} from './shared';

const properties: INodeProperties[] = [
	conversationChatField,
	{
		displayName: 'Shortcut',
		name: 'shortcut',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'hello',
		description:
			'The canned reply\'s shortcut in the queue\'s Canned Replies Chat (a message there reads "shortcut: text"); {customer} and {operator} are filled in',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['sendCannedReply'] } },
	properties,
);

export { conversationOf } from './shared';

/** Sends the queue's canned reply to the customer, and shows in the chat what was sent. */
export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const shortcut = String(this.getNodeParameter('shortcut', itemIndex, '') ?? '')
		.trim()
		.replace(/^\/r\s+/i, '');
	if (!shortcut)
		throw new NodeOperationError(this.getNode(), 'The shortcut is empty', {
			itemIndex,
			description: 'Name the canned reply, e.g. hello.',
		});
	const conversation = await readConversation(this, itemIndex);
	const actor = actorOf(this);
	// {operator} is the conversation's operator, when it has one
	const { assigneeId } = conversation.state;
	const name = assigneeId ? await userName(this, itemIndex, assigneeId) : undefined;
	const operator = assigneeId && name ? { id: assigneeId, name } : actor;
	const result = await cannedReply(this, itemIndex, conversation.chat, { shortcut }, operator);
	if (!result.reply) return await outcome(this, call, conversation, result);
	const line = await customerLine(this, call, conversation);
	const text =
		result.reply.format === 'markdown'
			? plainOf(readMarkdown(result.reply.text))
			: result.reply.text;
	await line.send(text, sendKeyOf(call, 'canned'));
	const told = `${result.notice} by ${actor.name}:\n${text}`;
	return await outcome(this, call, conversation, { ...result, sentText: text }, told);
}
