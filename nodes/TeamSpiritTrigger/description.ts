import type {
	IDataObject,
	IHookFunctions,
	INodeParameterResourceLocator,
	INodeProperties,
	INodePropertyOptions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { CHANNEL_OPTIONS } from '../channels';
import { acknowledgeProperty } from '../shared/acknowledge';
import { chatRLC } from '../shared/teamspirit/descriptions';
import type { FilterSettings } from './helpers/filters';
import type { ConversationChange } from './helpers/conversation';

export const EVENT_OPTIONS: INodePropertyOptions[] = [
	{
		name: 'Conversation Changed',
		value: 'chat.updated',
		description:
			'A customer conversation is opened, assigned, transferred, snoozed, resolved, reopened or rated',
	},
	{
		name: 'Member Joined Chat',
		value: 'chat.member_joined',
		description: 'A user joins or is added to a chat',
	},
	{
		name: 'Member Left Chat',
		value: 'chat.member_left',
		description: 'A user leaves or is removed from a chat',
	},
	{
		name: 'Message Created',
		value: 'message.created',
		description: 'A message is posted in a chat',
	},
	{ name: 'Message Deleted', value: 'message.deleted', description: 'A message is deleted' },
	{ name: 'Message Updated', value: 'message.updated', description: 'A message is edited' },
	{
		name: 'Typing',
		value: 'chat.typing',
		description:
			'A member types in a chat (not the bot); again about every 3 seconds while they keep typing',
	},
	{
		name: 'User Status Changed',
		value: 'user.status_changed',
		description: "A user's status changes",
	},
];

const CHANGE_OPTIONS: Array<INodePropertyOptions & { value: ConversationChange }> = [
	{
		name: 'Assigned',
		value: 'assigned',
		description: 'Assigned to an operator (also when it moves from one operator to another)',
	},
	{
		name: 'Opened',
		value: 'opened',
		description:
			'A new conversation got its first status: open (assigned or announced) or pending (waiting in its queue)',
	},
	{ name: 'Rated', value: 'rated', description: 'The customer answered the rating question' },
	{
		name: 'Reopened',
		value: 'reopened',
		description: 'A resolved or snoozed conversation is open again, or waiting in its queue again',
	},
	{ name: 'Resolved', value: 'resolved', description: 'The conversation was resolved' },
	{
		name: 'Snoozed',
		value: 'snoozed',
		description: 'Snoozed until a time (or snoozed again to another)',
	},
	{
		name: 'Transferred',
		value: 'transferred',
		description: 'Moved to another queue, or from one operator to another',
	},
];

export const properties: INodeProperties[] = [
	{
		displayName: 'Webhook Setup',
		name: 'setup',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Created by an Admin',
				value: 'manual',
				description:
					'A TeamSpirit admin creates the outgoing webhook by hand with the Production URL of this node',
			},
			{
				name: 'Register Automatically',
				value: 'register',
				description:
					'The workflow creates the outgoing webhook in TeamSpirit when it is activated, and deletes it when deactivated',
			},
		],
		default: 'register',
	},
	{
		displayName:
			'Give a TeamSpirit admin the Production URL from "Webhook URLs" above and the events chosen below. ' +
			'The admin creates an outgoing webhook with them and shows its secret once: ' +
			'paste it into Outgoing Webhook Secret in the TeamSpirit API credential.',
		name: 'manualNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { setup: ['manual'] } },
	},
	{
		displayName: 'Verification',
		name: 'verification',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Check Signature',
				value: 'signature',
				description:
					'Accept only deliveries signed with the webhook secret, sent in the last 5 minutes',
			},
			{
				name: 'None (Not Recommended)',
				value: 'none',
				description: 'Accept every request to the URL',
			},
		],
		default: 'signature',
		displayOptions: { show: { setup: ['manual'] } },
	},
	{
		displayName:
			'Without verification anyone who knows the URL can start this workflow with made-up events, ' +
			'and old deliveries can be replayed. Use it only on a closed network.',
		name: 'noVerificationWarning',
		type: 'notice',
		default: '',
		displayOptions: { show: { setup: ['manual'], verification: ['none'] } },
	},
	{
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		required: true,
		options: EVENT_OPTIONS,
		default: ['message.created'],
		description: 'The events that start the workflow',
	},
	{
		displayName: 'Conversation Changes',
		name: 'conversationChanges',
		type: 'multiOptions',
		options: CHANGE_OPTIONS,
		default: [],
		description:
			'Which changes of a customer conversation start the workflow, one item per change. None: all of them.',
		displayOptions: { show: { events: ['chat.updated'] } },
	},
	{
		displayName: 'Only in Chats',
		name: 'chatFilter',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Chat',
		default: {},
		description:
			'Only events from these chats. None: every chat the bot is a member of. ' +
			'(Status changes belong to no chat and always pass.)',
		options: [
			{
				name: 'chats',
				displayName: 'Chat',
				values: [{ ...chatRLC, name: 'chat', description: 'A chat to listen to' }],
			},
		],
	},
	acknowledgeProperty(
		'TeamSpirit sends it again (after about 10 s, 1 min, 10 min, 1 h and 6 h); a run longer ' +
			'than 10 s is sent again while it runs',
	),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Customer Conversations Only',
				name: 'conversationChannels',
				type: 'multiOptions',
				options: CHANNEL_OPTIONS,
				default: [],
				description:
					'Start only for messages, typing and conversation changes in the customer conversation chats of these channels ' +
					"(the chats the Chat Channel node's Conversation operations keep); " +
					'other chats start nothing. None: every chat.',
			},
			{
				displayName: 'Download Files',
				name: 'downloadFiles',
				type: 'boolean',
				default: false,
				description:
					'Whether to download the files of a created or edited message ' +
					'into the binary fields file_0, file_1, … (in the order of "files")',
			},
			{
				displayName: "Ignore the Bot's Own Messages",
				name: 'ignoreOwnMessages',
				type: 'boolean',
				default: true,
				description:
					'Whether to skip message events of messages the bot sent (on unless turned off here). ' +
					'Keep it on when the workflow posts into TeamSpirit, or it triggers itself in a loop.',
			},
			{
				displayName: 'Max File Size (MB)',
				// saved workflows hold this name, and omit the value when it is the default: both stay
				name: 'maxFileSizeMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 25,
				description:
					'With Download Files: larger files are not downloaded but listed in skippedFiles',
			},
			{
				displayName: 'Only Messages Mentioning the Bot',
				name: 'onlyMentions',
				type: 'boolean',
				default: false,
				description:
					"Whether to skip message events whose text does not contain @ and the bot's username",
			},
		],
	},
];

