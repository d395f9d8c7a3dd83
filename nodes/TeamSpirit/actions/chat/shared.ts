import type { INodeProperties } from 'n8n-workflow';

export const memberIdsField: INodeProperties = {
	displayName: 'Member IDs',
	name: 'memberIds',
	type: 'string',
	default: '',
	placeholder: 'u_3k9d2, u_8x1p0',
	description: 'IDs of the users (comma-separated, or an array from an expression)',
};
