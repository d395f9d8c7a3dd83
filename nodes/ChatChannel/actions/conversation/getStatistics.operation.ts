import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getStatistics, type Period } from '../../../conversations/centre/stats';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { channelFilter, channelsOption, dateOf } from './shared';

const HOUR = 3600_000;

const PERIODS: Record<string, number> = {
	last24Hours: 24 * HOUR,
	last7Days: 7 * 24 * HOUR,
	last30Days: 30 * 24 * HOUR,
};

const properties: INodeProperties[] = [
	{
		displayName: 'Period',
		name: 'period',
		type: 'options',
		options: [
			{ name: 'Custom', value: 'custom', description: 'From and To below' },
			{ name: 'Last 24 Hours', value: 'last24Hours' },
			{ name: 'Last 30 Days', value: 'last30Days' },
			{ name: 'Last 7 Days', value: 'last7Days' },
		],
		default: 'last24Hours',
		description:
			'Counts the conversations live at some moment of the period (begun before its end, not resolved before its start); the medians are over the first responses and resolutions in it',
	},
	{
		displayName: 'From',
		name: 'from',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'Start of the period (included)',
		displayOptions: { show: { period: ['custom'] } },
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'dateTime',
		default: '',
		description: 'End of the period (not included); empty: now',
		displayOptions: { show: { period: ['custom'] } },
	},
	{
		displayName: 'Options',
		name: 'statisticsOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [channelsOption],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['conversation'], operation: ['getStatistics'] } },
	properties,
);

function periodOf(ctx: IExecuteFunctions, itemIndex: number): Period {
	const now = new Date();
	const period = ctx.getNodeParameter('period', itemIndex, 'last24Hours') as string;
	if (period !== 'custom')
		return { from: new Date(now.getTime() - (PERIODS[period] ?? PERIODS.last24Hours)), to: now };
	const from = dateOf(ctx, itemIndex, 'from', 'From');
	const to = dateOf(ctx, itemIndex, 'to', 'To') ?? now;
	if (!from || from >= to) {
		throw new NodeOperationError(ctx.getNode(), 'The period needs a From before its To', {
			itemIndex,
			description: `From: ${from?.toISOString() ?? 'empty'}, To: ${to.toISOString()}.`,
		});
	}
	return { from, to };
}

/** Every item reads on its own. */
export { ownKey as conversationOf } from './shared';

export async function execute(this: IExecuteFunctions, call: OperationCall) {
	const { itemIndex } = call;
	const options = this.getNodeParameter('statisticsOptions', itemIndex, {}) as IDataObject;
	return await getStatistics(this, itemIndex, {
		period: periodOf(this, itemIndex),
		channel: channelFilter(this, itemIndex, options),
		timeZone: this.getTimezone(),
	});
}
