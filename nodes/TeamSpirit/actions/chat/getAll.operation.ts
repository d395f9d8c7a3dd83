import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { limitField, returnAllField } from '../../descriptions/common';
import { compact } from '../../helpers/utils';
import { teamSpiritApiRequestAllItems } from '../../transport';

const properties: INodeProperties[] = [
	returnAllField,
	limitField,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		options: [
			{
				displayName: 'Title Contains',
				name: 'query',
				type: 'string',
				default: '',
				description: 'Only chats whose title contains this text (case-insensitive)',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['getAll'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? undefined : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	return await teamSpiritApiRequestAllItems.call(this, '/chats', compact(filters), limit, itemIndex);
}
