import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

/** What an operation returns for one input item: API data, or a ready item when it carries binary. */
export type OperationResult = IDataObject | IDataObject[] | INodeExecutionData;

export interface Operation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<OperationResult>;
	/**
	 * For operations that write to one chat per item: the chat (or direct-chat user) an item writes
	 * to, as the resolved ID. The router runs items of different chats concurrently and those of
	 * one chat in input order; operations without it run item after item.
	 */
	chatKey?(this: IExecuteFunctions, itemIndex: number): string;
}
