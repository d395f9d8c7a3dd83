/**
 * An in-process HTTP emulator of the parts of Meta's WhatsApp Cloud API (Graph) that the WhatsApp
 * (Cloud API) channel uses, plus Meta's side of the webhooks (the verification GET and signed
 * `whatsapp_business_account` notifications: messages and statuses). Test code only; Node
 * built-ins only. What it implements and which real-API facts it relies on: docs/channel-apis.md, "WhatsApp Cloud API".
 *
 *   const wa = await WhatsAppCloudEmulator.start();
 *   // credential: accessToken = wa.accessToken, appSecret = wa.appSecret, verifyToken, baseUrl = wa.url,
 *   // phoneNumberId = wa.phoneNumberId (wa.credentialData())
 *   await wa.deliver(webhookUrl, [wa.messageValue('4915112345678', { text: 'hi', name: 'Ada' })]);
 *   // ... the adapter replies through POST {wa.url}/v23.0/{phone-number-id}/messages (Bearer token)
 *   wa.messages; wa.requests; wa.deliveries; wa.statuses (what Meta would report per message)
 *   await wa.stop();
 *
 * Sending outside the 24-hour customer service window (or to a number that is not on WhatsApp) is
 * accepted (200 and a wamid) and then reported by a `failed` status (131047 / 131026), as the real
 * API does; `statusWebhook` posts every status to the trigger as Meta would.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { sendChunked } from './chunked';
import { hubSignature, hubSignatureSha1, metaJson } from './graph';
import { listen } from './listen';
import { boundaryFromContentType, MultipartParser } from './multipart';

// ---------------------------------------------------------------------------
// Constants (Meta's documented limits)
// ---------------------------------------------------------------------------

export const DEFAULT_WABA_ID = '102290129340398';
export const DEFAULT_PHONE_NUMBER_ID = '106540352242922';
export const DEFAULT_DISPLAY_NUMBER = '15550783881';
export const SECOND_PHONE_NUMBER_ID = '106540352242923';
export const SECOND_DISPLAY_NUMBER = '15550783882';
export const DEFAULT_ACCESS_TOKEN = 'EAAGwhatsappsystemusertoken0123456789abcdef';
export const DEFAULT_APP_SECRET = 'b1c2d3e4f5a60718293a4b5c6d7e8f90';
export const DEFAULT_VERIFY_TOKEN = 'n8n-whatsapp-verify-token';
export const DEFAULT_VERSION = 'v23.0';
export const WINDOW_MS = 24 * 60 * 60 * 1000;
export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;
export const MAX_INTERACTIVE_BODY = 1024;
/** A media URL from GET /{media-id} is valid for 5 minutes. */
export const MEDIA_URL_TTL_MS = 5 * 60 * 1000;

/** Supported media types and their size limits (Cloud API "Supported media types"). */
export const MEDIA_TYPES: Record<string, { kind: 'image' | 'audio' | 'video' | 'document' | 'sticker'; max: number }> = {
	'image/jpeg': { kind: 'image', max: 5 * 1024 * 1024 },
	'image/png': { kind: 'image', max: 5 * 1024 * 1024 },
	'image/webp': { kind: 'sticker', max: 500 * 1024 },
	'audio/aac': { kind: 'audio', max: 16 * 1024 * 1024 },
	'audio/amr': { kind: 'audio', max: 16 * 1024 * 1024 },
	'audio/mpeg': { kind: 'audio', max: 16 * 1024 * 1024 },
	'audio/mp4': { kind: 'audio', max: 16 * 1024 * 1024 },
	'audio/ogg': { kind: 'audio', max: 16 * 1024 * 1024 },
	'video/mp4': { kind: 'video', max: 16 * 1024 * 1024 },
	'video/3gpp': { kind: 'video', max: 16 * 1024 * 1024 },
	'text/plain': { kind: 'document', max: 100 * 1024 * 1024 },
	'application/pdf': { kind: 'document', max: 100 * 1024 * 1024 },
	'application/msword': { kind: 'document', max: 100 * 1024 * 1024 },
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': { kind: 'document', max: 100 * 1024 * 1024 },
	'application/vnd.ms-excel': { kind: 'document', max: 100 * 1024 * 1024 },
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { kind: 'document', max: 100 * 1024 * 1024 },
	'application/vnd.ms-powerpoint': { kind: 'document', max: 100 * 1024 * 1024 },
	'application/vnd.openxmlformats-officedocument.presentationml.presentation': { kind: 'document', max: 100 * 1024 * 1024 },
};

/** The error titles of the codes the emulator answers (Cloud API "Error codes"). */
export const ERROR_TITLES: Record<number, string> = {
	100: 'Invalid parameter',
	190: 'Access token has expired',
	4: 'Application request limit reached',
	80007: 'Rate limit issues',
	130429: 'Rate limit hit',
	131026: 'Message undeliverable',
	131047: 'Re-engagement message',
	131051: 'Unsupported message type',
	131053: 'Media upload error',
	131056: '(Business Account, Consumer Account) pair rate limit hit',
	131008: 'Required parameter is missing',
	131009: 'Parameter value is not valid',
	132000: 'Number of parameters does not match the expected number of params',
	132001: 'Template name does not exist in the translation',
	132012: 'Parameter format does not match format in the created template',
	131000: 'Something went wrong',
};

const MESSAGE_TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'reaction', 'template', 'interactive', 'location', 'contacts'] as const;
type MessageType = (typeof MESSAGE_TYPES)[number];

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

/** A template's header: a text (at most one placeholder) or a media format. */
export type TemplateHeader = { format: 'TEXT'; text: string } | { format: 'IMAGE' | 'DOCUMENT' | 'VIDEO' };
/** A template's button: a URL (dynamic with `{{1}}` at its end), a quick reply, a phone number. */
export type TemplateButton = { type: 'URL'; text: string; url: string } | { type: 'QUICK_REPLY'; text: string } | { type: 'PHONE_NUMBER'; text: string; phone_number: string };

interface Template {
	name: string;
	language: string;
	body: string;
	/** How many parameters the body takes. */
	params: number;
	/** The body's parameter names, for a template with named parameters; null: positional. */
	named: string[] | null;
	category: string;
	header?: TemplateHeader;
	buttons: TemplateButton[];
}

export interface PhoneNumber {
	id: string;
	display: string;
	verifiedName: string;
}

export interface StoredMedia {
	id: string;
	phoneNumberId: string;
	bytes: Buffer;
	mimeType: string;
	sha256: string;
	filename: string;
	/** Who put it there: the business (POST /media) or a customer (an inbound message's media). */
	from: 'upload' | 'customer';
}

