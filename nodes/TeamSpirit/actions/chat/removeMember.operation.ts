import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { chatRLC, userRLC } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';

const properties: INodeProperties[] = [
	chatRLC,
	{ ...userRLC, description: 'The member to remove from the chat' },
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['removeMember'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	const userId = getLocatorValue(this, 'userId', itemIndex, 'User');
	await teamSpiritApiRequest.call(this, {
		method: 'DELETE',
		path: `/chats/${segment(chatId)}/members/${segment(userId)}`,
		itemIndex,
	});
	return { removed: true, chatId, userId };
}
