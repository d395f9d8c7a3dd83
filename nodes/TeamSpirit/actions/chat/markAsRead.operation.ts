import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { chatRLC, messageIdField } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, getRequiredString, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';

const properties: INodeProperties[] = [
	chatRLC,
	{
		...messageIdField,
		description: 'The newest message the bot has read; earlier ones count as read too',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['markAsRead'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	const messageId = getRequiredString(this, 'messageId', itemIndex, 'Message ID').trim();
	await teamSpiritApiRequest.call(this, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/read`,
		body: { messageId },
		idempotent: true,
		itemIndex,
	});
	return { read: true, chatId, messageId };
}
