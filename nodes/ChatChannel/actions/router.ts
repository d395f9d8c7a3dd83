import { createHash } from 'crypto';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	NodeApiError,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { adapterFor } from '../../channels';
import { claimSends, releaseSends } from '../../shared/claims';
import { withItemIndex } from '../../shared/errors';
import { eventActionKey } from '../../shared/events';
import { outcomeOf } from '../../shared/outcome';
import { getConversationId } from '../descriptions/common';
import * as callback from './callback';
import * as chat from './chat';
import * as conversation from './conversation';
import * as message from './message';
import type { ChatChannelMap, ChatChannelResource } from './node.type';
import type { Operation, OperationCall } from './types';

const resources: { [R in ChatChannelResource]: Record<ChatChannelMap[R], Operation> } = {
	message,
	chat,
	callback,
	conversation,
};

/** Conversations served at the same time; items of one conversation always go in order. */
const PARALLEL_CONVERSATIONS = 32;

function acceptKeyOf(ctx: IExecuteFunctions, itemIndex: number, operation: string): string {
	let runIndex = 0;
	try {
		runIndex = Number(ctx.getWorkflowDataProxy(itemIndex).$runIndex) || 0;
	} catch {
		runIndex = 0;
	}
	const item = ctx.getInputData()[itemIndex]?.json ?? {};
	const digest = createHash('sha256').update(JSON.stringify(item)).digest('hex').slice(0, 16);
	return [ctx.getExecutionId(), ctx.getNode().id, runIndex, itemIndex, operation, digest].join(':');
}

/**
 * The only loop over input items: dispatch, pairedItem, continueOnFail, itemIndex on errors.
 * Items for different conversations are sent side by side (the channel's per-chat limit is the
 * bottleneck, not the network); items for one conversation keep their order. Output keeps the
 * input order.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const channel = this.getNodeParameter('channel', 0, 'telegram') as string;
	const adapter = adapterFor(channel);
	if (!adapter)
		throw new NodeOperationError(this.getNode(), `The channel "${channel}" is not supported`);
	const resource = this.getNodeParameter('resource', 0) as ChatChannelResource;
	// The editor offers each channel only what it can do (descriptions/offers.ts); a workflow that
	// asks for more anyway (switched channel, written by hand) gets the adapter's "cannot" error
	// (actionOf), or this one for a resource without any operation picker.
	let operationName = '';
	try {
		operationName = this.getNodeParameter('operation', 0) as string;
	} catch {
		throw new NodeOperationError(
			this.getNode(),
			`${adapter.displayName} has no "${resource}" operations`,
			{
				description: 'Choose another resource, or another channel.',
			},
		);
	}
	const operation = (resources[resource] as Record<string, Operation> | undefined)?.[operationName];
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of "${resource}" is not supported`,
		);
	}
	const usesConversation = resource !== 'callback' && !operation.conversationOf;

	const results: Array<INodeExecutionData[] | undefined> = new Array(items.length);
	const failures: Array<{ itemIndex: number; error: Error }> = [];
	/** Sends keyed by their triggering event (claimed before anything is sent), by item. */
	const claims = new Map<number, string>();
	let won = new Set<string>();

	const runItem = async (itemIndex: number, conversationId: string): Promise<void> => {
		const claim = claims.get(itemIndex);
		if (claim !== undefined && !won.has(claim)) {
			results[itemIndex] = [
				{
					json: { channel, conversationId, sent: false, duplicate: true },
					pairedItem: { item: itemIndex },
				},
			];
			return;
		}
		try {
			if (failures.length && !this.continueOnFail()) return;
			const call: OperationCall = {
				ctx: this,
				itemIndex,
				adapter,
				conversationId,
				acceptKey: acceptKeyOf(this, itemIndex, `${resource}.${operationName}`),
			};
			const data = await operation.execute.call(this, call);
			results[itemIndex] = this.helpers.constructExecutionMetaData(
				this.helpers.returnJsonArray(data),
				{
					itemData: { item: itemIndex },
				},
			);
		} catch (error) {
			const sent = (error as NodeApiError).context?.sentMessageIds;
			// nothing reached the platform: give the claim up, so that a retried execution sends it
			if (claim !== undefined && !sent && outcomeOf(error) !== 'unknown')
				await releaseSends(this, [claim]).catch(() => undefined);
			if (this.continueOnFail()) {
				results[itemIndex] = [
					{
						json: {
							error: (error as Error).message,
							...(sent ? { sentMessageIds: sent as IDataObject[] } : {}),
						},
						pairedItem: { item: itemIndex },
					},
				];
				return;
			}
			failures.push({ itemIndex, error: error as Error });
		}
	};

	// group by conversation, in input order
	const queues = new Map<string, number[]>();
	const conversations: string[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		let key = operation.conversationOf?.(this, itemIndex) ?? `#${itemIndex}`;
		if (usesConversation) {
			try {
				conversations[itemIndex] = getConversationId(this, itemIndex, adapter);
				key = conversations[itemIndex];
			} catch (error) {
				if (this.continueOnFail()) {
					results[itemIndex] = [
						{ json: { error: (error as Error).message }, pairedItem: { item: itemIndex } },
					];
				} else {
					failures.push({ itemIndex, error: error as Error });
				}
				continue;
			}
		}
		if (!queues.has(key)) queues.set(key, []);
		queues.get(key)!.push(itemIndex);
	}
	if (!failures.length && operation.sendsOncePerEvent) {
		for (const queue of queues.values()) {
			for (const itemIndex of queue) {
				const key = eventActionKey(this, itemIndex, `${resource}.${operationName}`);
				if (key !== undefined) claims.set(itemIndex, key);
			}
		}
		if (claims.size) won = await claimSends(this, [...claims.values()]);
	}
	if (!failures.length) {
		const pending = [...queues.values()];
		const worker = async () => {
			for (let queue = pending.shift(); queue; queue = pending.shift()) {
				for (const itemIndex of queue) await runItem(itemIndex, conversations[itemIndex] ?? '');
			}
		};
		await Promise.all(
			Array.from({ length: Math.min(PARALLEL_CONVERSATIONS, pending.length) }, worker),
		);
	}

	if (failures.length) {
		const { itemIndex, error } = failures.sort((a, b) => a.itemIndex - b.itemIndex)[0];
		throw withItemIndex(this.getNode(), error, itemIndex);
	}
	return [results.flatMap((r) => r ?? [])];
}
