/**
 * Posting one form submission to TeamSpirit (README "Website forms"): the honeypot, the
 * submission's key, the rate limit, the files, the card. The operation
 * (nodes/TeamSpirit/actions/message/postForm.operation.ts) reads its parameters and calls `post`.
 *
 * To a chat (the TeamSpirit API): the card carries the key `form:<submission key>`; a retried
 * execution finds it (`GET …/messages?externalKey=`) before uploading anything and posts nothing
 * new, and two executions racing get one message (the key is unique within the chat). The item's
 * binary files are streamed up (`POST /files`) and attached. The rate limit holds across processes.
 *
 * Through an incoming webhook: the hook takes no keys and no files (docs/teamspirit-api.md,
 * "Incoming webhooks"). The files are named in the card as not attached; a retry is caught only in
 * this process's memory, and so is the rate limit.
 */
import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { getUploadSource, type UploadSource } from '../shared/binary';
import { uploadFile } from '../shared/teamspirit/files';
import { incomingWebhookRequest, teamSpiritApiRequest } from '../shared/teamspirit/transport';
import { segment } from '../shared/teamspirit/utils';
import { formCard } from './card';
import { cardFields, honeypotFilled, type FieldChoice } from './fields';
import { claimInProcess, claimInTeamSpirit, type LimitOutcome } from './rateLimit';

export interface Submission {
	target: { kind: 'chat'; chatId: string } | { kind: 'incomingWebhook'; username: string };
	title: string;
	fields: Record<string, unknown>;
	choice: FieldChoice;
	attachFiles: boolean;
	perHour: number;
	address: string;
	/** The user's own key ('' none: derived from the item). */
	ownKey: string;
	/** What a Respond to Webhook shows: `responseText` for a taken and a refused submission. */
	texts: { thanks: string; tooMany: string };
}

/** Posted through an incoming webhook, by key, in this process (a cache: hooks keep no keys). */
const postedThroughHooks = new Map<string, IDataObject>();
const MAX_REMEMBERED = 10_000;

/**
 * The submission's key: the same for every run of this item in this workflow's node (a retried
 * execution, Retry On Fail), another for another submission. Derived from the whole item (n8n's
 * Form Trigger stamps `submittedAt`; a browser's multipart boundary differs per post) and its
 * files, or from the user's own key. In the editor's manual runs each run is a new submission.
 */
function submissionKeyOf(ctx: IExecuteFunctions, itemIndex: number, ownKey: string): string {
	const item = ctx.getInputData()[itemIndex];
	const files = Object.entries(item?.binary ?? {}).map(([name, b]) => [
		name,
		b.fileName,
		b.mimeType,
		b.fileSize,
	]);
	const parts = [
		ctx.getWorkflow().id ?? '',
		ctx.getNode().id,
		ownKey ? ['own', ownKey] : ['item', item?.json ?? {}, files],
		ctx.getMode() === 'manual' ? (ctx.getExecutionId() ?? '') : '',
	];
	return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 32);
}

/** The item's files; empty ones left out (a browser sends one when no file was chosen). */
async function filesOf(ctx: IExecuteFunctions, itemIndex: number): Promise<UploadSource[]> {
	const names = Object.keys(ctx.getInputData()[itemIndex]?.binary ?? {});
	const sources: UploadSource[] = [];
	for (const name of names) {
		const source = await getUploadSource(ctx, itemIndex, name);
		if (source.size !== 0) sources.push(source);
	}
	return sources;
}

async function limitOf(
	ctx: IExecuteFunctions,
	itemIndex: number,
	s: Submission,
	submissionKey: string,
): Promise<LimitOutcome> {
	if (!(s.perHour > 0)) return { allowed: true };
	const limit = {
		perHour: Math.floor(s.perHour),
		address: s.address,
		scope: `${ctx.getWorkflow().id ?? ''}\n${ctx.getNode().id}`,
		submissionKey,
		now: Date.now(),
	};
	return s.target.kind === 'chat'
		? await claimInTeamSpirit(ctx, itemIndex, limit)
		: claimInProcess(limit);
}

/**
 * Posts the submission; the item's answer says whether, and why not, with `responseCode` (429 when
 * the rate limit refused it, else 200: a robot that filled the honeypot is thanked too) and
 * `responseText`, so a Respond to Webhook answers from fields alone.
 */
