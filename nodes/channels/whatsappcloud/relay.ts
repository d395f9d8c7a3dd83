/**
 * A customer's tap on a Send and Wait button or list row (id `n8n-wait:` + the signed link): the
 * trigger relays it to n8n's waiting webhook (../waiting.ts) and tells the customer in the chat
 * how it went, from the number they wrote to; the tap starts nothing.
 */
import type { IWebhookFunctions } from 'n8n-workflow';

import type { ChannelMessage } from '../types';
import { RELAY_REPLIES, relayAnswer, relayedLink } from '../waiting';
import { cloudApiRequest } from './transport';

const LABEL = 'Chat Channel Trigger (WhatsApp Cloud API)';

/** Relays the tap when it is one (true), then answers the customer; never throws. */
export async function relayTap(ctx: IWebhookFunctions, message: ChannelMessage): Promise<boolean> {
	if (message.event !== 'callback') return false;
	const link = relayedLink(message.callbackData);
	if (link === undefined) return false;
	const from = {
		...message.sender,
		channel: message.channel,
		conversationId: message.conversationId,
	};
	const outcome = await relayAnswer(ctx, LABEL, link, { text: message.text, from });
	if (outcome === 'refused') return true;
	await cloudApiRequest(ctx, {
		method: 'POST',
		path: `/${encodeURIComponent(message.account ?? '')}/messages`,
		body: {
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: message.conversationId,
			context: { message_id: message.messageId },
			type: 'text',
			text: { body: RELAY_REPLIES[outcome] },
		},
		what: 'thank the customer',
	}).catch((error: Error) => {
		ctx.logger.warn(`${LABEL}: the answer's confirmation was not sent (${error.message})`);
	});
	return true;
}
