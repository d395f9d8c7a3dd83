/**
 * Whether the widget says support is offline (README "Typing and business hours"): outside the
 * business hours of the trigger's *Business Hours Queue*, a queue of Forward to TeamSpirit's
 * Contact Centre. The queue's settings are read from TeamSpirit where Forward to TeamSpirit
 * publishes them (its settings chat: `metadata.kind` `queue`, the settings' `name`, key
 * `queue:<name lowercased>~…`; nodes/conversations/centre/queues.ts), as the Website Chat
 * credential's bot, so that bot must be the bridge's (or a member of the queue's chat). Open or
 * closed is decided by the contact centre's own rules (nodes/shared/hours.ts). Read at most once a
 * minute per process and queue (a cache). Empty queue name: always open; a queue not found, or
 * hours that do not parse: open, with a warning (the widget then takes messages as usual).
 */
import type { IDataObject } from 'n8n-workflow';

import { BoundedMap } from '../../shared/dedupe';
// the contact centre's rules of hours (pure, Intl only; nodes/shared: channels never import the bridge)
import { isOpen, parseHours, type ParsedHours } from '../../shared/hours';
import { identityOf, websiteRequest, type WebsiteContext } from './transport';

/** What the widget needs of a queue's published settings (centre/queues.ts `QueueSettings`). */
interface QueueHours {
	name: string;
	weeklyHours?: string;
	timeZone?: string;
	holidays?: string;
}

/** Per credential and queue name: the queue's hours (null: none found), for a minute. */
const queueHours = new BoundedMap<{ hours: ParsedHours | null }>(1_000, 60 * 1000);

/** Forgets the queues read (tests; a restart). */
export function forgetQueueHours(): void {
	queueHours.clear();
}

/** At most this many pages of settings chats are read (100 queues each). */
const MAX_PAGES = 5;

/** The published settings of the queue named `name` (any case), or undefined. */
async function readSettings(ctx: WebsiteContext, name: string): Promise<QueueHours | undefined> {
	const lower = name.toLowerCase();
	let cursor: string | undefined;
	for (let page = 0; page < MAX_PAGES; page++) {
		const answer = await websiteRequest(ctx, {
			method: 'GET',
			path: '/chats',
			qs: { 'metadata.kind': 'queue', limit: 100, ...(cursor ? { cursor } : {}) },
		});
		for (const chat of (answer.items ?? []) as IDataObject[]) {
			const settings = (chat.metadata as IDataObject | undefined)?.settings as
				QueueHours | undefined;
			if (
				typeof settings?.name === 'string' &&
				settings.name.toLowerCase() === lower &&
				String(chat.externalKey ?? '').startsWith(`queue:${lower}~`)
			)
				return settings;
		}
		cursor = typeof answer.nextCursor === 'string' ? answer.nextCursor : undefined;
		if (!cursor) return undefined;
	}
	return undefined;
}

/** The queue's parsed hours; null (and a warning) when it cannot be used. */
async function hoursNamed(ctx: WebsiteContext, name: string): Promise<ParsedHours | null> {
	const settings = await readSettings(ctx, name);
	if (!settings) {
		ctx.logger.warn(
			`Website chat: Business Hours Queue "${name}" not found in TeamSpirit (Forward to TeamSpirit ` +
				"publishes it; the Website Chat credential's bot must be the TeamSpirit credential's): the widget stays open",
		);
		return null;
	}
	try {
		return parseHours({
			weekly: String(settings.weeklyHours ?? ''),
			timeZone: String(settings.timeZone ?? ''),
			holidays: String(settings.holidays ?? ''),
		});
	} catch (error) {
		ctx.logger.warn(
			`Website chat: the hours of queue "${name}" do not parse (${(error as Error).message}): the widget stays open`,
		);
		return null;
	}
}

/** Whether the widget shows the Offline text now: outside the queue's hours (empty name: never). */
export async function outsideHours(
	ctx: WebsiteContext,
	queueName: string,
	now = new Date(),
): Promise<boolean> {
	const name = queueName.trim();
	if (!name) return false;
	const entry = `${await identityOf(ctx)}\n${name.toLowerCase()}`;
	let known = queueHours.get(entry);
	if (!known) {
		known = { hours: await hoursNamed(ctx, name) };
		queueHours.set(entry, known);
	}
	return known.hours !== null && !isOpen(known.hours, now);
}
