/**
 * What every step of sending an operator event to its customer works with (outbound.ts): the run,
 * the chat, the options, and the two ways of repeating a call through an outage.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { ChannelAdapter, SendContext } from '../channels/types';
import { untilAvailable } from './order';

/** Send to Customer's options, read by the operation. */
export interface OutboundOptions {
	/** Send older operator messages whose own delivery has not come first. */
	catchUp: boolean;
	/** How long a file link works (channels that fetch files from a link). */
	linkSeconds: number;
	/** Start each message with the operator's name in bold. */
	signature: boolean;
	/** How long to keep trying through an outage (ms). */
	waitMs: number;
}

/** One TeamSpirit message event, as the TeamSpirit Trigger's item carries it. */
export interface OperatorEvent {
	event: string;
	message: IDataObject;
	chatId: string;
	/** The trigger's filters (e.g. onlyMentions): the catch-up sends only what they let through. */
	triggerFilters: Record<string, unknown>;
	/** The chat as the delivery shows it (data, not proof: caches.ts `trustedChats`). */
	chat?: IDataObject;
}

export type Runner = <T>(step: () => Promise<T>) => Promise<T>;

export interface Outbound {
	ctx: IExecuteFunctions;
	itemIndex: number;
	adapter: ChannelAdapter;
	chatId: string;
	options: OutboundOptions;
	/** A TeamSpirit call (a read or a keyed write): repeated whatever happened, within the patience. */
	ts: Runner;
	/** A channel send: repeated only while the channel said it did not take it. */
	channel: Runner;
	/** The messages sent are operators' (Send to Customer), not the bot's (SendContext.byPerson). */
	byPerson?: boolean;
}

/** The conversation a trusted chat stands for. */
export interface Conversation {
	conversationId: string;
	/** The chat's (signed) conversation key. */
	key: string;
	/** The bot / number / page the customer wrote to. */
	account: string;
}

export function outbound(
	ctx: IExecuteFunctions,
	itemIndex: number,
	adapter: ChannelAdapter,
	chatId: string,
	options: OutboundOptions,
): Outbound {
	const onWait = (error: unknown, waitMs: number) =>
		ctx.logger.info(
			`Conversation chat ${chatId}: ${(error as Error).message}; trying again in ${waitMs} ms`,
		);
	const ms = options.waitMs;
	return {
		ctx,
		itemIndex,
		adapter,
		chatId,
		options,
		ts: async (step) => await untilAvailable(ctx, { ms, repeatable: true, onWait }, step),
		channel: async (step) => await untilAvailable(ctx, { ms, repeatable: false, onWait }, step),
	};
}

/** The adapter's call context for one operator message's event (`acceptKey` per part). */
export function sendContext(
	o: Outbound,
	c: Conversation,
	messageId: string,
	event: string,
	editedAt = '',
): SendContext {
	return {
		ctx: o.ctx,
		itemIndex: o.itemIndex,
		account: c.account,
		acceptKey: `teamspirit:${messageId}:${event}:${editedAt}`,
		...(o.byPerson ? { byPerson: true } : {}),
	};
}
