/**
 * Snooze times as operators type them (centre/time.ts): durations, days and times, dates, read in
 * the queue's time zone (daylight saving included), and what does not parse.
 */
import {
	formatIn,
	parseSnooze,
	SNOOZE_EXAMPLES,
	validZone,
	zonedTime,
} from '../../nodes/conversations/centre/time';

// Saturday 5 December 2026, 20:15 UTC = 21:15 in Berlin, 15:15 in New York
const NOW = new Date('2026-12-05T20:15:00.000Z');
const iso = (text: string, zone?: string, now = NOW) => parseSnooze(text, now, zone)?.toISOString();

describe('Snooze durations', () => {
	it.each([
		['30m', '2026-12-05T20:45:00.000Z'],
		['2h', '2026-12-05T22:15:00.000Z'],
		['1d', '2026-12-06T20:15:00.000Z'],
		['1w', '2026-12-12T20:15:00.000Z'],
		['1h30m', '2026-12-05T21:45:00.000Z'],
		['1h 30m', '2026-12-05T21:45:00.000Z'],
		['2 hours', '2026-12-05T22:15:00.000Z'],
		['45 min', '2026-12-05T21:00:00.000Z'],
		[' 2H ', '2026-12-05T22:15:00.000Z'],
	])('%s → %s', (text, expected) => {
		expect(iso(text)).toBe(expected);
	});
});

describe('A day and a time, in the queue’s time zone', () => {
	it.each([
		['tomorrow 9:00', 'Europe/Berlin', '2026-12-06T08:00:00.000Z'],
		['tomorrow 9:00', 'UTC', '2026-12-06T09:00:00.000Z'],
		['tomorrow 9:00', 'America/New_York', '2026-12-06T14:00:00.000Z'],
		['tomorrow', 'Europe/Berlin', '2026-12-06T08:00:00.000Z'],
		['tomorrow at 2pm', 'UTC', '2026-12-06T14:00:00.000Z'],
		['today 23:30', 'Europe/Berlin', '2026-12-05T22:30:00.000Z'],
		// Saturday: Monday is in two days
		['mon 10:00', 'Europe/Berlin', '2026-12-07T09:00:00.000Z'],
		['Monday 10:00', 'Europe/Berlin', '2026-12-07T09:00:00.000Z'],
		// Saturday 21:15 in Berlin: Saturday 22:00 is still ahead, Saturday 10:00 is next week
		['sat 22:00', 'Europe/Berlin', '2026-12-05T21:00:00.000Z'],
		['sat 10:00', 'Europe/Berlin', '2026-12-12T09:00:00.000Z'],
		// a time alone: today while ahead, else tomorrow
		['23:00', 'Europe/Berlin', '2026-12-05T22:00:00.000Z'],
		['9:00', 'Europe/Berlin', '2026-12-06T08:00:00.000Z'],
		// New York is still on Saturday 15:15: "today 17:00" is ahead there
		['today 17:00', 'America/New_York', '2026-12-05T22:00:00.000Z'],
		['2026-12-24 09:00', 'Europe/Berlin', '2026-12-24T08:00:00.000Z'],
		['2026-12-24', 'Europe/Berlin', '2026-12-24T08:00:00.000Z'],
		['2027-07-01 09:00', 'Europe/Berlin', '2027-07-01T07:00:00.000Z'],
	])('%s in %s → %s', (text, zone, expected) => {
		expect(iso(text, zone)).toBe(expected);
	});

	it('across a change to summer time the wall clock is kept (Berlin, 29 March 2026)', () => {
		const saturday = new Date('2026-03-28T12:00:00.000Z');
		expect(iso('tomorrow 9:00', 'Europe/Berlin', saturday)).toBe('2026-03-29T07:00:00.000Z');
		expect(iso('1d', 'Europe/Berlin', saturday)).toBe('2026-03-29T12:00:00.000Z');
	});

	it('a time the clocks skip moves forward by the gap; one they show twice is the first', () => {
		const gap = zonedTime({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin');
		expect(gap.toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 03:30 summer time
		const twice = zonedTime({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin');
		expect(twice.toISOString()).toBe('2026-10-25T00:30:00.000Z'); // 02:30 summer time
	});

	it('an unknown time zone reads as UTC', () => {
		expect(validZone('Mars/Olympus')).toBe('UTC');
		expect(iso('tomorrow 9:00', 'Mars/Olympus')).toBe('2026-12-06T09:00:00.000Z');
	});
});

describe('What does not parse (the operator gets the examples)', () => {
	it.each([
		'',
		'soon',
		'2x',
		'monkey 10:00',
		'tomorrow 25:00',
		'tomorrow 9:75',
		'13pm',
		'2026-02-30 09:00',
		'2026-12-24 9',
		'today 08:00', // passed already (21:15 in Berlin)
		'2020-01-01 09:00', // passed
		'0m',
		'2000d', // more than a year
	])('"%s"', (text) => {
		expect(parseSnooze(text, NOW, 'Europe/Berlin')).toBeUndefined();
	});

	it('every example it gives parses', () => {
		for (const example of SNOOZE_EXAMPLES.split(', ')) {
			expect(parseSnooze(example, NOW, 'Europe/Berlin')).toBeInstanceOf(Date);
		}
	});
});

describe('How a snooze time is shown', () => {
	it('in the zone, with the zone named', () => {
		expect(formatIn(new Date('2026-12-07T09:00:00.000Z'), 'Europe/Berlin')).toBe(
			'Mon 7 Dec 10:00 (Europe/Berlin)',
		);
		expect(formatIn(new Date('2026-12-07T09:00:00.000Z'), '')).toBe('Mon 7 Dec 09:00 (UTC)');
	});
});
