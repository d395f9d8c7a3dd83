import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

/** What an operation returns for one input item: API data, or a ready item when it carries binary. */
export type OperationResult = IDataObject | IDataObject[] | INodeExecutionData;

/** An operation run once per item by the router (the common case). */
export interface ItemOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<OperationResult>;
	/**
	 * For operations that write to one chat per item: the chat (or direct-chat user) an item writes
	 * to, as the resolved ID. The router runs items of different chats concurrently and those of
	 * one chat in input order; operations without it run item after item.
	 */
	chatKey?(this: IExecuteFunctions, itemIndex: number): string;
}

/** An operation run once for the whole node (Send and Wait: one message, then the execution waits). */
export interface NodeOperation {
	description: INodeProperties[];
	runOnce(this: IExecuteFunctions): Promise<INodeExecutionData[][]>;
}

export type Operation = ItemOperation | NodeOperation;
