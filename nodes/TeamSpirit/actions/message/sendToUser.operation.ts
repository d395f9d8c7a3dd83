import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { textField, userRLC } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { dataModeField, inMode, itemField, mapsFieldsAutomatically } from './mapping';
import { createMessage, mappedMessageOptions, messageOptions, outgoingMessage } from './shared';

const properties: INodeProperties[] = [
	dataModeField('sendToUser'),
	...inMode('manual', [
		{ ...userRLC, description: 'The user who gets the message in a direct chat with the bot' },
		textField,
		messageOptions,
	]),
	...inMode('auto', [mappedMessageOptions]),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['sendToUser'] } },
	properties,
);

function userOf(ctx: IExecuteFunctions, itemIndex: number): string {
	return mapsFieldsAutomatically(ctx)
		? itemField(ctx, itemIndex, 'userId')
		: getLocatorValue(ctx, 'userId', itemIndex, 'User');
}

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const userId = userOf(this, itemIndex);
	const message = outgoingMessage(this, itemIndex);
	return await createMessage.call(this, `/users/${segment(userId)}/messages`, message, itemIndex);
}

/** Items to the same user are sent one after another; different users concurrently. */
export function chatKey(this: IExecuteFunctions, itemIndex: number): string {
	return `user:${userOf(this, itemIndex)}`;
}
