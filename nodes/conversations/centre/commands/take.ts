/** `/take`: the operator takes the conversation, unless someone else has it. */
import { take } from '../actions';
import type { Command } from './types';

export const takeCommand: Command = {
	usage: '/take',
	run: async ({ o, chat, actor }) => (await take(o.ctx, o.itemIndex, chat, {}, actor)).notice,
};