export interface SentMessage {
	/** The wamid the API answered. */
	id: string;
	phoneNumberId: string;
	to: string;
	type: MessageType;
	/** The type's own object (`text`, `image`, `template`, …) as sent. */
	content: Record<string, unknown>;
	/** `context.message_id`: the message this one replies to. */
	replyTo: string | null;
	/** What the text shows (text body, caption, interactive body, template body filled in). */
	text: string | null;
	/** For media sent by id: the uploaded file. */
	upload: { filename: string; mimeType: string; size: number; sha256: string } | null;
	/** For media sent by link. */
	link: string | null;
	/** `accepted` or why the status webhook reports it failed. */
	outcome: 'accepted' | 131047 | 131026;
	at: number;
}

export interface ReadMark {
	phoneNumberId: string;
	messageId: string;
	typing: boolean;
	at: number;
}

export interface StatusObject {
	id: string;
	status: 'sent' | 'delivered' | 'read' | 'failed';
	timestamp: string;
	recipient_id: string;
	errors?: Array<{ code: number; title: string; message: string; error_data: { details: string }; href: string }>;
	[key: string]: unknown;
}

export interface ChangeValue {
	messaging_product: 'whatsapp';
	metadata: { display_phone_number: string; phone_number_id: string };
	contacts?: Array<{ profile: { name: string }; wa_id: string }>;
	messages?: Array<Record<string, unknown>>;
	statuses?: StatusObject[];
	errors?: Array<Record<string, unknown>>;
}

export interface RecordedRequest {
	method: string;
	path: string;
	version: string | null;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	/** Parsed JSON, or `{ fields, file }` for multipart (never file bytes). */
	body: unknown;
	token: 'valid' | 'invalid' | 'missing' | 'n/a';
	status: number;
	injected?: boolean;
}

export interface WebhookResult {
	kind: 'verify' | 'deliver';
	url: string;
	status: number;
	body: string;
	sent: string;
	signature: string | null;
	error?: string;
	attempts?: WebhookResult[];
}

export interface DeliverOptions {
	forgeSignature?: boolean;
	omitSignature?: boolean;
	appSecret?: string;
	rawBody?: string;
	/** `object` of the notification. Default 'whatsapp_business_account'. */
	object?: string;
	/** Waits before re-sending a notification that was not answered 2xx (Meta retries; docs/channel-apis.md). */
	retryDelaysMs?: number[];
	timeoutMs?: number;
}

export interface FailNextOptions {
	method?: string;
	path?: RegExp;
	count?: number;
	/** HTTP status; default 400 for Graph errors. */
	status?: number;
	/** A Graph error code (130429, 131056, 80007, 4 rate limits; 131047, 131026, 100 …). */
	code?: number;
	subcode?: number;
	message?: string;
	/** Process the request for real first (the answer is lost after the send). */
	afterAccepting?: boolean;
}

export interface WhatsAppCloudEmulatorOptions {
	wabaId?: string;
	phoneNumbers?: PhoneNumber[];
	accessToken?: string;
	appSecret?: string;
	verifyToken?: string;
	version?: string;
	/**
	 * How a free-form message outside the 24-hour window (or to a number not on WhatsApp) is refused:
	 * accepted and then reported by a `failed` status, as the real API does (default), or at once
	 * with the Graph error (`sync`), as the API also answers some senders.
	 */
	windowErrors?: 'status' | 'sync';
	port?: number;
}

class GraphError extends Error {
	constructor(
		readonly status: number,
		readonly code: number,
		message: string,
		readonly details?: string,
		readonly subcode?: number,
		readonly type = 'OAuthException',
	) {
		super(message);
	}
}

const invalid = (details: string, code = 100) =>
	new GraphError(400, code, code === 100 ? '(#100) Invalid parameter' : `(#${code}) ${ERROR_TITLES[code] ?? 'Error'}`, details);

type Reply = { status: number; json?: unknown; headers?: Record<string, string> } | { status: number; raw: Buffer; headers: Record<string, string> };

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const sha256hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fbtrace = () => randomBytes(8).toString('base64').replace(/[+/=]/g, 'A');
const mediaId = () => String(randomInt(1, 9)) + Array.from({ length: 15 }, () => randomInt(0, 10)).join('');
const seconds = (ms: number) => String(Math.floor(ms / 1000));
const digits = (value: string) => value.replace(/[^\d]/g, '');

// ---------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------

export class WhatsAppCloudEmulator {
	/** Stands for https://graph.facebook.com. */
	readonly url: string;
	readonly wabaId: string;
	readonly phoneNumbers: PhoneNumber[];
	readonly accessToken: string;
	readonly appSecret: string;
	readonly verifyToken: string;
	readonly version: string;
	readonly windowErrors: 'status' | 'sync';

	requests: RecordedRequest[] = [];
	/** Every message the API accepted (a 200 with a wamid), in order. */
	messages: SentMessage[] = [];
	/** Every `status: "read"` request (with or without a typing indicator). */
	readMarks: ReadMark[] = [];
	/** The statuses Meta would report for the accepted messages, in order. */
	statuses: Array<{ phoneNumberId: string; status: StatusObject }> = [];
	deliveries: WebhookResult[] = [];
	readonly media = new Map<string, StoredMedia>();
	/** `${phoneNumberId}:${waId}` → when that customer last wrote to that number. */
	readonly lastInbound = new Map<string, number>();
	/** Numbers that are not on WhatsApp (messages to them fail with 131026). */
	readonly unreachable = new Set<string>();
	/** Approved templates by `name:language`: their header, body placeholders and buttons. */
	readonly templates = new Map<string, Template>();
	/** The WABA's subscribed apps (POST /{waba-id}/subscribed_apps); false until subscribed. */
	subscribed = false;
	/** Where statuses go (the app's callback URL), posted as they happen; none by default. */
	statusWebhook: string | undefined;
	/** Fault injection: media downloads sent chunked (no Content-Length). */
	chunkedCdn = false;
	/** Fault injection: the origin of the media URLs GET /{media-id} answers (default: the emulator's). */
	mediaOrigin: string | undefined;

	private faults: Array<FailNextOptions & { remaining: number }> = [];
	private timeOffset = 0;
	private readonly abort = new AbortController();
	private readonly mediaTokens = new Map<string, { id: string; expires: number }>();
	private pendingPosts: Array<Promise<unknown>> = [];

