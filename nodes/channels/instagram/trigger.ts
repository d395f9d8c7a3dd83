/**
 * Instagram Direct in the Chat Channel Trigger: Meta's GET handshake and signed POST deliveries
 * (../meta/webhook.ts) of `object: "instagram"`, flattened into one item per `entry[].messaging[]`
 * event. Optionally subscribes the linked Page to the app on activation (Instagram's webhooks
 * flow only to apps the Page is subscribed to).
 */
import type { IDataObject, INodeProperties, IWebhookFunctions } from 'n8n-workflow';

import type { FileSource } from '../attachments';
import { downloadBudget, downloadBudgetOptions } from '../attachments';
import { mediaUrlRefusal } from '../mediaSources';
import { openMediaUrl } from '../meta/media';
import { relayedLinkOf, relayTap } from '../meta/relay';
import { answerHandshake, answerPlain, signedDelivery } from '../meta/webhook';
import type { EventReader, ReceiveAdapter } from '../receive';
import { Refusal } from '../receive';
import type { TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import type { InstagramEvent } from './normalize';
import { eventsOf, INSTAGRAM_MEDIA_SOURCES, kindOf, normalize } from './normalize';
import { instagramProfileLookups } from './profiles';
import { credentialsOf, graphApiRequest, INSTAGRAM_GRAPH } from './transport';

const LABEL = 'Chat Channel Trigger (Instagram)';

interface InstagramTriggerOptions {
	download?: boolean;
	maxDownloadMb?: number;
	maxBatchMb?: number;
	maxConversationMb?: number;
	includeEchoes?: boolean;
	subscribePage?: boolean;
	lookUpNames?: boolean;
}

/** Page fields the trigger subscribes to when "Subscribe Page" is on (any field enables Instagram's). */
const SUBSCRIBED_FIELDS = ['messages'];

export const instagramTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'In the Meta App Dashboard: Webhooks → object "Instagram" → "Subscribe to this object": ' +
			"paste this node's webhook URL as Callback URL and the Verify Token of the credential, " +
			'"Verify and save", subscribe the fields messages, messaging_postbacks, message_reactions ' +
			'and messaging_seen; then subscribe the Page (or turn on "Subscribe Page" below).',
		name: 'instagramNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { channel: ['instagram'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'instagramEvents',
		type: 'multiOptions',
		displayOptions: { show: { channel: ['instagram'] } },
		options: [
			{
				name: 'Message',
				value: 'message',
				description: 'Text, files, story replies and mentions, shares, quick reply taps',
			},
			{
				name: 'Postback',
				value: 'postback',
				description: 'An icebreaker or button was tapped (event "callback")',
			},
			{
				name: 'Reaction',
				value: 'reaction',
				description: 'A customer reacted to a message or took the reaction back (event "reaction")',
			},
			{
				name: 'Seen',
				value: 'read',
				description: 'The customer saw the account\'s message (status "read")',
			},
			{
				name: 'Unsent Message',
				value: 'deleted',
				description: 'A customer took a message back (event "deleted_message")',
			},
		],
		default: ['message', 'postback', 'deleted'],
	},
	{
		displayName: 'Options',
		name: 'instagramOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { channel: ['instagram'] } },
		options: [
			{
				displayName: 'Download Attachments',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download images, audio, video and files into binary properties (data, data_1, …). Story mentions and shared posts are links, never downloaded.',
			},
			{
				displayName: 'Include Echoes',
				name: 'includeEchoes',
				type: 'boolean',
				default: false,
				description:
					"Whether to trigger on the account's own messages too (Meta echoes them). " +
					'Off prevents loops: a reply of the workflow starts nothing.',
			},
			{
				displayName: 'Look Up Sender Names',
				name: 'lookUpNames',
				type: 'boolean',
				default: true,
				description:
					"Whether to look up the customer's name and username (User Profile API with the Page token) for sender.name and sender.username; " +
					'kept in memory for 24 hours. When Meta does not give them, they stay empty and the event arrives as usual.',
			},
			...downloadBudgetOptions,
			{
				displayName: 'Max File Size (MB)',
				name: 'maxDownloadMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 25,
				description: 'Larger attachments are not downloaded; the attachment gets a notice instead',
			},
			{
				displayName: 'Subscribe Page',
				name: 'subscribePage',
				type: 'boolean',
				default: false,
				description:
					"Whether to subscribe the linked Page to the app's webhooks on activation " +
					'(/{page-ID}/subscribed_apps; the token needs pages_manage_metadata). ' +
					'The subscription is left in place on deactivation.',
			},
		],
	},
];

function optionsOf(ctx: {
	getNodeParameter: IWebhookFunctions['getNodeParameter'];
}): InstagramTriggerOptions {
	return ctx.getNodeParameter('instagramOptions', {}) as InstagramTriggerOptions;
}

const EVENT_OPTION: Record<string, string> = {
	message: 'message',
	echo: 'message',
	deleted: 'deleted',
	reaction: 'reaction',
	postback: 'postback',
	read: 'read',
};

/** A verified delivery: its JSON body and the credential's account and API URL. */
interface InstagramDelivery {
	body: IDataObject;
	accountId: string;
	apiUrl: string;
}

interface AccountEvent {
	accountId: string;
	event: InstagramEvent;
}

