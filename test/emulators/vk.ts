/**
 * An in-process HTTP emulator of VK's API for communities (dev.vk.com/en/method, the Bots Long
 * Poll API and the Callback API), for tests. Test code only; Node built-ins only.
 *
 *   const vk = await VkEmulator.start();                 // vk.url is the credential's API Base URL
 *   vk.pushMessage({ fromId: 1001, text: 'hi' });        // a message_new for the community
 *   vk.messagesTo(1001)                                  // what the community sent to peer 1001
 *   await vk.stop();
 *
 * What it does like VK:
 * - `POST|GET /method/<name>` with `access_token` and `v` (query or form body): the answer is
 *   `{ response }` or `{ error: { error_code, error_msg, request_params } }`, always HTTP 200.
 *   Error 5 for a wrong token, 100 for a missing or wrong parameter, 6 (too many requests per
 *   second) above `perSecond` calls, 901 (no permission to write) for a user who never allowed the
 *   community's messages, 902 (privacy settings) for one who forbids them, 914 for a text above
 *   4096 characters, 911 for a keyboard that is not valid.
 * - `messages.send` with `random_id`: a repeated random_id answers the id of the message first sent
 *   with it and sends nothing (VK's idempotency key). Its scope is VK's documented one: "unique in
 *   connection with API_ID and the sender's ID" (messages.send), i.e. per community here, whatever
 *   the recipient, over the whole history.
 * - Bots Long Poll: `groups.getLongPollServer` → `{ key, server, ts }`; `<server>?act=a_check&key&ts
 *   &wait` holds until an event arrives or `wait` seconds pass; events numbered from `ts` on are
 *   answered again until a later `ts` is asked (`failed: 1` when the history is gone, `2` for an
 *   expired key, `3` for lost information: `failNextPoll`).
 * - Callback API: `deliver(url, event)` POSTs `{ type, object, group_id, event_id, v, secret }`
 *   and expects the body `ok`; `deliverUntilOk` resends an event not answered `ok` and stops
 *   delivering altogether after 5 such answers in a row (`callbackStopped`), as VK does; `confirm(url)` POSTs the `confirmation` event and returns the answer.
 * - Upload servers: `photos.getMessagesUploadServer` → `upload_url` (multipart `photo` → `{ server,
 *   photo, hash }`) → `photos.saveMessagesPhoto` → `[{ id, owner_id, sizes }]`;
 *   `docs.getMessagesUploadServer` (type doc) → `upload_url` (multipart `file` → `{ file }`) →
 *   `docs.save` → `{ type: 'doc', doc: { id, owner_id, url } }`.
 * - Customers' photos (sizes with URLs) and documents (a URL that redirects to the file) are
 *   served for download.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { listen } from './listen';
import { boundaryFromContentType, MultipartParser } from './multipart';

type Json = Record<string, any>;

export const VK_DEFAULT_TOKEN = 'vk1.a.emulatorCommunityToken_0123456789abcdefABCDEF';
export const VK_API_VERSION = '5.199';

export interface VkUser {
	id: number;
	first_name: string;
	last_name: string;
	/** The user allowed the community's messages (wrote first, or allowed them): else 901. */
	allowsMessages?: boolean;
	/** The user's privacy settings forbid messages from communities: 902. */
	privacyBlocks?: boolean;
}

export interface VkUpload {
	fieldName: string;
	filename: string;
	contentType: string;
	size: number;
	sha256: string;
}

export interface VkSentMessage {
	id: number;
	peer_id: number;
	conversation_message_id: number;
	text: string;
	random_id: number;
	date: number;
	reply_to?: number;
	attachment?: string;
	keyboard?: Json;
	deleted?: boolean;
	deletedForAll?: boolean;
	edits: string[];
	/** The files of `attachment`: what was uploaded for them. */
	files: VkUpload[];
}

export interface VkRecordedCall {
	method: string;
	params: Record<string, string>;
	/** The VK error code answered, 0 for a response. */
	errorCode: number;
	at: number;
}

