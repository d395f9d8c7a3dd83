import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chatRLC, messageIdField } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, getRequiredString, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { concurrencyOptions } from './shared';

const properties: INodeProperties[] = [chatRLC, messageIdField, concurrencyOptions];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['delete'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	const messageId = getRequiredString(this, 'messageId', itemIndex, 'Message ID').trim();
	await teamSpiritApiRequest.call(this, {
		method: 'DELETE',
		path: `/chats/${segment(chatId)}/messages/${segment(messageId)}`,
		itemIndex,
	});
	return { deleted: true, chatId, messageId };
}

/** Items to the same chat are sent one after another; different chats concurrently. */
export function chatKey(this: IExecuteFunctions, itemIndex: number): string {
	return getLocatorValue(this, 'chatId', itemIndex, 'Chat');
}