export async function post(
	ctx: IExecuteFunctions,
	itemIndex: number,
	s: Submission,
): Promise<IDataObject> {
	const answer = await postOrNot(ctx, itemIndex, s);
	const refused = answer.reason === 'rateLimited';
	return {
		...answer,
		responseCode: refused ? 429 : 200,
		responseText: refused ? s.texts.tooMany : s.texts.thanks,
	};
}

async function postOrNot(
	ctx: IExecuteFunctions,
	itemIndex: number,
	s: Submission,
): Promise<IDataObject> {
	if (honeypotFilled(s.fields, s.choice.honeypot)) {
		return { posted: false, reason: 'honeypot', honeypotField: s.choice.honeypot };
	}
	const key = submissionKeyOf(ctx, itemIndex, s.ownKey);
	return s.target.kind === 'chat'
		? await postToChat(ctx, itemIndex, s, s.target.chatId, key)
		: await postThroughHook(ctx, itemIndex, s, s.target.username, key);
}

const refused = (outcome: { retryAfter: number }) => ({
	posted: false,
	reason: 'rateLimited',
	retryAfter: outcome.retryAfter,
});

function answerOf(message: IDataObject, submissionKey: string, alreadyPosted: boolean) {
	const files = (message.files as IDataObject[] | undefined) ?? [];
	return {
		posted: true,
		alreadyPosted,
		submissionKey,
		chatId: message.chatId,
		messageId: message.id,
		files: files.map((f) => ({ id: f.id, name: f.name, size: f.size })),
	};
}

async function postToChat(
	ctx: IExecuteFunctions,
	itemIndex: number,
	s: Submission,
	chatId: string,
	submissionKey: string,
): Promise<IDataObject> {
	const path = `/chats/${segment(chatId)}/messages`;
	const externalKey = `form:${submissionKey}`;
	// also the check that the chat is there, before any file goes up
	const found = (await teamSpiritApiRequest.call(ctx, {
		method: 'GET',
		path,
		qs: { externalKey, limit: 1 },
		itemIndex,
	})) as { items?: IDataObject[] };
	if (found.items?.[0]) return answerOf(found.items[0], submissionKey, true);
	const limit = await limitOf(ctx, itemIndex, s, submissionKey);
	if (!limit.allowed) return refused(limit);
	const fileIds: string[] = [];
	if (s.attachFiles) {
		for (const source of await filesOf(ctx, itemIndex)) {
			fileIds.push(String((await uploadFile(ctx, itemIndex, source)).id));
		}
	}
	const text = formCard({ title: s.title, fields: cardFields(s.fields, s.choice) });
	const message = (await teamSpiritApiRequest.call(ctx, {
		method: 'POST',
		path,
		body: { text, format: 'markdown', externalKey, ...(fileIds.length ? { fileIds } : {}) },
		// the key makes a repeat return the card already posted: safe to send again
		idempotent: true,
		itemIndex,
	})) as IDataObject;
	return answerOf(message, submissionKey, false);
}

async function postThroughHook(
	ctx: IExecuteFunctions,
	itemIndex: number,
	s: Submission,
	username: string,
	submissionKey: string,
): Promise<IDataObject> {
	const earlier = postedThroughHooks.get(submissionKey);
	if (earlier) return { ...earlier, alreadyPosted: true };
	const limit = await limitOf(ctx, itemIndex, s, submissionKey);
	if (!limit.allowed) return refused(limit);
	const notAttached = s.attachFiles
		? (await filesOf(ctx, itemIndex)).map((f) => ({ name: f.fileName, size: f.size }))
		: [];
	const text = formCard({ title: s.title, fields: cardFields(s.fields, s.choice), notAttached });
	const body: IDataObject = { text, format: 'markdown' };
	if (username) body.username = username;
	const answer = await incomingWebhookRequest.call(ctx, body, itemIndex);
	const result = {
		posted: true,
		alreadyPosted: false,
		submissionKey,
		messageId: answer.messageId,
		filesNotAttached: notAttached.map((f) => f.name),
	};
	if (postedThroughHooks.size >= MAX_REMEMBERED) postedThroughHooks.clear();
	postedThroughHooks.set(submissionKey, result);
	return result;
}
