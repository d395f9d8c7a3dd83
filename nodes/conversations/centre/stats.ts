/**
 * Get Statistics: what a supervisor reads about a period. The conversations counted are those
 * live at some moment of the period: begun before its end and not resolved before its start
 * (their status is the one they have now). The medians are over what happened in the period:
 * first responses given in it (first operator answer − first customer message) and resolutions
 * in it (resolved − begun). One `GET /chats` per 100 conversation chats (list.ts), one
 * `GET /users/{id}` per operator for the names.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { userName } from '../teamspirit';
import { eachConversation, type Conversation } from './list';
import type { ConversationStatus } from './state';

export interface Period {
	from: Date;
	to: Date;
}

const STATUSES: ConversationStatus[] = ['open', 'pending', 'snoozed', 'resolved'];

type StatusCounts = Record<ConversationStatus, number>;

interface Group extends StatusCounts {
	conversations: number;
	resolvedInPeriod: number;
}

interface Tally {
	all: Group;
	createdInPeriod: number;
	byQueue: Map<string | null, Group>;
	byOperator: Map<string | null, Group>;
	firstResponses: number[];
	resolutions: number[];
	ratings: number[];
}

const newGroup = (): Group => ({
	conversations: 0,
	open: 0,
	pending: 0,
	snoozed: 0,
	resolved: 0,
	resolvedInPeriod: 0,
});

const newTally = (): Tally => ({
	all: newGroup(),
	createdInPeriod: 0,
	byQueue: new Map(),
	byOperator: new Map(),
	firstResponses: [],
	resolutions: [],
	ratings: [],
});

const timeOf = (iso: string | null | undefined) => (iso ? Date.parse(iso) : NaN);
const within = (t: number, p: Period) => t >= p.from.getTime() && t < p.to.getTime();

function count(
	groups: Map<string | null, Group>,
	key: string | null,
	c: Conversation,
	inP: boolean,
) {
	let group = groups.get(key);
	if (!group) groups.set(key, (group = newGroup()));
	add(group, c, inP);
}

function add(group: Group, c: Conversation, resolvedInPeriod: boolean) {
	group.conversations++;
	group[c.state.status]++;
	if (resolvedInPeriod) group.resolvedInPeriod++;
}

/** Adds one conversation to the tally (what the period says of it). */
function tallyConversation(tally: Tally, c: Conversation, period: Period): void {
	const created = timeOf(c.state.times.createdAt);
	const { times, rating } = c.state;
	const resolved = timeOf(times.resolvedAt);
	const firstResponse = timeOf(times.firstResponseAt);
	const firstCustomer = timeOf(times.firstCustomerMessageAt);
	if (within(firstResponse, period) && !Number.isNaN(firstCustomer))
		tally.firstResponses.push(Math.max(0, firstResponse - firstCustomer) / 1000);
	const resolvedInPeriod = within(resolved, period);
	if (resolvedInPeriod && !Number.isNaN(created))
		tally.resolutions.push(Math.max(0, resolved - created) / 1000);
	if (rating && within(timeOf(rating.at), period)) tally.ratings.push(rating.score);
	const live = !(created >= period.to.getTime()) && !(resolved < period.from.getTime());
	if (!live) return;
	if (within(created, period)) tally.createdInPeriod++;
	add(tally.all, c, resolvedInPeriod);
	count(tally.byQueue, c.state.queue, c, resolvedInPeriod);
	count(tally.byOperator, c.state.assigneeId, c, resolvedInPeriod);
}

function median(values: number[]): number | null {
	if (!values.length) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	const value = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	return Math.round(value);
}

/** "45 s", "2 min 10 s", "1 h 5 min", "2 d 3 h"; "–" for none. */
export function humanDuration(seconds: number | null): string {
	if (seconds === null) return '–';
	const s = Math.round(seconds);
	const units: Array<[string, number]> = [
		['d', 86400],
		['h', 3600],
		['min', 60],
		['s', 1],
	];
	const index = units.findIndex(([, size]) => s >= size);
	if (index < 0) return '0 s';
	const [bigName, big] = units[index];
	const parts = [`${Math.floor(s / big)} ${bigName}`];
	const next = units[index + 1];
	if (next && Math.floor((s % big) / next[1]))
		parts.push(`${Math.floor((s % big) / next[1])} ${next[0]}`);
	return parts.join(' ');
}

const statusCounts = (group: Group): StatusCounts =>
	Object.fromEntries(STATUSES.map((status) => [status, group[status]])) as StatusCounts;

const groupRow = (group: Group): IDataObject => ({
	conversations: group.conversations,
	...statusCounts(group),
	resolvedInPeriod: group.resolvedInPeriod,
});

