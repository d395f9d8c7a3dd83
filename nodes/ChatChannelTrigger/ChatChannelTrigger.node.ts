import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	adapterFor,
	channelCredentials,
	channelEvents,
	channelProperty,
	credentialsBox,
	deliveryUrlHidden,
	endpointChannels,
	endpointOf,
	endpointWebhooks,
	handshakeMethod,
	receiveMethod,
	triggerChannelProperties,
	triggerSubtitle,
} from '../channels';
import type { ChannelAdapter } from '../channels';
import { receiveWebhook } from '../channels/receive';
import { chatChannelCodex } from '../channels/codex';
import { channelNames, redeliveries } from '../channels/texts';
import { acknowledgeProperty, acknowledgeResponseMode } from '../shared/acknowledge';
import { webhookFields } from '../shared/webhookFields';

const RESEND = `the channel sends it again (${redeliveries()})`;

function adapterOf(ctx: IHookFunctions | ITriggerFunctions | IWebhookFunctions): ChannelAdapter {
	const channel = ctx.getNodeParameter('channel', 'telegram') as string;
	const adapter = adapterFor(channel);
	if (!adapter)
		throw new NodeOperationError(ctx.getNode(), `The channel "${channel}" is not supported`);
	return adapter;
}

export class ChatChannelTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TeamSpirit Chat Channel Trigger',
		name: 'chatChannelTrigger',
		icon: { light: 'file:chatchannel.svg', dark: 'file:chatchannel.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: triggerSubtitle(),
		// n8n's node panel shows the trigger's description as the header of both Chat Channel nodes
		// (the action node and its trigger are one entry there): it speaks of both
		description: `Customers on ${channelNames()}: start a workflow when one writes, and reply with one node for every channel`,
		codex: chatChannelCodex([
			'chat channel',
			'bot',
			'receive message',
			'webhook',
			'long polling',
			'trigger',
		]),
		defaults: { name: 'Chat Channel Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: channelCredentials(),
		webhooks: [
			{
				name: 'default',
				// No webhook at all in Telegram's long-polling mode: n8n registers none and tests by
				// polling. Channels without polling hide "mode": theirs is always a webhook.
				// "Acknowledge: After the Workflow Has Run": n8n answers when the execution ended (2xx,
				// or 500 when it failed or crashed), with an empty body. Both fields depend on
				// parameters: with their resolvers n8n reads them without its expression engine.
				...webhookFields({
					httpMethod: receiveMethod(),
					responseMode: acknowledgeResponseMode,
					ndvHideUrl: deliveryUrlHidden(),
				}),
				responseData: 'noData',
				path: 'webhook',
			},
			{
				// A channel's URL handshake (Meta: GET with hub.challenge) on the same URL.
				name: 'setup',
				...webhookFields({ httpMethod: handshakeMethod() }),
				responseMode: 'onReceived',
				path: 'webhook',
			},
			// A channel's own URLs (e.g. a chat widget and its API), each only for its channel.
			...endpointWebhooks(),
		],
		properties: [
			channelProperty,
			credentialsBox,
			channelEvents,
			...triggerChannelProperties(),
			// a channel with its own endpoints answers them when received
			{ ...acknowledgeProperty(RESEND), displayOptions: { hide: { channel: endpointChannels() } } },
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await adapterOf(this).trigger.checkExists(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await adapterOf(this).trigger.create(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await adapterOf(this).trigger.delete(this);
			},
		},
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const adapter = adapterOf(this);
		if (!adapter.trigger.poll) return {};
		return await adapter.trigger.poll(this);
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const adapter = adapterOf(this);
		const endpoint = endpointOf(adapter, this.getWebhookName());
		if (endpoint) return await endpoint.handle(this);
		return await receiveWebhook(this, adapter.trigger.receive);
	}
}
