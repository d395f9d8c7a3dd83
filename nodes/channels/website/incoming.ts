/**
 * `POST messages` through the one receive pipeline (../receive.ts). Verification is the page's
 * origin, the visitor's token, the limits (size: 413; rate: 429, per address in this process's
 * memory, per visitor counted in their transcript), the body read (a JSON string
 * as text/plain, or multipart with `file` parts), and STORING the message in the visitor's
 * transcript (files uploaded to TeamSpirit first): the widget's 200 `{ ok, id }` is said only
 * once the message is durable, and the widget sends a message again with the same clientId until
 * it got one (`in:<clientId>` keeps it one message; a repeat within this process starts nothing).
 * The stored message is then the event: normalised, its files downloaded from TeamSpirit.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { UploadSource } from '../../shared/binary';
import type { OpenedDownload } from '../attachments';
import { downloadBudget } from '../attachments';
import type { EventReader, ReceiveAdapter } from '../receive';
import { Refusal } from '../receive';
import type { AttachmentType, ChannelMessage } from '../types';
import { unreadableEvent } from '../unreadable';
import { applyCors, exposeRefusal } from './cors';
import { describe, LABEL, ORIGIN_REFUSED, TOKEN_REFUSED } from './endpoints/guard';
import { errorBody, sendJson } from './endpoints/http';
import { limitsOf, takeAddress, visitorWait, type WebsiteLimits } from './limits';
import { readSession } from './session';
import {
	ensureTranscript,
	findTranscript,
	inKey,
	messageByKey,
	postToTranscript,
	readTranscript,
	uploadToTeamSpirit,
	type TranscriptChat,
	type TranscriptMessage,
} from './transcript';
import { botIdOf, sessionSecretOf, websiteRequest } from './transport';

/** A file of a multipart body, as n8n's parser (formidable) left it in a temporary file. */
interface FormFile {
	filepath: string;
	originalFilename?: string | null;
	mimetype?: string | null;
	size: number;
}

/** What the widget sent. */
interface Input {
	token: unknown;
	clientId: string;
	text: string;
	files: FormFile[];
}

/** A stored visitor message: the event of the request. */
export interface StoredMessage {
	account: string;
	visitorId: string;
	clientId: string;
	chat: TranscriptChat;
	message: TranscriptMessage;
}

const CLIENT_ID = /^[A-Za-z0-9_-]{8,100}$/;

/** The id of the message each request stored, for its answer. */
const storedIds = new WeakMap<IWebhookFunctions, string>();

const refuse = (
	status: Refusal['status'],
	code: string,
	text: string,
	log?: string,
	retryAfter?: number,
) => new Refusal(status, text, log, { code, retryAfter });

const asList = <T>(value: T | T[] | undefined): T[] =>
	value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The request's fields: a JSON string (text/plain), or multipart fields and `file` parts. */
function inputOf(ctx: IWebhookFunctions): Input | Refusal {
	const body = ctx.getBodyData() as unknown;
	let fields: IDataObject | undefined;
	let files: FormFile[] = [];
	if (body && typeof body === 'object' && 'data' in body && 'files' in body) {
		const form = body as { data?: IDataObject; files?: Record<string, FormFile | FormFile[]> };
		fields = form.data ?? {};
		files = asList(form.files?.file);
	} else if (typeof body === 'string') {
		try {
			const parsed = JSON.parse(body) as unknown;
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
				fields = parsed as IDataObject;
		} catch {
			fields = undefined;
		}
	} else if (body && typeof body === 'object') fields = body as IDataObject;
	if (!fields) return refuse(400, 'bad_request', 'The body is not a JSON object');
	const first = (value: unknown) => (Array.isArray(value) ? value[0] : value);
	const clientId = first(fields.clientId);
	const text = first(fields.text) ?? '';
	if (typeof clientId !== 'string' || !CLIENT_ID.test(clientId))
		return refuse(400, 'bad_request', 'clientId is missing or not an id');
	if (typeof text !== 'string') return refuse(400, 'bad_request', 'text is not a string');
	return { token: first(fields.token), clientId, text, files };
}

