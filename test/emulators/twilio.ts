/**
 * An in-process HTTP emulator of the parts of Twilio's 2010-04-01 REST API that the WhatsApp
 * channel uses, plus Twilio's side of the webhooks (signed inbound messages and status callbacks).
 * Test code only; Node built-ins only. What it implements and which real-API facts it relies on:
 * docs/channel-apis.md.
 *
 *   const tw = await TwilioEmulator.start();
 *   // credentials: accountSid = tw.accountSid, authToken = tw.authToken, base URL = tw.url
 *   await tw.sendInbound(webhookUrl, { From: 'whatsapp:+15551234567', Body: 'hi' });
 *   // ... the adapter replies through POST {tw.url}/2010-04-01/Accounts/{sid}/Messages.json
 *   tw.messages; tw.requests; tw.deliveries
 *   await tw.stop();
 *
 * Two servers: `url` is api.twilio.com, `cdnUrl` is the media CDN that media URLs redirect to (a
 * different origin, as in reality, so a client that keeps its Authorization header across the
 * redirect is caught: see `requests` entries with `server: 'cdn'`).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { sendChunked } from './chunked';
import { listen } from './listen';

// ---------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------

/** Form parameters; a repeated parameter (e.g. MediaUrl) is an array. */
export type TwilioParams = Record<string, string | string[]>;

function toParamMap(params: TwilioParams | URLSearchParams | Iterable<[string, string]>): TwilioParams {
	if (!(params instanceof URLSearchParams) && !(Symbol.iterator in Object(params))) {
		return params as TwilioParams;
	}
	const out: TwilioParams = {};
	for (const [k, v] of params as Iterable<[string, string]>) {
		const prev = out[k];
		if (prev === undefined) out[k] = v;
		else out[k] = Array.isArray(prev) ? [...prev, v] : [prev, v];
	}
	return out;
}

/**
 * X-Twilio-Signature: base64(HMAC-SHA1(authToken, url + every POST parameter name followed by its
 * value, parameters sorted by name)). `url` is taken exactly as given (scheme, host, port, path and
 * query string), like the webhook URL configured in Twilio. A repeated parameter contributes its
 * distinct values in sorted order, as twilio-node's `getExpectedTwilioSignature` does.
 */
