import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { compact, toIsoDate } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		options: [
			{ name: 'Away', value: 'away' },
			{ name: 'Busy', value: 'busy' },
			{ name: 'Offline', value: 'offline' },
			{ name: 'Online', value: 'online' },
		],
		default: 'online',
		description: "The bot's presence, as TeamSpirit users see it",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Status Text',
				name: 'text',
				type: 'string',
				default: '',
				placeholder: 'Answering within 5 minutes',
				description: 'A short note shown next to the status',
			},
			{
				displayName: 'Until',
				name: 'until',
				type: 'dateTime',
				default: '',
				description: 'When the status expires and TeamSpirit resets it',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['status'], operation: ['set'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const status = this.getNodeParameter('status', itemIndex) as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const body = compact({
		status,
		text: options.text as string,
		until: toIsoDate(this, options.until, itemIndex, 'Until'),
	});
	return await teamSpiritApiRequest.call(this, {
		method: 'PUT',
		path: '/me/status',
		body,
		itemIndex,
	});
}
