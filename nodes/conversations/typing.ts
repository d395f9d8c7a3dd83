/**
 * Operators → customer, typing (README "Typing and business hours"): an operator typing in a
 * conversation chat (the TeamSpirit Trigger's *Typing*, `chat.typing`) shows as typing to the
 * customer on channels that can show it (the adapter's optional `sendAction`, action `typing`).
 * Only an operator's (not a bot's) typing, only in a chat the bridge signed (outbound.ts
 * `trusted`), only while it lasts. Best effort: nothing is claimed, waited for or posted in the
 * chat; whatever does not work is an item that says why.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ChannelAdapter } from '../channels/types';
import { skipped } from './notices';
import { trusted } from './outbound';
import { outbound, type OutboundOptions } from './outboundContext';

/** A `chat.typing` item of the TeamSpirit Trigger. */
export interface TypingEvent {
	chatId: string;
	userId: string;
	/** The user who types (`isBot`, `name`), as the delivery shows them. */
	user: IDataObject;
	/** When TeamSpirit stops showing it (ISO 8601). */
	until: string;
	/** The chat as the delivery shows it (data, not proof). */
	chat?: IDataObject;
}

/** Shows the operator's typing to the customer of the chat, or says why not. */
export async function sendTyping(
	ctx: IExecuteFunctions,
	itemIndex: number,
	adapter: ChannelAdapter,
	event: TypingEvent,
	options: OutboundOptions,
): Promise<IDataObject> {
	const base = { chatId: event.chatId, userId: event.userId };
	const sendAction = adapter.actions.sendAction;
	if (!sendAction) return skipped(`${adapter.displayName} cannot show typing`, base);
	if (event.user.isBot === true) return skipped('a bot typing, not an operator', base);
	const until = Date.parse(event.until);
	if (!(until > Date.now())) return skipped('the typing is over', base);
	// no patience: a typing shown late is worse than none
	const o = outbound(ctx, itemIndex, adapter, event.chatId, { ...options, waitMs: 0 });
	try {
		const trust = await trusted(o, event);
		if (!('conversationId' in trust))
			return skipped(`chat ${event.chatId}: ${'skip' in trust ? trust.skip : trust.why}`, base);
		await sendAction.call(
			adapter.actions,
			{
				ctx,
				itemIndex,
				account: trust.account,
				acceptKey: `teamspirit:typing:${event.chatId}:${event.userId}:${event.until}`,
			},
			{ conversationId: trust.conversationId, action: 'typing' },
		);
		return { action: 'typing', ...base, conversationId: trust.conversationId };
	} catch (error) {
		ctx.logger.warn(`Typing in chat ${event.chatId} not shown: ${(error as Error).message}`);
		return skipped(`typing not shown: ${(error as Error).message}`, base);
	}
}