/** Where Instagram files come from: Meta's CDN links, fetched without credentials. */
function instagramFiles(
	ctx: IWebhookFunctions,
	options: InstagramTriggerOptions,
	apiUrl: string,
): FileSource | undefined {
	if (!(options.download ?? true)) return undefined;
	return {
		capMb: Number(options.maxDownloadMb ?? 25),
		budget: () => downloadBudget(options),
		isFile: (attachment) => /^https?:\/\//i.test(attachment.fileId ?? ''),
		refusal: (attachment) => mediaUrlRefusal(attachment.fileId!, INSTAGRAM_MEDIA_SOURCES, apiUrl),
		open: async (attachment) => await openMediaUrl(ctx, attachment.fileId!),
	};
}

/** Why an event starts nothing ("Trigger On", "Include Echoes"), or undefined. */
function filterReason(
	event: InstagramEvent,
	wanted: string[],
	options: InstagramTriggerOptions,
): string | undefined {
	const kind = kindOf(event);
	// a Send and Wait answer is relayed whatever the trigger starts on
	if (relayedLinkOf(event) !== undefined) return undefined;
	if (!wanted.includes(EVENT_OPTION[kind] ?? 'other')) return `${kind} not selected`;
	if (kind === 'echo' && !options.includeEchoes) return 'an echo of the account';
	return undefined;
}

/** How a delivery's events are read; the sender's name arrives while the rest is read. */
function instagramReader(
	ctx: IWebhookFunctions,
	delivery: InstagramDelivery,
): EventReader<AccountEvent> {
	const options = optionsOf(ctx);
	const wanted = ctx.getNodeParameter('instagramEvents', [
		'message',
		'postback',
		'deleted',
	]) as string[];
	const accountOf = (entry: AccountEvent) => entry.accountId || delivery.accountId;
	const profiles =
		(options.lookUpNames ?? true) ? instagramProfileLookups(ctx, delivery.accountId) : undefined;
	return {
		filter: ({ event }) => filterReason(event, wanted, options),
		normalize: (entry) => normalize(accountOf(entry), entry.event),
		unreadable(entry, error) {
			const { event } = entry;
			const sender = (event?.sender ?? {}) as IDataObject;
			const message = unreadableEvent('instagram', accountOf(entry), event, error, {
				messageId: ((event?.message ?? {}) as IDataObject).mid,
				conversationId: sender.id,
				senderId: sender.id,
			});
			message.account = accountOf(entry);
			return message;
		},
		enrich(message) {
			const sender = message.sender;
			if (!profiles || !sender.id || sender.isBot) return undefined;
			return profiles.profile(sender.id).then((profile) => {
				sender.name = profile.name;
				if (profile.username) sender.username = profile.username;
			});
		},
		files: instagramFiles(ctx, options, delivery.apiUrl),
		relay: async (message) =>
			await relayTap(ctx, INSTAGRAM_GRAPH, LABEL, message, async () =>
				profiles && message.sender.id ? await profiles.request(message.sender.id) : undefined,
			),
	};
}

/** Meta's side of the pipeline for `object: "instagram"`. */
const instagramReceive: ReceiveAdapter<InstagramDelivery, AccountEvent> = {
	label: LABEL,
	async handshake(ctx) {
		const { verifyToken } = await credentialsOf(ctx);
		return answerHandshake(ctx, verifyToken, LABEL);
	},
	async verify(ctx) {
		const { appSecret, instagramAccountId, apiUrl } = await credentialsOf(ctx);
		const body = await signedDelivery(ctx, appSecret);
		return body instanceof Refusal ? body : { body, accountId: instagramAccountId, apiUrl };
	},
	events({ body }) {
		if (
			!body ||
			typeof body !== 'object' ||
			body.object !== 'instagram' ||
			!Array.isArray(body.entry)
		)
			return new Refusal(400, 'Bad Request: not an Instagram event');
		return eventsOf(body);
	},
	reader: async (ctx, delivery) => instagramReader(ctx, delivery),
	answer: (ctx, reply) => void answerPlain(ctx, reply.status, reply.text ?? 'EVENT_RECEIVED'),
	answersItself: true,
};

export const instagramTrigger: TriggerAdapter = {
	async checkExists(ctx) {
		if (!optionsOf(ctx).subscribePage) return true;
		const { pageId } = await credentialsOf(ctx);
		const apps = await graphApiRequest<{ data?: Array<{ subscribed_fields?: string[] }> }>(ctx, {
			method: 'GET',
			path: `/${encodeURIComponent(pageId)}/subscribed_apps`,
			idempotent: true,
			what: 'read page subscriptions',
		});
		return (apps.data ?? []).some((app) =>
			SUBSCRIBED_FIELDS.every((field) => app.subscribed_fields?.includes(field)),
		);
	},

	async create(ctx) {
		if (!optionsOf(ctx).subscribePage) return true;
		const { pageId } = await credentialsOf(ctx);
		await graphApiRequest(ctx, {
			method: 'POST',
			path: `/${encodeURIComponent(pageId)}/subscribed_apps`,
			qs: { subscribed_fields: SUBSCRIBED_FIELDS.join(',') },
			idempotent: true,
			what: 'subscribe the page',
		});
		return true;
	},

	// The subscription stays: other workflows (or this one's production URL) may rely on it.
	async delete() {
		return true;
	},

	receive: instagramReceive,
};
