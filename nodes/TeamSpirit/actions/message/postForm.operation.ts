import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_EXCLUDED, fieldsObject, nameList } from '../../../forms/fields';
import { post, type Submission } from '../../../forms/submission';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { chatRLC } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue } from '../../../shared/teamspirit/utils';

const properties: INodeProperties[] = [
	{
		displayName: 'Post To',
		name: 'postTo',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Chat',
				value: 'chat',
				description:
					'A chat of the bot (TeamSpirit API credential): files attached, a retried execution posts once, the rate limit holds across n8n processes',
			},
			{
				name: 'Incoming Webhook',
				value: 'incomingWebhook',
				description:
					"A TeamSpirit incoming webhook (its URL is the credential): it takes no files, so they are only named in the card; retries and the rate limit are remembered in this n8n process's memory only",
			},
		],
		default: 'chat',
	},
	{
		...chatRLC,
		description: 'The chat the card is posted to',
		displayOptions: { show: { postTo: ['chat'] } },
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		default: 'New form submission',
		description: 'The first line of the card, in bold (shown as typed: escaped)',
	},
	{
		displayName: 'Form Fields',
		name: 'formFields',
		type: 'json',
		default: '={{ $json }}',
		description:
			"The submission's fields as an object: the whole item after n8n's Form Trigger, the item's body after a Webhook node receiving a form",
	},
	{
		displayName: 'Fields to Post',
		name: 'fieldsToPost',
		type: 'options',
		options: [
			{ name: 'All Except Excluded', value: 'all' },
			{ name: 'Selected', value: 'selected' },
		],
		default: 'all',
	},
	{
		displayName: 'Fields to Exclude',
		name: 'excludeFields',
		type: 'string',
		default: DEFAULT_EXCLUDED.join(', '),
		description:
			"Comma-separated names left off the card. The defaults are what n8n's Form Trigger adds to every submission. The honeypot is always left off.",
		displayOptions: { show: { fieldsToPost: ['all'] } },
	},
	{
		displayName: 'Fields to Include',
		name: 'includeFields',
		type: 'string',
		default: '',
		placeholder: 'Name, E-mail, Message',
		description: 'Comma-separated names, in the order the card shows them',
		displayOptions: { show: { fieldsToPost: ['selected'] } },
	},
	{
		displayName: 'Honeypot Field',
		name: 'honeypotField',
		type: 'string',
		default: '',
		placeholder: 'website',
		description:
			'A field people never see or fill (hidden by the form): when it holds anything, nothing is posted and the item says reason "honeypot". Empty: no honeypot.',
	},
	{
		displayName: 'Attach Files',
		name: 'attachFiles',
		type: 'boolean',
		default: true,
		description:
			"Whether to attach every binary file of the item (streamed up to TeamSpirit). Through an incoming webhook the files' names are listed instead.",
	},
	{
		displayName: 'Max Submissions per Address per Hour',
		name: 'rateLimit',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 10,
		description:
			'More from one client address in a clock hour are not posted (the item says reason "rateLimited" and retryAfter in seconds). 0: no limit.',
	},
	{
		displayName: 'Client Address',
		name: 'clientAddress',
		type: 'string',
		default: '',
		placeholder: '={{ $json.headers["x-real-ip"] }}',
		description:
			"Who sent the form. Empty: the last entry of the item's X-Forwarded-For header, the address your reverse proxy saw (a Webhook node's item carries its headers; a Form Trigger's with its option Show Headers). Submissions without an address share one limit.",
		displayOptions: { hide: { rateLimit: [0] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Sender Name',
				name: 'username',
				type: 'string',
				default: '',
				description: 'Through an incoming webhook: the name the card appears under',
			},
			{
				displayName: 'Response Text: Refused',
				name: 'tooManyText',
				type: 'string',
				default: 'Too many messages from your address. Please try again in an hour.',
				description:
					"The item's responseText when the rate limit refused the submission (its responseCode is 429, its retryAfter the seconds for a Retry-After header), for a Respond to Webhook",
			},
			{
				displayName: 'Response Text: Thanks',
				name: 'thanksText',
				type: 'string',
				default: 'Thank you! We have your message.',
				description:
					"The item's responseText otherwise (responseCode 200; a filled honeypot is thanked too), for a Respond to Webhook",
			},
			{
				displayName: 'Submission Key',
				name: 'submissionKey',
				type: 'string',
				default: '',
				description:
					'What makes two submissions the same one: posted once. Empty: the whole item and its files (a retried execution posts once; a new submission posts again).',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['postForm'] } },
	properties,
);

function submissionOf(ctx: IExecuteFunctions, itemIndex: number): Submission {
	const param = <T>(name: string, fallback: T) =>
		ctx.getNodeParameter(name, itemIndex, fallback) as T;
	const fields = fieldsObject(param<unknown>('formFields', {}));
	if (!fields) {
		throw new NodeOperationError(ctx.getNode(), 'Form Fields is not an object', {
			itemIndex,
			description:
				'Set it to the object holding the fields, e.g. {{ $json.body }} after a Webhook node.',
		});
	}
	const options = param<IDataObject>('options', {});
	const postTo = param<string>('postTo', 'chat');
	const perHour = Number(param<number>('rateLimit', 10)) || 0;
	return {
		target:
			postTo === 'incomingWebhook'
				? { kind: 'incomingWebhook', username: String(options.username ?? '').trim() }
				: { kind: 'chat', chatId: getLocatorValue(ctx, 'chatId', itemIndex, 'Chat') },
		title: String(param<string>('title', '')),
		fields,
		choice: {
			mode: param<string>('fieldsToPost', 'all') === 'selected' ? 'selected' : 'all',
			include: nameList(param<string>('includeFields', '')),
			exclude: nameList(param<string>('excludeFields', DEFAULT_EXCLUDED.join(','))),
			honeypot: String(param<string>('honeypotField', '')).trim(),
		},
		attachFiles: param<boolean>('attachFiles', true),
		perHour,
		address:
			perHour > 0 ? clientAddressOf(ctx, itemIndex, param<unknown>('clientAddress', '')) : '',
		ownKey: String(options.submissionKey ?? '').trim(),
		texts: {
			thanks: String(options.thanksText ?? 'Thank you! We have your message.'),
			tooMany: String(
				options.tooManyText ?? 'Too many messages from your address. Please try again in an hour.',
			),
		},
	};
}

/** The address given, or the item's X-Forwarded-For; of a list, the last entry (the proxy's). */
function clientAddressOf(ctx: IExecuteFunctions, itemIndex: number, given: unknown): string {
	const headers = ctx.getInputData()[itemIndex]?.json?.headers as IDataObject | undefined;
	const value = String(given ?? '').trim() || String(headers?.['x-forwarded-for'] ?? '');
	return value.split(',').pop()?.trim() ?? '';
}

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	return await post(this, itemIndex, submissionOf(this, itemIndex));
}
