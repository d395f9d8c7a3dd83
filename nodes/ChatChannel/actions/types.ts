import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ChannelAdapter, SendContext } from '../../channels/types';

/**
 * What the router hands an operation besides `this`. Its `ctx` (from SendContext) is the same
 * object as `this`: it is there because the call doubles as the adapter's SendContext, and the
 * conversation operations (actions/conversation/) spread it into the SendContexts they build.
 * Once they no longer do, OperationCall keeps only the item's fields, and an operation hands the
 * adapter `{ ...call, ctx: this }`.
 */
export interface OperationCall extends SendContext {
	adapter: ChannelAdapter;
	/** The item's conversation (validated), for operations that have one. */
	conversationId: string;
}

export interface Operation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, call: OperationCall): Promise<IDataObject>;
	/**
	 * The item's conversation for operations without a Conversation ID parameter (the bridge's):
	 * items with the same value run one after another, in input order.
	 */
	conversationOf?(ctx: IExecuteFunctions, itemIndex: number): string;
	/**
	 * A send the platform has no key for: when the item carries its triggering event, the send is
	 * claimed in n8n's shared store first (nodes/shared/claims.ts), so a second execution of the
	 * event sends nothing.
	 */
	sendsOncePerEvent?: boolean;
}
