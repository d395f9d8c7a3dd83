import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chatRLC, textField } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { dataModeField, inMode, itemField, mapsFieldsAutomatically } from './mapping';
import { createMessage, mappedMessageOptions, messageOptions, outgoingMessage } from './shared';

const properties: INodeProperties[] = [
	dataModeField('send'),
	...inMode('manual', [chatRLC, textField, messageOptions]),
	...inMode('auto', [mappedMessageOptions]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['send'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = chatKey.call(this, itemIndex);
	const message = outgoingMessage(this, itemIndex);
	return await createMessage.call(this, `/chats/${segment(chatId)}/messages`, message, itemIndex);
}

/** Items to the same chat are sent one after another; different chats concurrently. */
export function chatKey(this: IExecuteFunctions, itemIndex: number): string {
	return mapsFieldsAutomatically(this)
		? itemField(this, itemIndex, 'chatId')
		: getLocatorValue(this, 'chatId', itemIndex, 'Chat');
}
