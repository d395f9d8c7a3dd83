/**
 * A visitor's transcript: the TeamSpirit chat that IS what the visitor sees (docs/chat-channels.md,
 * "Website chat"). A group chat whose only member is the Website Chat credential's bot, titled
 * `Website visitor <visitorId>`, keyed `visitor:<visitorId>~<tag>` (the tag an HMAC with the
 * Session Secret, so no one without it can name another visitor's transcript), with metadata
 * `{ kind: 'websiteVisitor', visitorId, name, email, typingUntil }`. Created on the visitor's first
 * message (or contact form); found by creating it (409 answers the chat that has the key).
 *
 * Its messages, oldest first, are the conversation: the visitor's own (`in:<clientId>`, the
 * widget's id of the message, so a retried POST is the same message) and what was sent to the
 * visitor (`out:<digest of the send's acceptKey and part>`, so a retried send posts once). Plain
 * text. TeamSpirit is the only storage: this process remembers only which chat a key names.
 */
import { createHash, createHmac, timingSafeEqual } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import type { UploadSource } from '../../shared/binary';
import { BoundedMap } from '../../shared/dedupe';
import { uploadFile } from '../../shared/teamspirit/files';
import { segment } from '../../shared/teamspirit/utils';
import {
	WEBSITE_CREDENTIAL,
	identityOf,
	sessionSecretOf,
	websiteRequest,
	type WebsiteContext,
} from './transport';

/** A visitor's id: `v_` and 22 base64url characters (random, made at session start). */
const VISITOR_ID = /^v_[A-Za-z0-9_-]{22}$/;

export const isVisitorId = (value: unknown): value is string =>
	typeof value === 'string' && VISITOR_ID.test(value);

function transcriptTag(visitorId: string, secret: string): string {
	return createHmac('sha256', secret)
		.update(`n8n-nodes-teamspirit website transcript\n${visitorId}`)
		.digest('base64url')
		.slice(0, 16);
}

/** `visitor:<visitorId>~<tag>`: the transcript chat's `externalKey`. */
export function transcriptKey(visitorId: string, secret: string): string {
	return `visitor:${visitorId}~${transcriptTag(visitorId, secret)}`;
}

/** The visitor a transcript key was signed for with `secret`; undefined for any other key. */
export function verifyTranscriptKey(key: unknown, secret: string): string | undefined {
	if (typeof key !== 'string' || !secret) return undefined;
	const match = /^visitor:(v_[A-Za-z0-9_-]{22})~([A-Za-z0-9_-]{16})$/.exec(key);
	if (!match) return undefined;
	const expected = Buffer.from(transcriptTag(match[1], secret));
	const given = Buffer.from(match[2]);
	return given.length === expected.length && timingSafeEqual(given, expected)
		? match[1]
		: undefined;
}

/** The visitor's message: `in:<clientId>` (the widget's uuid of the message). */
export const inKey = (clientId: string): string => `in:${clientId}`;

/** A message sent to the visitor: one key per send and part, so a retry finds what it posted. */
export function outKey(acceptKey: string, part: string): string {
	const digest = createHash('sha256').update(`${acceptKey}\n${part}`).digest('base64url');
	return `out:${digest.slice(0, 32)}`;
}

/** Who wrote a transcript message, from its key; undefined for a message that is neither. */
export function authorOf(message: { externalKey?: unknown }): 'visitor' | 'agent' | undefined {
	const key = message.externalKey;
	if (typeof key !== 'string') return undefined;
	if (key.startsWith('in:')) return 'visitor';
	if (key.startsWith('out:')) return 'agent';
	return undefined;
}

export interface TranscriptMetadata extends IDataObject {
	kind: 'websiteVisitor';
	visitorId: string;
	name: string;
	email: string;
	/** ISO 8601: an operator is typing until then (./actions.ts sendAction). */
	typingUntil: string | null;
}

export interface TranscriptChat extends IDataObject {
	id: string;
	externalKey: string | null;
	metadata: TranscriptMetadata;
	version: number;
}

export interface TranscriptFile extends IDataObject {
	id: string;
	name: string;
	mimeType: string;
	size: number;
}

export interface TranscriptMessage extends IDataObject {
	id: string;
	chatId: string;
	text: string;
	files: TranscriptFile[];
	createdAt: string;
	editedAt: string | null;
	externalKey: string | null;
	version: number;
}

export interface Contact {
	name?: string;
	email?: string;
}

/** Transcript chat ids by credential and visitor: a chat's key never changes. */
const transcripts = new BoundedMap<string>(10_000, 24 * 60 * 60 * 1000);

