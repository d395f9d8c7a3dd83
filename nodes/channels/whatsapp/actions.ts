/**
 * What the Chat Channel node can do on WhatsApp through Twilio: text (split above 1600
 * characters), media by public URL, approved templates. No message Twilio accepted is sent twice.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { partsResult, sendParts, type AcceptedPart } from '../parts';
import { splitText, toLightMarkup } from '../text';
import type {
	ChannelActions,
	SendContext,
	SendFileRequest,
	SendResult,
	SendTextRequest,
} from '../types';
import { TWILIO_LIMITS, twilioApiRequest } from './transport';

const E164 = /^\+[1-9]\d{6,14}$/;

/** `whatsapp:+E164` from `whatsapp:+E164`, `+E164` or a WaId (digits); undefined when it is none. */
export function whatsappAddress(value: string): string | undefined {
	let number = value
		.trim()
		.replace(/^whatsapp:/i, '')
		.replace(/[\s()-]/g, '');
	if (/^\d+$/.test(number)) number = `+${number}`;
	return E164.test(number) ? `whatsapp:${number}` : undefined;
}

/** WhatsApp formatting from the node's formats: *bold*, _italic_, ~strike~, ```mono```. */
const toWhatsAppText = toLightMarkup;

export const whatsappSendProperties: INodeProperties[] = [
	{
		displayName: 'From (WhatsApp Sender)',
		name: 'whatsappFrom',
		type: 'string',
		default: '={{ $json.channel === "whatsapp" && $json.raw && $json.raw.To ? $json.raw.To : "" }}',
		required: true,
		placeholder: 'whatsapp:+14155238886',
		displayOptions: { show: { channel: ['whatsapp'], resource: ['message'] } },
		description:
			'Your WhatsApp sender on Twilio (whatsapp:+E164 or +E164), or a Messaging Service SID ' +
			'(MG…). Replying to a trigger item, the default takes the number the customer wrote to.',
	},
	{
		displayName: 'WhatsApp Options',
		name: 'whatsappOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: {
			show: {
				channel: ['whatsapp'],
				resource: ['message', 'conversation'],
				// Send to Customer too: its Status Callback URL turns Twilio's late refusals (63016)
				// into notices in the conversation chat
				operation: ['send', 'sendAndWait', 'sendFile', 'sendTemplate', 'toCustomer'],
			},
		},
		options: [
			{
				displayName: 'Status Callback URL',
				name: 'statusCallback',
				type: 'string',
				default: '',
				placeholder: 'https://n8n.example.com/webhook/…/webhook',
				description:
					'Twilio posts queued, sent, delivered, read, failed and undelivered here: the ' +
					'webhook URL of a Chat Channel Trigger (WhatsApp) turns them into "status" events',
			},
		],
	},
];

interface TwilioMessage extends IDataObject {
	sid: string;
	status?: string;
	date_created?: string;
}

function senderOf(call: SendContext): Record<string, string> {
	const value =
		call.account ??
		String(call.ctx.getNodeParameter('whatsappFrom', call.itemIndex, '') ?? '').trim();
	if (/^MG[0-9a-f]{32}$/i.test(value)) return { MessagingServiceSid: value };
	const from = whatsappAddress(value);
	if (!from) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`"${value.slice(0, 40)}" is not a WhatsApp sender`,
			{
				itemIndex: call.itemIndex,
				description:
					'Set "From (WhatsApp Sender)" to your Twilio WhatsApp number ' +
					'(whatsapp:+14155238886) or a Messaging Service SID (MG…).',
			},
		);
	}
	return { From: from };
}

function optionsOf(call: SendContext): Record<string, string> {
	const options = call.ctx.getNodeParameter('whatsappOptions', call.itemIndex, {}) as {
		statusCallback?: string;
	};
	return options.statusCallback ? { StatusCallback: String(options.statusCallback).trim() } : {};
}

