import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { processDue } from '../../../conversations/centre/due';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';

const properties: INodeProperties[] = [
	{
		displayName:
			'Connect this node to a Schedule Trigger that runs every minute: handovers a failed run left ' +
			"unfinished get their notice and Handover Message (this node's channel), snoozed conversations whose time " +
			'came open again, and conversations waiting in a queue are assigned once business hours begin ' +
			'or an operator has a free slot. Safe to run in several workflows or n8n processes at once.',
		name: 'processDueNotice',
		type: 'notice',
		default: '',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['processDue'] } },
	properties,
);

/** Every item runs on its own. */
export { ownKey as conversationOf } from './shared';

/**
 * One item: the handovers finished, the snoozes woken, the waiting conversations assigned, how
 * many still wait.
 */
export async function execute(this: IExecuteFunctions, call: OperationCall) {
	return await processDue(this, call.itemIndex, new Date(), call.adapter);
}
