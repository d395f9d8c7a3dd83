import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { formatField, textField } from '../../../shared/teamspirit/descriptions';
import { compact, getRequiredString } from '../../../shared/teamspirit/utils';
import { incomingWebhookRequest } from '../../../shared/teamspirit/transport';

const properties: INodeProperties[] = [
	textField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Attachments',
				name: 'attachments',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add link',
				options: [
					{
						displayName: 'Link',
						name: 'link',
						values: [
							{ displayName: 'Title', name: 'title', type: 'string', default: '' },
							{
								displayName: 'URL',
								name: 'url',
								type: 'string',
								default: '',
								placeholder: 'https://…',
							},
						],
					},
				],
				description: 'Links shown under the message',
			},
			formatField,
			{
				displayName: 'Sender Name',
				name: 'username',
				type: 'string',
				default: '',
				description: 'The name the message appears under, instead of the hook name',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['incomingWebhook'], operation: ['post'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const text = getRequiredString(this, 'text', itemIndex, 'Text');
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const links = ((options.attachments as IDataObject)?.link as IDataObject[]) ?? [];
	const body = compact({
		text,
		format: options.format as string,
		username: options.username as string,
	});
	if (links.length) body.attachments = links.map((l) => ({ title: l.title, url: l.url }));
	return await incomingWebhookRequest.call(this, body, itemIndex);
}