async function create(
	call: SendContext,
	params: Record<string, string | undefined>,
): Promise<AcceptedPart> {
	const message = await twilioApiRequest<TwilioMessage>(call.ctx, {
		method: 'POST',
		path: '/Messages.json',
		form: params,
		itemIndex: call.itemIndex,
		what: 'send message',
	});
	const created = message.date_created ? new Date(message.date_created) : new Date();
	return {
		messageId: message.sid,
		timestamp: Number.isNaN(created.getTime()) ? new Date().toISOString() : created.toISOString(),
		raw: message,
	};
}

function rejectButtons(call: SendContext, request: { buttons?: SendTextRequest['buttons'] }): void {
	if (request.buttons?.some((row) => row.length)) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			'WhatsApp messages through Twilio cannot carry inline buttons',
			{
				itemIndex: call.itemIndex,
				description:
					'Buttons on WhatsApp need an approved template with quick replies: use "Send ' +
					'Template" with its Content SID, or remove the buttons.',
			},
		);
	}
}

async function sendText(call: SendContext, request: SendTextRequest): Promise<SendResult> {
	if (!request.text.trim()) {
		throw new NodeOperationError(call.ctx.getNode(), 'The text is empty', {
			itemIndex: call.itemIndex,
		});
	}
	rejectButtons(call, request);
	const base = { To: request.conversationId, ...senderOf(call), ...optionsOf(call) };
	const parts = splitText(
		toWhatsAppText(request.text, request.format),
		TWILIO_LIMITS.maxTextLength,
	);
	const sent = await sendParts(
		call,
		parts.length,
		async (index) => await create(call, { ...base, Body: parts[index] }),
	);
	return partsResult('whatsapp', request.conversationId, sent);
}

async function sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult> {
	const { source } = request;
	const url = source.type === 'url' ? source.url : source.type === 'fileId' ? source.fileId : '';
	if (source.type === 'binary' || !/^https?:\/\//i.test(url.trim())) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			'WhatsApp through Twilio needs the file as a public URL',
			{
				itemIndex: call.itemIndex,
				description:
					'Twilio fetches media itself from a public http(s) URL (one file per message, up ' +
					'to 16 MB, images up to 5 MB); it cannot take an upload from a binary property. ' +
					'Set "File Source" to URL, e.g. a link from your file storage.',
			},
		);
	}
	rejectButtons(call, request);
	const base = { To: request.conversationId, ...senderOf(call), ...optionsOf(call) };
	const caption = request.caption?.trim() ? toWhatsAppText(request.caption, request.format) : '';
	const captionParts = caption ? splitText(caption, TWILIO_LIMITS.maxCaptionLength) : [];
	const count = Math.max(1, captionParts.length);
	const sent = await sendParts(call, count, async (index) =>
		index === 0
			? await create(call, { ...base, MediaUrl: url.trim(), Body: captionParts[0] })
			: await create(call, { ...base, Body: captionParts[index] }),
	);
	return partsResult('whatsapp', request.conversationId, sent);
}

export const twilioActions: ChannelActions = {
	sendText,
	sendFile,

	async sendTemplate(call, request) {
		const variables: Record<string, string> = {};
		for (const [key, value] of Object.entries(request.variables)) {
			if (String(value) === '') {
				throw new NodeOperationError(
					call.ctx.getNode(),
					`The template variable "${key}" is empty`,
					{
						itemIndex: call.itemIndex,
						description: 'WhatsApp rejects templates with empty variables (Twilio error 21656).',
					},
				);
			}
			variables[key] = String(value);
		}
		const base = { To: request.conversationId, ...senderOf(call), ...optionsOf(call) };
		const sent = await sendParts(
			call,
			1,
			async () =>
				await create(call, {
					...base,
					ContentSid: request.templateId,
					ContentVariables: Object.keys(variables).length ? JSON.stringify(variables) : undefined,
				}),
		);
		return partsResult('whatsapp', request.conversationId, sent);
	},
};