/** The statistics as one output item (names: operators' display names by user id). */
function statisticsOf(tally: Tally, period: Period, names: Map<string, string>): IDataObject {
	const firstResponse = median(tally.firstResponses);
	const resolution = median(tally.resolutions);
	const ratings = tally.ratings;
	const byQueue = [...tally.byQueue].map(([queue, group]) => ({ queue, ...groupRow(group) }));
	const byOperator = [...tally.byOperator].map(([assigneeId, group]) => ({
		assigneeId,
		name: assigneeId === null ? 'Unassigned' : (names.get(assigneeId) ?? assigneeId),
		...groupRow(group),
	}));
	const bySize = (a: IDataObject, b: IDataObject) =>
		Number(b.conversations) - Number(a.conversations);
	return {
		from: period.from.toISOString(),
		to: period.to.toISOString(),
		conversations: tally.all.conversations,
		...statusCounts(tally.all),
		createdInPeriod: tally.createdInPeriod,
		resolvedInPeriod: tally.all.resolvedInPeriod,
		medianFirstResponseSeconds: firstResponse,
		medianFirstResponse: humanDuration(firstResponse),
		firstResponses: tally.firstResponses.length,
		medianResolutionSeconds: resolution,
		medianResolution: humanDuration(resolution),
		resolutions: tally.resolutions.length,
		averageRating: ratings.length
			? Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 10) / 10
			: null,
		ratings: ratings.length,
		byStatus: statusCounts(tally.all),
		byQueue: byQueue.sort(bySize),
		byOperator: byOperator.sort(bySize),
	};
}

export interface StatisticsRequest {
	period: Period;
	/** Only this channel's conversations; undefined: every channel. */
	channel?: string;
	timeZone: string;
}

/** Reads every conversation chat (of the channel) once and tallies the period. */
export async function getStatistics(
	ctx: IExecuteFunctions,
	itemIndex: number,
	request: StatisticsRequest,
): Promise<IDataObject> {
	const tally = newTally();
	const { period } = request;
	await eachConversation(ctx, itemIndex, { channel: request.channel }, (c) => {
		tallyConversation(tally, c, period);
	});
	const names = new Map<string, string>();
	for (const id of tally.byOperator.keys()) {
		if (id === null) continue;
		const name = await userName(ctx, itemIndex, id);
		if (name) names.set(id, name);
	}
	const statistics = { channel: request.channel ?? 'all', ...statisticsOf(tally, period, names) };
	const texts = textsOf(statistics, request.timeZone);
	return { ...statistics, ...texts, summary: summaryOf(statistics, texts) };
}

const when = (iso: unknown, timeZone: string) =>
	new Intl.DateTimeFormat('en-GB', {
		timeZone,
		dateStyle: 'medium',
		timeStyle: 'short',
	}).format(new Date(String(iso)));

const listOf = (rows: unknown, label: (row: IDataObject) => string) =>
	(rows as IDataObject[])
		.map((row) => `${label(row)} ${String(row.conversations)} (${String(row.open)} open)`)
		.join(', ') || '–';

/** The parts of the statistics a message shows as they are ({{ $json.periodText }}, …). */
function textsOf(s: IDataObject, timeZone: string): IDataObject {
	return {
		periodText: `${when(s.from, timeZone)} – ${when(s.to, timeZone)} (${timeZone})`,
		averageRatingText:
			s.averageRating === null ? '–' : `${String(s.averageRating)} of 5 (${String(s.ratings)})`,
		byQueueText: listOf(s.byQueue, (row) => String(row.queue ?? 'No queue')),
		byOperatorText: listOf(s.byOperator, (row) => String(row.name)),
	};
}

/** The statistics as a short plain-text report, ready to post in a chat. */
function summaryOf(s: IDataObject, t: IDataObject): string {
	return [
		`Conversations ${String(t.periodText)}`,
		`${String(s.conversations)} in the period: ${String(s.open)} open, ${String(s.pending)} pending, ` +
			`${String(s.snoozed)} snoozed, ${String(s.resolved)} resolved`,
		`New: ${String(s.createdInPeriod)} · resolved in the period: ${String(s.resolvedInPeriod)}`,
		`Median first response: ${String(s.medianFirstResponse)} (${String(s.firstResponses)})`,
		`Median resolution: ${String(s.medianResolution)} (${String(s.resolutions)})`,
		`Rating: ${String(t.averageRatingText)}`,
		`By queue: ${String(t.byQueueText)}`,
		`By operator: ${String(t.byOperatorText)}`,
	].join('\n');
}
