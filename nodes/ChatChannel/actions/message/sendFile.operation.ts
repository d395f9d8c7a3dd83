import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { captionLimits } from '../../../channels/texts';
import { getUploadSource } from '../../../shared/binary';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { FileKind, SendFileRequest } from '../../../channels/types';
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
		displayName: 'File Source',
		name: 'source',
		type: 'options',
		options: [
			{
				name: 'Binary Field',
				value: 'binary',
				description: 'A file an earlier node read or downloaded (uploaded as a stream)',
			},
			{
				name: 'File ID',
				value: 'fileId',
				description: 'A file Telegram already has (e.g. fileId of an attachment from the trigger)',
			},
			{ name: 'URL', value: 'url', description: 'A public link; Telegram fetches the file itself' },
		],
		default: 'binary',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		displayOptions: { show: { source: ['binary'] } },
		description: 'Name of the binary property that holds the file',
	},
	{
		displayName: 'File URL',
		name: 'fileUrl',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { source: ['url'] } },
	},
	{
		displayName: 'File ID',
		name: 'fileId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { source: ['fileId'] } },
	},
	{
		displayName: 'Send As',
		name: 'kind',
		type: 'options',
		options: [
			{ name: 'Audio', value: 'audio', description: 'A music file with a player (MP3, M4A)' },
			{
				name: 'Automatic (by MIME Type)',
				value: 'auto',
				description:
					'JPEG/PNG/WebP → photo, OGG → voice, MP3/M4A → audio, MP4 → video, everything else → document',
			},
			{ name: 'Document', value: 'document', description: 'Any file, sent as is' },
			{
				name: 'Photo',
				value: 'photo',
				description: 'An image, compressed by Telegram (up to 10 MB)',
			},
			{ name: 'Video', value: 'video', description: 'An MP4 video with a player' },
			{ name: 'Voice', value: 'voice', description: 'A voice note (OGG/Opus)' },
		],
		default: 'auto',
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description:
			`Text under the file, up to the channel's limit (${captionLimits()}); a longer text is sent ` +
			'as message(s) after the file',
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
			{ displayName: 'Reply To Message ID', name: 'replyToMessageId', type: 'string', default: '' },
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
	{ show: { resource: ['message'], operation: ['sendFile'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const sourceType = this.getNodeParameter('source', itemIndex, 'binary') as string;
	let source: SendFileRequest['source'];
	if (sourceType === 'url')
		source = { type: 'url', url: String(this.getNodeParameter('fileUrl', itemIndex)) };
	else if (sourceType === 'fileId')
		source = { type: 'fileId', fileId: String(this.getNodeParameter('fileId', itemIndex)) };
	else {
		const property = String(this.getNodeParameter('binaryPropertyName', itemIndex, 'data'));
		source = { type: 'binary', upload: await getUploadSource(this, itemIndex, property) };
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as {
		replyToMessageId?: string;
		silent?: boolean;
	};
	return await call.adapter.actions.sendFile(sendContext(this, call), {
		conversationId: call.conversationId,
		kind: this.getNodeParameter('kind', itemIndex, 'auto') as FileKind,
		source,
		caption: String(this.getNodeParameter('caption', itemIndex, '')),
		format: getFormat(this, itemIndex),
		buttons: getButtons(this, itemIndex),
		replyToMessageId: options.replyToMessageId ? String(options.replyToMessageId) : undefined,
		silent: options.silent,
	});
}