export interface NewMessage {
	fromId: number;
	/**
	 * A community chat (2000000000 + the chat's number) instead of the private dialogue: the
	 * community gets `id: 0` for it (VK gives bots in chats only `conversation_message_id`).
	 */
	peerId?: number;
	text?: string;
	attachments?: Json[];
	replyTo?: Json;
	fwd?: Json[];
	geo?: Json;
	id?: number;
	/** Seconds since 1970 (default: now). */
	date?: number;
	eventId?: string;
	clientInfo?: Json;
}

export interface VkFailNext {
	method?: string | RegExp;
	code: number;
	message?: string;
	count?: number;
	/** Do the work, then answer with the error (an answer lost after VK acted). */
	afterAccepting?: boolean;
}

export interface VkEmulatorOptions {
	token?: string;
	groupId?: number;
	confirmation?: string;
	secret?: string;
	/** Calls per second per token before error 6 (VK: 20 for a community token); 0: no limit. */
	perSecond?: number;
}

class VkError extends Error {
	constructor(
		readonly code: number,
		message: string,
	) {
		super(message);
	}
}

const ERRORS: Record<number, string> = {
	5: 'User authorization failed: invalid access_token (4).',
	6: 'Too many requests per second',
	9: 'Flood control',
	10: 'Internal server error',
	100: 'One of the parameters specified was missing or invalid',
	901: "Can't send messages for users without permission",
	902: "Can't send messages to this user due to their privacy settings",
	909: "Can't edit this message, because it's too old",
	911: 'Keyboard format is invalid',
	914: 'Message is too long',
	924: "Can't delete this message for everybody",
};

interface StoredFile {
	id: string;
	bytes: Buffer;
	contentType: string;
	name: string;
}

interface PendingUpload {
	kind: 'photo' | 'doc';
	peerId: number;
}

export class VkEmulator {
	readonly token: string;
	readonly groupId: number;
	readonly confirmation: string;
	readonly secret: string;
	url = '';
	readonly calls: VkRecordedCall[] = [];
	readonly users = new Map<number, VkUser>();
	readonly sent: VkSentMessage[] = [];
	/** Callback deliveries: the answers the receiver gave. */
	readonly deliveries: Array<{ eventId: string; status: number; body: string }> = [];
	/** Events of the long poll history, numbered from `firstTs`. */
	private readonly events: Json[] = [];
	private firstTs = 1000;
	private lpKey = randomBytes(16).toString('hex');
	private readonly waiters = new Set<() => void>();
	private readonly failures: VkFailNext[] = [];
	private readonly pollFailures: Array<{ code: 1 | 2 | 3; then?: () => void }> = [];
	private readonly randomIds = new Map<number, number>();
	private readonly files = new Map<string, StoredFile>();
	private readonly uploads = new Map<string, PendingUpload>();
	private readonly uploaded = new Map<string, { upload: VkUpload; kind: 'photo' | 'doc'; peerId: number; bytes: Buffer }>();
	private readonly savedFiles = new Map<string, VkUpload>();
	private readonly perSecond: number;
	private readonly recent: number[] = [];
	private nextMessageId = 500;
	private readonly cmids = new Map<number, number>();
	private nextObjectId = 9000;
	/** Long polls being held now. */
	polling = 0;
	private readonly server: http.Server;
	private readonly sockets = new Set<import('node:net').Socket>();

	private constructor(options: VkEmulatorOptions) {
		this.token = options.token ?? VK_DEFAULT_TOKEN;
		this.groupId = options.groupId ?? 217000001;
		this.confirmation = options.confirmation ?? 'a1b2c3d4';
		this.secret = options.secret ?? 'callback-secret-0123';
		this.perSecond = options.perSecond ?? 0;
		this.server = http.createServer((req, res) => void this.handle(req, res));
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		this.addUser({ id: 1001, first_name: 'Ada', last_name: 'Lovelace' });
	}

	static async start(options: VkEmulatorOptions = {}): Promise<VkEmulator> {
		const emu = new VkEmulator(options);
		await listen(emu.server);
		emu.url = `http://127.0.0.1:${(emu.server.address() as AddressInfo).port}`;
		return emu;
	}

