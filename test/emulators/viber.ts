/**
 * An in-process HTTP emulator of Viber's REST Bot API (`https://chatapi.viber.com/pa/<method>`)
 * as the Viber channel uses it, plus Viber's side of the webhook (the `webhook` check that
 * set_webhook makes before it answers, and signed callbacks). Test code only; Node built-ins only.
 * What it implements and which real-API facts it relies on: docs/channel-apis.md, "Viber".
 *
 *   const vb = await ViberEmulator.start();
 *   // credentials: accessToken = vb.authToken, botName = 'Shop', baseUrl = vb.apiUrl
 *   const ada = vb.addUser({ name: 'Ada' });
 *   await vb.deliver(webhookUrl, vb.messageEvent(ada.id, { text: 'hi' }));
 *   // ... the adapter answers through POST {vb.apiUrl}/send_message with X-Viber-Auth-Token
 *   vb.messages; vb.requests; vb.deliveries
 *   await vb.stop();
 *
 * Facts taken from Viber's public documentation (developers.viber.com/docs/api/rest-bot-api):
 * - every request is a POST with the header `X-Viber-Auth-Token`; HTTP is 200 whatever happened,
 *   the outcome is the body's `status` (0 ok) and `status_message` (the error table below);
 * - set_webhook `{url, event_types, send_name, send_photo}`: Viber first POSTs
 *   `{event: "webhook", timestamp, chat_hostname, message_token}` to the URL and needs a 200,
 *   then answers `{status: 0, event_types}`; `url: ""` removes the webhook;
 * - callbacks carry `X-Viber-Content-Signature`: hex HMAC-SHA256 of the raw body, keyed with the
 *   auth token; a callback not answered 200 is sent again (for about an hour);
 * - `message_token` is a 64-bit integer in JSON, beyond JavaScript's exact integers: the bodies are
 *   written with it unquoted, as Viber does, so a reader that parses it as a number loses digits;
 * - send_message: `sender.name` required (at most 28 characters), text up to 7000 characters,
 *   picture (JPEG/PNG/GIF by URL, caption up to 768), video (URL + size), file (URL + size +
 *   file_name, up to 50 MB, no executables), url, keyboard; the JSON body at most 30 KB;
 * - a user can be written to once subscribed or after their first message (conversation open),
 *   and not after they unsubscribed.
 */
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { listen } from './listen';

/** Viber's status codes (the REST Bot API's error table). */
export const VIBER_STATUS = {
	ok: 0,
	invalidUrl: 1,
	invalidAuthToken: 2,
	badData: 3,
	missingData: 4,
	receiverNotRegistered: 5,
	receiverNotSubscribed: 6,
	publicAccountBlocked: 7,
	publicAccountNotFound: 8,
	publicAccountSuspended: 9,
	webhookNotSet: 10,
	receiverNoSuitableDevice: 11,
	tooManyRequests: 12,
	apiVersionNotSupported: 13,
	incompatibleWithVersion: 14,
} as const;

export type ViberStatusName = keyof typeof VIBER_STATUS;

/** X-Viber-Content-Signature: hex HMAC-SHA256 of the raw body, keyed with the auth token. */
export function viberSignature(authToken: string, rawBody: string | Buffer): string {
	return createHmac('sha256', authToken).update(rawBody).digest('hex');
}

/** JSON as Viber writes it: `message_token` (a decimal string here) as a bare 64-bit number. */
export function viberJson(value: unknown): string {
	return JSON.stringify(value).replace(/"message_token":"(\d+)"/g, '"message_token":$1');
}

/** A 64-bit message token beyond 2^53 (as Viber's are), as a decimal string. */
function newToken(): string {
	const high = BigInt(randomInt(1 << 22, 1 << 30));
	const low = BigInt(randomInt(0, 2 ** 32 - 1));
	return ((high << 32n) | low).toString();
}

export interface ViberUser {
	id: string;
	name: string;
	avatar: string;
	language: string;
	country: string;
	api_version: number;
	/** Subscribed to the bot (or wrote to it): it may be written to. */
	subscribed: boolean;
	/** Has a device that can take bot messages (false: receiverNoSuitableDevice). */
	device: boolean;
}

