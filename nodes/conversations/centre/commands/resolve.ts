/**
 * `/resolve [comment]`: resolved; the queue's closing message and rating question go to the
 * customer, keyed by the command message (a retry in this process sends neither again).
 */
import { resolve } from '../actions';
import { lineOf } from '../customerLine';
import type { Command } from './types';

export const resolveCommand: Command = {
	usage: '/resolve [comment]',
	async run({ o, c, chat, args, actor, message }) {
		const line = lineOf(o, c);
		const sendKey = `teamspirit:${String(message.id)}:resolve`;
		return (await resolve(o.ctx, o.itemIndex, chat, { comment: args, line, sendKey }, actor))
			.notice;
	},
};
