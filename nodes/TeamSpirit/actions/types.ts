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
}
