/**
 * Typing both ways on the Website channel (README "Typing and business hours").
 *
 * - Visitor → operators (`visitorTyping`, the widget's `POST typing`): the visitor's conversation
 *   chat, the bridge's (`GET /chats?metadata.channel=website&metadata.conversationId=<visitorId>`,
 *   its key `website:<account>:<visitorId>~…`), shows the Website Chat credential's bot typing
 *   (`POST /chats/{id}/typing`). The bot sees the chat only when it is the bridge's bot (the
 *   TeamSpirit credential's): otherwise nothing is found and nothing shown. 403 / 404 (the chat
 *   gone, the bot removed): ignored, with a debug line.
 * - Operators → visitor (`operatorTyping`, the adapter's `sendAction`): the transcript's
 *   `metadata.typingUntil` becomes now + 6 s, by a conditional write that never moves it back; the
 *   long poll shows it to the widget.
 *
 * What this process remembers (which chat is whose conversation) is a cache.
 */
import type { IDataObject } from 'n8n-workflow';

import { BoundedMap } from '../../shared/dedupe';
import { segment } from '../../shared/teamspirit/utils';
import { updateTranscript, type TranscriptChat } from './transcript';
import { botIdOf, identityOf, websiteRequest, type WebsiteContext } from './transport';

/** How long the widget shows an operator typing after one typing event. */
const OPERATOR_TYPING_MS = 6000;

/** Conversation chat ids by credential and visitor; `''`: none yet (kept 10 s, it comes with the first message). */
const conversationChats = new BoundedMap<string>(10_000, 60 * 60 * 1000);
const noConversation = new BoundedMap<true>(10_000, 10 * 1000);

/** Forgets which chats are whose (tests; a restart). */
export function forgetTypingChats(): void {
	conversationChats.clear();
	noConversation.clear();
}

/** The visitor's conversation chat as the credential's bot sees it, or undefined. */
async function conversationChat(
	ctx: WebsiteContext,
	visitorId: string,
	entry: string,
): Promise<string | undefined> {
	const known = conversationChats.get(entry);
	if (known) return known;
	if (noConversation.get(entry)) return undefined;
	const account = await botIdOf(ctx);
	const page = await websiteRequest(ctx, {
		method: 'GET',
		path: '/chats',
		qs: { 'metadata.channel': 'website', 'metadata.conversationId': visitorId, limit: 10 },
	});
	const prefix = `website:${account}:${visitorId}~`;
	const chat = ((page.items ?? []) as IDataObject[]).find((c) =>
		String(c.externalKey ?? '').startsWith(prefix),
	);
	if (!chat) {
		noConversation.set(entry, true);
		return undefined;
	}
	conversationChats.set(entry, String(chat.id));
	return String(chat.id);
}

/**
 * The visitor types: the operators see the bot typing in the visitor's conversation chat for 5 s.
 * Resolves whether it was shown.
 */
export async function visitorTyping(ctx: WebsiteContext, visitorId: string): Promise<boolean> {
	const entry = `${await identityOf(ctx)}\n${visitorId}`;
	const chatId = await conversationChat(ctx, visitorId, entry);
	if (!chatId) return false;
	const answer = await websiteRequest(ctx, {
		method: 'POST',
		path: `/chats/${segment(chatId)}/typing`,
		body: {},
		// showing typing twice is the same as once
		idempotent: true,
		expectStatuses: [403, 404],
	});
	if (answer.statusCode === 403 || answer.statusCode === 404) {
		conversationChats.delete(entry);
		ctx.logger.debug(
			`Website chat: typing not shown in chat ${chatId} (TeamSpirit answered ${String(answer.statusCode)})`,
		);
		return false;
	}
	return true;
}

/**
 * An operator types: the widget shows it until now + 6 s. A conditional write of the transcript's
 * metadata (`If-Match`; another write first: computed again on the chat as it is then), made only
 * when it moves `typingUntil` later. Resolves the transcript as it is now.
 */
export async function operatorTyping(
	ctx: WebsiteContext,
	chat: TranscriptChat,
	itemIndex?: number,
	now = Date.now(),
): Promise<TranscriptChat> {
	const until = now + OPERATOR_TYPING_MS;
	return await updateTranscript(
		ctx,
		chat,
		(metadata) => {
			const current = Date.parse(String(metadata.typingUntil ?? ''));
			if (Number.isFinite(current) && current >= until) return undefined;
			return { ...metadata, typingUntil: new Date(until).toISOString() };
		},
		itemIndex,
	);
}
