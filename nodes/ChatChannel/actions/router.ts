import { createHash } from 'crypto';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	NodeApiError,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { adapterFor } from '../../channels';
import type { ChannelAdapter } from '../../channels/types';
import { claimSends, releaseSends } from '../../shared/claims';
import { withItemIndex } from '../../shared/errors';
import { eventActionKey } from '../../shared/events';
import { outcomeOf } from '../../shared/outcome';
import { runItems } from '../../shared/runner';
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

/**
 * The key an item's sends are kept under (nodes/channels/parts.ts) and a channel derives its
 * idempotency key from (VK's random_id). For an item that carries its trigger event, the event's
 * (the same in every execution of that event: a re-run, another process); else this execution's.
 */
function acceptKeyOf(ctx: IExecuteFunctions, itemIndex: number, operation: string): string {
	const event = eventActionKey(ctx, itemIndex, operation);
	if (event !== undefined) return `event:${event}`;
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
 * Dispatch to the operation; the loop over items is the shared runner's (pairedItem,
 * continueOnFail, itemIndex on errors). Items for different conversations are sent side by side
 * (the channel's per-chat limit is the bottleneck, not the network); items for one conversation
 * keep their order. Output keeps the input order.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { channel, adapter, resource, operation, action } = pickOperation(this);
	if ('runOnce' in operation) {
		const acceptKey = acceptKeyOf(this, 0, action);
		return await operation.runOnce.call(this, {
			itemIndex: 0,
			adapter,
			conversationId: '',
			acceptKey,
		});
	}
	const usesConversation = resource !== 'callback' && !operation.conversationOf;
	/** The items' conversations (validated), read once when they are grouped. */
	const conversations: string[] = [];
	const sends = new OncePerEvent(this, action);

	const run = async (itemIndex: number): Promise<INodeExecutionData[]> => {
		const conversationId = conversations[itemIndex] ?? '';
		if (sends.isDuplicate(itemIndex))
			return [{ json: { channel, conversationId, sent: false, duplicate: true } }];
		const call: OperationCall = {
			itemIndex,
			adapter,
			conversationId,
			acceptKey: acceptKeyOf(this, itemIndex, action),
		};
		try {
			return this.helpers.returnJsonArray(await operation.execute.call(this, call));
		} catch (error) {
			await sends.releaseUnsent(itemIndex, error);
			throw withItemIndex(this.getNode(), error, itemIndex);
		}
	};

	return [
		await runItems.call(this, {
			concurrency: PARALLEL_CONVERSATIONS,
			keyOf: (itemIndex) => {
				if (!usesConversation) return operation.conversationOf?.(this, itemIndex);
				return (conversations[itemIndex] = getConversationId(this, itemIndex, adapter));
			},
			prepare: operation.sendsOncePerEvent ? async (items) => await sends.claim(items) : undefined,
			run,
			errorItem,
		}),
	];
}

/** The channel's adapter and the operation the parameters name (an error when there is none). */
function pickOperation(ctx: IExecuteFunctions) {
	const channel = ctx.getNodeParameter('channel', 0, 'telegram') as string;
	const adapter = adapterFor(channel);
	if (!adapter)
		throw new NodeOperationError(ctx.getNode(), `The channel "${channel}" is not supported`);
	const resource = ctx.getNodeParameter('resource', 0) as ChatChannelResource;
	const operationName = operationNameOf(ctx, adapter, resource);
	const operation = (resources[resource] as Record<string, Operation> | undefined)?.[operationName];
	if (!operation) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The operation "${operationName}" of "${resource}" is not supported`,
		);
	}
	return { channel, adapter, resource, operation, action: `${resource}.${operationName}` };
}

/** A failed item's output under Continue On Fail: the error, and what was sent before it failed. */
function errorItem(error: unknown): INodeExecutionData {
	const sent = (error as NodeApiError).context?.sentMessageIds;
	return {
		json: {
			error: (error as Error).message,
			...(sent ? { sentMessageIds: sent as IDataObject[] } : {}),
		},
	};
}

/**
 * The operation picked; the editor offers each channel only what it can do
 * (descriptions/offers.ts): a workflow that asks for more anyway (switched channel, written by
 * hand) gets the adapter's "cannot" error (actionOf), or this one for a resource without any
 * operation picker.
 */
function operationNameOf(
	ctx: IExecuteFunctions,
	adapter: ChannelAdapter,
	resource: ChatChannelResource,
): string {
	try {
		return ctx.getNodeParameter('operation', 0) as string;
	} catch {
		throw new NodeOperationError(
			ctx.getNode(),
			`${adapter.displayName} has no "${resource}" operations`,
			{ description: 'Choose another resource, or another channel.' },
		);
	}
}

/**
 * Sends the platform has no key for, keyed by their triggering event: claimed in n8n's shared
 * store before anything is sent (nodes/shared/claims.ts), so a second execution of the event
 * sends nothing.
 */
class OncePerEvent {
	/** The claim of each item that carries its event. */
	private readonly claims = new Map<number, string>();

	private won = new Set<string>();

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly action: string,
	) {}

	async claim(itemIndexes: number[]): Promise<void> {
		for (const itemIndex of itemIndexes) {
			const key = eventActionKey(this.ctx, itemIndex, this.action);
			if (key !== undefined) this.claims.set(itemIndex, key);
		}
		if (this.claims.size) this.won = await claimSends(this.ctx, [...this.claims.values()]);
	}

	/** Another execution claimed this item's send first. */
	isDuplicate(itemIndex: number): boolean {
		const claim = this.claims.get(itemIndex);
		return claim !== undefined && !this.won.has(claim);
	}

	/** Nothing reached the platform: gives the claim up, so that a retried execution sends it. */
	async releaseUnsent(itemIndex: number, error: unknown): Promise<void> {
		const claim = this.claims.get(itemIndex);
		const sent = (error as NodeApiError).context?.sentMessageIds;
		if (claim !== undefined && !sent && outcomeOf(error) !== 'unknown')
			await releaseSends(this.ctx, [claim]).catch(() => undefined);
	}
}
