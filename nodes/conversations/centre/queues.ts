/**
 * Contact-centre queues: defined in Forward to TeamSpirit (its *Contact Centre* section) and
 * published to TeamSpirit, so the operator side (commands in Send to Customer, the editor's
 * Conversation operations, Process Due Conversations) reads any queue by name.
 *
 * Each queue has a settings chat: `externalKey` `queue:<name lowercased>~<tag>` (keys.ts
 * `queueKey`, signed with the conversation secret), the bot its only member, the settings in its
 * metadata (`{ kind: "queue", settings, lastAssigned }`; `lastAssigned` is round robin's pointer,
 * routing.ts). A process PATCHes a queue's chat only when its definition differs from what it
 * last saw there; a process reads a queue (`readQueue`) at most once a minute.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { BoundedMap } from '../../shared/dedupe';
import { cacheKey } from '../caches';
import { queueKey } from '../keys';
import {
	conversationSecret,
	ensureChat,
	findChat,
	identityOf,
	patchChat,
	type ConversationChat,
} from '../teamspirit';
import { hoursFieldOf, parseHours, type ParsedHours } from '../../shared/hours';

export type RoutingMode = 'manual' | 'roundRobin' | 'leastBusy';

/** Who answers a new (or reopened) conversation first: the operators, or the AI Agent (`bot`). */
export type FirstLine = 'operators' | 'bot';

/** The Handover Message when the queue does not say one. */
export const DEFAULT_HANDOVER_MESSAGE = 'An operator will answer you shortly.';

/** One queue's settings, as published (compact: a chat's metadata holds at most 4096 bytes). */
export interface QueueSettings {
	name: string;
	/** TeamSpirit user ids: members of the queue's conversation chats, whom routing assigns. */
	operators: string[];
	/** A team chat that hears of new and waiting conversations ('' for none). */
	announceChatId: string;
	routing: RoutingMode;
	/** Open conversations per operator at most; 0: no limit. */
	maxOpen: number;
	/** The accounts (bot / number / page) it serves; empty: all. */
	accounts: string[];
	timeZone: string;
	weeklyHours: string;
	holidays: string;
	greeting: string;
	awayReply: string;
	awayQuietMinutes: number;
	closingMessage: string;
	/** '' when the customer is not asked for a rating. */
	ratingQuestion: string;
	notePrefix: string;
	/** The chat of canned replies ('' for none). */
	cannedChatId: string;
	/** Missing: `operators` (queues without the bot, settings published before it). */
	firstLine?: FirstLine;
	/** Sent to the customer when the bot hands the conversation over ('' for none). */
	handoverMessage?: string;
}

const FIELD_NAMES: Record<string, string> = {
	weekly: 'Weekly Hours',
	timeZone: 'Time Zone',
	holidays: 'Holidays',
};

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');
const number = (value: unknown) => Math.max(0, Math.floor(Number(value) || 0));
const ids = (value: unknown): string[] =>
	(Array.isArray(value) ? value : String(value ?? '').split(','))
		.map((v) => String(v).trim())
		.filter(Boolean);
/** A resource locator's value (`{ mode, value }`), or a plain id. */
const chatIdOf = (value: unknown) =>
	text(value && typeof value === 'object' ? (value as IDataObject).value : value);
const ROUTING: RoutingMode[] = ['manual', 'roundRobin', 'leastBusy'];

/** One queue of the node's *Contact Centre* section as settings (`timeZone` '': `zone`). */
function queueOf(entry: IDataObject, zone: string): QueueSettings {
	return {
		name: text(entry.name),
		operators: ids(entry.operators),
		announceChatId: chatIdOf(entry.announceChat),
		routing: ROUTING.includes(entry.routing as RoutingMode)
			? (entry.routing as RoutingMode)
			: 'manual',
		maxOpen: number(entry.maxOpen),
		accounts: ids(entry.accounts),
		timeZone: text(entry.timeZone) || zone,
		weeklyHours: text(entry.weeklyHours),
		holidays: text(entry.holidays),
		greeting: text(entry.greeting),
		awayReply: text(entry.awayReply),
		awayQuietMinutes: entry.awayQuietMinutes === undefined ? 15 : number(entry.awayQuietMinutes),
		closingMessage: text(entry.closingMessage),
		ratingQuestion: entry.askRating === true ? text(entry.ratingQuestion) : '',
		notePrefix: text(entry.notePrefix),
		cannedChatId: chatIdOf(entry.cannedChat),
		// only a bot-first queue says so: the settings of the others are published as before
		...(entry.firstLine === 'bot'
			? {
					firstLine: 'bot' as const,
					handoverMessage:
						entry.handoverMessage === undefined
							? DEFAULT_HANDOVER_MESSAGE
							: text(entry.handoverMessage),
				}
			: {}),
	};
}

/** Whether the queue's new (and reopened) conversations go to the AI Agent first. */
export const botFirst = (queue: QueueSettings | undefined): boolean => queue?.firstLine === 'bot';

/**
 * The node's queues, checked: a name each, names unique, hours that parse. A mistake fails the
 * execution with the queue and the field named (the node's settings are wrong, not the message).
 */
