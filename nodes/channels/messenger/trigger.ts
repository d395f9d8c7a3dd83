/**
 * Facebook Messenger in the Chat Channel Trigger: Meta's GET handshake (webhook "setup"), and
 * signed POST deliveries (X-Hub-Signature-256 over the raw bytes) of `object: "page"`, flattened
 * into one item per `entry[].messaging[]` event (../meta/trigger.ts). Optionally subscribes the
 * page to the app on activation.
 */
import type { INodeProperties } from 'n8n-workflow';

import { downloadBudgetOptions } from '../attachments';
import { messengerPlatformTrigger } from '../meta/trigger';
import { eventsOf, kindOf, MESSENGER_MEDIA_SOURCES, normalize } from './normalize';
import { messengerNameLookups } from './profiles';
import { MESSENGER_GRAPH } from './transport';

/** Page fields the trigger subscribes to when "Subscribe Page" is on. */
const SUBSCRIBED_FIELDS = [
	'messages',
	'messaging_postbacks',
	'message_deliveries',
	'message_reads',
	'message_echoes',
	'message_edits',
];

export const messengerTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'In the Meta App Dashboard: Messenger → Messenger API Settings → "Configure webhooks": ' +
			"paste this node's webhook URL as Callback URL and the Verify Token of the credential, " +
			'"Verify and save", then subscribe the page (or turn on "Subscribe Page" below).',
		name: 'messengerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { channel: ['messenger'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'messengerEvents',
		type: 'multiOptions',
		displayOptions: { show: { channel: ['messenger'] } },
		options: [
			{
				name: 'Delivery',
				value: 'delivery',
				description: 'The customer\'s device received the page\'s messages (status "delivered")',
			},
			{
				name: 'Edited Message',
				value: 'edit',
				description: 'A customer changed the text of a message (event "edited_message")',
			},
			{ name: 'Message', value: 'message', description: 'Text, attachments, quick reply taps' },
			{
				name: 'Postback',
				value: 'postback',
				description: 'A button or menu item was tapped (event "callback")',
			},
			{
				name: 'Read',
				value: 'read',
				description: 'The customer read the page\'s messages (status "read")',
			},
		],
		default: ['message', 'postback'],
	},
	{
		displayName: 'Options',
		name: 'messengerOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { channel: ['messenger'] } },
		options: [
			{
				displayName: 'Download Attachments',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download images, audio, video and files into binary properties (data, data_1, …)',
			},
			{
				displayName: 'Include Echoes',
				name: 'includeEchoes',
				type: 'boolean',
				default: false,
				description:
					"Whether to trigger on the page's own messages too (Meta echoes them). " +
					'Off prevents loops: a reply of the workflow starts nothing.',
			},
			{
				displayName: 'Look Up Sender Names',
				name: 'lookUpNames',
				type: 'boolean',
				default: true,
				description:
					"Whether to look up the customer's name (User Profile API with the Page token) for sender.name; " +
					'names are kept in memory for 24 hours. ' +
					'When Meta does not give the name, it stays empty and the event arrives as usual.',
			},
			...downloadBudgetOptions,
			{
				displayName: 'Max File Size (MB)',
				name: 'maxDownloadMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 25,
				description: 'Larger attachments are not downloaded; the attachment gets a notice instead',
			},
			{
				displayName: 'Subscribe Page',
				name: 'subscribePage',
				type: 'boolean',
				default: false,
				description:
					"Whether to subscribe the page to the app's webhook on activation " +
					'(/{page-ID}/subscribed_apps; the token needs pages_manage_metadata). ' +
					'The subscription is left in place on deactivation.',
			},
		],
	},
];

export const messengerTrigger = messengerPlatformTrigger({
	channel: 'messenger',
	label: 'Chat Channel Trigger (Messenger)',
	api: MESSENGER_GRAPH,
	object: 'page',
	notOurs: 'Bad Request: not a Messenger page event',
	accountField: 'pageId',
	eventsParameter: 'messengerEvents',
	defaultEvents: ['message', 'postback'],
	optionsParameter: 'messengerOptions',
	eventOption: {
		message: 'message',
		echo: 'message',
		edit: 'edit',
		postback: 'postback',
		delivery: 'delivery',
		read: 'read',
	},
	echoReason: 'an echo of the page',
	subscribedFields: SUBSCRIBED_FIELDS,
	mediaSources: MESSENGER_MEDIA_SOURCES,
	eventsOf,
	kindOf,
	normalize,
	profiles: messengerNameLookups,
});
