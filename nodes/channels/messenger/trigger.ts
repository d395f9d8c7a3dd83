/**
 * Facebook Messenger in the Chat Channel Trigger: Meta's GET handshake (webhook "setup"), and
 * signed POST deliveries (X-Hub-Signature-256 over the raw bytes) flattened into one item per
 * `entry[].messaging[]` event. Optionally subscribes the page to the app on activation.
 */
import type {
	IDataObject,
	INodeProperties,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import type { FileSource } from '../attachments';
import { downloadBudget, downloadBudgetOptions } from '../attachments';
import { mediaUrlRefusal } from '../mediaSources';
import type { EventReader, ReceiveAdapter } from '../receive';
import { Refusal } from '../receive';
import type { TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import { openMediaUrl } from '../meta/media';
import { relayedLinkOf, relayTap } from '../meta/relay';
import { answerHandshake, answerPlain, signedDelivery } from '../meta/webhook';
import type { MessengerEvent } from './normalize';
import { eventsOf, kindOf, MESSENGER_MEDIA_SOURCES, normalize } from './normalize';
import { messengerNameLookups } from './profiles';
import { graphApiRequest, credentialsOf, MESSENGER_GRAPH } from './transport';

const LABEL = 'Chat Channel Trigger (Messenger)';

interface MessengerTriggerOptions {
	download?: boolean;
	maxDownloadMb?: number;
	maxBatchMb?: number;
	maxConversationMb?: number;
	includeEchoes?: boolean;
	subscribePage?: boolean;
	lookUpNames?: boolean;
}

/** Page fields the trigger subscribes to when "Subscribe Page" is on. */
const SUBSCRIBED_FIELDS = [
	'messages',
	'messaging_postbacks',
	'message_deliveries',
	'message_reads',
	'message_echoes',
	'message_edits',
];

export const messengerTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'In the Meta App Dashboard: Messenger → Messenger API Settings → "Configure webhooks": ' +
			"paste this node's webhook URL as Callback URL and the Verify Token of the credential, " +
			'"Verify and save", then subscribe the page (or turn on "Subscribe Page" below).',
		name: 'messengerNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { channel: ['messenger'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'messengerEvents',
		type: 'multiOptions',
		displayOptions: { show: { channel: ['messenger'] } },
		options: [
			{
				name: 'Delivery',
				value: 'delivery',
				description: 'The customer\'s device received the page\'s messages (status "delivered")',
			},
			{
				name: 'Edited Message',
				value: 'edit',
				description: 'A customer changed the text of a message (event "edited_message")',
			},
			{ name: 'Message', value: 'message', description: 'Text, attachments, quick reply taps' },
			{
				name: 'Postback',
				value: 'postback',
				description: 'A button or menu item was tapped (event "callback")',
			},
			{
				name: 'Read',
				value: 'read',
				description: 'The customer read the page\'s messages (status "read")',
			},
		],
		default: ['message', 'postback'],
	},
	{
		displayName: 'Options',
		name: 'messengerOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { channel: ['messenger'] } },
		options: [
			{
				displayName: 'Download Attachments',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download images, audio, video and files into binary properties (data, data_1, …)',
			},
			{
				displayName: 'Include Echoes',
				name: 'includeEchoes',
				type: 'boolean',
				default: false,
				description:
					"Whether to trigger on the page's own messages too (Meta echoes them). " +
					'Off prevents loops: a reply of the workflow starts nothing.',
			},
			{
				displayName: 'Look Up Sender Names',
				name: 'lookUpNames',
				type: 'boolean',
				default: true,
				description:
					"Whether to look up the customer's name (User Profile API with the Page token) for sender.name; " +
					'names are kept in memory for 24 hours. ' +
					'When Meta does not give the name, it stays empty and the event arrives as usual.',
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
					"Whether to subscribe the page to the app's webhook on activation " +
					'(/{page-ID}/subscribed_apps; the token needs pages_manage_metadata). ' +
					'The subscription is left in place on deactivation.',
			},
		],
	},
];

function optionsOf(ctx: {
	getNodeParameter: IWebhookFunctions['getNodeParameter'];
}): MessengerTriggerOptions {
	return ctx.getNodeParameter('messengerOptions', {}) as MessengerTriggerOptions;
}

/** Meta's subscription handshake (../meta/webhook.ts) with the credential's Verify Token. */
async function handshake(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const { verifyToken } = await credentialsOf(ctx);
	return answerHandshake(ctx, verifyToken, LABEL);
}

