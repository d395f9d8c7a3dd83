import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chatRLC, messageIdField } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, getRequiredString, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { updateDisplayOptions } from '../../../shared/displayOptions';

const properties: INodeProperties[] = [chatRLC, messageIdField];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['get'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	const messageId = getRequiredString(this, 'messageId', itemIndex, 'Message ID').trim();
	return await teamSpiritApiRequest.call(this, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages/${segment(messageId)}`,
		itemIndex,
	});
}
