/**
 * A queue's business hours (pure, Intl only): weekly hours as people write them
 * ("Mon-Fri 09:00-18:00, Sat 10:00-14:00"; empty: always open), an IANA time zone, and holidays
 * ("2026-12-25, 01-01": a date, or a month and day every year). A range may run past midnight
 * ("Fri 20:00-02:00") and end at 24:00. A holiday closes its whole calendar day in the time zone.
 *
 * `isOpen`, `nextOpening` and `closedPeriodStart` (the instant the current closed period began:
 * what an away reply is sent once for) work on wall-clock time in the zone, so a DST change moves
 * opening instants, never the hours people see.
 */

/** The three settings, as the node takes them. */
export interface BusinessHours {
	weekly: string;
	timeZone: string;
	holidays: string;
}

/** Which setting is wrong: the node names it in its error. */
export type HoursField = 'weekly' | 'timeZone' | 'holidays';

/** What parseHours throws: an Error with the field it is about. */
export type HoursError = Error & { field: HoursField };

const hoursError = (field: HoursField, message: string): HoursError =>
	Object.assign(new Error(message), { field });

/** The field a parseHours error is about, or undefined for any other error. */
export const hoursFieldOf = (error: unknown): HoursField | undefined =>
	(error as Partial<HoursError> | undefined)?.field;

/** Minutes of a day, [from, to), 0..1440. */
type Range = [number, number];

export interface ParsedHours {
	/** Open ranges per weekday, 0 = Monday; undefined: always open. */
	days?: Range[][];
	timeZone: string;
	/** "YYYY-MM-DD" (that day) and "MM-DD" (every year). */
	holidays: Set<string>;
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const MINUTE = 60_000;
const DAY = 1440;

function dayOf(word: string): number | undefined {
	const lower = word.toLowerCase().replace(/\.$/, '');
	const index = DAYS.findIndex((d, i) => lower === d || lower === DAY_NAMES[i]);
	return index < 0 ? undefined : index;
}

/** "Mon", "Mon-Fri", "Sat-Mon" (wraps) → weekdays; undefined when it is not a day word. */
function daysOf(token: string): number[] | undefined {
	const [from, to, extra] = token.split('-');
	if (extra !== undefined) return undefined;
	const start = dayOf(from);
	if (start === undefined) return undefined;
	if (to === undefined) return [start];
	const end = dayOf(to);
	if (end === undefined) return undefined;
	const days = [start];
	for (let d = start; d !== end;) days.push((d = (d + 1) % 7));
	return days;
}

function minutesOf(text: string, token: string): number {
	const match = /^(\d{1,2}):(\d{2})$/.exec(text);
	const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
	if (!match || Number(match[2]) > 59 || minutes > DAY) {
		throw hoursError('weekly', `"${token}" is not a time range like 09:00-18:00`);
	}
	return minutes;
}

/** "09:00-18:00" → its range(s) on the day and, past midnight, on the next day. */
function rangeOf(token: string): { today: Range; tomorrow?: Range } {
	const [from, to, extra] = token.split('-');
	if (to === undefined || extra !== undefined) {
		throw hoursError('weekly', `"${token}" is not a time range like 09:00-18:00`);
	}
	const start = minutesOf(from, token);
	const end = minutesOf(to, token);
	if (start === end || start === DAY) {
		throw hoursError('weekly', `"${token}" opens and closes at the same time`);
	}
	if (end > start) return { today: [start, end] };
	return { today: [start, DAY], ...(end > 0 ? { tomorrow: [0, end] as Range } : {}) };
}

/** One entry ("Mon-Fri 09:00-12:00 13:00-18:00"); days carried over from the previous entry. */
function addEntry(days: Range[][], entry: string, previous: number[]): number[] {
	const tokens = entry.split(/\s+/).filter(Boolean);
	let current: number[] = [];
	let index = 0;
	for (; index < tokens.length; index++) {
		const found = daysOf(tokens[index]);
		if (!found) break;
		current.push(...found);
	}
	if (!current.length) {
		if (!previous.length || !/^\d/.test(tokens[0] ?? '')) {
			throw hoursError(
				'weekly',
				`"${tokens[0] ?? entry}" is not a day (write Mon, Tue, Wed, Thu, Fri, Sat, Sun, or a range like Mon-Fri)`,
			);
		}
		current = previous;
	}
	const rest = tokens.slice(index);
	if (!rest.length || /^(closed|off)$/i.test(rest.join(' '))) {
		if (rest.length) return current;
		throw hoursError('weekly', `"${entry}" has no hours (write e.g. "${entry} 09:00-18:00")`);
	}
	for (const token of rest) {
		const range = rangeOf(token);
		for (const day of current) {
			days[day].push(range.today);
			if (range.tomorrow) days[(day + 1) % 7].push(range.tomorrow);
		}
	}
	return current;
}

/** Sorted, overlapping and touching ranges merged. */
function merged(ranges: Range[]): Range[] {
	const out: Range[] = [];
	for (const [from, to] of [...ranges].sort((a, b) => a[0] - b[0])) {
		const last = out[out.length - 1];
		if (last && from <= last[1]) last[1] = Math.max(last[1], to);
		else out.push([from, to]);
	}
	return out;
}

function parseWeekly(text: string): Range[][] | undefined {
	const entries = text
		.split(/[,;\n]/)
		.map((e) => e.trim())
		.filter(Boolean);
	if (!entries.length) return undefined;
	const days: Range[][] = DAYS.map(() => []);
	let previous: number[] = [];
	for (const entry of entries) previous = addEntry(days, entry, previous);
	return days.map(merged);
}

function parseHolidays(text: string): Set<string> {
	const holidays = new Set<string>();
	for (const token of text.split(/[,;\s]+/).filter(Boolean)) {
		const match = /^(?:(\d{4})-)?(\d{2})-(\d{2})$/.exec(token);
		const month = Number(match?.[2]);
		const day = Number(match?.[3]);
		if (!match || month < 1 || month > 12 || day < 1 || day > 31) {
			throw hoursError(
				'holidays',
				`"${token}" is not a date (write 2026-12-25, or 12-25 for every year)`,
			);
		}
		holidays.add(token);
	}
	return holidays;
}

function checkTimeZone(timeZone: string): string {
	try {
		return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
	} catch {
		throw hoursError(
			'timeZone',
			`"${timeZone}" is not a time zone (write an IANA name like Europe/Berlin)`,
		);
	}
}

/** The settings checked and parsed; a HoursError names the setting that is wrong. */
export function parseHours(hours: BusinessHours): ParsedHours {
	return {
		timeZone: checkTimeZone(hours.timeZone.trim() || 'UTC'),
		days: parseWeekly(hours.weekly),
		holidays: parseHolidays(hours.holidays),
	};
}

// ---------------------------------------------------------------------------
// Wall-clock time in a zone
// ---------------------------------------------------------------------------

/** A calendar date in the zone: days since 1970-01-01 (UTC arithmetic, no zone). */
type LocalDay = number;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
	let f = formatters.get(timeZone);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone,
			hourCycle: 'h23',
			year: 'numeric',
			month: 'numeric',
			day: 'numeric',
			hour: 'numeric',
			minute: 'numeric',
			second: 'numeric',
		});
		formatters.set(timeZone, f);
	}
	return f;
}

