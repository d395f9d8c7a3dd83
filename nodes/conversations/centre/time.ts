/**
 * Snooze times as operators type them (`/snooze 2h`, `/snooze tomorrow 9:00`), read in a time zone
 * (the queue's; UTC without one) with Intl alone. Pure: `now` is given.
 *
 * - a duration: `30m`, `2h`, `1d`, `1w`, combined `1h30m` (also `min`, `hours`, `days`…);
 * - a day and a time: `tomorrow 9:00`, `today 17:30`, `mon 10:00` / `monday 10:00` (the next such
 *   day; today while the time is still ahead), a time alone `14:00` (today, else tomorrow);
 *   a day without a time means 09:00;
 * - a date: `2026-12-24 09:00` or `2026-12-24` (09:00).
 * Anything else, or a moment not after `now`, is undefined: the caller answers with `SNOOZE_EXAMPLES`.
 */

export const SNOOZE_EXAMPLES = '30m, 2h, 1d, tomorrow 9:00, mon 10:00, 2026-12-24 09:00';

const UNIT_MS: Record<string, number> = {
	m: 60_000,
	min: 60_000,
	mins: 60_000,
	minute: 60_000,
	minutes: 60_000,
	h: 3_600_000,
	hr: 3_600_000,
	hrs: 3_600_000,
	hour: 3_600_000,
	hours: 3_600_000,
	d: 86_400_000,
	day: 86_400_000,
	days: 86_400_000,
	w: 604_800_000,
	week: 604_800_000,
	weeks: 604_800_000,
};

const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** The most a snooze may last (a typo like `2000d` is refused, not obeyed). */
const MAX_MS = 366 * 86_400_000;

/** The moment `text` names, after `now`, in `timeZone`; undefined when it does not parse. */
export function parseSnooze(text: string, now: Date, timeZone = 'UTC'): Date | undefined {
	const input = text.trim().toLowerCase().replace(/\s+/g, ' ');
	const zone = validZone(timeZone);
	const at = duration(input, now) ?? dayAndTime(input, now, zone) ?? date(input, zone);
	if (!at || Number.isNaN(at.getTime())) return undefined;
	const ahead = at.getTime() - now.getTime();
	return ahead > 0 && ahead <= MAX_MS ? at : undefined;
}

function duration(input: string, now: Date): Date | undefined {
	const parts = [...input.replace(/ /g, '').matchAll(/(\d{1,4})([a-z]+)/g)];
	if (!parts.length || parts.map((p) => p[0]).join('') !== input.replace(/ /g, '')) {
		return undefined;
	}
	let ms = 0;
	for (const [, amount, unit] of parts) {
		if (!UNIT_MS[unit]) return undefined;
		ms += Number(amount) * UNIT_MS[unit];
	}
	return new Date(now.getTime() + ms);
}

/** `[day] [time]`: today, tomorrow, a weekday, or none (a time alone). */
function dayAndTime(input: string, now: Date, zone: string): Date | undefined {
	const match =
		/^(?:(today|tomorrow|[a-z]{3,9}))?\s?(?:(?:at )?(\d{1,2})(?::(\d{2}))?\s?(am|pm)?)?$/.exec(
			input,
		);
	if (!match || (!match[1] && !match[2])) return undefined;
	const [, day, hourText, minuteText, half] = match;
	const time = clock(hourText ?? '9', minuteText ?? '00', half);
	if (!time) return undefined;
	const today = wallDate(now, zone);
	const offset = dayOffset(day, today.weekday);
	if (offset === undefined) return undefined;
	const at = (days: number) =>
		zonedTime({ ...addDays(today, days), hour: time.hour, minute: time.minute }, zone);
	const first = at(offset);
	if (first.getTime() > now.getTime()) return first;
	// a time alone, or a weekday today, already past: the next one (tomorrow, in a week)
	if (!day) return at(1);
	return day === 'today' || day === 'tomorrow' ? first : at(offset + 7);
}

function dayOffset(day: string | undefined, weekday: number): number | undefined {
	if (!day || day === 'today') return 0;
	if (day === 'tomorrow') return 1;
	const wanted = WEEKDAYS.findIndex((name) => day.startsWith(name) && fullDay(day, name));
	return wanted < 0 ? undefined : (wanted - weekday + 7) % 7;
}

