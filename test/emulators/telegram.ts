/**
 * An in-process HTTP emulator of the Telegram Bot API (core.telegram.org/bots/api), for tests and
 * the benchmark. Test code only; Node built-ins only.
 *
 *   const tg = await TelegramEmulator.start();            // tg.url is the credential's API Base URL
 *   tg.pushMessage({ chatId: 42, text: 'hi' });           // an update for the bot
 *   tg.sentMessages(42)                                   // what the bot sent into chat 42
 *   await tg.stop();
 *
 * What it does like Telegram:
 * - `getUpdates` long polls for real (waits up to `timeout` seconds, answers the moment an update
 *   arrives), confirms updates below `offset`, remembers `allowed_updates`, answers 409 while a
 *   webhook is set, and ends an older waiting poll with 409 when a second poller comes.
 * - `setWebhook` with `secret_token`: updates are POSTed to the URL with the
 *   `X-Telegram-Bot-Api-Secret-Token` header, retried until the receiver answers 2xx.
 * - `getFile` + `/file/bot<token>/<path>` downloads (400 "file is too big" above 20 MB).
 * - multipart uploads, parsed as a stream (test/emulators/multipart.ts) into temp files.
 * - the documented limits: about 1 message/s per chat, 20/min per group, 30/s in total; above
 *   them 429 with `parameters.retry_after`.
 * - MarkdownV2 and HTML are validated ("can't parse entities"), lengths are checked after parsing.
 * - every request is recorded (`requests`), with the token kept out of the recorded path.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { sendChunked } from './chunked';
import { listen } from './listen';
import { MarkdownV2Error, validateMarkdownV2 } from './markdownV2';
import { boundaryFromContentType, MultipartParser, type PartInfo, type PartSink } from './multipart';

type Json = Record<string, any>;

export interface TgUserJson {
	id: number;
	is_bot: boolean;
	first_name: string;
	last_name?: string;
	username?: string;
}

export interface StoredTgFile {
	file_id: string;
	file_unique_id: string;
	file_size: number;
	file_path: string;
	mime_type?: string;
	file_name?: string;
	sha256: string;
	/** Where the bytes are (a temp file), or undefined for files only known by URL. */
	diskPath?: string;
	url?: string;
}

export interface SentMessage extends Json {
	message_id: number;
	date: number;
	chat: { id: number | string; type: string };
	/** The text as Telegram shows it (markup parsed). */
	text?: string;
	caption?: string;
	/** What the bot sent, before parsing. */
	source?: string;
	parse_mode?: string;
	method: string;
	deleted?: boolean;
	upload?: { fieldName: string; filename: string; contentType: string; size: number; sha256: string };
}

export interface RecordedTgRequest {
	/** Bot API method (`sendMessage`) or `file` for downloads. */
	method: string;
	httpMethod: string;
	/** Parsed parameters (file parts summarized, never their bytes). */
	params: Json;
	headers: http.IncomingHttpHeaders;
	/** Answer status; 0 while in flight or when the client left first. */
	status: number;
	/** Telegram's answer body (for errors: description and parameters). */
	response?: Json;
	receivedAt: number;
	injected?: boolean;
	/** The client's TCP port (which process called, e.g. with `ss -tnp`). */
	remotePort?: number;
}

export interface WebhookDelivery {
	updateId: number;
	url: string;
	status: number;
	at: number;
}

export interface RateLimits {
	/** Minimum ms between two messages into one private chat (Telegram: about 1/s). */
	chatIntervalMs: number;
	/** Messages per minute into one group. */
	groupPerMinute: number;
	/** Messages per second in total. */
	globalPerSecond: number;
	/** Slack for network jitter. */
	toleranceMs: number;
}

export interface TelegramEmulatorOptions {
	token?: string;
	/** `false` turns the flood limits off. */
	rateLimits?: Partial<RateLimits> | false;
	/** Delay before webhook redelivery after a non-2xx answer (ms). */
	webhookRetryMs?: number;
	/** Port on 127.0.0.1 (default: a free one the system picks). */
	port?: number;
	/**
	 * The first `update_id`. Default: a range of this emulator's own. A bot remembers the offset it
	 * confirmed, so an emulator that comes back for the same bot (the sandbox of `npm run dev`) must
	 * continue above it: pass e.g. Date.now().
	 */
	firstUpdateId?: number;
}

