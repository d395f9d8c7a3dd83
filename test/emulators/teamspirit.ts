/**
 * An in-process HTTP emulator of the TeamSpirit server API, implementing the
 * contract in docs/teamspirit-api.md. Test code only; Node built-ins only.
 *
 *   const ts = await TeamSpiritEmulator.start();
 *   // credentials: serverUrl = ts.url, apiKey = ts.apiKey
 *   const chat = ts.addChat({ title: 'Ops' });
 *   ...
 *   await ts.stop();
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
	boundaryFromContentType,
	MultipartParser,
	type PartInfo,
	type PartSink,
} from './multipart';
import { listen } from './listen';

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export interface User {
	id: string;
	name: string;
	username: string;
	email: string | null;
	isBot: boolean;
}

export type ChatType = 'group' | 'direct';

export interface Chat {
	id: string;
	title: string;
	type: ChatType;
	memberIds: string[];
	/** The client's own key for the chat (1–200 characters, unique); null when unset. */
	externalKey: string | null;
	/** A JSON object of the client's own (at most 4096 bytes serialized); {} when unset. */
	metadata: Record<string, unknown>;
	createdAt: string;
	/** 1 when created, +1 on every change of title, metadata or members: `If-Match` on PATCH. */
	version: number;
}

/** `data.chat` of message.* deliveries (never in REST answers). */
export type ChatSummary = Pick<Chat, 'id' | 'title' | 'externalKey' | 'metadata' | 'version'>;

/** `data` of chat.updated deliveries: the chat after the change, what it was before, who changed it. */
export interface ChatUpdate {
	chat: Chat;
	previous: Pick<Chat, 'title' | 'metadata' | 'memberIds' | 'version'>;
	actorId: string;
}

export interface FileMeta {
	id: string;
	name: string;
	mimeType: string;
	size: number;
	createdAt: string;
}

export type MessageFormat = 'plain' | 'markdown';

export interface Message {
	id: string;
	chatId: string;
	senderId: string;
	text: string;
	format: MessageFormat;
	replyToId: string | null;
	files: FileMeta[];
	createdAt: string;
	editedAt: string | null;
	/** The client's own key for the message (1–200 characters, unique in its chat); null when unset. */
	externalKey: string | null;
	/** 1 when posted, +1 on every change (text, format, externalKey): `If-Match` on PATCH. */
	version: number;
}

export type Presence = 'online' | 'away' | 'busy' | 'offline';

export interface UserStatus {
	status: Presence;
	text: string | null;
	until: string | null;
}

export const WEBHOOK_EVENTS = [
	'message.created',
	'message.updated',
	'message.deleted',
	'chat.member_joined',
	'chat.member_left',
	'chat.updated',
	'chat.typing',
	'user.status_changed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface Webhook {
	id: string;
	url: string;
	events: WebhookEvent[];
	/** Empty = all chats the bot is a member of. */
	chatIds: string[];
	secret: string;
	createdAt: string;
}

/** `data` of chat.member_joined / chat.member_left deliveries. */
export interface Membership {
	chatId: string;
	userId: string;
	user: User;
	/** Who added or removed the member; null when they joined or left by themselves. */
	actorId: string | null;
}

/** `data` of chat.typing deliveries: who types in which chat, until when the app shows it. */
export interface Typing {
	chatId: string;
	userId: string;
	user: User;
	until: string;
	chat: ChatSummary;
}

/** How long a typing indicator shows (POST /chats/{id}/typing, chat.typing's `until`). */
export const TYPING_MS = 5000;

/** `data` of user.status_changed deliveries. */
export interface StatusChange extends UserStatus {
	userId: string;
}

export interface DeliverOptions {
	/** Only to this webhook (still only if it is subscribed to the event and covers the chat). */
	webhookId?: string;
	/** Default: a new `dlv_…` per webhook. Pass an earlier one to resend "the same" delivery. */
	deliveryId?: string;
	/** Default: a new `evt_…`. */
	eventId?: string;
	/** Event time in the body; default now. */
	createdAt?: string;
	/** `valid` (default), `wrong-secret` (a forgery), `omit` (no signature header). */
	signature?: 'valid' | 'wrong-secret' | 'omit';
	/** Sign with a timestamp this many seconds in the past (e.g. 600: a replayed delivery). */
	ageSeconds?: number;
	/** Send a broken body instead of the event (still signed, unless `signature` says otherwise). */
	malformed?: 'truncated-json' | 'missing-event' | 'missing-data' | 'not-an-object';
	/** Send exactly these bytes as the body (signed as they are). */
	rawBody?: string | Buffer;
	/** Default `application/json`. */
	contentType?: string;
	/** How long to wait for an answer before counting the attempt as failed; default 10 000 ms. */
	timeoutMs?: number;
}

/** One POST of a delivery to a webhook URL, and what came back. */
export interface DeliveryAttempt {
	webhookId: string;
	url: string;
	event: string;
	eventId: string;
	deliveryId: string;
	/** The X-TeamSpirit-Timestamp sent. */
	timestamp: number;
	/** Headers sent (lower-case names). */
	headers: Record<string, string>;
	/** The body sent, as text. */
	body: string;
	/** Answer status; 0 when there was none (network error or timeout). */
	status: number;
	responseHeaders: http.IncomingHttpHeaders;
	responseBody: string;
	/** `timeout` or the network error, when there was no answer. */
	error?: string;
	ms: number;
	/** True when this attempt resent an earlier delivery (same delivery id and body). */
	retry: boolean;
}

export interface IncomingHook {
	token: string;
	/** Full URL to POST to: `${emulator.url}/hooks/${token}`. */
	url: string;
	/** The chat the hook posts into. */
	chatId: string;
}

export interface HookAttachment {
	title: string;
	url: string;
}

export interface HookMessage {
	token: string;
	chatId: string;
	messageId: string;
	text: string;
	format: MessageFormat;
	username: string | null;
	attachments: HookAttachment[];
	receivedAt: string;
}

export interface StoredFile {
	meta: FileMeta;
	sha256: string;
	/** Where the bytes live (a temp file, removed on stop()). */
	path: string;
	/** Who uploaded it: the bot for POST /files, a user for uploadAsUser(); emulator-only. */
	uploadedBy: string;
}

/** A public link made by POST /files/{fileId}/links. */
export interface FileLink {
	token: string;
	fileId: string;
	url: string;
	/** Epoch ms; the link answers 404 from then on. */
	expiresAt: number;
}

export interface RecordedUpload {
	fieldName: string;
	filename: string;
	contentType: string;
	size: number;
	sha256: string;
}

export interface RecordedRequest {
	method: string;
	/** Path without the query string, e.g. `/api/v1/chats/c_1/messages`. */
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	/**
	 * Parsed JSON body (undefined when there was none), or for `POST /files`:
	 * `{ fields, file }` where file is a RecordedUpload or null. Never file bytes.
	 */
	body: unknown;
	/** Response status; 0 while in flight or if the client went away before the answer. */
	status: number;
	/** True when the response was produced by failNext(). */
	injected?: boolean;
	/** `Date.now()` when the request arrived, and when its answer was sent (unset: none sent). */
	receivedAt: number;
	answeredAt?: number;
}

export interface FailNextOptions {
	/** Only requests with this method (case-insensitive). Default: any. */
	method?: string;
	/** Only requests whose path (without query) matches. Default: any. */
	path?: RegExp;
	status: 429 | 500 | 502 | 503;
	/** How many matching requests fail. Default 1. */
	count?: number;
	/** Retry-After header in whole seconds. Default 1 for 429, none otherwise. */
	retryAfter?: number;
	/**
	 * Process the request for real (e.g. create the message) and only then answer
	 * with the error status: simulates a response lost after the server acted.
	 */
	afterAccepting?: boolean;
	/** Let this many matching requests through first (e.g. 1: the second PATCH of a message fails). Default 0. */
	skip?: number;
}

export interface EmulatorOptions {
	apiKey?: string;
	/**
	 * Deliver events to the registered webhooks when they happen through the API (a message
	 * sent, edited or deleted, members added or removed, the bot's status set, an incoming-hook
	 * post), as the real server does. Default false. Await `settled()` to wait for them.
	 */
	autoDeliver?: boolean;
	/** Maximum upload size in bytes (default 100 MB). */
	maxFileSize?: number;
	/**
	 * With `autoDeliver`: resend a failed delivery (not 2xx, a network error, no answer in time)
	 * after each of these waits in turn, then drop it, as the contract's "Answers, timeouts and
	 * retries" says (there: 10 s, 1 min, 10 min, 1 h, 6 h; tests pass compressed ones). Same
	 * delivery id and body, fresh timestamp and signature. Default: none (resend with
	 * `redeliver()`).
	 */
	retryDelaysMs?: number[];
	/**
	 * Ms every API answer is held back after the request was handled, like a server farther away
	 * or busier (the bulk-send bench uses 5). Default 0; may be changed while running.
	 */
	latencyMs?: number;
	/** Port on 127.0.0.1 (default: a free one the system picks). The sandbox of `npm run dev` fixes it. */
	port?: number;
}

export const DEFAULT_API_KEY = 'ts-test-key-0123456789';
export const MAX_FILE_SIZE = 100 * 1024 * 1024;
const MAX_JSON_BODY = 1024 * 1024;
const MAX_TEXT_FIELD = 1024 * 1024;
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const MAX_EXTERNAL_KEY = 200;
export const MAX_METADATA_BYTES = 4096;
export const LINK_MIN_SECONDS = 60;
export const LINK_MAX_SECONDS = 86400;
export const LINK_DEFAULT_SECONDS = 3600;

// ---------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------

