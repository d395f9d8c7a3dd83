/**
 * The Website channel's trigger side: nothing to register anywhere (the widget calls the
 * trigger's own URLs), the widget's files and API as the trigger's `endpoints`, and `POST
 * messages` through the one receive pipeline (./incoming.ts).
 */
import type { ReceiveAdapter } from '../receive';
import type { TriggerAdapter } from '../types';
import { assetEndpoints } from './endpoints/assets';
import { filesEndpoint } from './endpoints/files';
import { messageEndpoints } from './endpoints/messages';
import { sessionEndpoint } from './endpoints/session';
import { typingEndpoint } from './endpoints/typing';
import { websiteReceive } from './incoming';

export const websiteTrigger: TriggerAdapter = {
	checkExists: async () => true,
	create: async () => true,
	delete: async () => true,
	receive: websiteReceive as ReceiveAdapter<unknown, unknown>,
	endpoints: [
		...assetEndpoints,
		sessionEndpoint,
		...messageEndpoints,
		typingEndpoint,
		filesEndpoint,
	],
};
