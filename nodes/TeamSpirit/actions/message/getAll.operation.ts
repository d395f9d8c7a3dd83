import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { chatRLC, limitField, returnAllField } from '../../../shared/teamspirit/descriptions';
import { getListLimit, getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequestAllItems } from '../../../shared/teamspirit/transport';
import { updateDisplayOptions } from '../../../shared/displayOptions';

const properties: INodeProperties[] = [chatRLC, returnAllField, limitField];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['getAll'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	const limit = getListLimit(this, itemIndex);
	return await teamSpiritApiRequestAllItems.call(
		this,
		`/chats/${segment(chatId)}/messages`,
		{},
		limit,
		itemIndex,
	);
}