	private constructor(
		private readonly server: http.Server,
		options: WhatsAppCloudEmulatorOptions,
	) {
		this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		this.wabaId = options.wabaId ?? DEFAULT_WABA_ID;
		this.phoneNumbers = options.phoneNumbers ?? [
			{ id: DEFAULT_PHONE_NUMBER_ID, display: DEFAULT_DISPLAY_NUMBER, verifiedName: 'n8n Test Shop' },
			{ id: SECOND_PHONE_NUMBER_ID, display: SECOND_DISPLAY_NUMBER, verifiedName: 'n8n Test Shop Support' },
		];
		this.accessToken = options.accessToken ?? DEFAULT_ACCESS_TOKEN;
		this.appSecret = options.appSecret ?? DEFAULT_APP_SECRET;
		this.verifyToken = options.verifyToken ?? DEFAULT_VERIFY_TOKEN;
		this.version = options.version ?? DEFAULT_VERSION;
		this.windowErrors = options.windowErrors ?? 'status';
		this.addTemplate('hello_world', 'en_US', 'Hello World', 'UTILITY');
		this.addTemplate('order_update', 'en_US', 'Hi {{1}}, your order {{2}} is on its way.', 'UTILITY');
		server.on('request', (req, res) => void this.handle(req, res));
	}

	static async start(options: WhatsAppCloudEmulatorOptions = {}): Promise<WhatsAppCloudEmulator> {
		const server = http.createServer();
		await listen(server, options.port);
		return new WhatsAppCloudEmulator(server, options);
	}

	async stop(): Promise<void> {
		this.abort.abort();
		await Promise.allSettled(this.pendingPosts);
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		this.server.closeAllConnections();
		await closed;
	}

	/** The first phone number (the credential's default sender). */
	get phoneNumberId(): string {
		return this.phoneNumbers[0].id;
	}

	/** The package's credential (teamSpiritWhatsAppCloudApi) for this emulator. */
	credentialData(): Record<string, string> {
		return {
			accessToken: this.accessToken,
			appSecret: this.appSecret,
			verifyToken: this.verifyToken,
			phoneNumberId: this.phoneNumberId,
			businessAccountId: this.wabaId,
			graphVersion: this.version,
			baseUrl: this.url,
		};
	}

	// ----- clock, window, seeding --------------------------------------------

	now(): number {
		return Date.now() + this.timeOffset;
	}

	advanceTime(ms: number): void {
		this.timeOffset += ms;
	}

	/** Records that `waId` wrote to `phoneNumberId` at `at` (opens the 24-hour window). */
	touch(waId: string, at: number = this.now(), phoneNumberId: string = this.phoneNumberId): void {
		this.lastInbound.set(`${phoneNumberId}:${digits(waId)}`, at);
	}

