import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { sendContext } from '../types';
import { actionOf } from '../../descriptions/offers';

export const description = updateDisplayOptions(
	{ show: { resource: ['callback'], operation: ['answer'] } },
	[
		{
			displayName: 'Callback ID',
			name: 'callbackId',
			type: 'string',
			default: '={{ $json.callbackId }}',
			required: true,
			description: 'The callbackId of a trigger item with event "callback"',
		},
		{
			displayName: 'Text',
			name: 'text',
			type: 'string',
			default: '',
			description:
				'A short notice shown to the user (up to 200 characters); empty only stops the button spinner',
		},
		{
			displayName: 'Show as Alert',
			name: 'showAlert',
			type: 'boolean',
			default: false,
			description: 'Whether to show the text in a dialog instead of a toast',
		},
	] as INodeProperties[],
);

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const callbackId = String(this.getNodeParameter('callbackId', call.itemIndex, '')).trim();
	const answerCallback = actionOf(this, call, 'answerCallback', 'answer button presses');
	if (!callbackId) {
		throw new NodeOperationError(this.getNode(), 'No callback to answer', {
			itemIndex: call.itemIndex,
		});
	}
	return await answerCallback(sendContext(this, call), {
		callbackId,
		text: String(this.getNodeParameter('text', call.itemIndex, '')),
		showAlert: this.getNodeParameter('showAlert', call.itemIndex, false) as boolean,
	});
}
