import type { INodeProperties } from 'n8n-workflow';

/** A multi-select of the server's users; an expression may give an array or a comma-separated list of IDs. */
export const memberIdsField: INodeProperties = {
	displayName: 'Member Names or IDs',
	name: 'memberIds',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getUsers' },
	default: [],
	description:
		'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
};
