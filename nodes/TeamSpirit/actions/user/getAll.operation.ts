import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { limitField, queryFilters, returnAllField } from '../../../shared/teamspirit/descriptions';
import { compact, getListLimit } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequestAllItems } from '../../../shared/teamspirit/transport';

const properties: INodeProperties[] = [
	returnAllField,
	limitField,
	queryFilters('Search', 'Only users whose name or username contains this text'),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['user'], operation: ['getAll'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const limit = getListLimit(this, itemIndex);
	return await teamSpiritApiRequestAllItems.call(
		this,
		'/users',
		compact(filters),
		limit,
		itemIndex,
	);
}
