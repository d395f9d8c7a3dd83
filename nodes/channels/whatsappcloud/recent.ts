/**
 * The newest message each customer wrote to each business number, as this n8n process received
 * it (the Chat Channel Trigger notes it): WhatsApp shows "typing…" and read ticks only for a
 * received message (`status: "read"` + `message_id`), and the Chat Channel node's Send Chat Action
 * knows only the conversation. Process memory: in queue mode, the worker that shows the typing may
 * not have seen the message, and then says so.
 */
import { BoundedMap } from '../../shared/dedupe';
import type { ChannelMessage } from '../types';

/** `${phoneNumberId}:${waId}` → wamid, for 24 hours (WhatsApp's customer service window). */
export const recentMessages = new BoundedMap<string>(10_000, 24 * 60 * 60 * 1000);

/** Notes a customer's message (not a status, not an edit of an older one). */
export function noteReceived(message: ChannelMessage): void {
	if (message.event !== 'message' && message.event !== 'callback') return;
	if (!message.messageId || !message.account || !message.conversationId) return;
	recentMessages.set(`${message.account}:${message.conversationId}`, message.messageId);
}
