import type { INodeProperties } from 'n8n-workflow';

export const fileIdField: INodeProperties = {
	displayName: 'File ID',
	name: 'fileId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'f_7d3a9',
	description: 'The ID of the file, e.g. from the "files" of a message',
};
