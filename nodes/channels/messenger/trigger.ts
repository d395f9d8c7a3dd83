/**
 * Facebook Messenger in the Chat Channel Trigger: Meta's GET handshake (webhook "setup"), and
 * signed POST deliveries (X-Hub-Signature-256 over the raw bytes) flattened into one item per
 * `entry[].messaging[]` event. Optionally subscribes the page to the app on activation.
 */
import type {
	IDataObject,
	INodeExecutionData,
	INodeProperties,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';

import { acknowledgesAfterRun, claimWhenConfirmed, handledBefore } from '../../shared/acknowledge';
import type { BinaryStream } from '../../shared/binary';
import { TIMEOUTS, sendRequest } from '../../shared/http';
import type { FinalResponse } from '../../shared/retry';
import { headerValue, safeEqual, verifyHmacSignature } from '../../shared/signature';
import type { OpenedDownload } from '../attachments';
import { downloadAttachments, downloadBudget, downloadBudgetOptions } from '../attachments';
import { addSummary } from '../summary';
import { seenEvents } from '../memory';
import { announce } from '../sequence';
import { mediaUrlRefusal } from '../mediaSources';
import type { ChannelMessage, TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import { eventsOf, kindOf, MESSENGER_MEDIA_SOURCES, normalize } from './normalize';
import { senderNameLookups } from './profiles';
import { graphApiRequest, credentialsOf } from './transport';

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

function reply(ctx: IWebhookFunctions, status: number, body: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.status(status);
	res.setHeader('Content-Type', 'text/plain; charset=utf-8');
	res.end(body);
	return { noWebhookResponse: true };
}

function optionsOf(ctx: {
	getNodeParameter: IWebhookFunctions['getNodeParameter'];
}): MessengerTriggerOptions {
	return ctx.getNodeParameter('messengerOptions', {}) as MessengerTriggerOptions;
}

/** Meta's subscription handshake: the challenge back when mode and verify token are right, else 403. */
async function handshake(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const query = ctx.getQueryData() as IDataObject;
	const hub = (query.hub ?? {}) as IDataObject;
	const mode = query['hub.mode'] ?? hub.mode;
	const token = query['hub.verify_token'] ?? hub.verify_token;
	const challenge = query['hub.challenge'] ?? hub.challenge;
	const { verifyToken } = await credentialsOf(ctx);
	if (mode !== 'subscribe' || typeof challenge !== 'string' || !safeEqual(verifyToken, token)) {
		ctx.logger.warn(
			'Chat Channel Trigger (Messenger): subscription handshake with a wrong verify token or mode refused',
		);
		return reply(ctx, 403, 'Forbidden');
	}
	return reply(ctx, 200, challenge);
}

async function download(ctx: IWebhookFunctions, url: string): Promise<FinalResponse> {
	// Anonymous (a signed CDN link needs no credential), with the envelope's timeout; Meta's CDN
	// answers directly, and a redirect to another host is not followed.
	return await sendRequest(ctx, {
		options: { method: 'GET', url, encoding: 'stream' },
		timeoutMs: TIMEOUTS.transfer,
		redirects: 'sameOrigin',
		retry: { retryServerErrors: true, maxAttempts: 3 },
	});
}

/** Opens an attachment (its URL is a public, signed CDN link on MESSENGER_MEDIA_SOURCES: no credentials are sent). */
async function openAttachment(ctx: IWebhookFunctions, url: string): Promise<OpenedDownload> {
	const response = await download(ctx, url);
	if (response.networkError !== undefined) throw response.networkError;
	const stream = response.body as BinaryStream & { destroy?: () => void };
	if (response.statusCode < 200 || response.statusCode >= 300) {
		stream?.destroy?.();
		throw new Error(`HTTP ${response.statusCode}`);
	}
	const length = Number(headerValue(response.headers, 'content-length') ?? NaN);
	return {
		stream,
		size: Number.isFinite(length) ? length : undefined,
		contentType: headerValue(response.headers, 'content-type')?.split(';')[0].trim() || undefined,
	};
}

const EVENT_OPTION: Record<string, string> = {
	message: 'message',
	echo: 'message',
	edit: 'edit',
	postback: 'postback',
	delivery: 'delivery',
	read: 'read',
};

async function deliveries(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const { appSecret, pageId, apiUrl } = await credentialsOf(ctx);
	const request = ctx.getRequestObject();
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function')
		await request.readRawBody();
	const raw = Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined;
	const signature = headerValue(
		ctx.getHeaderData() as Record<string, string | string[] | undefined>,
		'x-hub-signature-256',
	);
	if (
		!raw ||
		!verifyHmacSignature({
			algorithm: 'sha256',
			secret: appSecret,
			parts: [raw],
			signature,
			prefix: 'sha256=',
		})
	) {
		ctx.logger.warn(
			'Chat Channel Trigger (Messenger): delivery with a missing or wrong X-Hub-Signature-256 refused',
		);
		return reply(ctx, 401, 'Unauthorized: X-Hub-Signature-256 does not match');
	}
	let body: IDataObject;
	try {
		body = jsonParse<IDataObject>(raw.toString('utf8'));
	} catch {
		return reply(ctx, 400, 'Bad Request: the body is not JSON');
	}
	if (!body || typeof body !== 'object' || body.object !== 'page' || !Array.isArray(body.entry)) {
		return reply(ctx, 400, 'Bad Request: not a Messenger page event');
	}
	// After the run, n8n answers a delivery that starts the workflow (empty 200, or 500 so that Meta
	// sends it again); one that starts nothing is answered here
	const afterRun = acknowledgesAfterRun(ctx);
	if (!afterRun) reply(ctx, 200, 'EVENT_RECEIVED');

	const options = optionsOf(ctx);
	const wanted = ctx.getNodeParameter('messengerEvents', ['message', 'postback']) as string[];
	const refusal = (url: string) => mediaUrlRefusal(url, MESSENGER_MEDIA_SOURCES, apiUrl);
	const names = (options.lookUpNames ?? true) ? senderNameLookups(ctx, pageId) : undefined;
	const items: INodeExecutionData[] = [];
	const naming: Array<Promise<void>> = [];
	// one bad event must not cost the others: it arrives with a notice
	// one delivery is one execution: its files share one budget
	const budget = downloadBudget(options);
	for (const { pageId: entryPage, event } of eventsOf(body)) {
		const page = entryPage || pageId;
		let message: ChannelMessage;
		const item: INodeExecutionData = { json: {} };
		try {
			const kind = kindOf(event);
			if (!wanted.includes(EVENT_OPTION[kind] ?? 'other')) continue;
			if (kind === 'echo' && !options.includeEchoes) continue;
			message = normalize(page, event);
			if (handledBefore(afterRun, seenEvents, [message.eventId])) {
				ctx.logger.debug(`Chat Channel Trigger (Messenger): duplicate ${message.eventId} ignored`);
				continue;
			}
			// before its files are downloaded: a later message of the chat read meanwhile waits for it
			announce(message);
			// the name arrives while the rest of the delivery is read (each sender asked once)
			const sender = message.sender;
			if (names && sender.id && !sender.isBot)
				naming.push(names.request(sender.id).then((name) => void (sender.name = name)));
			if ((options.download ?? true) && message.attachments.some((a) => a.fileId)) {
				const binary = await downloadAttachments(
					ctx,
					message,
					Number(options.maxDownloadMb ?? 25),
					async (url) => await openAttachment(ctx, url),
					refusal,
					budget,
				);
				if (binary) item.binary = binary;
			}
			addSummary(message);
		} catch (error) {
			ctx.logger.warn(
				`Chat Channel Trigger (Messenger): an event could not be read (${(error as Error).message}); emitted with a notice`,
			);
			const sender = (event?.sender ?? {}) as IDataObject;
			message = unreadableEvent('messenger', page, event, error, {
				messageId: ((event?.message ?? {}) as IDataObject).mid,
				conversationId: sender.id,
				senderId: sender.id,
			});
			message.account = page;
			delete item.binary;
			if (handledBefore(afterRun, seenEvents, [message.eventId])) continue;
		}
		item.json = message as unknown as IDataObject;
		items.push(item);
	}
	if (!items.length)
		return afterRun ? reply(ctx, 200, 'EVENT_RECEIVED') : { noWebhookResponse: true };
	await Promise.all(naming);
	if (!afterRun) return { noWebhookResponse: true, workflowData: [items] };
	const eventIds = items.map((item) => String(item.json.eventId));
	claimWhenConfirmed(ctx, seenEvents, eventIds);
	return { workflowData: [items] };
}

export const messengerTrigger: TriggerAdapter = {
	getHandshake: true,
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

	async webhook(ctx) {
		if (ctx.getWebhookName() === 'setup') return await handshake(ctx);
		return await deliveries(ctx);
	},
};
