/**
 * Viber in the Chat Channel Trigger: the webhook is set on activation (`set_webhook`; Viber first
 * sends a signed `webhook` check to the URL, answered 200 here without starting anything) and
 * removed on deactivation (`url: ""`, only when it is still this trigger's). Callbacks are checked
 * by `X-Viber-Content-Signature` (hex HMAC-SHA256 of the raw body with the auth token, compared in
 * constant time), one item per callback. A Welcome Message answers `conversation_started`.
 */
import type { IDataObject, IHookFunctions, INodeProperties, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { BinaryStream } from '../../shared/binary';
import { TIMEOUTS, sendRequest } from '../../shared/http';
import { headerValue, verifyHmacSignature } from '../../shared/signature';
import type { FileSource, OpenedDownload } from '../attachments';
import { downloadBudget, downloadBudgetOptions } from '../attachments';
import { mediaUrlRefusal } from '../mediaSources';
import type { EventReader, ReceiveAdapter } from '../receive';
import { Refusal } from '../receive';
import type { TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import { accountIdOf, accountOf } from './account';
import type { ViberEvent } from './normalize';
import { normalize, VIBER_EVENTS, VIBER_MEDIA_SOURCES } from './normalize';
import { credentialsOf, parseViberJson, senderOf, viberApiRequest } from './transport';

interface ViberTriggerOptions {
	download?: boolean;
	maxDownloadMb?: number;
	maxBatchMb?: number;
	maxConversationMb?: number;
	replaceWebhook?: boolean;
	welcomeMessage?: string;
}

interface ViberStaticData extends IDataObject {
	webhookUrl?: string;
	/** The bot's id (get_account_info), the `account` of every item. */
	accountId?: string;
}

const show = { show: { channel: ['viber'] } };

export const viberTriggerProperties: INodeProperties[] = [
	{
		displayName:
			'Activating the workflow points the bot\'s webhook here (Viber "set_webhook"); ' +
			'deactivating removes it. A bot has one webhook: one active workflow per bot.',
		name: 'viberNotice',
		type: 'notice',
		default: '',
		displayOptions: show,
	},
	{
		displayName: 'Trigger On',
		name: 'viberEvents',
		type: 'multiOptions',
		displayOptions: show,
		options: [
			{
				name: 'Conversation Started',
				value: 'conversation_started',
				description:
					'Someone opened the chat with the bot (event "other", raw.event "conversation_started"); they may not be subscribed yet',
			},
			{
				name: 'Delivered',
				value: 'delivered',
				description: 'A message of the bot reached the customer\'s device (status "delivered")',
			},
			{
				name: 'Failed',
				value: 'failed',
				description: 'A message of the bot could not be delivered (status "failed")',
			},
			{
				name: 'Message',
				value: 'message',
				description: 'Text, files, locations, contacts, button replies',
			},
			{
				name: 'Seen',
				value: 'seen',
				description: 'The customer saw a message of the bot (status "read")',
			},
			{
				name: 'Subscribed',
				value: 'subscribed',
				description: 'Someone subscribed to the bot (event "other", raw.event "subscribed")',
			},
			{
				name: 'Unsubscribed',
				value: 'unsubscribed',
				description:
					'Someone unsubscribed: the bot can no longer write to them (event "other", raw.event "unsubscribed")',
			},
		],
		default: ['message', 'failed'],
	},
	{
		displayName: 'Options',
		name: 'viberOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: show,
		options: [
			{
				displayName: 'Download Attachments',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download pictures, videos, files and stickers into binary properties (data, …)',
			},
			...downloadBudgetOptions,
			{
				displayName: 'Max File Size (MB)',
				name: 'maxDownloadMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 50,
				description: 'Larger files are not downloaded; the attachment gets a notice instead',
			},
			{
				displayName: 'Replace Existing Webhook',
				name: 'replaceWebhook',
				type: 'boolean',
				default: false,
				description:
					'Whether to take the bot over when its webhook points elsewhere. Off: activation ' +
					'stops with an error naming the webhook.',
			},
			{
				displayName: 'Welcome Message',
				name: 'welcomeMessage',
				type: 'string',
				typeOptions: { rows: 2 },
				default: '',
				description:
					'Sent to whoever opens the chat (Viber\'s answer to "conversation_started", allowed ' +
					'before they subscribe). With Acknowledge "After the Workflow Has Run" only when ' +
					'Conversation Started does not start the workflow.',
			},
		],
	},
];

function optionsOf(ctx: {
	getNodeParameter: IWebhookFunctions['getNodeParameter'];
}): ViberTriggerOptions {
	return ctx.getNodeParameter('viberOptions', {}) as ViberTriggerOptions;
}

function eventsOf(ctx: { getNodeParameter: IWebhookFunctions['getNodeParameter'] }): string[] {
	return ctx.getNodeParameter('viberEvents', ['message', 'failed']) as string[];
}

/** The optional callbacks asked for in set_webhook (messages always come). */
function eventTypes(ctx: IHookFunctions): string[] {
	return eventsOf(ctx).filter(
		(event) => event !== 'message' && VIBER_EVENTS.includes(event as never),
	);
}

async function download(ctx: IWebhookFunctions, url: string) {
	// anonymous: Viber's media links need no token; a redirect to another host is not followed
	return await sendRequest(ctx, {
		options: { method: 'GET', url, encoding: 'stream' },
		timeoutMs: TIMEOUTS.transfer,
		redirects: 'sameOrigin',
		retry: { retryServerErrors: true, maxAttempts: 3 },
	});
}

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

/** Where Viber's media come from: its media hosts (or the API Base URL's host), without the token. */
function viberFiles(
	ctx: IWebhookFunctions,
	options: ViberTriggerOptions,
	apiUrl: string,
): FileSource | undefined {
	if (!(options.download ?? true)) return undefined;
	return {
		capMb: Number(options.maxDownloadMb ?? 50),
		budget: () => downloadBudget(options),
		isFile: (attachment) => /^https?:\/\//i.test(attachment.fileId ?? ''),
		refusal: (attachment) => mediaUrlRefusal(attachment.fileId!, VIBER_MEDIA_SOURCES, apiUrl),
		open: async (attachment) => await openAttachment(ctx, attachment.fileId!),
	};
}

/** A verified callback: its body, and whether it is only Viber's URL check. */
interface ViberDelivery {
	body: ViberEvent;
	apiUrl: string;
	check: boolean;
}

/** The welcome answers of requests being handled (set when verified, written by `answer`). */
const welcomes = new WeakMap<IWebhookFunctions, string>();

function viberReader(
	ctx: IWebhookFunctions,
	delivery: ViberDelivery,
	account: string,
): EventReader<ViberEvent> {
	const options = optionsOf(ctx);
	const wanted = eventsOf(ctx);
	return {
		filter: (event) => {
			const kind = String(event.event ?? '');
			if (!VIBER_EVENTS.includes(kind as never))
				return `callback "${kind}" is not one the trigger takes`;
			return wanted.includes(kind) ? undefined : `${kind} not selected`;
		},
		normalize: (event) => normalize(account, event),
		unreadable(event, error) {
			const sender = (event.sender ?? event.user ?? {}) as IDataObject;
			const senderId = sender.id ?? event.user_id;
			const message = unreadableEvent('viber', account, event, error, {
				messageId: event.message_token,
				conversationId: senderId,
				senderId,
			});
			message.account = account;
			return message;
		},
		files: viberFiles(ctx, options, delivery.apiUrl),
	};
}

/** The request's bytes as received (the signature is over them). */
async function rawBodyOf(ctx: IWebhookFunctions): Promise<Buffer | undefined> {
	const request = ctx.getRequestObject();
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function')
		await request.readRawBody();
	return Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined;
}

function parsed(raw: Buffer): ViberEvent | undefined {
	try {
		const body = parseViberJson<ViberEvent>(raw.toString('utf8'));
		return body && typeof body === 'object' && !Array.isArray(body) ? body : undefined;
	} catch {
		return undefined;
	}
}

/** Viber's side of the pipeline: the signature over the raw bytes, an empty JSON answer. */
const viberReceive: ReceiveAdapter<ViberDelivery, ViberEvent> = {
	label: 'Chat Channel Trigger (Viber)',
	async verify(ctx) {
		const credentials = await credentialsOf(ctx);
		const raw = await rawBodyOf(ctx);
		const signature = headerValue(
			ctx.getHeaderData() as Record<string, string | string[] | undefined>,
			'x-viber-content-signature',
		);
		const body = raw ? parsed(raw) : undefined;
		const signed =
			!!raw &&
			verifyHmacSignature({
				algorithm: 'sha256',
				secret: credentials.token,
				parts: [raw],
				signature,
			});
		if (!signed) {
			// Viber's URL check starts nothing: answered 200 even unsigned, so that set_webhook works
			if (body?.event === 'webhook' && Object.keys(body).length <= 5)
				return { body, apiUrl: credentials.apiUrl, check: true };
			return new Refusal(
				401,
				'Unauthorized: X-Viber-Content-Signature does not match',
				'callback with a missing or wrong X-Viber-Content-Signature refused',
			);
		}
		if (!body) return new Refusal(400, 'Bad Request: the body is not a JSON object');
		const welcome = String(optionsOf(ctx).welcomeMessage ?? '').trim();
		if (welcome && body.event === 'conversation_started' && credentials.botName) {
			welcomes.set(
				ctx,
				JSON.stringify({ sender: senderOf(credentials), type: 'text', text: welcome }),
			);
		}
		return { body, apiUrl: credentials.apiUrl, check: body.event === 'webhook' };
	},
	events({ body, check }) {
		if (typeof body.event !== 'string')
			return new Refusal(400, 'Bad Request: not a Viber callback');
		return check ? [] : [body];
	},
	async reader(ctx, delivery) {
		// the URL check reads nothing: no need to know the bot
		const staticData = ctx.getWorkflowStaticData('node') as ViberStaticData;
		const account = delivery.check ? '' : (staticData.accountId ?? (await accountOf(ctx)));
		return viberReader(ctx, delivery, account);
	},
	answer(ctx, reply) {
		const res = ctx.getResponseObject();
		res.status(reply.status);
		if (reply.status !== 200) {
			res.setHeader('Content-Type', 'text/plain; charset=utf-8');
			res.end(reply.text ?? '');
			return;
		}
		res.setHeader('Content-Type', 'application/json');
		res.end(welcomes.get(ctx) ?? '{}');
	},
	answersItself: true,
};

function webhookUrlOf(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url)
		throw new NodeOperationError(ctx.getNode(), 'n8n did not give this trigger a webhook URL');
	return url;
}

interface AccountInfo {
	id?: string;
	webhook?: string;
}

async function accountInfo(ctx: IHookFunctions): Promise<AccountInfo> {
	return await viberApiRequest<AccountInfo>(ctx, {
		api: 'get_account_info',
		idempotent: true,
		what: 'read the bot',
	});
}

export const viberTrigger: TriggerAdapter = {
	async checkExists(ctx) {
		const staticData = ctx.getWorkflowStaticData('node') as ViberStaticData;
		const info = await accountInfo(ctx);
		return Boolean(info.webhook) && info.webhook === webhookUrlOf(ctx) && !!staticData.accountId;
	},

	async create(ctx) {
		const url = webhookUrlOf(ctx);
		const staticData = ctx.getWorkflowStaticData('node') as ViberStaticData;
		const info = await accountInfo(ctx);
		// our own earlier production registration (n8n's URL changed) is ours to move; never for a
		// test listener, whose static data is a copy of production's
		const ours = ctx.getMode() !== 'manual' && info.webhook === staticData.webhookUrl;
		if (info.webhook && info.webhook !== url && !ours && !optionsOf(ctx).replaceWebhook) {
			const production = url.replace('/webhook-test/', '/webhook/');
			const what =
				info.webhook === production
					? 'the production URL of this workflow (it is active)'
					: info.webhook;
			throw new NodeOperationError(ctx.getNode(), `This bot's webhook already points to ${what}`, {
				description:
					ctx.getMode() === 'manual'
						? 'A bot has one webhook: listening for a test event would take it away from production. ' +
							'Test with a second bot, or turn on "Replace Existing Webhook" if you mean it.'
						: 'A bot has one webhook. Turn on "Replace Existing Webhook" to take it over, or use another bot.',
			});
		}
		staticData.accountId = accountIdOf(info) || undefined;
		// Viber checks the URL (a `webhook` callback answered 200) before it answers
		await viberApiRequest(ctx, {
			api: 'set_webhook',
			body: { url, event_types: eventTypes(ctx), send_name: true, send_photo: true },
			idempotent: true,
			what: 'set the webhook',
		});
		staticData.webhookUrl = url;
		return true;
	},

	async delete(ctx) {
		const staticData = ctx.getWorkflowStaticData('node') as ViberStaticData;
		const url = webhookUrlOf(ctx);
		delete staticData.webhookUrl;
		delete staticData.accountId;
		const info = await accountInfo(ctx);
		// only our own webhook: another workflow (or this one's production) may own the bot now
		if (info.webhook !== url) return true;
		await viberApiRequest(ctx, {
			api: 'set_webhook',
			body: { url: '' },
			idempotent: true,
			what: 'remove the webhook',
		});
		return true;
	},

	receive: viberReceive as ReceiveAdapter<unknown, unknown>,
};