class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly headers: Record<string, string> = {},
		/** More fields of the `error` object (e.g. the existing `chat` of a 409). */
		readonly extra: Record<string, unknown> = {},
	) {
		super(message);
	}
}

const invalid = (message: string) => new ApiError(400, 'validation_error', message);
const notFound = (message: string) => new ApiError(404, 'not_found', message);
const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
const conflict = (message: string, extra: Record<string, unknown> = {}) =>
	new ApiError(409, 'conflict', message, {}, extra);
const preconditionFailed = (message: string, extra: Record<string, unknown> = {}) =>
	new ApiError(412, 'precondition_failed', message, {}, extra);

type JsonObject = Record<string, unknown>;

type Reply =
	| { status: number; json?: unknown; headers?: Record<string, string> }
	| { status: number; file: StoredFile; disposition?: 'attachment' | 'inline' };

interface Ctx {
	req: http.IncomingMessage;
	rec: RecordedRequest;
	params: string[];
	query: Record<string, string>;
	/** The parsed JSON body ({} if none); throws the 400/413 if the body was unusable. */
	readonly body: JsonObject;
}

interface Route {
	method: string;
	pattern: RegExp;
	handler: (ctx: Ctx) => Reply | Promise<Reply>;
}

interface FaultRule extends FailNextOptions {
	remaining: number;
}

interface IdempotencyEntry {
	at: number;
	fingerprint: string;
	message: Message;
}

const newId = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;
const nowIso = () => new Date().toISOString();
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function stableStringify(v: unknown): string {
	if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
	if (v && typeof v === 'object') {
		const o = v as JsonObject;
		return `{${Object.keys(o)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(v) ?? 'null';
}

/** Reads (and discards) whatever is left of a request body. */
async function drain(req: http.IncomingMessage): Promise<void> {
	if (req.readableEnded || req.destroyed) return;
	req.resume();
	await new Promise<void>((resolve) => {
		req.once('end', resolve);
		req.once('close', resolve);
		req.once('error', () => resolve());
	});
}

// ----- body field validation ----------------------------------------------

function optString(body: JsonObject, key: string): string | undefined {
	const v = body[key];
	if (v === undefined || v === null) return undefined;
	if (typeof v !== 'string') throw invalid(`'${key}' must be a string`);
	return v;
}

function reqString(body: JsonObject, key: string): string {
	const v = optString(body, key);
	if (v === undefined || v === '') throw invalid(`'${key}' is required`);
	return v;
}

function optStringArray(body: JsonObject, key: string): string[] | undefined {
	const v = body[key];
	if (v === undefined || v === null) return undefined;
	if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
		throw invalid(`'${key}' must be an array of non-empty strings`);
	}
	return [...new Set(v as string[])];
}

/** An optional externalKey: 1–200 characters (an empty string is not "unset": 400). */
function optKey(body: JsonObject, key = 'externalKey'): string | undefined {
	const v = optString(body, key);
	if (v === undefined) return undefined;
	const length = [...v].length;
	if (length < 1 || length > MAX_EXTERNAL_KEY) {
		throw invalid(`'${key}' must be 1 to ${MAX_EXTERNAL_KEY} characters`);
	}
	return v;
}

/** An optional metadata object, at most 4096 bytes as JSON. */
function optMetadata(body: JsonObject): Record<string, unknown> | undefined {
	const v = body.metadata;
	if (v === undefined || v === null) return undefined;
	if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`'metadata' must be a JSON object`);
	if (Buffer.byteLength(JSON.stringify(v)) > MAX_METADATA_BYTES) {
		throw invalid(`'metadata' must be at most ${MAX_METADATA_BYTES} bytes as JSON`);
	}
	return v as Record<string, unknown>;
}

function optEnum<T extends string>(
	body: JsonObject,
	key: string,
	allowed: readonly T[],
): T | undefined {
	const v = optString(body, key);
	if (v === undefined) return undefined;
	if (!(allowed as readonly string[]).includes(v)) {
		throw invalid(`'${key}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}; got '${v}'`);
	}
	return v as T;
}

const ISO_RE =
	/^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO-8601 date or date-time; a date-time without offset is taken as UTC. Returns UTC ISO. */
function parseIso(value: string): string | undefined {
	const m = ISO_RE.exec(value);
	if (!m) return undefined;
	const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
	if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d || mo < 1 || mo > 12) return undefined;
	const hasTime = value.includes('T');
	const ms = Date.parse(hasTime && m[4] === undefined ? `${value}Z` : value);
	return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** The `externalKey` query filter: undefined when absent; 1–200 characters else 400. */
function keyFilter(query: Record<string, string>): string | undefined {
	if (query.externalKey === undefined) return undefined;
	return optKey({ externalKey: query.externalKey });
}

/** The version an `If-Match: "3"` header names (quotes optional); undefined without one; 400 for anything else. */
function ifMatchVersion(req: http.IncomingMessage, what: 'chat' | 'message'): number | undefined {
	const raw = req.headers['if-match'];
	if (raw === undefined) return undefined;
	const wanted = /^(?:W\/)?"?(\d{1,15})"?$/.exec(String(raw).trim())?.[1];
	if (wanted === undefined) throw invalid(`If-Match must be a ${what} version ("3")`);
	return Number(wanted);
}

const METADATA_FIELD = /^[A-Za-z0-9_-]{1,64}$/;

/** The `metadata.<field>=<value>` query filters; 400 for a field name that is not a top-level one. */
function metadataFilters(query: Record<string, string>): Record<string, string> {
	const filters: Record<string, string> = {};
	for (const [name, value] of Object.entries(query)) {
		if (!name.startsWith('metadata.')) continue;
		const field = name.slice('metadata.'.length);
		if (!METADATA_FIELD.test(field))
			throw invalid(
				`'${name}': a metadata filter names one top-level field (1-64 of A-Z a-z 0-9 _ -)`,
			);
		filters[field] = value;
	}
	return filters;
}

/** Every filter matches: a string/number/boolean field equal as a string; '' matches missing/null/''. */
function metadataMatches(
	metadata: Record<string, unknown>,
	filters: Record<string, string>,
): boolean {
	return Object.entries(filters).every(([field, wanted]) => {
		const v = Object.prototype.hasOwnProperty.call(metadata, field) ? metadata[field] : undefined;
		if (wanted === '') return v === undefined || v === null || v === '';
		const scalar = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
		return scalar && String(v) === wanted;
	});
}

/** A path segment decoded; a malformed %-escape stays as it is (and then matches nothing). */
function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');

function paginate<T>(
	items: T[],
	query: Record<string, string>,
): { items: T[]; nextCursor: string | null } {
	let limit = 50;
	if (query.limit !== undefined) {
		limit = /^\d{1,4}$/.test(query.limit) ? Number(query.limit) : NaN;
		if (!(limit >= 1 && limit <= 100))
			throw invalid(`'limit' must be an integer between 1 and 100`);
	}
	let offset = 0;
	if (query.cursor !== undefined && query.cursor !== '') {
		const m = /^o:(\d{1,9})$/.exec(Buffer.from(query.cursor, 'base64url').toString('latin1'));
		if (!m) throw invalid('Invalid cursor');
		offset = Number(m[1]);
	}
	const page = items.slice(offset, offset + limit);
	const next = offset + limit;
	return { items: page, nextCursor: next < items.length ? encodeCursor(next) : null };
}

// ----- upload sinks ---------------------------------------------------------

/** Streams one uploaded file to a temp file while hashing and counting it. */
class FileSink implements PartSink {
	size = 0;
	tooLarge = false;
	sha256 = '';
	private readonly hash = createHash('sha256');
	private ws: fs.WriteStream | null;

	constructor(
		readonly tmpPath: string,
		private readonly maxSize: number,
	) {
		this.ws = fs.createWriteStream(tmpPath);
		this.ws.on('error', () => undefined); // surfaced through drain/end
	}

	async write(chunk: Buffer): Promise<void> {
		this.size += chunk.length;
		if (this.tooLarge) return;
		if (this.size > this.maxSize) {
			this.tooLarge = true; // keep counting (draining) but stop storing
			this.ws?.destroy();
			this.ws = null;
			return;
		}
		this.hash.update(chunk);
		if (this.ws && !this.ws.write(chunk)) await once(this.ws, 'drain');
	}

	async end(): Promise<void> {
		if (this.tooLarge) return;
		this.sha256 = this.hash.digest('hex');
		const ws = this.ws;
		this.ws = null;
		if (ws)
			await new Promise<void>((resolve, reject) =>
				ws.end((err?: Error | null) => (err ? reject(err) : resolve())),
			);
	}

	async discard(): Promise<void> {
		this.ws?.destroy();
		this.ws = null;
		await fs.promises.rm(this.tmpPath, { force: true });
	}
}

class TextSink implements PartSink {
	private readonly chunks: Buffer[] = [];
	private size = 0;
	tooLarge = false;

	constructor(private readonly onDone: (value: string) => void) {}

	write(chunk: Buffer): void {
		this.size += chunk.length;
		if (this.size > MAX_TEXT_FIELD) this.tooLarge = true;
		else this.chunks.push(chunk);
	}

	end(): void {
		if (!this.tooLarge) this.onDone(Buffer.concat(this.chunks).toString('utf8'));
	}
}

const discardSink: PartSink = { write: () => undefined, end: () => undefined };

function asciiFallback(name: string): string {
	return name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
}

