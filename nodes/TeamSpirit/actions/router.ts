import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withItemIndex } from '../../shared/errors';
import * as chat from './chat';
import * as customApiCall from './customApiCall';
import * as file from './file';
import * as incomingWebhook from './incomingWebhook';
import * as message from './message';
import { DEFAULT_CONCURRENT_CHATS } from './message/shared';
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

/**
 * The only loop over input items: dispatch, pairedItem, continueOnFail, itemIndex on errors.
 *
 * Operations that write to a chat (they have a `chatKey`) run for up to "Concurrent Chats"
 * chats at once: one chat's items one after another in input order, the output in input order
 * either way. Every other operation runs item after item.
 */
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

	const runItem = async (itemIndex: number): Promise<INodeExecutionData[]> => {
		const result = await operation.execute.call(this, itemIndex);
		if (isExecutionData(result)) return [{ ...result, pairedItem: { item: itemIndex } }];
		return this.helpers.constructExecutionMetaData(
			this.helpers.returnJsonArray(result as IDataObject | IDataObject[]),
			{ itemData: { item: itemIndex } },
		);
	};
	const errorItem = (error: unknown, itemIndex: number): INodeExecutionData => ({
		json: { error: (error as Error).message },
		pairedItem: { item: itemIndex },
	});

	const limit = operation.chatKey && items.length > 1 ? concurrentChats(this) : 1;
	if (limit > 1 && operation.chatKey) {
		return [await runByChat.call(this, items.length, limit, operation.chatKey, runItem, errorItem)];
	}

	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			returnData.push(...(await runItem(itemIndex)));
		} catch (error) {
			if (this.continueOnFail()) {
				returnData.push(errorItem(error, itemIndex));
				continue;
			}
			throw withItemIndex(this.getNode(), error, itemIndex);
		}
	}
	return [returnData];
}

/** The node's "Concurrent Chats" option (read once, from the first item), at least 1. */
function concurrentChats(ctx: IExecuteFunctions): number {
	const value = Number(
		ctx.getNodeParameter('options.concurrentChats', 0, DEFAULT_CONCURRENT_CHATS),
	);
	return Number.isFinite(value) ? Math.max(1, Math.floor(value)) : DEFAULT_CONCURRENT_CHATS;
}

/**
 * Runs the items grouped by chat: up to `limit` chats at once, each chat's items one after
 * another in input order. The output keeps input order. Without Continue On Fail the first
 * failure stops new items from starting; the items already running finish, then the error of the
 * lowest failed item index is thrown.
 */
async function runByChat(
	this: IExecuteFunctions,
	count: number,
	limit: number,
	chatKey: NonNullable<Operation['chatKey']>,
	runItem: (itemIndex: number) => Promise<INodeExecutionData[]>,
	errorItem: (error: unknown, itemIndex: number) => INodeExecutionData,
): Promise<INodeExecutionData[]> {
	// chats in the order they first appear, each with its item indexes in input order
	const chats = new Map<string, number[]>();
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		let key: string;
		try {
			key = `chat:${chatKey.call(this, itemIndex)}`;
		} catch {
			// no chat to read (e.g. an empty Chat ID): the item fails on its own, in order, when run
			key = `item:${itemIndex}`;
		}
		const queue = chats.get(key);
		if (queue) queue.push(itemIndex);
		else chats.set(key, [itemIndex]);
	}

	const results: INodeExecutionData[][] = new Array(count);
	const failures = new Map<number, unknown>();
	const continueOnFail = this.continueOnFail();
	const queues = [...chats.values()];
	let next = 0;
	let stopped = false;

	const worker = async () => {
		while (!stopped && next < queues.length) {
			const queue = queues[next++];
			for (const itemIndex of queue) {
				if (stopped) return;
				try {
					results[itemIndex] = await runItem(itemIndex);
				} catch (error) {
					failures.set(itemIndex, error);
					if (!continueOnFail) stopped = true;
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, queues.length) }, worker));

	if (!continueOnFail && failures.size > 0) {
		const first = Math.min(...failures.keys());
		throw withItemIndex(this.getNode(), failures.get(first), first);
	}
	const returnData: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < count; itemIndex++) {
		if (failures.has(itemIndex)) returnData.push(errorItem(failures.get(itemIndex), itemIndex));
		else returnData.push(...results[itemIndex]);
	}
	return returnData;
}
