/**
 * How a contact-centre action reaches the customer (a closing message, the rating question): the
 * channel's `sendText`, from the account the customer wrote to, each text under its own
 * `acceptKey` so that a retry of the same execution in this process does not send it twice (the
 * channels' record of accepted parts). Exactly-once across processes comes from the caller: the
 * command's claim, or the state change only one execution makes.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { ChannelAdapter, InlineButton } from '../../channels/types';
import { plainToMarkdown } from '../../shared/markdown';
import { trustOf } from '../trust';
import { outbound, type Conversation, type Outbound } from '../outboundContext';
import { conversationSecret, type ConversationChat } from '../teamspirit';

export interface CustomerLine {
	/** Whether the channel shows buttons under a message (Telegram inline, Messenger quick replies). */
	buttons: boolean;
	/** Sends a plain text to the customer, once per `key` in this process. */
	send(text: string, key: string, buttons?: InlineButton[][]): Promise<void>;
}

/** The line of a conversation that Send to Customer verified. */
export function lineOf(o: Outbound, c: Conversation): CustomerLine {
	return {
		buttons: o.adapter.buttons !== undefined,
		async send(text, key, buttons) {
			const { text: body, format } = o.adapter.conversation.fromMarkdown(plainToMarkdown(text));
			await o.channel(
				async () =>
					await o.adapter.actions.sendText(
						{ ctx: o.ctx, itemIndex: o.itemIndex, account: c.account, acceptKey: key },
						{ conversationId: c.conversationId, text: body, format, buttons },
					),
			);
		},
	};
}

/**
 * The line of a conversation chat for the editor's operations: only a chat whose key the bridge
 * signed, naming its customer (as Send to Customer checks); otherwise why not.
 */
export async function lineFor(
	ctx: IExecuteFunctions,
	itemIndex: number,
	adapter: ChannelAdapter,
	chat: ConversationChat,
	waitMs = 0,
): Promise<CustomerLine | { why: string }> {
	const secret = await conversationSecret(ctx, itemIndex);
	const trust = trustOf(chat, adapter, secret, undefined);
	if ('skip' in trust) return { why: trust.skip };
	if ('why' in trust) return trust;
	const o = outbound(ctx, itemIndex, adapter, chat.id, {
		catchUp: false,
		linkSeconds: 3600,
		signature: false,
		waitMs,
	});
	return lineOf(o, trust);
}
