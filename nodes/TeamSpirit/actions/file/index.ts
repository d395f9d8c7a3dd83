import type { INodeProperties } from 'n8n-workflow';

import * as download from './download.operation';
import * as get from './get.operation';
import * as upload from './upload.operation';

export { download, get, upload };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['file'] } },
		options: [
			{
				name: 'Download',
				value: 'download',
				description: 'Download a file into a binary field',
				action: 'Download a file',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the metadata of a file',
				action: 'Get a file',
			},
			{
				name: 'Upload and Send',
				value: 'upload',
				description: 'Upload a binary file and send it to a chat',
				action: 'Upload a file to a chat',
			},
		],
		default: 'upload',
	},
	...upload.description,
	...download.description,
	...get.description,
];
