/**
 * Reading n8n binary data for uploads, and building multipart/form-data bodies without
 * loading files into memory. Shared by every node of the package.
 *
 * Community nodes may not import `node:stream` (n8n Cloud's rule), so streams are made with the
 * static `from` that every Readable subclass inherits: the stream n8n hands us for a file on disk
 * carries it.
 */
import { randomBytes } from 'crypto';
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

export type BinaryStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

export interface UploadSource {
	fileName: string;
	mimeType: string;
	/** Bytes, when known without reading the content. */
	size: number | undefined;
	/** The content, opened afresh on every call (a retry needs a new stream). */
	open(): Promise<BinaryStream | Buffer>;
}

/**
 * The binary property `propertyName` of item `itemIndex` as an upload source: a stream from
 * n8n's binary data store when n8n keeps the file there (filesystem / S3 mode), else the buffer
 * n8n already holds in the item.
 */
export async function getUploadSource(
	ctx: IExecuteFunctions,
	itemIndex: number,
	propertyName: string,
): Promise<UploadSource> {
	const item = ctx.getInputData()[itemIndex];
	const binaryData = item?.binary?.[propertyName];
	if (!binaryData) {
		const available = Object.keys(item?.binary ?? {});
		throw new NodeOperationError(
			ctx.getNode(),
			`Item ${itemIndex} has no binary property "${propertyName}"`,
			{
				itemIndex,
				description: available.length
					? `Binary properties on this item: ${available.join(', ')}. Set "Input Binary Field" to one of them.`
					: 'This item has no binary data. Put a node that reads or creates a file before this one.',
			},
		);
	}
	const fileName =
		binaryData.fileName ?? `file${binaryData.fileExtension ? `.${binaryData.fileExtension}` : ''}`;
	const mimeType = binaryData.mimeType || 'application/octet-stream';
	const id = binaryData.id;
	if (id) {
		const metadata = await ctx.helpers.getBinaryMetadata(id);
		return {
			fileName,
			mimeType,
			size: typeof metadata.fileSize === 'number' ? metadata.fileSize : undefined,
			open: async () => await ctx.helpers.getBinaryStream(id),
		};
	}
	const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, propertyName);
	return { fileName, mimeType, size: buffer.length, open: async () => buffer };
}

function quoted(value: string): string {
	return value
		.replace(/[\r\n]+/g, ' ')
		.replace(/\\/g, '\\\\')
		.replace(/"/g, '\\"');
}

function dispositionFor(fieldName: string, fileName?: string): string {
	let disposition = `form-data; name="${quoted(fieldName)}"`;
	if (fileName !== undefined) {
		disposition += `; filename="${quoted(fileName)}"`;
		if (/[^ -~]/.test(fileName)) {
			disposition += `; filename*=UTF-8''${encodeURIComponent(fileName)}`;
		}
	}
	return disposition;
}

export interface MultipartFile {
	fieldName: string;
	fileName: string;
	mimeType: string;
	content: BinaryStream | Buffer;
	size?: number;
}

export interface MultipartBody {
	body: BinaryStream | Buffer;
	headers: Record<string, string>;
}

/**
 * A multipart/form-data body with text `fields` followed by one `file`. When the file is a
 * stream, the body is a stream too: the file's bytes pass through once and are never held whole.
 * `Content-Length` is set when the file's size is known, so servers need no chunked encoding.
 */
export function buildMultipart(fields: Record<string, string>, file: MultipartFile): MultipartBody {
	const boundary = `----n8nTeamSpirit${randomBytes(12).toString('hex')}`;
	let head = '';
	for (const [name, value] of Object.entries(fields)) {
		head += `--${boundary}\r\nContent-Disposition: ${dispositionFor(name)}\r\n\r\n${value}\r\n`;
	}
	head +=
		`--${boundary}\r\nContent-Disposition: ${dispositionFor(file.fieldName, file.fileName)}\r\n` +
		`Content-Type: ${file.mimeType.replace(/[\r\n]/g, '')}\r\n\r\n`;
	const headBytes = Buffer.from(head, 'utf8');
	const tailBytes = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
	const headers: Record<string, string> = {
		'Content-Type': `multipart/form-data; boundary=${boundary}`,
	};

	const content = file.content;
	if (Buffer.isBuffer(content)) {
		const body = Buffer.concat([headBytes, content, tailBytes]);
		headers['Content-Length'] = String(body.length);
		return { body, headers };
	}
	if (file.size !== undefined) {
		headers['Content-Length'] = String(headBytes.length + file.size + tailBytes.length);
	}
	return { body: concatStream(content, [headBytes, content, tailBytes]), headers };
}

/** One stream of the given parts, built with the Readable class that `sample` belongs to. */
function concatStream(sample: BinaryStream, parts: Array<Buffer | BinaryStream>): BinaryStream {
	const ReadableClass = sample.constructor as unknown as {
		from?: (source: AsyncIterable<Buffer>, options: { objectMode: boolean }) => BinaryStream;
	};
	if (typeof ReadableClass.from !== 'function') {
		throw new Error('The binary data stream cannot be wrapped for upload');
	}
	async function* chunks(): AsyncGenerator<Buffer> {
		for (const part of parts) {
			if (Buffer.isBuffer(part)) yield part;
			else for await (const chunk of part) yield chunk as Buffer;
		}
	}
	return ReadableClass.from(chunks(), { objectMode: false });
}

/** A download passed its size cap: the stream stopped, the download was aborted. */
export class DownloadTooLargeError extends Error {
	constructor(readonly maxBytes: number) {
		super(`more than ${maxBytes} bytes`);
		this.name = 'DownloadTooLargeError';
	}
}

export interface CappedStream {
	stream: BinaryStream;
	/** Bytes that have passed so far (all of them once the stream ended). */
	bytes(): number;
}

/**
 * The bytes of `source`, counted as they pass: once more than `maxBytes` have come, the stream
 * fails with a DownloadTooLargeError (so n8n's prepareBinaryData rejects and keeps nothing) and
 * `source` is destroyed, which aborts the download. A `Content-Length` may be missing or wrong;
 * this is the check that holds.
 */
export function capStream(source: BinaryStream, maxBytes: number): CappedStream {
	const ReadableClass = source.constructor as unknown as {
		from?: (source: AsyncIterable<Buffer>, options: { objectMode: boolean }) => BinaryStream;
	};
	if (typeof ReadableClass.from !== 'function') {
		throw new Error('The download stream cannot be wrapped to count its bytes');
	}
	let count = 0;
	async function* counted(): AsyncGenerator<Buffer> {
		try {
			for await (const chunk of source) {
				const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
				count += buffer.length;
				if (count > maxBytes) throw new DownloadTooLargeError(maxBytes);
				yield buffer;
			}
		} finally {
			// also when the consumer stops early: the connection is not left open
			if (!source.readableEnded) source.destroy();
		}
	}
	return { stream: ReadableClass.from(counted(), { objectMode: false }), bytes: () => count };
}
