import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { textLimits } from '../../../channels/texts';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import {
	buttonsFields,
	conversationField,
	formatFields,
	getButtons,
	getFormat,
} from '../../descriptions/common';
import type { OperationCall } from '../types';
import { sendContext } from '../types';

const properties: INodeProperties[] = [
	conversationField,
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description:
			`The message. Longer than the channel allows (${textLimits()}), it is sent as several ` +
			'messages, split at paragraphs, lines or words.',
	},
	...formatFields(),
	...buttonsFields(),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Disable Link Preview',
				name: 'disableLinkPreview',
				type: 'boolean',
				default: false,
			},
			{
				displayName: 'Reply To Message ID',
				name: 'replyToMessageId',
				type: 'string',
				default: '',
				description: 'Show the message as a reply to this one (e.g. messageId from the trigger)',
			},
			{
				displayName: 'Silent',
				name: 'silent',
				type: 'boolean',
				default: false,
				description: 'Whether to deliver without a notification sound',
			},
		],
	},
];

/** Claimed per triggering event: see nodes/shared/claims.ts. */
export const sendsOncePerEvent = true;

export const description = updateDisplayOptions(
	{ show: { resource: ['message'], operation: ['send'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const options = this.getNodeParameter('options', itemIndex, {}) as {
		disableLinkPreview?: boolean;
		replyToMessageId?: string;
		silent?: boolean;
	};
	return await call.adapter.actions.sendText(sendContext(this, call), {
		conversationId: call.conversationId,
		text: String(this.getNodeParameter('text', itemIndex, '')),
		format: getFormat(this, itemIndex),
		buttons: getButtons(this, itemIndex),
		replyToMessageId: options.replyToMessageId ? String(options.replyToMessageId) : undefined,
		disableLinkPreview: options.disableLinkPreview,
		silent: options.silent,
	});
}
