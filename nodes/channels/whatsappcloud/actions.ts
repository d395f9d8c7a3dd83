/**
 * What the Chat Channel node can do on WhatsApp through Meta's Cloud API: text (split above 4096
 * characters) with a reply context, media uploaded (streamed) or by link or media id, approved
 * templates, reply buttons and lists, reactions, "typing…" with read ticks. Every message goes out from the
 * number the customer wrote to (SendContext.account), else the node's or the credential's. No
 * message the API accepted is sent twice (../parts.ts).
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { buildMultipart } from '../../shared/binary';
import { truncateGraphemes } from '../../shared/graphemes';
import { partsResult, sendParts, type AcceptedPart } from '../parts';
import { splitText, toLightMarkup } from '../text';
import type {
	ChannelActions,
	FileKind,
	InlineButton,
	SendContext,
	SendFileRequest,
	SendResult,
	SendTemplateRequest,
	SendTextRequest,
} from '../types';
import { recentMessages } from './recent';
import { CLOUD_LIMITS, UPLOAD_LIMITS, cloudApiRequest, senderOf } from './transport';

/** Shown with Send Template on this channel only. */
const TEMPLATE_FIELD = {
	show: { channel: ['whatsappcloud'], resource: ['message'], operation: ['sendTemplate'] },
};
const headerShown = (formats: string[]) => ({
	show: { ...TEMPLATE_FIELD.show, whatsappcloudHeader: formats },
});

/** The template's components besides the body (whose parameters are the Variables). */
const templateProperties: INodeProperties[] = [
	{
		displayName:
			'Variables (JSON) are the body\'s parameters: {"1": "Ada"} for {{1}}, or {"first_name": "Ada"} for a template with named parameters',
		name: 'whatsappcloudTemplateNotice',
		type: 'notice',
		default: '',
		displayOptions: TEMPLATE_FIELD,
	},
	{
		displayName: 'Header',
		name: 'whatsappcloudHeader',
		type: 'options',
		options: [
			{ name: 'Document', value: 'document', description: 'A document header: its file' },
			{ name: 'Image', value: 'image', description: 'An image header: its image' },
			{
				name: 'None or Fixed',
				value: 'none',
				description: 'The template has no header, or one without a parameter',
			},
			{ name: 'Text', value: 'text', description: "A text header's parameter" },
			{ name: 'Video', value: 'video', description: 'A video header: its video' },
		],
		default: 'none',
		displayOptions: TEMPLATE_FIELD,
		description: "What the template's header takes (WhatsApp Manager → Message templates)",
	},
	{
		displayName: 'Header Text',
		name: 'whatsappcloudHeaderText',
		type: 'string',
		default: '',
		displayOptions: headerShown(['text']),
		description: "The value of the header's parameter",
	},
	{
		displayName: 'Header Parameter Name',
		name: 'whatsappcloudHeaderName',
		type: 'string',
		default: '',
		displayOptions: headerShown(['text']),
		description:
			"For a template with named parameters: the header parameter's name (e.g. sale_start_date); empty: positional ({{1}})",
	},
	{
		displayName: 'Header Media',
		name: 'whatsappcloudHeaderMedia',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/invoice.pdf',
		displayOptions: headerShown(['image', 'document', 'video']),
		description:
			'A public HTTPS link to the file, or the media ID of a file uploaded to this phone number',
	},
	{
		displayName: 'Header File Name',
		name: 'whatsappcloudHeaderFileName',
		type: 'string',
		default: '',
		placeholder: 'invoice.pdf',
		displayOptions: headerShown(['document']),
		description: 'The name the customer sees for the document',
	},
	{
		displayName: 'Buttons',
		name: 'whatsappcloudTemplateButtons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Button Parameter',
		default: {},
		displayOptions: TEMPLATE_FIELD,
		description:
			"Parameters of the template's buttons: the URL suffix of a dynamic URL button, the payload of a quick reply",
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{
								name: 'Quick Reply Payload',
								value: 'quickReply',
								description: 'What a tap sends back (the callbackData of the "callback" item)',
							},
							{
								name: 'URL Suffix',
								value: 'url',
								description: "The end of a dynamic URL button's link (its {{1}})",
							},
						],
						default: 'url',
					},
					{
						displayName: 'Button Index',
						name: 'index',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 9 },
						default: 0,
						description: "The button's position in the template, from 0",
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
					},
				],
			},
		],
	},
	{
		displayName: 'Components (JSON)',
		name: 'whatsappcloudComponents',
		type: 'json',
		default: '[]',
		displayOptions: TEMPLATE_FIELD,
		description:
			'Advanced: the components exactly as the Cloud API takes them (e.g. currency, date_time, copy_code or flow parameters); when not empty, sent instead of the Variables, Header and Buttons',
	},
];