	/**
	 * An approved template. Its body's placeholders are positional (`{{1}}`) or named
	 * (`{{first_name}}`: the template's parameter_format NAMED); a header is a text (with at most
	 * one placeholder) or a media format; URL buttons with `{{1}}` in the URL take a suffix.
	 */
	addTemplate(name: string, language: string, body: string, category = 'UTILITY', more: { header?: TemplateHeader; buttons?: TemplateButton[] } = {}): void {
		const names = [...new Set([...body.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]))];
		const named = names.some((n) => !/^\d+$/.test(n));
		this.templates.set(`${name}:${language}`, { name, language, body, params: names.length, named: named ? names : null, category, header: more.header, buttons: more.buttons ?? [] });
	}

	/** Stores a file as media of `phoneNumberId` (a customer's, for inbound messages); its id. */
	addMedia(bytes: Buffer | string, mimeType: string, opts: { filename?: string; phoneNumberId?: string; from?: StoredMedia['from'] } = {}): string {
		const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
		const id = mediaId();
		this.media.set(id, {
			id,
			phoneNumberId: opts.phoneNumberId ?? this.phoneNumberId,
			bytes: buf,
			mimeType,
			sha256: sha256hex(buf),
			filename: opts.filename ?? `${id}.${mimeType.split('/')[1]?.split(/[;+]/)[0] || 'bin'}`,
			from: opts.from ?? 'customer',
		});
		return id;
	}

	private numberOf(phoneNumberId: string): PhoneNumber {
		const found = this.phoneNumbers.find((p) => p.id === phoneNumberId);
		if (!found) throw new Error(`no phone number ${phoneNumberId} in the emulator`);
		return found;
	}

	private newWamid(): string {
		return `wamid.${randomBytes(24).toString('base64')}`;
	}

	// ----- webhook builders ---------------------------------------------------

	private value(phoneNumberId: string): ChangeValue {
		const number = this.numberOf(phoneNumberId);
		return { messaging_product: 'whatsapp', metadata: { display_phone_number: number.display, phone_number_id: number.id } };
	}

	/**
	 * A `messages` change with one message from `from` (a wa_id). Media given as bytes is stored
	 * (GET /{media-id} serves it). Delivering it opens the sender's 24-hour window.
	 */
	messageValue(
		from: string,
		opts: {
			phoneNumberId?: string;
			name?: string;
			id?: string;
			timestamp?: number;
			text?: string;
			media?: { type: 'image' | 'audio' | 'video' | 'document' | 'sticker'; bytes: Buffer | string; mimeType: string; filename?: string; caption?: string; voice?: boolean } | { type: 'image' | 'audio' | 'video' | 'document' | 'sticker'; id: string; mimeType: string; filename?: string; caption?: string };
			replyTo?: string;
			/** Any other message body (`location`, `contacts`, `interactive`, `button`, `reaction`, `edit`, `revoke`, `unsupported` …). */
			type?: string;
			content?: Record<string, unknown>;
			errors?: Array<Record<string, unknown>>;
		} = {},
	): ChangeValue {
		const phoneNumberId = opts.phoneNumberId ?? this.phoneNumberId;
		const waId = digits(from);
		const message: Record<string, unknown> = {
			from: waId,
			id: opts.id ?? this.newWamid(),
			timestamp: seconds(opts.timestamp ?? this.now()),
		};
		if (opts.replyTo) message.context = { from: this.numberOf(phoneNumberId).display, id: opts.replyTo };
		if (opts.media) {
			const m = opts.media;
			const id = 'id' in m ? m.id : this.addMedia(m.bytes, m.mimeType, { filename: m.filename, phoneNumberId });
			const stored = this.media.get(id);
			const body: Record<string, unknown> = { id, mime_type: m.mimeType, sha256: stored?.sha256 ?? '' };
			if (m.caption !== undefined) body.caption = m.caption;
			if (m.type === 'document') body.filename = m.filename ?? stored?.filename ?? 'file';
			if (m.type === 'audio') body.voice = 'voice' in m ? m.voice === true : false;
			if (m.type === 'sticker') body.animated = false;
			message.type = m.type;
			message[m.type] = body;
		} else if (opts.type) {
			message.type = opts.type;
			if (opts.content) message[opts.type] = opts.content;
			if (opts.errors) message.errors = opts.errors;
		} else {
			message.type = 'text';
			message.text = { body: opts.text ?? '' };
		}
		return {
			...this.value(phoneNumberId),
			contacts: [{ profile: { name: opts.name ?? 'Test Customer' }, wa_id: waId }],
			messages: [message],
		};
	}

	/** A `messages` change with statuses (of messages the business sent). */
	statusValue(statuses: StatusObject[], phoneNumberId: string = this.phoneNumberId): ChangeValue {
		return { ...this.value(phoneNumberId), statuses };
	}

	/** A status object: `failed` gets the error of `code` (131047 by default). */
	status(id: string, status: StatusObject['status'], recipientId: string, code?: number): StatusObject {
		const out: StatusObject = { id, status, timestamp: seconds(this.now()), recipient_id: digits(recipientId) };
		if (status !== 'failed') {
			out.pricing = { billable: true, pricing_model: 'PMP', category: 'service', type: 'regular' };
			return out;
		}
		const failure = code ?? 131047;
		const details: Record<number, string> = {
			131047: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
			131026: 'Message Undeliverable.',
		};
		out.errors = [
			{
				code: failure,
				title: ERROR_TITLES[failure] ?? 'Error',
				message: ERROR_TITLES[failure] ?? 'Error',
				error_data: { details: details[failure] ?? ERROR_TITLES[failure] ?? 'Error' },
				href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
			},
		];
		return out;
	}

	// ----- the webhook side ---------------------------------------------------

	/** Meta's verification GET: `?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…`. */
	async verify(url: string, opts: { mode?: string; token?: string; challenge?: string } = {}): Promise<WebhookResult & { challenge: string; ok: boolean }> {
		const challenge = opts.challenge ?? String(randomInt(100_000_000, 2_000_000_000));
		const target = new URL(url);
		target.searchParams.set('hub.mode', opts.mode ?? 'subscribe');
		target.searchParams.set('hub.challenge', challenge);
		target.searchParams.set('hub.verify_token', opts.token ?? this.verifyToken);
		const result = { kind: 'verify' as const, url, status: 0, body: '', sent: target.search, signature: null, challenge, ok: false, error: undefined as string | undefined };
		try {
			const res = await fetch(target, { redirect: 'manual', signal: AbortSignal.any([AbortSignal.timeout(15_000), this.abort.signal]) });
			result.status = res.status;
			result.body = await res.text();
			result.ok = res.status === 200 && result.body === challenge;
		} catch (e) {
			result.error = (e as Error).message;
		}
		this.deliveries.push(result);
		return result;
	}

	/**
	 * POSTs a signed notification `{object: "whatsapp_business_account", entry: [{id: WABA, changes:
	 * [{value, field: "messages"}]}]}` with every value as one change of one entry. Messages from
	 * customers open their 24-hour window.
	 */
	async deliver(url: string, values: ChangeValue[], opts: DeliverOptions = {}): Promise<WebhookResult> {
		for (const value of values) {
			for (const message of value.messages ?? []) {
				if (typeof message.from === 'string') this.touch(message.from, Number(message.timestamp) * 1000 || this.now(), value.metadata.phone_number_id);
			}
		}
		const payload = {
			object: opts.object ?? 'whatsapp_business_account',
			entry: [{ id: this.wabaId, changes: values.map((value) => ({ value, field: 'messages' })) }],
		};
		const raw = opts.rawBody ?? metaJson(payload);
		const secret = opts.appSecret ?? this.appSecret;
		let signature: string | null = hubSignature(secret, raw);
		if (opts.omitSignature) signature = null;
		else if (opts.forgeSignature) signature = hubSignature(randomBytes(16).toString('hex'), raw);
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'user-agent': 'facebookexternalua',
			...(signature !== null ? { 'x-hub-signature-256': signature, 'x-hub-signature': hubSignatureSha1(secret, raw) } : {}),
		};
		const retries = [...(opts.retryDelaysMs ?? [])];
		const attempts: WebhookResult[] = [];
		for (;;) {
			const result: WebhookResult = { kind: 'deliver', url, status: 0, body: '', sent: raw, signature };
			try {
				const res = await fetch(url, {
					method: 'POST',
					headers,
					body: raw,
					redirect: 'manual',
					signal: AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 15_000), this.abort.signal]),
				});
				result.status = res.status;
				result.body = await res.text();
			} catch (e) {
				result.error = (e as Error).message;
			}
			this.deliveries.push(result);
			attempts.push(result);
			const wait = retries.shift();
			if ((result.status >= 200 && result.status < 300) || wait === undefined || this.abort.signal.aborted) {
				if (opts.retryDelaysMs) result.attempts = attempts;
				return result;
			}
			await new Promise((resolve) => setTimeout(resolve, wait));
		}
	}

	/** Waits until every status posted to `statusWebhook` so far was answered. */
	async settled(): Promise<void> {
		await Promise.allSettled(this.pendingPosts);
	}

	// ----- inspection ---------------------------------------------------------

	messagesTo(waId: string): SentMessage[] {
		return this.messages.filter((m) => m.to === digits(waId));
	}

	// ----- fault injection ----------------------------------------------------

	/** The next matching request fails with a Graph error (`code`) or an HTTP status. */
	failNext(opts: FailNextOptions): void {
		if (opts.status === undefined && opts.code === undefined) throw new Error('failNext: give status or code');
		this.faults.push({ ...opts, remaining: opts.count ?? 1 });
	}

	clearFaults(): void {
		this.faults = [];
	}

	private takeFault(method: string, p: string) {
		const rule = this.faults.find((f) => (!f.method || f.method.toUpperCase() === method) && (!f.path || f.path.test(p)));
		if (!rule) return undefined;
		if (--rule.remaining <= 0) this.faults = this.faults.filter((f) => f !== rule);
		return rule;
	}

	private faultError(rule: FailNextOptions): GraphError {
		if (rule.code !== undefined) {
			const title = ERROR_TITLES[rule.code] ?? 'Error';
			return new GraphError(rule.status ?? 400, rule.code, rule.message ?? `(#${rule.code}) ${title}`, title, rule.subcode);
		}
		const status = rule.status as number;
		if (status === 429) return new GraphError(429, 130429, '(#130429) Rate limit hit', 'Cloud API message throughput has been reached.');
		return new GraphError(status, status >= 500 ? 1 : 2, status >= 500 ? 'An unknown error occurred' : 'An unexpected error has occurred. Please retry your request later.');
	}

	// ----- request handling ---------------------------------------------------

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const method = (req.method ?? 'GET').toUpperCase();
		const url = new URL(req.url ?? '/', 'http://emulator.invalid');
		const vm = /^\/(v\d+\.\d+)(\/.*)?$/.exec(url.pathname);
		const rec: RecordedRequest = {
			method,
			path: url.pathname,
			version: vm ? vm[1] : null,
			query: Object.fromEntries(url.searchParams),
			headers: req.headers,
			body: undefined,
			token: 'n/a',
			status: 0,
		};
		this.requests.push(rec);
		let reply: Reply;
		try {
			if (url.pathname.startsWith('/media-cdn/')) {
				await this.drain(req);
				reply = this.serveMedia(req, rec, method, url);
			} else {
				const fault = this.takeFault(method, url.pathname);
				if (fault && !fault.afterAccepting) {
					rec.injected = true;
					await this.drain(req);
					throw this.faultError(fault);
				}
				const parsed = await this.parse(req);
				rec.body = parsed.body;
				this.checkAuth(req, rec);
				reply = this.dispatch(method, vm ? (vm[2] ?? '/') : url.pathname, parsed, url);
				if (fault) {
					rec.injected = true;
					throw this.faultError(fault);
				}
			}
		} catch (e) {
			reply = this.errorReply(e);
		}
		if (res.destroyed || !res.socket || res.socket.destroyed) return;
		rec.status = reply.status;
		this.send(res, reply);
	}

	private async drain(req: http.IncomingMessage): Promise<void> {
		for await (const _chunk of req as AsyncIterable<Buffer>) {
			// discard
		}
	}

	private errorReply(e: unknown): Reply {
		const trace = fbtrace();
		if (e instanceof GraphError) {
			const error: Record<string, unknown> = { message: e.message, type: e.type, code: e.code };
			if (e.details !== undefined) error.error_data = { messaging_product: 'whatsapp', details: e.details };
			if (e.subcode !== undefined) error.error_subcode = e.subcode;
			error.fbtrace_id = trace;
			return { status: e.status, headers: { 'x-fb-trace-id': trace }, json: { error } };
		}
		return { status: 500, headers: { 'x-fb-trace-id': trace }, json: { error: { message: (e as Error).message, type: 'OAuthException', code: 1, fbtrace_id: trace } } };
	}

	private send(res: http.ServerResponse, reply: Reply): void {
		if ('raw' in reply && reply.headers['x-emulator-chunked']) {
			sendChunked(res, reply.status, reply.headers, reply.raw);
			return;
		}
		if ('raw' in reply) {
			res.writeHead(reply.status, { ...reply.headers, 'content-length': String(reply.raw.length) });
			res.end(reply.raw);
			return;
		}
		const payload = Buffer.from(JSON.stringify(reply.json ?? {}));
		res.writeHead(reply.status, { ...reply.headers, 'content-type': 'application/json; charset=UTF-8', 'content-length': String(payload.length) });
		res.end(payload);
	}

	private checkAuth(req: http.IncomingMessage, rec: RecordedRequest): void {
		const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
		const token = header?.[1] ?? rec.query.access_token;
		if (!token) {
			rec.token = 'missing';
			throw new GraphError(401, 190, 'An access token is required to request this resource.', undefined, undefined);
		}
		if (token !== this.accessToken) {
			rec.token = 'invalid';
			throw new GraphError(401, 190, 'Invalid OAuth access token - Cannot parse access token');
		}
		rec.token = 'valid';
	}

	/** A media file's bytes: only with the token, only while its URL is fresh. */
	private serveMedia(req: http.IncomingMessage, rec: RecordedRequest, method: string, url: URL): Reply {
		const text = (status: number, s: string): Reply => ({ status, raw: Buffer.from(s), headers: { 'content-type': 'text/plain' } });
		const m = /^\/media-cdn\/(\d+)$/.exec(url.pathname);
		const entry = this.mediaTokens.get(url.searchParams.get('hash') ?? '');
		const item = m ? this.media.get(m[1]) : undefined;
		if (method !== 'GET' || !item || !entry || entry.id !== item.id) return text(404, 'Not Found');
		const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
		rec.token = header ? (header[1] === this.accessToken ? 'valid' : 'invalid') : 'missing';
		if (rec.token !== 'valid') return text(401, 'Unauthorized');
		if (this.now() > entry.expires) return text(404, 'URL expired');
		return { status: 200, raw: item.bytes, headers: { 'content-type': item.mimeType, ...(this.chunkedCdn ? { 'x-emulator-chunked': '1' } : {}) } };
	}

	private async parse(req: http.IncomingMessage): Promise<{ json: Record<string, unknown>; file: { filename: string; contentType: string; bytes: Buffer; size: number } | null; body: unknown }> {
		const boundary = boundaryFromContentType(req.headers['content-type']);
		if (boundary) {
			const fields: Record<string, string> = {};
			let file: { filename: string; contentType: string; chunks: Buffer[]; size: number } | null = null;
			const parser = new MultipartParser(boundary, (part) => {
				if (part.filename !== undefined) {
					const f = { filename: part.filename, contentType: part.contentType ?? 'application/octet-stream', chunks: [] as Buffer[], size: 0 };
					if (!file) file = f;
					return { write: (c: Buffer) => { f.size += c.length; if (f.size <= 110 * 1024 * 1024) f.chunks.push(c); }, end: () => undefined };
				}
				const chunks: Buffer[] = [];
				return { write: (c: Buffer) => void chunks.push(c), end: () => void (fields[part.name] = Buffer.concat(chunks).toString('utf8')) };
			});
			let broken: string | undefined;
			for await (const chunk of req as AsyncIterable<Buffer>) {
				if (broken) continue;
				try {
					await parser.write(chunk);
				} catch (e) {
					broken = (e as Error).message;
				}
			}
			if (!broken) await parser.end().catch((e: Error) => (broken = e.message));
			const f = file as { filename: string; contentType: string; chunks: Buffer[]; size: number } | null;
			const bytes = f ? Buffer.concat(f.chunks) : Buffer.alloc(0);
			const body = { fields, file: f ? { filename: f.filename, contentType: f.contentType, size: f.size, sha256: sha256hex(bytes) } : null };
			if (broken) throw invalid(`Malformed multipart body: ${broken}`);
			return { json: fields, file: f ? { filename: f.filename, contentType: f.contentType, bytes, size: f.size } : null, body };
		}
		const chunks: Buffer[] = [];
		for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
		const raw = Buffer.concat(chunks).toString('utf8');
		if (!raw) return { json: {}, file: null, body: undefined };
		let body: unknown;
		try {
			body = JSON.parse(raw);
		} catch {
			throw invalid('Invalid JSON in request body');
		}
		if (!isObject(body)) throw invalid('Request body must be a JSON object');
		return { json: body, file: null, body };
	}

	private unknownPath(method: string, p: string): GraphError {
		return new GraphError(400, 100, `Unsupported ${method.toLowerCase()} request. Object with ID '${p.split('/')[1] ?? ''}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, undefined, 33, 'GraphMethodException');
	}

	private dispatch(method: string, p: string, parsed: { json: Record<string, unknown>; file: { filename: string; contentType: string; bytes: Buffer; size: number } | null }, url: URL): Reply {
		const [node, edge, ...more] = p.split('/').filter(Boolean);
		if (!node || more.length) throw this.unknownPath(method, p);
		const number = this.phoneNumbers.find((n) => n.id === node);
		if (number) {
			if (!edge && method === 'GET') return { status: 200, json: this.numberView(number) };
			if (edge === 'messages' && method === 'POST') return this.sendMessage(number, parsed.json);
			if (edge === 'media' && method === 'POST') return this.upload(number, parsed.json, parsed.file);
			throw this.unknownPath(method, p);
		}
		if (node === this.wabaId) {
			if (!edge && method === 'GET') return { status: 200, json: { id: this.wabaId, name: 'n8n Test WABA', currency: 'USD', timezone_id: '1' } };
			if (edge === 'phone_numbers' && method === 'GET') return { status: 200, json: { data: this.phoneNumbers.map((n) => this.numberView(n)) } };
			if (edge === 'message_templates' && method === 'GET') {
				const data = [...this.templates.values()].map((t) => ({
					name: t.name,
					language: t.language,
					status: 'APPROVED',
					category: t.category,
					parameter_format: t.named ? 'NAMED' : 'POSITIONAL',
					components: [
						...(t.header ? [{ type: 'HEADER', ...t.header }] : []),
						{ type: 'BODY', text: t.body },
						...(t.buttons.length ? [{ type: 'BUTTONS', buttons: t.buttons }] : []),
					],
					id: mediaId(),
				}));
				return { status: 200, json: { data } };
			}
			if (edge === 'subscribed_apps') {
				if (method === 'GET') return { status: 200, json: { data: this.subscribed ? [{ whatsapp_business_api_data: { id: '200000000000002', link: 'https://example.invalid/app', name: 'n8n' } }] : [] } };
				if (method === 'POST') return (this.subscribed = true), { status: 200, json: { success: true } };
				if (method === 'DELETE') return (this.subscribed = false), { status: 200, json: { success: true } };
			}
			throw this.unknownPath(method, p);
		}
		const stored = this.media.get(node);
		if (stored && !edge) {
			const owner = url.searchParams.get('phone_number_id');
			if (owner && owner !== stored.phoneNumberId) throw invalid('The media does not belong to this phone number');
			if (method === 'GET') {
				const hash = randomBytes(16).toString('hex');
				this.mediaTokens.set(hash, { id: stored.id, expires: this.now() + MEDIA_URL_TTL_MS });
				return {
					status: 200,
					json: { messaging_product: 'whatsapp', url: `${this.mediaOrigin ?? this.url}/media-cdn/${stored.id}?ext=${Math.floor(this.now() / 1000)}&hash=${hash}`, mime_type: stored.mimeType, sha256: stored.sha256, file_size: stored.bytes.length, id: stored.id },
				};
			}
			if (method === 'DELETE') return this.media.delete(node), { status: 200, json: { success: true } };
		}
		throw this.unknownPath(method, p);
	}

	private numberView(n: PhoneNumber): Record<string, unknown> {
		return { verified_name: n.verifiedName, display_phone_number: `+${n.display}`, id: n.id, quality_rating: 'GREEN', code_verification_status: 'VERIFIED' };
	}

	// ----- media upload -------------------------------------------------------

	private upload(number: PhoneNumber, fields: Record<string, unknown>, file: { filename: string; contentType: string; bytes: Buffer; size: number } | null): Reply {
		if (fields.messaging_product !== 'whatsapp') throw invalid('The parameter messaging_product is required.', 131008);
		if (!file) throw invalid('The parameter file is required.', 131008);
		const type = String(fields.type ?? file.contentType).split(';')[0].trim().toLowerCase();
		const rule = MEDIA_TYPES[type];
		if (!rule) throw invalid(`Param file must be a file with one of the following types: ${Object.keys(MEDIA_TYPES).join(', ')}. Received file of type '${type}'.`);
		if (file.size > rule.max) throw invalid(`File size exceeds the ${rule.max / 1024 / 1024} MB limit for ${rule.kind}`, 131053);
		const id = this.addMedia(file.bytes, type, { filename: file.filename, phoneNumberId: number.id, from: 'upload' });
		return { status: 200, json: { id } };
	}

	// ----- sending ------------------------------------------------------------

	private sendMessage(number: PhoneNumber, body: Record<string, unknown>): Reply {
		if (body.messaging_product !== 'whatsapp') throw invalid('The parameter messaging_product is required.', 131008);
		if (body.status !== undefined) return this.markRead(number, body);
		const to = typeof body.to === 'string' ? digits(body.to) : '';
		if (!to) throw invalid('The parameter to is required.', 131008);
		if (body.recipient_type !== undefined && body.recipient_type !== 'individual') throw invalid('recipient_type must be individual');
		const type = (body.type ?? 'text') as MessageType;
		if (!(MESSAGE_TYPES as readonly string[]).includes(type)) throw invalid(`Param type must be one of {${MESSAGE_TYPES.join(', ')}} - got "${String(type)}".`);
		const content = body[type];
		if (!isObject(content) && !(type === 'contacts' && Array.isArray(content))) throw invalid(`The parameter ${type} is required.`, 131008);
		const context = body.context;
		let replyTo: string | null = null;
		if (context !== undefined) {
			if (!isObject(context) || typeof context.message_id !== 'string' || !context.message_id) throw invalid('context.message_id must be a message id');
			replyTo = context.message_id;
		}
		const checked = this.validate(number, type, content as Record<string, unknown>);
		const message: SentMessage = {
			id: this.newWamid(),
			phoneNumberId: number.id,
			to,
			type,
			content: content as Record<string, unknown>,
			replyTo,
			text: checked.text,
			upload: checked.upload,
			link: checked.link,
			outcome: 'accepted',
			at: this.now(),
		};
		const last = this.lastInbound.get(`${number.id}:${to}`);
		if (this.unreachable.has(to)) message.outcome = 131026;
		else if (type !== 'template' && (last === undefined || this.now() - last >= WINDOW_MS)) message.outcome = 131047;
		if (message.outcome !== 'accepted' && this.windowErrors === 'sync') {
			const code = message.outcome;
			throw new GraphError(400, code, `(#${code}) ${ERROR_TITLES[code]}`, this.status('', 'failed', to, code).errors?.[0]?.error_data.details);
		}
		this.messages.push(message);
		this.report(number.id, message);
		const answer: Record<string, unknown> = { id: message.id };
		if (type === 'template') answer.message_status = 'accepted';
		return { status: 200, json: { messaging_product: 'whatsapp', contacts: [{ input: String(body.to), wa_id: to }], messages: [answer] } };
	}

	/** The statuses Meta reports for an accepted message: sent (and delivered), or failed. */
	private report(phoneNumberId: string, message: SentMessage): void {
		const statuses = message.outcome === 'accepted' ? [this.status(message.id, 'sent', message.to), this.status(message.id, 'delivered', message.to)] : [this.status(message.id, 'failed', message.to, message.outcome)];
		for (const status of statuses) {
			this.statuses.push({ phoneNumberId, status });
			if (this.statusWebhook) {
				const url = this.statusWebhook;
				this.pendingPosts.push(this.deliver(url, [this.statusValue([status], phoneNumberId)]).catch(() => undefined));
			}
		}
	}

	private markRead(number: PhoneNumber, body: Record<string, unknown>): Reply {
		if (body.status !== 'read') throw invalid('status must be read');
		if (typeof body.message_id !== 'string' || !body.message_id.startsWith('wamid.')) throw invalid('The parameter message_id is required.', 131008);
		const typing = body.typing_indicator;
		if (typing !== undefined && (!isObject(typing) || typing.type !== 'text')) throw invalid('typing_indicator.type must be text');
		this.readMarks.push({ phoneNumberId: number.id, messageId: body.message_id, typing: typing !== undefined, at: this.now() });
		return { status: 200, json: { success: true } };
	}

	private validate(number: PhoneNumber, type: MessageType, content: Record<string, unknown>): { text: string | null; upload: SentMessage['upload']; link: string | null } {
		const none = { text: null, upload: null, link: null };
		switch (type) {
			case 'text': {
				const body = content.body;
				if (typeof body !== 'string' || !body.trim()) throw invalid('The parameter text.body is required.', 131008);
				if (body.length > MAX_TEXT_LENGTH) throw invalid(`Param text.body must be at most ${MAX_TEXT_LENGTH} characters long.`);
				return { ...none, text: body };
			}
			case 'reaction': {
				if (typeof content.message_id !== 'string' || !content.message_id) throw invalid('The parameter reaction.message_id is required.', 131008);
				if (typeof content.emoji !== 'string') throw invalid('The parameter reaction.emoji is required.', 131008);
				// one emoji, or "" to take the reaction back
				if (content.emoji && !/^\p{Extended_Pictographic}/u.test(content.emoji)) throw invalid('Parameter value is not valid: reaction.emoji must be an emoji.', 131009);
				return { ...none, text: content.emoji };
			}
			case 'template':
				return { ...none, text: this.template(number, content) };
			case 'interactive':
				return { ...none, text: this.interactive(content) };
			case 'location':
			case 'contacts':
				return none;
			default:
				return this.mediaMessage(number, type, content);
		}
	}

	private mediaMessage(number: PhoneNumber, type: MessageType, content: Record<string, unknown>): { text: string | null; upload: SentMessage['upload']; link: string | null } {
		const hasId = content.id !== undefined;
		const hasLink = content.link !== undefined;
		if (hasId === hasLink) throw invalid(`Exactly one of ${type}.id and ${type}.link is required.`, 131008);
		const caption = content.caption;
		if (caption !== undefined) {
			if (!['image', 'video', 'document'].includes(type)) throw invalid(`Param ${type}.caption is not supported for ${type}.`);
			if (typeof caption !== 'string' || caption.length > MAX_CAPTION_LENGTH) throw invalid(`Param ${type}.caption must be at most ${MAX_CAPTION_LENGTH} characters long.`);
		}
		if (content.filename !== undefined && type !== 'document') throw invalid(`Param ${type}.filename is only for documents.`);
		const text = typeof caption === 'string' ? caption : null;
		if (hasLink) {
			if (typeof content.link !== 'string' || !/^https?:\/\/\S+$/i.test(content.link)) throw invalid(`Param ${type}.link must be a valid URL.`);
			return { text, upload: null, link: content.link };
		}
		const stored = this.media.get(String(content.id));
		if (!stored || stored.phoneNumberId !== number.id) throw invalid(`Invalid media id ${String(content.id)}`, 131009);
		const rule = MEDIA_TYPES[stored.mimeType];
		if (!rule || (rule.kind !== type && !(type === 'document'))) throw invalid(`The media ${stored.id} (${stored.mimeType}) cannot be sent as ${type}.`, 131053);
		const filename = typeof content.filename === 'string' ? content.filename : stored.filename;
		return { text, upload: { filename, mimeType: stored.mimeType, size: stored.bytes.length, sha256: stored.sha256 }, link: null };
	}

	/**
	 * A template message checked as Meta checks it against the approved template: the header's
	 * parameter (its text, or a media object of the header's format), the body's parameters
	 * (positional in order, or named with `parameter_name`), a parameter for each dynamic URL button
	 * (`sub_type: url`) and optional quick-reply payloads. A wrong count is 132000, a parameter of
	 * another kind than the template's 132012. Returns the body filled in.
	 */
	private template(number: PhoneNumber, content: Record<string, unknown>): string {
		const name = content.name;
		const language = isObject(content.language) ? content.language.code : undefined;
		if (typeof name !== 'string' || !name) throw invalid('The parameter template.name is required.', 131008);
		if (typeof language !== 'string' || !language) throw invalid('The parameter template.language.code is required.', 131008);
		const template = this.templates.get(`${name}:${language}`);
		if (!template) throw new GraphError(404, 132001, '(#132001) Template name does not exist in the translation', `template name (${name}) does not exist in ${language}`);
		if (content.components !== undefined && !Array.isArray(content.components)) throw invalid('Param template.components must be an array.');
		const components = (Array.isArray(content.components) ? content.components : []) as unknown[];
		if (components.some((c) => !isObject(c))) throw invalid('Each template component must be an object.');
		const of = (type: string) => (components as Array<Record<string, unknown>>).filter((c) => String(c.type).toLowerCase() === type);
		const paramsOf = (c: Record<string, unknown> | undefined) => (c && Array.isArray(c.parameters) ? (c.parameters as unknown[]) : []);
		const count = (where: string, got: number, expected: number) => {
			if (got !== expected)
				throw new GraphError(400, 132000, `(#${132000}) ${ERROR_TITLES[132000]}`, `${where}: number of localizable_params (${got}) does not match the expected number of params (${expected})`);
		};
		const format = (details: string) => new GraphError(400, 132012, `(#${132012}) ${ERROR_TITLES[132012]}`, details);
		const textOf = (p: unknown, where: string): string => {
			if (!isObject(p) || p.type !== 'text') throw format(`${where}: expected a text parameter`);
			if (typeof p.text !== 'string' || !p.text.trim()) throw invalid(`${where}: the parameter text is required`, 131008);
			return p.text;
		};
		// header
		const header = template.header;
		const headerParams = paramsOf(of('header')[0]);
		if (!header || header.format === 'TEXT') {
			const expected = header ? new Set(header.text.match(/\{\{\w+\}\}/g) ?? []).size : 0;
			count('header', headerParams.length, expected);
			headerParams.forEach((p, i) => {
				textOf(p, `header parameter ${i + 1}`);
				if (template.named && typeof (p as Record<string, unknown>).parameter_name !== 'string') throw format('header: this template has named parameters: parameter_name is required');
			});
		} else {
			count('header', headerParams.length, 1);
			const kind = header.format.toLowerCase();
			const p = headerParams[0];
			if (!isObject(p) || p.type !== kind || !isObject(p[kind])) throw format(`header: expected a parameter of type ${kind}`);
			const media = p[kind] as Record<string, unknown>;
			if (typeof media.link === 'string') {
				if (!/^https?:\/\/\S+$/.test(media.link)) throw invalid(`header: ${kind}.link is not a URL`, 131009);
			} else if (typeof media.id === 'string') {
				const stored = this.media.get(media.id);
				if (!stored || stored.phoneNumberId !== number.id) throw invalid(`Invalid media id ${media.id}`, 131009);
			} else throw invalid(`header: ${kind}.link or ${kind}.id is required`, 131008);
		}
		// body
		const bodyParams = paramsOf(of('body')[0]);
		count('body', bodyParams.length, template.params);
		const values = new Map<string, string>();
		bodyParams.forEach((p, i) => {
			const value = textOf(p, `body parameter ${i + 1}`);
			const parameterName = (p as Record<string, unknown>).parameter_name;
			if (!template.named) {
				if (parameterName !== undefined) throw format('body: this template has positional parameters: parameter_name is not expected');
				values.set(String(i + 1), value);
				return;
			}
			if (typeof parameterName !== 'string') throw format('body: this template has named parameters: parameter_name is required');
			if (!template.named.includes(parameterName)) throw invalid(`body: the template has no parameter named ${parameterName}`, 132000);
			values.set(parameterName, value);
		});
		if (template.named && values.size !== template.named.length) count('body', values.size, template.named.length);
		// buttons: one component per button given, by index
		const given = new Map<number, Record<string, unknown>>();
		for (const button of of('button')) {
			const index = Number(button.index);
			const defined = template.buttons[index];
			if (!Number.isInteger(index) || !defined) throw invalid(`button: the template has no button at index ${String(button.index)}`, 131009);
			const subType = String(button.sub_type ?? '').toLowerCase();
			if ((defined.type === 'URL' && subType !== 'url') || (defined.type === 'QUICK_REPLY' && subType !== 'quick_reply') || defined.type === 'PHONE_NUMBER')
				throw format(`button ${index}: the template's button is ${defined.type}, not ${subType || 'given a sub_type'}`);
			if (given.has(index)) throw invalid(`button: index ${index} given twice`);
			given.set(index, button);
		}
		template.buttons.forEach((defined, index) => {
			const params = paramsOf(given.get(index));
			if (defined.type === 'URL') {
				count(`button ${index}`, params.length, defined.url.includes('{{') ? 1 : 0);
				params.forEach((p) => textOf(p, `button ${index} parameter`));
			} else if (defined.type === 'QUICK_REPLY' && params.length) {
				count(`button ${index}`, params.length, 1);
				const p = params[0];
				if (!isObject(p) || p.type !== 'payload') throw format(`button ${index}: expected a payload parameter`);
				if (typeof p.payload !== 'string' || !p.payload) throw invalid(`button ${index}: the parameter payload is required`, 131008);
			}
		});
		return template.body.replace(/\{\{(\w+)\}\}/g, (_, n: string) => values.get(n) ?? '');
	}

	private interactive(content: Record<string, unknown>): string {
		const kind = content.type;
		const body = isObject(content.body) ? content.body.text : undefined;
		if (typeof body !== 'string' || !body.trim()) throw invalid('The parameter interactive.body.text is required.', 131008);
		if (body.length > MAX_INTERACTIVE_BODY) throw invalid(`Param interactive.body.text must be at most ${MAX_INTERACTIVE_BODY} characters long.`);
		const action = isObject(content.action) ? content.action : undefined;
		if (!action) throw invalid('The parameter interactive.action is required.', 131008);
		if (kind === 'button') {
			const buttons = action.buttons;
			if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) throw invalid('Param interactive.action.buttons must have 1 to 3 elements.');
			const ids = new Set<string>();
			const titles = new Set<string>();
			for (const [i, b] of buttons.entries()) {
				const reply = isObject(b) && b.type === 'reply' && isObject(b.reply) ? b.reply : undefined;
				if (!reply || typeof reply.id !== 'string' || typeof reply.title !== 'string') throw invalid(`Param interactive.action.buttons[${i}] must be a reply button with id and title.`);
				if (!reply.id || reply.id.length > 256) throw invalid(`Param interactive.action.buttons[${i}].reply.id must be 1 to 256 characters long.`);
				if (!reply.title || reply.title.length > 20) throw invalid(`Param interactive.action.buttons[${i}].reply.title must be 1 to 20 characters long.`);
				if (ids.has(reply.id) || titles.has(reply.title)) throw invalid('Reply buttons must have unique ids and titles.');
				ids.add(reply.id);
				titles.add(reply.title);
			}
			return body;
		}
		if (kind === 'list') {
			if (typeof action.button !== 'string' || !action.button || action.button.length > 20) throw invalid('Param interactive.action.button must be 1 to 20 characters long.');
			const sections = action.sections;
			if (!Array.isArray(sections) || sections.length < 1 || sections.length > 10) throw invalid('Param interactive.action.sections must have 1 to 10 elements.');
			let rows = 0;
			const ids = new Set<string>();
			for (const section of sections) {
				if (!isObject(section) || !Array.isArray(section.rows) || section.rows.length < 1) throw invalid('Each section needs rows.');
				if (sections.length > 1 && (typeof section.title !== 'string' || !section.title)) throw invalid('Sections need a title when there are several.');
				for (const row of section.rows) {
					rows++;
					if (!isObject(row) || typeof row.id !== 'string' || !row.id || row.id.length > 200) throw invalid('Row ids must be 1 to 200 characters long.');
					if (typeof row.title !== 'string' || !row.title || row.title.length > 24) throw invalid('Row titles must be 1 to 24 characters long.');
					if (row.description !== undefined && (typeof row.description !== 'string' || row.description.length > 72)) throw invalid('Row descriptions must be at most 72 characters long.');
					if (ids.has(row.id)) throw invalid('Row ids must be unique.');
					ids.add(row.id);
				}
			}
			if (rows > 10) throw invalid('A list message has at most 10 rows.', 131009);
			return body;
		}
		if (kind === 'cta_url') {
			const params = isObject(action.parameters) ? action.parameters : undefined;
			if (action.name !== 'cta_url' || !params) throw invalid('Param interactive.action.name must be cta_url with parameters.');
			if (typeof params.display_text !== 'string' || !params.display_text || params.display_text.length > 20) throw invalid('Param display_text must be 1 to 20 characters long.');
			if (typeof params.url !== 'string' || !/^https?:\/\/\S+$/i.test(params.url)) throw invalid('Param url must be a valid URL.');
			return body;
		}
		throw invalid(`Param interactive.type must be one of {button, list, cta_url} - got "${String(kind)}".`);
	}
}
