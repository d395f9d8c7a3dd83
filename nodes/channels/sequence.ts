/**
 * The channel's own order of one conversation's messages, and which of them this n8n process has
 * received but not finished handling, so that a later step can keep the channel's order even when
 * two executions of one conversation overlap and the later message's execution gets ahead.
 *
 * - `sequenceOf`: a message's place in its conversation, from the channel's data: Telegram's
 *   `message_id` (it grows within a chat), otherwise the channel's timestamp (Messenger's, in ms;
 *   Twilio sends none, so WhatsApp messages keep the order they reached n8n in). Messages of the
 *   same place (a channel whose timestamps are whole seconds, WhatsApp's Cloud API, sends several
 *   in one second) keep the order they were announced in.
 * - A trigger `announce`s a new message (not an edit or a status) as soon as it has read it (before downloading its files), and
 *   the entry is `release`d when its execution ended (long polling knows when) or when the step that
 *   orders by it is done with it (`release` by the event id). An entry nobody releases expires after
 *   `HOLD_MS`: a lost execution costs its successors a bounded wait, never a stall. One being worked
 *   on (`markActive`) or still waiting for its turn (`touch`) does not expire.
 * - `holdBytes` / `bytesHeld`: what the files of a conversation's messages in flight hold, for the
 *   triggers' download budget per conversation.
 * - `predecessorsOf`: the announced, unreleased messages of the same conversation that come before
 *   a message, with a promise settled when each is released.
 *
 * Process memory: it orders what one process sees. Executions in other processes (queue mode) are
 * invisible here; the conversation bridge says what it promises there.
 */
import { monotonicNow } from '../shared/clock';

/** The fields of a trigger item this needs (a ChannelMessage has them all). */
export interface Sequenced {
	channel?: unknown;
	account?: unknown;
	conversationId?: unknown;
	messageId?: unknown;
	timestamp?: unknown;
	eventId?: unknown;
	event?: unknown;
}

interface Entry {
	sequence: number;
	/** The order of announcement in this process: breaks ties between equal sequences. */
	arrival: number;
	at: number;
	released: Promise<void>;
	release: () => void;
	/** Set by `markActive`: the ordering step is working on it (it may wait through an outage). */
	active: boolean;
	/** Bytes of the message's files downloaded for its execution (`holdBytes`). */
	bytes: number;
}

/** An announced message nobody released is forgotten after this long. */
const HOLD_MS = 2 * 60 * 1000;
/** Conversations remembered at most (the oldest go first): bounded memory under any load. */
const MAX_STREAMS = 10_000;

const streams = new Map<string, Map<string, Entry>>();
let arrivals = 0;

/** The conversation a message belongs to (channel, account, conversation). */
function streamOf(message: Sequenced): string | undefined {
	const { channel, account, conversationId } = message;
	if (conversationId === undefined || conversationId === null || conversationId === '')
		return undefined;
	return `${String(channel ?? '')}:${String(account ?? '')}:${String(conversationId)}`;
}

/** The message's place in its conversation; undefined when the channel gives none. */
function sequenceOf(message: Sequenced): number | undefined {
	const id = typeof message.messageId === 'number' ? message.messageId : Number(message.messageId);
	if (Number.isSafeInteger(id) && id > 0) return id;
	const at = typeof message.timestamp === 'string' ? Date.parse(message.timestamp) : NaN;
	return Number.isFinite(at) ? at : undefined;
}

function prune(stream: Map<string, Entry>, now: number): void {
	for (const [eventId, entry] of stream) {
		// one being worked on, or still waiting its turn (`touch`), is not lost: it is kept
		if (!entry.active && now - entry.at >= HOLD_MS) {
			stream.delete(eventId);
			entry.release();
		}
	}
}

/**
 * Records that this process received `message` and will hand it to an execution. Returns its
 * release (idempotent); `release(eventId)` does the same.
 */
