import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';

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

const API_BASE = 'http://teamspirit.invalid/api/v1/';

/**
 * The path as TeamSpirit will see it, below /api/v1: `..`, `%2e%2e`, backslashes and absolute
 * URLs are resolved the way the HTTP client would, and anything that ends up outside the API
 * (`../../hooks/abc`, `https://elsewhere/…`) is refused before a request is made.
 */
function apiPath(ctx: IExecuteFunctions, given: string, itemIndex: number): string {
	const relative = given.replace(/^[/\\]+/, '').replace(/^api\/v1(\/|$)/, '');
	let resolved: URL | undefined;
	try {
		resolved = new URL(relative, API_BASE);
	} catch {
		resolved = undefined;
	}
	const base = new URL(API_BASE);
	if (
		!resolved ||
		resolved.origin !== base.origin ||
		!resolved.pathname.startsWith(base.pathname)
	) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Path "${given}" leaves the TeamSpirit API on item ${itemIndex}`,
			{
				itemIndex,
				description:
					'The Custom API Call reaches only paths below {Server URL}/api/v1, e.g. /chats/c_general/messages.',
			},
		);
	}
	return `/${resolved.pathname.slice(base.pathname.length)}${resolved.search}`;
}

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const method = this.getNodeParameter('method', itemIndex) as IHttpRequestMethods;
	let path = String(this.getNodeParameter('path', itemIndex, '')).trim();
	if (!path) {
		throw new NodeOperationError(this.getNode(), `Path is empty on item ${itemIndex}`, {
			itemIndex,
		});
	}
	path = apiPath(this, path, itemIndex);
	const qs = jsonParameter(this, 'query', itemIndex, 'Query Parameters');
	const body = ['PATCH', 'POST', 'PUT'].includes(method)
		? jsonParameter(this, 'body', itemIndex, 'Body')
		: undefined;
	const response = await teamSpiritApiRequest.call(this, { method, path, qs, body, itemIndex });
	// Lists keep their shape ({items, nextCursor}) so a workflow can page on by itself.
	return response ?? {};
}
