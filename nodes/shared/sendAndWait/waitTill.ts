import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';

const UNIT_MS: Record<string, number> = {
	minutes: 60_000,
	hours: 3_600_000,
	days: 86_400_000,
};

/**
 * Until when the execution waits, as n8n's configureWaitTillDate: the option Limit Wait Time
 * (after an interval, or at a date and time), else indefinitely. A limit that is not a date is
 * an error before anything is sent.
 */
export function waitTillDate(ctx: IExecuteFunctions, now = Date.now()): Date {
	const limit = ctx.getNodeParameter('options.limitWaitTime.values', 0, {}) as IDataObject;
	if (!Object.keys(limit).length) return WAIT_INDEFINITELY;
	let until: Date;
	if ((limit.limitType ?? 'afterTimeInterval') === 'afterTimeInterval') {
		const amount = Number(limit.resumeAmount ?? 1);
		const unit = UNIT_MS[String(limit.resumeUnit ?? 'hours')] ?? UNIT_MS.hours;
		until = new Date(now + amount * unit);
		if (!(amount >= 0)) until = new Date(NaN);
	} else {
		until = new Date(String(limit.maxDateAndTime ?? ''));
	}
	if (isNaN(until.getTime())) {
		throw new NodeOperationError(ctx.getNode(), 'Could not configure Limit Wait Time', {
			description:
				'The option Limit Wait Time needs an amount of 0 or more, or a valid date and time.',
		});
	}
	return until;
}