/** The wall clock at `at` in the zone, as if it were UTC (ms). */
function wallClock(timeZone: string, at: number): number {
	const parts: Record<string, number> = {};
	for (const part of formatter(timeZone).formatToParts(new Date(at))) {
		if (part.type !== 'literal') parts[part.type] = Number(part.value);
	}
	const { year, month, day, hour, minute, second } = parts;
	return Date.UTC(year, month - 1, day, hour, minute, second) + (((at % 1000) + 1000) % 1000);
}

/** The instant the wall clock in the zone shows `local` (in a DST gap: moved forward by the gap). */
function instantOf(timeZone: string, local: number): number {
	const first = local - (wallClock(timeZone, local) - local);
	const offset = wallClock(timeZone, first) - first;
	return local - offset;
}

const localDayOf = (local: number): LocalDay => Math.floor(local / (DAY * MINUTE));
const weekday = (day: LocalDay) => (day + 3) % 7; // 1970-01-01 was a Thursday (3)

function isHoliday(parsed: ParsedHours, day: LocalDay): boolean {
	const date = new Date(day * DAY * MINUTE).toISOString().slice(0, 10);
	return parsed.holidays.has(date) || parsed.holidays.has(date.slice(5));
}

/** The open ranges of a calendar day in the zone (none on a holiday). */
function rangesOn(parsed: ParsedHours, day: LocalDay): Range[] {
	if (isHoliday(parsed, day)) return [];
	return parsed.days ? parsed.days[weekday(day)] : [[0, DAY]];
}

const at = (parsed: ParsedHours, day: LocalDay, minutes: number) =>
	instantOf(parsed.timeZone, (day * DAY + minutes) * MINUTE);

// ---------------------------------------------------------------------------
// The questions
// ---------------------------------------------------------------------------

/** Whether the queue is open at `when`. */
export function isOpen(parsed: ParsedHours, when: Date): boolean {
	const local = wallClock(parsed.timeZone, when.getTime());
	const day = localDayOf(local);
	const minutes = (local - day * DAY * MINUTE) / MINUTE;
	return rangesOn(parsed, day).some(([from, to]) => minutes >= from && minutes < to);
}

/** How far the questions look (a queue closed for longer is treated as never opening). */
const HORIZON_DAYS = 400;

/** When the queue opens next: `when` itself while open; undefined when it never opens. */
export function nextOpening(parsed: ParsedHours, when: Date): Date | undefined {
	if (isOpen(parsed, when)) return when;
	const first = localDayOf(wallClock(parsed.timeZone, when.getTime()));
	for (let day = first; day <= first + HORIZON_DAYS; day++) {
		for (const [from] of rangesOn(parsed, day)) {
			const opens = at(parsed, day, from);
			if (opens > when.getTime() && isOpen(parsed, new Date(opens))) return new Date(opens);
		}
	}
	return undefined;
}

/**
 * The instant the current closed period began (the last closing before `when`), undefined while
 * open. The same for every moment of one closed period: an away reply is sent once for it.
 */
export function closedPeriodStart(parsed: ParsedHours, when: Date): Date | undefined {
	if (isOpen(parsed, when)) return undefined;
	const first = localDayOf(wallClock(parsed.timeZone, when.getTime()));
	for (let day = first; day >= first - HORIZON_DAYS; day--) {
		for (const [, to] of [...rangesOn(parsed, day)].reverse()) {
			const closes = at(parsed, day, to);
			// a range to 24:00 that the next day continues is no closing
			if (closes <= when.getTime() && !isOpen(parsed, new Date(closes))) return new Date(closes);
		}
	}
	return new Date(0);
}
