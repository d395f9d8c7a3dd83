import type { IExecuteFunctions } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { act, conversationChatField } from './shared';

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['reopen'] } },
	[conversationChatField],
);

export { conversationOf } from './shared';

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	return await act(this, call, 'reopen', {});
}
