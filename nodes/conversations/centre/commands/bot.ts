/** `/bot`: the AI Agent answers the conversation again (a bot-first queue's; centre/ownership.ts). */
import { giveToBot } from '../ownership';
import type { Command } from './types';

export const botCommand: Command = {
	usage: '/bot',
	run: async ({ o, chat, actor }) => await giveToBot(o.ctx, o.itemIndex, chat, actor),
};
