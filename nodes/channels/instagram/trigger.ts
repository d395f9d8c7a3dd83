/**
 * Instagram Direct in the Chat Channel Trigger: Meta's GET handshake and signed POST deliveries
 * of `object: "instagram"`, flattened into one item per `entry[].messaging[]` event
 * (../meta/trigger.ts). Optionally subscribes the linked Page to the app on activation
 * (Instagram's webhooks flow only to apps the Page is subscribed to).
 */
import type { INodeProperties } from 'n8n-workflow';

import { downloadBudgetOptions } from '../attachments';
import { messengerPlatformTrigger } from '../meta/trigger';
import { eventsOf, INSTAGRAM_MEDIA_SOURCES, kindOf, normalize } from './normalize';
import { instagramProfileLookups } from './profiles';
import { INSTAGRAM_GRAPH } from './transport';

/** Page fields the trigger subscribes to when "Subscribe Page" is on (any field enables Instagram's). */
const SUBSCRIBED_FIELDS = ['messages'];

export const instagramTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'In the Meta App Dashboard: Webhooks → object "Instagram" → "Subscribe to this object": ' +
			"paste this node's webhook URL as Callback URL and the Verify Token of the credential, " +
			'"Verify and save", subscribe the fields messages, messaging_postbacks, message_reactions ' +
			'and messaging_seen; then subscribe the Page (or turn on "Subscribe Page" below).',
		name: 'instagramNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { channel: ['instagram'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'instagramEvents',
		type: 'multiOptions',
		displayOptions: { show: { channel: ['instagram'] } },
		options: [
			{
				name: 'Message',
				value: 'message',
				description: 'Text, files, story replies and mentions, shares, quick reply taps',
			},
			{
				name: 'Postback',
				value: 'postback',
				description: 'An icebreaker or button was tapped (event "callback")',
			},
			{
				name: 'Reaction',
				value: 'reaction',
				description: 'A customer reacted to a message or took the reaction back (event "reaction")',
			},
			{
				name: 'Seen',
				value: 'read',
				description: 'The customer saw the account\'s message (status "read")',
			},
			{
				name: 'Unsent Message',
				value: 'deleted',
				description: 'A customer took a message back (event "deleted_message")',
			},
		],
		default: ['message', 'postback', 'deleted'],
	},
	{
		displayName: 'Options',
		name: 'instagramOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { channel: ['instagram'] } },
		options: [
			{
				displayName: 'Download Attachments',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download images, audio, video and files into binary properties (data, data_1, …). Story mentions and shared posts are links, never downloaded.',
			},
			{
				displayName: 'Include Echoes',
				name: 'includeEchoes',
				type: 'boolean',
				default: false,
				description:
					"Whether to trigger on the account's own messages too (Meta echoes them). " +
					'Off prevents loops: a reply of the workflow starts nothing.',
			},
			{
				displayName: 'Look Up Sender Names',
				name: 'lookUpNames',
				type: 'boolean',
				default: true,
				description:
					"Whether to look up the customer's name and username (User Profile API with the Page token) for sender.name and sender.username; " +
					'kept in memory for 24 hours. When Meta does not give them, they stay empty and the event arrives as usual.',
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
					"Whether to subscribe the linked Page to the app's webhooks on activation " +
					'(/{page-ID}/subscribed_apps; the token needs pages_manage_metadata). ' +
					'The subscription is left in place on deactivation.',
			},
		],
	},
];

export const instagramTrigger = messengerPlatformTrigger({
	channel: 'instagram',
	label: 'Chat Channel Trigger (Instagram)',
	api: INSTAGRAM_GRAPH,
	object: 'instagram',
	notOurs: 'Bad Request: not an Instagram event',
	accountField: 'instagramAccountId',
	eventsParameter: 'instagramEvents',
	defaultEvents: ['message', 'postback', 'deleted'],
	optionsParameter: 'instagramOptions',
	eventOption: {
		message: 'message',
		echo: 'message',
		deleted: 'deleted',
		reaction: 'reaction',
		postback: 'postback',
		read: 'read',
	},
	echoReason: 'an echo of the account',
	subscribedFields: SUBSCRIBED_FIELDS,
	mediaSources: INSTAGRAM_MEDIA_SOURCES,
	eventsOf,
	kindOf,
	normalize,
	profiles: instagramProfileLookups,
});