export interface ViberSentMessage {
	token: string;
	receiver: string;
	type: string;
	text: string | null;
	media: string | null;
	fileName: string | null;
	size: number | null;
	sender: { name: string; avatar?: string };
	keyboard: Record<string, unknown> | null;
	trackingData: string | null;
	minApiVersion: number | null;
	at: number;
	body: Record<string, unknown>;
}

export interface ViberRequest {
	method: string;
	path: string;
	/** The API method (`send_message`, …) or `media`. */
	api: string;
	/** The HTTP status answered. */
	status: number;
	/** Viber's `status` in the body (API methods). */
	viberStatus: number | null;
	token: string | null;
	body: unknown;
	at: number;
}

export interface ViberDelivery {
	url: string;
	event: string;
	status: number;
	body: string;
	at: number;
}

interface FailNext {
	api: string;
	/** Viber's refusal (HTTP 200), or an HTTP error status (`http`). */
	status?: ViberStatusName;
	http?: number;
	/** With `http`: the message is accepted first (the answer is lost). */
	afterAccepting?: boolean;
	statusMessage?: string;
	/** How many requests fail this way (default 1). */
	times: number;
}

interface HostedMedia {
	bytes: Buffer;
	contentType: string;
	name: string;
}

const ERROR_TEXT: Partial<Record<ViberStatusName, string>> = {
	receiverNotRegistered: 'receiverNotRegistered',
	receiverNotSubscribed: 'receiverNotSubscribed',
	receiverNoSuitableDevice: 'receiverNoSuitableDevice',
	tooManyRequests: 'tooManyRequests',
};

const MESSAGE_TYPES = ['text', 'picture', 'video', 'file', 'location', 'contact', 'sticker', 'carousel content', 'url', 'rich_media'];
const BUTTON_ACTIONS = ['reply', 'open-url', 'location-picker', 'share-phone', 'none'];
const FORBIDDEN_FILES = /\.(exe|bat|cmd|com|scr|msi|vbs|js|jar|apk|dll|sh|ps1)$/i;
const MAX_JSON_BYTES = 30 * 1024;

export class ViberEmulator {
	readonly authToken = `${randomBytes(8).toString('hex')}-${randomBytes(8).toString('hex')}-${randomBytes(8).toString('hex')}`;
	readonly accountId = `pa:${randomInt(1e9, 2e9)}`;
	readonly accountName = 'TeamSpirit Shop';
	readonly uri = 'teamspiritshop';
	readonly chatHostname = 'SN-CHAT-01_';

	readonly users = new Map<string, ViberUser>();
	readonly messages: ViberSentMessage[] = [];
	readonly requests: ViberRequest[] = [];
	readonly deliveries: ViberDelivery[] = [];
	webhook: { url: string; event_types: string[]; send_name: boolean; send_photo: boolean } | null = null;

	private server!: http.Server;
	private apiPath = '/pa';
	private readonly failures: FailNext[] = [];
	private readonly media = new Map<string, HostedMedia>();
	private readonly sockets = new Set<import('node:net').Socket>();