/** One POST with a deadline; never rejects. */
async function postOnce(
	url: string,
	headers: Record<string, string>,
	body: Buffer,
	timeoutMs: number,
): Promise<Pick<DeliveryAttempt, 'status' | 'responseHeaders' | 'responseBody' | 'error'>> {
	return await new Promise((resolve) => {
		let settled = false;
		const done = (
			result: Pick<DeliveryAttempt, 'status' | 'responseHeaders' | 'responseBody' | 'error'>,
		) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve(result);
		};
		const req = http.request(url, { method: 'POST', headers }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () =>
				done({
					status: res.statusCode ?? 0,
					responseHeaders: res.headers,
					responseBody: Buffer.concat(chunks).toString('utf8'),
				}),
			);
			res.on('error', (e) =>
				done({ status: 0, responseHeaders: {}, responseBody: '', error: e.message }),
			);
		});
		const timer = setTimeout(() => {
			done({ status: 0, responseHeaders: {}, responseBody: '', error: 'timeout' });
			req.destroy();
		}, timeoutMs);
		req.on('error', (e) =>
			done({ status: 0, responseHeaders: {}, responseBody: '', error: e.message }),
		);
		req.end(body);
	});
}

// ---------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------

export class TeamSpiritEmulator {
	/** The serverUrl a user types into the credential, e.g. `http://127.0.0.1:43567`. */
	readonly url: string;
	readonly apiKey: string;
	readonly maxFileSize: number;
	/** The bot user the API key belongs to (returned by GET /me). */
	readonly bot: User;

	/** Every request in arrival order. Reassign or splice to reset. */
	requests: RecordedRequest[] = [];

	readonly users = new Map<string, User>();
	readonly chats = new Map<string, Chat>();
	readonly files = new Map<string, StoredFile>();
	/** token → public link (POST /files/{fileId}/links). See expireLinks(). */
	readonly fileLinks = new Map<string, FileLink>();
	readonly webhooks = new Map<string, Webhook>();
	readonly statuses = new Map<string, UserStatus>();
	readonly incomingHooks = new Map<string, IncomingHook>();
	readonly hookMessages: HookMessage[] = [];
	/** chatId → id of the last message marked as read. */
	readonly readMarkers = new Map<string, string>();
	/** chatId → userId → until (ms): who shows as typing (see typingIn()). */
	private readonly typingUntil = new Map<string, Map<string, number>>();
	/** Every delivery attempt to an outgoing webhook, in the order they were sent. */
	readonly deliveries: DeliveryAttempt[] = [];
	/** See EmulatorOptions.autoDeliver. */
	autoDeliver: boolean;
	/** See EmulatorOptions.retryDelaysMs (may be changed while running). */
	retryDelaysMs: number[];
	/** See EmulatorOptions.latencyMs. */
	latencyMs: number;
	/** Requests that arrived and have no answer sent yet. */
	inFlight = 0;
	/** The most requests ever in flight at once (reset it to 0 to measure a part). */
	maxInFlight = 0;
	private readonly retryTimers = new Set<NodeJS.Timeout>();
	private readonly pendingDeliveries = new Set<Promise<unknown>>();

	private readonly messages = new Map<string, { msg: Message; seq: number }>();
	private readonly idempotency = new Map<string, IdempotencyEntry>();
	private faults: FaultRule[] = [];
	private seq = 0;
	private readonly routes: Route[];

	private constructor(
		private readonly server: http.Server,
		private readonly tmpDir: string,
		opts: EmulatorOptions,
	) {
		const { port } = server.address() as AddressInfo;
		this.url = `http://127.0.0.1:${port}`;
		this.apiKey = opts.apiKey ?? DEFAULT_API_KEY;
		this.maxFileSize = opts.maxFileSize ?? MAX_FILE_SIZE;
		this.autoDeliver = opts.autoDeliver ?? false;
		this.retryDelaysMs = opts.retryDelaysMs ?? [];
		this.latencyMs = opts.latencyMs ?? 0;
		this.bot = this.addUser({
			name: 'n8n Bot',
			username: 'n8n-bot',
			email: 'n8n-bot@teamspirit.local',
			isBot: true,
		});
		this.statuses.set(this.bot.id, { status: 'online', text: null, until: null });
		this.routes = this.buildRoutes();
		server.on('request', (req, res) => void this.handle(req, res));
	}

