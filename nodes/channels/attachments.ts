/**
 * Downloading a received message's attachments into binary properties (`data`, `data_1`, …), up
 * to a size cap, for every channel trigger. The channel only opens the download; what is kept,
 * skipped and explained is decided here once. Files stream into n8n's binary store.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { BinaryStream } from '../shared/binary';
import type { ChannelMessage } from './types';

export interface OpenedDownload {
	stream: BinaryStream;
	/** Bytes, when the server said (Content-Length). */
	size: number | undefined;
	contentType: string | undefined;
}

export async function downloadAttachments(
	ctx: { helpers: { prepareBinaryData: (data: BinaryStream, fileName?: string, mimeType?: string) => Promise<NonNullable<INodeExecutionData['binary']>[string]> } },
	message: ChannelMessage,
	capMb: number,
	open: (url: string) => Promise<OpenedDownload>,
): Promise<INodeExecutionData['binary']> {
	const capBytes = Math.max(0, capMb) * 1024 * 1024;
	const binary: NonNullable<INodeExecutionData['binary']> = {};
	let index = 0;
	for (const attachment of message.attachments) {
		if (!attachment.fileId || !/^https?:\/\//.test(attachment.fileId)) continue;
		try {
			const { stream, size, contentType } = await open(attachment.fileId);
			attachment.mimeType = attachment.mimeType ?? contentType ?? null;
			if (size !== undefined) attachment.size = size;
			if (size !== undefined && size > capBytes) {
				(stream as BinaryStream & { destroy?: () => void }).destroy?.();
				attachment.notice = `Not downloaded: ${(size / 1048576).toFixed(1)} MB is more than the ${capMb} MB set in "Max File Size"`;
				continue;
			}
			const property = index === 0 ? 'data' : `data_${index}`;
			binary[property] = await ctx.helpers.prepareBinaryData(
				stream,
				attachment.fileName ?? undefined,
				attachment.mimeType ?? undefined,
			);
			attachment.binaryProperty = property;
			attachment.size = size ?? (Number(binary[property].fileSize) || null);
			index++;
		} catch (error) {
			attachment.notice = `Not downloaded: ${(error as Error).message}`;
		}
	}
	return Object.keys(binary).length ? binary : undefined;
}
