import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { getRequiredString } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { parseIdList } from '../message/shared';
import { memberIdsField } from './shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { type: ['group'] } },
		description: 'The name of the group chat',
	},
	{
		displayName: 'Type',
		name: 'type',
		type: 'options',
		options: [
			{
				name: 'Direct',
				value: 'direct',
				description: 'A one-to-one chat between the bot and one user',
			},
			{
				name: 'Group',
				value: 'group',
				description: 'A chat with a title and any number of members',
			},
		],
		default: 'group',
	},
	{ ...memberIdsField, hint: 'The bot is always a member' },
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['create'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const type = this.getNodeParameter('type', itemIndex, 'group') as string;
	const title = type === 'group' ? getRequiredString(this, 'title', itemIndex, 'Title').trim() : '';
	const memberIds = parseIdList(this.getNodeParameter('memberIds', itemIndex, ''));
	if (type === 'direct' && memberIds.length !== 1) {
		throw new NodeOperationError(
			this.getNode(),
			`A direct chat needs exactly one member ID, item ${itemIndex} has ${memberIds.length}`,
			{ itemIndex },
		);
	}
	return await teamSpiritApiRequest.call(this, {
		method: 'POST',
		path: '/chats',
		body: { title, type, memberIds },
		itemIndex,
	});
}
