/** `/reopen`: a resolved or snoozed conversation is open again. */
import { reopen } from '../actions';
import type { Command } from './types';

export const reopenCommand: Command = {
	usage: '/reopen',
	run: async ({ o, chat, actor }) => (await reopen(o.ctx, o.itemIndex, chat, {}, actor)).notice,
};