const EVENT_OPTION: Record<string, string> = {
	message: 'message',
	echo: 'message',
	edit: 'edit',
	postback: 'postback',
	delivery: 'delivery',
	read: 'read',
};

/** A verified delivery: its JSON body and the credential's page and API URL. */
interface MessengerDelivery {
	body: IDataObject;
	pageId: string;
	apiUrl: string;
}

interface PageEvent {
	pageId: string;
	event: MessengerEvent;
}

/** Where Messenger attachments come from: Meta's CDN links, fetched without credentials. */
function messengerFiles(
	ctx: IWebhookFunctions,
	options: MessengerTriggerOptions,
	apiUrl: string,
): FileSource | undefined {
	if (!(options.download ?? true)) return undefined;
	return {
		capMb: Number(options.maxDownloadMb ?? 25),
		budget: () => downloadBudget(options),
		isFile: (attachment) => /^https?:\/\//i.test(attachment.fileId ?? ''),
		refusal: (attachment) => mediaUrlRefusal(attachment.fileId!, MESSENGER_MEDIA_SOURCES, apiUrl),
		open: async (attachment) => await openMediaUrl(ctx, attachment.fileId!),
	};
}

/** Why an event starts nothing ("Trigger On", "Include Echoes"), or undefined. */
function filterReason(
	event: MessengerEvent,
	wanted: string[],
	options: MessengerTriggerOptions,
): string | undefined {
	const kind = kindOf(event);
	// a Send and Wait answer is relayed whatever the trigger starts on
	if (relayedLinkOf(event) !== undefined) return undefined;
	if (!wanted.includes(EVENT_OPTION[kind] ?? 'other')) return `${kind} not selected`;
	if (kind === 'echo' && !options.includeEchoes) return 'an echo of the page';
	return undefined;
}

/** How a delivery's events are read; the sender's name arrives while the rest is read. */
function messengerReader(
	ctx: IWebhookFunctions,
	delivery: MessengerDelivery,
): EventReader<PageEvent> {
	const options = optionsOf(ctx);
	const wanted = ctx.getNodeParameter('messengerEvents', ['message', 'postback']) as string[];
	const names =
		(options.lookUpNames ?? true) ? messengerNameLookups(ctx, delivery.pageId) : undefined;
	const pageOf = (entry: PageEvent) => entry.pageId || delivery.pageId;
	return {
		filter: ({ event }) => filterReason(event, wanted, options),
		normalize: (entry) => normalize(pageOf(entry), entry.event),
		unreadable(entry, error) {
			const { event } = entry;
			const sender = (event?.sender ?? {}) as IDataObject;
			const message = unreadableEvent('messenger', pageOf(entry), event, error, {
				messageId: ((event?.message ?? {}) as IDataObject).mid,
				conversationId: sender.id,
				senderId: sender.id,
			});
			message.account = pageOf(entry);
			return message;
		},
		enrich(message) {
			// each sender asked once, whatever the number of its events
			const sender = message.sender;
			if (!names || !sender.id || sender.isBot) return undefined;
			return names.request(sender.id).then((name) => void (sender.name = name));
		},
		files: messengerFiles(ctx, options, delivery.apiUrl),
		relay: async (message) =>
			await relayTap(ctx, MESSENGER_GRAPH, LABEL, message, async () =>
				names && message.sender.id ? await names.request(message.sender.id) : undefined,
			),
	};
}

/** Meta's side of the pipeline: X-Hub-Signature-256 over the raw bytes, EVENT_RECEIVED as the answer. */
const messengerReceive: ReceiveAdapter<MessengerDelivery, PageEvent> = {
	label: LABEL,
	handshake,
	async verify(ctx) {
		const { appSecret, pageId, apiUrl } = await credentialsOf(ctx);
		const body = await signedDelivery(ctx, appSecret);
		return body instanceof Refusal ? body : { body, pageId, apiUrl };
	},
	events({ body }) {
		if (!body || typeof body !== 'object' || body.object !== 'page' || !Array.isArray(body.entry))
			return new Refusal(400, 'Bad Request: not a Messenger page event');
		return eventsOf(body);
	},
	reader: async (ctx, delivery) => messengerReader(ctx, delivery),
	answer: (ctx, reply) => void answerPlain(ctx, reply.status, reply.text ?? 'EVENT_RECEIVED'),
	answersItself: true,
};

export const messengerTrigger: TriggerAdapter = {
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

	receive: messengerReceive,
};