	async stop(): Promise<void> {
		for (const wake of this.waiters) wake();
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** The credential data for this emulator (the Callback API's fields included). */
	credentialData(): Record<string, string> {
		return {
			accessToken: this.token,
			groupId: String(this.groupId),
			confirmation: this.confirmation,
			secretKey: this.secret,
			baseUrl: this.url,
		};
	}

	addUser(user: Partial<VkUser> & { id: number }): VkUser {
		const full: VkUser = { first_name: 'User', last_name: String(user.id), allowsMessages: true, ...user };
		this.users.set(user.id, full);
		return full;
	}

	failNext(failure: VkFailNext): void {
		this.failures.push({ count: 1, ...failure });
	}

	/** Ends every `failNext` not used up. */
	clearFaults(): void {
		this.failures.splice(0);
	}

	/**
	 * The next a_check answers `{ failed: code }` (1: history gone, 2: key expired, 3: information
	 * lost); `then` runs right after that answer was written (before the poller can ask again).
	 */
	failNextPoll(code: 1 | 2 | 3, then?: () => void): void {
		this.pollFailures.push({ code, then });
	}

	/** `failNextPoll` answers not given yet. */
	get pendingPollFailures(): number {
		return this.pollFailures.length;
	}

	messagesTo(peerId: number | string): VkSentMessage[] {
		return this.sent.filter((m) => m.peer_id === Number(peerId));
	}

	callsOf(method: string): VkRecordedCall[] {
		return this.calls.filter((c) => c.method === method);
	}

	async waitFor(check: () => boolean, timeoutMs = 5000, what = 'a condition'): Promise<void> {
		const end = Date.now() + timeoutMs;
		while (!check()) {
			if (Date.now() > end) throw new Error(`VK emulator: timed out waiting for ${what}`);
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
	}

	// -------------------------------------------------------------------------
	// Customers' side: events
	// -------------------------------------------------------------------------

	/** A file a customer sent, served at /files/<id>/<name>; its URL. */
	hostFile(name: string, bytes: Buffer, contentType: string): string {
		const id = randomBytes(8).toString('hex');
		this.files.set(id, { id, bytes, contentType, name });
		return `${this.url}/files/${id}/${encodeURIComponent(name)}`;
	}

	/** A photo attachment as VK sends it: sizes with URLs (the largest is the file). */
	photoAttachment(bytes: Buffer, ownerId: number): Json {
		const url = this.hostFile('photo.jpg', bytes, 'image/jpeg');
		return {
			type: 'photo',
			photo: {
				id: this.nextObjectId++,
				owner_id: ownerId,
				album_id: -3,
				date: Math.floor(Date.now() / 1000),
				access_key: randomBytes(6).toString('hex'),
				sizes: [
					{ type: 's', width: 75, height: 75, url: `${url}?size=s` },
					{ type: 'x', width: 604, height: 604, url },
				],
			},
		};
	}

	/** A document attachment as VK sends it: its URL redirects to the file (as vk.com/doc… does). */
	docAttachment(name: string, bytes: Buffer, ownerId: number, contentType = 'application/octet-stream'): Json {
		const target = this.hostFile(name, bytes, contentType);
		const id = this.nextObjectId++;
		return {
			type: 'doc',
			doc: {
				id,
				owner_id: ownerId,
				title: name,
				size: bytes.length,
				ext: name.split('.').pop() ?? '',
				date: Math.floor(Date.now() / 1000),
				type: 8,
				url: `${this.url}/doc${ownerId}_${id}?to=${encodeURIComponent(target.slice(this.url.length))}`,
			},
		};
	}

	/** A message the customer writes to the community: queued for the long poll; the event. */
	pushMessage(message: NewMessage): Json {
		const event = this.messageEvent(message);
		this.queue(event);
		return event;
	}

	/** A message_new event (not queued: for a Callback API delivery). */
	messageEvent(message: NewMessage): Json {
		const clientInfo = message.clientInfo ?? { button_actions: ['text', 'callback', 'open_link'], keyboard: true, inline_keyboard: true, carousel: true, lang_id: 0 };
		return this.eventOf('message_new', { message: this.messageObject(message), client_info: clientInfo }, message.eventId);
	}

	/** The customer edits a message: a message_edit event. */
	pushEdit(message: Json, text: string): Json {
		return this.pushEvent('message_edit', { ...message, text, update_time: Math.floor(Date.now() / 1000) });
	}

	/** The customer taps a callback button: a message_event. */
	pushButton(userId: number, payload: Json, conversationMessageId = 1): Json {
		return this.pushEvent('message_event', { user_id: userId, peer_id: userId, event_id: randomBytes(6).toString('hex'), payload, conversation_message_id: conversationMessageId });
	}

	/** An event the community's settings deliver; queued for the long poll; the event. */
	pushEvent(type: string, object: Json, eventId?: string): Json {
		const event = this.eventOf(type, object, eventId);
		this.queue(event);
		return event;
	}

	/** An event as VK sends it (not queued). */
	eventOf(type: string, object: Json, eventId?: string): Json {
		return { group_id: this.groupId, type, event_id: eventId ?? randomBytes(20).toString('hex'), v: VK_API_VERSION, object };
	}

	private queue(event: Json): void {
		this.events.push(event);
		for (const wake of [...this.waiters]) wake();
	}

	/** A message object as VK gives it (message_new's `object.message`). */
	messageObject(message: NewMessage): Json {
		const peer = message.peerId ?? message.fromId;
		const id = peer >= 2_000_000_000 ? 0 : (message.id ?? this.nextMessageId++);
		const object: Json = {
			id,
			date: message.date ?? Math.floor(Date.now() / 1000),
			peer_id: peer,
			from_id: message.fromId,
			text: message.text ?? '',
			conversation_message_id: this.nextCmid(peer),
			attachments: message.attachments ?? [],
			fwd_messages: message.fwd ?? [],
			important: false,
			is_hidden: false,
			out: 0,
			random_id: 0,
		};
		if (message.replyTo) object.reply_message = message.replyTo;
		if (message.geo) object.geo = message.geo;
		return object;
	}

	/** POSTs a Callback API event to `url` with the secret (or another); the receiver's status and body. */
	async deliver(url: string, event: Json, options: { secret?: string | null; rawBody?: string; retryCounter?: number } = {}): Promise<{ status: number; body: string }> {
		const payload = { ...event };
		if (options.secret !== null) payload.secret = options.secret ?? this.secret;
		const body = options.rawBody ?? JSON.stringify(payload);
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'user-agent': 'VKCallbackAPI', ...(options.retryCounter ? { 'x-retry-counter': String(options.retryCounter) } : {}) },
			body,
		});
		const text = await response.text();
		this.deliveries.push({ eventId: String(event.event_id ?? ''), status: response.status, body: text });
		return { status: response.status, body: text };
	}