/** Forgets which chats are whose (tests; a deleted chat is forgotten on its 404 anyway). */
export const forgetTranscripts = (): void => transcripts.clear();

/** The visitor's transcript when it exists, else undefined. Never creates one. */
export async function findTranscript(
	ctx: WebsiteContext,
	visitorId: string,
	itemIndex?: number,
): Promise<TranscriptChat | undefined> {
	const secret = await sessionSecretOf(ctx, itemIndex);
	const key = transcriptKey(visitorId, secret);
	const page = await websiteRequest(ctx, {
		method: 'GET',
		path: '/chats',
		qs: { externalKey: key, limit: 1 },
		itemIndex,
	});
	const chat = ((page.items ?? []) as TranscriptChat[]).find((c) => c.externalKey === key);
	if (chat) transcripts.set(await cacheKey(ctx, visitorId, itemIndex), chat.id);
	return chat;
}

async function cacheKey(ctx: WebsiteContext, visitorId: string, itemIndex?: number) {
	return `${await identityOf(ctx, itemIndex)}\n${visitorId}`;
}

/** The id of the visitor's transcript, when this process knows it (no request). */
export async function knownTranscriptId(
	ctx: WebsiteContext,
	visitorId: string,
	itemIndex?: number,
): Promise<string | undefined> {
	return transcripts.get(await cacheKey(ctx, visitorId, itemIndex));
}

/**
 * The visitor's transcript, created when there is none: creating is the lookup (409 answers the
 * chat with the key), so two first messages at once end in one chat. `contact` fills the name
 * and e-mail of a new transcript; an existing one keeps its own (see `updateContact`).
 */
export async function ensureTranscript(
	ctx: WebsiteContext,
	visitorId: string,
	contact: Contact = {},
	itemIndex?: number,
): Promise<TranscriptChat> {
	const secret = await sessionSecretOf(ctx, itemIndex);
	const metadata: TranscriptMetadata = {
		kind: 'websiteVisitor',
		visitorId,
		name: contact.name ?? '',
		email: contact.email ?? '',
		typingUntil: null,
	};
	const answer = await websiteRequest(ctx, {
		method: 'POST',
		path: '/chats',
		body: {
			type: 'group',
			title: `Website visitor ${visitorId}`,
			memberIds: [],
			externalKey: transcriptKey(visitorId, secret),
			metadata,
		},
		// safe to resend: the key makes a second creation a 409 with the chat
		idempotent: true,
		expectStatuses: [409],
		itemIndex,
	});
	const chat = (
		answer.statusCode === 409 ? ((answer.body as IDataObject).error as IDataObject).chat : answer
	) as TranscriptChat;
	transcripts.set(await cacheKey(ctx, visitorId, itemIndex), chat.id);
	return chat;
}

/**
 * Changes the transcript's metadata without losing another process's change: a conditional write
 * (`If-Match`), redone on the chat as it is now when another write came first. `change` returns
 * the new metadata, or undefined when nothing is to change.
 */
export async function updateTranscript(
	ctx: WebsiteContext,
	chat: TranscriptChat,
	change: (metadata: TranscriptMetadata) => TranscriptMetadata | undefined,
	itemIndex?: number,
): Promise<TranscriptChat> {
	let current = chat;
	for (let attempt = 0; attempt < 5; attempt++) {
		const metadata = change({ ...current.metadata });
		if (!metadata) return current;
		const answer = await websiteRequest(ctx, {
			method: 'PATCH',
			path: `/chats/${segment(current.id)}`,
			body: { metadata },
			ifMatch: current.version,
			expectStatuses: [412],
			itemIndex,
		});
		if (answer.statusCode !== 412) return answer as TranscriptChat;
		current = ((answer.body as IDataObject).error as IDataObject).current as TranscriptChat;
	}
	return current;
}

/** Sets the visitor's name and e-mail (those given) on the transcript. */
export async function updateContact(
	ctx: WebsiteContext,
	chat: TranscriptChat,
	contact: Contact,
	itemIndex?: number,
): Promise<TranscriptChat> {
	return await updateTranscript(
		ctx,
		chat,
		(metadata) => {
			const name = contact.name ?? metadata.name;
			const email = contact.email ?? metadata.email;
			if (name === metadata.name && email === metadata.email) return undefined;
			return { ...metadata, name, email };
		},
		itemIndex,
	);
}

/**
 * Posts a message to the transcript under its key: when the transcript has it already (a retry),
 * TeamSpirit answers that message and posts nothing.
 */
