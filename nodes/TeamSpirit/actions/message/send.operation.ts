import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chatRLC, textField } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { createMessage, messageBody, messageOptions } from './shared';

const properties: INodeProperties[] = [chatRLC, textField, messageOptions];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['send'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	const body = messageBody(this, itemIndex);
	return await createMessage.call(this, `/chats/${segment(chatId)}/messages`, body, itemIndex);
}

/** Items to the same chat are sent one after another; different chats concurrently. */
export function chatKey(this: IExecuteFunctions, itemIndex: number): string {
	return getLocatorValue(this, 'chatId', itemIndex, 'Chat');
}
