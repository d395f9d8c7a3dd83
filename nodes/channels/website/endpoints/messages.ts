/**
 * `POST messages`: the receive pipeline (../incoming.ts). `GET messages?token=&since=&wait=1`:
 * the visitor's last 50 messages, oldest first, with typing and offline, and their digest. With
 * `wait=1` the answer waits (at most 25 s) until the digest differs from `since`, reading
 * TeamSpirit about once a second, and stops when the browser goes away. Everything is read from
 * TeamSpirit: any n8n process answers any poll.
 */
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { monotonicNow } from '../../../shared/clock';
import { abortableSleep } from '../../../shared/sleep';
import { receiveWebhook } from '../../receive';
import type { TriggerEndpoint } from '../../types';
import { websiteReceive } from '../incoming';
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

async function poll(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const checked = await guard(ctx, queryField(ctx, 'token'));
	if ('response' in checked) return checked.response;
	const { visitorId, token } = checked.session;
	const since = queryField(ctx, 'since');
	const wait = queryField(ctx, 'wait') === '1' && since !== undefined;
	const deadline = monotonicNow() + LONG_POLL_MS - POLL_INTERVAL_MS;
	const client = watchClient(ctx);
	try {
		const offline = await isOffline(ctx);
		let chat = await transcriptOf(ctx, visitorId, undefined);
		let view = await readView(ctx, visitorId, token, chat, offline);
		while (wait && view.digest === since && monotonicNow() < deadline) {
			if (!(await abortableSleep(POLL_INTERVAL_MS, client.signal))) break;
			chat = await transcriptOf(ctx, visitorId, chat);
			view = await readView(ctx, visitorId, token, chat, await isOffline(ctx));
		}
		if (client.gone()) {
			// nobody to answer: end what is left of the exchange
			if (!ctx.getResponseObject().writableEnded) ctx.getResponseObject().end();
			return { noWebhookResponse: true };
		}
		return sendJson(ctx, 200, view);
	} catch (error) {
		return unavailable(ctx, error);
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
