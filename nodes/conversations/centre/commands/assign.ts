/** `/assign @username`: assigns the conversation to that operator (who joins the chat). */
import { assign } from '../actions';
import { usernameOf } from './parse';
import type { Command } from './types';

export const assignCommand: Command = {
	usage: '/assign @username',
	async run({ o, chat, args, actor }) {
		const username = usernameOf(args);
		if (!username) return '❓ Whom to? Type /assign @username';
		return (await assign(o.ctx, o.itemIndex, chat, { username }, actor)).notice;
	},
};
