import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { act, conversationChatField, dateOf } from './shared';

const UNITS: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

const properties: INodeProperties[] = [
	conversationChatField,
	{
		displayName: 'Snooze',
		name: 'snoozeBy',
		type: 'options',
		options: [
			{ name: 'For a While', value: 'duration', description: 'A number of minutes, hours or days' },
			{ name: 'Until a Date and Time', value: 'until' },
		],
		default: 'duration',
		description:
			'The conversation is set aside and opens again then, or at once when the customer writes',
	},
	{
		displayName: 'Duration',
		name: 'duration',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 2,
		displayOptions: { show: { snoozeBy: ['duration'] } },
	},
	{
		displayName: 'Unit',
		name: 'unit',
		type: 'options',
		options: [
			{ name: 'Days', value: 'days' },
			{ name: 'Hours', value: 'hours' },
			{ name: 'Minutes', value: 'minutes' },
		],
		default: 'hours',
		displayOptions: { show: { snoozeBy: ['duration'] } },
	},
	{
		displayName: 'Until',
		name: 'until',
		type: 'dateTime',
		default: '',
		required: true,
		description: "When it opens again (without a zone written: the workflow's time zone)",
		displayOptions: { show: { snoozeBy: ['until'] } },
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['snooze'] } },
	properties,
);

export { conversationOf } from './shared';

function untilOf(ctx: IExecuteFunctions, itemIndex: number): Date {
	const now = Date.now();
	if (ctx.getNodeParameter('snoozeBy', itemIndex, 'duration') === 'duration') {
		const amount = Number(ctx.getNodeParameter('duration', itemIndex, 0));
		const unit = UNITS[String(ctx.getNodeParameter('unit', itemIndex, 'hours'))];
		if (!(amount > 0) || !unit)
			throw new NodeOperationError(ctx.getNode(), 'The snooze duration must be more than 0', {
				itemIndex,
			});
		return new Date(now + amount * unit);
	}
	const until = dateOf(ctx, itemIndex, 'until', 'Until');
	if (!until || until.getTime() <= now)
		throw new NodeOperationError(ctx.getNode(), 'Until must be a time in the future', {
			itemIndex,
			description: `Until: ${until?.toISOString() ?? 'empty'}; now: ${new Date(now).toISOString()}.`,
		});
	return until;
}

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	return await act(this, call, 'snooze', { until: untilOf(this, call.itemIndex) });
}
