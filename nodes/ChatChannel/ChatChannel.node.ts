import type {
	DisplayCondition,
	IExecuteFunctions,
	INodeCredentialDescription,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
	NodeParameterValue,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	channelCredentials,
	channelNameExpression,
	channelProperty,
	credentialsBox,
	sendProperties,
} from '../channels';
import { chatChannelCodex } from '../channels/codex';
import { channelNames } from '../channels/texts';
import { searchChats } from '../shared/teamspirit/listSearch';
import { getUsers } from '../shared/teamspirit/loadOptions';
import { CREDENTIAL_TYPE as TEAMSPIRIT_CREDENTIAL } from '../shared/teamspirit/transport';
import { sendAndWaitWebhooks } from '../shared/sendAndWait/properties';
import { operationSubtitle } from '../shared/subtitle';
import { channelFields, offeredPickers } from './descriptions/offers';
import * as callback from './actions/callback';
import * as chat from './actions/chat';
import * as conversation from './actions/conversation';
import * as message from './actions/message';
import { answerQuestion } from './actions/message/sendAndWaitAnswer';
import { router } from './actions/router';

const resource: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Callback', value: 'callback' },
		{ name: 'Chat', value: 'chat' },
		{
			name: 'Conversation',
			value: 'conversation',
			description:
				'Customer conversations in TeamSpirit: one chat per customer, operators just type',
		},
		{ name: 'Message', value: 'message' },
	],
	default: 'message',
};

const operations = [
	...message.description,
	...chat.description,
	...callback.description,
	...conversation.description,
];

/**
 * The conversation bridge also talks to TeamSpirit. A condition rather than a plain value, like
 * the channels' credentials (nodes/channels/index.ts): the Resource picker must stay visible.
 */
const conversationCondition: DisplayCondition = { _cnd: { eq: 'conversation' } };
const teamSpiritCredential: INodeCredentialDescription = {
	name: TEAMSPIRIT_CREDENTIAL,
	required: true,
	displayOptions: {
		show: { resource: [conversationCondition as unknown as NodeParameterValue] },
	},
};

const pickers = operations.filter((p) => p.name === 'operation');

const properties: INodeProperties[] = [
	...channelFields(channelProperty, pickers),
	credentialsBox,
	// each channel is offered the resources and operations it can do (descriptions/offers.ts)
	...offeredPickers(resource, pickers),
	...operations.filter((p) => p.name !== 'operation'),
	...sendProperties(),
];

/** Each channel's credential, and TeamSpirit's for the conversation bridge. */
const nodeCredentials = (): INodeCredentialDescription[] => [
	...channelCredentials(),
	teamSpiritCredential,
];

export class ChatChannel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TeamSpirit Chat Channel',
		name: 'chatChannel',
		icon: { light: 'file:chatchannel.svg', dark: 'file:chatchannel.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: operationSubtitle(properties, channelNameExpression()),
		description: `Reply to customers on ${channelNames()} with one node for every channel`,
		codex: chatChannelCodex(['chat channel', 'bot', 'reply', 'send message']),
		defaults: { name: 'Chat Channel' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: nodeCredentials(),
		// Send and Wait for Response: the links (GET), forms and relayed taps (POST) of a waiting execution
		webhooks: sendAndWaitWebhooks,
		waitingNodeTooltip:
			'={{ $parameter.operation === "sendAndWait" ? "Execution will continue after the customer answers" : "" }}',
		properties,
	};

	methods = { loadOptions: { getUsers }, listSearch: { searchChats } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	/** A customer's answer to Send and Wait for Response: a link, a form, or a relayed tap. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await answerQuestion(this);
	}
}
