import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { getUploadSource } from '../../../shared/binary';
import { uploadFile } from '../../../shared/teamspirit/files';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import { chatRLC, formatField } from '../../../shared/teamspirit/descriptions';
import { getLocatorValue, segment } from '../../../shared/teamspirit/utils';
import { teamSpiritApiRequest } from '../../../shared/teamspirit/transport';
import { createMessage, keyOf } from '../message/shared';

const properties: INodeProperties[] = [
	{ ...chatRLC, description: 'The chat the file is sent to' },
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file to be uploaded',
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description: 'Text sent with the file (optional)',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: 'Name the file gets in TeamSpirit. Defaults to the name of the binary file.',
			},
			{ ...formatField, description: 'How TeamSpirit renders the caption' },
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['file'], operation: ['upload'] } },
	properties,
);

export async function execute(this: IExecuteFunctions, itemIndex: number) {
	const chatId = getLocatorValue(this, 'chatId', itemIndex, 'Chat');
	const propertyName = String(
		this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
	).trim();
	const caption = this.getNodeParameter('caption', itemIndex, '') as string;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const source = await getUploadSource(this, itemIndex, propertyName);
	const fileName = (options.fileName as string)?.trim() || source.fileName;

	// The chat is checked first: a file uploaded for a chat that does not exist (or is not the
	// bot's) would stay behind unused, and the API has no way to delete it.
	await teamSpiritApiRequest.call(this, {
		method: 'GET',
		path: `/chats/${segment(chatId)}`,
		idempotent: true,
		itemIndex,
	});

	// Then the file goes up (streamed, and opened afresh if a 429 or 5xx makes us send it again:
	// an unsent upload creates nothing in a chat), and one message carries it into the chat.
	const file = await uploadFile(this, itemIndex, source, fileName);
	return await createMessage.call(
		this,
		`/chats/${segment(chatId)}/messages`,
		{
			body: {
				text: caption,
				format: (options.format as string) || 'plain',
				fileIds: [file.id as string],
			},
			key: keyOf(options),
		},
		itemIndex,
	);
}
