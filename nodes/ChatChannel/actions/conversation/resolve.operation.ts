import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { resolve } from '../../../conversations/centre/actions';
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
		displayName: 'Comment',
		name: 'comment',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description:
			"Why or how it was resolved, shown in the chat's notice (never sent to the customer). Optional.",
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['resolve'] } },
	properties,
);

export { conversationOf } from './shared';

/** Resolves; the queue's closing message and rating question go to the customer, as /resolve sends them. */
export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const comment = String(this.getNodeParameter('comment', itemIndex, '') ?? '').trim();
	const conversation = await readConversation(this, itemIndex);
	const line = await customerLine(this, call, conversation);
	const result = await resolve(
		this,
		itemIndex,
		conversation.chat,
		{ comment, line, sendKey: sendKeyOf(call, 'resolve') },
		actorOf(this),
	);
	return await outcome(this, call, conversation, result);
}
