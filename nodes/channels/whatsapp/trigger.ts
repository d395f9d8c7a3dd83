/**
 * WhatsApp through Twilio in the Chat Channel Trigger: the webhook URL pasted into the Twilio
 * console for the WhatsApp sender (and as Status Callback URL). Every request is checked against
 * `X-Twilio-Signature` before anything else; Twilio gets `<Response/>` at once.
 */
import type { IDataObject, IHookFunctions, INodeProperties, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { headerValue, verifyHmacSignature } from '../../shared/signature';
import type { FileSource } from '../attachments';
import { downloadBudget, downloadBudgetOptions } from '../attachments';
import { mediaUrlRefusal } from '../mediaSources';
import type { EventReader, ReceiveAdapter } from '../receive';
import { Refusal } from '../receive';
import type { TriggerAdapter } from '../types';
import { unreadableEvent } from '../unreadable';
import type { TwilioParams } from './normalize';
import { idProblem, isStatusCallback, normalize, one, TWILIO_MEDIA_SOURCES } from './normalize';
import { TWILIO_LIMITS, twilioApiRequest, credentialsOf, twilioDownload } from './transport';

/**
 * Twilio's connection overrides (docs/channel-apis.md §4), appended as a URL fragment when the
 * trigger sets its URL on a number or a Messaging Service: retry a failed delivery (connection
 * refused or timed out, read timeout, any 4xx or 5xx, e.g. n8n's 404 while the workflow is being
 * activated or a proxy's 502 while n8n restarts) up to 5 times, Twilio's maximum, within its
 * 15-second total. A 2-second connect and 5-second read timeout leave room for retries.
 */
export const TWILIO_CONNECTION_OVERRIDES = 'ct=2000&rt=5000&tt=15000&rc=5&rp=all';

interface WhatsAppTriggerOptions {
	download?: boolean;
	maxDownloadMb?: number;
	maxBatchMb?: number;
	maxConversationMb?: number;
	publicUrl?: string;
	/** Set the webhook through the REST API on activation: on a phone number or a Messaging Service. */
	configureOn?: 'none' | 'phoneNumber' | 'messagingService';
	configureTarget?: string;
}

export const whatsappTriggerProperties: INodeProperties[] = [
	{
		displayName:
			"Paste this node's webhook URL into the Twilio console: Messaging → Senders → WhatsApp senders → " +
			'your sender → "Webhook URL for incoming messages" (sandbox: "When a message comes in"), method POST. ' +
			'Use it as Status Callback URL too to receive delivery events. ' +
			`Add #${TWILIO_CONNECTION_OVERRIDES} to the URL to have Twilio retry a delivery n8n did not take ` +
			'(for up to 15 seconds; Options → Configure Webhook On does it for you).',
		name: 'whatsappNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { channel: ['whatsapp'] } },
	},
	{
		displayName: 'Trigger On',
		name: 'whatsappEvents',
		type: 'multiOptions',
		displayOptions: { show: { channel: ['whatsapp'] } },
		options: [
			{
				name: 'Message',
				value: 'message',
				description: 'A customer wrote (text, media, location, button tap)',
			},
			{
				name: 'Status',
				value: 'status',
				description:
					'Status callbacks of sent messages: queued, sent, delivered, read, failed, undelivered',
			},
		],
		default: ['message'],
	},
	{
		displayName: 'Options',
		name: 'whatsappOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { channel: ['whatsapp'] } },
		options: [
			{
				displayName: 'Configure Webhook On',
				name: 'configureOn',
				type: 'options',
				options: [
					{ name: 'Nothing (Paste the URL in the Console)', value: 'none' },
					{
						name: 'Phone Number',
						value: 'phoneNumber',
						description:
							"Set this URL as the number's messaging webhook (IncomingPhoneNumbers: SmsUrl) on activation, " +
							"with Twilio's retry options (#rc=5&rp=all…)",
					},
					{
						name: 'Messaging Service',
						value: 'messagingService',
						description:
							"Set this URL as the service's inbound request URL on activation, with Twilio's retry options (#rc=5&rp=all…)",
					},
				],
				default: 'none',
				description:
					'Whether the trigger sets its URL in Twilio itself on activation, and restores the previous URL on deactivation',
			},
			{
				displayName: 'Download Media',
				name: 'download',
				type: 'boolean',
				default: true,
				description:
					'Whether to download images, audio, video and documents into binary properties ' +
					"(data, data_1, …) with the account's credentials",
			},
			...downloadBudgetOptions,
			{
				displayName: 'Max File Size (MB)',
				name: 'maxDownloadMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 16,
				description:
					'Larger files are not downloaded; the attachment gets a notice instead (WhatsApp media is at most 16 MB)',
			},
			{
				displayName: 'Phone Number or Service SID',
				name: 'configureTarget',
				type: 'string',
				default: '',
				placeholder: '+14155238886 or MG…',
				description:
					'With "Configure Webhook On": the WhatsApp number (E.164) or the Messaging Service SID',
			},
			{
				displayName: 'Public URL',
				name: 'publicUrl',
				type: 'string',
				default: '',
				placeholder: 'https://n8n.example.com/webhook/…/webhook',
				description:
					'The URL exactly as entered in the Twilio console, when n8n runs behind a reverse proxy that ' +
					'changes scheme, host, port or path. Twilio signs that URL; empty: the webhook URL n8n shows.',
			},
		],
	},
];

const TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

function send(ctx: IWebhookFunctions, status: number, body: string, type = 'text/plain'): void {
	const res = ctx.getResponseObject();
	res.status(status);
	res.setHeader('Content-Type', type);
	res.end(body);
}

/** The form parameters exactly as sent (repeated names keep every value). */
async function formParams(ctx: IWebhookFunctions): Promise<TwilioParams | undefined> {
	const request = ctx.getRequestObject();
	if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function')
		await request.readRawBody();
	const params: TwilioParams = {};
	if (Buffer.isBuffer(request.rawBody)) {
		if (!/application\/x-www-form-urlencoded/i.test(String(request.headers['content-type'] ?? '')))
			return undefined;
		for (const [name, value] of new URLSearchParams(request.rawBody.toString('utf8'))) {
			const earlier = params[name];
			params[name] =
				earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
		}
		return params;
	}
	const body = ctx.getBodyData() as IDataObject;
	if (!body || typeof body !== 'object') return undefined;
	for (const [name, value] of Object.entries(body))
		params[name] = Array.isArray(value) ? value.map(String) : String(value);
	return params;
}

/**
 * Twilio's string to sign: the URL, then every parameter name + value, sorted by name (values of a
 * name sorted too).
 */
export function twilioSignedData(url: string, params: TwilioParams): string {
	let data = url;
	for (const name of Object.keys(params).sort()) {
		const value = params[name];
		for (const one of (Array.isArray(value) ? [...value] : [value ?? '']).sort())
			data += name + one;
	}
	return data;
}

/** The URL as given, with and without the scheme's standard port (twilio-node tries both). */
function urlVariants(url: string): string[] {
	const variants = [url];
	try {
		const parsed = new URL(url);
		const standard = parsed.protocol === 'https:' ? '443' : '80';
		if (parsed.port === '') {
			variants.push(
				url.replace(
					`${parsed.protocol}//${parsed.host}`,
					`${parsed.protocol}//${parsed.hostname}:${standard}`,
				),
			);
		} else if (parsed.port === standard) {
			variants.push(url.replace(`:${standard}`, ''));
		}
	} catch {
		// not a URL: only the value itself
	}
	return variants;
}

/** The URL without its fragment (connection overrides are one; a fragment never reaches n8n). */
function withoutFragment(url: string): string {
	const hash = url.indexOf('#');
	return hash === -1 ? url : url.slice(0, hash);
}

/**
 * The URLs Twilio may have signed for a request to `url`: Twilio's documentation does not say
 * whether the fragment of connection overrides is part of the signed URL, so the URL without a
 * fragment, with the trigger's own overrides, and with the fragment given in `url` (a Public URL
 * entered with one) are all accepted. Each is a URL Twilio calls for this webhook and every
 * signature still needs the Auth Token, so accepting any of them does not weaken the check.
 */
function signedUrlCandidates(url: string): string[] {
	const base = withoutFragment(url);
	const candidates = [base, `${base}#${TWILIO_CONNECTION_OVERRIDES}`];
	if (url !== base && !candidates.includes(url)) candidates.push(url);
	return candidates;
}

export function verifyTwilioSignature(
	authToken: string,
	signature: string | undefined,
	url: string,
	params: TwilioParams,
): boolean {
	return signedUrlCandidates(url)
		.flatMap((candidate) => urlVariants(candidate))
		.some((candidate) =>
			verifyHmacSignature({
				algorithm: 'sha1',
				secret: authToken,
				parts: [twilioSignedData(candidate, params)],
				signature,
				encoding: 'base64',
			}),
		);
}

/** The URL Twilio called: the public URL option, or n8n's webhook URL plus the request's query string. */
function signedUrlOf(ctx: IWebhookFunctions, options: WhatsAppTriggerOptions): string {
	const configured = String(options.publicUrl ?? '').trim();
	if (configured) return configured;
	const request = ctx.getRequestObject();
	const path = String(request.originalUrl ?? request.url ?? '');
	const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
	return `${ctx.getNodeWebhookUrl('default') ?? ''}${query}`;
}

type ConfigTarget =
	{ kind: 'phoneNumber'; sid: string } | { kind: 'messagingService'; sid: string };

function hookUrlOf(ctx: IHookFunctions): string {
	const options = ctx.getNodeParameter('whatsappOptions', {}) as WhatsAppTriggerOptions;
	return String(options.publicUrl ?? '').trim() || (ctx.getNodeWebhookUrl('default') ?? '');
}

/**
 * The URL the trigger sets in Twilio: its own URL with the connection overrides that make Twilio
 * retry a failed delivery; a Public URL that has a fragment already is set as it was entered.
 */
function configuredUrlOf(ctx: IHookFunctions): string {
	const url = hookUrlOf(ctx);
	return url.includes('#') ? url : `${url}#${TWILIO_CONNECTION_OVERRIDES}`;
}

/** Whether a URL set in Twilio is this trigger's, with or without a fragment. */
function isOwnUrl(ctx: IHookFunctions, url: string): boolean {
	return url !== '' && withoutFragment(url) === withoutFragment(hookUrlOf(ctx));
}

/** The number (its PN SID, looked up by E.164) or Messaging Service to configure, if any. */
async function configTarget(ctx: IHookFunctions): Promise<ConfigTarget | undefined> {
	const options = ctx.getNodeParameter('whatsappOptions', {}) as WhatsAppTriggerOptions;
	const kind = options.configureOn ?? 'none';
	if (kind === 'none') return undefined;
	const value = String(options.configureTarget ?? '')
		.trim()
		.replace(/^whatsapp:/i, '');
	if (kind === 'messagingService') {
		if (!/^MG[0-9a-f]{32}$/i.test(value)) {
			throw new NodeOperationError(
				ctx.getNode(),
				`"${value.slice(0, 40)}" is not a Messaging Service SID`,
				{
					description:
						'A Messaging Service SID is MG followed by 32 hexadecimal characters (Console → Messaging → Services).',
				},
			);
		}
		return { kind, sid: value };
	}
	if (!/^\+[1-9]\d{6,14}$/.test(value)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`"${value.slice(0, 40)}" is not a phone number in E.164 form`,
			{
				description:
					'Enter the WhatsApp number of your Twilio account as +<country code><number>, e.g. +14155238886.',
			},
		);
	}
	const found = await twilioApiRequest<{ incoming_phone_numbers?: Array<{ sid: string }> }>(ctx, {
		method: 'GET',
		path: '/IncomingPhoneNumbers.json',
		qs: { PhoneNumber: value },
		idempotent: true,
		what: 'find the phone number',
	});
	const sid = found.incoming_phone_numbers?.[0]?.sid;
	if (!sid) {
		throw new NodeOperationError(ctx.getNode(), `The Twilio account has no phone number ${value}`, {
			description:
				'Check "Phone Number or Service SID", or paste the webhook URL into the console (Configure Webhook On: Nothing).',
		});
	}
	return { kind, sid };
}

