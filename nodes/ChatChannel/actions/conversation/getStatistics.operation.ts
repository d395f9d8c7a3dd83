import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getStatistics, type Period } from '../../../conversations/centre/stats';
import { updateDisplayOptions } from '../../../shared/displayOptions';
import type { OperationCall } from '../types';
import { channelFilter, channelsOption } from './shared';

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

/** How far `zone`'s wall clock is ahead of UTC at the moment `t` (ms). */
function offsetIn(zone: string, t: number): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: 'numeric',
		minute: 'numeric',
		second: 'numeric',
	}).formatToParts(new Date(t));
	const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) - t;
}

/** `2026-12-24T09:00:00` (no zone written, as n8n's date picker gives it) in the workflow's zone. */
function parseDate(value: string, zone: string): Date {
	const wall = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?$/.exec(
		value,
	);
	if (!wall) return new Date(value);
	const [, y, mo, d, h = '0', mi = '0', s = '0'] = wall;
	const guess = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
	const first = guess - offsetIn(zone, guess);
	return new Date(guess - offsetIn(zone, first));
}

/** A date-time field's moment (a written zone counts; none: the workflow's time zone). */
function dateOf(ctx: IExecuteFunctions, itemIndex: number, name: string): Date | undefined {
	const value = ctx.getNodeParameter(name, itemIndex, '') as string | Date;
	if (value === '' || value === null || value === undefined) return undefined;
	const date = value instanceof Date ? value : parseDate(String(value).trim(), ctx.getTimezone());
	if (Number.isNaN(date.getTime())) {
		throw new NodeOperationError(
			ctx.getNode(),
			`${name === 'from' ? 'From' : 'To'} is not a date`,
			{
				itemIndex,
				description: `"${String(value).slice(0, 60)}": use an ISO date-time, e.g. 2026-12-24T09:00:00Z.`,
			},
		);
	}
	return date;
}

function periodOf(ctx: IExecuteFunctions, itemIndex: number): Period {
	const now = new Date();
	const period = ctx.getNodeParameter('period', itemIndex, 'last24Hours') as string;
	if (period !== 'custom')
		return { from: new Date(now.getTime() - (PERIODS[period] ?? PERIODS.last24Hours)), to: now };
	const from = dateOf(ctx, itemIndex, 'from');
	const to = dateOf(ctx, itemIndex, 'to') ?? now;
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
