import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { runItems } from '../../shared/runner';
import * as chat from './chat';
import * as customApiCall from './customApiCall';
import * as file from './file';
import * as incomingWebhook from './incomingWebhook';
import * as message from './message';
import { DEFAULT_CONCURRENT_CHATS } from './message/shared';
import type { TeamSpiritMap, TeamSpiritResource } from './node.type';
import * as status from './status';
import type { ItemOperation, Operation, OperationResult } from './types';
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

/**
 * Dispatch to the operation; the loop over items is the shared runner's (pairedItem,
 * continueOnFail, itemIndex on errors).
 *
 * Operations that write to a chat (they have a `chatKey`) run for up to "Concurrent Chats"
 * chats at once: one chat's items one after another in input order, the output in input order
 * either way. Every other operation, and Concurrent Chats 1, runs item after item.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as TeamSpiritResource;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = (resources[resource] as Record<string, Operation> | undefined)?.[operationName];
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of "${resource}" is not supported`,
		);
	}
	if ('runOnce' in operation) return await operation.runOnce.call(this);
	const { chatKey } = operation;
	const concurrency = chatKey && this.getInputData().length > 1 ? concurrentChats(this) : 1;
	return [
		await runItems.call(this, {
			concurrency,
			keyOf:
				chatKey && concurrency > 1 ? (itemIndex) => chatOf(this, chatKey, itemIndex) : undefined,
			run: async (itemIndex) => outputOf(this, await operation.execute.call(this, itemIndex)),
		}),
	];
}

function outputOf(ctx: IExecuteFunctions, result: OperationResult): INodeExecutionData[] {
	if (isExecutionData(result)) return [result];
	return ctx.helpers.returnJsonArray(result as IDataObject | IDataObject[]);
}

/** The item's chat; none to read (e.g. an empty Chat ID): the item fails on its own when run. */
function chatOf(
	ctx: IExecuteFunctions,
	chatKey: NonNullable<ItemOperation['chatKey']>,
	itemIndex: number,
): string | undefined {
	try {
		return chatKey.call(ctx, itemIndex);
	} catch {
		return undefined;
	}
}

/** The node's "Concurrent Chats" option (read once, from the first item), at least 1. */
function concurrentChats(ctx: IExecuteFunctions): number {
	const value = Number(
		ctx.getNodeParameter('options.concurrentChats', 0, DEFAULT_CONCURRENT_CHATS),
	);
	return Number.isFinite(value) ? Math.max(1, Math.floor(value)) : DEFAULT_CONCURRENT_CHATS;
}
