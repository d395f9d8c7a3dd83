/** The Chat Channel Trigger's fields for the Website channel (shown only for it). */
import type { INodeProperties } from 'n8n-workflow';

import { downloadBudgetOptions } from '../attachments';

const show = { show: { channel: ['website'] } };

const limits: INodeProperties = {
	displayName: 'Limits',
	name: 'websiteLimits',
	type: 'collection',
	placeholder: 'Add limit',
	default: {},
	displayOptions: show,
	description:
		'What one visitor may send. The message counts are kept in the memory of each n8n process.',
	options: [
		{
			displayName: 'Max Files per Message',
			name: 'maxFiles',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 5,
			description: 'More files in one message are refused (413); 0: visitors cannot send files',
		},
		{
			displayName: 'Max Text Length',
			name: 'maxTextLength',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 4000,
			description: 'Characters of one message; a longer one is refused (413)',
		},
		{
			displayName: 'Max Upload Size (MB)',
			name: 'maxFileMb',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10,
			description:
				'The largest file a visitor may send; a larger one is refused (413): the widget says the file is too large',
		},
		{
			displayName: 'Messages per Minute per Address',
			name: 'messagesPerMinutePerAddress',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			description:
				"Messages and sessions of all visitors behind one IP address together (an office's network), counted in each n8n process (typing signals apart, as many); beyond it: 429",
		},
		{
			displayName: 'Messages per Minute per Visitor',
			name: 'messagesPerMinute',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 20,
			description:
				'Messages one visitor may send a minute, counted in their transcript (so across every n8n process); beyond it: 429 with Retry-After',
		},
	],
};

const texts: INodeProperties = {
	displayName: 'Texts',
	name: 'websiteTexts',
	type: 'collection',
	placeholder: 'Add text',
	default: {},
	displayOptions: show,
	description: "The widget's own words instead of the Language's",
	options: [
		{
			displayName: 'Offline',
			name: 'offline',
			type: 'string',
			default: '',
			description: 'Shown outside the business hours',
		},
		{ displayName: 'Placeholder', name: 'placeholder', type: 'string', default: '' },
		{ displayName: 'Title', name: 'title', type: 'string', default: '' },
		{
			displayName: 'Welcome',
			name: 'welcome',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
		},
	],
};

const options: INodeProperties = {
	displayName: 'Options',
	name: 'websiteOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	displayOptions: show,
	options: [
		{
			displayName: 'Download Attachments',
			name: 'download',
			type: 'boolean',
			default: true,
			description:
				"Whether to download the visitor's files into binary properties (data, data_1, …)",
		},
		...downloadBudgetOptions,
		{
			displayName: 'Max File Size (MB)',
			name: 'maxDownloadMb',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10,
			description:
				"Larger files are not downloaded into the item (they stay in the visitor's transcript); the attachment gets a notice instead",
		},
	],
};

export const websiteTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Put the widget on your site: publish (activate) the workflow, then open the Production URL ' +
			'of <b>widget.js</b> (Webhook URLs above) in your browser: it shows the tag to copy into ' +
			'your pages, <code>&lt;script src="…/widget.js" async&gt;&lt;/script&gt;</code>. Test URLs ' +
			'take one request only; the widget needs many.',
		name: 'websiteNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Allowed Origins',
		name: 'websiteAllowedOrigins',
		type: 'string',
		default: '*',
		placeholder: 'https://www.example.com, https://shop.example.com',
		displayOptions: show,
		description:
			'The sites whose pages may use the chat, comma-separated (scheme, host and port); * for any. ' +
			'A request from another page is refused (403).',
	},
	{
		displayName: 'Ask for Name and E-Mail',
		name: 'websiteAskContact',
		type: 'options',
		options: [
			{ name: 'Off', value: 'off' },
			{ name: 'Optional', value: 'optional', description: 'The visitor may skip the form' },
			{ name: 'Required', value: 'required', description: 'Before the first message' },
		],
		default: 'off',
		displayOptions: show,
	},
	{
		displayName: 'Language',
		name: 'websiteLanguage',
		type: 'options',
		options: [
			{ name: 'Deutsch', value: 'de' },
			{ name: 'English', value: 'en' },
			{ name: 'Русский', value: 'ru' },
		],
		default: 'en',
		displayOptions: show,
		description: 'The language of every text of the widget (change some in Texts)',
	},
	texts,
	{
		displayName: 'Accent Color',
		name: 'websiteAccentColor',
		type: 'color',
		default: '#2563eb',
		displayOptions: show,
	},
	{
		displayName: 'Position',
		name: 'websitePosition',
		type: 'options',
		options: [
			{ name: 'Bottom Left', value: 'left' },
			{ name: 'Bottom Right', value: 'right' },
		],
		default: 'right',
		displayOptions: show,
	},
	{
		displayName: 'Business Hours Queue',
		name: 'websiteHoursQueue',
		type: 'string',
		default: '',
		placeholder: 'Support',
		displayOptions: show,
		description:
			"A queue of Forward to TeamSpirit's Contact Centre: outside its hours the widget shows the " +
			'Offline text and still takes messages. Empty: always open.',
	},
	limits,
	options,
];
