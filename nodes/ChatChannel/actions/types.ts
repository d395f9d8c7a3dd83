import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ChannelAdapter, SendContext } from '../../channels/types';

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
}
