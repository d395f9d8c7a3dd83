/** File uploads to TeamSpirit, shared by the TeamSpirit node and the conversation bridge. */
import type { IDataObject } from 'n8n-workflow';

import type { UploadSource } from '../binary';
import { buildMultipart } from '../binary';
import {
	teamSpiritApiRequest,
	type TeamSpiritContext,
	type TeamSpiritCredentialType,
} from './transport';

/**
 * Streams a file up to TeamSpirit (opened afresh if the request is sent again), as the TeamSpirit
 * API credential's bot or another (`credentialType`: the Website chat's).
 */
export async function uploadFile(
	ctx: TeamSpiritContext,
	itemIndex: number | undefined,
	source: UploadSource,
	fileName: string = source.fileName,
	credentialType?: TeamSpiritCredentialType,
): Promise<IDataObject> {
	return await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path: '/files',
		credentialType,
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
