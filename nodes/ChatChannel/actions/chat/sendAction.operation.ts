import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import { conversationField } from '../../descriptions/common';
import type { OperationCall } from '../types';
import { sendContext } from '../types';
import { actionOf } from '../../descriptions/offers';

export const description = updateDisplayOptions(
	{ show: { resource: ['chat'], operation: ['sendAction'] } },
	[
		conversationField,
		{
			displayName: 'Action',
			name: 'action',
			type: 'options',
			options: [
				{ name: 'Choosing Sticker', value: 'choose_sticker' },
				{ name: 'Finding Location', value: 'find_location' },
				{ name: 'Mark as Seen (Messenger)', value: 'mark_seen' },
				{ name: 'Recording Video', value: 'record_video' },
				{ name: 'Recording Voice', value: 'record_voice' },
				{ name: 'Typing', value: 'typing' },
				{ name: 'Uploading Document', value: 'upload_document' },
				{ name: 'Uploading Photo', value: 'upload_photo' },
				{ name: 'Uploading Video', value: 'upload_video' },
			],
			default: 'typing',
			description:
				'Shown in the chat for about 5 seconds, or until the bot sends a message. Messenger ' +
				'shows every action as typing, except Mark as Seen.',
		},
	] as INodeProperties[],
);

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	return await actionOf(
		this,
		call,
		'sendAction',
		'show a chat action',
	)(sendContext(this, call), {
		conversationId: call.conversationId,
		action: String(this.getNodeParameter('action', call.itemIndex, 'typing')),
	});
}
