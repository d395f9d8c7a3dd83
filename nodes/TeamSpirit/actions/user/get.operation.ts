import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { userRLC } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';

const properties: INodeProperties[] = [userRLC];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['get'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const userId = getLocatorValue(this, 'userId', itemIndex, 'User');
	return await teamSpiritApiRequest.call(this, {
		method: 'GET',
		path: `/users/${segment(userId)}`,
		itemIndex,
	});
}
