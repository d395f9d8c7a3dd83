/**
 * `/note text` and a message that starts with the queue's note prefix: a private note. The message
 * itself is the note, visible to the team only: it is claimed (never sent, also not by a later
 * catch-up) and gets no answer, so notes do not double the chat.
 */
import type { Command } from './types';

export const noteCommand: Command = {
	usage: '/note <text>',
	run: async () => undefined,
};