export function nodeQueues(ctx: IExecuteFunctions, itemIndex: number): QueueSettings[] {
	const section = ctx.getNodeParameter('contactCentre', itemIndex, {}) as IDataObject;
	const entries = (section.queues as IDataObject[] | undefined) ?? [];
	const queues = entries.map((entry) => queueOf(entry, ctx.getTimezone()));
	const seen = new Set<string>();
	for (const queue of queues) {
		const fail = (message: string) =>
			new NodeOperationError(ctx.getNode(), `Contact Centre: ${message}`, { itemIndex });
		if (!queue.name) throw fail('a queue has no Queue Name');
		if (seen.has(queue.name.toLowerCase())) throw fail(`two queues are named "${queue.name}"`);
		seen.add(queue.name.toLowerCase());
		try {
			hoursOf(queue);
		} catch (error) {
			const field = FIELD_NAMES[hoursFieldOf(error) ?? ''] ?? 'Weekly Hours';
			throw fail(`queue "${queue.name}", ${field}: ${(error as Error).message}`);
		}
	}
	return queues;
}

const parsedHours = new BoundedMap<ParsedHours>(1_000, 60 * 60 * 1000);

/** A queue's business hours, parsed (once per definition). */
export function hoursOf(queue: QueueSettings): ParsedHours {
	const key = JSON.stringify([queue.weeklyHours, queue.timeZone, queue.holidays]);
	let parsed = parsedHours.get(key);
	if (!parsed) {
		parsed = parseHours({
			weekly: queue.weeklyHours,
			timeZone: queue.timeZone,
			holidays: queue.holidays,
		});
		parsedHours.set(key, parsed);
	}
	return parsed;
}

/** The queue of a message: the first that serves its account (`123` or `telegram:123`). */
export function queueFor(
	queues: QueueSettings[],
	channel: string,
	account: string,
): QueueSettings | undefined {
	return queues.find(
		(q) =>
			!q.accounts.length ||
			q.accounts.includes(account) ||
			q.accounts.includes(`${channel}:${account}`),
	);
}

/** The queue named `name` (any case) among `queues`. */
export const queueNamed = (queues: QueueSettings[], name: string | null | undefined) =>
	name ? queues.find((q) => q.name.toLowerCase() === name.toLowerCase()) : undefined;

// ---------------------------------------------------------------------------
// In TeamSpirit
// ---------------------------------------------------------------------------

/** A queue as TeamSpirit holds it: its settings and its settings chat. */
export interface PublishedQueue {
	settings: QueueSettings;
	chatId: string;
}

const HOUR = 60 * 60 * 1000;
/** Per credential and queue key: the settings this process last saw in the queue's chat. */
const published = new BoundedMap<{ json: string; chatId: string }>(1_000, HOUR);
/** Per credential and queue name: what `readQueue` read (a minute). */
const readQueues = new BoundedMap<PublishedQueue>(1_000, 60 * 1000);

/** Forgets what this process knows of queues (a restart; tests). */
export function forgetQueues(): void {
	published.clear();
	readQueues.clear();
	parsedHours.clear();
}

async function keyOf(ctx: IExecuteFunctions, itemIndex: number, name: string) {
	return queueKey(name, await conversationSecret(ctx, itemIndex));
}

const settingsOf = (chat: ConversationChat): QueueSettings | undefined => {
	const { kind, settings } = chat.metadata ?? {};
	return kind === 'queue' && settings && typeof settings === 'object'
		? (settings as unknown as QueueSettings)
		: undefined;
};

/**
 * Publishes the node's queues to their settings chats: nothing when this process already saw its
 * definition there; otherwise the chat is created (or found: 409) and, when it holds other
 * settings, changed at the version it has (`If-Match`; a 412 compares again).
 */
export async function publishQueues(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queues: QueueSettings[],
): Promise<void> {
	const identity = await identityOf(ctx, itemIndex);
	for (const queue of queues) {
		const key = await keyOf(ctx, itemIndex, queue.name);
		const entry = cacheKey(identity, key);
		const json = JSON.stringify(queue);
		if (published.get(entry)?.json === json) continue;
		const chatId = await publishQueue(ctx, itemIndex, queue, key);
		published.set(entry, { json, chatId });
		readQueues.set(cacheKey(identity, queue.name.toLowerCase()), { settings: queue, chatId });
	}
}

async function publishQueue(
	ctx: IExecuteFunctions,
	itemIndex: number,
	queue: QueueSettings,
	key: string,
): Promise<string> {
	const found = await ensureChat(ctx, itemIndex, {
		key,
		title: `Queue · ${queue.name}`,
		memberIds: [],
		metadata: { kind: 'queue', settings: queue as unknown as IDataObject },
	});
	let chat = found.chat;
	for (let attempt = 0; attempt < 5; attempt++) {
		if (JSON.stringify(settingsOf(chat)) === JSON.stringify(queue)) break;
		const metadata = { ...chat.metadata, kind: 'queue', settings: queue as unknown as IDataObject };
		const answer = await patchChat(ctx, itemIndex, chat.id, { metadata }, chat.version);
		chat = answer.chat;
	}
	return chat.id;
}

/**
 * A queue's settings as TeamSpirit holds them, by name (any case); undefined when there is no
 * such queue. Read at most once a minute per process.
 */
export async function readQueue(
	ctx: IExecuteFunctions,
	itemIndex: number,
	name: string,
): Promise<PublishedQueue | undefined> {
	if (!name.trim()) return undefined;
	const entry = cacheKey(await identityOf(ctx, itemIndex), name.trim().toLowerCase());
	const known = readQueues.get(entry);
	if (known) return known;
	const chat = await findChat(ctx, itemIndex, await keyOf(ctx, itemIndex, name));
	const settings = chat && settingsOf(chat);
	if (!chat || !settings) return undefined;
	const queue = { settings, chatId: chat.id };
	readQueues.set(entry, queue);
	return queue;
}
