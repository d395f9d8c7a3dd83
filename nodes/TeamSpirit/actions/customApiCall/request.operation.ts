import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { teamSpiritApiRequest } from '../../transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Method',
		name: 'method',
		type: 'options',
		options: [
			{ name: 'DELETE', value: 'DELETE' },
			{ name: 'GET', value: 'GET' },
			{ name: 'PATCH', value: 'PATCH' },
			{ name: 'POST', value: 'POST' },
			{ name: 'PUT', value: 'PUT' },
		],
		default: 'GET',
	},
	{
		displayName: 'Path',
		name: 'path',
		type: 'string',
		default: '',
		required: true,
		placeholder: '/chats/c_8f2k1/messages',
		description: 'The path below {Server URL}/api/v1. The credential adds the API key.',
	},
	{
		displayName: 'Query Parameters (JSON)',
		name: 'query',
		type: 'json',
		default: '{}',
		description: 'Query string parameters as a JSON object, e.g. {"limit": 10}',
	},
	{
		displayName: 'Body (JSON)',
		name: 'body',
		type: 'json',
		default: '{}',
		displayOptions: { show: { method: ['PATCH', 'POST', 'PUT'] } },
		description: 'The JSON body of the request',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['customApiCall'], operation: ['request'] } },
	properties,
);

function jsonParameter(ctx: IExecuteFunctions, name: string, itemIndex: number, label: string) {
	const raw = ctx.getNodeParameter(name, itemIndex, '{}') as unknown;
	if (typeof raw === 'object' && raw !== null) return raw as IDataObject;
	const text = String(raw ?? '').trim();
	if (!text) return undefined;
	try {
		return JSON.parse(text) as IDataObject;
	} catch {
		throw new NodeOperationError(ctx.getNode(), `${label} is not valid JSON on item ${itemIndex}`, {
			itemIndex,
		});
	}
}

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const method = this.getNodeParameter('method', itemIndex) as IHttpRequestMethods;
	let path = String(this.getNodeParameter('path', itemIndex, '')).trim();
	if (!path) {
		throw new NodeOperationError(this.getNode(), `Path is empty on item ${itemIndex}`, { itemIndex });
	}
	path = `/${path.replace(/^\/+/, '').replace(/^api\/v1\//, '')}`;
	const qs = jsonParameter(this, 'query', itemIndex, 'Query Parameters');
	const body = ['PATCH', 'POST', 'PUT'].includes(method)
		? jsonParameter(this, 'body', itemIndex, 'Body')
		: undefined;
	const response = await teamSpiritApiRequest.call(this, { method, path, qs, body, itemIndex });
	// Lists keep their shape ({items, nextCursor}) so a workflow can page on by itself.
	return response ?? {};
}
