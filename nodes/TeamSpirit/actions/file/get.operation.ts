import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { getRequiredString, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { fileIdField } from './shared';

export const description = updateDisplayOptions(
	{ show: { resource: ['file'], operation: ['get'] } },
	[fileIdField] as INodeProperties[],
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const fileId = getRequiredString(this, 'fileId', itemIndex, 'File ID').trim();
	return await teamSpiritApiRequest.call(this, {
		method: 'GET',
		path: `/files/${segment(fileId)}`,
		itemIndex,
	});
}