	/**
	 * `apiPath`: where the API methods are (Viber's `/pa`; `''` puts them at the root, for a proxy
	 * in front of the emulator that keeps paths as they are).
	 */
	static async start(options: { apiPath?: string } = {}): Promise<ViberEmulator> {
		const emu = new ViberEmulator();
		emu.apiPath = options.apiPath ?? '/pa';
		emu.server = http.createServer((req, res) => void emu.handle(req, res));
		emu.server.on('connection', (socket) => {
			emu.sockets.add(socket);
			socket.on('close', () => emu.sockets.delete(socket));
		});
		await listen(emu.server);
		return emu;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	/** The credential's API base URL (Viber's `https://chatapi.viber.com/pa`). */
	get apiUrl(): string {
		return `${this.url}${this.apiPath}`;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	/** A Viber user (ids are 24 base64 characters ending in `==`); subscribed unless told. */
	addUser(user: Partial<ViberUser> = {}): ViberUser {
		const id = user.id ?? `${randomBytes(16).toString('base64').slice(0, 22)}==`;
		const full: ViberUser = {
			id,
			name: user.name ?? 'Viber User',
			avatar: user.avatar ?? `${this.url}/avatar/${encodeURIComponent(id)}.jpg`,
			language: user.language ?? 'en',
			country: user.country ?? 'DE',
			api_version: user.api_version ?? 10,
			subscribed: user.subscribed ?? true,
			device: user.device ?? true,
		};
		this.users.set(id, full);
		return full;
	}

	/** The next `times` (default 1) requests of `api` are refused with Viber's `status`. */
	failNext(api: string, status: ViberStatusName, options: { times?: number; statusMessage?: string } = {}): void {
		this.failures.push({ api, status, times: options.times ?? 1, statusMessage: options.statusMessage });
	}

	/** The next `times` (default 1) requests of `api` get HTTP `status` (a gateway's 5xx), after accepting the message when asked. */
	failNextHttp(api: string, status: number, options: { afterAccepting?: boolean; times?: number } = {}): void {
		this.failures.push({ api, http: status, afterAccepting: options.afterAccepting, times: options.times ?? 1 });
	}

	/** Ends every injected failure. */
	clearFaults(): void {
		this.failures.splice(0);
	}

	/** Serves `bytes` as a media file of a received message (Viber's media URLs are public). */
	hostMedia(bytes: Buffer, name: string, contentType: string): string {
		const token = randomBytes(12).toString('hex');
		this.media.set(token, { bytes, contentType, name });
		return `${this.url}/media/${token}/${encodeURIComponent(name)}`;
	}

	messagesTo(receiver: string): ViberSentMessage[] {
		return this.messages.filter((m) => m.receiver === receiver);
	}

	/** The status of every send_message as HTTP would say it: 429 for tooManyRequests, 200 ok, else 400. */
	sendStatuses(): number[] {
		return this.requests
			.filter((r) => r.api === 'send_message')
			.map((r) => (r.viberStatus === VIBER_STATUS.tooManyRequests ? 429 : r.viberStatus === 0 ? 200 : 400));
	}

	// -------------------------------------------------------------------------
	// Callbacks
	// -------------------------------------------------------------------------

	private base(event: string, token = newToken()): Record<string, unknown> {
		return { event, timestamp: Date.now(), chat_hostname: this.chatHostname, message_token: token };
	}

	private senderOf(userId: string): Record<string, unknown> {
		const user = this.users.get(userId) ?? this.addUser({ id: userId });
		const { id, name, avatar, language, country, api_version } = user;
		return { id, name, avatar, language, country, api_version };
	}

	/**
	 * A `message` callback. The user becomes subscribed (their first message opens the
	 * conversation). `message` overrides the message object (type, media, location, contact, …).
	 */
	messageEvent(
		userId: string,
		options: { text?: string; token?: string; message?: Record<string, unknown>; timestamp?: number; trackingData?: string } = {},
	): Record<string, unknown> {
		const sender = this.senderOf(userId);
		this.users.get(userId)!.subscribed = true;
		const message: Record<string, unknown> = options.message ?? { type: 'text', text: options.text ?? '' };
		if (options.trackingData !== undefined) message.tracking_data = options.trackingData;
		const event: Record<string, unknown> = { ...this.base('message', options.token), sender, message, silent: false };
		if (options.timestamp !== undefined) event.timestamp = options.timestamp;
		return event;
	}

	/** A message with a file Viber hosts (`type` picture, video or file). */
	fileEvent(
		userId: string,
		file: { bytes: Buffer; name: string; contentType: string; type?: 'picture' | 'video' | 'file'; text?: string },
		token?: string,
	): Record<string, unknown> {
		const media = this.hostMedia(file.bytes, file.name, file.contentType);
		const type = file.type ?? (file.contentType.startsWith('image/') ? 'picture' : file.contentType.startsWith('video/') ? 'video' : 'file');
		const message: Record<string, unknown> = { type, media };
		if (type === 'file' || type === 'video') Object.assign(message, { file_name: file.name, size: file.bytes.length });
		if (type === 'picture') message.thumbnail = media;
		if (file.text) message.text = file.text;
		return this.messageEvent(userId, { message, token });
	}

	subscribedEvent(userId: string): Record<string, unknown> {
		this.senderOf(userId);
		this.users.get(userId)!.subscribed = true;
		return { ...this.base('subscribed'), user: this.senderOf(userId) };
	}

	unsubscribedEvent(userId: string): Record<string, unknown> {
		const user = this.users.get(userId);
		if (user) user.subscribed = false;
		return { ...this.base('unsubscribed'), user_id: userId };
	}

	conversationStartedEvent(userId: string, options: { context?: string } = {}): Record<string, unknown> {
		const subscribed = this.users.get(userId)?.subscribed ?? false;
		return {
			...this.base('conversation_started'),
			type: 'open',
			context: options.context ?? '',
			user: this.senderOf(userId),
			subscribed,
		};
	}

	deliveredEvent(token: string, userId: string): Record<string, unknown> {
		return { ...this.base('delivered', token), user_id: userId };
	}

	seenEvent(token: string, userId: string): Record<string, unknown> {
		return { ...this.base('seen', token), user_id: userId };
	}

	failedEvent(token: string, userId: string, desc: string): Record<string, unknown> {
		return { ...this.base('failed', token), user_id: userId, desc };
	}

	/**
	 * POSTs a callback to `url` (default: the webhook set), signed with the auth token unless told
	 * otherwise; its answer.
	 */
	async deliver(
		url: string | undefined,
		event: Record<string, unknown>,
		options: { forgeSignature?: boolean; omitSignature?: boolean; rawBody?: string } = {},
	): Promise<{ status: number; body: string }> {
		const target = url ?? this.webhook?.url;
		if (!target) throw new Error('no webhook is set');
		const raw = options.rawBody ?? viberJson(event);
		const headers: Record<string, string> = { 'Content-Type': 'application/json' };
		if (!options.omitSignature) {
			const key = options.forgeSignature ? `${this.authToken}-forged` : this.authToken;
			headers['X-Viber-Content-Signature'] = viberSignature(key, raw);
		}
		const response = await fetch(target, { method: 'POST', headers, body: raw });
		const body = await response.text();
		this.deliveries.push({ url: target, event: String(event.event ?? ''), status: response.status, body, at: Date.now() });
		return { status: response.status, body };
	}

	// -------------------------------------------------------------------------
	// HTTP
	// -------------------------------------------------------------------------

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', this.url);
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const raw = Buffer.concat(chunks);
		const media = /^\/media\/([0-9a-f]+)\//.exec(url.pathname);
		if (media && (req.method === 'GET' || req.method === 'HEAD')) {
			const file = this.media.get(media[1]);
			this.record(req, url, 'media', file ? 200 : 404, null, null, null);
			if (!file) return void res.writeHead(404).end();
			res.writeHead(200, { 'Content-Type': file.contentType, 'Content-Length': String(file.bytes.length) });
			return void res.end(req.method === 'HEAD' ? undefined : file.bytes);
		}
		const api = url.pathname.startsWith(`${this.apiPath}/`)
			? /^([a-z_]+)$/.exec(url.pathname.slice(this.apiPath.length + 1))?.[1]
			: undefined;
		if (!api || req.method !== 'POST') {
			this.record(req, url, 'unknown', 404, null, null, null);
			return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
		}
		const token = typeof req.headers['x-viber-auth-token'] === 'string' ? req.headers['x-viber-auth-token'] : null;
		let body: Record<string, unknown> = {};
		let answer: Record<string, unknown>;
		const broken = this.failures.find((f) => f.api === api && f.http !== undefined);
		if (broken) {
			if (--broken.times <= 0) this.failures.splice(this.failures.indexOf(broken), 1);
			let viberStatus: number | null = null;
			if (broken.afterAccepting) {
				try {
					body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
					viberStatus = Number((await this.answer(api, token, body, raw.length)).status);
				} catch {
					// nothing accepted
				}
			}
			this.record(req, url, api, broken.http!, viberStatus, token, body);
			return void res.writeHead(broken.http!, { 'Content-Type': 'text/html' }).end('<html>Bad Gateway</html>');
		}
		try {
			body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
			answer = await this.answer(api, token, body, raw.length);
		} catch {
			answer = this.status('badData');
		}
		const status = typeof answer.status === 'number' ? answer.status : null;
		this.record(req, url, api, 200, status, token, body);
		res.writeHead(200, { 'Content-Type': 'application/json' });
		res.end(viberJson(answer));
	}

	private record(req: http.IncomingMessage, url: URL, api: string, status: number, viberStatus: number | null, token: string | null, body: unknown) {
		this.requests.push({ method: req.method ?? '', path: url.pathname, api, status, viberStatus, token, body, at: Date.now() });
	}

	private status(name: ViberStatusName, message?: string): Record<string, unknown> {
		return { status: VIBER_STATUS[name], status_message: message ?? ERROR_TEXT[name] ?? name };
	}

	private async answer(api: string, token: string | null, body: Record<string, unknown>, bytes: number): Promise<Record<string, unknown>> {
		if (!token) return { status: VIBER_STATUS.invalidAuthToken, status_message: 'missing_auth_token' };
		if (token !== this.authToken) return this.status('invalidAuthToken');
		const failure = this.failures.find((f) => f.api === api && f.status !== undefined);
		if (failure) {
			if (--failure.times <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
			return this.status(failure.status!, failure.statusMessage);
		}
		if (bytes > MAX_JSON_BYTES) return this.status('badData', 'the request is larger than 30 KB');
		switch (api) {
			case 'set_webhook':
				return await this.setWebhook(body);
			case 'get_account_info':
				return {
					...this.status('ok', 'ok'),
					id: this.accountId,
					name: this.accountName,
					uri: this.uri,
					icon: `${this.url}/icon.jpg`,
					category: 'Business',
					subcategory: 'Shopping',
					country: 'DE',
					webhook: this.webhook?.url ?? '',
					event_types: this.webhook?.event_types ?? [],
					subscribers_count: [...this.users.values()].filter((u) => u.subscribed).length,
					members: [{ id: 'member01==', name: 'Admin', role: 'admin' }],
				};
			case 'get_user_details': {
				const user = this.users.get(String(body.id ?? ''));
				if (!user) return this.status('receiverNotRegistered');
				const { id, name, avatar, language, country, api_version } = user;
				return { ...this.status('ok', 'ok'), chat_hostname: this.chatHostname, user: { id, name, avatar, language, country, api_version, primary_device_os: 'Android 14', viber_version: '24.1.0', device_type: 'Pixel' } };
			}
			case 'send_message':
				return this.sendMessage(body);
			default:
				return this.status('badData', `unknown method ${api}`);
		}
	}

	private async setWebhook(body: Record<string, unknown>): Promise<Record<string, unknown>> {
		const url = body.url;
		if (typeof url !== 'string') return this.status('missingData');
		if (url === '') {
			this.webhook = null;
			return this.status('ok', 'ok');
		}
		if (!/^https?:\/\//.test(url)) return this.status('invalidUrl');
		const eventTypes = Array.isArray(body.event_types)
			? body.event_types.map(String)
			: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'];
		// Viber checks the URL with a signed `webhook` callback and needs a 200 before it answers
		try {
			const check = await this.deliver(url, this.base('webhook'));
			if (check.status !== 200) return this.status('invalidUrl', `webhook check answered ${check.status}`);
		} catch {
			return this.status('invalidUrl', 'the webhook could not be reached');
		}
		this.webhook = { url, event_types: eventTypes, send_name: body.send_name === true, send_photo: body.send_photo === true };
		return { ...this.status('ok', 'ok'), event_types: eventTypes };
	}

	private sendMessage(body: Record<string, unknown>): Record<string, unknown> {
		const receiver = typeof body.receiver === 'string' ? body.receiver : '';
		const sender = (body.sender ?? {}) as { name?: unknown; avatar?: unknown };
		const type = String(body.type ?? '');
		if (!receiver || !type) return this.status('missingData');
		if (typeof sender.name !== 'string' || !sender.name) return this.status('missingData', 'sender.name is required');
		if (sender.name.length > 28) return this.status('badData', 'sender.name is longer than 28 characters');
		if (!MESSAGE_TYPES.includes(type)) return this.status('badData', `unknown type ${type}`);
		const bad = this.invalidContent(type, body);
		if (bad) return this.status('badData', bad);
		const user = this.users.get(receiver);
		if (!user) return this.status('receiverNotRegistered');
		if (!user.subscribed) return this.status('receiverNotSubscribed');
		if (!user.device) return this.status('receiverNoSuitableDevice');
		const token = newToken();
		this.messages.push({
			token,
			receiver,
			type,
			text: typeof body.text === 'string' ? body.text : null,
			media: typeof body.media === 'string' ? body.media : null,
			fileName: typeof body.file_name === 'string' ? body.file_name : null,
			size: typeof body.size === 'number' ? body.size : null,
			sender: { name: sender.name, ...(typeof sender.avatar === 'string' ? { avatar: sender.avatar } : {}) },
			keyboard: (body.keyboard as Record<string, unknown>) ?? null,
			trackingData: typeof body.tracking_data === 'string' ? body.tracking_data : null,
			minApiVersion: typeof body.min_api_version === 'number' ? body.min_api_version : null,
			at: Date.now(),
			body,
		});
		return { ...this.status('ok', 'ok'), message_token: token, chat_hostname: this.chatHostname, billing_status: 1 };
	}

	/** Why a message's content is refused (badData), or undefined. */
	private invalidContent(type: string, body: Record<string, unknown>): string | undefined {
		const media = typeof body.media === 'string' ? body.media : '';
		const size = typeof body.size === 'number' ? body.size : undefined;
		if (typeof body.tracking_data === 'string' && body.tracking_data.length > 4096) return 'tracking_data is longer than 4096 characters';
		if (type === 'text') {
			if (typeof body.text !== 'string' || !body.text) return 'text is required';
			if (body.text.length > 7000) return 'text is longer than 7000 characters';
		}
		if (['picture', 'video', 'file', 'url'].includes(type) && !/^https?:\/\/\S+$/.test(media)) return 'media must be a URL';
		if (type === 'picture' && typeof body.text === 'string' && body.text.length > 768) return 'a picture text is at most 768 characters';
		if ((type === 'video' || type === 'file') && (size === undefined || size <= 0)) return 'size is required';
		if (type === 'file') {
			const name = typeof body.file_name === 'string' ? body.file_name : '';
			if (!name) return 'file_name is required';
			if (name.length > 256) return 'file_name is longer than 256 characters';
			if (FORBIDDEN_FILES.test(name)) return 'this file type cannot be sent';
			if (size! > 50 * 1024 * 1024) return 'a file is at most 50 MB';
		}
		if (type === 'video' && size! > 26 * 1024 * 1024) return 'a video is at most 26 MB';
		if (body.keyboard !== undefined) return this.invalidKeyboard(body.keyboard);
		return undefined;
	}

	private invalidKeyboard(keyboard: unknown): string | undefined {
		const board = keyboard as { Type?: unknown; Buttons?: unknown };
		if (!board || board.Type !== 'keyboard' || !Array.isArray(board.Buttons) || !board.Buttons.length) return 'keyboard: Type "keyboard" and Buttons are required';
		for (const button of board.Buttons as Array<Record<string, unknown>>) {
			if (typeof button.ActionBody !== 'string' || !button.ActionBody) return 'keyboard: every button needs ActionBody';
			if (button.ActionType !== undefined && !BUTTON_ACTIONS.includes(String(button.ActionType))) return `keyboard: unknown ActionType ${String(button.ActionType)}`;
			if (button.ActionType === 'open-url' && !/^https?:\/\//.test(button.ActionBody)) return 'keyboard: an open-url button needs a URL';
		}
		return undefined;
	}
}