export const whatsappCloudSendProperties: INodeProperties[] = [
	{
		displayName: 'From (Phone Number ID)',
		name: 'whatsappcloudFrom',
		type: 'string',
		default: '={{ $json.channel === "whatsappcloud" && $json.account ? $json.account : "" }}',
		placeholder: '106540352242922',
		displayOptions: { show: { channel: ['whatsappcloud'], resource: ['message', 'chat'] } },
		description:
			'The ID of the business phone number to send from. Replying to a trigger item, the ' +
			'default takes the number the customer wrote to; empty: the Phone Number ID of the credential.',
	},
	...templateProperties,
];

interface CloudSent extends IDataObject {
	messages?: Array<{ id?: string }>;
}

/** A customer's number as the Cloud API's `to`: digits only. */
export function waIdOf(value: string): string | undefined {
	const number = value
		.trim()
		.replace(/^whatsapp:/i, '')
		.replace(/[\s()+-]/g, '');
	return /^[1-9]\d{6,14}$/.test(number) ? number : undefined;
}

async function fromOf(call: SendContext): Promise<string> {
	const from = await senderOf(call.ctx, call.itemIndex, call.account);
	if (!/^\d{5,30}$/.test(from)) {
		throw new NodeOperationError(
			call.ctx.getNode(),
			`"${from.slice(0, 40)}" is not a Phone Number ID`,
			{
				itemIndex: call.itemIndex,
				description:
					'Set "From (Phone Number ID)" or the Phone Number ID of the credential to the ID of a ' +
					'business phone number (Meta app → WhatsApp → API Setup), not to the number itself.',
			},
		);
	}
	return from;
}

/** Posts one message; its wamid. */
async function post(call: SendContext, from: string, body: IDataObject): Promise<AcceptedPart> {
	const sent = await cloudApiRequest<CloudSent>(call.ctx, {
		method: 'POST',
		path: `/${encodeURIComponent(from)}/messages`,
		body: { messaging_product: 'whatsapp', recipient_type: 'individual', ...body },
		itemIndex: call.itemIndex,
		what: 'send message',
	});
	const messageId = String(sent.messages?.[0]?.id ?? '');
	return { messageId, timestamp: new Date().toISOString(), raw: sent };
}

const fail = (call: SendContext, message: string, description?: string) =>
	new NodeOperationError(call.ctx.getNode(), message, { itemIndex: call.itemIndex, description });

/**
 * Inline buttons as an interactive message's action: up to 3 callback buttons as reply buttons,
 * up to 10 as a list, one URL button alone as a link button (cta_url).
 */
function interactiveOf(
	call: SendContext,
	buttons: InlineButton[][] | undefined,
	body: string,
): IDataObject | undefined {
	const all = (buttons ?? []).flat().filter((b) => b.text);
	if (!all.length) return undefined;
	const links = all.filter((b) => b.url);
	if (links.length) {
		if (all.length > 1)
			throw fail(
				call,
				'WhatsApp shows one link button alone, or reply buttons without links',
				'Put further links into the text, or use buttons with callback data only.',
			);
		return {
			type: 'cta_url',
			body: { text: body },
			action: {
				name: 'cta_url',
				parameters: {
					display_text: truncateGraphemes(all[0].text, CLOUD_LIMITS.maxButtonTitle),
					url: all[0].url,
				},
			},
		};
	}
	if (all.length > CLOUD_LIMITS.maxListRows)
		throw fail(call, `WhatsApp shows at most 10 choices; the message has ${all.length}`);
	const list = all.length > CLOUD_LIMITS.maxReplyButtons;
	const maxId = list ? CLOUD_LIMITS.maxRowId : CLOUD_LIMITS.maxReplyId;
	const maxTitle = list ? CLOUD_LIMITS.maxRowTitle : CLOUD_LIMITS.maxButtonTitle;
	const choices = all.map((b) => ({
		id: b.callbackData || b.text,
		title: truncateGraphemes(b.text, maxTitle),
	}));
	if (choices.some((c) => c.id.length > maxId))
		throw fail(
			call,
			`A button's callback data is longer than the ${maxId} characters WhatsApp takes`,
		);
	if (
		new Set(choices.map((c) => c.id)).size < choices.length ||
		new Set(choices.map((c) => c.title)).size < choices.length
	)
		throw fail(call, 'WhatsApp needs a different text and callback data for every button');
	if (!list)
		return {
			type: 'button',
			body: { text: body },
			action: { buttons: choices.map((reply) => ({ type: 'reply', reply })) },
		};
	return {
		type: 'list',
		body: { text: body },
		action: { button: 'Choose', sections: [{ rows: choices }] },
	};
}

