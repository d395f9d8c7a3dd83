/**
 * WhatsApp (Cloud API) in the Chat Channel Trigger: Meta's GET handshake (webhook "setup") and
 * signed POST notifications (X-Hub-Signature-256 over the raw bytes, ../meta/webhook.ts), one item
 * per message or status of `entry[].changes[].value`. One app subscription serves every number of
 * the WhatsApp Business Account: each item's `account` is the number's `phone_number_id`, and
 * "Phone Number IDs" keeps the trigger to some of them.
 */
import type { IDataObject, IHookFunctions, INodeProperties, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { FileSource } from '../attachments';
import { downloadBudget, downloadBudgetOptions } from '../attachments';
import { answerHandshake, answerPlain, signedDelivery } from '../meta/webhook';
import type { EventReader, ReceiveAdapter } from '../receive';
import { Refusal } from '../receive';
import type { TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import { relayedLink } from '../waiting';
import type { CloudEvent } from './normalize';
import { eventsOf, isMediaId, normalize } from './normalize';
import { noteReceived } from './recent';
import { relayTap } from './relay';
import { CLOUD_LIMITS, cloudApiRequest, credentialsOf, openMedia } from './transport';

const LABEL = 'Chat Channel Trigger (WhatsApp Cloud API)';

interface CloudTriggerOptions {
	phoneNumberIds?: string;
	download?: boolean;
	maxDownloadMb?: number;
	maxBatchMb?: number;
	maxConversationMb?: number;
	subscribeApp?: boolean;
}

export const whatsappCloudTriggerProperties: INodeProperties[] = [
	{
		displayName:
			"In the Meta App Dashboard: WhatsApp → Configuration → Webhook → Edit: paste this node's " +
			'webhook URL as Callback URL and the Verify Token of the credential, "Verify and save", then ' +
			'subscribe to the webhook field "messages". The WhatsApp Business Account must be subscribed ' +
			'to the app too (Options → Subscribe App does it on activation).',
		name: 'whatsappcloudNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { channel: ['whatsappcloud'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'whatsappcloudEvents',
		type: 'multiOptions',
		displayOptions: { show: { channel: ['whatsappcloud'] } },
		options: [
			{
				name: 'Edited Message',
				value: 'edit',
				description:
					'A customer changed a message (event "edited_message"; numbers also used in the WhatsApp Business app)',
			},
			{
				name: 'Message',
				value: 'message',
				description: 'Text, media, location, contacts, button and list taps (event "callback")',
			},
			{
				name: 'Reaction',
				value: 'reaction',
				description: 'A customer reacted to a message or took the reaction back (event "reaction")',
			},
			{
				name: 'Status',
				value: 'status',
				description:
					'Statuses of sent messages: sent, delivered, read, failed (with the error code), and errors of the account',
			},
		],
		default: ['message'],
	},
	{
		displayName: 'Options',
		name: 'whatsappcloudOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { channel: ['whatsappcloud'] } },
		options: [
			{
				displayName: 'Download Media',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download images, audio, video, documents and stickers into binary properties ' +
					'(data, data_1, …) with the access token',
			},
			...downloadBudgetOptions,
			{
				displayName: 'Max File Size (MB)',
				name: 'maxDownloadMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 100,
				description:
					'Larger files are not downloaded; the attachment gets a notice instead (WhatsApp documents are at most 100 MB)',
			},
			{
				displayName: 'Phone Number IDs',
				name: 'phoneNumberIds',
				type: 'string',
				default: '',
				placeholder: '106540352242922, 106540352242923',
				description:
					'The business numbers (their IDs, comma-separated) whose messages start the workflow; empty: every number of the app subscription',
			},
			{
				displayName: 'Subscribe App',
				name: 'subscribeApp',
				type: 'boolean',
				default: false,
				description:
					"Whether to subscribe the app to the WhatsApp Business Account's webhooks on activation " +
					'(POST /{WABA-ID}/subscribed_apps; needs the WhatsApp Business Account ID in the credential). ' +
					'The subscription is left in place on deactivation.',
			},
		],
	},
];

function optionsOf(ctx: {
	getNodeParameter: IWebhookFunctions['getNodeParameter'];
}): CloudTriggerOptions {
	return ctx.getNodeParameter('whatsappcloudOptions', {}) as CloudTriggerOptions;
}

/** The numbers the trigger takes; empty: all. */
function numbersOf(options: CloudTriggerOptions): string[] {
	return String(options.phoneNumberIds ?? '')
		.split(/[\s,;]+/)
		.map((id) => id.trim())
		.filter(Boolean);
}

/** What an event is for "Trigger On". */
function optionOf(event: CloudEvent): string {
	if (event.kind !== 'message') return 'status';
	if (event.body.type === 'edit' || event.body.type === 'reaction') return event.body.type;
	return 'message';
}

/** The Send and Wait link of a button or list tap, or undefined (read from the raw event). */
function tapLink(event: CloudEvent): string | undefined {
	if (event.kind !== 'message' || event.body.type !== 'interactive') return undefined;
	const interactive = (event.body.interactive ?? {}) as IDataObject;
	const reply = (interactive.button_reply ?? interactive.list_reply ?? {}) as IDataObject;
	return relayedLink(typeof reply.id === 'string' ? reply.id : undefined);
}

/** Where received media come from: `GET /{media-id}`, then its URL with the token. */
function cloudFiles(ctx: IWebhookFunctions, options: CloudTriggerOptions): FileSource | undefined {
	if (!(options.download ?? true)) return undefined;
	return {
		capMb: Number(options.maxDownloadMb ?? CLOUD_LIMITS.maxDownloadMb),
		budget: () => downloadBudget(options),
		isFile: (attachment) => isMediaId(attachment.fileId),
		open: async (attachment) => await openMedia(ctx, attachment.fileId!),
	};
}

function cloudReader(ctx: IWebhookFunctions): EventReader<CloudEvent> {
	const options = optionsOf(ctx);
	const wanted = ctx.getNodeParameter('whatsappcloudEvents', ['message']) as string[];
	const numbers = numbersOf(options);
	return {
		filter(event) {
			if (numbers.length && !numbers.includes(event.phoneNumberId))
				return `phone number ${event.phoneNumberId} not in "Phone Number IDs"`;
			// a Send and Wait answer is relayed whatever the trigger starts on
			if (tapLink(event) !== undefined) return undefined;
			const option = optionOf(event);
			return wanted.includes(option) ? undefined : `${option} not selected`;
		},
		normalize,
		unreadable(event, error) {
			const body = event.body ?? {};
			const message = unreadableEvent('whatsappcloud', event.phoneNumberId, body, error, {
				messageId: body.id,
				conversationId: body.from ?? body.recipient_id,
				senderId: body.from,
			});
			message.account = event.phoneNumberId;
			return message;
		},
		relay: async (message) => await relayTap(ctx, message),
		enrich(message) {
			// the newest message of each customer: what "typing…" and read ticks refer to
			noteReceived(message);
			return undefined;
		},
		files: cloudFiles(ctx, options),
	};
}

/** Meta's side of the pipeline: X-Hub-Signature-256 over the raw bytes, 200 at once. */
const cloudReceive: ReceiveAdapter<{ body: IDataObject }, CloudEvent> = {
	label: LABEL,
	async handshake(ctx) {
		const { verifyToken } = await credentialsOf(ctx);
		return answerHandshake(ctx, verifyToken, LABEL);
	},
	async verify(ctx) {
		const { appSecret } = await credentialsOf(ctx);
		const body = await signedDelivery(ctx, appSecret);
		return body instanceof Refusal ? body : { body };
	},
	events({ body }) {
		if (!body || body.object !== 'whatsapp_business_account' || !Array.isArray(body.entry))
			return new Refusal(400, 'Bad Request: not a WhatsApp Business Account notification');
		return eventsOf(body);
	},
	reader: async (ctx) => cloudReader(ctx),
	answer: (ctx, reply) => void answerPlain(ctx, reply.status, reply.text ?? 'OK'),
	answersItself: true,
};

/** The WABA to subscribe the app to, when "Subscribe App" is on. */
async function accountToSubscribe(ctx: IHookFunctions): Promise<string | undefined> {
	if (!optionsOf(ctx).subscribeApp) return undefined;
	const { businessAccountId } = await credentialsOf(ctx);
	if (!/^\d{5,30}$/.test(businessAccountId))
		throw new NodeOperationError(
			ctx.getNode(),
			'Subscribe App needs the WhatsApp Business Account ID',
			{
				description:
					'Enter the WhatsApp Business Account ID in the credential (Meta app → WhatsApp → API Setup), or turn the option off.',
			},
		);
	return businessAccountId;
}

export const whatsappCloudTrigger: TriggerAdapter = {
	async checkExists(ctx) {
		const waba = await accountToSubscribe(ctx);
		if (!waba) return true;
		const apps = await cloudApiRequest<{ data?: unknown[] }>(ctx, {
			method: 'GET',
			path: `/${encodeURIComponent(waba)}/subscribed_apps`,
			idempotent: true,
			what: 'read the app subscriptions',
		});
		return (apps.data ?? []).length > 0;
	},
	async create(ctx) {
		const waba = await accountToSubscribe(ctx);
		if (!waba) return true;
		await cloudApiRequest(ctx, {
			method: 'POST',
			path: `/${encodeURIComponent(waba)}/subscribed_apps`,
			idempotent: true,
			what: 'subscribe the app',
		});
		return true;
	},
	// The subscription stays: the same app may serve other workflows and numbers.
	async delete() {
		return true;
	},
	receive: cloudReceive,
};