/** Why the message is too large (413), or undefined. */
function sizeRefusal(input: Input, limits: WebsiteLimits): Refusal | undefined {
	if ([...input.text].length > limits.maxTextLength)
		return refuse(
			413,
			'text_too_long',
			`The text is longer than ${limits.maxTextLength} characters`,
		);
	if (input.files.length > limits.maxFiles)
		return refuse(413, 'too_many_files', `More than ${limits.maxFiles} files in one message`);
	if (input.files.some((file) => file.size > limits.maxFileSize))
		return refuse(413, 'file_too_large', `A file is larger than ${limits.maxFileSize} bytes`);
	if (!input.text.trim() && !input.files.length)
		return refuse(400, 'bad_request', 'The message has neither text nor files');
	return undefined;
}

/** A received file as an upload (kept in n8n's binary store; streamed from there). */
async function uploadOf(ctx: IWebhookFunctions, file: FormFile): Promise<UploadSource> {
	const name = file.originalFilename || 'file';
	const mimeType = file.mimetype || 'application/octet-stream';
	const binary = await ctx.nodeHelpers.copyBinaryFile(file.filepath, name, mimeType);
	return {
		fileName: name,
		mimeType,
		size: file.size,
		open: async () =>
			binary.id ? await ctx.helpers.getBinaryStream(binary.id) : Buffer.from(binary.data, 'base64'),
	};
}

/**
 * How many of the transcript's newest messages are read to count the visitor's (one page): the
 * operators' and the AI's answers come in between, so more than Messages per Minute.
 */
const RECENT = 100;

/**
 * Stores the message (its files uploaded first), or finds it stored (a retry), or refuses it with
 * 429 when the visitor sent Messages per Minute already: counted in the transcript (one read of its
 * newest messages), so every n8n process counts the same. A retry of a stored message is never
 * refused: it is answered with the message.
 */
async function store(
	ctx: IWebhookFunctions,
	visitorId: string,
	input: Input,
	limits: WebsiteLimits,
): Promise<{ chat: TranscriptChat; message: TranscriptMessage } | Refusal> {
	const chat = await ensureTranscript(ctx, visitorId);
	const key = inKey(input.clientId);
	const recent = await readTranscript(ctx, chat.id, RECENT);
	let stored = recent.find((message) => message.externalKey === key);
	const wait = stored ? undefined : visitorWait(recent, limits.perSession);
	// a retry of a message older than the page read is found by its key, before a 429 or an upload
	if (!stored && recent.length >= RECENT && (wait !== undefined || input.files.length))
		stored = await messageByKey(ctx, chat.id, key);
	if (stored) return { chat, message: stored };
	if (wait !== undefined)
		return refuse(429, 'rate_limited', 'Too many messages: try again later', undefined, wait);
	const fileIds: string[] = [];
	for (const file of input.files) {
		fileIds.push((await uploadToTeamSpirit(ctx, await uploadOf(ctx, file))).id);
	}
	const message = await postToTranscript(ctx, chat.id, {
		text: input.text,
		fileIds,
		externalKey: key,
	});
	return { chat, message };
}

const CONTACT_REQUIRED =
	'Please give your name and e-mail address before you write (Ask for Name and E-mail: Required)';

/** Whether the trigger requires a name and e-mail and this visitor has not given them yet. */
async function contactMissing(ctx: IWebhookFunctions, visitorId: string): Promise<boolean> {
	if (ctx.getNodeParameter('websiteAskContact', 'off') !== 'required') return false;
	const { name, email } = (await findTranscript(ctx, visitorId))?.metadata ?? {};
	return !name || !email;
}

async function verify(ctx: IWebhookFunctions): Promise<StoredMessage | Refusal> {
	if (!applyCors(ctx)) {
		exposeRefusal(ctx);
		return refuse(
			403,
			'origin_not_allowed',
			ORIGIN_REFUSED,
			'a message from a page of another origin refused',
		);
	}
	const input = inputOf(ctx);
	if (input instanceof Refusal) return input;
	const unavailable = (error: unknown) =>
		refuse(
			503,
			'unavailable',
			'The chat cannot be reached right now',
			`TeamSpirit could not be reached (${describe(error)})`,
			5,
		);
	let secret: string;
	try {
		secret = await sessionSecretOf(ctx);
	} catch (error) {
		return unavailable(error);
	}
	const session = readSession(secret, input.token);
	if (!session) return refuse(401, 'invalid_token', TOKEN_REFUSED);
	const limits = limitsOf(ctx);
	const tooLarge = sizeRefusal(input, limits);
	if (tooLarge) return tooLarge;
	// the address first: a request it refuses costs TeamSpirit nothing
	const wait = takeAddress(ctx, limits);
	if (wait !== undefined)
		return refuse(429, 'rate_limited', 'Too many messages: try again later', undefined, wait);
	try {
		if (await contactMissing(ctx, session.visitorId))
			return refuse(400, 'contact_required', CONTACT_REQUIRED);
	} catch (error) {
		return unavailable(error);
	}
	try {
		const account = await botIdOf(ctx);
		const stored = await store(ctx, session.visitorId, input, limits);
		if (stored instanceof Refusal) return stored;
		const { chat, message } = stored;
		storedIds.set(ctx, message.id);
		return { account, visitorId: session.visitorId, clientId: input.clientId, chat, message };
	} catch (error) {
		return unavailable(error);
	}
}