/** The text in parts; with buttons the last part fits an interactive message's body. */
function textParts(
	text: string,
	format: SendTextRequest['format'],
	interactive: boolean,
): string[] {
	const parts = splitText(toLightMarkup(text, format), CLOUD_LIMITS.maxTextLength);
	if (!interactive) return parts;
	const last = parts.pop() as string;
	return [...parts, ...splitText(last, CLOUD_LIMITS.maxInteractiveBody)];
}

const contextOf = (replyTo: string | undefined, index: number) =>
	replyTo && index === 0 ? { context: { message_id: replyTo } } : {};

function recipientOf(call: SendContext, conversationId: string): string {
	const to = waIdOf(conversationId);
	if (!to)
		throw fail(
			call,
			`"${conversationId.slice(0, 40)}" is not a WhatsApp number`,
			"A WhatsApp (Cloud API) conversation ID is the customer's number with its country code, digits only (wa_id).",
		);
	return to;
}

async function sendText(call: SendContext, request: SendTextRequest): Promise<SendResult> {
	if (!request.text.trim()) throw fail(call, 'The text is empty');
	const to = recipientOf(call, request.conversationId);
	const hasButtons = (request.buttons ?? []).some((row) => row.some((b) => b.text));
	const parts = textParts(request.text, request.format, hasButtons);
	const last = parts.length - 1;
	// buttons checked before anything is sent
	interactiveOf(call, request.buttons, parts[last]);
	const from = await fromOf(call);
	const sent = await sendParts(call, parts.length, async (index) => {
		const context = contextOf(request.replyToMessageId, index);
		const interactive =
			index === last ? interactiveOf(call, request.buttons, parts[index]) : undefined;
		if (interactive)
			return await post(call, from, { to, ...context, type: 'interactive', interactive });
		const body = { body: parts[index], preview_url: !request.disableLinkPreview };
		return await post(call, from, { to, ...context, type: 'text', text: body });
	});
	return partsResult('whatsappcloud', to, sent);
}

/** The message type a file goes as. */
function typeFor(kind: FileKind, mimeType: string | undefined): string {
	if (kind === 'photo') return 'image';
	if (kind === 'voice' || kind === 'audio') return 'audio';
	if (kind === 'video') return 'video';
	if (kind === 'document') return 'document';
	const mime = (mimeType ?? '').toLowerCase().split(';')[0].trim();
	if (mime === 'image/jpeg' || mime === 'image/png') return 'image';
	if (mime.startsWith('audio/')) return 'audio';
	if (mime === 'video/mp4' || mime === 'video/3gpp') return 'video';
	return 'document';
}

const EXTENSION_MIME: Record<string, string> = {
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	png: 'image/png',
	mp3: 'audio/mpeg',
	ogg: 'audio/ogg',
	m4a: 'audio/mp4',
	mp4: 'video/mp4',
};

/** A MIME type guessed from a URL's file extension (for "Send As: Automatic" with a URL). */
function mimeOfUrl(url: string): string | undefined {
	const extension = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
	return extension ? EXTENSION_MIME[extension] : undefined;
}

/** Types that carry a caption; audio and stickers get theirs as a text after the file. */
const CAPTIONED = ['image', 'video', 'document'];

async function upload(
	call: SendContext,
	from: string,
	source: Extract<SendFileRequest['source'], { type: 'binary' }>['upload'],
	type: string,
): Promise<string> {
	const limit = UPLOAD_LIMITS[type];
	if (source.size !== undefined && source.size > limit) {
		throw fail(
			call,
			`The file is ${(source.size / 1024 / 1024).toFixed(1)} MB; WhatsApp takes ${type} files up to ${limit / 1024 / 1024} MB`,
			'Send it as a document (up to 100 MB), or a link to it in a text message.',
		);
	}
	const uploaded = await cloudApiRequest<{ id?: string }>(call.ctx, {
		method: 'POST',
		path: `/${encodeURIComponent(from)}/media`,
		multipart: async () =>
			buildMultipart(
				{ messaging_product: 'whatsapp', type: source.mimeType },
				{
					fieldName: 'file',
					fileName: source.fileName,
					mimeType: source.mimeType,
					content: await source.open(),
					size: source.size,
				},
			),
		itemIndex: call.itemIndex,
		what: 'upload media',
	});
	return String(uploaded.id ?? '');
}