async function readConfigured(ctx: IHookFunctions, target: ConfigTarget): Promise<{ url: string }> {
	if (target.kind === 'phoneNumber') {
		const number = await twilioApiRequest<{ sms_url?: string }>(ctx, {
			method: 'GET',
			path: `/IncomingPhoneNumbers/${target.sid}.json`,
			idempotent: true,
			what: 'read the phone number',
		});
		return { url: String(number.sms_url ?? '') };
	}
	const service = await twilioApiRequest<{ inbound_request_url?: string }>(ctx, {
		method: 'GET',
		path: `/Services/${target.sid}`,
		api: 'messaging',
		idempotent: true,
		what: 'read the Messaging Service',
	});
	return { url: String(service.inbound_request_url ?? '') };
}

async function writeConfigured(
	ctx: IHookFunctions,
	target: ConfigTarget,
	url: string,
): Promise<void> {
	if (target.kind === 'phoneNumber') {
		await twilioApiRequest(ctx, {
			method: 'POST',
			path: `/IncomingPhoneNumbers/${target.sid}.json`,
			form: { SmsUrl: url, SmsMethod: 'POST' },
			idempotent: true,
			what: "set the phone number's webhook",
		});
		return;
	}
	await twilioApiRequest(ctx, {
		method: 'POST',
		path: `/Services/${target.sid}`,
		api: 'messaging',
		form: { InboundRequestUrl: url, InboundMethod: 'POST', UseInboundWebhookOnNumber: 'false' },
		idempotent: true,
		what: "set the Messaging Service's webhook",
	});
}

