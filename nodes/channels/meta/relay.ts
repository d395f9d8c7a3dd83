/**
 * A customer's tap on a Send and Wait quick reply (payload `n8n-wait:` + the signed link), on
 * Messenger and Instagram: the trigger relays it to n8n's waiting webhook (../waiting.ts) and tells
 * the customer in the chat how it went; the tap starts nothing.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { ChannelMessage } from '../types';
import { RELAY_REPLIES, relayAnswer, relayedLink } from '../waiting';
import type { GraphApi } from './graph';
import { graphApiRequest } from './graph';

/** The Send and Wait link of a quick reply tap in a messaging event, or undefined. */
export function relayedLinkOf(event: IDataObject): string | undefined {
	const message = event.message as IDataObject | undefined;
	if (!message || message.is_echo === true) return undefined;
	return relayedLink((message.quick_reply as IDataObject | undefined)?.payload as string);
}

/** Relays the tap when it is one (true), then answers the customer; never throws. */
export async function relayTap(
	ctx: IWebhookFunctions,
	api: GraphApi,
	label: string,
	message: ChannelMessage,
	name: () => Promise<string | undefined>,
): Promise<boolean> {
	if (message.event !== 'message') return false;
	const link = relayedLink(message.callbackData);
	if (link === undefined) return false;
	const from = {
		...message.sender,
		name: (await name().catch(() => undefined)) ?? message.sender.name,
		channel: message.channel,
		conversationId: message.conversationId,
	};
	const outcome = await relayAnswer(ctx, label, link, { text: message.text, from });
	if (outcome === 'refused') return true;
	await graphApiRequest(ctx, api, {
		method: 'POST',
		path: '/me/messages',
		body: {
			recipient: { id: message.conversationId },
			messaging_type: 'RESPONSE',
			message: { text: RELAY_REPLIES[outcome] },
		},
		what: 'thank the customer',
	}).catch((error: Error) => {
		ctx.logger.warn(`${label}: the answer's confirmation was not sent (${error.message})`);
	});
	return true;
}
