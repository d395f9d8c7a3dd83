import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { chatRLC } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { parseIdList } from '../message/shared';
import { memberIdsField } from './shared';

const properties: INodeProperties[] = [chatRLC, { ...memberIdsField, required: true }];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['addMembers'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	const userIds = parseIdList(this.getNodeParameter('memberIds', itemIndex, ''));
	if (!userIds.length) {
		throw new NodeOperationError(this.getNode(), `Member IDs is empty on item ${itemIndex}`, {
			itemIndex,
		});
	}
	// Adding members who are already in the chat changes nothing, so a retry is safe.
	return await teamSpiritApiRequest.call(this, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/members`,
		body: { userIds },
		idempotent: true,
		itemIndex,
	});
}
