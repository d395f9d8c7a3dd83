import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { BinaryStream } from '../../../shared/binary';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { getRequiredString, segment } from '../../helpers/utils';
import { teamSpiritApiRequest } from '../../transport';
import { fileIdField } from './shared';

const properties: INodeProperties[] = [
	fileIdField,
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the file in',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['file'], operation: ['download'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData> {
	const fileId = getRequiredString(this, 'fileId', itemIndex, 'File ID').trim();
	const propertyName = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	const path = `/files/${segment(fileId)}`;
	const metadata = await teamSpiritApiRequest.call(this, { method: 'GET', path, itemIndex });
	const content = (await teamSpiritApiRequest.call(this, {
		method: 'GET',
		path: `${path}/content`,
		responseType: 'stream',
		itemIndex,
	})) as unknown as BinaryStream;
	// prepareBinaryData consumes the stream: with n8n's filesystem mode the bytes go to disk as
	// they arrive and are never held whole in memory.
	const binary = await this.helpers.prepareBinaryData(
		content,
		metadata.name as string,
		metadata.mimeType as string,
	);
	const input = this.getInputData()[itemIndex];
	return {
		json: metadata as IDataObject,
		binary: { ...(input?.binary ?? {}), [propertyName]: binary },
		pairedItem: { item: itemIndex },
	};
}
