/**
 * The one receive pipeline of the Chat Channel Trigger, for every channel: verify → acknowledge →
 * filter → normalise → dedupe → relay (an answer to Send and Wait) → download → summary (an
 * unreadable event arrives with a notice) → confirm. A channel's adapter supplies only what differs (`ReceiveAdapter`: verify, events,
 * filter, normalise, open-file, answer); long polling (Telegram's getUpdates) reads its batches
 * with the same `readEvents` and emits them with `emitGroups` / `runGroups`.
 */
import type {
	INodeExecutionData,
	IRun,
	ITriggerFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { acknowledgesAfterRun, claimWhenConfirmed, handledBefore } from '../shared/acknowledge';
import type { DownloadBudget, FileSource } from './attachments';
import { downloadAttachments } from './attachments';
import { seenEvents } from './memory';
import { announce, release } from './sequence';
import { addSummary } from './summary';
import type { ChannelMessage } from './types';

/**
 * A request that is not the channel's (401/403), not readable (400), too large (413), too many
 * (429), or that could not be stored where the channel keeps its messages (503): answered,
 * nothing starts.
 */
export class Refusal {
	constructor(
		readonly status: 400 | 401 | 403 | 413 | 429 | 503,
		/** The answer's text, in the channel's words. */
		readonly text: string,
		/** Logged as a warning, when set. */
		readonly log?: string,
		/** A machine-readable reason and when to try again, for channels whose answers carry them. */
		readonly detail?: { code: string; retryAfter?: number },
	) {}
}

/** What the pipeline asks an adapter to answer. */
export interface Reply {
	status: number;
	/** A refusal's text. */
	text?: string;
	/** A refusal's reason and wait (`Refusal.detail`). */
	detail?: { code: string; retryAfter?: number };
	/** Why a verified request started nothing. */
	note?: 'duplicate' | 'skipped';
}

/** How one request's (or one polling batch's) events are read, built by the adapter per request. */
export interface EventReader<Event> {
	/** Why an event starts nothing (a type not selected, a chat not allowed), or undefined. */
	filter(event: Event): string | undefined;
	/** The event as the channel message (the adapter's normalize.ts); throws on a malformed event. */
	normalize(event: Event): ChannelMessage;
	/** The item of an event that could not be read (./unreadable.ts): a notice and a dedupe key. */
	unreadable(event: Event, error: unknown): ChannelMessage;
	/**
	 * An answer to a waiting execution that the channel delivers as a message (Send and Wait:
	 * Messenger's quick replies), sent on to n8n by the adapter (./waiting.ts): true when the
	 * message was one; it then starts nothing. Never throws.
	 */
	relay?(message: ChannelMessage): Promise<boolean>;
	/** Work that runs while the rest is read, awaited before the items go out (Messenger: names). */
	enrich?(message: ChannelMessage): Promise<void> | undefined;
	/** Where attachments come from; undefined when the trigger does not download. */
	files?: FileSource;
}

/** What a channel supplies to receive webhook deliveries. `Request` is what verification learned. */
export interface ReceiveAdapter<Request, Event> {
	/** The log lines' prefix ("Chat Channel Trigger (WhatsApp)"). */
	label: string;
	/** Checks that the request comes from the channel (a signature over the raw body, a secret). */
	verify(ctx: IWebhookFunctions): Promise<Request | Refusal>;
	/** A verified request's events, or a Refusal (400) when it is not the channel's format. */
	events(request: Request): Event[] | Refusal;
	/** How this request's events are read (the options, the account, the downloads). */
	reader(ctx: IWebhookFunctions, request: Request): Promise<EventReader<Event>>;
	/** Writes the HTTP answer, in the channel's format (TwiML, Telegram's JSON, Meta's text). */
	answer(ctx: IWebhookFunctions, reply: Reply): void;
	/**
	 * The channel expects its own answer body (TwiML, EVENT_RECEIVED): on *When Received* it is sent
	 * right after verification. Otherwise n8n's answer to a started workflow is the acknowledgement.
	 */
	answersItself: boolean;
	/** The Content-Type of n8n's answer after the run (Twilio: text/xml). */
	runAnswerType?: string;
	/** The URL handshake of the "setup" webhook (Meta's GET with hub.challenge). */
	handshake?(ctx: IWebhookFunctions): Promise<IWebhookResponseData>;
	/** An error's text without secrets (Telegram: the bot token). */
	redact?(text: string): string;
}

/** How `readEvents` dedupes and budgets: webhooks one budget per request, polling one per chat. */
export interface ReadOptions<Event> {
	/** Whether the event was handled before (true: it starts nothing). */
	seen(eventId: string): boolean;
	/** The budget the event's files share (undefined: the trigger does not download). */
	budgetOf(event: Event): DownloadBudget | undefined;
	signal?: AbortSignal;
}

type Read = INodeExecutionData | 'duplicate' | 'skipped';

interface Label {
	label: string;
	redact?(text: string): string;
}

const messageOfError = (error: unknown) => (error as Error)?.message ?? String(error);

/** One event through the pipeline: an item, or why it starts nothing. */
async function readEvent<Event>(
	ctx: IWebhookFunctions | ITriggerFunctions,
	who: Label,
	reader: EventReader<Event>,
	event: Event,
	options: ReadOptions<Event>,
	pending: Array<Promise<void>>,
): Promise<Read> {
	let claimed: string | undefined;
	try {
		const reason = reader.filter(event);
		if (reason) {
			ctx.logger.debug(`${who.label}: an event was skipped (${reason})`);
			return 'skipped';
		}
		const message = reader.normalize(event);
		if (options.seen(message.eventId)) {
			ctx.logger.debug(`${who.label}: duplicate ${message.eventId} ignored`);
			return 'duplicate';
		}
		claimed = message.eventId;
		if (reader.relay && (await reader.relay(message))) return 'skipped';
		// before its files are downloaded: a later message of the chat read meanwhile waits for it
		announce(message);
		const enriched = reader.enrich?.(message);
		if (enriched) pending.push(enriched);
		const budget = reader.files && options.budgetOf(event);
		return await withFiles(ctx, reader.files, message, budget, options.signal);
	} catch (error) {
		// a redelivery would fail the same way: the event arrives with a notice instead
		const text = who.redact ? who.redact(messageOfError(error)) : messageOfError(error);
		ctx.logger.warn(`${who.label}: an event could not be read (${text}); emitted with a notice`);
		const message = reader.unreadable(event, error);
		if (message.eventId !== claimed && options.seen(message.eventId)) return 'duplicate';
		return { json: message as unknown as INodeExecutionData['json'] };
	}
}

/** The message's item: its files downloaded when the trigger downloads, then the summary. */
async function withFiles(
	ctx: IWebhookFunctions | ITriggerFunctions,
	files: FileSource | undefined,
	message: ChannelMessage,
	budget: DownloadBudget | undefined,
	signal?: AbortSignal,
): Promise<INodeExecutionData> {
	const item: INodeExecutionData = { json: {} };
	if (files && budget && message.attachments.some((attachment) => files.isFile(attachment))) {
		const binary = await downloadAttachments(ctx, message, files, budget, signal);
		if (binary) item.binary = binary;
	}
	item.json = addSummary(message) as unknown as INodeExecutionData['json'];
	return item;
}

/**
 * Reads events in order: the items to start the workflow with, and how many were repeats.
 * `onRead` sees each event's outcome as it is read (long polling moves its offset with it) and
 * may stop the reading by returning false.
 */
export async function readEvents<Event>(
	ctx: IWebhookFunctions | ITriggerFunctions,
	who: Label,
	reader: EventReader<Event>,
	events: Event[],
	options: ReadOptions<Event>,
	onRead: (event: Event, read: Read) => boolean = () => true,
): Promise<{ items: INodeExecutionData[]; duplicates: number }> {
	const items: INodeExecutionData[] = [];
	const pending: Array<Promise<void>> = [];
	let duplicates = 0;
	for (const event of events) {
		const read = await readEvent(ctx, who, reader, event, options, pending);
		if (!onRead(event, read)) break;
		if (read === 'duplicate') duplicates++;
		else if (read !== 'skipped') items.push(read);
	}
	await Promise.all(pending);
	return { items, duplicates };
}

/** Answers a request itself and starts nothing. */
function answered(
	ctx: IWebhookFunctions,
	adapter: Pick<ReceiveAdapter<unknown, unknown>, 'answer'>,
	reply: Reply,
) {
	adapter.answer(ctx, reply);
	return { noWebhookResponse: true };
}

/** The trigger's webhook for every channel: one request through the pipeline. */
export async function receiveWebhook<Request, Event>(
	ctx: IWebhookFunctions,
	adapter: ReceiveAdapter<Request, Event>,
): Promise<IWebhookResponseData> {
	if (ctx.getWebhookName() === 'setup' && adapter.handshake) return await adapter.handshake(ctx);
	const request = await adapter.verify(ctx);
	if (request instanceof Refusal) return refuse(ctx, adapter, request);
	const events = adapter.events(request);
	if (events instanceof Refusal) return refuse(ctx, adapter, events);
	// a channel's own endpoints are answered when received (only the delivery webhook waits)
	const afterRun = ctx.getWebhookName() === 'default' && acknowledgesAfterRun(ctx);
	if (adapter.answersItself && !afterRun) adapter.answer(ctx, { status: 200 });
	const reader = await adapter.reader(ctx, request);
	// one request is one execution: its files share one budget
	const budget = reader.files?.budget();
	const { items, duplicates } = await readEvents(ctx, adapter, reader, events, {
		seen: (eventId) => handledBefore(afterRun, seenEvents, [eventId]),
		budgetOf: () => budget,
	});
	if (!items.length) {
		const note = duplicates ? 'duplicate' : 'skipped';
		if (afterRun || !adapter.answersItself) return answered(ctx, adapter, { status: 200, note });
		return { noWebhookResponse: true };
	}
	if (!afterRun) {
		return adapter.answersItself
			? { noWebhookResponse: true, workflowData: [items] }
			: { workflowData: [items] };
	}
	claimWhenConfirmed(
		ctx,
		seenEvents,
		items.map((item) => String(item.json.eventId)),
	);
	if (adapter.runAnswerType)
		ctx.getResponseObject().setHeader('Content-Type', adapter.runAnswerType);
	return { workflowData: [items] };
}

function refuse(
	ctx: IWebhookFunctions,
	adapter: ReceiveAdapter<unknown, unknown>,
	refusal: Refusal,
): IWebhookResponseData {
	if (refusal.log) ctx.logger.warn(`${adapter.label}: ${refusal.log}`);
	return answered(ctx, adapter, {
		status: refusal.status,
		text: refusal.text,
		detail: refusal.detail,
	});
}

// ---------------------------------------------------------------------------
// Long polling: a batch's groups (one execution per conversation), emitted
// ---------------------------------------------------------------------------

/** An item read but not emitted (the poller stopped): its event is read again, and holds up nothing. */
export function forgetItem(item: INodeExecutionData): void {
	seenEvents.delete(String(item.json.eventId ?? ''));
	release(item.json);
}

/**
 * A polling batch's items, one group per conversation in the order read: one conversation's
 * messages of a batch start one execution (separate executions would race), other conversations'
 * start their own, side by side.
 */
export function groupByConversation(items: INodeExecutionData[]): INodeExecutionData[][] {
	const groups = new Map<string, INodeExecutionData[]>();
	for (const item of items) {
		const chat = String(item.json.conversationId ?? `#${String(item.json.eventId)}`);
		if (!groups.has(chat)) groups.set(chat, []);
		groups.get(chat)!.push(item);
	}
	return [...groups.values()];
}

/** The messages of an ended execution no longer hold up the conversation's later ones. */
function releaseAll(items: INodeExecutionData[]): void {
	for (const item of items) release(item.json);
}

/** Whether an execution n8n reports as ended succeeded (a failed or crashed one has an error). */
function runSucceeded(run: IRun | undefined): boolean {
	if (!run) return true;
	if (run.data?.resultData?.error) return false;
	return !['error', 'crashed', 'canceled'].includes(String(run.status));
}

/** *When Received*: starts one execution per group; each releases its messages when it ended. */
export function emitGroups(ctx: ITriggerFunctions, groups: INodeExecutionData[][]): void {
	for (const items of groups) {
		// n8n settles `done` when the execution ended
		const done = ctx.helpers.createDeferredPromise<IRun>();
		ctx.emit([items], undefined, done);
		void done.promise.then(
			() => releaseAll(items),
			() => releaseAll(items),
		);
	}
}

/**
 * *After the Workflow Has Run*: starts one execution per group and waits for all of them (n8n
 * resolves `done` when the execution ended; in queue mode when the worker finished, or with a
 * crashed run once the job stalled). Returns the groups that did not succeed, their events
 * forgotten so that they are read again; undefined when `signal` stopped the wait.
 */
export async function runGroups(
	ctx: ITriggerFunctions,
	groups: INodeExecutionData[][],
	signal: AbortSignal,
): Promise<INodeExecutionData[][] | undefined> {
	const runs = groups.map(async (items) => {
		const done = ctx.helpers.createDeferredPromise<IRun>();
		ctx.emit([items], undefined, done);
		const succeeded = await done.promise.then(runSucceeded, () => false);
		releaseAll(items);
		return { items, succeeded };
	});
	const stopped = new Promise<void>((resolve) =>
		signal.addEventListener('abort', () => resolve(), { once: true }),
	);
	const results = await Promise.race([Promise.all(runs), stopped]);
	if (!results) return undefined;
	const failed = results.filter((result) => !result.succeeded).map((result) => result.items);
	for (const item of failed.flat()) seenEvents.delete(String(item.json.eventId ?? ''));
	return failed;
}
