import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as chat from './actions/chat';
import * as customApiCall from './actions/customApiCall';
import * as file from './actions/file';
import * as incomingWebhook from './actions/incomingWebhook';
import * as message from './actions/message';
import * as status from './actions/status';
import * as user from './actions/user';
import { router } from './actions/router';
import { listSearch } from './methods';

export class TeamSpirit implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TeamSpirit',
		name: 'teamSpirit',
		icon: { light: 'file:teamspirit.svg', dark: 'file:teamspirit.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send messages, files and status changes through the TeamSpirit messenger',
		defaults: { name: 'TeamSpirit' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'teamSpiritApi',
				required: true,
				displayOptions: { hide: { resource: ['incomingWebhook'] } },
			},
			{
				name: 'teamSpiritIncomingWebhookApi',
				required: true,
				displayOptions: { show: { resource: ['incomingWebhook'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Chat', value: 'chat' },
					{ name: 'Custom API Call', value: 'customApiCall' },
					{ name: 'File', value: 'file' },
					{ name: 'Incoming Webhook', value: 'incomingWebhook' },
					{ name: 'Message', value: 'message' },
					{ name: 'Status', value: 'status' },
					{ name: 'User', value: 'user' },
				],
				default: 'message',
			},
			...message.description,
			...file.description,
			...chat.description,
			...user.description,
			...status.description,
			...incomingWebhook.description,
			...customApiCall.description,
		],
	};

	methods = { listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