export interface FailNext {
	method?: string;
	status: 400 | 401 | 403 | 409 | 429 | 500 | 502 | 503;
	count?: number;
	description?: string;
	/** Seconds (or anything else, to test a client against a broken server). */
	retryAfter?: number | string;
	/** Do the work, then answer with the error (a response lost after Telegram acted). */
	afterAccepting?: boolean;
	/** Let this many matching requests through first. */
	skip?: number;
}

export const DEFAULT_TOKEN = '123456789:AAHtestTOKENforTHEemulator_0123456789ab';
export const DEFAULT_LIMITS: RateLimits = { chatIntervalMs: 1000, groupPerMinute: 20, globalPerSecond: 30, toleranceMs: 60 };
const DOWNLOAD_LIMIT = 20 * 1024 * 1024;

let emulatorCount = 0;

class TgError extends Error {
	constructor(
		readonly code: number,
		readonly description: string,
		readonly parameters?: Json,
	) {
		super(description);
	}
}
/** The emoji a bot may react with (Bot API, ReactionTypeEmoji). */
const REACTION_EMOJI = [...'👍👎❤🔥🥰👏😁🤔🤯😱🤬😢🎉🤩🤮💩🙏👌🕊🤡🥱🥴😍🐳🌚🌭💯🤣⚡🍌🏆💔🤨😐🍓🍾💋🖕😈😴😭🤓👻👀🎃🙈😇😨🤝✍🤗🫡🎅🎄☃💅🤪🗿🆒💘🙉🦄😘💊🙊😎👾🤷😡'].concat(['❤‍🔥', '👨‍💻', '🤷‍♂', '🤷‍♀']);

const badRequest = (description: string) => new TgError(400, `Bad Request: ${description}`);

const UPDATE_KINDS = ['message', 'edited_message', 'channel_post', 'edited_channel_post', 'callback_query', 'inline_query', 'my_chat_member'];

interface Waiter {
	res: http.ServerResponse;
	req: http.IncomingMessage;
	offset: number;
	limit: number;
	timer: NodeJS.Timeout;
	record: RecordedTgRequest;
}

export class TelegramEmulator {
	readonly token: string;
	readonly botId: number;
	readonly bot: TgUserJson;
	url = '';
	readonly requests: RecordedTgRequest[] = [];
	readonly deliveries: WebhookDelivery[] = [];
	readonly files = new Map<string, StoredTgFile>();
	/** Updates not yet confirmed (long polling) or not yet delivered (webhook). */
	pending: Json[] = [];
	webhook: { url: string; secretToken?: string; allowedUpdates?: string[] } | null = null;
	allowedUpdates: string[] | undefined;
	limits: RateLimits | false;
	/** Fault injection: file downloads are sent chunked (no Content-Length); `fileServes` replaces the bytes. */
	chunkedFiles = false;
	fileServes: ((file: StoredTgFile) => Buffer) | undefined;

	private server!: http.Server;
	private readonly sockets = new Set<import('node:net').Socket>();
	private readonly dir: string;
	// Telegram's update ids are unique per bot; every emulator starts a new range (processes remember
	// ids: an n8n shared by several test files, each with its own module registry and so its own
	// emulatorCount, must not see the same update id twice for the default bot)
	private nextUpdateId = 100_000 * ++emulatorCount + randomInt(1, 10_000) * 100_000_000;
	private nextMessageId = 1;
	private readonly messages = new Map<string, SentMessage[]>();
	private waiter: Waiter | undefined;
	private delivering = false;
	private readonly webhookRetryMs: number;
	private failures: FailNext[] = [];
	private readonly sendTimes: number[] = [];
	private readonly chatTimes = new Map<string, number[]>();
	private stopped = false;

	private constructor(options: TelegramEmulatorOptions) {
		this.token = options.token ?? DEFAULT_TOKEN;
		this.botId = Number(this.token.split(':')[0]);
		this.bot = { id: this.botId, is_bot: true, first_name: 'Emulated Bot', username: 'emulated_bot' };
		this.limits = options.rateLimits === false ? false : { ...DEFAULT_LIMITS, ...options.rateLimits };
		this.webhookRetryMs = options.webhookRetryMs ?? 300;
		this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tg-emulator-'));
		if (options.firstUpdateId !== undefined) this.nextUpdateId = options.firstUpdateId;
	}