export interface TriggerSettings extends FilterSettings {
	setup: 'register' | 'manual';
	/**
	 * Manual mode: check signatures with the credential's Outgoing Webhook Secret
	 * (false: the user chose no verification).
	 */
	verifyManual: boolean;
	downloadFiles: boolean;
	maxFileSizeMb: number;
}

function locatorValue(value: unknown): string {
	if (value && typeof value === 'object')
		return String((value as INodeParameterResourceLocator).value ?? '').trim();
	return String(value ?? '').trim();
}

export function readSettings(ctx: IHookFunctions | IWebhookFunctions): TriggerSettings {
	const setup = ctx.getNodeParameter('setup', 'register') === 'manual' ? 'manual' : 'register';
	const verification = ctx.getNodeParameter('verification', 'signature') as string;
	const chatFilter = ctx.getNodeParameter('chatFilter', {}) as {
		chats?: Array<{ chat?: unknown }>;
	};
	const chatIds = [
		...new Set((chatFilter.chats ?? []).map((entry) => locatorValue(entry.chat)).filter(Boolean)),
	];
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const events = [...new Set(ctx.getNodeParameter('events', []) as string[])];
	return {
		setup,
		verifyManual: verification !== 'none',
		events,
		chatIds,
		ignoreOwnMessages: options.ignoreOwnMessages !== false,
		onlyMentions: options.onlyMentions === true,
		conversationChannels: Array.isArray(options.conversationChannels)
			? (options.conversationChannels as string[])
			: [],
		conversationChanges: events.includes('chat.updated')
			? (ctx.getNodeParameter('conversationChanges', []) as string[])
			: [],
		downloadFiles: options.downloadFiles === true,
		maxFileSizeMb: typeof options.maxFileSizeMb === 'number' ? options.maxFileSizeMb : 25,
	};
}
