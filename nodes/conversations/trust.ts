/**
 * Which chats the bridge sends from (docs/conversations.md): a chat whose key the bridge signed,
 * naming the customer of the key. Send to Customer asks it for every chat it has not verified
 * before (outbound.ts), the contact centre's actions for the chats they reach customers from.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ChannelAdapter } from '../channels/types';
import { parseConversationKey, verifyConversationKey } from './keys';
import type { Conversation } from './outboundContext';
import type { ConversationChat } from './teamspirit';

/**
 * Whether the bridge may send from a chat. Chats of another channel or account are someone else's (`skip`:
 * another workflow's bridge serves them). A chat of this channel must carry a key the bridge
 * signed (keys.ts) and metadata naming the customer of the key; otherwise it is a chat the bridge
 * did not open, or one changed behind its back (`why`: a notice, never a send).
 */
export function trustOf(
	chat: ConversationChat,
	adapter: ChannelAdapter,
	secret: string,
	ownAccount: string | undefined,
): { skip: string } | { why: string } | Conversation {
	const looks = parseConversationKey(chat.externalKey);
	if (!looks) return { skip: 'not a customer conversation' };
	if (looks.channel !== adapter.name) return { skip: `not a ${adapter.displayName} conversation` };
	if (ownAccount !== undefined && ownAccount !== looks.account) {
		return { skip: `a conversation of another ${adapter.displayName} account` };
	}
	const parsed = verifyConversationKey(chat.externalKey, secret);
	if (!parsed) {
		return {
			why:
				'this chat was not opened by the conversation bridge (its key does not carry the ' +
				"bridge's signature), so nothing written here is sent to a customer",
		};
	}
	const metadata = (chat.metadata ?? {}) as IDataObject;
	const conversationId =
		typeof metadata.conversationId === 'string'
			? adapter.conversationId.normalize(metadata.conversationId)
			: undefined;
	if (!conversationId || adapter.conversation.keyPart(conversationId) !== parsed.conversation) {
		return {
			why:
				"the chat's metadata names another customer than its key: it was changed outside the " +
				'bridge, so nothing written here is sent',
		};
	}
	return { conversationId, key: String(chat.externalKey), account: parsed.account };
}
