/**
 * `POST messages`: the receive pipeline (../incoming.ts). `GET messages?token=&since=&wait=1`:
 * the visitor's last 50 messages, oldest first, with typing and offline, and their digest. With
 * `wait=1` the answer waits (at most 25 s) until the digest differs from `since`, reading
 * TeamSpirit about once a second, and stops when the browser goes away. Everything is read from
 * TeamSpirit: any n8n process answers any poll. A process holds at most 2 polls of one session and
 * 20 of one client address at once; a further one is answered at once.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { monotonicNow } from '../../../shared/clock';
import { abortableSleep } from '../../../shared/sleep';
import { receiveWebhook } from '../../receive';
import type { TriggerEndpoint } from '../../types';
import { websiteReceive } from '../incoming';
import { addressKey } from '../limits';
import { digestOf, isOffline, isTyping } from '../status';
import { findTranscript, readTranscript, widgetMessages, type TranscriptChat } from '../transcript';
import { websiteRequest } from '../transport';
import { guard, unavailable } from './guard';
import { queryField, sendJson } from './http';

/** The longest a poll is held (the widget's own timeout is longer). */
const LONG_POLL_MS = 25_000;
/** How often a held poll reads TeamSpirit. */
const POLL_INTERVAL_MS = 1000;
const HISTORY = 50;

interface View extends IDataObject {
	digest: string;
	messages: IDataObject[];
	typing: boolean;
	offline: boolean;
}

/** The chat again by id (its metadata carries typing), or found by its key the first time. */
async function transcriptOf(
	ctx: IWebhookFunctions,
	visitorId: string,
	known: TranscriptChat | undefined,
): Promise<TranscriptChat | undefined> {
	if (!known) return await findTranscript(ctx, visitorId);
	return (await websiteRequest(ctx, {
		method: 'GET',
		path: `/chats/${encodeURIComponent(known.id)}`,
	})) as TranscriptChat;
}

/** What the widget shows now. */
async function readView(
	ctx: IWebhookFunctions,
	visitorId: string,
	token: string,
	chat: TranscriptChat | undefined,
	offline: boolean,
): Promise<View> {
	const messages = chat ? await readTranscript(ctx, chat.id, HISTORY) : [];
	const files = ctx.getNodeWebhookUrl('files' as never) ?? 'files';
	const fileUrl = (id: string) =>
		`${files}?token=${encodeURIComponent(token)}&id=${encodeURIComponent(id)}`;
	const shown = widgetMessages(messages, fileUrl);
	const typing = isTyping(chat);
	const ids = messages.filter((m) => shown.some((s) => s.id === m.id));
	return { digest: digestOf(ids, typing, offline), messages: shown, typing, offline };
}

/** Whether the browser has gone away (its connection closed before the answer). */
function watchClient(ctx: IWebhookFunctions): { gone: () => boolean; signal: AbortSignal } {
	const res = ctx.getResponseObject();
	const controller = new AbortController();
	res.once('close', () => controller.abort());
	return { gone: () => controller.signal.aborted || res.writableEnded, signal: controller.signal };
}

/** Polls one session may have held at once in this process; a further one is answered at once. */
export const MAX_HELD_POLLS = 2;
/**
 * Polls one client address may have held at once in this process (all its sessions together): each
 * held poll reads TeamSpirit about once a second. A further one is answered at once.
 */
export const MAX_HELD_POLLS_PER_ADDRESS = 20;
const held = new Map<string, number>();

/** Holds one more poll of each key when every one of them may have one more held: whether it does. */
function hold(keys: Array<[key: string, max: number]>): boolean {
	if (keys.some(([key, max]) => (held.get(key) ?? 0) >= max)) return false;
	for (const [key] of keys) held.set(key, (held.get(key) ?? 0) + 1);
	return true;
}

function release(keys: Array<[key: string, max: number]>): void {
	for (const [key] of keys) {
		const count = (held.get(key) ?? 1) - 1;
		if (count > 0) held.set(key, count);
		else held.delete(key);
	}
}

/** `work`'s result, or undefined when the deadline comes first (a slow read is left to finish). */
async function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T | undefined> {
	const timer = new AbortController();
	work.catch(() => undefined); // failing after the deadline: nobody waits for it any more
	try {
		const late = abortableSleep(deadline - monotonicNow(), timer.signal).then(() => undefined);
		return await Promise.race([work, late]);
	} finally {
		timer.abort();
	}
}

async function poll(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const checked = await guard(ctx, queryField(ctx, 'token'));
	if ('response' in checked) return checked.response;
	const { visitorId, token } = checked.session;
	const since = queryField(ctx, 'since');
	const holds: Array<[string, number]> = [
		[`${ctx.getWorkflow().id ?? ''}\n${ctx.getNode().id}\n${visitorId}`, MAX_HELD_POLLS],
		[addressKey(ctx), MAX_HELD_POLLS_PER_ADDRESS],
	];
	const wait = queryField(ctx, 'wait') === '1' && since !== undefined && hold(holds);
	const deadline = monotonicNow() + LONG_POLL_MS - POLL_INTERVAL_MS;
	const client = watchClient(ctx);
	try {
		let chat = await transcriptOf(ctx, visitorId, undefined);
		let view = await readView(ctx, visitorId, token, chat, await isOffline(ctx));
		while (wait && view.digest === since && monotonicNow() < deadline) {
			const pause = Math.min(POLL_INTERVAL_MS, deadline - monotonicNow());
			if (!(await abortableSleep(pause, client.signal))) break;
			const round = async () => {
				const next = await transcriptOf(ctx, visitorId, chat);
				return { next, view: await readView(ctx, visitorId, token, next, await isOffline(ctx)) };
			};
			const read = await beforeDeadline(round(), deadline);
			if (!read) break;
			({ next: chat, view } = read);
		}
		if (client.gone()) {
			// nobody to answer: end what is left of the exchange
			if (!ctx.getResponseObject().writableEnded) ctx.getResponseObject().end();
			return { noWebhookResponse: true };
		}
		return sendJson(ctx, 200, view);
	} catch (error) {
		return unavailable(ctx, error);
	} finally {
		if (wait) release(holds);
	}
}

export const messageEndpoints: TriggerEndpoint[] = [
	{
		name: 'messages',
		httpMethod: 'POST',
		path: 'messages',
		handle: async (ctx) => await receiveWebhook(ctx, websiteReceive),
	},
	{ name: 'poll', httpMethod: 'GET', path: 'messages', handle: poll },
];