export function twilioSignature(
	authToken: string,
	url: string,
	params: TwilioParams | URLSearchParams | Iterable<[string, string]> = {},
): string {
	const map = toParamMap(params);
	let data = url;
	for (const key of Object.keys(map).sort()) {
		const value = map[key];
		if (Array.isArray(value)) for (const v of [...new Set(value)].sort()) data += key + v;
		else data += key + value;
	}
	return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** Constant-time check of an X-Twilio-Signature value (reference for tests). */
export function validateTwilioSignature(
	authToken: string,
	signature: string | undefined,
	url: string,
	params: TwilioParams | URLSearchParams | Iterable<[string, string]> = {},
): boolean {
	if (!signature) return false;
	const expected = Buffer.from(twilioSignature(authToken, url, params));
	const given = Buffer.from(signature);
	return expected.length === given.length && timingSafeEqual(expected, given);
}

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export type TwilioMessageStatus =
	| 'accepted'
	| 'queued'
	| 'sending'
	| 'sent'
	| 'delivered'
	| 'read'
	| 'failed'
	| 'undelivered';

export interface TwilioMessage {
	sid: string;
	accountSid: string;
	/** null until a Messaging Service assigns a sender. */
	from: string | null;
	to: string;
	/** The text sent (for a content template: the rendered template). */
	body: string;
	/** The one MediaUrl that is delivered (WhatsApp takes one per message). */
	mediaUrls: string[];
	/** Extra MediaUrl values Twilio would drop silently (only with `strictMedia: false`). */
	droppedMediaUrls: string[];
	contentSid: string | null;
	contentVariables: Record<string, string> | null;
	messagingServiceSid: string | null;
	statusCallback: string | null;
	status: TwilioMessageStatus;
	statusHistory: TwilioMessageStatus[];
	errorCode: number | null;
	errorMessage: string | null;
	dateCreated: Date;
	dateUpdated: Date;
	dateSent: Date | null;
	/** Parameters given but ignored (e.g. Body next to ContentSid). */
	ignoredParams: string[];
	/** The request's form parameters as received. */
	params: TwilioParams;
	/** With `fetchMedia: true`: what the emulator got when it fetched each MediaUrl. */
	fetchedMedia: FetchedMedia[];
	/** Whether the 24-hour window was open when the message was accepted (templates ignore it). */
	insideWindow: boolean;
}

export interface FetchedMedia {
	url: string;
	status: number;
	contentType: string | null;
	size: number;
	sha256: string | null;
	error?: string;
}

export interface ContentTemplate {
	sid: string;
	/** Text with `{{key}}` placeholders. */
	body: string;
	/** Default (sample) values used when ContentVariables lacks a key. */
	variables: Record<string, string>;
}

export interface HostedMedia {
	sid: string;
	messageSid: string;
	contentType: string;
	bytes: Buffer;
	sha256: string;
	/** The URL a webhook carries in MediaUrlN (on `url`, needs Basic auth by default). */
	url: string;
	/** The CDN token the media URL redirects to. */
	token: string;
}

export interface RecordedRequest {
	/** 'api' (api.twilio.com) or 'cdn' (the host media URLs redirect to). */
	server: 'api' | 'cdn';
	method: string;
	path: string;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	/** Form parameters (undefined when there was no form body). */
	body: TwilioParams | undefined;
	/** Who the Basic credentials belong to. */
	auth: 'account' | 'apiKey' | 'invalid' | 'none';
	status: number;
	injected?: boolean;
}

export interface WebhookResult {
	kind: 'inbound' | 'status';
	url: string;
	status: number;
	contentType: string | null;
	body: string;
	headers: Record<string, string>;
	/** The form parameters sent. */
	params: TwilioParams;
	/** The X-Twilio-Signature value sent (null when omitted). */
	signature: string | null;
	/** Network error (status 0). */
	error?: string;
	/**
	 * With `connectionOverrides`: every attempt of this delivery, in order (the last one is the
	 * result above). Without: absent (one attempt).
	 */
	attempts?: WebhookAttempt[];
}

/** One attempt of a webhook delivery (see `connectionOverrides`). */
export interface WebhookAttempt {
	status: number;
	/** Network error (status 0): `ct` the connection failed (refused, reset, timed out), `rt` no answer in time. */
	error?: string;
	failure?: 'ct' | 'rt' | '4xx' | '5xx';
}

/**
 * Twilio's connection overrides, read from a webhook URL's fragment (`#ct=…&rt=…&tt=…&rc=…&rp=…`);
 * missing keys take Twilio's defaults: ct 5000, rt 15000, tt 15000, rc 1, rp `ct`.
 */
export interface ConnectionOverrides {
	ct: number;
	rt: number;
	tt: number;
	rc: number;
	/** Which failures are retried: `4xx`, `5xx`, `ct`, `rt`, or `all`. */
	rp: Set<'4xx' | '5xx' | 'ct' | 'rt'>;
}

const clamp = (value: string | null, min: number, max: number, fallback: number): number => {
	const n = value === null || value.trim() === '' ? NaN : Number(value);
	return Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
};

/**
 * Parses the fragment of `url` as Twilio documents it (docs/channel-apis.md §4): ct 100–10000,
 * rt 100–15000, tt 100–15000, rc 0–5, rp a comma-separated list of 4xx, 5xx, ct, rt or `all`.
 * Values out of range are clamped (Twilio rejects them with 11237–11243; not emulated).
 */
export function parseConnectionOverrides(url: string): ConnectionOverrides {
	const hash = url.indexOf('#');
	const f = new URLSearchParams(hash === -1 ? '' : url.slice(hash + 1));
	const policies = (f.get('rp') ?? 'ct').split(',').map((x) => x.trim().toLowerCase());
	const rp = new Set<'4xx' | '5xx' | 'ct' | 'rt'>();
	for (const p of policies) {
		if (p === 'all') for (const q of ['4xx', '5xx', 'ct', 'rt'] as const) rp.add(q);
		else if (p === '4xx' || p === '5xx' || p === 'ct' || p === 'rt') rp.add(p);
	}
	return {
		ct: clamp(f.get('ct'), 100, 10_000, 5_000),
		rt: clamp(f.get('rt'), 100, 15_000, 15_000),
		tt: clamp(f.get('tt'), 100, 15_000, 15_000),
		rc: clamp(f.get('rc'), 0, 5, 1),
		rp,
	};
}

export interface SendWebhookOptions {
	/** `true`: a wrong signature; a string: send exactly this header value. */
	forgeSignature?: boolean | string;
	/** Leave the X-Twilio-Signature header out. */
	omitSignature?: boolean;
	/** Sign for this URL instead of the one posted to (e.g. the public URL behind a proxy). */
	signUrl?: string;
	/** Sign with another token (e.g. a rotated or wrong one). */
	authToken?: string;
	/** Extra request headers. */
	headers?: Record<string, string>;
	/** Default 15 000 ms, Twilio's webhook timeout. */
	timeoutMs?: number;
}

export interface InboundOptions extends SendWebhookOptions {
	/** Media to attach: hosted by the emulator, listed as MediaUrlN / MediaContentTypeN. */
	media?: Array<{ bytes: Buffer | string; contentType: string }>;
	/** When the user wrote (moves the 24-hour window). Default: now(). */
	at?: Date | number;
}

export interface FailNextOptions {
	method?: string;
	path?: RegExp;
	status: 429 | 500 | 502 | 503;
	count?: number;
	/** Retry-After in seconds. Default: no header (Twilio does not document one for the 2010 API). */
	retryAfter?: number;
	/** Create the message for real, then answer with the error (a response lost after acting). */
	afterAccepting?: boolean;
}

export interface TwilioEmulatorOptions {
	accountSid?: string;
	authToken?: string;
	apiKeySid?: string;
	apiKeySecret?: string;
	/** The business WhatsApp sender. Default `whatsapp:+14155238886` (Twilio's sandbox number). */
	whatsappNumber?: string;
	messagingServiceSid?: string;
	friendlyName?: string;
	/** Media URLs need HTTP Basic auth (Twilio enforces it). Default true. */
	mediaAuth?: boolean;
	/**
	 * How a free-form message outside the 24-hour window fails: 'async' (default, like Twilio:
	 * 201 queued, then failed with error_code 63016 and a status callback) or 'sync' (400, 63016).
	 */
	windowErrors?: 'async' | 'sync';
	/**
	 * More than one MediaUrl on a WhatsApp message: true (default) rejects it with 400/21620;
	 * false behaves like Twilio (the extra ones are dropped silently, see `droppedMediaUrls`).
	 */
	strictMedia?: boolean;
	/** Fetch each outbound MediaUrl after accepting (failure: failed / 63019). Default false. */
	fetchMedia?: boolean;
	/** After accepting, move each message on to sent and delivered, with status callbacks. */
	autoStatus?: boolean;
	/**
	 * Emulate Twilio's webhook retries (connection overrides, docs/channel-apis.md §4): a delivery
	 * that fails the way the URL's `rp` names (default `ct`: the connection failed) is posted again,
	 * at once, up to `rc` times (default 1), while the total time stays under `tt`. The attempts
	 * are in `WebhookResult.attempts`; `beforeRetry` runs before each retry. Default false: one
	 * attempt, whatever the URL says.
	 */
	connectionOverrides?: boolean;
	/**
	 * Whether X-Twilio-Signature is computed over the URL with its fragment (as configured, the
	 * default) or without it. Twilio does not document which; the trigger must accept both.
	 */
	signFragment?: boolean;
	/** Ports on 127.0.0.1 of the API and of the media CDN (default: free ones the system picks). */
	port?: number;
	cdnPort?: number;
}

export const DEFAULT_ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const DEFAULT_AUTH_TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeed';
export const DEFAULT_API_KEY_SID = 'SK0123456789abcdef0123456789abcdef';
export const DEFAULT_API_KEY_SECRET = 'twilio-api-key-secret-0123456789';
export const DEFAULT_WHATSAPP_NUMBER = 'whatsapp:+14155238886';
export const DEFAULT_MESSAGING_SERVICE_SID = 'MG0123456789abcdef0123456789abcdef';
export const WINDOW_MS = 24 * 60 * 60 * 1000;
export const MAX_BODY_LENGTH = 1600;

export const ERROR_63016 =
	'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.';

// ---------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------

class TwilioError extends Error {
	constructor(
		readonly status: number,
		readonly code: number,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

const bad = (code: number, message: string) => new TwilioError(400, code, message);
const moreInfo = (code: number) => `https://www.twilio.com/docs/errors/${code}`;
const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
/** RFC 2822 in GMT, the way Twilio writes dates: `Tue, 27 Nov 2018 16:14:39 +0000`. */
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
const E164 = /^\+[1-9]\d{6,14}$/;
const sha256hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type Reply =
	| { status: number; json?: unknown; headers?: Record<string, string> }
	| { status: number; raw: Buffer; headers: Record<string, string> };

interface FaultRule extends FailNextOptions {
	remaining: number;
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size <= limit) chunks.push(chunk);
	}
	if (size > limit) throw new TwilioError(413, 20413, 'Request entity too large');
	return size === 0 ? undefined : Buffer.concat(chunks);
}

function headerRecord(h: Headers): Record<string, string> {
	const out: Record<string, string> = {};
	h.forEach((v, k) => (out[k] = v));
	return out;
}

function encodeForm(params: TwilioParams): string {
	const usp = new URLSearchParams();
	for (const [k, v] of Object.entries(params)) {
		if (Array.isArray(v)) v.forEach((x) => usp.append(k, x));
		else usp.append(k, v);
	}
	return usp.toString();
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// ---------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------

export class TwilioEmulator {
	/** The API base URL (stands for https://api.twilio.com). */
	readonly url: string;
	/** The media CDN origin (stands for the host media URLs redirect to). */
	readonly cdnUrl: string;
	readonly accountSid: string;
	readonly authToken: string;
	readonly apiKeySid: string;
	readonly apiKeySecret: string;
	readonly whatsappNumber: string;
	readonly messagingServiceSid: string;
	readonly friendlyName: string;
	readonly opts: Required<
		Pick<TwilioEmulatorOptions, 'mediaAuth' | 'windowErrors' | 'strictMedia' | 'fetchMedia' | 'autoStatus' | 'connectionOverrides' | 'signFragment'>
	>;

	/** Every request to either server, in arrival order. */
	requests: RecordedRequest[] = [];
	/** Every message created through the API, in order. */
	messages: TwilioMessage[] = [];
	/** Every webhook the emulator sent (inbound, status), with the receiver's answer. */
	deliveries: WebhookResult[] = [];
	readonly templates = new Map<string, ContentTemplate>();
	readonly media = new Map<string, HostedMedia>();
	/** Fault injection: the CDN sends media chunked (no Content-Length); `cdnServes` replaces the bytes. */
	chunkedCdn = false;
	cdnServes: ((item: HostedMedia) => Buffer) | undefined;
	/**
	 * With `connectionOverrides`: awaited before each retry of a webhook delivery, with the attempt
	 * that failed (a test restarts its receiver here, so the retry finds it back without racing it).
	 */
	beforeRetry: ((failed: WebhookAttempt, url: string, attempt: number) => Promise<void> | void) | undefined;
	/** 'whatsapp:+E164' → when that user last wrote (ms since epoch). */
	readonly lastInbound = new Map<string, number>();
	/**
	 * The account's phone numbers (IncomingPhoneNumbers, 2010 API): the WhatsApp sender's number,
	 * with its messaging webhook (`sms_url`). GET list by `PhoneNumber`, GET/POST one by SID.
	 */
	readonly phoneNumbers = new Map<string, { sid: string; phone_number: string; sms_url: string; sms_method: string }>();
	/**
	 * Messaging Services (`/v1/Services/{MG…}` of messaging.twilio.com, served on `url` too): the
	 * default service, with its inbound webhook. GET/POST by SID.
	 */
	readonly services = new Map<string, { sid: string; inbound_request_url: string; inbound_method: string; use_inbound_webhook_on_number: boolean }>();

	private faults: FaultRule[] = [];
	private timeOffset = 0;
	private readonly pending = new Set<Promise<unknown>>();
	private readonly abort = new AbortController();

	private constructor(
		private readonly api: http.Server,
		private readonly cdn: http.Server,
		options: TwilioEmulatorOptions,
	) {
		this.url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
		this.cdnUrl = `http://127.0.0.1:${(cdn.address() as AddressInfo).port}`;
		this.accountSid = options.accountSid ?? DEFAULT_ACCOUNT_SID;
		this.authToken = options.authToken ?? DEFAULT_AUTH_TOKEN;
		this.apiKeySid = options.apiKeySid ?? DEFAULT_API_KEY_SID;
		this.apiKeySecret = options.apiKeySecret ?? DEFAULT_API_KEY_SECRET;
		this.whatsappNumber = options.whatsappNumber ?? DEFAULT_WHATSAPP_NUMBER;
		this.messagingServiceSid = options.messagingServiceSid ?? DEFAULT_MESSAGING_SERVICE_SID;
		this.friendlyName = options.friendlyName ?? 'n8n test account';
		this.opts = {
			mediaAuth: options.mediaAuth ?? true,
			windowErrors: options.windowErrors ?? 'async',
			strictMedia: options.strictMedia ?? true,
			fetchMedia: options.fetchMedia ?? false,
			autoStatus: options.autoStatus ?? false,
			connectionOverrides: options.connectionOverrides ?? false,
			signFragment: options.signFragment ?? true,
		};
		api.on('request', (req, res) => void this.handle('api', req, res));
		cdn.on('request', (req, res) => void this.handle('cdn', req, res));
	}

	static async start(options: TwilioEmulatorOptions = {}): Promise<TwilioEmulator> {
		const api = http.createServer();
		const cdn = http.createServer();
		await listen(api, options.port);
		await listen(cdn, options.cdnPort);
		return new TwilioEmulator(api, cdn, options);
	}

	async stop(): Promise<void> {
		this.abort.abort();
		await Promise.allSettled([...this.pending]);
		await Promise.all(
			[this.api, this.cdn].map((s) => {
				const closed = new Promise<void>((resolve) => s.close(() => resolve()));
				s.closeAllConnections();
				return closed;
			}),
		);
	}

	/** The base URL of this account's resources: `${url}/2010-04-01/Accounts/${accountSid}`. */
	get accountUrl(): string {
		return `${this.url}/2010-04-01/Accounts/${this.accountSid}`;
	}

	// ----- clock and window -------------------------------------------------

	now(): number {
		return Date.now() + this.timeOffset;
	}

	/** Moves the emulator's clock (window checks) forward. */
	advanceTime(ms: number): void {
		this.timeOffset += ms;
	}

	/** Records that `address` (`whatsapp:+E164` or `+E164`) wrote at `at` (default now). */
	touch(address: string, at: Date | number = this.now()): void {
		this.lastInbound.set(this.normalizeAddress(address), typeof at === 'number' ? at : at.getTime());
	}

	/** Whether a free-form message to `address` is allowed now. */
	windowOpen(address: string): boolean {
		const last = this.lastInbound.get(this.normalizeAddress(address));
		return last !== undefined && this.now() - last < WINDOW_MS;
	}

	private normalizeAddress(address: string): string {
		return address.startsWith('whatsapp:') ? address : `whatsapp:${address}`;
	}

	// ----- seeding ----------------------------------------------------------

	/** Registers an approved content template; returns it (sid `HX…`). */
	addTemplate(t: { sid?: string; body: string; variables?: Record<string, string> }): ContentTemplate {
		const template: ContentTemplate = { sid: t.sid ?? sid('HX'), body: t.body, variables: t.variables ?? {} };
		this.templates.set(template.sid, template);
		return template;
	}

	/**
	 * Hosts media the way Twilio stores inbound media; returns its MediaUrl
	 * (`${url}/2010-04-01/Accounts/AC…/Messages/MM…/Media/ME…`).
	 */
	addMedia(bytes: Buffer | string, contentType: string, opts: { messageSid?: string } = {}): string {
		const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
		const messageSid = opts.messageSid ?? sid('MM');
		const mediaSid = sid('ME');
		const item: HostedMedia = {
			sid: mediaSid,
			messageSid,
			contentType,
			bytes: buf,
			sha256: sha256hex(buf),
			url: `${this.accountUrl}/Messages/${messageSid}/Media/${mediaSid}`,
			token: randomBytes(18).toString('base64url'),
		};
		this.media.set(mediaSid, item);
		return item.url;
	}

	// ----- inspection -------------------------------------------------------

	message(messageSid: string): TwilioMessage | undefined {
		return this.messages.find((m) => m.sid === messageSid);
	}

	/** Messages sent to `to` (`whatsapp:+E164`), oldest first. */
	messagesTo(to: string): TwilioMessage[] {
		const addr = this.normalizeAddress(to);
		return this.messages.filter((m) => m.to === addr);
	}

	/** The WhatsApp sender's number (IncomingPhoneNumbers record), e.g. to preset its `sms_url`. */
	senderNumber(): { sid: string; phone_number: string; sms_url: string; sms_method: string } {
		this.seedConfigurables();
		const number = [...this.phoneNumbers.values()].find((n) => `whatsapp:${n.phone_number}` === this.whatsappNumber);
		if (!number) throw new Error(`senderNumber: no phone number ${this.whatsappNumber}`);
		return number;
	}

	/**
	 * The URL Twilio calls for a message to the WhatsApp sender: the default Messaging Service's
	 * inbound request URL when it is set and the service does not defer to the number
	 * (`use_inbound_webhook_on_number: false`), else the number's `sms_url`; as configured,
	 * fragment included. Throws when neither is set.
	 */
	inboundWebhookUrl(): string {
		this.seedConfigurables();
		const service = this.services.get(this.messagingServiceSid);
		if (service && !service.use_inbound_webhook_on_number && service.inbound_request_url) return service.inbound_request_url;
		const number = this.senderNumber();
		if (number.sms_url) return number.sms_url;
		throw new Error('inboundWebhookUrl: no webhook URL is configured for the WhatsApp sender');
	}

	/** Resolves when no status callback or media fetch is in flight. */
	async whenIdle(): Promise<void> {
		while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
	}

	// ----- fault injection --------------------------------------------------

	failNext(opts: FailNextOptions): void {
		this.faults.push({ ...opts, remaining: opts.count ?? 1 });
	}

	clearFaults(): void {
		this.faults = [];
	}

	private takeFault(method: string, p: string): FaultRule | undefined {
		const rule = this.faults.find((f) => (!f.method || f.method.toUpperCase() === method) && (!f.path || f.path.test(p)));
		if (!rule) return undefined;
		if (--rule.remaining <= 0) this.faults = this.faults.filter((f) => f !== rule);
		return rule;
	}

	private faultReply(rule: FaultRule): Reply {
		const headers: Record<string, string> = {};
		if (rule.retryAfter !== undefined) headers['retry-after'] = String(Math.max(0, Math.round(rule.retryAfter)));
		const [code, message] =
			rule.status === 429
				? [20429, 'Too Many Requests']
				: rule.status === 500
					? [20500, 'Internal Server Error']
					: rule.status === 502
						? [20502, 'Bad Gateway']
						: [20503, 'Service Unavailable'];
		return { status: rule.status, headers, json: { code, message, more_info: moreInfo(code), status: rule.status } };
	}

	// ----- the webhook side -------------------------------------------------

	/**
	 * POSTs an incoming WhatsApp message to `url`, form-encoded and signed like Twilio. `params`
	 * override the defaults (From, To, Body, MessageSid, WaId, ProfileName, NumMedia, …); `opts.media`
	 * adds hosted media. Moves the sender's 24-hour window.
	 */
	async sendInbound(url: string, params: TwilioParams = {}, opts: InboundOptions = {}): Promise<WebhookResult> {
		const from = this.normalizeAddress(first(params.From) ?? 'whatsapp:+15551234567');
		const media = opts.media ?? [];
		const messageSid = first(params.MessageSid) ?? sid(media.length ? 'MM' : 'SM');
		const waId = from.replace(/^whatsapp:\+?/, '');
		const p: TwilioParams = {
			SmsMessageSid: messageSid,
			NumMedia: String(media.length),
			ProfileName: 'Test User',
			MessageType: media.length ? (media[0].contentType.split('/')[0] === 'application' ? 'document' : media[0].contentType.split('/')[0]) : 'text',
			SmsSid: messageSid,
			WaId: waId,
			SmsStatus: 'received',
			Body: '',
			To: this.whatsappNumber,
			NumSegments: '1',
			ReferralNumMedia: '0',
			MessageSid: messageSid,
			AccountSid: this.accountSid,
			From: from,
			ApiVersion: '2010-04-01',
		};
		media.forEach((m, i) => {
			p[`MediaContentType${i}`] = m.contentType;
			p[`MediaUrl${i}`] = this.addMedia(m.bytes, m.contentType, { messageSid });
		});
		Object.assign(p, params);
		this.touch(from, opts.at ?? this.now());
		return this.postSigned('inbound', url, p, opts);
	}

	/**
	 * POSTs a status callback for `MessageSid` to `url`. For a message created through the API, From,
	 * To and the message's status are taken from it and updated. `ErrorCode` is added for failed /
	 * undelivered when given.
	 */
	async sendStatus(url: string, params: TwilioParams & { MessageSid: string }, opts: SendWebhookOptions = {}): Promise<WebhookResult> {
		const messageSid = first(params.MessageSid) as string;
		const msg = this.message(messageSid);
		const status = (first(params.MessageStatus) ?? 'delivered') as TwilioMessageStatus;
		if (msg) {
			const code = first(params.ErrorCode);
			this.applyStatus(msg, status, code ? Number(code) : undefined);
		}
		return this.postSigned('status', url, { ...this.statusParams(msg, messageSid, status), ...params }, opts);
	}

	/**
	 * Moves an API-created message to `status` and, if it had a StatusCallback, posts the callback.
	 * Returns the callback's result (undefined when there is no StatusCallback).
	 */
	async setStatus(messageSid: string, status: TwilioMessageStatus, opts: { errorCode?: number } = {}): Promise<WebhookResult | undefined> {
		const msg = this.message(messageSid);
		if (!msg) throw new Error(`setStatus: unknown message ${messageSid}`);
		this.applyStatus(msg, status, opts.errorCode);
		if (!msg.statusCallback) return undefined;
		return this.postSigned('status', msg.statusCallback, this.statusParams(msg, msg.sid, status), {});
	}

	private applyStatus(msg: TwilioMessage, status: TwilioMessageStatus, errorCode?: number): void {
		msg.status = status;
		msg.statusHistory.push(status);
		msg.dateUpdated = new Date(this.now());
		if (status === 'sent' && !msg.dateSent) msg.dateSent = msg.dateUpdated;
		if (errorCode !== undefined) {
			msg.errorCode = errorCode;
			msg.errorMessage = errorCode === 63016 ? ERROR_63016 : msg.errorMessage ?? `Error ${errorCode}`;
		}
	}

	private statusParams(msg: TwilioMessage | undefined, messageSid: string, status: TwilioMessageStatus): TwilioParams {
		const to = msg?.to ?? 'whatsapp:+15551234567';
		const p: TwilioParams = {
			ChannelPrefix: 'whatsapp',
			ApiVersion: '2010-04-01',
			MessageStatus: status,
			SmsSid: messageSid,
			SmsStatus: status,
			ChannelInstallSid: 'XE' + createHash('md5').update(this.accountSid).digest('hex'),
			To: to,
			From: msg?.from ?? this.whatsappNumber,
			MessageSid: messageSid,
			StructuredMessage: 'false',
			AccountSid: this.accountSid,
			ChannelToAddress: to.replace(/^whatsapp:/, ''),
		};
		if (status === 'delivered') p.EventType = 'DELIVERED';
		if (status === 'read') p.EventType = 'READ';
		if ((status === 'failed' || status === 'undelivered') && msg?.errorCode) p.ErrorCode = String(msg.errorCode);
		if (msg?.messagingServiceSid) p.MessagingServiceSid = msg.messagingServiceSid;
		return p;
	}

	private track<T>(p: Promise<T>): Promise<T> {
		this.pending.add(p);
		void p.finally(() => this.pending.delete(p)).catch(() => undefined);
		return p;
	}

	private async postSigned(
		kind: WebhookResult['kind'],
		url: string,
		params: TwilioParams,
		opts: SendWebhookOptions,
	): Promise<WebhookResult> {
		const hash = url.indexOf('#');
		const target = hash === -1 ? url : url.slice(0, hash); // a fragment is never sent
		const signedUrl = opts.signUrl ?? (this.opts.signFragment ? url : target);
		const correct = twilioSignature(opts.authToken ?? this.authToken, signedUrl, params);
		let signature: string | null = correct;
		if (opts.omitSignature) signature = null;
		else if (typeof opts.forgeSignature === 'string') signature = opts.forgeSignature;
		else if (opts.forgeSignature) signature = twilioSignature(randomBytes(16).toString('hex'), signedUrl, params);
		const headers: Record<string, string> = {
			'content-type': 'application/x-www-form-urlencoded',
			'user-agent': 'TwilioProxy/1.1',
			// the same token on every attempt of one delivery, as Twilio documents
			'i-twilio-idempotency-token': randomBytes(16).toString('hex'),
			'x-home-region': 'us1',
			...(signature !== null ? { 'x-twilio-signature': signature } : {}),
			...opts.headers,
		};
		const result: WebhookResult = { kind, url, status: 0, contentType: null, body: '', headers: {}, params, signature };
		const overrides = this.opts.connectionOverrides ? parseConnectionOverrides(url) : undefined;
		const started = Date.now();
		const attempts: WebhookAttempt[] = [];
		for (let attempt = 0; ; attempt++) {
			const remaining = overrides ? overrides.tt - (Date.now() - started) : Infinity;
			const timeoutMs = Math.max(1, Math.min(opts.timeoutMs ?? overrides?.rt ?? 15_000, remaining));
			const timeout = AbortSignal.timeout(timeoutMs);
			const tried: WebhookAttempt = { status: 0 };
			try {
				const res = await fetch(target, {
					method: 'POST',
					headers,
					body: encodeForm(params),
					redirect: 'manual',
					signal: AbortSignal.any([timeout, this.abort.signal]),
				});
				result.status = tried.status = res.status;
				result.contentType = res.headers.get('content-type');
				result.headers = headerRecord(res.headers);
				result.body = await res.text();
				delete result.error;
				if (res.status >= 400 && res.status < 500) tried.failure = '4xx';
				else if (res.status >= 500) tried.failure = '5xx';
			} catch (e) {
				result.status = 0;
				result.contentType = null;
				result.headers = {};
				result.body = '';
				result.error = tried.error = (e as Error).message;
				tried.failure = timeout.aborted ? 'rt' : 'ct';
			}
			attempts.push(tried);
			if (
				!overrides ||
				!tried.failure ||
				!overrides.rp.has(tried.failure) ||
				attempt >= overrides.rc ||
				Date.now() - started >= overrides.tt ||
				this.abort.signal.aborted
			)
				break;
			await this.beforeRetry?.(tried, url, attempt + 1);
		}
		if (overrides) result.attempts = attempts;
		this.deliveries.push(result);
		return result;
	}

	// ----- request handling -------------------------------------------------

	private async handle(server: 'api' | 'cdn', req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const method = (req.method ?? 'GET').toUpperCase();
		const url = new URL(req.url ?? '/', 'http://emulator.invalid');
		const rec: RecordedRequest = {
			server,
			method,
			path: url.pathname,
			query: Object.fromEntries(url.searchParams),
			headers: req.headers,
			body: undefined,
			auth: 'none',
			status: 0,
		};
		this.requests.push(rec);
		let reply: Reply;
		try {
			let body: Buffer | undefined;
			try {
				body = await readBody(req, 1024 * 1024);
			} catch (e) {
				if (e instanceof TwilioError) throw e;
				return; // client went away
			}
			const ct = (req.headers['content-type'] ?? '').toLowerCase();
			const params = body && ct.startsWith('application/x-www-form-urlencoded')
				? toParamMap(new URLSearchParams(body.toString('utf8')))
				: undefined;
			rec.body = params;
			if (server === 'cdn') {
				reply = this.serveCdn(method, url.pathname);
			} else {
				const fault = this.takeFault(method, url.pathname);
				if (fault && !fault.afterAccepting) {
					rec.injected = true;
					reply = this.faultReply(fault);
				} else {
					reply = await this.dispatch(req, rec, method, url.pathname, params ?? {});
					if (fault) {
						rec.injected = true;
						reply = this.faultReply(fault);
					}
				}
			}
		} catch (e) {
			reply = this.errorReply(e);
		}
		if (res.destroyed || !res.socket || res.socket.destroyed) return;
		rec.status = reply.status;
		this.send(res, reply);
	}

	private errorReply(e: unknown): Reply {
		if (e instanceof TwilioError) {
			return {
				status: e.status,
				headers: e.headers,
				json: { code: e.code, message: e.message, more_info: moreInfo(e.code), status: e.status },
			};
		}
		return { status: 500, json: { code: 20500, message: (e as Error).message, more_info: moreInfo(20500), status: 500 } };
	}

	private send(res: http.ServerResponse, reply: Reply): void {
		const headers = { 'twilio-request-id': sid('RQ'), ...reply.headers };
		if ('raw' in reply && (headers as Record<string, string>)['x-emulator-chunked']) {
			sendChunked(res, reply.status, headers, reply.raw);
			return;
		}
		if ('raw' in reply) {
			res.writeHead(reply.status, { ...headers, 'content-length': String(reply.raw.length) });
			res.end(reply.raw);
			return;
		}
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

	/** The WhatsApp sender's number and the default Messaging Service, created on first use. */
	private seedConfigurables(): void {
		const number = this.whatsappNumber.replace(/^whatsapp:/, '');
		if (!this.phoneNumbers.size) {
			const sid = 'PN' + createHash('md5').update(number).digest('hex');
			this.phoneNumbers.set(sid, { sid, phone_number: number, sms_url: '', sms_method: 'POST' });
		}
		if (!this.services.size) {
			const sid = this.messagingServiceSid;
			this.services.set(sid, { sid, inbound_request_url: '', inbound_method: 'POST', use_inbound_webhook_on_number: true });
		}
	}

	private authenticate(req: http.IncomingMessage, rec: RecordedRequest): void {
		const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
		if (m) {
			const decoded = Buffer.from(m[1], 'base64').toString('utf8');
			const colon = decoded.indexOf(':');
			const user = decoded.slice(0, colon);
			const pass = decoded.slice(colon + 1);
			if (colon > 0 && user === this.accountSid && pass === this.authToken) rec.auth = 'account';
			else if (colon > 0 && user === this.apiKeySid && pass === this.apiKeySecret) rec.auth = 'apiKey';
			else rec.auth = 'invalid';
		}
		if (rec.auth !== 'account' && rec.auth !== 'apiKey') {
			throw new TwilioError(401, 20003, 'Authenticate', { 'www-authenticate': 'Basic realm="Twilio API"' });
		}
	}

	private notFound(p: string): TwilioError {
		return new TwilioError(404, 20404, `The requested resource ${p} was not found`);
	}

	private async dispatch(
		req: http.IncomingMessage,
		rec: RecordedRequest,
		method: string,
		p: string,
		params: TwilioParams,
	): Promise<Reply> {
		const prefix = '/2010-04-01/Accounts/';
		const service = /^\/v1\/Services\/(MG[0-9a-f]{32})$/i.exec(p);
		if (service) {
			this.authenticate(req, rec);
			this.seedConfigurables();
			const found = this.services.get(service[1]);
			if (!found) throw this.notFound(p);
			if (method === 'POST') {
				if (first(params.InboundRequestUrl) !== undefined) found.inbound_request_url = first(params.InboundRequestUrl) ?? '';
				if (first(params.InboundMethod) !== undefined) found.inbound_method = first(params.InboundMethod) ?? 'POST';
				if (first(params.UseInboundWebhookOnNumber) !== undefined) found.use_inbound_webhook_on_number = first(params.UseInboundWebhookOnNumber) === 'true';
			} else if (method !== 'GET') throw this.notFound(p);
			return { status: 200, json: { ...found, account_sid: this.accountSid } };
		}
		if (!p.startsWith(prefix)) throw this.notFound(p);
		const rest = p.slice(prefix.length).split('/');
		const account = rest[0].replace(/\.json$/, '');
		const isMedia = rest.length >= 5 && rest[1] === 'Messages' && rest[3] === 'Media';
		if (!(isMedia && !this.opts.mediaAuth && method === 'GET')) this.authenticate(req, rec);
		if (account !== this.accountSid) throw this.notFound(p);

		if (rest.length === 1 && rest[0].endsWith('.json') && method === 'GET') {
			return { status: 200, json: this.accountView(rec.auth === 'account') };
		}
		if (rest[1] === 'IncomingPhoneNumbers.json' && rest.length === 2 && method === 'GET') {
			this.seedConfigurables();
			const wanted = rec.query.PhoneNumber;
			const list = [...this.phoneNumbers.values()].filter((n) => !wanted || n.phone_number === wanted);
			return { status: 200, json: { incoming_phone_numbers: list.map((n) => ({ ...n, account_sid: this.accountSid })) } };
		}
		if (rest[1] === 'IncomingPhoneNumbers' && rest.length === 3 && rest[2].endsWith('.json') && (method === 'GET' || method === 'POST')) {
			this.seedConfigurables();
			const number = this.phoneNumbers.get(rest[2].slice(0, -5));
			if (!number) throw this.notFound(p);
			if (method === 'POST') {
				if (first(params.SmsUrl) !== undefined) number.sms_url = first(params.SmsUrl) ?? '';
				if (first(params.SmsMethod) !== undefined) number.sms_method = first(params.SmsMethod) ?? 'POST';
			}
			return { status: 200, json: { ...number, account_sid: this.accountSid } };
		}
		if (rest.length === 2 && rest[1] === 'Messages.json' && method === 'POST') {
			return this.createMessage(params);
		}
		if (rest.length === 3 && rest[1] === 'Messages' && rest[2].endsWith('.json') && method === 'GET') {
			const msg = this.message(rest[2].slice(0, -5));
			if (!msg) throw this.notFound(p);
			return { status: 200, json: this.messageView(msg) };
		}
		if (isMedia && rest.length === 5 && method === 'GET') {
			const json = rest[4].endsWith('.json');
			const item = this.media.get(json ? rest[4].slice(0, -5) : rest[4]);
			if (!item || item.messageSid !== rest[2]) throw this.notFound(p);
			if (json) {
				return {
					status: 200,
					json: {
						sid: item.sid,
						account_sid: this.accountSid,
						parent_sid: item.messageSid,
						content_type: item.contentType,
						date_created: rfc2822(new Date(this.now())),
						date_updated: rfc2822(new Date(this.now())),
						uri: `/2010-04-01/Accounts/${this.accountSid}/Messages/${item.messageSid}/Media/${item.sid}.json`,
					},
				};
			}
			return { status: 307, headers: { location: `${this.cdnUrl}/media/${item.token}` } };
		}
		throw this.notFound(p);
	}

	private serveCdn(method: string, p: string): Reply {
		const m = /^\/media\/([\w-]+)$/.exec(p);
		const item = m ? [...this.media.values()].find((x) => x.token === m[1]) : undefined;
		if (method !== 'GET' || !item) {
			return { status: 404, raw: Buffer.from('Not Found'), headers: { 'content-type': 'text/plain' } };
		}
		const bytes = this.cdnServes?.(item) ?? item.bytes;
		return { status: 200, raw: bytes, headers: { 'content-type': item.contentType, 'cache-control': 'max-age=14400', ...(this.chunkedCdn ? { 'x-emulator-chunked': '1' } : {}) } };
	}

	private accountView(withToken: boolean) {
		const created = rfc2822(new Date(0));
		const base = `/2010-04-01/Accounts/${this.accountSid}`;
		return {
			sid: this.accountSid,
			owner_account_sid: this.accountSid,
			friendly_name: this.friendlyName,
			status: 'active',
			type: 'Full',
			date_created: created,
			date_updated: created,
			...(withToken ? { auth_token: this.authToken } : {}),
			uri: `${base}.json`,
			subresource_uris: { messages: `${base}/Messages.json`, keys: `${base}/Keys.json` },
		};
	}

	private messageView(m: TwilioMessage) {
		const base = `/2010-04-01/Accounts/${this.accountSid}/Messages/${m.sid}`;
		return {
			account_sid: m.accountSid,
			api_version: '2010-04-01',
			body: m.body,
			date_created: rfc2822(m.dateCreated),
			date_sent: m.dateSent ? rfc2822(m.dateSent) : null,
			date_updated: rfc2822(m.dateUpdated),
			direction: 'outbound-api',
			error_code: m.errorCode,
			error_message: m.errorMessage,
			from: m.from,
			messaging_service_sid: m.messagingServiceSid,
			num_media: String(m.mediaUrls.length),
			num_segments: '1',
			price: null,
			price_unit: 'USD',
			sid: m.sid,
			status: m.status,
			subresource_uris: { media: `${base}/Media.json`, feedback: `${base}/Feedback.json` },
			to: m.to,
			uri: `${base}.json`,
		};
	}

	// ----- Messages.json ----------------------------------------------------

	private createMessage(params: TwilioParams): Reply {
		const to = first(params.To);
		const from = first(params.From) || null;
		const messagingServiceSid = first(params.MessagingServiceSid) || null;
		const body = first(params.Body) ?? '';
		const mediaUrls = all(params.MediaUrl).filter((u) => u !== '');
		const contentSid = first(params.ContentSid) || null;
		const rawVariables = first(params.ContentVariables);
		const statusCallback = first(params.StatusCallback) || null;

		if (!to) throw bad(21604, "A 'To' phone number is required.");
		if (!from && !messagingServiceSid) throw bad(21603, "A 'From' phone number is required.");
		if (!body && mediaUrls.length === 0 && !contentSid) {
			throw bad(21619, 'A text message body, media URL or Content SID is required.');
		}
		if (rawVariables !== undefined && !contentSid) {
			throw bad(21654, 'ContentSid Required: a ContentSid must be specified if ContentVariables are provided.');
		}

		// Addresses: this emulator is WhatsApp only.
		const toIsWa = to.startsWith('whatsapp:');
		if (from && from.startsWith('whatsapp:') !== toIsWa) {
			throw bad(21910, "Invalid 'From' and 'To' pair. 'From' and 'To' should be of the same channel");
		}
		if (!toIsWa) throw bad(21211, `Invalid 'To' Phone Number: ${to} (the emulator only speaks WhatsApp: use whatsapp:+E164)`);
		if (!E164.test(to.slice('whatsapp:'.length))) throw bad(21211, `Invalid 'To' Phone Number: ${to}`);
		if (from && !E164.test(from.slice('whatsapp:'.length))) throw bad(21212, `Invalid 'From' Phone Number: ${from}`);
		if (messagingServiceSid && messagingServiceSid !== this.messagingServiceSid) {
			throw new TwilioError(404, 20404, `The requested resource /Services/${messagingServiceSid} was not found`);
		}
		if (from && from !== this.whatsappNumber) {
			throw bad(63007, `Twilio could not find a Channel with the specified From address: ${from}`);
		}
		if (from && from === to) throw bad(63031, "Channels message cannot have same 'From' and 'To'");
		if (statusCallback !== null && !/^https?:\/\/[^\s/_]+(?::\d+)?(\/\S*)?$/i.test(statusCallback)) {
			throw bad(21609, `Invalid 'StatusCallback': ${statusCallback}`);
		}

		const ignoredParams: string[] = [];
		let text = body;
		let contentVariables: Record<string, string> | null = null;
		let urls = mediaUrls;
		if (contentSid) {
			if (!/^HX[0-9a-fA-F]{32}$/.test(contentSid)) throw bad(21655, `The ContentSid is Invalid: ${contentSid}`);
			const template = this.templates.get(contentSid);
			if (!template) throw bad(21655, `The ContentSid is Invalid: ${contentSid}`);
			contentVariables = this.parseVariables(rawVariables);
			text = this.render(template, contentVariables);
			if (body) ignoredParams.push('Body');
			if (mediaUrls.length) ignoredParams.push('MediaUrl');
			urls = [];
		} else {
			if (text.length > MAX_BODY_LENGTH) {
				throw bad(21617, `The concatenated message body exceeds the ${MAX_BODY_LENGTH} character limit (got ${text.length})`);
			}
			for (const u of urls) {
				if (!/^https?:\/\/\S+$/i.test(u)) throw bad(21620, `Invalid media URL(s): ${u}`);
			}
		}
		let dropped: string[] = [];
		if (urls.length > 1) {
			if (this.opts.strictMedia) {
				throw bad(
					21620,
					`Invalid media URL(s): a WhatsApp message takes one MediaUrl, got ${urls.length} (emulator check: Twilio drops the others silently)`,
				);
			}
			dropped = urls.slice(1);
			urls = urls.slice(0, 1);
		}

		const insideWindow = this.windowOpen(to);
		if (!contentSid && !insideWindow && this.opts.windowErrors === 'sync') {
			throw bad(63016, ERROR_63016);
		}

		const now = new Date(this.now());
		const msg: TwilioMessage = {
			sid: sid(urls.length ? 'MM' : 'SM'),
			accountSid: this.accountSid,
			from: from ?? null,
			to,
			body: text,
			mediaUrls: urls,
			droppedMediaUrls: dropped,
			contentSid,
			contentVariables,
			messagingServiceSid,
			statusCallback,
			status: messagingServiceSid && !from ? 'accepted' : 'queued',
			statusHistory: [],
			errorCode: null,
			errorMessage: null,
			dateCreated: now,
			dateUpdated: now,
			dateSent: null,
			ignoredParams,
			params,
			fetchedMedia: [],
			insideWindow,
		};
		msg.statusHistory.push(msg.status);
		this.messages.push(msg);
		const view = this.messageView(msg); // the answer shows the initial status
		if (!from) msg.from = this.whatsappNumber; // the service picks its sender right after

		this.track(this.afterAccept(msg, !contentSid && !insideWindow));
		return { status: 201, json: view };
	}

	/** What happens after the 201: window failure, media fetch, automatic statuses. */
	private async afterAccept(msg: TwilioMessage, outsideWindow: boolean): Promise<void> {
		await new Promise((r) => setImmediate(r));
		if (outsideWindow) {
			await this.transition(msg, 'failed', 63016);
			return;
		}
		if (this.opts.fetchMedia) {
			for (const u of msg.mediaUrls) {
				const got = await this.fetchOne(u);
				msg.fetchedMedia.push(got);
				if (got.error || got.status < 200 || got.status > 299) {
					await this.transition(msg, 'failed', 63019);
					return;
				}
			}
		}
		if (this.opts.autoStatus) {
			await this.transition(msg, 'sent');
			await this.transition(msg, 'delivered');
		}
	}

	private async transition(msg: TwilioMessage, status: TwilioMessageStatus, errorCode?: number): Promise<void> {
		this.applyStatus(msg, status, errorCode);
		if (errorCode === 63019) msg.errorMessage = 'Media failed to download';
		if (msg.statusCallback) await this.postSigned('status', msg.statusCallback, this.statusParams(msg, msg.sid, status), {});
	}

	private async fetchOne(u: string): Promise<FetchedMedia> {
		try {
			const res = await fetch(u, { signal: AbortSignal.any([AbortSignal.timeout(15_000), this.abort.signal]) });
			const buf = Buffer.from(await res.arrayBuffer());
			return { url: u, status: res.status, contentType: res.headers.get('content-type'), size: buf.length, sha256: sha256hex(buf) };
		} catch (e) {
			return { url: u, status: 0, contentType: null, size: 0, sha256: null, error: (e as Error).message };
		}
	}

	private parseVariables(raw: string | undefined): Record<string, string> {
		if (raw === undefined) return {};
		let parsed: unknown;
		try {
			parsed = JSON.parse(raw);
		} catch {
			throw bad(21656, 'The ContentVariables Parameter is invalid: not a JSON string');
		}
		if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
			throw bad(21656, 'The ContentVariables Parameter is invalid: not a JSON object');
		}
		const out: Record<string, string> = {};
		for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
			if ((typeof v !== 'string' && typeof v !== 'number') || v === '') {
				throw bad(21656, `The ContentVariables Parameter is invalid: variable '${k}' is null, empty or not a string`);
			}
			if (String(v).length > MAX_BODY_LENGTH) throw bad(21658, `Parameter exceeded character limit: variable '${k}'`);
			out[k] = String(v);
		}
		return out;
	}

	private render(template: ContentTemplate, vars: Record<string, string>): string {
		return template.body.replace(/\{\{\s*([^{}\s]+)\s*\}\}/g, (_m, key: string) => {
			const v = vars[key] ?? template.variables[key];
			if (v === undefined) throw bad(21656, `The ContentVariables Parameter is invalid: no value for '{{${key}}}'`);
			return v;
		});
	}
}
