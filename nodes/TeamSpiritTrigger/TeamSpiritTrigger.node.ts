import type {
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { acknowledgeResponseMode } from '../shared/acknowledge';
import { searchChats } from '../shared/teamspirit/listSearch';
import { optionNames } from '../shared/subtitle';
import { webhookFields } from '../shared/webhookFields';
import { EVENT_OPTIONS, properties } from './description';
import { webhookMethods } from './registration';
import { handleDelivery } from './webhook';

export class TeamSpiritTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TeamSpirit Trigger',
		name: 'teamSpiritTrigger',
		icon: { light: 'file:teamspirit.svg', dark: 'file:teamspirit.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: optionNames('events', EVENT_OPTIONS),
		description: 'Starts the workflow when TeamSpirit reports an event through an outgoing webhook',
		defaults: { name: 'TeamSpirit Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'teamSpiritApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// "Acknowledge: After the Workflow Has Run": n8n answers when the execution ended (2xx,
				// or 500 when it failed or crashed), with an empty body
				...webhookFields({ responseMode: acknowledgeResponseMode }),
				responseData: 'noData',
				path: 'teamspirit',
			},
		],
		activationMessage: 'TeamSpirit now sends the chosen events to this workflow.',
		eventTriggerDescription: 'Waiting for an event from TeamSpirit',
		properties,
	};

	methods = { listSearch: { searchChats } };

	webhookMethods = webhookMethods;

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await handleDelivery.call(this);
	}
}
