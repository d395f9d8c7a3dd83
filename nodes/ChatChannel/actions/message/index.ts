import type { INodeProperties } from 'n8n-workflow';

import { templateChannels } from '../../../channels/texts';

import * as del from './delete.operation';
import * as edit from './edit.operation';
import * as react from './react.operation';
import * as send from './send.operation';
import * as sendAndWait from './sendAndWait.operation';
import * as sendFile from './sendFile.operation';
import * as sendTemplate from './sendTemplate.operation';

export { del as delete, edit, react, send, sendAndWait, sendFile, sendTemplate };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['message'] } },
		options: [
			{
				name: 'Delete',
				value: 'delete',
				description: 'Delete a message',
				action: 'Delete a message',
			},
			{
				name: 'Edit Text',
				value: 'edit',
				description: 'Change the text of a message the bot sent',
				action: 'Edit a message',
			},
			{
				name: 'React to Message',
				value: 'react',
				description: "React to a message with an emoji, or take the bot's reaction back",
				action: 'React to a message',
			},
			{
				name: 'Send and Wait for Response',
				value: 'sendAndWait',
				description: 'Ask the customer and wait: approve or decline, a text, or a form',
				action: 'Send message and wait for response',
			},
			{
				name: 'Send File',
				value: 'sendFile',
				description: 'Send a photo, document, audio, video or voice note',
				action: 'Send a file',
			},
			{
				name: 'Send Template',
				value: 'sendTemplate',
				description: `Send an approved template: allowed outside the 24-hour window on ${templateChannels()}`,
				action: 'Send a template message',
			},
			{
				name: 'Send Text',
				value: 'send',
				description: 'Send a text message, split when it is too long',
				action: 'Send a text message',
			},
		],
		default: 'send',
	},
	...send.description,
	...sendAndWait.description,
	...sendFile.description,
	...sendTemplate.description,
	...edit.description,
	...del.description,
	...react.description,
];
