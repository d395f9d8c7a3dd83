import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

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

/** An operation run for each item by the router (the common case). */
export interface ItemOperation {
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

/**
 * An operation run once for the whole node, returning the node's output (Send and Wait: one
 * question, for the first item, then the execution waits). `call` is the first item's.
 */
export interface NodeOperation {
	description: INodeProperties[];
	runOnce(this: IExecuteFunctions, call: OperationCall): Promise<INodeExecutionData[][]>;
}

export type Operation = ItemOperation | NodeOperation;
