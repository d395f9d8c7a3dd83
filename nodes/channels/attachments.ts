/**
 * Downloading a received message's attachments into binary properties (`data`, `data_1`, …), up
 * to a size cap, for every channel trigger. The channel only opens the download; what is fetched
 * (the channel's media hosts), kept, skipped and explained is decided here once. Files stream into
 * n8n's binary store; the cap is enforced on the bytes as they arrive, not on `Content-Length`.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { BinaryStream } from '../shared/binary';
import { capStream, DownloadTooLargeError } from '../shared/binary';
import type { ChannelAttachment, ChannelMessage } from './types';

export interface OpenedDownload {
	stream: BinaryStream;
	/** Bytes, when the server said (Content-Length). A hint only: the bytes are counted. */
	size: number | undefined;
	contentType: string | undefined;
}

type BinaryContext = {
	helpers: {
		prepareBinaryData: (
			data: BinaryStream,
			fileName?: string,
			mimeType?: string,
		) => Promise<NonNullable<INodeExecutionData['binary']>[string]>;
	};
};

const megabytes = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

export const tooLargeNotice = (capMb: number, size?: number) => {
	const what = size === undefined ? 'the file is' : `${megabytes(size)} is`;
	return `Not downloaded: ${what} more than the ${capMb} MB set in "Max File Size"`;
};

/**
 * Streams `stream` into n8n's binary store, stopping (and aborting the download) as soon as more
 * than `capBytes` arrive. Resolves with the binary and the number of bytes stored; rejects with a
 * DownloadTooLargeError when the file is larger, with nothing stored.
 */
export async function storeCapped(
	ctx: BinaryContext,
	stream: BinaryStream,
	capBytes: number,
	fileName?: string,
	mimeType?: string,
): Promise<{ binary: NonNullable<INodeExecutionData['binary']>[string]; bytes: number }> {
	const capped = capStream(stream, capBytes);
	const binary = await ctx.helpers.prepareBinaryData(capped.stream, fileName, mimeType);
	return { binary, bytes: capped.bytes() };
}

export async function downloadAttachments(
	ctx: BinaryContext,
	message: ChannelMessage,
	capMb: number,
	open: (url: string) => Promise<OpenedDownload>,
	/** Why a URL is not fetched (not one of the channel's media hosts), or undefined. */
	refusal: (url: string, attachment: ChannelAttachment) => string | undefined = () => undefined,
): Promise<INodeExecutionData['binary']> {
	const capBytes = Math.min(Math.max(0, capMb) * 1024 * 1024, Number.MAX_SAFE_INTEGER);
	const binary: NonNullable<INodeExecutionData['binary']> = {};
	let index = 0;
	for (const attachment of message.attachments) {
		if (!attachment.fileId || !/^https?:\/\//i.test(attachment.fileId)) continue;
		try {
			const refused = refusal(attachment.fileId, attachment);
			if (refused) {
				attachment.notice = `Not downloaded: ${refused}`;
				continue;
			}
			const { stream, size, contentType } = await open(attachment.fileId);
			attachment.mimeType = attachment.mimeType ?? contentType ?? null;
			if (size !== undefined && size > capBytes) {
				(stream as BinaryStream & { destroy?: () => void }).destroy?.();
				attachment.size = size;
				attachment.notice = tooLargeNotice(capMb, size);
				continue;
			}
			const property = index === 0 ? 'data' : `data_${index}`;
			const stored = await storeCapped(
				ctx,
				stream,
				capBytes,
				attachment.fileName ?? undefined,
				attachment.mimeType ?? undefined,
			);
			binary[property] = stored.binary;
			attachment.binaryProperty = property;
			// bytes, as counted (n8n's own fileSize is a text such as "3.15 MB")
			attachment.size = stored.bytes;
			index++;
		} catch (error) {
			attachment.notice =
				error instanceof DownloadTooLargeError || (error as Error)?.name === 'DownloadTooLargeError'
					? tooLargeNotice(capMb)
					: `Not downloaded: ${(error as Error).message}`;
		}
	}
	return Object.keys(binary).length ? binary : undefined;
}