export async function postToTranscript(
	ctx: WebsiteContext,
	chatId: string,
	message: { text: string; fileIds?: string[]; externalKey: string },
	itemIndex?: number,
): Promise<TranscriptMessage> {
	const body: IDataObject = {
		text: message.text,
		format: 'plain',
		externalKey: message.externalKey,
	};
	if (message.fileIds?.length) body.fileIds = message.fileIds;
	return (await websiteRequest(ctx, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/messages`,
		body,
		// safe to resend: the key makes a repeat answer the message it posted
		idempotent: true,
		itemIndex,
	})) as TranscriptMessage;
}

/** One message of the transcript; undefined when it is not there (deleted, or another chat's). */
export async function readTranscriptMessage(
	ctx: WebsiteContext,
	chatId: string,
	messageId: string,
	itemIndex?: number,
): Promise<TranscriptMessage | undefined> {
	const answer = await websiteRequest(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages/${segment(messageId)}`,
		expectStatuses: [404],
		itemIndex,
	});
	return answer.statusCode === 404 ? undefined : (answer as TranscriptMessage);
}

/** The transcript's message with this key, when it has one. */
export async function messageByKey(
	ctx: WebsiteContext,
	chatId: string,
	externalKey: string,
	itemIndex?: number,
): Promise<TranscriptMessage | undefined> {
	const page = await websiteRequest(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages`,
		qs: { externalKey, limit: 1 },
		itemIndex,
	});
	return ((page.items ?? []) as TranscriptMessage[]).find((m) => m.externalKey === externalKey);
}

/** Changes a message's text (plain). */
export async function patchTranscriptMessage(
	ctx: WebsiteContext,
	chatId: string,
	messageId: string,
	text: string,
	itemIndex?: number,
): Promise<TranscriptMessage> {
	return (await websiteRequest(ctx, {
		method: 'PATCH',
		path: `/chats/${segment(chatId)}/messages/${segment(messageId)}`,
		body: { text, format: 'plain' },
		itemIndex,
	})) as TranscriptMessage;
}

/** Deletes a message; true when it was there. */
export async function deleteTranscriptMessage(
	ctx: WebsiteContext,
	chatId: string,
	messageId: string,
	itemIndex?: number,
): Promise<boolean> {
	const answer = await websiteRequest(ctx, {
		method: 'DELETE',
		path: `/chats/${segment(chatId)}/messages/${segment(messageId)}`,
		expectStatuses: [404],
		itemIndex,
	});
	return answer.statusCode !== 404;
}

/** The transcript's last `limit` messages (at most 100), oldest first. */
export async function readTranscript(
	ctx: WebsiteContext,
	chatId: string,
	limit = 50,
	itemIndex?: number,
): Promise<TranscriptMessage[]> {
	const page = await websiteRequest(ctx, {
		method: 'GET',
		path: `/chats/${segment(chatId)}/messages`,
		qs: { limit: Math.min(100, Math.max(1, limit)) },
		itemIndex,
	});
	return ((page.items ?? []) as TranscriptMessage[]).slice().reverse();
}

/** Uploads a file as the Website Chat credential's bot (then attached to a message by `fileIds`). */
export async function uploadToTeamSpirit(
	ctx: WebsiteContext,
	source: UploadSource,
	itemIndex?: number,
): Promise<TranscriptFile> {
	return (await uploadFile(
		ctx,
		itemIndex,
		source,
		source.fileName,
		WEBSITE_CREDENTIAL,
	)) as TranscriptFile;
}

/** A message as the widget shows it (`GET messages`). */
export interface WidgetMessage extends IDataObject {
	id: string;
	clientId?: string;
	from: 'visitor' | 'agent';
	text: string;
	files: Array<{ id: string; name: string; mimeType: string; size: number; url: string }>;
	at: string;
	editedAt: string | null;
}

/**
 * The transcript as the widget shows it, oldest first: messages the visitor or the adapter wrote
 * (anything else in the chat is left out). `fileUrl` makes a file's link (the `files` endpoint).
 */
export function widgetMessages(
	messages: TranscriptMessage[],
	fileUrl: (fileId: string) => string,
): WidgetMessage[] {
	const view: WidgetMessage[] = [];
	for (const message of messages) {
		const from = authorOf(message);
		if (!from) continue;
		const shown: WidgetMessage = {
			id: message.id,
			from,
			text: message.text ?? '',
			files: (message.files ?? []).map((f) => ({
				id: f.id,
				name: f.name,
				mimeType: f.mimeType,
				size: f.size,
				url: fileUrl(f.id),
			})),
			at: message.createdAt,
			editedAt: message.editedAt ?? null,
		};
		if (from === 'visitor') shown.clientId = String(message.externalKey).slice(3);
		view.push(shown);
	}
	return view;
}