	/**
	 * Answers in a row that were not `ok` before VK stops sending to the server (VK: "several"
	 * errors in a row and the Callback API stops sending events until the server is checked again).
	 */
	static readonly CALLBACK_STOPS_AFTER = 5;

	/** Answers in a row that were not `ok` (`deliverUntilOk`). */
	private notOkInARow = 0;

	/** VK stopped sending to the Callback API server: too many answers in a row were not `ok`. */
	get callbackStopped(): boolean {
		return this.notOkInARow >= VkEmulator.CALLBACK_STOPS_AFTER;
	}

	/**
	 * Delivers as VK does: an event not answered `ok` (an error status, another body) is sent again,
	 * with `X-Retry-Counter`, up to `retries` times; after `CALLBACK_STOPS_AFTER` answers in a row
	 * that were not `ok` VK stops sending (nothing more is delivered: `callbackStopped`). Every
	 * answer, in order.
	 */
	async deliverUntilOk(url: string, event: Json, retries = 5, options: { secret?: string | null } = {}): Promise<Array<{ status: number; body: string }>> {
		const answers: Array<{ status: number; body: string }> = [];
		for (let attempt = 0; attempt <= retries && !this.callbackStopped; attempt++) {
			const answer = await this.deliver(url, event, { ...options, ...(attempt ? { retryCounter: attempt } : {}) });
			answers.push(answer);
			if (answer.status === 200 && answer.body === 'ok') {
				this.notOkInARow = 0;
				break;
			}
			this.notOkInARow++;
		}
		return answers;
	}