async function sendFile(call: SendContext, request: SendFileRequest): Promise<SendResult> {
	const { source } = request;
	const to = recipientOf(call, request.conversationId);
	const binary = source.type === 'binary' ? source.upload : undefined;
	const type = typeFor(
		request.kind,
		binary?.mimeType ?? (source.type === 'url' ? mimeOfUrl(source.url) : undefined),
	);
	const caption = request.caption?.trim() ? toLightMarkup(request.caption, request.format) : '';
	const captioned = CAPTIONED.includes(type) && caption.length <= CLOUD_LIMITS.maxCaptionLength;
	const hasButtons = (request.buttons ?? []).some((row) => row.some((b) => b.text));
	const rest = caption && (!captioned || hasButtons) ? textParts(caption, 'plain', hasButtons) : [];
	if (hasButtons && !rest.length)
		throw fail(
			call,
			'Buttons with a file need a caption on WhatsApp',
			'The buttons go with the caption, sent after the file.',
		);
	if (hasButtons) interactiveOf(call, request.buttons, rest[rest.length - 1]);
	const from = await fromOf(call);
	const sent = await sendParts(call, 1 + rest.length, async (index) => {
		if (index > 0) {
			const interactive =
				index === rest.length ? interactiveOf(call, request.buttons, rest[index - 1]) : undefined;
			if (interactive) return await post(call, from, { to, type: 'interactive', interactive });
			return await post(call, from, { to, type: 'text', text: { body: rest[index - 1] } });
		}
		const media: IDataObject =
			source.type === 'url'
				? { link: source.url.trim() }
				: source.type === 'fileId'
					? { id: source.fileId }
					: { id: await upload(call, from, source.upload, type) };
		if (captioned && !hasButtons && caption) media.caption = caption;
		if (type === 'document' && binary?.fileName) media.filename = binary.fileName;
		return await post(call, from, {
			to,
			...contextOf(request.replyToMessageId, 0),
			type,
			[type]: media,
		});
	});
	return { ...partsResult('whatsappcloud', to, sent), kind: type };
}

/** The node's own field for this item, or `fallback` where it has none (another operation). */
function fieldOf<T>(call: SendContext, name: string, fallback: T): T {
	try {
		return (call.ctx.getNodeParameter(name, call.itemIndex, fallback) ?? fallback) as T;
	} catch {
		return fallback;
	}
}

/**
 * The body's parameters: positional in the order of their numbers ({"1": …, "2": …}), or named
 * (`parameter_name`) when a key is not a number (a template with named parameters).
 */
function bodyParameters(call: SendContext, variables: Record<string, string>): IDataObject[] {
	const keys = Object.keys(variables);
	const positional = keys.every((key) => /^\d+$/.test(key));
	const ordered = positional ? [...keys].sort((a, b) => Number(a) - Number(b)) : keys;
	return ordered.map((key) => {
		const value = String(variables[key]);
		if (!value.trim())
			throw fail(
				call,
				`The template variable "${key}" is empty`,
				'WhatsApp rejects templates with empty variables.',
			);
		return positional
			? { type: 'text', text: value }
			: { type: 'text', parameter_name: key, text: value };
	});
}

/** The header's parameter: its text, or its image / document / video by link or media id. */
function headerParameter(call: SendContext): IDataObject | undefined {
	const kind = fieldOf<string>(call, 'whatsappcloudHeader', 'none');
	if (kind === 'text') {
		const text = fieldOf(call, 'whatsappcloudHeaderText', '');
		if (!text.trim()) throw fail(call, "The template's header text is empty");
		const name = fieldOf(call, 'whatsappcloudHeaderName', '').trim();
		return { type: 'text', ...(name ? { parameter_name: name } : {}), text };
	}
	if (!['image', 'document', 'video'].includes(kind)) return undefined;
	const source = fieldOf(call, 'whatsappcloudHeaderMedia', '').trim();
	if (!source)
		throw fail(
			call,
			`The template's header ${kind} is missing`,
			'Set "Header Media" to a public HTTPS link or a media ID.',
		);
	const media: IDataObject = /^\d{1,30}$/.test(source) ? { id: source } : { link: source };
	if (media.link && !/^https?:\/\/\S+$/i.test(source))
		throw fail(call, `"${source.slice(0, 40)}" is neither a link nor a media ID`);
	const fileName = fieldOf(call, 'whatsappcloudHeaderFileName', '').trim();
	if (kind === 'document' && fileName) media.filename = fileName;
	return { type: kind, [kind]: media };
}

