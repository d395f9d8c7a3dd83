/**
 * Downloading a received message's attachments into binary properties (`data`, `data_1`, …), up
 * to a size cap, for every channel trigger. The channel only opens the download; what is fetched
 * (the channel's media hosts), kept, skipped and explained is decided here once. Files stream into
 * n8n's binary store; the cap is enforced on the bytes as they arrive, not on `Content-Length`.
 */
import type { INodeExecutionData, INodeProperties } from 'n8n-workflow';

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
 * What the downloads of one execution may hold together (a Telegram chat's updates of one
 * getUpdates, one webhook request): a burst of files becomes an execution of bounded size, and the
 * files beyond it arrive as a notice saying which and why. Bytes are counted as they arrive.
 */
export class DownloadBudget {
	private used = 0;

	constructor(readonly limitMb: number) {}

	/** Bytes still free. */
	remaining(): number {
		const limit = Math.min(Math.max(0, this.limitMb) * 1024 * 1024, Number.MAX_SAFE_INTEGER);
		return Math.max(0, limit - this.used);
	}

	spend(bytes: number): void {
		this.used += Math.max(0, bytes);
	}

	/** The attachment's notice when it did not fit (its size when known). */
	notice(size?: number): string {
		const what = size === undefined ? 'the file' : `the file (${megabytes(size)})`;
		return (
			`Not downloaded: too large for this batch: ${what} would pass the ${this.limitMb} MB ` +
			`one execution may hold ("Max Download per Execution"; ${megabytes(this.used)} already downloaded)`
		);
	}
}

/** The trigger option that sets a `DownloadBudget` (each channel's options list it). */
export const downloadBudgetOption: INodeProperties = {
	displayName: 'Max Download per Execution (MB)',
	name: 'maxBatchMb',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 100,
	description:
		'All files one execution downloads together (a burst of one chat arriving at once, one ' +
		'webhook request): files beyond it are not downloaded and get a notice saying so',
};

/** The budget the trigger's options set (default 100 MB). */
export function downloadBudget(options: { maxBatchMb?: unknown }): DownloadBudget {
	const mb = Number(options.maxBatchMb ?? 100);
	return new DownloadBudget(Number.isFinite(mb) && mb >= 0 ? mb : 100);
}

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
	budget: DownloadBudget = new DownloadBudget(Number.MAX_SAFE_INTEGER),
): Promise<INodeExecutionData['binary']> {
	const capBytes = Math.min(Math.max(0, capMb) * 1024 * 1024, Number.MAX_SAFE_INTEGER);
	const binary: NonNullable<INodeExecutionData['binary']> = {};
	let index = 0;
	for (const attachment of message.attachments) {
		if (!attachment.fileId || !/^https?:\/\//i.test(attachment.fileId)) continue;
		/** Whether the budget, not the file cap, limited this download. */
		let overBudget = false;
		try {
			const refused = refusal(attachment.fileId, attachment);
			if (refused) {
				attachment.notice = `Not downloaded: ${refused}`;
				continue;
			}
			const { stream, size, contentType } = await open(attachment.fileId);
			attachment.mimeType = attachment.mimeType ?? contentType ?? null;
			const left = budget.remaining();
			if (size !== undefined && (size > capBytes || size > left)) {
				(stream as BinaryStream & { destroy?: () => void }).destroy?.();
				attachment.size = size;
				attachment.notice = size > capBytes ? tooLargeNotice(capMb, size) : budget.notice(size);
				continue;
			}
			const property = index === 0 ? 'data' : `data_${index}`;
			overBudget = left < capBytes;
			const stored = await storeCapped(
				ctx,
				stream,
				Math.min(capBytes, left),
				attachment.fileName ?? undefined,
				attachment.mimeType ?? undefined,
			);
			budget.spend(stored.bytes);
			binary[property] = stored.binary;
			attachment.binaryProperty = property;
			// bytes, as counted (n8n's own fileSize is a text such as "3.15 MB")
			attachment.size = stored.bytes;
			index++;
		} catch (error) {
			const tooLarge =
				error instanceof DownloadTooLargeError ||
				(error as Error)?.name === 'DownloadTooLargeError';
			attachment.notice = !tooLarge
				? `Not downloaded: ${(error as Error).message}`
				: overBudget
					? budget.notice()
					: tooLargeNotice(capMb);
		}
	}
	return Object.keys(binary).length ? binary : undefined;
}
