/**
 * Downloading a received message's attachments into binary properties (`data`, `data_1`, …), up
 * to a size cap, for every channel trigger. The channel only opens the download; what is fetched
 * (the channel's media hosts), kept, skipped and explained is decided here once. Files stream into
 * n8n's binary store; the cap is enforced on the bytes as they arrive, not on `Content-Length`.
 */
import type { INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { BinaryStream } from '../shared/binary';
import { capStream, DownloadTooLargeError } from '../shared/binary';
import { bytesHeld, holdBytes, type Sequenced } from './sequence';
import type { ChannelAttachment, ChannelMessage } from './types';

export interface OpenedDownload {
	/** The bytes, or how to fetch them once the size checks passed. */
	stream: BinaryStream | (() => Promise<BinaryStream>);
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

const tooLargeNotice = (capMb: number, size?: number) => {
	const what = size === undefined ? 'the file is' : `${megabytes(size)} is`;
	return `Not downloaded: ${what} more than the ${capMb} MB set in "Max File Size"`;
};

const toBytes = (mb: number) => Math.min(Math.max(0, mb) * 1024 * 1024, Number.MAX_SAFE_INTEGER);

/**
 * What downloads may hold: the files of one execution together (a Telegram chat's updates of one
 * getUpdates, one webhook request), and the files of one conversation's messages still in flight
 * in this process (executions of one customer queued or running side by side; nodes/channels/
 * sequence.ts). Files beyond either arrive as a notice saying which and why. Bytes are counted as
 * they arrive.
 */
export class DownloadBudget {
	private used = 0;

	constructor(
		readonly limitMb: number,
		readonly conversationMb: number = Number.MAX_SAFE_INTEGER,
	) {}

	/** Bytes still free for a file of `message`. */
	remaining(message?: Sequenced): number {
		const batch = Math.max(0, toBytes(this.limitMb) - this.used);
		if (!message) return batch;
		return Math.min(batch, Math.max(0, toBytes(this.conversationMb) - bytesHeld(message)));
	}

	spend(bytes: number, message?: Sequenced): void {
		this.used += Math.max(0, bytes);
		if (message) holdBytes(message, bytes);
	}

	/** The attachment's notice when it did not fit (its size when known). */
	notice(size?: number, message?: Sequenced): string {
		const what = size === undefined ? 'the file' : `the file (${megabytes(size)})`;
		const batchLeft = Math.max(0, toBytes(this.limitMb) - this.used);
		if (message && this.remaining(message) < batchLeft) {
			return (
				`Not downloaded: too large for this conversation: ${what} would pass the ` +
				`${this.conversationMb} MB the customer's messages in progress may hold ` +
				`("Max Download per Conversation"; ${megabytes(bytesHeld(message))} held)`
			);
		}
		return (
			`Not downloaded: too large for this batch: ${what} would pass the ${this.limitMb} MB ` +
			`one execution may hold ("Max Download per Execution"; ${megabytes(this.used)} already downloaded)`
		);
	}
}

/** The trigger options that set a `DownloadBudget` (each channel's options list them). */
export const downloadBudgetOptions: INodeProperties[] = [
	{
		displayName: 'Max Download per Conversation (MB)',
		name: 'maxConversationMb',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 200,
		description:
			"All files of one customer's messages whose executions are still in progress in this n8n " +
			'process (queued or running side by side): files beyond it are not downloaded and get a ' +
			'notice saying so',
	},
	{
		displayName: 'Max Download per Execution (MB)',
		name: 'maxBatchMb',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 100,
		description:
			'All files one execution downloads together (a burst of one chat arriving at once, one ' +
			'webhook request): files beyond it are not downloaded and get a notice saying so',
	},
];

/** The budget the trigger's options set (default 100 MB per execution, 200 MB per conversation). */
export function downloadBudget(options: {
	maxBatchMb?: unknown;
	maxConversationMb?: unknown;
}): DownloadBudget {
	const mb = (value: unknown, fallback: number) => {
		const n = Number(value ?? fallback);
		return Number.isFinite(n) && n >= 0 ? n : fallback;
	};
	return new DownloadBudget(mb(options.maxBatchMb, 100), mb(options.maxConversationMb, 200));
}

/**
 * Streams `stream` into n8n's binary store, stopping (and aborting the download) as soon as more
 * than `capBytes` arrive. Resolves with the binary and the number of bytes stored; rejects with a
 * DownloadTooLargeError when the file is larger, with nothing stored.
 */
async function storeCapped(
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

/**
 * Where a channel's attachments come from (the adapter's "open-file"): which attachments are
 * files, which URLs may be fetched, how one is opened, and the trigger's limits.
 */
export interface FileSource {
	/** "Max File Size (MB)". */
	capMb: number;
	/** A new budget for one execution's files (the trigger's options; `downloadBudget`). */
	budget(): DownloadBudget;
	/** Whether the attachment is a file this channel downloads. */
	isFile(attachment: ChannelAttachment): boolean;
	/** Why the attachment's URL is not fetched (not one of the channel's media hosts), or undefined. */
	refusal?(attachment: ChannelAttachment): string | undefined;
	/** Opens the download (the bytes may be fetched only when asked for, after the size checks). */
	open(attachment: ChannelAttachment, signal?: AbortSignal): Promise<OpenedDownload>;
	/** The channel's own notice for a file larger than "Max File Size" (Telegram's 20 MB), if any. */
	tooLarge?(size: number): string | undefined;
	/** What a failed download says after "Not downloaded: " (without secrets). */
	describeError?(error: unknown): string;
}

type Stream = BinaryStream & { destroy?: () => void };

/** The notice when a file's size, known before its bytes, does not fit; undefined when it does. */
function sizeNotice(
	source: FileSource,
	size: number | undefined,
	left: number,
	budget: DownloadBudget,
	message: ChannelMessage,
): string | undefined {
	if (size === undefined) return undefined;
	if (size > toBytes(source.capMb))
		return source.tooLarge?.(size) ?? tooLargeNotice(source.capMb, size);
	return size > left ? budget.notice(size, message) : undefined;
}

interface Target {
	binary: NonNullable<INodeExecutionData['binary']>;
	property: string;
	/** Set when the budget, not "Max File Size", limits the bytes stored. */
	overBudget?: boolean;
}

/** Downloads one attachment into `binary[property]`; returns the notice when it was not stored. */
async function downloadOne(
	ctx: BinaryContext,
	source: FileSource,
	attachment: ChannelAttachment,
	message: ChannelMessage,
	budget: DownloadBudget,
	target: Target,
	signal?: AbortSignal,
): Promise<string | undefined> {
	const capBytes = toBytes(source.capMb);
	const refused = source.refusal?.(attachment);
	if (refused) return `Not downloaded: ${refused}`;
	const known = attachment.size ?? undefined;
	const early = sizeNotice(source, known, budget.remaining(message), budget, message);
	if (early) return early;
	const opened = await source.open(attachment, signal);
	attachment.mimeType = attachment.mimeType ?? opened.contentType ?? null;
	const left = budget.remaining(message);
	const late = sizeNotice(source, opened.size, left, budget, message);
	if (late) {
		if (typeof opened.stream !== 'function') (opened.stream as Stream).destroy?.();
		attachment.size = opened.size ?? null;
		return late;
	}
	const stream = typeof opened.stream === 'function' ? await opened.stream() : opened.stream;
	target.overBudget = left < capBytes;
	const stored = await storeCapped(
		ctx,
		stream,
		Math.min(capBytes, left),
		attachment.fileName ?? undefined,
		attachment.mimeType ?? undefined,
	);
	budget.spend(stored.bytes, message);
	target.binary[target.property] = stored.binary;
	attachment.binaryProperty = target.property;
	// bytes, as counted (n8n's own fileSize is a text such as "3.15 MB")
	attachment.size = stored.bytes;
	return undefined;
}

/** Why a download that was started failed: more bytes than allowed, or the channel's error. */
function failureNotice(
	source: FileSource,
	error: unknown,
	overBudget: boolean | undefined,
	budget: DownloadBudget,
	message: ChannelMessage,
): string {
	const tooLarge =
		error instanceof DownloadTooLargeError || (error as Error)?.name === 'DownloadTooLargeError';
	if (!tooLarge)
		return `Not downloaded: ${source.describeError?.(error) ?? (error as Error).message}`;
	return overBudget ? budget.notice(undefined, message) : tooLargeNotice(source.capMb);
}

/**
 * Downloads a message's files into binary properties (`data`, `data_1`, …) within "Max File
 * Size" and the budget; a file that is not stored gets a notice saying why.
 */
export async function downloadAttachments(
	ctx: BinaryContext,
	message: ChannelMessage,
	source: FileSource,
	budget: DownloadBudget,
	signal?: AbortSignal,
): Promise<INodeExecutionData['binary']> {
	const binary: NonNullable<INodeExecutionData['binary']> = {};
	let index = 0;
	for (const attachment of message.attachments) {
		if (!source.isFile(attachment)) continue;
		const target: Target = { binary, property: index === 0 ? 'data' : `data_${index}` };
		try {
			const notice = await downloadOne(ctx, source, attachment, message, budget, target, signal);
			if (notice) attachment.notice = notice;
			else index++;
		} catch (error) {
			attachment.notice = failureNotice(source, error, target.overBudget, budget, message);
		}
	}
	return Object.keys(binary).length ? binary : undefined;
}
