/**
 * What the Chat Channel node can do on Facebook Messenger (../meta/actions.ts): text (split above
 * 2000 characters), attachments from a binary property (multipart upload with the message) or a
 * URL, quick replies, messaging types and tags, sender actions. No message Meta accepted is sent
 * twice.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { buildMultipart } from '../../shared/binary';
import { messengerPlatformActions } from '../meta/actions';
import { sendAsPersonMay } from '../meta/humanAgent';
import { quickRepliesOf } from '../meta/quickReplies';
import { splitText } from '../text';
import type { InlineButton, SendContext } from '../types';
import { MESSENGER_GRAPH, MESSENGER_LIMITS, graphApiRequest } from './transport';

export const messengerSendProperties: INodeProperties[] = [
	{
		displayName: 'Messaging Type',
		name: 'messengerMessagingType',
		type: 'options',
		displayOptions: {
			show: {
				channel: ['messenger'],
				resource: ['message'],
				operation: ['send', 'sendAndWait', 'sendFile'],
			},
		},
		options: [
			{
				name: 'Message Tag',
				value: 'MESSAGE_TAG',
				description:
					'Outside the 24-hour window, with a tag (e.g. HUMAN_AGENT: a person answers within 7 days)',
			},
			{
				name: 'Response',
				value: 'RESPONSE',
				description: 'A reply to a message the customer sent within the last 24 hours',
			},
			{
				name: 'Update',
				value: 'UPDATE',
				description: 'A message the page starts itself, within the 24-hour window',
			},
		],
		default: 'RESPONSE',
	},
	{
		displayName: 'Tag',
		name: 'messengerTag',
		type: 'options',
		displayOptions: {
			show: {
				channel: ['messenger'],
				resource: ['message'],
				operation: ['send', 'sendAndWait', 'sendFile'],
				messengerMessagingType: ['MESSAGE_TAG'],
			},
		},
		options: [
			{ name: 'Account Update', value: 'ACCOUNT_UPDATE' },
			{ name: 'Confirmed Event Update', value: 'CONFIRMED_EVENT_UPDATE' },
			{ name: 'Customer Feedback', value: 'CUSTOMER_FEEDBACK' },
			{
				name: 'Human Agent',
				value: 'HUMAN_AGENT',
				description: "A person replies up to 7 days after the customer's last message",
			},
			{ name: 'Post Purchase Update', value: 'POST_PURCHASE_UPDATE' },
		],
		default: 'HUMAN_AGENT',
	},
];

function messagingOf(call: SendContext): IDataObject {
	const type = String(
		call.ctx.getNodeParameter('messengerMessagingType', call.itemIndex, 'RESPONSE'),
	);
	if (type !== 'MESSAGE_TAG') return { messaging_type: type };
	return {
		messaging_type: type,
		tag: String(call.ctx.getNodeParameter('messengerTag', call.itemIndex, 'HUMAN_AGENT')),
	};
}

/** Inline buttons with callback data become quick replies (Messenger: up to 13, under the last message). */
export function quickReplies(
	call: SendContext,
	buttons: InlineButton[][] | undefined,
): IDataObject[] | undefined {
	return quickRepliesOf(call, buttons, 'Messenger', MESSENGER_LIMITS.maxQuickReplies);
}

export const messengerActions = messengerPlatformActions({
	channel: 'messenger',
	platformName: 'Messenger',
	api: MESSENGER_GRAPH,
	maxQuickReplies: MESSENGER_LIMITS.maxQuickReplies,
	messagingOf,
	textParts: (text) => splitText(text, MESSENGER_LIMITS.maxTextLength),
	extensionMime: {
		jpg: 'image/jpeg',
		jpeg: 'image/jpeg',
		png: 'image/png',
		gif: 'image/gif',
		webp: 'image/webp',
		mp3: 'audio/mpeg',
		m4a: 'audio/mp4',
		ogg: 'audio/ogg',
		mp4: 'video/mp4',
	},
	imageMime: /^image\/(jpeg|jpg|png|gif|webp)$/,
	uploadLimit: () => ({ bytes: MESSENGER_LIMITS.maxUploadBytes, what: 'attachments up to 25 MB' }),
	urlPayload: (url) => ({ url, is_reusable: false }),
	// the file goes with the message itself (multipart), the messaging type as form fields
	async sendUpload(call, { upload, recipient, message, messaging }) {
		const attach = async (as: IDataObject) => {
			const fields: Record<string, string> = {
				recipient: JSON.stringify(recipient),
				message: JSON.stringify(message),
			};
			for (const [name, value] of Object.entries(as)) fields[name] = String(value);
			return await graphApiRequest<{ message_id: string } & IDataObject>(call.ctx, {
				method: 'POST',
				path: '/me/messages',
				multipart: async () =>
					buildMultipart(fields, {
						fieldName: 'filedata',
						fileName: upload.fileName,
						mimeType: upload.mimeType,
						content: await upload.open(),
						size: upload.size,
					}),
				itemIndex: call.itemIndex,
				what: 'send attachment',
				timeoutMs: 10 * 60_000,
			});
		};
		const result = await sendAsPersonMay(call, MESSENGER_GRAPH, messaging, attach);
		return { messageId: result.message_id, timestamp: new Date().toISOString(), raw: result };
	},
});
