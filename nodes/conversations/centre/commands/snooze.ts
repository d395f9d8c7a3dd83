/** `/snooze 2h`, `/snooze tomorrow 9:00`: in the queue's time zone (centre/time.ts). */
import { snooze } from '../actions';
import { SNOOZE_EXAMPLES } from '../time';
import type { Command } from './types';

export const snoozeCommand: Command = {
	usage: '/snooze <time>',
	async run({ o, chat, args, actor }) {
		if (!args) return `❓ Until when? For example /snooze 2h. Times: ${SNOOZE_EXAMPLES}`;
		return (await snooze(o.ctx, o.itemIndex, chat, { until: args }, actor)).notice;
	},
};
