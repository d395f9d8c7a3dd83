/**
 * `GET files?token=&id=`: a file of the visitor's own transcript, streamed from TeamSpirit as a
 * download. A file that is not in the visitor's transcript (another visitor's, or any other
 * TeamSpirit file) is 403: the bot could read it, the visitor may not.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { TriggerEndpoint } from '../../types';
import { openTeamSpiritFile } from '../incoming';
import { findTranscript, type TranscriptFile } from '../transcript';
import { websiteRequest } from '../transport';
import { guard, unavailable } from './guard';
import { queryField, sendError } from './http';

/** How far back a file is looked for: 20 pages of 100 messages. */
const MAX_PAGES = 20;

/** The file's metadata when a message of the chat has it, else undefined. */
async function fileOfChat(
	ctx: IWebhookFunctions,
	chatId: string,
	fileId: string,
): Promise<TranscriptFile | undefined> {
	let cursor: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const answer = await websiteRequest(ctx, {
			method: 'GET',
			path: `/chats/${encodeURIComponent(chatId)}/messages`,
			qs: { limit: 100, ...(cursor ? { cursor } : {}) },
		});
		for (const message of (answer.items ?? []) as IDataObject[]) {
			const files = (message.files ?? []) as TranscriptFile[];
			const file = files.find((f) => f.id === fileId);
			if (file) return file;
		}
		cursor = typeof answer.nextCursor === 'string' ? answer.nextCursor : undefined;
		if (!cursor) return undefined;
	}
	return undefined;
}

/** `attachment` with an ASCII name and the real one (RFC 6266 / 5987). */
function contentDisposition(name: string): string {
	const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'file';
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

type Readable = AsyncIterable<Buffer> & { destroy?: () => void };

/** Streams the bytes into the answer, as fast as the browser takes them. */
export async function streamTo(ctx: IWebhookFunctions, stream: Readable): Promise<void> {
	const res = ctx.getResponseObject();
	try {
		for await (const chunk of stream) {
			if (res.writableEnded || res.destroyed) break;
			if (!res.write(chunk))
				await new Promise<void>((resolve) => {
					const done = () => {
						res.off('drain', done);
						res.off('close', done);
						resolve();
					};
					res.on('drain', done);
					res.on('close', done);
				});
		}
	} finally {
		stream.destroy?.();
		if (!res.writableEnded) res.end();
	}
}

async function handle(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const checked = await guard(ctx, queryField(ctx, 'token'));
	if ('response' in checked) return checked.response;
	const fileId = queryField(ctx, 'id');
	if (!fileId || !/^f_[\w-]{1,100}$/.test(fileId))
		return sendError(ctx, 400, 'bad_request', 'id is missing or not a file id');
	let file: TranscriptFile | undefined;
	let stream: Readable;
	try {
		const chat = await findTranscript(ctx, checked.session.visitorId);
		file = chat && (await fileOfChat(ctx, chat.id, fileId));
		if (!file)
			return sendError(ctx, 403, 'not_your_conversation', 'The file is not in your conversation');
		stream = (await openTeamSpiritFile(ctx, fileId)).stream as unknown as Readable;
	} catch (error) {
		return unavailable(ctx, error);
	}
	const res = ctx.getResponseObject();
	res.status(200);
	res.setHeader('Content-Type', file.mimeType || 'application/octet-stream');
	if (typeof file.size === 'number') res.setHeader('Content-Length', String(file.size));
	res.setHeader('Content-Disposition', contentDisposition(file.name || 'file'));
	res.setHeader('X-Content-Type-Options', 'nosniff');
	res.setHeader('Cache-Control', 'private, no-store');
	await streamTo(ctx, stream);
	return { noWebhookResponse: true };
}

export const filesEndpoint: TriggerEndpoint = {
	name: 'files',
	httpMethod: 'GET',
	path: 'files',
	handle,
};
