/**
 * The editor offers, for each channel, only what that channel can do: the resource and operation
 * pickers are written once and copied per channel from the registry, each copy shown only for its
 * channel and keeping the operations whose optional action the adapter has. No channel is named
 * here; a new channel brings its own actions and gets its own pickers.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { adapters } from '../../channels';
import type { ChannelActions, ChannelAdapter, OptionalAction } from '../../channels/types';
import type { OperationCall } from '../actions/types';

/** Operations that need an optional action of the adapter (all others every channel has). */
const NEEDS: Record<string, OptionalAction> = {
	'message:edit': 'editText',
	'message:delete': 'deleteMessage',
	'message:sendTemplate': 'sendTemplate',
	'chat:sendAction': 'sendAction',
	'callback:answer': 'answerCallback',
};

/** Whether `adapter` can do `resource`/`operation`. */
export function offers(adapter: ChannelAdapter, resource: string, operation: string): boolean {
	const needed = NEEDS[`${resource}:${operation}`];
	return needed === undefined || typeof adapter.actions[needed] === 'function';
}

/**
 * The Resource picker and every Operation picker, once per channel: options the channel cannot
 * do are left out (a resource with no operation left, too), and each copy shows only for its
 * channel.
 */
export function pickersPerChannel(
	resource: INodeProperties,
	operations: INodeProperties[],
): INodeProperties[] {
	const out: INodeProperties[] = [];
	for (const adapter of Object.values(adapters)) {
		const forChannel = (
			property: INodeProperties,
			options: INodePropertyOptions[],
		): INodeProperties => ({
			...property,
			options,
			default: options.some((o) => o.value === property.default)
				? property.default
				: options[0].value,
			displayOptions: {
				...property.displayOptions,
				show: { ...property.displayOptions?.show, channel: [adapter.name] },
			},
		});
		const kept = new Map<string, INodePropertyOptions[]>();
		for (const picker of operations) {
			const [res] = (picker.displayOptions?.show?.resource ?? []) as string[];
			const options = (picker.options as INodePropertyOptions[]).filter((o) =>
				offers(adapter, res, String(o.value)),
			);
			if (options.length) kept.set(res, options);
		}
		const resources = (resource.options as INodePropertyOptions[]).filter((o) =>
			kept.has(String(o.value)),
		);
		out.push(forChannel(resource, resources));
		for (const picker of operations) {
			const [res] = (picker.displayOptions?.show?.resource ?? []) as string[];
			const options = kept.get(res);
			if (options) out.push(forChannel(picker, options));
		}
	}
	return out;
}

/**
 * The adapter's optional action, or a clear error when this channel does not have it (a workflow
 * imported from another channel, or written by hand).
 */
export function actionOf<K extends OptionalAction>(
	call: OperationCall,
	action: K,
	what: string,
): NonNullable<ChannelActions[K]> {
	const fn = call.adapter.actions[action];
	if (typeof fn !== 'function') {
		throw new NodeOperationError(call.ctx.getNode(), `${call.adapter.displayName} cannot ${what}`, {
			itemIndex: call.itemIndex,
			description: call.adapter.unavailable?.[action],
		});
	}
	return fn.bind(call.adapter.actions) as NonNullable<ChannelActions[K]>;
}
