import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { textField, userRLC } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { createMessage, messageBody, messageOptions } from './shared';

const properties: INodeProperties[] = [
	{ ...userRLC, description: 'The user who gets the message in a direct chat with the bot' },
	textField,
	messageOptions,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['sendToUser'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const userId = getLocatorValue(this, 'userId', itemIndex, 'User');
	const body = messageBody(this, itemIndex);
	return await createMessage.call(this, `/users/${segment(userId)}/messages`, body, itemIndex);
}

/** Items to the same user are sent one after another; different users concurrently. */
export function chatKey(this: IExecuteFunctions, itemIndex: number): string {
	return `user:${getLocatorValue(this, 'userId', itemIndex, 'User')}`;
}