/** `mon`, `monday` (not `monkey`). */
function fullDay(day: string, short: string): boolean {
	const names: Record<string, string> = {
		sun: 'sunday',
		mon: 'monday',
		tue: 'tuesday',
		wed: 'wednesday',
		thu: 'thursday',
		fri: 'friday',
		sat: 'saturday',
	};
	return day === short || day === names[short] || (day.length >= 3 && names[short].startsWith(day));
}

function clock(hourText: string, minuteText: string, half: string | undefined) {
	let hour = Number(hourText);
	const minute = Number(minuteText);
	if (half) {
		if (hour < 1 || hour > 12) return undefined;
		hour = (hour % 12) + (half === 'pm' ? 12 : 0);
	}
	return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

function date(input: string, zone: string): Date | undefined {
	const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ t](\d{1,2}):(\d{2}))?$/.exec(input);
	if (!match) return undefined;
	const [, y, m, d, h, min] = match.map(Number);
	const valid = new Date(Date.UTC(y, m - 1, d));
	if (valid.getUTCMonth() !== m - 1 || valid.getUTCDate() !== d) return undefined;
	const time = match[4] === undefined ? { hour: 9, minute: 0 } : clock(String(h), String(min), '');
	if (!time) return undefined;
	return zonedTime({ year: y, month: m, day: d, ...time }, zone);
}

// ---------------------------------------------------------------------------
// Wall-clock time in a zone
// ---------------------------------------------------------------------------

interface WallDate {
	year: number;
	month: number;
	day: number;
}

interface WallTime extends WallDate {
	hour: number;
	minute: number;
}

/** The zone when Intl knows it, else UTC. */
export function validZone(timeZone: string | null | undefined): string {
	try {
		if (!timeZone) return 'UTC';
		new Intl.DateTimeFormat('en-US', { timeZone });
		return timeZone;
	} catch {
		return 'UTC';
	}
}

function partsIn(moment: Date, zone: string): WallTime & { weekday: number } {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: 'numeric',
		minute: 'numeric',
		weekday: 'short',
	}).formatToParts(moment);
	const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
	return {
		year: Number(get('year')),
		month: Number(get('month')),
		day: Number(get('day')),
		hour: Number(get('hour')) % 24,
		minute: Number(get('minute')),
		weekday: WEEKDAYS.indexOf(get('weekday').toLowerCase().slice(0, 3)),
	};
}

function wallDate(moment: Date, zone: string): WallDate & { weekday: number } {
	const { year, month, day, weekday } = partsIn(moment, zone);
	return { year, month, day, weekday };
}

function addDays(date: WallDate, days: number): WallDate {
	const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
	return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** The zone's offset from UTC at `moment`, in ms (Berlin in winter: +3 600 000). */
function offsetAt(moment: number, zone: string): number {
	const p = partsIn(new Date(moment), zone);
	const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
	return wall - Math.floor(moment / 60_000) * 60_000;
}

/**
 * The moment the zone's clocks show `wall`. A time the clocks skip (a DST gap) is moved forward
 * by the gap; a time they show twice is the first.
 */
export function zonedTime(wall: WallTime, zone: string): Date {
	const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
	// the zone's offsets half a day before and after: the same, except around a change of offset
	const offsets = [offsetAt(asUtc - HALF_DAY, zone), offsetAt(asUtc + HALF_DAY, zone)];
	const candidates = offsets.map((offset) => asUtc - offset).sort((a, b) => a - b);
	const exact = candidates.find((moment) => offsetAt(moment, zone) === asUtc - moment);
	// none shows it: the clocks skip it, and the offset before the gap moves it forward by the gap
	return new Date(exact ?? asUtc - offsets[0]);
}

const HALF_DAY = 12 * 3_600_000;

/** How an operator reads a moment: `Mon 7 Dec 09:00 (Europe/Berlin)`. */
export function formatIn(moment: Date, timeZone: string): string {
	const zone = validZone(timeZone);
	const text = new Intl.DateTimeFormat('en-GB', {
		timeZone: zone,
		hourCycle: 'h23',
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		hour: '2-digit',
		minute: '2-digit',
	})
		.format(moment)
		.replace(',', '');
	return `${text} (${zone})`;
}
