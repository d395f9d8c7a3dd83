import type {
	IDataObject,
	IHookFunctions,
	INodeProperties,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { updateDisplayOptions } from '../../shared/displayOptions';
import { downloadBudgetOptions } from '../attachments';

/** Telegram's fields in the Chat Channel Trigger, shown only for Telegram. */

const properties: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Long Polling',
				value: 'polling',
				description:
					'The trigger asks Telegram for new messages; works behind a firewall, without a public URL',
			},
			{
				name: 'Webhook',
				value: 'webhook',
				description:
					'Telegram calls n8n (needs a public HTTPS URL); secured with a random secret token',
			},
		],
		default: 'polling',
	},
	{
		displayName:
			"Only one program can receive a bot's updates: one active workflow per bot token (a " +
			'second poller gets "409 Conflict").',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Trigger On',
		name: 'updates',
		type: 'multiOptions',
		options: [
			{ name: 'Button Press (Callback)', value: 'callback_query' },
			{ name: 'Channel Post', value: 'channel_post' },
			{ name: 'Edited Channel Post', value: 'edited_channel_post' },
			{ name: 'Edited Message', value: 'edited_message' },
			{ name: 'Message', value: 'message' },
		],
		default: ['message', 'edited_message', 'callback_query'],
		description: 'Telegram sends only these kinds of updates (allowed_updates)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Download Files',
				name: 'download',
				type: 'boolean',
				default: false,
				description:
					'Whether to download photos (largest size), documents, audio, voice notes and ' +
					'videos into binary properties (data, data_1, …)',
			},
			{
				displayName: 'Ignore Bots',
				name: 'ignoreBots',
				type: 'boolean',
				default: true,
				description: 'Whether to ignore messages sent by other bots (prevents bot-to-bot loops)',
			},
			...downloadBudgetOptions,
			{
				displayName: 'Max File Size (MB)',
				// saved workflows hold this name, and omit the value when it is the default: both stay
				name: 'maxDownloadMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 20,
				description:
					'Larger files are not downloaded; the attachment gets a notice instead. ' +
					'Telegram lets bots download at most 20 MB (a local Bot API server: any size).',
			},
			{
				displayName: 'Only Chat IDs',
				name: 'chatIds',
				type: 'string',
				default: '',
				placeholder: '123456789, -1001234567890',
				description:
					'Comma-separated chat IDs (or @usernames); updates from other chats start nothing',
			},
			{
				displayName: 'Only User IDs',
				name: 'userIds',
				type: 'string',
				default: '',
				placeholder: '123456789, @alice',
				description:
					'Comma-separated user IDs (or @usernames); updates from other users start nothing',
			},
			{
				displayName: 'Poll Timeout (Seconds)',
				name: 'pollTimeout',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 50 },
				default: 30,
				displayOptions: { show: { '/mode': ['polling'] } },
				description:
					'How long one long poll waits for a message (Telegram allows up to 50). Messages still arrive at once.',
			},
			{
				displayName: 'Replace Existing Webhook',
				name: 'replaceWebhook',
				type: 'boolean',
				default: false,
				description:
					'Whether to take the bot over when a webhook is already set elsewhere. Long ' +
					'polling deletes it (waiting updates are kept); webhook mode points it here. Off: ' +
					'activation stops with an error naming the webhook.',
			},
		],
	},
];

export const telegramTriggerProperties = updateDisplayOptions(
	{ show: { channel: ['telegram'] } },
	properties,
);

export type TriggerContext = ITriggerFunctions | IWebhookFunctions;

export interface TriggerOptions {
	chatIds?: string;
	userIds?: string;
	ignoreBots?: boolean;
	download?: boolean;
	maxDownloadMb?: number;
	maxBatchMb?: number;
	maxConversationMb?: number;
	replaceWebhook?: boolean;
	pollTimeout?: number;
}

export interface TelegramStaticData extends IDataObject {
	/** Long polling: the next update_id to ask for; everything below was emitted. */
	offset?: number;
	/** Webhook mode: the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token. */
	secretToken?: string;
	webhookUrl?: string;
	/**
	 * Webhook mode: the id of the bot the webhook was set for (no secret: the part of the token
	 * before the colon), so that a delivery needs no credential decryption.
	 */
	botId?: string;
}

export function optionsOf(ctx: TriggerContext | IHookFunctions): TriggerOptions {
	return ctx.getNodeParameter('options', {}) as TriggerOptions;
}

export function allowedUpdates(ctx: TriggerContext | IHookFunctions): string[] {
	const updates = ctx.getNodeParameter('updates', []) as string[];
	return updates.length ? updates : ['message'];
}