	static async start(options: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
		const emulator = new TelegramEmulator(options);
		emulator.server = http.createServer((req, res) => void emulator.handle(req, res));
		emulator.server.keepAliveTimeout = 65_000;
		emulator.server.on('connection', (socket) => {
			emulator.sockets.add(socket);
			socket.on('close', () => emulator.sockets.delete(socket));
		});
		await listen(emulator.server, options.port);
		emulator.url = `http://127.0.0.1:${(emulator.server.address() as AddressInfo).port}`;
		return emulator;
	}

	async stop(): Promise<void> {
		this.stopped = true;
		if (this.waiter) {
			clearTimeout(this.waiter.timer);
			this.waiter = undefined;
		}
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
		fs.rmSync(this.dir, { recursive: true, force: true });
	}

	// -------------------------------------------------------------------------
	// Test helpers
	// -------------------------------------------------------------------------

	/** Adds an update (its `update_id` is assigned) and hands it to a waiting poll or the webhook. */
	pushUpdate(update: Json): Json {
		const full = { update_id: update.update_id ?? this.nextUpdateId++, ...update };
		this.pending.push(full);
		this.wake();
		return full;
	}

	/** A user (or a group member) writes to the bot. */
	pushMessage(options: {
		chatId: number;
		text?: string;
		from?: Partial<TgUserJson>;
		chatType?: 'private' | 'group' | 'supergroup';
		edited?: boolean;
		extra?: Json;
	}): Json {
		const from: TgUserJson = { id: options.chatId > 0 ? options.chatId : 5000, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada', ...options.from };
		const chatType = options.chatType ?? (options.chatId < 0 ? 'group' : 'private');
		const chat = chatType === 'private' ? { id: options.chatId, type: 'private', first_name: from.first_name, username: from.username } : { id: options.chatId, type: chatType, title: 'Group' };
		const message: Json = { message_id: this.nextMessageId++, from, chat, date: Math.floor(Date.now() / 1000), ...(options.text !== undefined ? { text: options.text } : {}), ...options.extra };
		if (options.edited) message.edit_date = message.date;
		return this.pushUpdate({ [options.edited ? 'edited_message' : 'message']: message });
	}

	/** A file the bot can download (as if a user had sent it). */
	addFile(content: Buffer, meta: { mimeType?: string; fileName?: string; size?: number } = {}): StoredTgFile {
		const id = `F${randomBytes(8).toString('hex')}`;
		const diskPath = path.join(this.dir, id);
		fs.writeFileSync(diskPath, content);
		const file: StoredTgFile = {
			file_id: id,
			file_unique_id: `U${id}`,
			file_size: meta.size ?? content.length,
			file_path: `documents/${meta.fileName ?? `${id}.bin`}`,
			mime_type: meta.mimeType,
			file_name: meta.fileName,
			sha256: createHash('sha256').update(content).digest('hex'),
			diskPath,
		};
		this.files.set(id, file);
		return file;
	}

	/** The next `count` requests of `method` (any when omitted) fail with `status`. */
	failNext(failure: FailNext): void {
		this.failures.push({ count: 1, ...failure });
	}

	/** Messages the bot sent into a chat (deleted ones included, flagged), in order. */
	sentMessages(chatId?: number | string): SentMessage[] {
		if (chatId !== undefined) return [...(this.messages.get(String(chatId)) ?? [])];
		return [...this.messages.values()].flat().sort((a, b) => a.message_id - b.message_id);
	}

	/** Requests of one Bot API method. */
	calls(method: string): RecordedTgRequest[] {
		return this.requests.filter((r) => r.method === method);
	}

	/** Resolves when `predicate` holds (checked every 20 ms) or rejects after `timeoutMs`. */
	async waitFor(predicate: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
		const started = Date.now();
		while (!predicate()) {
			if (Date.now() - started > timeoutMs) throw new Error(`emulator: timed out waiting for ${what}`);
			await new Promise((r) => setTimeout(r, 20));
		}
	}

	/** True while a getUpdates long poll is waiting. */
	get polling(): boolean {
		return this.waiter !== undefined;
	}

	// -------------------------------------------------------------------------
	// HTTP
	// -------------------------------------------------------------------------

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://x');
		const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
		const apiMatch = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
		const method = fileMatch ? 'file' : (apiMatch?.[2] ?? url.pathname);
		const record: RecordedTgRequest = { method, httpMethod: req.method ?? '', params: {}, headers: req.headers, status: 0, receivedAt: Date.now(), remotePort: req.socket.remotePort };
		this.requests.push(record);
		res.on('close', () => {
			if (!res.writableEnded && this.waiter?.res === res) {
				clearTimeout(this.waiter.timer);
				this.waiter = undefined;
			}
		});
		try {
			const token = fileMatch?.[1] ?? apiMatch?.[1];
			if (token === undefined) throw new TgError(404, 'Not Found');
			if (token !== this.token) throw new TgError(401, 'Unauthorized');
			if (fileMatch) return this.download(decodeURIComponent(fileMatch[2]), res, record);
			record.params = await this.readParams(req, url);
			const failure = this.takeFailure(method);
			if (failure && !failure.afterAccepting) throw this.failureError(failure, record);
			if (method === 'getUpdates') return this.getUpdates(record, req, res);
			const result = await this.call(method, record.params);
			if (failure) throw this.failureError(failure, record);
			this.reply(res, record, 200, { ok: true, result });
		} catch (error) {
			if (error instanceof TgError) {
				this.reply(res, record, error.code, {
					ok: false,
					error_code: error.code,
					description: error.description,
					...(error.parameters ? { parameters: error.parameters } : {}),
				});
			} else {
				this.reply(res, record, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${(error as Error).message}` });
			}
		}
	}

	private failureError(failure: FailNext, record: RecordedTgRequest): TgError {
		record.injected = true;
		const descriptions: Record<number, string> = {
			409: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
			429: `Too Many Requests: retry after ${failure.retryAfter ?? 1}`,
			500: 'Internal Server Error',
			502: 'Bad Gateway',
			503: 'Service Unavailable',
		};
		return new TgError(
			failure.status,
			failure.description ?? descriptions[failure.status] ?? 'Bad Request: injected',
			failure.status === 429 ? { retry_after: failure.retryAfter ?? 1 } : undefined,
		);
	}

	private takeFailure(method: string): FailNext | undefined {
		const index = this.failures.findIndex((f) => !f.method || f.method === method);
		if (index < 0) return undefined;
		const failure = this.failures[index];
		if (failure.skip) {
			failure.skip--;
			return undefined;
		}
		failure.count = (failure.count ?? 1) - 1;
		if (failure.count <= 0) this.failures.splice(index, 1);
		return failure;
	}

	private reply(res: http.ServerResponse, record: RecordedTgRequest, status: number, body: Json): void {
		record.status = status;
		record.response = body;
		if (res.writableEnded || res.destroyed) return;
		const text = JSON.stringify(body);
		res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
		res.end(text);
	}

	private async readParams(req: http.IncomingMessage, url: URL): Promise<Json> {
		const params: Json = Object.fromEntries(url.searchParams);
		const type = String(req.headers['content-type'] ?? '');
		const boundary = boundaryFromContentType(type);
		if (boundary) {
			const uploads: Array<Promise<void>> = [];
			const parser = new MultipartParser(boundary, (part: PartInfo): PartSink => {
				if (part.filename === undefined) {
					const chunks: Buffer[] = [];
					return {
						write: (c) => void chunks.push(c),
						end: () => {
							params[part.name] = Buffer.concat(chunks).toString('utf8');
						},
					};
				}
				const diskPath = path.join(this.dir, `up-${randomBytes(8).toString('hex')}`);
				const out = fs.createWriteStream(diskPath);
				const hash = createHash('sha256');
				let size = 0;
				return {
					write: async (c) => {
						hash.update(c);
						size += c.length;
						if (!out.write(c)) await new Promise<void>((r) => out.once("drain", () => r()));
					},
					end: async () => {
						await new Promise<void>((r) => out.end(r));
						params[part.name] = { __upload: true, fieldName: part.name, filename: part.filename ?? '', contentType: part.contentType ?? '', size, sha256: hash.digest('hex'), diskPath };
					},
				};
			});
			for await (const chunk of req) await parser.write(chunk as Buffer);
			await parser.end();
			await Promise.all(uploads);
			return params;
		}
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const text = Buffer.concat(chunks).toString('utf8');
		if (!text) return params;
		if (type.includes('application/json')) {
			try {
				return { ...params, ...JSON.parse(text) };
			} catch {
				throw badRequest('invalid JSON');
			}
		}
		return { ...params, ...Object.fromEntries(new URLSearchParams(text)) };
	}

	private download(filePath: string, res: http.ServerResponse, record: RecordedTgRequest): void {
		const file = [...this.files.values()].find((f) => f.file_path === filePath);
		record.params = { file_path: filePath };
		if (!file?.diskPath) throw new TgError(404, 'Not Found');
		record.status = 200;
		if (this.chunkedFiles || this.fileServes) {
			const bytes = this.fileServes?.(file) ?? fs.readFileSync(file.diskPath);
			sendChunked(res, 200, { 'Content-Type': file.mime_type ?? 'application/octet-stream' }, bytes);
			return;
		}
		res.writeHead(200, { 'Content-Type': file.mime_type ?? 'application/octet-stream', 'Content-Length': fs.statSync(file.diskPath).size });
		fs.createReadStream(file.diskPath).pipe(res);
	}

	// -------------------------------------------------------------------------
	// Long polling and webhooks
	// -------------------------------------------------------------------------

	private allowed(update: Json, allowed: string[] | undefined): boolean {
		const kind = Object.keys(update).find((k) => k !== 'update_id') ?? '';
		// Telegram's default (empty list) is every type except a few special ones
		if (!allowed || allowed.length === 0) return UPDATE_KINDS.includes(kind);
		return allowed.includes(kind);
	}

	private getUpdates(record: RecordedTgRequest, req: http.IncomingMessage, res: http.ServerResponse): void {
		const p = record.params;
		if (this.webhook) throw new TgError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
		if (this.waiter) {
			const old = this.waiter;
			clearTimeout(old.timer);
			this.waiter = undefined;
			this.reply(old.res, old.record, 409, { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' });
		}
		const offset = Number(p.offset ?? 0);
		if (offset > 0) this.pending = this.pending.filter((u) => u.update_id >= offset);
		if (p.allowed_updates !== undefined) {
			this.allowedUpdates = typeof p.allowed_updates === 'string' ? JSON.parse(p.allowed_updates) : p.allowed_updates;
		}
		const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100)));
		const timeout = Math.min(50, Math.max(0, Number(p.timeout ?? 0)));
		const ready = this.readyUpdates(offset, limit);
		if (ready.length || timeout === 0) {
			this.reply(res, record, 200, { ok: true, result: ready });
			return;
		}
		const timer = setTimeout(() => {
			if (this.waiter?.res !== res) return;
			this.waiter = undefined;
			this.reply(res, record, 200, { ok: true, result: [] });
		}, timeout * 1000);
		this.waiter = { res, req, offset, limit, timer, record };
	}

	private readyUpdates(offset: number, limit: number): Json[] {
		// updates of types not allowed are dropped, as Telegram does
		this.pending = this.pending.filter((u) => this.allowed(u, this.allowedUpdates));
		return this.pending.filter((u) => u.update_id >= offset).slice(0, limit);
	}

	private wake(): void {
		if (this.waiter) {
			const ready = this.readyUpdates(this.waiter.offset, this.waiter.limit);
			if (ready.length) {
				const { res, record, timer } = this.waiter;
				clearTimeout(timer);
				this.waiter = undefined;
				this.reply(res, record, 200, { ok: true, result: ready });
			}
		}
		if (this.webhook) void this.deliver();
	}

	private async deliver(): Promise<void> {
		if (this.delivering) return;
		this.delivering = true;
		try {
			while (this.webhook && this.pending.length && !this.stopped) {
				const update = this.pending[0];
				if (!this.allowed(update, this.webhook.allowedUpdates)) {
					this.pending.shift();
					continue;
				}
				const { url, secretToken } = this.webhook;
				const status = await postJson(url, update, secretToken ? { 'X-Telegram-Bot-Api-Secret-Token': secretToken } : {});
				this.deliveries.push({ updateId: update.update_id, url, status, at: Date.now() });
				if (status >= 200 && status < 300) {
					this.pending.shift();
				} else {
					await new Promise((r) => setTimeout(r, this.webhookRetryMs));
				}
			}
		} finally {
			this.delivering = false;
		}
	}

	// -------------------------------------------------------------------------
	// Methods
	// -------------------------------------------------------------------------

	private async call(method: string, p: Json): Promise<unknown> {
		switch (method) {
			case 'getMe':
				return this.bot;
			case 'getWebhookInfo':
				return {
					url: this.webhook?.url ?? '',
					has_custom_certificate: false,
					pending_update_count: this.pending.length,
					...(this.webhook?.allowedUpdates ? { allowed_updates: this.webhook.allowedUpdates } : {}),
				};
			case 'setWebhook': {
				const url = String(p.url ?? '');
				if (!url) {
					this.webhook = null;
					return true;
				}
				if (!/^https?:\/\//.test(url)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
				const secret = p.secret_token === undefined ? undefined : String(p.secret_token);
				if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest('secret token contains unallowed characters');
				if (this.waiter) {
					const old = this.waiter;
					clearTimeout(old.timer);
					this.waiter = undefined;
					this.reply(old.res, old.record, 409, { ok: false, error_code: 409, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first" });
				}
				const allowedUpdates = p.allowed_updates === undefined ? undefined : typeof p.allowed_updates === 'string' ? JSON.parse(p.allowed_updates) : p.allowed_updates;
				if (isTrue(p.drop_pending_updates)) this.pending = [];
				this.webhook = { url, secretToken: secret, allowedUpdates };
				void this.deliver();
				return true;
			}
			case 'deleteWebhook':
				this.webhook = null;
				if (isTrue(p.drop_pending_updates)) this.pending = [];
				return true;
			case 'sendMessage':
				return this.send('sendMessage', p);
			case 'sendPhoto':
			case 'sendDocument':
			case 'sendAudio':
			case 'sendVideo':
			case 'sendVoice':
				return this.send(method, p);
			case 'editMessageText': {
				const message = this.find(p.chat_id, p.message_id, 'message to edit not found');
				const { text } = parseFormatted(String(p.text ?? ''), p.parse_mode, 4096, 'message text');
				if (text === message.text && JSON.stringify(p.reply_markup ?? null) === JSON.stringify(message.reply_markup ?? null)) {
					throw badRequest('message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
				}
				message.text = text;
				message.source = String(p.text);
				message.edit_date = Math.floor(Date.now() / 1000);
				return message;
			}
			case 'deleteMessage': {
				const message = this.find(p.chat_id, p.message_id, 'message to delete not found');
				message.deleted = true;
				return true;
			}
			case 'setMessageReaction': {
				// bots may use Telegram's standard reaction emoji; [] takes the bot's reaction back
				this.chatId(p.chat_id);
				if (!Number.isInteger(Number(p.message_id)) || Number(p.message_id) <= 0) throw badRequest('message to react not found');
				const known = (this.messages.get(this.chatId(p.chat_id)) ?? []).find((m) => m.message_id === Number(p.message_id));
				if (known?.deleted) throw badRequest('message to react not found');
				const reaction = Array.isArray(p.reaction) ? (p.reaction as Json[]) : [];
				if (reaction.length > 1) throw badRequest('REACTIONS_TOO_MANY');
				if (reaction.some((r) => r.type !== 'emoji' || !REACTION_EMOJI.includes(String(r.emoji)))) throw badRequest('REACTION_INVALID');
				return true;
			}
			case 'sendChatAction':
				this.chatId(p.chat_id);
				return true;
			case 'answerCallbackQuery':
				return true;
			case 'getFile': {
				const file = this.files.get(String(p.file_id ?? ''));
				if (!file) throw badRequest('invalid file_id');
				if (file.file_size > DOWNLOAD_LIMIT) throw badRequest('file is too big');
				return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size, file_path: file.file_path };
			}
			default:
				throw new TgError(404, 'Not Found: method not found');
		}
	}

	private chatId(value: unknown): string {
		const id = String(value ?? '').trim();
		if (!/^-?\d+$/.test(id) && !/^@\w{4,}$/.test(id)) throw badRequest('chat not found');
		if (id === '0' || id === '-1') throw badRequest('chat not found');
		if (id === '13') throw new TgError(403, 'Forbidden: bot was blocked by the user');
		return id;
	}

	private find(chat: unknown, messageId: unknown, notFound: string): SentMessage {
		const message = (this.messages.get(this.chatId(chat)) ?? []).find((m) => m.message_id === Number(messageId) && !m.deleted);
		if (!message) throw badRequest(notFound);
		return message;
	}

	private checkRate(chat: string): void {
		if (!this.limits) return;
		const { chatIntervalMs, groupPerMinute, globalPerSecond, toleranceMs } = this.limits;
		const now = Date.now();
		while (this.sendTimes.length && now - this.sendTimes[0] >= 1000 - toleranceMs) this.sendTimes.shift();
		if (this.sendTimes.length >= globalPerSecond) throw tooMany(1);
		const times = this.chatTimes.get(chat) ?? [];
		const group = chat.startsWith('-') || chat.startsWith('@');
		if (group) {
			const recent = times.filter((t) => now - t < 60_000 - toleranceMs);
			if (recent.length >= groupPerMinute) throw tooMany(Math.max(1, Math.ceil((60_000 - (now - recent[0])) / 1000)));
		} else {
			const last = times[times.length - 1];
			if (last !== undefined && now - last < chatIntervalMs - toleranceMs) throw tooMany(Math.max(1, Math.ceil((chatIntervalMs - (now - last)) / 1000)));
		}
		this.sendTimes.push(now);
		times.push(now);
		if (times.length > 100) times.splice(0, times.length - 100);
		this.chatTimes.set(chat, times);
	}

	private send(method: string, p: Json): SentMessage {
		const chat = this.chatId(p.chat_id);
		const replyMarkup = typeof p.reply_markup === 'string' ? JSON.parse(p.reply_markup) : p.reply_markup;
		const replyParameters = typeof p.reply_parameters === 'string' ? JSON.parse(p.reply_parameters) : p.reply_parameters;
		const message: SentMessage = {
			message_id: 0,
			date: Math.floor(Date.now() / 1000),
			chat: { id: Number.isNaN(Number(chat)) ? chat : Number(chat), type: chat.startsWith('-') ? 'group' : 'private' },
			from: this.bot,
			method,
		};
		if (method === 'sendMessage') {
			const source = String(p.text ?? '');
			if (!source.trim()) throw badRequest('message text is empty');
			const { text } = parseFormatted(source, p.parse_mode, 4096, 'message text');
			message.text = text;
			message.source = source;
		} else {
			if (p.caption !== undefined && p.caption !== '') {
				const { text } = parseFormatted(String(p.caption), p.parse_mode, 1024, 'message caption');
				message.caption = text;
				message.source = String(p.caption);
			}
			const field = method.replace(/^send/, '').toLowerCase();
			const value = p[field];
			if (value === undefined || value === '') throw badRequest(`there is no ${field} in the request`);
			const file = this.fileFor(value);
			if (value?.__upload) message.upload = { fieldName: value.fieldName, filename: value.filename, contentType: value.contentType, size: value.size, sha256: value.sha256 };
			const info = { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size, ...(file.file_name ? { file_name: file.file_name } : {}), ...(file.mime_type ? { mime_type: file.mime_type } : {}) };
			message[field] = field === 'photo' ? [{ ...info, width: 90, height: 90 }, { ...info, width: 800, height: 800 }] : info;
		}
		if (p.parse_mode) message.parse_mode = String(p.parse_mode);
		if (replyMarkup) message.reply_markup = replyMarkup;
		const replyTo = replyParameters?.message_id ?? p.reply_to_message_id;
		if (replyTo !== undefined) message.reply_to_message = { message_id: Number(replyTo) };
		this.checkRate(chat);
		message.message_id = this.nextMessageId++;
		const list = this.messages.get(chat) ?? [];
		list.push(message);
		this.messages.set(chat, list);
		return message;
	}

	private fileFor(value: any): StoredTgFile {
		if (value?.__upload) {
			const id = `F${randomBytes(8).toString('hex')}`;
			const file: StoredTgFile = {
				file_id: id,
				file_unique_id: `U${id}`,
				file_size: value.size,
				file_path: `uploads/${id}-${value.filename}`,
				mime_type: value.contentType,
				file_name: value.filename,
				sha256: value.sha256,
				diskPath: value.diskPath,
			};
			this.files.set(id, file);
			return file;
		}
		const text = String(value);
		if (/^https?:\/\//.test(text)) {
			const id = `F${randomBytes(8).toString('hex')}`;
			const file: StoredTgFile = { file_id: id, file_unique_id: `U${id}`, file_size: 1234, file_path: `url/${id}`, sha256: '', url: text };
			this.files.set(id, file);
			return file;
		}
		const known = this.files.get(text);
		if (!known) throw badRequest('wrong file identifier/HTTP URL specified');
		return known;
	}
}

function isTrue(value: unknown): boolean {
	return value === true || value === 'true';
}

function tooMany(seconds: number): TgError {
	return new TgError(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds });
}

async function postJson(url: string, body: Json, headers: Record<string, string>): Promise<number> {
	const payload = JSON.stringify(body);
	return await new Promise<number>((resolve) => {
		const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers }, timeout: 30_000 }, (res) => {
			res.resume();
			res.on('end', () => resolve(res.statusCode ?? 0));
		});
		req.on('timeout', () => req.destroy());
		req.on('error', () => resolve(0));
		req.end(payload);
	});
}

// ---------------------------------------------------------------------------
// Formatting: what Telegram accepts and how long the result is
// ---------------------------------------------------------------------------

const HTML_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

/** Parses a text like Telegram: returns what is shown, or throws 400 "can't parse entities". */
export function parseFormatted(source: string, parseMode: unknown, limit: number, what: string): { text: string } {
	let text: string;
	const mode = String(parseMode ?? '').toLowerCase();
	if (mode === 'html') text = parseHtml(source);
	else if (mode === 'markdownv2') text = parseMarkdownV2(source);
	else if (mode === 'markdown') text = source.replace(/[*_`[\]]/g, '');
	else text = source;
	if (text.length > limit) throw badRequest(`${what} is too long`);
	return { text };
}

function parseHtml(source: string): string {
	const stack: string[] = [];
	let out = '';
	const re = /<(\/?)([a-z-]+)([^>]*)>|<|&(#\d+|#x[0-9a-f]+|lt|gt|amp|quot);|&|[^<&]+/gi;
	let m: RegExpExecArray | null;
	let offset = 0;
	while ((m = re.exec(source)) !== null) {
		const token = m[0];
		if (token === '<') throw badRequest(`can't parse entities: Unsupported start tag "" at byte offset ${offset}`);
		if (token === '&') throw badRequest(`can't parse entities: Unsupported HTML entity at byte offset ${offset}`);
		if (m[2] !== undefined) {
			const name = m[2].toLowerCase();
			if (!HTML_TAGS.has(name)) throw badRequest(`can't parse entities: Unsupported start tag "${name}" at byte offset ${offset}`);
			if (m[1]) {
				if (stack.pop() !== name) throw badRequest(`can't parse entities: Unmatched end tag at byte offset ${offset}, expected "</${stack[stack.length - 1] ?? ''}>", found "</${name}>"`);
			} else {
				stack.push(name);
			}
		} else if (m[4] !== undefined) {
			const entity = m[4].toLowerCase();
			const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
			out += named[entity] ?? String.fromCodePoint(entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
		} else {
			out += token;
		}
		offset += Buffer.byteLength(token);
	}
	if (stack.length) throw badRequest(`can't parse entities: Can't find end tag corresponding to start tag "${stack[stack.length - 1]}"`);
	return out;
}

/** The visible text of MarkdownV2, or Telegram's 400 for text it rejects (strict validator in ./markdownV2). */
function parseMarkdownV2(source: string): string {
	try {
		return validateMarkdownV2(source).text;
	} catch (error) {
		if (error instanceof MarkdownV2Error) throw badRequest(error.message);
		throw error;
	}
}
