/** How VK conversations meet TeamSpirit (nodes/conversations/): plain text, uploads, the group id. */
import { locationNote } from '../location';
import type { ConversationNote, ConversationRules } from '../types';
import { markdownToVk, vkToMarkdown } from './format';
import { credentialsOf } from './transport';

export const vkConversation: ConversationRules = {
	toMarkdown: (message) => vkToMarkdown(message.text ?? ''),
	describe(message) {
		const notes: ConversationNote[] = [];
		if (message.location) notes.push(locationNote(message.location));
		for (const attachment of message.attachments ?? []) {
			// what VK gives no file of: named, so the operator knows something came
			if (attachment.type === 'sticker') notes.push({ label: 'Sticker', values: [] });
			else if (attachment.type === 'video' && !attachment.fileId)
				notes.push({ label: 'Video (open it in VK)', values: [] });
			else if (attachment.type === 'audio' && !attachment.fileId)
				notes.push({ label: 'Music track (open it in VK)', values: [] });
			else if (attachment.type === 'other')
				notes.push({
					label: 'An attachment VK does not pass on (open the chat in VK)',
					values: [],
				});
		}
		return notes;
	},
	fromMarkdown: (markdown) => ({ text: markdownToVk(markdown), format: 'plain' }),
	files: 'upload',
	account: async (ctx, itemIndex) => (await credentialsOf(ctx, itemIndex)).groupId || undefined,
	keyPart: (conversationId) => conversationId,
	// Community chats (peer ids from 2000000000) are not bridged: VK gives a community bot no
	// message id there (`id: 0`, only `conversation_message_id`), and replies, edits and deletes
	// by message id cannot reach them. Their items carry `messageId: null`; the bridge skips them.
	groups: false,
};
