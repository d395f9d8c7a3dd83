/**
 * A customer's tap on a Send and Wait quick reply (payload `n8n-wait:` + the signed link): the
 * trigger relays it to n8n's waiting webhook (../waiting.ts) and tells the customer in the chat
 * how it went; the tap starts nothing.
 */
import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import type { ChannelMessage } from '../types';
import { RELAY_REPLIES, relayAnswer, relayedLink } from '../waiting';
import type { MessengerEvent } from './normalize';
import { graphApiRequest } from './transport';

const LABEL = 'Chat Channel Trigger (Messenger)';

/** The Send and Wait link of a quick reply tap, or undefined (read from Meta's event). */
export function relayedLinkOf(event: MessengerEvent): string | undefined {
	const message = event.message as IDataObject | undefined;
	if (!message || message.is_echo === true) return undefined;
	return relayedLink((message.quick_reply as IDataObject | undefined)?.payload as string);
}

/** Relays the tap when it is one (true), then answers the customer; never throws. */
export async function relayTap(
	ctx: IWebhookFunctions,
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
	const outcome = await relayAnswer(ctx, LABEL, link, { text: message.text, from });
	if (outcome === 'refused') return true;
	await graphApiRequest(ctx, {
		method: 'POST',
		path: '/me/messages',
		body: {
			recipient: { id: message.conversationId },
			messaging_type: 'RESPONSE',
			message: { text: RELAY_REPLIES[outcome] },
		},
		what: 'thank the customer',
	}).catch((error: Error) => {
		ctx.logger.warn(`${LABEL}: the answer's confirmation was not sent (${error.message})`);
	});
	return true;
}