export function announce(message: Sequenced): () => void {
	const stream = streamOf(message);
	const sequence = sequenceOf(message);
	const eventId = String(message.eventId ?? '');
	// new messages only: an edit or a status neither waits nor is waited for
	const ordered = message.event === 'message' || message.event === 'channel_post';
	if (!ordered || stream === undefined || sequence === undefined || !eventId)
		return () => undefined;
	let entries = streams.get(stream);
	if (!entries) {
		if (streams.size >= MAX_STREAMS) {
			const oldest = streams.keys().next().value as string;
			for (const entry of streams.get(oldest)!.values()) entry.release();
			streams.delete(oldest);
		}
		entries = new Map();
		streams.set(stream, entries);
	}
	let release: () => void = () => undefined;
	const released = new Promise<void>((resolve) => (release = resolve));
	const entry: Entry = {
		sequence,
		arrival: ++arrivals,
		at: monotonicNow(),
		released,
		release,
		active: false,
		bytes: 0,
	};
	entries.get(eventId)?.release();
	entries.set(eventId, entry);
	return () => releaseEntry(stream, eventId, entry);
}

function releaseEntry(stream: string, eventId: string, entry: Entry): void {
	entry.release();
	const entries = streams.get(stream);
	if (entries?.get(eventId) !== entry) return;
	entries.delete(eventId);
	if (!entries.size) streams.delete(stream);
}

/** Forgets every announced message (what a restart of n8n does). */
export function forgetAnnounced(): void {
	for (const entries of streams.values()) for (const entry of entries.values()) entry.release();
	streams.clear();
}

/** Releases the announced message with this item's event id (if any). */
export function release(message: Sequenced): void {
	const stream = streamOf(message);
	const eventId = String(message.eventId ?? '');
	const entry = stream === undefined ? undefined : streams.get(stream)?.get(eventId);
	if (stream !== undefined && entry) releaseEntry(stream, eventId, entry);
}

/** Counts `bytes` of files downloaded for the announced message (until it is released). */
export function holdBytes(message: Sequenced, bytes: number): void {
	const stream = streamOf(message);
	const entry =
		stream === undefined ? undefined : streams.get(stream)?.get(String(message.eventId));
	if (entry) entry.bytes += Math.max(0, bytes);
}

/** Bytes the conversation's announced, unreleased messages hold (their executions' files). */
export function bytesHeld(message: Sequenced): number {
	const stream = streamOf(message);
	const entries = stream === undefined ? undefined : streams.get(stream);
	if (!entries) return 0;
	prune(entries, monotonicNow());
	let sum = 0;
	for (const entry of entries.values()) sum += entry.bytes;
	return sum;
}

/**
 * Keeps an announced message that is still waiting for its turn from expiring: during an outage
 * longer than `HOLD_MS`, the waiting messages would otherwise be forgotten and overtake each other.
 */
export function touch(message: Sequenced): void {
	const stream = streamOf(message);
	const entry =
		stream === undefined ? undefined : streams.get(stream)?.get(String(message.eventId));
	if (entry) entry.at = monotonicNow();
}

/** Marks the message as being worked on by the ordering step (its successors wait longer). */
export function markActive(message: Sequenced): void {
	const stream = streamOf(message);
	const entry =
		stream === undefined ? undefined : streams.get(stream)?.get(String(message.eventId));
	if (entry) entry.active = true;
}

/**
 * The announced, unreleased messages before `message` in its conversation (another event id, a
 * lower sequence, or the same sequence announced earlier than `message`): `released` settles when
 * all of them are released; `active` tells whether one of them is being worked on.
 */
export function predecessorsOf(
	message: Sequenced,
): { count: number; active: boolean; released: Promise<void> } | undefined {
	const stream = streamOf(message);
	const sequence = sequenceOf(message);
	const entries = stream === undefined ? undefined : streams.get(stream);
	if (!entries || sequence === undefined) return undefined;
	prune(entries, monotonicNow());
	const own = entries.get(String(message.eventId));
	const earlier = (entry: Entry) =>
		entry.sequence < sequence ||
		(own !== undefined && entry.sequence === sequence && entry.arrival < own.arrival);
	const before = [...entries]
		.filter(([eventId, entry]) => eventId !== String(message.eventId) && earlier(entry))
		.map(([, entry]) => entry);
	if (!before.length) return undefined;
	return {
		count: before.length,
		active: before.some((entry) => entry.active),
		released: Promise.all(before.map(async (entry) => await entry.released)).then(() => undefined),
	};
}
