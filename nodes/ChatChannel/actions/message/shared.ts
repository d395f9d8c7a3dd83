import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ChannelAdapter } from '../../../channels/types';

export const messageIdField: INodeProperties = {
	displayName: 'Message ID',
	name: 'messageId',
	type: 'string',
	default: '={{ $json.messageId }}',
	required: true,
	description: 'The message to change: messageId of a trigger item, or of the output of a send',
};

export function getMessageId(
	ctx: IExecuteFunctions,
	itemIndex: number,
	adapter: ChannelAdapter,
): string {
	const value = String(ctx.getNodeParameter('messageId', itemIndex, '') ?? '').trim();
	const rule = adapter.messageId;
	if (!rule.pattern.test(value)) {
		throw new NodeOperationError(ctx.getNode(), `"${value.slice(0, 40)}" is not a message ID`, {
			itemIndex,
			description: rule.description,
		});
	}
	return value;
}
