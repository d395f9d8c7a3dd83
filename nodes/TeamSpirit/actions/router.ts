import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withItemIndex } from '../../shared/errors';
import * as chat from './chat';
import * as customApiCall from './customApiCall';
import * as file from './file';
import * as incomingWebhook from './incomingWebhook';
import * as message from './message';
import type { TeamSpiritMap, TeamSpiritResource } from './node.type';
import * as status from './status';
import type { Operation, OperationResult } from './types';
import * as user from './user';

const resources: { [R in TeamSpiritResource]: Record<TeamSpiritMap[R], Operation> } = {
	message,
	file,
	chat,
	user,
	status,
	incomingWebhook,
	customApiCall,
};

function isExecutionData(result: OperationResult): result is INodeExecutionData {
	return (
		!Array.isArray(result) &&
		typeof result.json === 'object' &&
		typeof result.binary === 'object' &&
		result.binary !== null
	);
}

/** The only loop over input items: dispatch, pairedItem, continueOnFail, itemIndex on errors. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as TeamSpiritResource;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = (resources[resource] as Record<string, Operation> | undefined)?.[operationName];
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of "${resource}" is not supported`,
		);
	}

	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await operation.execute.call(this, itemIndex);
			if (isExecutionData(result)) {
				returnData.push({ ...result, pairedItem: { item: itemIndex } });
				continue;
			}
			const executionData = this.helpers.constructExecutionMetaData(
				this.helpers.returnJsonArray(result as IDataObject | IDataObject[]),
				{ itemData: { item: itemIndex } },
			);
			returnData.push(...executionData);
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push({
					json: { error: (error as Error).message },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			throw withItemIndex(this.getNode(), error, itemIndex);
		}
	}
	return [returnData];
}