/** A verified Twilio request: its parameters and the account's credentials. */
interface TwilioDelivery {
	params: TwilioParams;
	accountSid: string;
	baseUrl: string;
}

/** Where WhatsApp media come from: Twilio's media URLs, fetched with the account's credentials. */
function twilioFiles(
	ctx: IWebhookFunctions,
	options: WhatsAppTriggerOptions,
	baseUrl: string,
): FileSource | undefined {
	if (!(options.download ?? true)) return undefined;
	return {
		capMb: Number(options.maxDownloadMb ?? 16),
		budget: () => downloadBudget(options),
		isFile: (attachment) => /^https?:\/\//i.test(attachment.fileId ?? ''),
		refusal: (attachment) => mediaUrlRefusal(attachment.fileId!, TWILIO_MEDIA_SOURCES, baseUrl),
		open: async (attachment) => await twilioDownload(ctx, attachment.fileId!),
	};
}

/** How a request's one event is read: status callbacks and messages as "Trigger On" selects. */
function twilioReader(ctx: IWebhookFunctions, delivery: TwilioDelivery): EventReader<TwilioParams> {
	const options = ctx.getNodeParameter('whatsappOptions', {}) as WhatsAppTriggerOptions;
	const wanted = ctx.getNodeParameter('whatsappEvents', ['message']) as string[];
	const kindOf = (params: TwilioParams) => (isStatusCallback(params) ? 'status' : 'message');
	return {
		filter: (params) =>
			wanted.includes(kindOf(params)) ? undefined : `${kindOf(params)} not selected`,
		normalize: (params) => normalize(params),
		unreadable(params, error) {
			const raw = Object.fromEntries(
				Object.entries(params).map(([k, v]) => [k, v ?? '']),
			) as IDataObject;
			const message = unreadableEvent('whatsapp', delivery.accountSid, raw, error, {
				messageId: one(params.MessageSid),
				conversationId: one(params.From),
				senderId: one(params.From).replace(/^whatsapp:/, ''),
			});
			const account = params[kindOf(params) === 'status' ? 'From' : 'To'];
			message.account = one(account).replace(/^whatsapp:/, '');
			return message;
		},
		files: twilioFiles(ctx, options, delivery.baseUrl),
	};
}

