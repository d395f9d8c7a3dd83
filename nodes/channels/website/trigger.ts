/**
 * The Website channel's trigger side: a first version that takes no message yet (every request is
 * refused with 503), so the adapter is complete while the widget's API (session, messages, long
 * poll, files: the trigger's `endpoints`) is built in this file's place.
 */
import type { TriggerAdapter } from '../types';
import { Refusal, type ReceiveAdapter } from '../receive';

const websiteReceive: ReceiveAdapter<never, never> = {
	label: 'Chat Channel Trigger (Website)',
	verify: async () => new Refusal(403, 'The Website channel does not take messages here yet'),
	events: () => [],
	reader: async () => {
		throw new Error('The Website channel does not take messages here yet');
	},
	answer: (ctx, reply) =>
		void ctx
			.getResponseObject()
			.status(reply.status)
			.json({ error: { code: 'unavailable', message: reply.text ?? '' } }),
	answersItself: false,
};

export const websiteTrigger: TriggerAdapter = {
	// nothing to register anywhere: the widget calls the trigger's own URLs
	checkExists: async () => true,
	create: async () => true,
	delete: async () => true,
	receive: websiteReceive as ReceiveAdapter<unknown, unknown>,
};
