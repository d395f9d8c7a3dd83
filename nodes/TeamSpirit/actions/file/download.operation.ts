import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BinaryStream } from '../../../shared/binary';
import { capStream, DownloadTooLargeError } from '../../../shared/binary';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { getRequiredString, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
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

/** The API's largest file (docs/teamspirit-api.md, Files). */
const MAX_FILE_BYTES = 100 * 1024 * 1024;

export const description = updateDisplayOptions(
	{ show: { resource: ['file'], operation: ['download'] } },
	properties,
);

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const fileId = getRequiredString(this, 'fileId', itemIndex, 'File ID').trim();
	const propertyName = String(
		this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
	).trim();
	const path = `/files/${segment(fileId)}`;
	const metadata = await teamSpiritApiRequest.call(this, { method: 'GET', path, itemIndex });
	const content = (await teamSpiritApiRequest.call(this, {
		method: 'GET',
		path: `${path}/content`,
		responseType: 'stream',
		itemIndex,
	})) as unknown as BinaryStream;
	// prepareBinaryData consumes the stream: with n8n's filesystem mode the bytes go to disk as
	// they arrive and are never held whole in memory. The bytes are counted on the way: a file
	// larger than its metadata says (or than the API's 100 MB) stops the download, nothing is kept.
	const declared = Number(metadata.size);
	const maxBytes = Number.isSafeInteger(declared) && declared >= 0 ? declared : MAX_FILE_BYTES;
	const capped = capStream(content, maxBytes);
	let binary;
	try {
		binary = await this.helpers.prepareBinaryData(
			capped.stream,
			metadata.name as string,
			metadata.mimeType as string,
		);
	} catch (error) {
		if (
			error instanceof DownloadTooLargeError ||
			(error as Error)?.name === 'DownloadTooLargeError'
		) {
			throw new NodeOperationError(
				this.getNode(),
				`File ${fileId} is larger than ${maxBytes} bytes: the download was stopped`,
				{
					itemIndex,
					description:
						maxBytes === declared
							? `The server said the file has ${declared} bytes but sent more. ` +
								'Nothing was stored; try again, or check the server.'
							: 'TeamSpirit files are at most 100 MB. Nothing was stored.',
				},
			);
		}
		throw new NodeOperationError(this.getNode(), error as Error, { itemIndex });
	}
	const input = this.getInputData()[itemIndex];
	return {
		json: metadata as IDataObject,
		binary: { ...(input?.binary ?? {}), [propertyName]: binary },
		pairedItem: { item: itemIndex },
	};
}
