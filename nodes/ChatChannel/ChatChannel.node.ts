import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { CHANNEL_OPTIONS, sendProperties } from '../channels';
import * as callback from './actions/callback';
import * as chat from './actions/chat';
import * as message from './actions/message';
import { router } from './actions/router';

export class ChatChannel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TeamSpirit Chat Channel',
		name: 'chatChannel',
		icon: { light: 'file:chatchannel.svg', dark: 'file:chatchannel.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["channel"] + ": " + $parameter["operation"]}}',
		description: 'Reply to customers on Telegram, WhatsApp (Twilio) or Facebook Messenger with one node for every channel',
		defaults: { name: 'Chat Channel' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{ name: 'teamSpiritTelegramApi', required: true, displayOptions: { show: { channel: ['telegram'] } } },
			{ name: 'teamSpiritTwilioApi', required: true, displayOptions: { show: { channel: ['whatsapp'] } } },
			{ name: 'teamSpiritMessengerApi', required: true, displayOptions: { show: { channel: ['messenger'] } } },
		],
		properties: [
			{
				displayName: 'Channel',
				name: 'channel',
				type: 'options',
				noDataExpression: true,
				options: CHANNEL_OPTIONS,
				default: 'telegram',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Callback', value: 'callback' },
					{ name: 'Chat', value: 'chat' },
					{ name: 'Message', value: 'message' },
				],
				default: 'message',
			},
			...message.description,
			...chat.description,
			...callback.description,
			...sendProperties(),
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
