/**
 * What one n8n process remembers to spare TeamSpirit requests in the steady state. Only caches: every
 * entry is keyed by the TeamSpirit server and credential it came from, and a stale entry falls
 * back to the keyed path, never to a wrong chat:
 *
 * - `conversationChats`, conversation key → chat (Forward to TeamSpirit): a chat's key never
 *   changes (TeamSpirit's `PATCH /chats` cannot change it), so a chat found under a key is that
 *   key's chat for as long as it exists. Deleted, or the bot removed from it: the post answers
 *   404 / 403, the entry is dropped, and `POST /chats` finds (409) or creates the key's chat.
 *   Another conversation secret gives other keys, so other entries. The entry is the chat as last
 *   seen (its metadata and version): the contact centre's conditional write starts from it, and a
 *   stale version costs a 412 that carries the chat as it is (centre/state.ts).
 * - `trustedChats`, chat id → the conversation it verified as (Send to Customer): used only while
 *   the delivery shows the chat with the same key and customer; otherwise the chat is read again
 *   and checked as the first time. The claim of the message is made in that chat (a message of
 *   another chat is 404 there), and what is sent is what TeamSpirit answers, not the delivery.
 * - `bots`: the bot's id and username (`GET /me`) for 10 minutes (a renamed bot is seen then).
 */
import type { Conversation } from './outboundContext';
import type { ConversationChat } from './teamspirit';
import { BoundedMap } from '../shared/dedupe';

const HOUR = 60 * 60 * 1000;

export const conversationChats = new BoundedMap<ConversationChat>(10_000, 24 * HOUR);
export const trustedChats = new BoundedMap<Conversation>(10_000, HOUR);
export const bots = new BoundedMap<{ id: string; username: string }>(100, 10 * 60 * 1000);

/** The entry key: which credential at which server, and what. */
export const cacheKey = (identity: string, ...parts: string[]) => [identity, ...parts].join('\n');

/** Forgets every cache (an n8n restart does; tests start each bridge afresh). */
export function forgetCaches(): void {
	conversationChats.clear();
	trustedChats.clear();
	bots.clear();
}