const kindOf = (mimeType: string | undefined): AttachmentType => {
	if (/^image\/(png|jpe?g|webp|gif)$/i.test(mimeType ?? '')) return 'photo';
	if (/^video\//i.test(mimeType ?? '')) return 'video';
	if (/^audio\//i.test(mimeType ?? '')) return 'audio';
	return 'document';
};

/** The stored message as the channel message every trigger emits. */
export function normalize(event: StoredMessage): ChannelMessage {
	const { account, visitorId, chat, message } = event;
	const { name = '', email = '' } = chat.metadata ?? {};
	return {
		channel: 'website',
		account,
		event: 'message',
		eventId: `website:${account}:${message.id}`,
		messageId: message.id,
		conversationId: visitorId,
		sender: {
			id: visitorId,
			name: name || `Website visitor ${visitorId.slice(2, 6)}`,
			...(email ? { email } : {}),
		},
		text: message.text ?? '',
		attachments: (message.files ?? []).map((file) => ({
			type: kindOf(file.mimeType),
			fileName: file.name ?? null,
			mimeType: file.mimeType ?? null,
			size: typeof file.size === 'number' ? file.size : null,
			fileId: file.id,
		})),
		timestamp: message.createdAt,
		raw: { visitorId, clientId: event.clientId, message, contact: { name, email } },
	};
}

/** A file of the transcript, streamed from TeamSpirit. */
export async function openTeamSpiritFile(
	ctx: IWebhookFunctions,
	fileId: string,
): Promise<OpenedDownload & { headers?: IDataObject }> {
	const stream = (await websiteRequest(ctx, {
		method: 'GET',
		path: `/files/${encodeURIComponent(fileId)}/content`,
		responseType: 'stream',
	})) as unknown as OpenedDownload['stream'];
	return { stream, size: undefined, contentType: undefined };
}

function reader(ctx: IWebhookFunctions, event: StoredMessage): EventReader<StoredMessage> {
	const options = ctx.getNodeParameter('websiteOptions', {}) as IDataObject;
	const capMb = Number(options.maxDownloadMb ?? 10);
	return {
		filter: () => undefined,
		normalize,
		unreadable: (stored, error) =>
			unreadableEvent('website', event.account, stored as unknown as IDataObject, error, {
				messageId: stored.message?.id,
				conversationId: stored.visitorId,
				senderId: stored.visitorId,
			}),
		files:
			options.download === false
				? undefined
				: {
						capMb: Number.isFinite(capMb) && capMb >= 0 ? capMb : 10,
						budget: () => downloadBudget(options),
						isFile: (attachment) => Boolean(attachment.fileId),
						open: async (attachment) => await openTeamSpiritFile(ctx, attachment.fileId!),
					},
	};
}

export const websiteReceive: ReceiveAdapter<StoredMessage, StoredMessage> = {
	label: LABEL,
	verify,
	events: (stored) => [stored],
	reader: async (ctx, stored) => reader(ctx, stored),
	answer(ctx, reply) {
		if (reply.status >= 400) {
			const code = reply.detail?.code ?? 'bad_request';
			const retryAfter = reply.detail?.retryAfter;
			if (retryAfter !== undefined)
				ctx.getResponseObject().setHeader('Retry-After', String(retryAfter));
			sendJson(ctx, reply.status, errorBody(code, reply.text ?? '', retryAfter));
			return;
		}
		sendJson(ctx, 200, { ok: true, id: storedIds.get(ctx) ?? null });
	},
	answersItself: true,
};
