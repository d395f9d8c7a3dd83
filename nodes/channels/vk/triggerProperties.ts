import type {
	IDataObject,
	IHookFunctions,
	INodeProperties,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { updateDisplayOptions } from '../../shared/displayOptions';
import { downloadBudgetOptions } from '../attachments';

/** VK's fields in the Chat Channel Trigger, shown only for VK. */
const properties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Long Polling',
				value: 'polling',
				description:
					'The trigger asks VK for new events (Bots Long Poll API); works behind a firewall, without a public URL',
			},
			{
				name: 'Webhook',
				value: 'webhook',
				description:
					'VK calls n8n (Callback API; needs a public URL): confirmed with the confirmation string, checked with the secret key',
			},
		],
		default: 'polling',
	},
	{
		displayName:
			'In VK: Community management → API usage → Long Poll API: turn it on, API version 5.199, ' +
			'and under "Event types" tick Message received, Message edited and Message event (buttons).',
		name: 'vkPollingNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['polling'] } },
	},
	{
		displayName:
			'In VK: Community management → API usage → Callback API: API version 5.199, paste this ' +
			"node's webhook URL as the address, set the Secret key and the credential's Confirmation " +
			'String and Secret Key to the same values, press "Confirm"; under "Event types" tick ' +
			'Message received, Message edited and Message event (buttons).',
		name: 'vkWebhookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { mode: ['webhook'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'vkEvents',
		type: 'multiOptions',
		options: [
			{
				name: 'Button Press (Callback)',
				value: 'message_event',
				description: 'A callback button was pressed (event "callback")',
			},
			{
				name: 'Edited Message',
				value: 'message_edit',
				description: 'A customer changed a message (event "edited_message")',
			},
			{ name: 'Message', value: 'message_new', description: 'Text, photos, documents, voice' },
		],
		default: ['message_new', 'message_edit', 'message_event'],
	},
	{
		displayName: 'Options',
		name: 'vkOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Download Files',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download photos (largest size), documents and voice messages into binary properties (data, data_1, …)',
			},
			{
				displayName: 'Look Up Sender Names',
				name: 'lookUpNames',
				type: 'boolean',
				default: true,
				description:
					"Whether to look up the customer's first and last name (users.get) for sender.name; names are kept in memory for 24 hours",
			},
			...downloadBudgetOptions,
			{
				displayName: 'Max File Size (MB)',
				name: 'maxDownloadMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 50,
				description: 'Larger files are not downloaded; the attachment gets a notice instead',
			},
			{
				displayName: 'Poll Wait (Seconds)',
				name: 'pollWait',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 90 },
				default: 25,
				displayOptions: { show: { '/mode': ['polling'] } },
				description:
					'How long one long poll waits for an event (VK allows up to 90; 25 suits most proxies). Events still arrive at once.',
			},
		],
	},
];

export const vkTriggerProperties = updateDisplayOptions({ show: { channel: ['vk'] } }, properties);

export type VkTriggerContext = ITriggerFunctions | IWebhookFunctions;

export interface VkTriggerOptions {
	download?: boolean;
	lookUpNames?: boolean;
	maxDownloadMb?: number;
	maxBatchMb?: number;
	maxConversationMb?: number;
	pollWait?: number;
}

export interface VkStaticData extends IDataObject {
	/** Long polling: the `ts` to ask from; every event before it was emitted. */
	ts?: string;
}

export function optionsOf(ctx: VkTriggerContext | IHookFunctions): VkTriggerOptions {
	return ctx.getNodeParameter('vkOptions', {}) as VkTriggerOptions;
}

export function eventTypes(ctx: VkTriggerContext | IHookFunctions): string[] {
	const types = ctx.getNodeParameter('vkEvents', []) as string[];
	return types.length ? types : ['message_new'];
}