/** Twilio's side of the pipeline: X-Twilio-Signature first, TwiML `<Response/>` as the answer. */
const twilioReceive: ReceiveAdapter<TwilioDelivery, TwilioParams> = {
	label: 'Chat Channel Trigger (WhatsApp)',
	async verify(ctx) {
		const options = ctx.getNodeParameter('whatsappOptions', {}) as WhatsAppTriggerOptions;
		const { accountSid, authToken, baseUrl } = await credentialsOf(ctx);
		const params = await formParams(ctx);
		const signature = headerValue(
			ctx.getHeaderData() as Record<string, string | string[] | undefined>,
			'x-twilio-signature',
		);
		if (!params || !verifyTwilioSignature(authToken, signature, signedUrlOf(ctx, options), params))
			return new Refusal(
				403,
				'Forbidden: X-Twilio-Signature does not match',
				'request with a missing or wrong X-Twilio-Signature rejected',
			);
		const problem = idProblem(params, accountSid);
		if (problem)
			return new Refusal(403, `Forbidden: ${problem}`, `signed request refused (${problem})`);
		return { params, accountSid, baseUrl };
	},
	events: (delivery) => [delivery.params],
	reader: async (ctx, delivery) => twilioReader(ctx, delivery),
	answer(ctx, reply) {
		if (reply.status === 200) send(ctx, 200, TWIML_EMPTY, 'text/xml');
		else send(ctx, reply.status, reply.text ?? '');
	},
	answersItself: true,
	runAnswerType: 'text/xml',
};

export const twilioTrigger: TriggerAdapter = {
	// By default nothing to register (the URL is pasted into the Twilio console); with
	// "Configure Webhook On" the URL is set on a number or a Messaging Service.
	async checkExists(ctx) {
		const target = await configTarget(ctx);
		if (!target) return true;
		// our URL without the overrides (set by an earlier version) is set again, with them
		return (await readConfigured(ctx, target)).url === configuredUrlOf(ctx);
	},
	async create(ctx) {
		const target = await configTarget(ctx);
		if (!target) return true;
		const current = await readConfigured(ctx, target);
		const staticData = ctx.getWorkflowStaticData('node');
		// our own URL is not "the previous one": deactivation would point the number at a dead URL
		if (!isOwnUrl(ctx, current.url)) staticData.previousWebhookUrl = current.url;
		await writeConfigured(ctx, target, configuredUrlOf(ctx));
		return true;
	},
	async delete(ctx) {
		const target = await configTarget(ctx);
		if (!target) return true;
		const staticData = ctx.getWorkflowStaticData('node');
		const previous = String(staticData.previousWebhookUrl ?? '');
		delete staticData.previousWebhookUrl;
		// only our own URL (with or without overrides): someone may have pointed the number elsewhere since
		if (isOwnUrl(ctx, (await readConfigured(ctx, target)).url))
			await writeConfigured(ctx, target, previous);
		return true;
	},

	receive: twilioReceive,
};

export { TWILIO_LIMITS };
