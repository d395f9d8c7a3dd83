import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ChannelAdapter, SendContext } from '../../channels/types';

/**
 * What the router hands an operation besides `this` (the node's context): the item and its
 * channel. An operation hands the adapter a SendContext made of both (`sendContext`).
 */
export interface OperationCall extends Omit<SendContext, 'ctx'> {
	adapter: ChannelAdapter;
	/** The item's conversation (validated), for operations that have one. */
	conversationId: string;
}

/** The adapter's SendContext for this item. */
export function sendContext(ctx: IExecuteFunctions, call: OperationCall): SendContext {
	return { ...call, ctx };
}

export interface Operation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, call: OperationCall): Promise<IDataObject | IDataObject[]>;
	/**
	 * The item's conversation for operations without a Conversation ID parameter (the bridge's):
	 * items with the same value run one after another, in input order.
	 */
	conversationOf?(ctx: IExecuteFunctions, itemIndex: number): string | undefined;
	/**
	 * A send the platform has no key for: when the item carries its triggering event, the send is
	 * claimed in n8n's shared store first (nodes/shared/claims.ts), so a second execution of the
	 * event sends nothing.
	 */
	sendsOncePerEvent?: boolean;
}
