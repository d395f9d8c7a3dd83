/** `/transfer <queue>` or `/transfer @username`: another queue (routed there) or operator. */
import { transfer } from '../actions';
import { usernameOf } from './parse';
import type { Command } from './types';

export const transferCommand: Command = {
	usage: '/transfer <queue> or /transfer @username',
	async run({ o, chat, args, actor }) {
		if (!args) return '❓ Where to? Type /transfer <queue> or /transfer @username';
		const username = args.startsWith('@') ? usernameOf(args) : undefined;
		if (args.startsWith('@') && !username) return '❓ Type /transfer @username (one name)';
		const to = username ? { username } : { queue: args };
		return (await transfer(o.ctx, o.itemIndex, chat, to, actor)).notice;
	},
};