	static async start(opts: EmulatorOptions = {}): Promise<TeamSpiritEmulator> {
		const server = http.createServer();
		await listen(server, opts.port ?? 0);
		const tmpDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'teamspirit-emu-'));
		return new TeamSpiritEmulator(server, tmpDir, opts);
	}

	async stop(): Promise<void> {
		this.retryDelaysMs = [];
		for (const timer of this.retryTimers) clearTimeout(timer);
		this.retryTimers.clear();
		await this.settled();
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		this.server.closeAllConnections();
		await closed;
		await fs.promises.rm(this.tmpDir, { recursive: true, force: true });
	}

	// ----- seeding helpers --------------------------------------------------

	addUser(partial: Partial<User> = {}): User {
		const n = this.users.size + 1;
		const user: User = {
			id: newId('u'),
			name: `User ${n}`,
			username: `user${n}`,
			email: `user${n}@teamspirit.local`,
			isBot: false,
			...partial,
		};
		this.users.set(user.id, user);
		if (!this.statuses.has(user.id))
			this.statuses.set(user.id, { status: 'offline', text: null, until: null });
		return user;
	}

	/**
	 * The bot is always added to memberIds unless `includeBot: false`. An `externalKey` must not be
	 * on another of the bot's chats.
	 */
	addChat(partial: Partial<Chat> & { includeBot?: boolean } = {}): Chat {
		const { includeBot = true, ...rest } = partial;
		const memberIds = [
			...new Set([...(includeBot ? [this.bot.id] : []), ...(rest.memberIds ?? [])]),
		];
		for (const id of memberIds)
			if (!this.users.has(id)) throw new Error(`addChat: unknown user ${id}`);
		if (rest.externalKey && memberIds.includes(this.bot.id) && this.chatByKey(rest.externalKey)) {
			throw new Error(`addChat: a chat with externalKey ${rest.externalKey} exists`);
		}
		const chat: Chat = {
			id: newId('c'),
			title: `Chat ${this.chats.size + 1}`,
			type: 'group',
			createdAt: nowIso(),
			version: 1,
			...rest,
			externalKey: rest.externalKey ?? null,
			metadata: rest.metadata ?? {},
			memberIds,
		};
		this.chats.set(chat.id, chat);
		return chat;
	}

	/**
	 * Seeds a message (no event); senderId defaults to the bot. `fileIds` are resolved to file
	 * metadata. A `replyToId` must be a message of the chat, an `externalKey` unused in the chat.
	 */
	addMessage(
		chatId: string,
		partial: Partial<Omit<Message, 'chatId'>> & { fileIds?: string[] } = {},
	): Message {
		if (!this.chats.has(chatId)) throw new Error(`addMessage: unknown chat ${chatId}`);
		const { fileIds, ...rest } = partial;
		if (rest.replyToId && this.message(rest.replyToId)?.chatId !== chatId) {
			throw new Error(`addMessage: replyToId ${rest.replyToId} is not a message of chat ${chatId}`);
		}
		if (rest.externalKey && this.messageByKey(chatId, rest.externalKey)) {
			throw new Error(
				`addMessage: chat ${chatId} has a message with externalKey ${rest.externalKey}`,
			);
		}
		const files = fileIds?.map((id) => {
			const f = this.files.get(id);
			if (!f) throw new Error(`addMessage: unknown file ${id}`);
			return { ...f.meta };
		});
		const msg: Message = {
			id: newId('m'),
			chatId,
			senderId: this.bot.id,
			text: `Message ${this.messages.size + 1}`,
			format: 'plain',
			replyToId: null,
			files: files ?? [],
			createdAt: nowIso(),
			editedAt: null,
			externalKey: null,
			version: 1,
			...rest,
		};
		this.messages.set(msg.id, { msg, seq: ++this.seq });
		// a message ends its sender's typing
		this.typingUntil.get(chatId)?.delete(msg.senderId);
		return msg;
	}

	/** Seeds a stored file (as if the bot uploaded it through POST /files; `uploadedBy` says otherwise). */
	addFile(opts: {
		name?: string;
		mimeType?: string;
		content: Buffer | string;
		uploadedBy?: string;
	}): FileMeta {
		const bytes = typeof opts.content === 'string' ? Buffer.from(opts.content) : opts.content;
		const id = newId('f');
		const filePath = path.join(this.tmpDir, id);
		fs.writeFileSync(filePath, bytes);
		const meta: FileMeta = {
			id,
			name: opts.name ?? 'file.bin',
			mimeType: opts.mimeType ?? 'application/octet-stream',
			size: bytes.length,
			createdAt: nowIso(),
		};
		const uploadedBy = opts.uploadedBy ?? this.bot.id;
		if (!this.users.has(uploadedBy)) throw new Error(`addFile: unknown user ${uploadedBy}`);
		this.files.set(id, {
			meta,
			sha256: createHash('sha256').update(bytes).digest('hex'),
			path: filePath,
			uploadedBy,
		});
		return meta;
	}

	/** Seeds a file as if a user (an operator) uploaded it in the TeamSpirit app; attach it with postAsUser's fileIds. */
	uploadAsUser(
		userId: string,
		opts: { name?: string; mimeType?: string; content: Buffer | string },
	): FileMeta {
		if (!this.users.has(userId)) throw new Error(`uploadAsUser: unknown user ${userId}`);
		return this.addFile({ ...opts, uploadedBy: userId });
	}

	/** Creates an incoming hook posting into `chatId` (a new group chat if omitted). */
	addIncomingHook(opts: { chatId?: string } = {}): IncomingHook {
		const chatId = opts.chatId ?? this.addChat({ title: 'Incoming hook' }).id;
		if (!this.chats.has(chatId)) throw new Error(`addIncomingHook: unknown chat ${chatId}`);
		const token = randomBytes(24).toString('base64url');
		const hook: IncomingHook = { token, url: `${this.url}/hooks/${token}`, chatId };
		this.incomingHooks.set(token, hook);
		return hook;
	}

	setStatus(userId: string, status: Partial<UserStatus>): UserStatus {
		if (!this.users.has(userId)) throw new Error(`setStatus: unknown user ${userId}`);
		const next: UserStatus = { status: 'offline', text: null, until: null, ...status };
		this.statuses.set(userId, next);
		return next;
	}

	// ----- inspection -------------------------------------------------------

	/** Messages of a chat, oldest first (by createdAt, then creation order). */
	messagesIn(chatId: string): Message[] {
		return [...this.messages.values()]
			.filter((e) => e.msg.chatId === chatId)
			.sort((a, b) => a.msg.createdAt.localeCompare(b.msg.createdAt) || a.seq - b.seq)
			.map((e) => e.msg);
	}

	message(messageId: string): Message | undefined {
		return this.messages.get(messageId)?.msg;
	}

	/** The bot's chat with this externalKey (keys are unique among the bot's chats), as `GET /chats?externalKey=` finds it. */
	chatByKey(externalKey: string): Chat | undefined {
		return [...this.chats.values()].find(
			(chat) => chat.externalKey === externalKey && chat.memberIds.includes(this.bot.id),
		);
	}

	/** The message of a chat with this externalKey. */
	messageByKey(chatId: string, externalKey: string): Message | undefined {
		return [...this.messages.values()].find(
			(e) => e.msg.chatId === chatId && e.msg.externalKey === externalKey,
		)?.msg;
	}

	/** `data.chat` of message.* deliveries. */
	chatSummary(chatId: string): ChatSummary | undefined {
		const chat = this.chats.get(chatId);
		if (!chat) return undefined;
		return clone({
			id: chat.id,
			title: chat.title,
			externalKey: chat.externalKey,
			metadata: chat.metadata,
			version: chat.version,
		});
	}

	/** A chat as the store has it now (a copy; any chat, the bot a member or not). */
	chat(chatId: string): Chat | undefined {
		const chat = this.chats.get(chatId);
		return chat ? clone(chat) : undefined;
	}

	/** The chats (the bot's or not) whose metadata has these top-level values, as `GET /chats?metadata.<field>=` matches them. */
	chatsWhere(filters: Record<string, string>): Chat[] {
		return [...this.chats.values()]
			.filter((chat) => metadataMatches(chat.metadata, filters))
			.map((chat) => clone(chat));
	}

	/** Who shows as typing in a chat now (the bot through POST …/typing, users through typeAsUser()). */
	typingIn(chatId: string): Array<{ userId: string; until: string }> {
		const now = Date.now();
		return [...(this.typingUntil.get(chatId) ?? new Map<string, number>()).entries()]
			.filter(([, until]) => until > now)
			.map(([userId, until]) => ({ userId, until: new Date(until).toISOString() }));
	}

	/** Makes every public file link made so far answer 404, as if its time were up. */
	expireLinks(): void {
		for (const link of this.fileLinks.values())
			link.expiresAt = Math.min(link.expiresAt, Date.now() - 1);
	}

	/** The bytes of a stored file (reads the temp file). */
	fileContent(fileId: string): Buffer {
		const f = this.files.get(fileId);
		if (!f) throw new Error(`fileContent: unknown file ${fileId}`);
		return fs.readFileSync(f.path);
	}

	// ----- outgoing webhook deliveries ---------------------------------------

	/**
	 * Delivers an event to every registered webhook that is subscribed to it and covers its chat,
	 * signed as the contract says ("Outgoing webhook deliveries"), and resolves with the attempts
	 * (also recorded in `deliveries`). No automatic retries here (see `retryDelaysMs` for the
	 * events `autoDeliver` sends): resend with `redeliver()`.
	 */
	async deliver(
		event: WebhookEvent,
		data: object,
		opts: DeliverOptions = {},
	): Promise<DeliveryAttempt[]> {
		data = this.withChat(event, data);
		const eventId = opts.eventId ?? newId('evt');
		const body = JSON.stringify({
			id: eventId,
			event,
			createdAt: opts.createdAt ?? nowIso(),
			data,
		});
		const targets = [...this.webhooks.values()].filter(
			(hook) => (!opts.webhookId || hook.id === opts.webhookId) && this.covers(hook, event, data),
		);
		return await Promise.all(
			targets.map(
				async (hook) =>
					await this.attempt(
						hook,
						{ event, eventId, deliveryId: opts.deliveryId ?? newId('dlv'), body },
						opts,
						false,
					),
			),
		);
	}

	/** Sends an earlier delivery again, as the server's retry does: same delivery id and body, fresh timestamp and signature. */
	async redeliver(previous: DeliveryAttempt, opts: DeliverOptions = {}): Promise<DeliveryAttempt> {
		const hook = this.webhooks.get(previous.webhookId);
		if (!hook)
			throw new Error(`redeliver: webhook ${previous.webhookId} is not registered any more`);
		const { event, eventId, deliveryId, body } = previous;
		return await this.attempt(hook, { event, eventId, deliveryId, body }, opts, true);
	}

	/**
	 * Seeds a message from a user (as if typed in the TeamSpirit app, e.g. by an operator) and
	 * delivers `message.created`. `replyToId` must be a message of the chat; `fileIds` files seeded
	 * with uploadAsUser() / addFile(). Failed attempts are retried on `retryDelaysMs` (as are
	 * those of editAsUser() and deleteAsUser()).
	 */
	async postAsUser(
		chatId: string,
		userId: string,
		fields: Partial<Omit<Message, 'chatId' | 'senderId'>> & { fileIds?: string[] } = {},
		opts: DeliverOptions = {},
	): Promise<{ message: Message; deliveries: DeliveryAttempt[] }> {
		if (!this.users.has(userId)) throw new Error(`postAsUser: unknown user ${userId}`);
		const message = this.addMessage(chatId, {
			...fields,
			senderId: userId,
			createdAt: fields.createdAt ?? nowIso(),
		});
		return {
			message,
			deliveries: this.retryFailed(await this.deliver('message.created', clone(message), opts)),
		};
	}

	/**
	 * Edits a message as its sender did in the TeamSpirit app (sets `editedAt`) and delivers
	 * `message.updated`.
	 */
	async editAsUser(
		messageId: string,
		changes: { text?: string; format?: MessageFormat },
		opts: DeliverOptions = {},
	): Promise<{ message: Message; deliveries: DeliveryAttempt[] }> {
		const message = this.message(messageId);
		if (!message) throw new Error(`editAsUser: unknown message ${messageId}`);
		if (changes.text !== undefined) message.text = changes.text;
		if (changes.format !== undefined) message.format = changes.format;
		message.editedAt = nowIso();
		return {
			message,
			deliveries: this.retryFailed(await this.deliver('message.updated', clone(message), opts)),
		};
	}

	/** Deletes a message as a user did in the TeamSpirit app and delivers `message.deleted` (the message as it was). */
	async deleteAsUser(
		messageId: string,
		opts: DeliverOptions = {},
	): Promise<{ message: Message; deliveries: DeliveryAttempt[] }> {
		const message = this.message(messageId);
		if (!message) throw new Error(`deleteAsUser: unknown message ${messageId}`);
		this.messages.delete(messageId);
		return {
			message,
			deliveries: this.retryFailed(await this.deliver('message.deleted', clone(message), opts)),
		};
	}

	/**
	 * Changes a chat's title and/or metadata (replaced, as PATCH does) as a user did in the
	 * TeamSpirit app: the version goes up and `chat.updated` is delivered with that user as actor.
	 * Without an actual change nothing happens (no delivery).
	 */
	async changeChatAsUser(
		chatId: string,
		userId: string,
		changes: { title?: string; metadata?: Record<string, unknown> },
		opts: DeliverOptions = {},
	): Promise<{ chat: Chat; deliveries: DeliveryAttempt[] }> {
		const chat = this.chats.get(chatId);
		if (!chat) throw new Error(`changeChatAsUser: unknown chat ${chatId}`);
		if (!this.users.has(userId)) throw new Error(`changeChatAsUser: unknown user ${userId}`);
		const update = this.applyChatChange(chat, changes, userId);
		if (!update) return { chat, deliveries: [] };
		return {
			chat,
			deliveries: this.retryFailed(await this.deliver('chat.updated', update, opts)),
		};
	}

	/**
	 * A member types in the chat, as in the TeamSpirit app: they show as typing for 5 s and
	 * `chat.typing` is delivered (`{ chatId, userId, user, until, chat }`). Failed attempts are
	 * retried on `retryDelaysMs`.
	 */
	async typeAsUser(
		chatId: string,
		userId: string,
		opts: DeliverOptions = {},
	): Promise<{ until: string; deliveries: DeliveryAttempt[] }> {
		const chat = this.chats.get(chatId);
		if (!chat) throw new Error(`typeAsUser: unknown chat ${chatId}`);
		if (!chat.memberIds.includes(userId))
			throw new Error(`typeAsUser: ${userId} is not a member of chat ${chatId}`);
		const now = Date.now();
		const until = this.showTyping(chatId, userId, now);
		const data: Typing = {
			chatId,
			userId,
			user: clone(this.userFor(userId)),
			until,
			chat: this.chatSummary(chatId)!,
		};
		const createdAt = opts.createdAt ?? new Date(now).toISOString();
		return {
			until,
			deliveries: this.retryFailed(await this.deliver('chat.typing', data, { ...opts, createdAt })),
		};
	}

	private showTyping(chatId: string, userId: string, now = Date.now()): string {
		let typing = this.typingUntil.get(chatId);
		if (!typing) this.typingUntil.set(chatId, (typing = new Map()));
		typing.set(userId, now + TYPING_MS);
		return new Date(now + TYPING_MS).toISOString();
	}

	/** The `data` of a membership event. */
	membership(chatId: string, userId: string, actorId: string | null = null): Membership {
		return { chatId, userId, user: clone(this.userFor(userId)), actorId };
	}

	/** Resolves once every delivery started by `autoDeliver` has been answered (or timed out). */
	async settled(): Promise<void> {
		while (this.pendingDeliveries.size > 0) await Promise.allSettled([...this.pendingDeliveries]);
	}

	/** message.* deliveries carry `data.chat` (unless the data has a `chat` already, or the chat is unknown). */
	private withChat(event: WebhookEvent, data: object): object {
		if (!event.startsWith('message.') || 'chat' in data) return data;
		const chatId = (data as { chatId?: unknown }).chatId;
		const chat = typeof chatId === 'string' ? this.chatSummary(chatId) : undefined;
		return chat ? { ...data, chat } : data;
	}

	/** The chat an event is about (none for user.status_changed). */
	private chatOfEvent(event: string, data: object): string | undefined {
		if (!event.startsWith('message.') && !event.startsWith('chat.')) return undefined;
		const chatId =
			event === 'chat.updated'
				? (data as { chat?: { id?: unknown } }).chat?.id
				: (data as { chatId?: unknown }).chatId;
		return typeof chatId === 'string' ? chatId : undefined;
	}

	/** chat.member_left of the bot itself, and the chat.updated of that removal. */
	private leftByBot(event: WebhookEvent, data: object): boolean {
		if (event === 'chat.member_left') return (data as Membership).userId === this.bot.id;
		if (event !== 'chat.updated') return false;
		const { chat, previous } = data as Partial<ChatUpdate>;
		return (
			(previous?.memberIds?.includes(this.bot.id) ?? false) &&
			!(chat?.memberIds?.includes(this.bot.id) ?? false)
		);
	}

	private covers(hook: Webhook, event: WebhookEvent, data: object): boolean {
		if (!hook.events.includes(event)) return false;
		const chatId = this.chatOfEvent(event, data);
		if (chatId === undefined) return event === 'user.status_changed';
		if (hook.chatIds.length > 0) return hook.chatIds.includes(chatId);
		return (
			this.leftByBot(event, data) ||
			(this.chats.get(chatId)?.memberIds.includes(this.bot.id) ?? false)
		);
	}

	private malformedBody(kind: NonNullable<DeliverOptions['malformed']>, body: string): string {
		const parsed = JSON.parse(body) as JsonObject;
		if (kind === 'truncated-json') return body.slice(0, Math.floor(body.length / 2));
		if (kind === 'not-an-object') return JSON.stringify([parsed]);
		const { [kind === 'missing-event' ? 'event' : 'data']: _dropped, ...rest } = parsed;
		return JSON.stringify(rest);
	}

	private async attempt(
		hook: Webhook,
		delivery: { event: string; eventId: string; deliveryId: string; body: string },
		opts: DeliverOptions,
		retry: boolean,
	): Promise<DeliveryAttempt> {
		let payload: Buffer;
		if (opts.rawBody !== undefined) payload = Buffer.from(opts.rawBody);
		else if (opts.malformed)
			payload = Buffer.from(this.malformedBody(opts.malformed, delivery.body));
		else payload = Buffer.from(delivery.body);
		const timestamp = Math.floor(Date.now() / 1000) - (opts.ageSeconds ?? 0);
		const headers: Record<string, string> = {
			'content-type': opts.contentType ?? 'application/json',
			'content-length': String(payload.length),
			'user-agent': 'TeamSpirit-Webhooks/1',
			'x-teamspirit-event': delivery.event,
			'x-teamspirit-delivery': delivery.deliveryId,
			'x-teamspirit-timestamp': String(timestamp),
		};
		const signature = opts.signature ?? 'valid';
		if (signature !== 'omit') {
			const key = signature === 'valid' ? hook.secret : `whsec_${randomBytes(24).toString('hex')}`;
			const digest = createHmac('sha256', key)
				.update(`${timestamp}.`)
				.update(payload)
				.digest('hex');
			headers['x-teamspirit-signature'] = `sha256=${digest}`;
		}
		const record: DeliveryAttempt = {
			webhookId: hook.id,
			url: hook.url,
			event: delivery.event,
			eventId: delivery.eventId,
			deliveryId: delivery.deliveryId,
			timestamp,
			headers,
			body: payload.toString('utf8'),
			status: 0,
			responseHeaders: {},
			responseBody: '',
			ms: 0,
			retry,
		};
		this.deliveries.push(record);
		const started = Date.now();
		const answer = await postOnce(hook.url, headers, payload, opts.timeoutMs ?? 10_000);
		Object.assign(record, answer, { ms: Date.now() - started });
		return record;
	}

	/** What happened through the API, as it happened (`observe`), with or without `autoDeliver`. */
	private readonly observers = new Set<(event: WebhookEvent, data: object) => void>();

	/**
	 * Calls `observer` with each event the API causes (a copy of its data), as the server would
	 * deliver it: e.g. a test that must know a message that was deleted afterwards. Returns the
	 * function that stops it.
	 */
	observe(observer: (event: WebhookEvent, data: object) => void): () => void {
		this.observers.add(observer);
		return () => this.observers.delete(observer);
	}

	/** With `autoDeliver`: delivers in the background, as the server does after answering the API call. */
	private emit(event: WebhookEvent, data: object): void {
		for (const observer of this.observers) observer(event, clone(data));
		if (!this.autoDeliver) return;
		this.track(this.deliver(event, clone(data)).then((attempts) => this.retryFailed(attempts)));
	}

	private track(work: Promise<unknown>): void {
		const pending: Promise<unknown> = work
			.catch(() => undefined)
			.finally(() => this.pendingDeliveries.delete(pending));
		this.pendingDeliveries.add(pending);
	}

	/** With `retryDelaysMs`: schedules the failed attempts' retries; returns the attempts. */
	private retryFailed(attempts: DeliveryAttempt[]): DeliveryAttempt[] {
		for (const attempt of attempts) this.retryLater(attempt, 0);
		return attempts;
	}

	/** With `retryDelaysMs`: a failed attempt is sent again after the next wait of the schedule. */
	private retryLater(attempt: DeliveryAttempt, retriesSoFar: number): void {
		if (attempt.status >= 200 && attempt.status < 300) return;
		const wait = this.retryDelaysMs[retriesSoFar];
		if (wait === undefined) return; // dropped after the last retry
		const timer = setTimeout(() => {
			this.retryTimers.delete(timer);
			// a deleted webhook gets no more attempts
			if (!this.webhooks.has(attempt.webhookId)) return;
			this.track(this.redeliver(attempt).then((next) => this.retryLater(next, retriesSoFar + 1)));
		}, wait);
		this.retryTimers.add(timer);
	}

	// ----- fault injection --------------------------------------------------

	failNext(opts: FailNextOptions): void {
		this.faults.push({ ...opts, remaining: opts.count ?? 1 });
	}

	/** Drops all pending failNext() rules. */
	clearFaults(): void {
		this.faults = [];
	}

	private takeFault(method: string, p: string): FaultRule | undefined {
		const rule = this.faults.find(
			(f) => (!f.method || f.method.toUpperCase() === method) && (!f.path || f.path.test(p)),
		);
		if (!rule) return undefined;
		if (rule.skip && rule.skip > 0) {
			rule.skip--;
			return undefined;
		}
		if (--rule.remaining <= 0) this.faults = this.faults.filter((f) => f !== rule);
		return rule;
	}

	private faultReply(rule: FaultRule): Reply {
		const headers: Record<string, string> = {};
		const retryAfter = rule.retryAfter ?? (rule.status === 429 ? 1 : undefined);
		if (retryAfter !== undefined)
			headers['retry-after'] = String(Math.max(0, Math.round(retryAfter)));
		const [code, message] =
			rule.status === 429
				? ['rate_limited', `Too many requests, retry after ${headers['retry-after']} s`]
				: rule.status === 500
					? ['internal', 'Internal server error']
					: rule.status === 502
						? ['unavailable', 'Bad gateway']
						: ['unavailable', 'Service temporarily unavailable'];
		return { status: rule.status, headers, json: { error: { code, message } } };
	}

	// ----- request handling -------------------------------------------------

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const method = (req.method ?? 'GET').toUpperCase();
		const url = new URL(req.url ?? '/', 'http://emulator.invalid');
		const rec: RecordedRequest = {
			method,
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers: req.headers,
			body: undefined,
			status: 0,
			receivedAt: Date.now(),
		};
		this.requests.push(rec);
		this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
		try {
			await this.answer(req, res, rec, method, url);
		} finally {
			this.inFlight--;
		}
	}

	private async answer(
		req: http.IncomingMessage,
		res: http.ServerResponse,
		rec: RecordedRequest,
		method: string,
		url: URL,
	): Promise<void> {
		let reply: Reply;
		const fault = this.takeFault(method, url.pathname);
		if (fault && !fault.afterAccepting) {
			if (!(method === 'POST' && url.pathname === '/api/v1/files')) {
				rec.body = await this.readJson(req).catch(() => undefined); // best effort, for inspection
			}
			reply = this.faultReply(fault);
		} else {
			reply = await this.dispatch(req, rec, method, url);
			if (fault) reply = this.faultReply(fault);
		}
		if (fault) rec.injected = true;
		await drain(req);
		if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
		// (req itself is destroyed once a body has been read with for-await; look at the socket)
		if (res.destroyed || !res.socket || res.socket.destroyed) return; // the client went away
		rec.status = reply.status;
		rec.answeredAt = Date.now();
		this.send(res, reply, method === 'HEAD');
	}

	private send(res: http.ServerResponse, reply: Reply, head = false): void {
		if ('file' in reply) {
			const { meta, path: filePath } = reply.file;
			const ascii = asciiFallback(meta.name);
			const type = reply.disposition ?? 'attachment';
			const disposition =
				ascii === meta.name
					? `${type}; filename="${ascii}"`
					: `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(meta.name)}`;
			res.writeHead(reply.status, {
				'content-type': meta.mimeType,
				'content-length': String(meta.size),
				'content-disposition': disposition,
			});
			if (head) {
				res.end();
				return;
			}
			const stream = fs.createReadStream(filePath);
			stream.on('error', () => res.destroy());
			stream.pipe(res);
			return;
		}
		const headers = { ...reply.headers };
		if (reply.json === undefined) {
			res.writeHead(reply.status, headers);
			res.end();
			return;
		}
		const payload = Buffer.from(JSON.stringify(reply.json));
		res.writeHead(reply.status, {
			...headers,
			'content-type': 'application/json; charset=utf-8',
			'content-length': String(payload.length),
		});
		res.end(payload);
	}

	private async dispatch(
		req: http.IncomingMessage,
		rec: RecordedRequest,
		method: string,
		url: URL,
	): Promise<Reply> {
		try {
			const isUpload = method === 'POST' && url.pathname === '/api/v1/files';
			let body: JsonObject = {};
			let bodyError: ApiError | undefined;
			if (!isUpload) {
				try {
					const parsed = await this.readJson(req);
					if (parsed !== undefined) rec.body = body = parsed;
				} catch (e) {
					bodyError = e as ApiError;
				}
			}
			if (url.pathname === '/api/v1' || url.pathname.startsWith('/api/v1/')) this.checkAuth(req);
			let params: string[] | undefined;
			const route = this.routes.find((r) => {
				if (r.method !== method) return false;
				const m = r.pattern.exec(url.pathname);
				params = m?.slice(1).map(safeDecode);
				return m !== null;
			});
			if (!route || !params) throw notFound(`Route ${method} ${url.pathname} not found`);
			// A bad body is reported when the handler reads it, i.e. after its 404 checks.
			const ctx: Ctx = {
				req,
				rec,
				params,
				query: rec.query,
				get body(): JsonObject {
					if (bodyError) throw bodyError;
					return body;
				},
			};
			return await route.handler(ctx);
		} catch (e) {
			if (e instanceof ApiError) {
				return {
					status: e.status,
					headers: e.headers,
					json: { error: { code: e.code, message: e.message, ...e.extra } },
				};
			}
			return {
				status: 500,
				json: { error: { code: 'internal', message: (e as Error).message ?? 'Internal error' } },
			};
		}
	}

	private checkAuth(req: http.IncomingMessage): void {
		const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
		if (!m || m[1].trim() !== this.apiKey)
			throw new ApiError(401, 'unauthorized', 'Invalid API key');
	}

	/** Reads a JSON object body. undefined when there is no body. */
	private async readJson(req: http.IncomingMessage): Promise<JsonObject | undefined> {
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const chunk of req as AsyncIterable<Buffer>) {
			size += chunk.length;
			if (size <= MAX_JSON_BODY) chunks.push(chunk);
		}
		if (size > MAX_JSON_BODY)
			throw new ApiError(413, 'payload_too_large', 'JSON body exceeds 1 MB');
		if (size === 0) return undefined;
		const ct = (req.headers['content-type'] ?? '').toLowerCase();
		if (!/^application\/([\w.+-]+\+)?json\b/.test(ct)) {
			throw invalid(`Expected Content-Type application/json, got '${ct || 'none'}'`);
		}
		let parsed: unknown;
		try {
			parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
		} catch {
			throw invalid('Request body is not valid JSON');
		}
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
			throw invalid('Request body must be a JSON object');
		}
		return parsed as JsonObject;
	}

	private buildRoutes(): Route[] {
		const r = (method: string, pattern: string, handler: Route['handler']): Route => ({
			method,
			pattern: new RegExp(`^${pattern.replace(/:\w+/g, '([^/]+)')}/?$`),
			handler,
		});
		const api = '/api/v1';
		return [
			r('GET', `${api}/me`, () => ({ status: 200, json: this.meView() })),
			r('PUT', `${api}/me/status`, (c) => this.putStatus(c)),

			r('GET', `${api}/chats`, (c) => this.listChats(c)),
			r('POST', `${api}/chats`, (c) => this.createChat(c)),
			r('GET', `${api}/chats/:chatId`, (c) => ({ status: 200, json: this.chatFor(c.params[0]) })),
			r('PATCH', `${api}/chats/:chatId`, (c) => this.patchChat(c)),
			r('POST', `${api}/chats/:chatId/members`, (c) => this.addMembers(c)),
			r('DELETE', `${api}/chats/:chatId/members/:userId`, (c) => this.removeMember(c)),
			r('POST', `${api}/chats/:chatId/read`, (c) => this.markRead(c)),
			r('POST', `${api}/chats/:chatId/typing`, (c) => {
				const chat = this.chatFor(c.params[0]);
				void c.body; // a body that is not a JSON object: 400 (its fields are ignored)
				// the bot's own typing: shown, never delivered
				this.showTyping(chat.id, this.bot.id);
				return { status: 204 };
			}),
			r('GET', `${api}/chats/:chatId/messages`, (c) => this.listMessages(c)),
			r('POST', `${api}/chats/:chatId/messages`, (c) => {
				const chat = this.chatFor(c.params[0]);
				return this.idempotent(c, () => this.createMessage(chat, c.body));
			}),
			r('GET', `${api}/chats/:chatId/messages/:messageId`, (c) => ({
				status: 200,
				json: this.messageFor(this.chatFor(c.params[0]), c.params[1]),
			})),
			r('PATCH', `${api}/chats/:chatId/messages/:messageId`, (c) => this.editMessage(c)),
			r('DELETE', `${api}/chats/:chatId/messages/:messageId`, (c) => this.deleteMessage(c)),

			r('POST', `${api}/users/:userId/messages`, (c) => {
				const user = this.userFor(c.params[0]);
				if (user.id === this.bot.id)
					throw invalid('Cannot send a direct message to the bot itself');
				return this.idempotent(c, () => this.directMessage(user, c.body));
			}),
			r('GET', `${api}/users`, (c) => this.listUsers(c)),
			r('GET', `${api}/users/:userId`, (c) => ({ status: 200, json: this.userFor(c.params[0]) })),
			r('GET', `${api}/users/:userId/status`, (c) => ({
				status: 200,
				json: this.statuses.get(this.userFor(c.params[0]).id),
			})),

			r('POST', `${api}/files`, (c) => this.upload(c)),
			r('GET', `${api}/files/:fileId`, (c) => ({
				status: 200,
				json: this.fileFor(c.params[0]).meta,
			})),
			r('GET', `${api}/files/:fileId/content`, (c) => ({
				status: 200,
				file: this.fileFor(c.params[0]),
			})),
			r('POST', `${api}/files/:fileId/links`, (c) => this.createFileLink(c)),
			r('GET', '/public/files/:token/:name', (c) => this.publicFile(c)),
			r('HEAD', '/public/files/:token/:name', (c) => this.publicFile(c)),

			r('GET', `${api}/webhooks`, (c) => ({
				status: 200,
				json: paginate(
					[...this.webhooks.values()].map(({ secret: _s, ...w }) => w),
					c.query,
				),
			})),
			r('POST', `${api}/webhooks`, (c) => this.createWebhook(c)),
			r('GET', `${api}/webhooks/:webhookId`, (c) => {
				const { secret: _s, ...w } = this.webhookFor(c.params[0]);
				return { status: 200, json: w };
			}),
			r('DELETE', `${api}/webhooks/:webhookId`, (c) => {
				this.webhooks.delete(this.webhookFor(c.params[0]).id);
				return { status: 204 };
			}),

			r('GET', '/hooks/:token', (c) => this.incomingHookInfo(c)),
			r('POST', '/hooks/:token', (c) => this.incomingHook(c)),
		];
	}

	// ----- lookups ----------------------------------------------------------

	private meView() {
		const { id, name, username, isBot } = this.bot;
		return { id, name, username, isBot };
	}

	private userFor(userId: string): User {
		const user = this.users.get(userId);
		if (!user) throw notFound(`User '${userId}' not found`);
		return user;
	}

	/** A chat the bot can act in: 404 if unknown, 403 if the bot is not a member. */
	private chatFor(chatId: string): Chat {
		const chat = this.chats.get(chatId);
		if (!chat) throw notFound(`Chat '${chatId}' not found`);
		if (!chat.memberIds.includes(this.bot.id))
			throw forbidden(`The bot is not a member of chat '${chatId}'`);
		return chat;
	}

	private messageFor(chat: Chat, messageId: string): Message {
		const msg = this.messages.get(messageId)?.msg;
		if (!msg || msg.chatId !== chat.id) throw notFound(`Message '${messageId}' not found`);
		return msg;
	}

	private fileFor(fileId: string): StoredFile {
		const f = this.files.get(fileId);
		if (!f) throw notFound(`File '${fileId}' not found`);
		return f;
	}

	private webhookFor(id: string): Webhook {
		const w = this.webhooks.get(id);
		if (!w) throw notFound(`Webhook '${id}' not found`);
		return w;
	}

	// ----- chats ------------------------------------------------------------

	private listChats(c: Ctx): Reply {
		const q = c.query.query?.toLowerCase();
		const key = keyFilter(c.query);
		const filters = metadataFilters(c.query);
		const chats = [...this.chats.values()].filter(
			(chat) =>
				chat.memberIds.includes(this.bot.id) &&
				(!q || chat.title.toLowerCase().includes(q)) &&
				(key === undefined || chat.externalKey === key) &&
				metadataMatches(chat.metadata, filters),
		);
		return { status: 200, json: paginate(chats, c.query) };
	}

	private createChat(c: Ctx): Reply {
		const type = optEnum(c.body, 'type', ['group', 'direct'] as const);
		if (!type) throw invalid(`'type' is required`);
		const memberIds = optStringArray(c.body, 'memberIds') ?? [];
		memberIds.forEach((id) => this.userFor(id));
		const externalKey = optKey(c.body) ?? null;
		const metadata = optMetadata(c.body) ?? {};
		const others = memberIds.filter((id) => id !== this.bot.id);
		let title: string;
		if (type === 'direct') {
			if (others.length !== 1)
				throw invalid('A direct chat needs exactly one member besides the bot');
			title = optString(c.body, 'title') || this.userFor(others[0]).name;
		} else {
			title = reqString(c.body, 'title');
			if (!title.trim()) throw invalid(`'title' must not be blank`);
		}
		// Checked after every 400/404, so a conflict creates nothing and says why.
		const taken = externalKey === null ? undefined : this.chatByKey(externalKey);
		if (taken)
			throw conflict(`A chat with externalKey '${externalKey}' already exists`, {
				chat: clone(taken),
			});
		if (type === 'direct') {
			const existing = this.findDirectChat(others[0]);
			if (existing) return { status: 200, json: existing };
		}
		return {
			status: 201,
			json: this.addChat({ type, title, memberIds: others, externalKey, metadata }),
		};
	}

	private patchChat(c: Ctx): Reply {
		const chat = this.chatFor(c.params[0]);
		const title = optString(c.body, 'title');
		const metadata = optMetadata(c.body);
		if (title === undefined && metadata === undefined)
			throw invalid(`Give 'title', 'metadata' or both`);
		if (title !== undefined && !title.trim()) throw invalid(`'title' must not be blank`);
		const wanted = ifMatchVersion(c.req, 'chat');
		if (wanted !== undefined && wanted !== chat.version) {
			throw preconditionFailed(`Chat '${chat.id}' is at version ${chat.version}, not ${wanted}`, {
				current: clone(chat),
			});
		}
		const update = this.applyChatChange(chat, { title, metadata }, this.bot.id);
		if (update) this.emit('chat.updated', update);
		return { status: 200, json: chat };
	}

	/**
	 * Applies a change of title, metadata or members; when something actually changed, bumps the
	 * version and returns the `chat.updated` data (undefined: nothing changed).
	 */
	private applyChatChange(
		chat: Chat,
		changes: { title?: string; metadata?: Record<string, unknown>; memberIds?: string[] },
		actorId: string,
	): ChatUpdate | undefined {
		const previous = clone({
			title: chat.title,
			metadata: chat.metadata,
			memberIds: chat.memberIds,
			version: chat.version,
		});
		if (changes.title !== undefined) chat.title = changes.title;
		if (changes.metadata !== undefined) chat.metadata = clone(changes.metadata);
		if (changes.memberIds !== undefined) chat.memberIds = [...changes.memberIds];
		const changed =
			chat.title !== previous.title ||
			stableStringify(chat.metadata) !== stableStringify(previous.metadata) ||
			chat.memberIds.join() !== previous.memberIds.join();
		if (!changed) return undefined;
		chat.version++;
		return { chat: clone(chat), previous, actorId };
	}

	private findDirectChat(userId: string): Chat | undefined {
		return [...this.chats.values()].find(
			(chat) =>
				chat.type === 'direct' &&
				chat.memberIds.length === 2 &&
				chat.memberIds.includes(this.bot.id) &&
				chat.memberIds.includes(userId),
		);
	}

	private addMembers(c: Ctx): Reply {
		const chat = this.chatFor(c.params[0]);
		const userIds = optStringArray(c.body, 'userIds');
		if (!userIds || userIds.length === 0) throw invalid(`'userIds' must be a non-empty array`);
		userIds.forEach((id) => this.userFor(id));
		if (chat.type === 'direct') throw invalid('Cannot add members to a direct chat');
		const added = userIds.filter((id) => !chat.memberIds.includes(id));
		const update = this.applyChatChange(
			chat,
			{ memberIds: [...chat.memberIds, ...added] },
			this.bot.id,
		);
		for (const id of added)
			this.emit('chat.member_joined', this.membership(chat.id, id, this.bot.id));
		if (update) this.emit('chat.updated', update);
		return { status: 200, json: chat };
	}

	private removeMember(c: Ctx): Reply {
		const chat = this.chatFor(c.params[0]);
		const userId = this.userFor(c.params[1]).id;
		if (chat.type === 'direct') throw invalid('Cannot remove members from a direct chat');
		if (!chat.memberIds.includes(userId))
			throw notFound(`User '${userId}' is not a member of chat '${chat.id}'`);
		const update = this.applyChatChange(
			chat,
			{ memberIds: chat.memberIds.filter((id) => id !== userId) },
			this.bot.id,
		);
		this.emit('chat.member_left', this.membership(chat.id, userId, this.bot.id));
		if (update) this.emit('chat.updated', update);
		return { status: 204 };
	}

	private markRead(c: Ctx): Reply {
		const chat = this.chatFor(c.params[0]);
		const msg = this.messageFor(chat, reqString(c.body, 'messageId'));
		this.readMarkers.set(chat.id, msg.id);
		return { status: 204 };
	}

	// ----- messages ---------------------------------------------------------

	private listMessages(c: Ctx): Reply {
		const chat = this.chatFor(c.params[0]);
		const key = keyFilter(c.query);
		const messages = this.messagesIn(chat.id).filter(
			(m) => key === undefined || m.externalKey === key,
		);
		return { status: 200, json: paginate(messages.reverse(), c.query) };
	}

	/** Creates a message, or finds the one the body's `externalKey` names (then nothing else of the body counts). */
	private createMessage(chat: Chat, body: JsonObject): { message: Message; created: boolean } {
		const externalKey = optKey(body) ?? null;
		const existing = externalKey === null ? undefined : this.messageByKey(chat.id, externalKey);
		if (existing) return { message: existing, created: false };
		const text = optString(body, 'text') ?? '';
		const format = optEnum(body, 'format', ['plain', 'markdown'] as const) ?? 'plain';
		const fileIds = optStringArray(body, 'fileIds') ?? [];
		const replyToId = optString(body, 'replyToId') || null;
		if (!text.trim() && fileIds.length === 0)
			throw invalid('A message needs non-empty text or at least one fileId');
		const files = fileIds.map((id) => ({ ...this.fileFor(id).meta }));
		if (replyToId) this.messageFor(chat, replyToId);
		const message = this.addMessage(chat.id, {
			senderId: this.bot.id,
			text,
			format,
			replyToId,
			files,
			externalKey,
			createdAt: nowIso(),
		});
		this.emit('message.created', message);
		return { message, created: true };
	}

	/** Sends into the bot↔user direct chat, creating it only once the message is valid. */
	private directMessage(user: User, body: JsonObject): { message: Message; created: boolean } {
		const existing = this.findDirectChat(user.id);
		if (existing) return this.createMessage(existing, body);
		const chat = this.addChat({ type: 'direct', title: user.name, memberIds: [user.id] });
		try {
			return this.createMessage(chat, body);
		} catch (e) {
			this.chats.delete(chat.id); // an invalid message must not leave an empty direct chat behind
			throw e;
		}
	}

	/** Wraps a message-creating handler with Idempotency-Key semantics. */
	private idempotent(c: Ctx, create: () => { message: Message; created: boolean }): Reply {
		const raw = c.req.headers['idempotency-key'];
		if (raw === undefined) {
			const { message, created } = create();
			return { status: created ? 201 : 200, json: message };
		}
		const key = Array.isArray(raw) ? raw[0] : raw;
		if (!key || key.length > 255) throw invalid('Idempotency-Key must be 1 to 255 characters');
		const fingerprint = `${c.rec.method} ${c.rec.path} ${stableStringify(c.body)}`;
		const prior = this.idempotency.get(key);
		if (prior && Date.now() - prior.at < IDEMPOTENCY_TTL_MS) {
			if (prior.fingerprint !== fingerprint) {
				throw invalid(`Idempotency-Key '${key}' was already used for a different request`);
			}
			return { status: 200, json: this.message(prior.message.id) ?? prior.message };
		}
		const { message, created } = create();
		this.idempotency.set(key, { at: Date.now(), fingerprint, message: clone(message) });
		return { status: created ? 201 : 200, json: message };
	}

	/**
	 * Edits text/format of the bot's own messages (editedAt, message.updated), and sets the
	 * externalKey of any message of the chat (bookkeeping: neither editedAt nor an event).
	 */
	private editMessage(c: Ctx): Reply {
		const chat = this.chatFor(c.params[0]);
		const msg = this.messageFor(chat, c.params[1]);
		const text = optString(c.body, 'text');
		const format = optEnum(c.body, 'format', ['plain', 'markdown'] as const);
		const externalKey = optKey(c.body);
		if (text === undefined && format === undefined && externalKey === undefined) {
			throw invalid(`Give at least one of 'text', 'format', 'externalKey'`);
		}
		const edits = text !== undefined || format !== undefined;
		const wanted = ifMatchVersion(c.req, 'message');
		if (wanted !== undefined && wanted !== msg.version) {
			throw preconditionFailed(`Message '${msg.id}' is at version ${msg.version}, not ${wanted}`, {
				current: clone(msg),
			});
		}
		if (edits && msg.senderId !== this.bot.id)
			throw forbidden('The bot can only edit its own messages');
		if (edits && !(text ?? msg.text).trim() && msg.files.length === 0) {
			throw invalid('A message needs non-empty text or at least one file');
		}
		if (externalKey !== undefined) {
			const other = this.messageByKey(chat.id, externalKey);
			if (other && other.id !== msg.id) {
				throw conflict(
					`A message with externalKey '${externalKey}' already exists in chat '${chat.id}'`,
				);
			}
			if (msg.externalKey !== externalKey) msg.version++;
			msg.externalKey = externalKey;
		}
		if (edits) {
			if (text !== undefined) msg.text = text;
			if (format !== undefined) msg.format = format;
			msg.editedAt = nowIso();
			msg.version++;
			this.emit('message.updated', msg);
		}
		return { status: 200, json: msg };
	}

	private deleteMessage(c: Ctx): Reply {
		const msg = this.messageFor(this.chatFor(c.params[0]), c.params[1]);
		this.messages.delete(msg.id);
		this.emit('message.deleted', msg);
		return { status: 204 };
	}

	// ----- users & statuses -------------------------------------------------

	private listUsers(c: Ctx): Reply {
		const q = c.query.query?.toLowerCase();
		const users = [...this.users.values()].filter(
			(u) => !q || u.name.toLowerCase().includes(q) || u.username.toLowerCase().includes(q),
		);
		return { status: 200, json: paginate(users, c.query) };
	}

	private putStatus(c: Ctx): Reply {
		const status = optEnum(c.body, 'status', ['online', 'away', 'busy', 'offline'] as const);
		if (!status) throw invalid(`'status' is required`);
		const text = optString(c.body, 'text') ?? null;
		const untilRaw = optString(c.body, 'until');
		let until: string | null = null;
		if (untilRaw !== undefined && untilRaw !== '') {
			const parsed = parseIso(untilRaw);
			if (!parsed) throw invalid(`'until' must be an ISO-8601 date-time; got '${untilRaw}'`);
			until = parsed;
		}
		const next: UserStatus = { status, text, until };
		this.statuses.set(this.bot.id, next);
		this.emit('user.status_changed', { userId: this.bot.id, ...next });
		return { status: 200, json: next };
	}

	// ----- files ------------------------------------------------------------

	private async upload(c: Ctx): Promise<Reply> {
		const boundary = boundaryFromContentType(c.req.headers['content-type']);
		if (!boundary) throw invalid('Expected a multipart/form-data body with a boundary');
		const id = newId('f');
		const fields: Record<string, string> = {};
		// (`as` keeps TS from narrowing these to undefined: they are set inside callbacks)
		let file = undefined as { sink: FileSink; part: PartInfo } | undefined;
		let problem = undefined as ApiError | undefined;
		let syntaxError = false;
		const parser = new MultipartParser(boundary, (part) => {
			if (part.name === 'file') {
				if (file) problem ??= invalid('Only one file per request');
				else if (!part.filename) problem ??= invalid(`The 'file' part needs a filename`);
				else {
					file = { sink: new FileSink(path.join(this.tmpDir, id), this.maxFileSize), part };
					return file.sink;
				}
				return discardSink;
			}
			const text = new TextSink((value) => (fields[part.name] = value));
			return {
				write: (chunk: Buffer) => {
					text.write(chunk);
					if (text.tooLarge)
						problem ??= new ApiError(413, 'payload_too_large', `Field '${part.name}' is too large`);
				},
				end: () => text.end(),
			};
		});

		try {
			// Awaiting each write before pulling the next chunk gives back-pressure.
			for await (const chunk of c.req as AsyncIterable<Buffer>) {
				if (syntaxError) continue; // keep draining so the client can read the answer
				try {
					await parser.write(chunk);
				} catch (e) {
					syntaxError = true;
					problem = invalid(`Malformed multipart body: ${(e as Error).message}`);
				}
			}
			if (!syntaxError) {
				await parser.end().catch((e: Error) => {
					problem = invalid(`Malformed multipart body: ${e.message}`);
				});
			}
		} catch (e) {
			await file?.sink.discard();
			throw e; // the client aborted; nobody will see an answer
		}

		c.rec.body = {
			fields,
			file: file
				? {
						fieldName: 'file',
						filename: file.part.filename ?? '',
						contentType: file.part.contentType ?? 'application/octet-stream',
						size: file.sink.size,
						sha256: file.sink.sha256,
					}
				: null,
		};
		if (!problem && !file) problem = invalid(`Missing multipart field 'file'`);
		if (!problem && file?.sink.tooLarge) {
			const mb = Math.round(this.maxFileSize / 1048576);
			problem = new ApiError(413, 'payload_too_large', `File exceeds the maximum size of ${mb} MB`);
		}
		if (problem || !file) {
			await file?.sink.discard();
			throw problem ?? invalid(`Missing multipart field 'file'`);
		}
		const meta: FileMeta = {
			id,
			name: file.part.filename ?? 'file',
			mimeType: file.part.contentType || 'application/octet-stream',
			size: file.sink.size,
			createdAt: nowIso(),
		};
		this.files.set(id, {
			meta,
			sha256: file.sink.sha256,
			path: file.sink.tmpPath,
			uploadedBy: this.bot.id,
		});
		return { status: 201, json: meta };
	}

	private createFileLink(c: Ctx): Reply {
		const file = this.fileFor(c.params[0]);
		const raw = c.body.expiresInSeconds;
		let seconds = LINK_DEFAULT_SECONDS;
		if (raw !== undefined && raw !== null) {
			if (
				typeof raw !== 'number' ||
				!Number.isInteger(raw) ||
				raw < LINK_MIN_SECONDS ||
				raw > LINK_MAX_SECONDS
			) {
				throw invalid(
					`'expiresInSeconds' must be an integer from ${LINK_MIN_SECONDS} to ${LINK_MAX_SECONDS}`,
				);
			}
			seconds = raw;
		}
		const token = randomBytes(24).toString('base64url'); // 192 random bits
		const url = `${this.url}/public/files/${token}/${encodeURIComponent(file.meta.name)}`;
		const link: FileLink = {
			token,
			fileId: file.meta.id,
			url,
			expiresAt: Date.now() + seconds * 1000,
		};
		this.fileLinks.set(token, link);
		return { status: 201, json: { url, expiresAt: new Date(link.expiresAt).toISOString() } };
	}

	/** GET/HEAD of a public link: no API key; 404 once expired. The name segment is not checked. */
	private publicFile(c: Ctx): Reply {
		const link = this.fileLinks.get(c.params[0]);
		const file = link && Date.now() < link.expiresAt ? this.files.get(link.fileId) : undefined;
		if (!file) throw notFound('Unknown or expired link');
		return { status: 200, file, disposition: 'inline' };
	}

	// ----- webhooks ---------------------------------------------------------

	private createWebhook(c: Ctx): Reply {
		const url = reqString(c.body, 'url');
		let parsed: URL | undefined;
		try {
			parsed = new URL(url);
		} catch {
			parsed = undefined;
		}
		if (!parsed || !/^https?:$/.test(parsed.protocol))
			throw invalid(`'url' must be an absolute http(s) URL`);
		const events = optStringArray(c.body, 'events');
		if (!events || events.length === 0) throw invalid(`'events' must be a non-empty array`);
		const unknown = events.filter((e) => !(WEBHOOK_EVENTS as readonly string[]).includes(e));
		if (unknown.length) throw invalid(`Unknown event(s): ${unknown.join(', ')}`);
		const chatIds = optStringArray(c.body, 'chatIds') ?? [];
		chatIds.forEach((id) => this.chatFor(id));
		const hook: Webhook = {
			id: newId('wh'),
			url,
			events: events as WebhookEvent[],
			chatIds,
			secret: `whsec_${randomBytes(24).toString('hex')}`,
			createdAt: nowIso(),
		};
		this.webhooks.set(hook.id, hook);
		return { status: 201, json: hook };
	}

	// ----- incoming hooks ---------------------------------------------------

	/** GET on a hook URL: checks the URL without posting (the credential test). */
	private incomingHookInfo(c: Ctx): Reply {
		const hook = this.incomingHooks.get(c.params[0]);
		if (!hook) throw notFound('Unknown hook');
		const chat = this.chats.get(hook.chatId);
		return { status: 200, json: { ok: true, chatId: hook.chatId, chatTitle: chat?.title ?? null } };
	}

	private incomingHook(c: Ctx): Reply {
		const hook = this.incomingHooks.get(c.params[0]);
		if (!hook) throw notFound('Unknown hook');
		const text = optString(c.body, 'text') ?? '';
		const format = optEnum(c.body, 'format', ['plain', 'markdown'] as const) ?? 'plain';
		const username = optString(c.body, 'username') ?? null;
		const rawAttachments = c.body.attachments ?? [];
		if (!Array.isArray(rawAttachments)) throw invalid(`'attachments' must be an array`);
		const attachments = rawAttachments.map((a: unknown, i): HookAttachment => {
			const o = (a && typeof a === 'object' ? a : {}) as JsonObject;
			if (
				typeof o.title !== 'string' ||
				typeof o.url !== 'string' ||
				!/^https?:\/\//i.test(o.url)
			) {
				throw invalid(`attachments[${i}] needs a string 'title' and an http(s) 'url'`);
			}
			return { title: o.title, url: o.url };
		});
		if (!text.trim() && attachments.length === 0) throw invalid(`'text' is required`);
		const msg = this.addMessage(hook.chatId, {
			text,
			format,
			senderId: this.bot.id,
			createdAt: nowIso(),
		});
		this.emit('message.created', msg);
		this.hookMessages.push({
			token: hook.token,
			chatId: hook.chatId,
			messageId: msg.id,
			text,
			format,
			username,
			attachments,
			receivedAt: msg.createdAt,
		});
		return { status: 200, json: { ok: true, messageId: msg.id } };
	}
}
