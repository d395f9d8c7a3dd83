import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as chat from './actions/chat';
import * as customApiCall from './actions/customApiCall';
import * as file from './actions/file';
import * as incomingWebhook from './actions/incomingWebhook';
import * as message from './actions/message';
import * as status from './actions/status';
import * as user from './actions/user';
import { router } from './actions/router';
import { waitClaim } from './actions/message/sendAndWait.operation';
import { answerFromReply, isTeamSpiritDelivery } from './actions/message/sendAndWaitReplies';
import * as listSearch from '../shared/teamspirit/listSearch';
import * as loadOptions from '../shared/teamspirit/loadOptions';
import { operationSubtitle } from '../shared/subtitle';
import { sendAndWaitWebhooks } from '../shared/sendAndWait/properties';
import { sendAndWaitWebhook } from '../shared/sendAndWait/webhook';

/**
 * The resources, alphabetical, and "Custom API Call" last: where n8n itself would append its own
 * "Custom API Call" entry (one that sends users to the HTTP Request node). With ours in that
 * place n8n adds none, so the editor shows one Custom API Call: the package's, which keeps to the
 * TeamSpirit API's base URL, retries and error mapping.
 */
const RESOURCES: INodePropertyOptions[] = [
	{ name: 'Chat', value: 'chat' },
	{ name: 'File', value: 'file' },
	{ name: 'Incoming Webhook', value: 'incomingWebhook' },
	{ name: 'Message', value: 'message' },
	{ name: 'Status', value: 'status' },
	{ name: 'User', value: 'user' },
	{
		name: 'Custom API Call',
		value: 'customApiCall',
		description: 'Call any endpoint of the TeamSpirit REST API with this credential',
	},
];

/** Message operations that post through the API only: every one but Post Form Submission. */
const MESSAGE_OPERATIONS_WITHOUT_HOOK = (
	message.description.find((p) => p.name === 'operation')?.options as INodePropertyOptions[]
)
	.map((option) => String(option.value))
	.filter((value) => value !== 'postForm');

const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: RESOURCES,
		default: 'message',
	},
	...message.description,
	...file.description,
	...chat.description,
	...user.description,
	...status.description,
	...incomingWebhook.description,
	...customApiCall.description,
];

export class TeamSpirit implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TeamSpirit',
		name: 'teamSpirit',
		icon: { light: 'file:teamspirit.svg', dark: 'file:teamspirit.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: operationSubtitle(properties),
		description: 'Send messages, files and status changes through the TeamSpirit messenger',
		defaults: { name: 'TeamSpirit' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'teamSpiritApi',
				required: true,
				// Post Form Submission through an incoming webhook needs only the hook
				displayOptions: { hide: { resource: ['incomingWebhook'], postTo: ['incomingWebhook'] } },
			},
			{
				name: 'teamSpiritIncomingWebhookApi',
				required: true,
				displayOptions: {
					show: { resource: ['incomingWebhook', 'message'] },
					hide: { operation: MESSAGE_OPERATIONS_WITHOUT_HOOK, postTo: ['chat'] },
				},
			},
		],
		// Send and Wait for Response: the links (GET) and forms (POST) of a waiting execution
		webhooks: sendAndWaitWebhooks,
		waitingNodeTooltip:
			'={{ $parameter.operation === "sendAndWait" ? "Execution will continue after the answer" : "" }}',
		properties,
	};

	methods = { listSearch, loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}

	/** An answer to Send and Wait for Response: a link or form, or a reply delivered by TeamSpirit. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		if (isTeamSpiritDelivery(this)) return await answerFromReply(this);
		return await sendAndWaitWebhook(this, waitClaim(this));
	}
}
