/** File uploads to TeamSpirit, shared by the TeamSpirit node and the conversation bridge. */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { UploadSource } from '../binary';
import { buildMultipart } from '../binary';
import { teamSpiritApiRequest } from './transport';

/** Streams a file up to TeamSpirit (opened afresh if the request is sent again). */
export async function uploadFile(
	ctx: IExecuteFunctions,
	itemIndex: number,
	source: UploadSource,
	fileName: string = source.fileName,
): Promise<IDataObject> {
	return await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: '/files',
		// an upload that did not arrive creates nothing a user sees
		idempotent: true,
		rawBody: async () =>
			buildMultipart(
				{},
				{
					fieldName: 'file',
					fileName,
					mimeType: source.mimeType,
					content: await source.open(),
					size: source.size,
				},
			),
		itemIndex,
	});
}