	/** The Callback API's server confirmation: the answer must be the confirmation string. */
	async confirm(url: string, options: { secret?: string | null } = {}): Promise<{ status: number; body: string; confirmed: boolean }> {
		const answer = await this.deliver(url, { type: 'confirmation', group_id: this.groupId }, options);
		return { ...answer, confirmed: answer.status === 200 && answer.body === this.confirmation };
	}

	// -------------------------------------------------------------------------
	// HTTP
	// -------------------------------------------------------------------------

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		try {
			if (url.pathname.startsWith('/method/')) return await this.api(req, res, url);
			if (url.pathname.startsWith('/lp/')) return await this.longPoll(res, url);
			if (url.pathname.startsWith('/upload/')) return await this.upload(req, res, url);
			if (url.pathname.startsWith('/files/')) return this.file(res, url);
			if (/^\/doc-?\d+_\d+$/.test(url.pathname)) {
				res.writeHead(302, { location: `${this.url}${url.searchParams.get('to') ?? '/'}` });
				res.end();
				return;
			}
			res.writeHead(404).end('Not Found');
		} catch (error) {
			if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
			res.end(String((error as Error).message));
		}
	}

	private json(res: http.ServerResponse, body: unknown): void {
		const bytes = Buffer.from(JSON.stringify(body));
		res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(bytes.length) });
		res.end(bytes);
	}

	private async readBody(req: http.IncomingMessage): Promise<Buffer> {
		const chunks: Buffer[] = [];
		for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
		return Buffer.concat(chunks);
	}

	private async api(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
		const method = decodeURIComponent(url.pathname.slice('/method/'.length));
		const params: Record<string, string> = Object.fromEntries(url.searchParams);
		if (req.method === 'POST') {
			const raw = (await this.readBody(req)).toString('utf8');
			const type = String(req.headers['content-type'] ?? '');
			if (/application\/json/.test(type) && raw) Object.assign(params, JSON.parse(raw));
			else if (raw) Object.assign(params, Object.fromEntries(new URLSearchParams(raw)));
		}
		const requestParams = Object.entries(params)
			.filter(([key]) => key !== 'access_token')
			.map(([key, value]) => ({ key, value: String(value) }));
		const recorded: VkRecordedCall = { method, params: { ...params, access_token: params.access_token ? '<token>' : '' }, errorCode: 0, at: Date.now() };
		this.calls.push(recorded);
		const fail = (code: number, message = ERRORS[code] ?? 'Unknown error') => {
			recorded.errorCode = code;
			this.json(res, { error: { error_code: code, error_msg: message, request_params: [{ key: 'method', value: method }, ...requestParams] } });
		};
		if (params.access_token !== this.token) return fail(5);
		if (!params.v) return fail(8, 'Invalid request: v (version) is required');
		if (this.perSecond > 0) {
			const now = Date.now();
			while (this.recent.length && this.recent[0] <= now - 1000) this.recent.shift();
			if (this.recent.length >= this.perSecond) return fail(6);
			this.recent.push(now);
		}
		const injected = this.failures.findIndex((f) => f.method === undefined || (typeof f.method === 'string' ? f.method === method : f.method.test(method)));
		const failure = injected >= 0 ? this.failures[injected] : undefined;
		if (failure) {
			failure.count = (failure.count ?? 1) - 1;
			if (failure.count <= 0) this.failures.splice(injected, 1);
			if (!failure.afterAccepting) return fail(failure.code, failure.message);
		}
		try {
			const response = this.call(method, params);
			if (failure?.afterAccepting) return fail(failure.code, failure.message);
			this.json(res, { response });
		} catch (error) {
			if (error instanceof VkError) return fail(error.code, error.message);
			throw error;
		}
	}

	private need(params: Record<string, string>, name: string): string {
		const value = params[name];
		if (value === undefined || value === '') throw new VkError(100, `One of the parameters specified was missing or invalid: ${name} is undefined`);
		return String(value);
	}

	private nextCmid(peerId: number): number {
		const next = (this.cmids.get(peerId) ?? 0) + 1;
		this.cmids.set(peerId, next);
		return next;
	}

	private peerOf(params: Record<string, string>): number {
		const peer = Number(this.need(params, 'peer_id'));
		if (!Number.isSafeInteger(peer)) throw new VkError(100, 'One of the parameters specified was missing or invalid: peer_id is invalid');
		return peer;
	}

	private call(method: string, params: Record<string, string>): unknown {
		switch (method) {
			case 'groups.getById': {
				const id = Number(params.group_id ?? params.group_ids ?? this.groupId);
				if (id !== this.groupId) throw new VkError(100, 'One of the parameters specified was missing or invalid: group_id is invalid');
				return { groups: [{ id: this.groupId, name: 'Emulated Community', screen_name: `club${this.groupId}`, type: 'group' }], profiles: [] };
			}
			case 'groups.getLongPollServer': {
				if (Number(this.need(params, 'group_id')) !== this.groupId) throw new VkError(100, 'One of the parameters specified was missing or invalid: group_id is invalid');
				return { key: this.lpKey, server: `${this.url}/lp/wh${this.groupId}`, ts: String(this.firstTs + this.events.length) };
			}
			case 'users.get': {
				const ids = this.need(params, 'user_ids').split(',').map(Number);
				return ids.filter((id) => this.users.has(id)).map((id) => {
					const u = this.users.get(id)!;
					return { id, first_name: u.first_name, last_name: u.last_name, can_access_closed: true, is_closed: false };
				});
			}
			case 'messages.send':
				return this.send(params);
			case 'messages.edit': {
				const peer = this.peerOf(params);
				const message = this.sent.find((m) => m.peer_id === peer && (m.id === Number(params.message_id) || m.conversation_message_id === Number(params.conversation_message_id)) && !m.deleted);
				if (!message) throw new VkError(100, 'One of the parameters specified was missing or invalid: message_id is invalid');
				if (params.keyboard) message.keyboard = this.keyboardOf(params.keyboard);
				const text = String(params.message ?? '');
				if (text.length > 4096) throw new VkError(914, ERRORS[914]);
				message.edits.push(message.text);
				message.text = text;
				return 1;
			}
			case 'messages.delete': {
				const peer = Number(params.peer_id ?? 0);
				const ids = this.need(params, 'message_ids').split(',').map(Number);
				const answer: Json = {};
				for (const id of ids) {
					const message = this.sent.find((m) => m.id === id && (!peer || m.peer_id === peer));
					if (!message) throw new VkError(100, 'One of the parameters specified was missing or invalid: message_ids is invalid');
					if (params.delete_for_all === '1' && Date.now() / 1000 - message.date > 24 * 3600) throw new VkError(924, ERRORS[924]);
					message.deleted = true;
					message.deletedForAll = params.delete_for_all === '1';
					answer[String(id)] = 1;
				}
				return answer;
			}
			case 'messages.setActivity': {
				this.peerOf(params);
				if (params.type !== 'typing' && params.type !== 'audiomessage') throw new VkError(100, 'One of the parameters specified was missing or invalid: type is invalid');
				return 1;
			}
			case 'messages.sendMessageEventAnswer': {
				this.need(params, 'event_id');
				this.need(params, 'user_id');
				this.peerOf(params);
				return 1;
			}
			case 'photos.getMessagesUploadServer':
			case 'docs.getMessagesUploadServer': {
				const peerId = this.peerOf(params);
				const kind = method.startsWith('photos') ? 'photo' : 'doc';
				if (kind === 'doc' && params.type && params.type !== 'doc' && params.type !== 'audio_message') throw new VkError(100, 'One of the parameters specified was missing or invalid: type is invalid');
				const id = randomBytes(8).toString('hex');
				this.uploads.set(id, { kind, peerId });
				return kind === 'photo' ? { album_id: -3, upload_url: `${this.url}/upload/photo/${id}`, user_id: 0, group_id: this.groupId } : { upload_url: `${this.url}/upload/doc/${id}` };
			}
			case 'photos.saveMessagesPhoto': {
				const stored = this.uploaded.get(this.need(params, 'photo'));
				if (!stored || stored.kind !== 'photo' || params.hash !== createHash('md5').update(this.need(params, 'photo')).digest('hex')) throw new VkError(1160, 'Photo is undefined');
				const id = this.nextObjectId++;
				this.savedFiles.set(`photo-${this.groupId}_${id}`, stored.upload);
				return [{ id, owner_id: -this.groupId, album_id: -3, date: Math.floor(Date.now() / 1000), access_key: randomBytes(6).toString('hex'), sizes: [{ type: 'x', width: 604, height: 604, url: this.hostFile(stored.upload.filename, stored.bytes, stored.upload.contentType) }] }];
			}
			case 'docs.save': {
				const stored = this.uploaded.get(this.need(params, 'file'));
				if (!stored || stored.kind !== 'doc') throw new VkError(100, 'One of the parameters specified was missing or invalid: file is invalid');
				const id = this.nextObjectId++;
				const title = params.title || stored.upload.filename;
				this.savedFiles.set(`doc-${this.groupId}_${id}`, stored.upload);
				return { type: 'doc', doc: { id, owner_id: -this.groupId, title, size: stored.upload.size, ext: title.split('.').pop() ?? '', url: this.hostFile(title, stored.bytes, stored.upload.contentType), date: Math.floor(Date.now() / 1000), type: 8 } };
			}
			default:
				throw new VkError(3, 'Unknown method passed');
		}
	}

	private keyboardOf(raw: string): Json {
		let keyboard: Json;
		try {
			keyboard = JSON.parse(raw) as Json;
		} catch {
			throw new VkError(911, ERRORS[911]);
		}
		const rows = keyboard.buttons;
		if (!Array.isArray(rows) || rows.length > 6) throw new VkError(911, ERRORS[911]);
		let count = 0;
		for (const row of rows) {
			if (!Array.isArray(row) || row.length > 5) throw new VkError(911, ERRORS[911]);
			for (const button of row as Json[]) {
				count++;
				const action = button?.action as Json | undefined;
				if (!action || !['text', 'callback', 'open_link'].includes(String(action.type))) throw new VkError(911, ERRORS[911]);
				if (typeof action.label !== 'string' || !action.label || action.label.length > 40) throw new VkError(911, 'Keyboard format is invalid: label is too long');
				if (action.type === 'open_link' && !/^https?:\/\//.test(String(action.link))) throw new VkError(911, 'Keyboard format is invalid: link is invalid');
				if (action.payload !== undefined && String(action.payload).length > 255) throw new VkError(911, 'Keyboard format is invalid: payload is too long');
			}
		}
		if (keyboard.inline && count > 10) throw new VkError(911, ERRORS[911]);
		return keyboard;
	}

	private send(params: Record<string, string>): number {
		const peer = this.peerOf(params);
		const randomId = Number(this.need(params, 'random_id'));
		if (!Number.isInteger(randomId) || randomId < -2147483648 || randomId > 2147483647) throw new VkError(100, 'One of the parameters specified was missing or invalid: random_id is invalid');
		// VK's idempotency: the same random_id from the same sender (the community) is the same message, for any peer
		const earlier = this.randomIds.get(randomId);
		if (randomId !== 0 && earlier !== undefined) return earlier;
		const user = this.users.get(peer);
		if (!user || !user.allowsMessages) throw new VkError(901, ERRORS[901]);
		if (user.privacyBlocks) throw new VkError(902, ERRORS[902]);
		const text = String(params.message ?? '');
		const attachment = params.attachment ? String(params.attachment) : undefined;
		if (!text && !attachment) throw new VkError(100, 'One of the parameters specified was missing or invalid: message is empty or invalid');
		if (text.length > 4096) throw new VkError(914, ERRORS[914]);
		const keyboard = params.keyboard ? this.keyboardOf(params.keyboard) : undefined;
		const files: VkUpload[] = [];
		for (const item of (attachment ?? '').split(',').filter(Boolean)) {
			const match = /^(photo|doc)(-?\d+)_(\d+)(?:_\w+)?$/.exec(item);
			if (!match) throw new VkError(100, `One of the parameters specified was missing or invalid: attachment ${item} is invalid`);
			const saved = this.savedFiles.get(`${match[1]}${match[2]}_${match[3]}`);
			if (saved) files.push(saved);
		}
		const replyTo = params.reply_to ? Number(params.reply_to) : undefined;
		const message: VkSentMessage = {
			id: this.nextMessageId++,
			peer_id: peer,
			conversation_message_id: this.nextCmid(peer),
			text,
			random_id: randomId,
			date: Math.floor(Date.now() / 1000),
			...(replyTo ? { reply_to: replyTo } : {}),
			...(attachment ? { attachment } : {}),
			...(keyboard ? { keyboard } : {}),
			edits: [],
			files,
		};
		this.sent.push(message);
		if (randomId !== 0) this.randomIds.set(randomId, message.id);
		return message.id;
	}

	private async longPoll(res: http.ServerResponse, url: URL): Promise<void> {
		if (url.searchParams.get('act') !== 'a_check') return this.json(res, { failed: 3 });
		if (url.searchParams.get('key') !== this.lpKey) return this.json(res, { failed: 2 });
		const failure = this.pollFailures.shift();
		if (failure) {
			// 1: a ts VK still has; 2: the key expired (the same ts stays good); 3: both lost
			if (failure.code === 1) this.json(res, { failed: 1, ts: String(this.firstTs + this.events.length) });
			else {
				this.lpKey = randomBytes(16).toString('hex');
				this.json(res, { failed: failure.code });
			}
			failure.then?.();
			return;
		}
		const ts = Number(url.searchParams.get('ts'));
		if (!Number.isInteger(ts) || ts < this.firstTs) return this.json(res, { failed: 1, ts: String(this.firstTs + this.events.length) });
		const wait = Math.min(90, Math.max(0, Number(url.searchParams.get('wait') ?? 25)));
		const available = () => this.events.length - (ts - this.firstTs);
		if (available() <= 0 && wait > 0) {
			this.polling++;
			await new Promise<void>((resolve) => {
				const timer = setTimeout(done, wait * 1000);
				function done() {
					clearTimeout(timer);
					resolve();
				}
				const wake = () => {
					this.waiters.delete(wake);
					done();
				};
				this.waiters.add(wake);
				res.on('close', wake);
			});
			this.polling--;
		}
		if (res.destroyed) return;
		const updates = this.events.slice(Math.max(0, ts - this.firstTs));
		this.json(res, { ts: String(ts + updates.length), updates });
	}

	private async upload(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
		const [, , kind, id] = url.pathname.split('/');
		const pending = this.uploads.get(id);
		if (!pending || pending.kind !== kind) return this.json(res, { error: 'upload_url is invalid' });
		const boundary = boundaryFromContentType(req.headers['content-type']);
		if (!boundary) return this.json(res, { error: 'no multipart body' });
		let file: { upload: VkUpload; chunks: Buffer[]; hash: ReturnType<typeof createHash> } | undefined;
		const field = kind === 'photo' ? 'photo' : 'file';
		const parser = new MultipartParser(boundary, (part) => {
			if (part.name !== field || part.filename === undefined) return { write: () => undefined, end: () => undefined };
			const f = { upload: { fieldName: part.name, filename: part.filename, contentType: part.contentType ?? 'application/octet-stream', size: 0, sha256: '' }, chunks: [] as Buffer[], hash: createHash('sha256') };
			file = f;
			return {
				write: (chunk: Buffer) => {
					f.upload.size += chunk.length;
					f.hash.update(chunk);
					f.chunks.push(chunk);
				},
				end: () => void (f.upload.sha256 = f.hash.digest('hex')),
			};
		});
		for await (const chunk of req as AsyncIterable<Buffer>) await parser.write(chunk);
		await parser.end();
		if (!file) return this.json(res, kind === 'photo' ? { server: 1, photo: '[]', hash: '' } : { error: 'no_file' });
		const done = file as { upload: VkUpload; chunks: Buffer[] };
		const token = randomBytes(12).toString('hex');
		this.uploaded.set(token, { upload: done.upload, kind: pending.kind, peerId: pending.peerId, bytes: Buffer.concat(done.chunks) });
		if (kind === 'photo') this.json(res, { server: 841234, photo: token, hash: createHash('md5').update(token).digest('hex') });
		else this.json(res, { file: token });
	}

	private file(res: http.ServerResponse, url: URL): void {
		const [, , id] = url.pathname.split('/');
		const file = this.files.get(id);
		if (!file) {
			res.writeHead(404).end('Not Found');
			return;
		}
		res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) });
		res.end(file.bytes);
	}
}
