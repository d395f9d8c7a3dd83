/**
 * The editor offers, for each channel, only what that channel can do. There is one Resource picker
 * and one Operation picker per resource, as n8n's node panel expects (it builds its list of
 * actions from the first Operation picker of each resource); an option only some channels have
 * carries its own display rule (`displayOptions` on the option, which n8n's editor applies to the
 * dropdown) and says in its action which channels those are. No channel is named here: everything
 * comes from the registry, and a new channel brings its own actions.
 */
import type { IExecuteFunctions, INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { adapters } from '../../channels';
import type { ChannelActions, ChannelAdapter, OptionalAction } from '../../channels/types';
import type { OperationCall } from '../actions/types';

/** Operations that need an optional action of the adapter (all others every channel has). */
const NEEDS: Record<string, OptionalAction> = {
	'message:edit': 'editText',
	'message:delete': 'deleteMessage',
	'message:react': 'sendReaction',
	'message:sendTemplate': 'sendTemplate',
	'chat:sendAction': 'sendAction',
	'callback:answer': 'answerCallback',
};

/** Whether `adapter` can do `resource`/`operation`. */
export function offers(adapter: ChannelAdapter, resource: string, operation: string): boolean {
	const needed = NEEDS[`${resource}:${operation}`];
	return needed === undefined || typeof adapter.actions[needed] === 'function';
}

/** The channels (in registry order) that can do `resource`/`operation`. */
function channelsFor(resource: string, operation: string): ChannelAdapter[] {
	return Object.values(adapters).filter((adapter) => offers(adapter, resource, operation));
}

const resourceOf = (picker: INodeProperties) =>
	String((picker.displayOptions?.show?.resource ?? [])[0]);

/**
 * The option as offered: unchanged when every channel has it, else shown only for the channels
 * that have it, its action naming them ("Edit a message on Telegram": the node panel's entry and
 * the name n8n gives a node added from it).
 */
function onlyFor(option: INodePropertyOptions, channels: ChannelAdapter[]): INodePropertyOptions {
	if (channels.length === Object.keys(adapters).length) return option;
	const names = channels.map((adapter) => adapter.displayName).join(' or ');
	return {
		...option,
		...(option.action ? { action: `${option.action} on ${names}` } : {}),
		displayOptions: { show: { channel: channels.map((adapter) => adapter.name) } },
	};
}

/**
 * The Resource picker and the Operation pickers, with each option shown only for the channels
 * that can do it (a resource: for the channels that can do one of its operations).
 */
export function offeredPickers(
	resource: INodeProperties,
	operations: INodeProperties[],
): INodeProperties[] {
	const pickers = operations.map((picker) => ({
		...picker,
		options: (picker.options as INodePropertyOptions[]).map((option) =>
			onlyFor(option, channelsFor(resourceOf(picker), String(option.value))),
		),
	}));
	const resources = (resource.options as INodePropertyOptions[]).map((option) => {
		const ops = operations.filter((picker) => resourceOf(picker) === option.value);
		const channels = Object.values(adapters).filter((adapter) =>
			ops.some((picker) =>
				(picker.options as INodePropertyOptions[]).some((o) =>
					offers(adapter, String(option.value), String(o.value)),
				),
			),
		);
		return onlyFor(option, channels);
	});
	return [{ ...resource, options: resources }, ...pickers];
}

/**
 * The Channel parameter. An operation the default channel cannot do (WhatsApp's Send Template)
 * gets a copy of it whose default is the first channel that can, so a node added from the node
 * panel with that action starts on a channel where it runs; the plain Channel hides for it. Only
 * operation values used by one resource are moved (a hide rule sees the operation alone).
 */
export function channelFields(
	channel: INodeProperties,
	operations: INodeProperties[],
): INodeProperties[] {
	const values = operations.flatMap((picker) =>
		(picker.options as INodePropertyOptions[]).map((o) => String(o.value)),
	);
	const moved: Array<{ resource: string; operation: string; channel: string }> = [];
	for (const picker of operations) {
		for (const option of picker.options as INodePropertyOptions[]) {
			const operation = String(option.value);
			const channels = channelsFor(resourceOf(picker), operation);
			if (channels.some((adapter) => adapter.name === channel.default) || !channels.length)
				continue;
			if (values.filter((value) => value === operation).length !== 1) continue;
			moved.push({ resource: resourceOf(picker), operation, channel: channels[0].name });
		}
	}
	if (!moved.length) return [channel];
	return [
		{ ...channel, displayOptions: { hide: { operation: moved.map((m) => m.operation) } } },
		...moved.map((m) => ({
			...channel,
			default: m.channel,
			displayOptions: { show: { resource: [m.resource], operation: [m.operation] } },
		})),
	];
}

/**
 * The adapter's optional action, or a clear error when this channel does not have it (a workflow
 * imported from another channel, or written by hand).
 */
export function actionOf<K extends OptionalAction>(
	ctx: IExecuteFunctions,
	call: OperationCall,
	action: K,
	what: string,
): NonNullable<ChannelActions[K]> {
	const fn = call.adapter.actions[action];
	if (typeof fn !== 'function') {
		throw new NodeOperationError(ctx.getNode(), `${call.adapter.displayName} cannot ${what}`, {
			itemIndex: call.itemIndex,
			description: call.adapter.unavailable?.[action],
		});
	}
	return fn.bind(call.adapter.actions) as NonNullable<ChannelActions[K]>;
}