/** Parameters of the template's buttons, by their index: URL suffixes and quick-reply payloads. */
function buttonComponents(call: SendContext): IDataObject[] {
	const buttons = fieldOf<{ button?: IDataObject[] }>(call, 'whatsappcloudTemplateButtons', {});
	return (buttons.button ?? []).map((button) => {
		const value = String(button.value ?? '');
		const index = String(Number(button.index ?? 0));
		if (!value.trim()) throw fail(call, `The parameter of template button ${index} is empty`);
		return button.type === 'quickReply'
			? {
					type: 'button',
					sub_type: 'quick_reply',
					index,
					parameters: [{ type: 'payload', payload: value }],
				}
			: { type: 'button', sub_type: 'url', index, parameters: [{ type: 'text', text: value }] };
	});
}

/** "Components (JSON)" when set: an array of component objects, sent as written. */
function rawComponents(call: SendContext): IDataObject[] | undefined {
	let value = fieldOf<unknown>(call, 'whatsappcloudComponents', '[]');
	if (typeof value === 'string') {
		try {
			value = value.trim() ? JSON.parse(value) : [];
		} catch {
			throw fail(call, 'Components (JSON) is not valid JSON');
		}
	}
	if (!Array.isArray(value) || value.some((c) => !c || typeof c !== 'object' || Array.isArray(c)))
		throw fail(
			call,
			'Components (JSON) must be an array of components',
			'E.g. [{"type": "body", "parameters": [{"type": "text", "text": "Ada"}]}]',
		);
	return value.length ? (value as IDataObject[]) : undefined;
}

/**
 * `name:language` (e.g. `order_update:en_US`) with its components: the header's parameter, the
 * variables as the body's parameters, the buttons' parameters (or "Components (JSON)" as written).
 */
async function sendTemplate(call: SendContext, request: SendTemplateRequest): Promise<SendResult> {
	const to = recipientOf(call, request.conversationId);
	const [name, language] = request.templateId.split(':');
	let components = rawComponents(call);
	if (!components) {
		const header = headerParameter(call);
		const parameters = bodyParameters(call, request.variables);
		components = [
			...(header ? [{ type: 'header', parameters: [header] }] : []),
			...(parameters.length ? [{ type: 'body', parameters }] : []),
			...buttonComponents(call),
		];
	}
	const template: IDataObject = { name, language: { code: language } };
	if (components.length) template.components = components;
	const from = await fromOf(call);
	const sent = await sendParts(
		call,
		1,
		async () => await post(call, from, { to, type: 'template', template }),
	);
	return partsResult('whatsappcloud', to, sent);
}

/**
 * Typing and read ticks: WhatsApp marks the customer's newest message read and shows "typing…"
 * for up to 25 seconds or until the reply (`status: "read"` with `typing_indicator`).
 */
async function sendAction(
	call: SendContext,
	request: { conversationId: string; action: string },
): Promise<IDataObject> {
	const to = recipientOf(call, request.conversationId);
	const from = await fromOf(call);
	const messageId = recentMessages.get(`${from}:${to}`);
	if (!messageId)
		throw fail(
			call,
			'WhatsApp shows typing only for a message the customer sent: none received here in the last 24 hours',
			"The Chat Channel Trigger of this n8n process notes each customer's newest message; in queue mode the " +
				'process that shows the typing may not have seen it.',
		);
	const typing = request.action !== 'mark_seen';
	await cloudApiRequest(call.ctx, {
		method: 'POST',
		path: `/${encodeURIComponent(from)}/messages`,
		body: {
			messaging_product: 'whatsapp',
			status: 'read',
			message_id: messageId,
			...(typing ? { typing_indicator: { type: 'text' } } : {}),
		},
		idempotent: true,
		itemIndex: call.itemIndex,
		what: typing ? 'typing indicator' : 'mark as read',
	});
	return {
		channel: 'whatsappcloud',
		conversationId: to,
		action: typing ? 'typing' : 'mark_seen',
		messageId,
		sent: true,
	};
}

/**
 * A reaction to a message of the conversation (`type: "reaction"`); an empty emoji takes it back.
 * Sent again it replaces itself, so a retry is harmless.
 */
async function sendReaction(
	call: SendContext,
	request: { conversationId: string; messageId: string; emoji: string },
): Promise<IDataObject> {
	const to = recipientOf(call, request.conversationId);
	const from = await fromOf(call);
	const reaction = { message_id: request.messageId, emoji: request.emoji };
	const sent = await post(call, from, { to, type: 'reaction', reaction });
	return {
		channel: 'whatsappcloud',
		conversationId: to,
		messageId: sent.messageId,
		reactedTo: request.messageId,
		emoji: request.emoji,
		sent: true,
	};
}

export const whatsappCloudActions: ChannelActions = {
	sendText,
	sendFile,
	sendTemplate,
	sendAction,
	sendReaction,
};
