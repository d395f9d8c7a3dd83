/** Business hours (nodes/shared/hours.ts, the contact centre's): weekly hours, time zones, DST, holidays. */
import {
	closedPeriodStart,
	hoursFieldOf,
	isOpen,
	nextOpening,
	parseHours,
} from '../../nodes/shared/hours';

const berlin = (weekly: string, holidays = '') =>
	parseHours({ weekly, timeZone: 'Europe/Berlin', holidays });
const d = (iso: string) => new Date(iso);

describe('business hours', () => {
	it('is open inside the weekly hours in the queue’s time zone, closed outside', () => {
		const hours = berlin('Mon-Fri 09:00-18:00, Sat 10:00-14:00');
		// Thu 2026-12-03, Berlin is UTC+1
		expect(isOpen(hours, d('2026-12-03T07:59:00Z'))).toBe(false); // 08:59
		expect(isOpen(hours, d('2026-12-03T08:00:00Z'))).toBe(true); // 09:00
		expect(isOpen(hours, d('2026-12-03T16:59:59Z'))).toBe(true); // 17:59:59
		expect(isOpen(hours, d('2026-12-03T17:00:00Z'))).toBe(false); // 18:00
		expect(isOpen(hours, d('2026-12-05T09:30:00Z'))).toBe(true); // Sat 10:30
		expect(isOpen(hours, d('2026-12-05T13:00:00Z'))).toBe(false); // Sat 14:00
		expect(isOpen(hours, d('2026-12-06T11:00:00Z'))).toBe(false); // Sun
	});

	it('empty weekly hours: always open (holidays still close)', () => {
		const always = berlin('');
		expect(isOpen(always, d('2026-12-06T03:00:00Z'))).toBe(true);
		expect(nextOpening(always, d('2026-12-06T03:00:00Z'))).toEqual(d('2026-12-06T03:00:00Z'));
		expect(closedPeriodStart(always, d('2026-12-06T03:00:00Z'))).toBeUndefined();
		const christmas = berlin('', '2026-12-25');
		expect(isOpen(christmas, d('2026-12-25T12:00:00Z'))).toBe(false);
		expect(nextOpening(christmas, d('2026-12-25T12:00:00Z'))).toEqual(d('2026-12-25T23:00:00Z'));
	});

	it('reads several ranges a day, days carried to the next entry, full day names, "closed"', () => {
		const hours = berlin('monday-friday 09:00-12:00 13:00-17:00; Sat closed, 14:00-16:00');
		expect(isOpen(hours, d('2026-12-03T11:30:00Z'))).toBe(false); // Thu 12:30, lunch
		expect(isOpen(hours, d('2026-12-03T12:00:00Z'))).toBe(true); // 13:00
		expect(isOpen(hours, d('2026-12-05T13:30:00Z'))).toBe(true); // Sat 14:30 (carried days)
	});

	it('a range past midnight belongs to the day it starts on and the next morning', () => {
		const hours = berlin('Fri 20:00-02:00');
		expect(isOpen(hours, d('2026-12-04T22:00:00Z'))).toBe(true); // Fri 23:00
		expect(isOpen(hours, d('2026-12-05T00:30:00Z'))).toBe(true); // Sat 01:30
		expect(isOpen(hours, d('2026-12-05T01:00:00Z'))).toBe(false); // Sat 02:00
		expect(closedPeriodStart(hours, d('2026-12-05T12:00:00Z'))).toEqual(d('2026-12-05T01:00:00Z'));
	});

	it('next opening: the same evening’s closing waits for the next working morning', () => {
		const hours = berlin('Mon-Fri 09:00-18:00, Sat 10:00-14:00');
		// Sat 15:00 → Mon 09:00
		expect(nextOpening(hours, d('2026-12-05T14:00:00Z'))).toEqual(d('2026-12-07T08:00:00Z'));
		// Thu 07:00 → Thu 09:00
		expect(nextOpening(hours, d('2026-12-03T06:00:00Z'))).toEqual(d('2026-12-03T08:00:00Z'));
		// open: now
		expect(nextOpening(hours, d('2026-12-03T10:00:00Z'))).toEqual(d('2026-12-03T10:00:00Z'));
	});

	it('a closed period has one start, the same for every moment of it (one away reply)', () => {
		const hours = berlin('Mon-Fri 09:00-18:00');
		const friEvening = d('2026-12-04T17:00:00Z'); // Fri 18:00
		for (const when of ['2026-12-04T17:00:00Z', '2026-12-05T12:00:00Z', '2026-12-07T07:59:00Z']) {
			expect(closedPeriodStart(hours, d(when))).toEqual(friEvening);
		}
		// Monday evening is another period
		expect(closedPeriodStart(hours, d('2026-12-07T20:00:00Z'))).toEqual(d('2026-12-07T17:00:00Z'));
		expect(closedPeriodStart(hours, d('2026-12-07T10:00:00Z'))).toBeUndefined();
	});

	it('holidays close the day (a date, or a month-day every year) and join the closed period', () => {
		const hours = berlin('Mon-Fri 09:00-18:00', '2026-12-24, 12-25');
		expect(isOpen(hours, d('2026-12-24T10:00:00Z'))).toBe(false);
		expect(isOpen(hours, d('2027-12-24T10:00:00Z'))).toBe(true); // Fri 2027-12-24: only 2026
		expect(isOpen(hours, d('2027-12-27T10:00:00Z'))).toBe(true);
		expect(isOpen(hours, d('2030-12-25T10:00:00Z'))).toBe(false); // every year
		// Wed 23 Dec 18:00 → Mon 28 Dec 09:00, one closed period
		expect(nextOpening(hours, d('2026-12-23T18:00:00Z'))).toEqual(d('2026-12-28T08:00:00Z'));
		expect(closedPeriodStart(hours, d('2026-12-25T10:00:00Z'))).toEqual(d('2026-12-23T17:00:00Z'));
	});

	it('follows DST: 09:00 is 08:00 UTC in winter and 07:00 UTC in summer', () => {
		const hours = berlin('Mon-Fri 09:00-18:00');
		// Sat 2026-03-28 (last winter day) → Mon 2026-03-30, after the change on Sunday
		expect(nextOpening(hours, d('2026-03-28T12:00:00Z'))).toEqual(d('2026-03-30T07:00:00Z'));
		expect(isOpen(hours, d('2026-03-30T07:00:00Z'))).toBe(true);
		expect(isOpen(hours, d('2026-03-27T07:30:00Z'))).toBe(false); // Fri 08:30 CET
		// autumn: Fri 2026-10-23 18:00 CEST → Mon 2026-10-26 09:00 CET
		expect(closedPeriodStart(hours, d('2026-10-25T12:00:00Z'))).toEqual(d('2026-10-23T16:00:00Z'));
		expect(nextOpening(hours, d('2026-10-25T12:00:00Z'))).toEqual(d('2026-10-26T08:00:00Z'));
	});

	it('an opening inside the spring DST gap moves forward by the gap (as Temporal’s "compatible")', () => {
		const hours = berlin('Sun 02:30-05:00');
		expect(nextOpening(hours, d('2026-03-28T12:00:00Z'))).toEqual(d('2026-03-29T01:30:00Z')); // 03:30 CEST
		expect(isOpen(hours, d('2026-03-29T02:30:00Z'))).toBe(true); // 04:30 CEST
	});

	it('works in zones far from UTC (the weekday is the zone’s)', () => {
		const tokyo = parseHours({ weekly: 'Mon 09:00-10:00', timeZone: 'Asia/Tokyo', holidays: '' });
		// Mon 09:30 in Tokyo is Sunday 00:30 UTC
		expect(isOpen(tokyo, d('2026-12-07T00:30:00Z'))).toBe(true);
		const la = parseHours({
			weekly: 'Sun 20:00-22:00',
			timeZone: 'America/Los_Angeles',
			holidays: '',
		});
		// Sun 21:00 in Los Angeles is Monday 05:00 UTC
		expect(isOpen(la, d('2026-12-07T05:00:00Z'))).toBe(true);
	});

	it.each([
		['Mon-Fir 09:00-18:00', 'weekly', /"Fir" is not a day|"Mon-Fir" is not a day/],
		['Mon 9-18', 'weekly', /"9-18" is not a time range like 09:00-18:00/],
		['Mon 09:00-25:00', 'weekly', /not a time range/],
		['Mon 09:00-09:00', 'weekly', /opens and closes at the same time/],
		['Mon-Fri', 'weekly', /has no hours/],
		['09:00-18:00', 'weekly', /is not a day/],
	])('names the field of a bad weekly text: %s', (weekly, field, message) => {
		const parse = () => parseHours({ weekly, timeZone: 'UTC', holidays: '' });
		expect(parse).toThrow(message);
		try {
			parse();
		} catch (error) {
			expect(hoursFieldOf(error)).toBe(field);
		}
	});

	it('names a bad time zone and a bad holiday', () => {
		const zone = () => parseHours({ weekly: '', timeZone: 'Europe/Berlni', holidays: '' });
		expect(zone).toThrow('"Europe/Berlni" is not a time zone');
		const holiday = () =>
			parseHours({ weekly: '', timeZone: 'UTC', holidays: '2026-12-25, 25.12.' });
		expect(holiday).toThrow('"25.12." is not a date');
		for (const bad of [zone, holiday]) {
			try {
				bad();
			} catch (error) {
				expect(['timeZone', 'holidays']).toContain(hoursFieldOf(error));
			}
		}
		// an empty zone is UTC
		expect(parseHours({ weekly: '', timeZone: '', holidays: '' }).timeZone).toBe('UTC');
	});
});
