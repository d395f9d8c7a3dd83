import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { chatRLC } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';

const properties: INodeProperties[] = [chatRLC];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['get'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	return await teamSpiritApiRequest.call(this, {
		method: 'GET',
		path: `/chats/${segment(chatId)}`,
		itemIndex,
	});
}
