/**
 * An in-process HTTP emulator of the parts of Meta's Graph API that the Facebook Messenger channel
 * uses (Send API, attachment upload, Page subscribed_apps, /me, user profiles), plus Meta's side of
 * the webhooks (the verification GET and signed, batched event POSTs). Test code only; Node
 * built-ins only. What it implements and which real-API facts it relies on: docs/channel-apis.md.
 *
 *   const fb = await GraphEmulator.start();
 *   // credentials: pageAccessToken = fb.pageAccessToken, appSecret = fb.appSecret, graph URL = fb.url
 *   const user = fb.addUser({ first_name: 'Ada' }); // with a profile (GET /<PSID>); a PSID
 *   // first seen in an event builder has none: the User Profile API refuses it
 *   fb.hideProfile(user.id); // the profile is refused (400, #100/33), or { status: 500 }, or 'hang'
 *   await fb.deliver(webhookUrl, [fb.messageEvent(user.id, { text: 'hi' })]);
 *   // ... the adapter replies through POST {fb.url}/v23.0/me/messages?access_token=…&appsecret_proof=…
 *   fb.messages; fb.requests; fb.deliveries
 *   await fb.stop();
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendChunked } from './chunked';
import { listen } from './listen';
import { boundaryFromContentType, MultipartParser } from './multipart';

// ---------------------------------------------------------------------------
// Signatures and encoding
// ---------------------------------------------------------------------------

/** X-Hub-Signature-256: `sha256=` + hex HMAC-SHA256(app secret, raw request body). */
export function hubSignature(appSecret: string, rawBody: string | Buffer): string {
	return 'sha256=' + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

/** The legacy X-Hub-Signature (SHA-1) Meta still sends beside the SHA-256 one. */
export function hubSignatureSha1(appSecret: string, rawBody: string | Buffer): string {
	return 'sha1=' + createHmac('sha1', appSecret).update(rawBody).digest('hex');
}

/** appsecret_proof: hex HMAC-SHA256(app secret, access token). */
export function appSecretProof(appSecret: string, accessToken: string): string {
	return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/**
 * JSON the way Meta's webhook bodies look: non-ASCII characters as `\uXXXX` escapes (lower-case
 * hex) and `/` as `\/`. A receiver that re-serializes the parsed JSON instead of hashing the raw
 * bytes gets a different signature.
 */
export function metaJson(value: unknown): string {
	return JSON.stringify(value)
		.replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
		.replace(/\//g, '\\/');
}

// ---------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------

export interface GraphUser {
	/** The page-scoped id (PSID), or on Instagram the Instagram-scoped id (IGSID). */
	id: string;
	first_name: string;
	last_name: string;
	name: string;
	profile_pic: string;
	/** Instagram: the handle (User Profile API field `username`). */
	username?: string;
}

export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG';
export const MESSAGE_TAGS = [
	'ACCOUNT_UPDATE',
	'CONFIRMED_EVENT_UPDATE',
	'CUSTOMER_FEEDBACK',
	'HUMAN_AGENT',
	'POST_PURCHASE_UPDATE',
] as const;
export const SENDER_ACTIONS = ['typing_on', 'typing_off', 'mark_seen'] as const;
/** Instagram's sender actions: Messenger's plus reacting to a message (`payload: {message_id, reaction}`). */
export const INSTAGRAM_SENDER_ACTIONS = [...SENDER_ACTIONS, 'react', 'unreact'] as const;
/** Instagram's text limit: 1000 bytes of UTF-8. */
export const INSTAGRAM_MAX_TEXT_BYTES = 1000;
/** Instagram's image limit (audio, video, files: 25 MB). */
export const INSTAGRAM_MAX_IMAGE_SIZE = 8 * 1024 * 1024;
export const SUBSCRIBABLE_FIELDS = [
	'messages',
	'messaging_postbacks',
	'messaging_optins',
	'messaging_referrals',
	'message_deliveries',
	'message_reads',
	'message_echoes',
	'message_reactions',
	'message_edits',
	'messaging_handovers',
	'messaging_policy_enforcement',
	'messaging_account_linking',
	'standby',
	'feed',
] as const;

export interface QuickReply {
	content_type: 'text' | 'user_phone_number' | 'user_email';
	title?: string;
	payload?: string | number;
	image_url?: string;
}

export interface OutgoingAttachment {
	type: 'image' | 'audio' | 'video' | 'file' | 'template';
	payload: Record<string, unknown>;
}

export interface RecordedUpload {
	fieldName: string;
	filename: string;
	contentType: string;
	size: number;
	sha256: string;
}

export interface GraphSentMessage {
	mid: string;
	recipientId: string;
	messagingType: MessagingType;
	tag: string | null;
	text: string | null;
	attachment: OutgoingAttachment | null;
	quickReplies: QuickReply[] | null;
	/** The `filedata` part of a multipart send. */
	upload: RecordedUpload | null;
	/** Set when the attachment was saved (`is_reusable: true`). */
	attachmentId: string | null;
	notificationType: string | null;
	metadata: string | null;
	/** 'window' (inside 24 h), 'human_agent' (HUMAN_AGENT within 7 days) or 'tag' (other tags). */
	allowedBy: 'window' | 'human_agent' | 'tag';
	at: number;
	path: string;
	version: string | null;
}

export interface GraphSenderAction {
	recipientId: string;
	action: string;
	at: number;
	/** Instagram `react` / `unreact`: `{ message_id, reaction }`. */
	payload?: Record<string, unknown>;
}

export interface SavedAttachment {
	id: string;
	/** The file as uploaded (attachment upload API), when it was. */
	upload?: RecordedUpload;
	type: string;
	contentType: string | null;
	bytes: Buffer | null;
	url: string | null;
	sha256: string | null;
}

export interface HostedAttachment {
	id: string;
	contentType: string;
	bytes: Buffer;
	sha256: string;
	filename: string;
	url: string;
	token: string;
	/** Expiry, seconds since epoch (the `oe` query parameter). */
	expires: number;
}

export interface RecordedRequest {
	method: string;
	path: string;
	version: string | null;
	query: Record<string, string>;
	headers: http.IncomingHttpHeaders;
	/** Parsed JSON / form fields; for multipart `{ fields, file }`. Never file bytes. */
	body: unknown;
	token: 'valid' | 'invalid' | 'expired' | 'missing' | 'n/a';
	proof: 'valid' | 'invalid' | 'missing' | 'n/a';
	status: number;
	injected?: boolean;
}

export interface MessagingEvent {
	sender: { id: string };
	recipient: { id: string };
	timestamp?: number;
	message?: Record<string, unknown>;
	postback?: Record<string, unknown>;
	delivery?: { mids?: string[]; watermark: number };
	read?: { watermark: number };
	[key: string]: unknown;
}

export interface WebhookEntry {
	id: string;
	time: number;
	messaging: MessagingEvent[];
}

export interface DeliverOptions {
	/** `true`: a wrong signature; a string: send exactly this X-Hub-Signature-256 value. */
	forgeSignature?: boolean | string;
	/** Leave both signature headers out. */
	omitSignature?: boolean;
	/** Sign with another secret. */
	appSecret?: string;
	/** Send exactly this body (signed as is unless forged). */
	rawBody?: string;
	/** Meta-style escaping (`\uXXXX`, `\/`). Default true. */
	metaEscaping?: boolean;
	/** `object` of the batch. Default 'page'. */
	object?: string;
	headers?: Record<string, string>;
	timeoutMs?: number;
	/**
	 * Meta re-sends a notification that was not answered 2xx (an error status, a refused
	 * connection, a timeout): "immediately, then a few more times with decreasing frequency over
	 * the next 36 hours" (docs/channel-apis.md §4.2). These are the waits before each re-send (the
	 * same body and signature); none by default. Every attempt is in `WebhookResult.attempts`.
	 */
	retryDelaysMs?: number[];
}

export interface WebhookResult {
	kind: 'verify' | 'deliver';
	url: string;
	status: number;
	contentType: string | null;
	body: string;
	headers: Record<string, string>;
	/** For deliver: the raw body sent; for verify: the query. */
	sent: string;
	/** For deliver: the X-Hub-Signature-256 sent (null when omitted). */
	signature: string | null;
	error?: string;
	/** For deliver with `retryDelaysMs`: every attempt, the last one being this result. */
	attempts?: WebhookResult[];
}

export interface VerifyResult extends WebhookResult {
	challenge: string;
	/** 200 and the body is exactly the challenge. */
	ok: boolean;
}

export interface GraphErrorSpec {
	code: number;
	subcode?: number;
	message?: string;
	type?: string;
	isTransient?: boolean;
}

export interface FailNextOptions {
	method?: string;
	path?: RegExp;
	count?: number;
	/** HTTP status. Default: 400 for rateLimit / error, required otherwise (429 | 500 | 503 …). */
	status?: number;
	/** A Graph rate-limit error: (#4) app, (#17) user, (#32) page, (#613) API-specific. */
	rateLimit?: 4 | 17 | 32 | 613;
	/** Any other Graph error body. */
	error?: GraphErrorSpec;
	/** estimated_time_to_regain_access (minutes) in the usage header of a rate limit. Default 1. */
	regainMinutes?: number;
	/** Retry-After seconds (Graph does not send one; for clients that honour it). */
	retryAfter?: number;
	/** Process the request for real first (a response lost after the send). */
	afterAccepting?: boolean;
}

/** How the User Profile API refuses a PSID (see `hideProfile`). */
export type ProfileRefusal = { status?: number; error?: GraphErrorSpec } | 'hang';

export interface GraphEmulatorOptions {
	pageId?: string;
	pageName?: string;
	pageAccessToken?: string;
	appId?: string;
	appSecret?: string;
	verifyToken?: string;
	/** The version the adapter is expected to use, e.g. 'v23.0' (any vN.N is accepted). */
	version?: string;
	/** "Require App Secret": calls without appsecret_proof fail. Default true. */
	requireProof?: boolean;
	/**
	 * The app has Meta's Human Agent permission (default true): without it a send tagged
	 * HUMAN_AGENT is refused with #10 "Application does not have permission for this action".
	 */
	humanAgent?: boolean;
	/** Fetch attachment URLs at send time (failures: 100 / 2018008). Default false. */
	fetchUrls?: boolean;
	/** Upload limit in bytes. Default 25 MB. */
	maxUploadSize?: number;
	/** Port on 127.0.0.1 (default: a free one the system picks). */
	port?: number;
	/**
	 * 'instagram': the Messenger Platform for Instagram (test/emulators/instagram.ts): webhooks
	 * `object: "instagram"` with the Instagram account id as entry id and recipient, IGSIDs with
	 * `name` and `username`, texts up to 1000 bytes, only the HUMAN_AGENT tag, files uploaded with
	 * `/{page-id}/message_attachments` (`platform=instagram`), window errors 10 / 2534022.
	 */
	platform?: 'messenger' | 'instagram';
	/** The Instagram professional account linked to the page (platform 'instagram'). */
	instagramAccountId?: string;
}

export const DEFAULT_PAGE_ID = '105000000000001';
export const DEFAULT_APP_ID = '200000000000002';
export const DEFAULT_PAGE_ACCESS_TOKEN = 'EAAGpageaccesstoken0123456789abcdef';
export const DEFAULT_APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const DEFAULT_VERIFY_TOKEN = 'n8n-verify-token';
export const DEFAULT_VERSION = 'v23.0';
export const DEFAULT_INSTAGRAM_ACCOUNT_ID = '17841400000000001';
export const WINDOW_MS = 24 * 60 * 60 * 1000;
export const HUMAN_AGENT_MS = 7 * 24 * 60 * 60 * 1000;
export const MAX_TEXT_LENGTH = 2000;
export const MAX_QUICK_REPLIES = 13;
export const MAX_UPLOAD_SIZE = 25 * 1024 * 1024;

/** Graph's #10 for a HUMAN_AGENT send by an app without the Human Agent permission. */
const HUMAN_AGENT_PERMISSION_MESSAGE = '(#10) Application does not have permission for this action';

/** Instagram's refusal outside the window (code 10, subcode 2534022). */
export const INSTAGRAM_OUTSIDE_WINDOW_MESSAGE = '(#10) This message is sent outside of allowed window.';

export const OUTSIDE_WINDOW_MESSAGE =
	'(#10) This message is sent outside of allowed window. Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview';

// ---------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------

class GraphError extends Error {
	constructor(
		readonly status: number,
		readonly code: number,
		message: string,
		readonly type = 'OAuthException',
		readonly subcode?: number,
		readonly isTransient?: boolean,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

const param = (message: string, subcode?: number) => new GraphError(400, 100, `(#100) ${message}`, 'OAuthException', subcode);

type Reply =
	| { status: number; json?: unknown; headers?: Record<string, string> }
	| { status: number; raw: Buffer; headers: Record<string, string> };

interface FaultRule extends FailNextOptions {
	remaining: number;
}

interface Parsed {
	/** Query + body fields; JSON-string values of recipient/message are parsed. */
	fields: Record<string, unknown>;
	upload: { info: RecordedUpload; bytes: Buffer } | null;
	/** For the record. */
	body: unknown;
}

const sha256hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fbtrace = () => randomBytes(8).toString('base64').replace(/[+/=]/g, 'A');
const numericId = () => String(randomInt(1, 9)) + Array.from({ length: 15 }, () => randomInt(0, 10)).join('');

function headerRecord(h: Headers): Record<string, string> {
	const out: Record<string, string> = {};
	h.forEach((v, k) => (out[k] = v));
	return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
	return !!v && typeof v === 'object' && !Array.isArray(v);
}

// ---------------------------------------------------------------------------
// The emulator
// ---------------------------------------------------------------------------

export class GraphEmulator {
	/** Stands for https://graph.facebook.com. */
	readonly url: string;
	readonly pageId: string;
	readonly pageName: string;
	readonly pageAccessToken: string;
	readonly appId: string;
	readonly appSecret: string;
	readonly verifyToken: string;
	readonly version: string;
	readonly requireProof: boolean;
	/** The app has the Human Agent permission (options.humanAgent); a test may take it away. */
	humanAgentPermission: boolean;
	readonly fetchUrls: boolean;
	readonly maxUploadSize: number;
	readonly platform: 'messenger' | 'instagram';
	/** The Instagram professional account (platform 'instagram'). */
	readonly instagramAccountId: string;
	/**
	 * Fault injection: CDN files are sent chunked (no Content-Length), in 64 KB pieces. With
	 * `cdnServes`, the bytes sent for a hosted file instead of its own (e.g. more than it claims).
	 */
	chunkedCdn = false;
	cdnServes: ((item: HostedAttachment) => Buffer) | undefined;

	/** Every request, in arrival order. */
	requests: RecordedRequest[] = [];
	/** Every message the Send API accepted, in order. */
	messages: GraphSentMessage[] = [];
	senderActions: GraphSenderAction[] = [];
	/** Every verification GET and event POST the emulator sent, with the receiver's answer. */
	deliveries: WebhookResult[] = [];
	readonly users = new Map<string, GraphUser>();
	/**
	 * PSIDs whose profile the User Profile API does not give (the person can still be messaged):
	 * the error it answers instead, or 'hang' (no answer until the emulator stops).
	 */
	readonly hiddenProfiles = new Map<string, ProfileRefusal>();
	/** Saved (reusable) attachments by attachment_id. */
	readonly savedAttachments = new Map<string, SavedAttachment>();
	/** The bytes of each file sent with a message (multipart `filedata`), by the message's mid. */
	readonly uploadedFiles = new Map<string, Buffer>();
	/** Files the emulator hosts for webhook attachment URLs. */
	readonly hosted = new Map<string, HostedAttachment>();
	/** PSID → when that user last messaged the page (ms since epoch). */
	readonly lastInbound = new Map<string, number>();
	/** The app's subscribed fields on the page; null = the app is not installed on the page. */
	subscribedFields: string[] | null = null;

	private tokenExpired = false;
	private faults: FaultRule[] = [];
	private timeOffset = 0;
	private readonly abort = new AbortController();

	protected constructor(
		private readonly server: http.Server,
		options: GraphEmulatorOptions,
	) {
		this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		this.pageId = options.pageId ?? DEFAULT_PAGE_ID;
		this.pageName = options.pageName ?? 'n8n Test Page';
		this.pageAccessToken = options.pageAccessToken ?? DEFAULT_PAGE_ACCESS_TOKEN;
		this.appId = options.appId ?? DEFAULT_APP_ID;
		this.appSecret = options.appSecret ?? DEFAULT_APP_SECRET;
		this.verifyToken = options.verifyToken ?? DEFAULT_VERIFY_TOKEN;
		this.version = options.version ?? DEFAULT_VERSION;
		this.requireProof = options.requireProof ?? true;
		this.humanAgentPermission = options.humanAgent ?? true;
		this.fetchUrls = options.fetchUrls ?? false;
		this.maxUploadSize = options.maxUploadSize ?? MAX_UPLOAD_SIZE;
		this.platform = options.platform ?? 'messenger';
		this.instagramAccountId = options.instagramAccountId ?? DEFAULT_INSTAGRAM_ACCOUNT_ID;
		server.on('request', (req, res) => void this.handle(req, res));
	}

	static async start(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
		const server = http.createServer();
		await listen(server, options.port);
		return new GraphEmulator(server, options);
	}

	async stop(): Promise<void> {
		this.abort.abort();
		const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
		this.server.closeAllConnections();
		await closed;
	}

	/** The account webhook entries are for and customers write to: the page, or the Instagram account. */
	get accountId(): string {
		return this.platform === 'instagram' ? this.instagramAccountId : this.pageId;
	}

	protected get instagram(): boolean {
		return this.platform === 'instagram';
	}

	/** `${url}/${version}`: the base an adapter puts before `/me/messages`. */
	get baseUrl(): string {
		return `${this.url}/${this.version}`;
	}

	/** The package's Messenger credential (teamSpiritMessengerApi) for this emulator's page. */
	credentialData(): { pageId: string; accessToken: string; appSecret: string; verifyToken: string; graphVersion: string; baseUrl: string } {
		return {
			pageId: this.pageId,
			accessToken: this.pageAccessToken,
			appSecret: this.appSecret,
			verifyToken: this.verifyToken,
			graphVersion: this.version,
			baseUrl: this.url,
		};
	}

	/** The appsecret_proof for the page token. */
	get proof(): string {
		return appSecretProof(this.appSecret, this.pageAccessToken);
	}

	// ----- clock, window, token ---------------------------------------------

	now(): number {
		return Date.now() + this.timeOffset;
	}

	advanceTime(ms: number): void {
		this.timeOffset += ms;
	}

	/** Records that `psid` messaged the page at `at` (default now). */
	touch(psid: string, at: Date | number = this.now()): void {
		this.lastInbound.set(psid, typeof at === 'number' ? at : at.getTime());
	}

	/** Makes the page token fail with 190 / 463 (session expired) until `restoreToken()`. */
	expireToken(): void {
		this.tokenExpired = true;
	}

	restoreToken(): void {
		this.tokenExpired = false;
	}

	// ----- seeding ----------------------------------------------------------

	addUser(partial: Partial<GraphUser> = {}): GraphUser {
		const id = partial.id ?? numericId();
		const first = partial.first_name ?? `User${this.users.size + 1}`;
		const last = partial.last_name ?? 'Test';
		const user: GraphUser = {
			id,
			first_name: first,
			last_name: last,
			name: partial.name ?? `${first} ${last}`,
			profile_pic: partial.profile_pic ?? `${this.url}/cdn/profile/${id}.jpg`,
		};
		if (this.instagram) user.username = partial.username ?? `${first}.${last}`.toLowerCase();
		this.users.set(id, user);
		this.hiddenProfiles.delete(id);
		return user;
	}

	/**
	 * Makes the User Profile API refuse `psid`'s profile (GET /<PSID>): by default as Meta does
	 * when the page may not read it or there is no such person (HTTP 400, code 100, subcode 33);
	 * `{ status, error }` for another answer (e.g. `{ status: 500 }`); 'hang' for no answer at all.
	 * The person stays known to the Send API. `showProfile` undoes it.
	 */
	hideProfile(psid: string, refusal: ProfileRefusal = {}): void {
		this.hiddenProfiles.set(psid, refusal);
	}

	showProfile(psid: string): void {
		this.hiddenProfiles.delete(psid);
	}

	/** The User Profile API requests (GET /<PSID>) so far, for one PSID or all. */
	profileLookups(psid?: string): RecordedRequest[] {
		return this.requests.filter((r) => {
			const m = /^\/v\d+\.\d+\/([^/]+)$/.exec(r.path);
			return r.method === 'GET' && !!m && m[1] !== 'me' && m[1] !== this.pageId && m[1] !== this.accountId && (psid === undefined || m[1] === psid);
		});
	}

	/**
	 * Hosts a file like Meta's CDN hosts webhook attachments; returns its URL (public, signed with
	 * `oh`, expiring at `oe` — 3 days by default, checked against the emulator clock).
	 */
	addAttachment(bytes: Buffer | string, contentType: string, opts: { filename?: string; ttlMs?: number } = {}): string {
		const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
		const id = numericId();
		const token = randomBytes(16).toString('hex');
		const expires = Math.floor((this.now() + (opts.ttlMs ?? 3 * 24 * 3600 * 1000)) / 1000);
		const filename = opts.filename ?? `${id}.${contentType.split('/')[1]?.split(/[;+]/)[0] || 'bin'}`;
		const url = `${this.url}/cdn/${id}/${encodeURIComponent(filename)}?_nc_cat=1&oh=${token}&oe=${expires.toString(16).toUpperCase()}`;
		this.hosted.set(id, { id, contentType, bytes: buf, sha256: sha256hex(buf), filename, url, token, expires });
		return url;
	}

	// ----- event builders ---------------------------------------------------

	/**
	 * The person behind an event. One not seeded with `addUser` is created on the fly: reachable by
	 * the Send API, but without a profile (the User Profile API refuses it, as when the page may
	 * not read it).
	 */
	private user(psid: string): GraphUser {
		const known = this.users.get(psid);
		if (known) return known;
		const user = this.addUser({ id: psid });
		this.hiddenProfiles.set(psid, {});
		return user;
	}

	/** A `messages` event from `psid`. Attachments with bytes are hosted by the emulator. */
	messageEvent(
		psid: string,
		opts: {
			text?: string;
			attachments?: Array<
				{ type: 'image' | 'audio' | 'video' | 'file'; url: string } | { type: 'image' | 'audio' | 'video' | 'file'; bytes: Buffer | string; contentType: string; filename?: string }
			>;
			quickReplyPayload?: string;
			replyTo?: string;
			/** Instagram: a reply to the account's story (`reply_to.story: {url, id}`). */
			replyToStory?: { url: string; id: string };
			/** Instagram: other attachments as Meta sends them (`story_mention`, `share`, `ig_reel` …: a link). */
			links?: Array<{ type: string; url: string; title?: string }>;
			mid?: string;
			timestamp?: number;
		} = {},
	): MessagingEvent {
		this.user(psid);
		const message: Record<string, unknown> = { mid: opts.mid ?? this.newMid() };
		if (opts.text !== undefined) message.text = opts.text;
		if (opts.quickReplyPayload !== undefined) message.quick_reply = { payload: opts.quickReplyPayload };
		if (opts.replyTo) message.reply_to = { mid: opts.replyTo };
		if (opts.replyToStory) message.reply_to = { story: opts.replyToStory };
		if (opts.attachments?.length) {
			message.attachments = opts.attachments.map((a) => ({
				type: a.type,
				payload: { url: 'url' in a ? a.url : this.addAttachment(a.bytes, a.contentType, { filename: a.filename }) },
			}));
		}
		if (opts.links?.length) {
			const list = (message.attachments as unknown[] | undefined) ?? [];
			message.attachments = [...list, ...opts.links.map((l) => ({ type: l.type, payload: { url: l.url, ...(l.title ? { title: l.title } : {}) } }))];
		}
		return { sender: { id: psid }, recipient: { id: this.accountId }, timestamp: opts.timestamp ?? this.now(), message };
	}

	/**
	 * A `message_edits` event: `psid` changed the text of an earlier message `mid` (Meta's shape:
	 * `message_edit: { mid, text, num_edit }`; a person may edit a message at most 5 times).
	 */
	editEvent(psid: string, opts: { mid: string; text: string; numEdit?: number; timestamp?: number }): MessagingEvent {
		this.user(psid);
		return {
			sender: { id: psid },
			recipient: { id: this.accountId },
			timestamp: opts.timestamp ?? this.now(),
			message_edit: { mid: opts.mid, text: opts.text, num_edit: opts.numEdit ?? 1 },
		};
	}

	/** A `messaging_postbacks` event (a button tap). */
	postbackEvent(psid: string, opts: { title: string; payload: string; mid?: string; timestamp?: number }): MessagingEvent {
		this.user(psid);
		return {
			sender: { id: psid },
			recipient: { id: this.accountId },
			timestamp: opts.timestamp ?? this.now(),
			postback: { title: opts.title, payload: opts.payload, mid: opts.mid ?? this.newMid() },
		};
	}

	/** A `message_echoes` event: a message the page sent (from this or another app, or a human in the inbox). */
	echoEvent(psid: string, opts: { text?: string; mid?: string; appId?: string | number; metadata?: string; timestamp?: number } = {}): MessagingEvent {
		const message: Record<string, unknown> = { mid: opts.mid ?? this.newMid(), is_echo: true, app_id: Number(opts.appId ?? this.appId) };
		if (opts.metadata !== undefined) message.metadata = opts.metadata;
		if (opts.text !== undefined) message.text = opts.text;
		return { sender: { id: this.accountId }, recipient: { id: psid }, timestamp: opts.timestamp ?? this.now(), message };
	}

	/** Instagram: the customer unsent message `mid` (`message: { mid, is_deleted: true }`). */
	unsendEvent(psid: string, opts: { mid: string; timestamp?: number }): MessagingEvent {
		this.user(psid);
		return { sender: { id: psid }, recipient: { id: this.accountId }, timestamp: opts.timestamp ?? this.now(), message: { mid: opts.mid, is_deleted: true } };
	}

	/** A `message_reactions` event: `psid` reacted to (or took back the reaction to) message `mid`. */
	reactionEvent(psid: string, opts: { mid: string; action?: 'react' | 'unreact'; reaction?: string; emoji?: string; timestamp?: number }): MessagingEvent {
		this.user(psid);
		const action = opts.action ?? 'react';
		const reaction: Record<string, unknown> = { mid: opts.mid, action };
		if (action === 'react') {
			reaction.reaction = opts.reaction ?? 'love';
			reaction.emoji = opts.emoji ?? '\u2764';
		}
		return { sender: { id: psid }, recipient: { id: this.accountId }, timestamp: opts.timestamp ?? this.now(), reaction };
	}

	/** Instagram `messaging_seen`: the customer saw the account's message `mid` (`read: { mid }`). */
	seenEvent(psid: string, opts: { mid: string; timestamp?: number }): MessagingEvent {
		return { sender: { id: psid }, recipient: { id: this.accountId }, timestamp: opts.timestamp ?? this.now(), read: { mid: opts.mid } as never };
	}

	/** A `message_deliveries` event (no timestamp, as in Meta's payloads). */
	deliveryEvent(psid: string, opts: { mids?: string[]; watermark?: number } = {}): MessagingEvent {
		return {
			sender: { id: psid },
			recipient: { id: this.accountId },
			delivery: { mids: opts.mids ?? [], watermark: opts.watermark ?? this.now() },
		};
	}

	/** A `message_reads` event: everything up to `watermark` was read. */
	readEvent(psid: string, opts: { watermark?: number; timestamp?: number } = {}): MessagingEvent {
		return {
			sender: { id: psid },
			recipient: { id: this.accountId },
			timestamp: opts.timestamp ?? this.now(),
			read: { watermark: opts.watermark ?? this.now() },
		};
	}

	private newMid(): string {
		return 'm_' + randomBytes(30).toString('base64url');
	}

	// ----- the webhook side -------------------------------------------------

	/** Meta's verification GET: `?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…`. */
	async verify(url: string, opts: { mode?: string; token?: string; challenge?: string; timeoutMs?: number } = {}): Promise<VerifyResult> {
		const challenge = opts.challenge ?? String(randomInt(100_000_000, 2_000_000_000));
		const target = new URL(url);
		target.searchParams.set('hub.mode', opts.mode ?? 'subscribe');
		target.searchParams.set('hub.challenge', challenge);
		target.searchParams.set('hub.verify_token', opts.token ?? this.verifyToken);
		const result: VerifyResult = {
			kind: 'verify',
			url,
			status: 0,
			contentType: null,
			body: '',
			headers: {},
			sent: target.search,
			signature: null,
			challenge,
			ok: false,
		};
		try {
			const res = await fetch(target, {
				headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' },
				redirect: 'manual',
				signal: AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 15_000), this.abort.signal]),
			});
			result.status = res.status;
			result.contentType = res.headers.get('content-type');
			result.headers = headerRecord(res.headers);
			result.body = await res.text();
			result.ok = res.status === 200 && result.body === challenge;
		} catch (e) {
			result.error = (e as Error).message;
		}
		this.deliveries.push(result);
		return result;
	}

	/**
	 * POSTs a signed batch `{object: "page", entry: [...]}` to `url`. Items with `messaging` are
	 * entries as given; any other item is a messaging event and gets an entry of its own (Meta puts
	 * one event in each entry's `messaging` array). Message and postback events from users move their
	 * 24-hour window.
	 */
	async deliver(url: string, items: Array<WebhookEntry | MessagingEvent>, opts: DeliverOptions = {}): Promise<WebhookResult> {
		const entries: WebhookEntry[] = items.map((item) =>
			Array.isArray((item as WebhookEntry).messaging)
				? (item as WebhookEntry)
				: { id: this.accountId, time: this.now(), messaging: [item as MessagingEvent] },
		);
		for (const entry of entries) {
			for (const ev of entry.messaging) {
				const fromUser = ev.sender?.id && ev.sender.id !== this.accountId;
				const isEcho = isObject(ev.message) && ev.message.is_echo === true;
				if (fromUser && ((ev.message && !isEcho) || ev.postback)) this.touch(ev.sender.id, ev.timestamp ?? this.now());
			}
		}
		const payload = { object: opts.object ?? (this.instagram ? 'instagram' : 'page'), entry: entries };
		const raw = opts.rawBody ?? (opts.metaEscaping === false ? JSON.stringify(payload) : metaJson(payload));
		const secret = opts.appSecret ?? this.appSecret;
		let signature: string | null = hubSignature(secret, raw);
		if (opts.omitSignature) signature = null;
		else if (typeof opts.forgeSignature === 'string') signature = opts.forgeSignature;
		else if (opts.forgeSignature) signature = hubSignature(randomBytes(16).toString('hex'), raw);
		const headers: Record<string, string> = {
			'content-type': 'application/json',
			'user-agent': 'facebookexternalua',
			...(signature !== null
				? { 'x-hub-signature-256': signature, 'x-hub-signature': hubSignatureSha1(secret, raw) }
				: {}),
			...opts.headers,
		};
		const retries = [...(opts.retryDelaysMs ?? [])];
		const attempts: WebhookResult[] = [];
		for (;;) {
			const result = await this.post(url, raw, signature, headers, opts);
			attempts.push(result);
			const wait = retries.shift();
			if ((result.status >= 200 && result.status < 300) || wait === undefined || this.abort.signal.aborted) {
				if (opts.retryDelaysMs) result.attempts = attempts;
				return result;
			}
			await new Promise((resolve) => setTimeout(resolve, wait));
		}
	}

	private async post(url: string, raw: string, signature: string | null, headers: Record<string, string>, opts: DeliverOptions): Promise<WebhookResult> {
		const result: WebhookResult = { kind: 'deliver', url, status: 0, contentType: null, body: '', headers: {}, sent: raw, signature };
		try {
			const res = await fetch(url, {
				method: 'POST',
				headers,
				body: raw,
				redirect: 'manual',
				signal: AbortSignal.any([AbortSignal.timeout(opts.timeoutMs ?? 15_000), this.abort.signal]),
			});
			result.status = res.status;
			result.contentType = res.headers.get('content-type');
			result.headers = headerRecord(res.headers);
			result.body = await res.text();
		} catch (e) {
			result.error = (e as Error).message;
		}
		this.deliveries.push(result);
		return result;
	}

	// ----- inspection -------------------------------------------------------

	/** Messages sent to `psid`, oldest first. */
	messagesTo(psid: string): GraphSentMessage[] {
		return this.messages.filter((m) => m.recipientId === psid);
	}

	// ----- fault injection --------------------------------------------------

	failNext(opts: FailNextOptions): void {
		if (opts.status === undefined && opts.rateLimit === undefined && opts.error === undefined) {
			throw new Error('failNext: give status, rateLimit or error');
		}
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

	private faultError(rule: FaultRule): GraphError {
		const headers: Record<string, string> = {};
		if (rule.retryAfter !== undefined) headers['retry-after'] = String(rule.retryAfter);
		const usage = { call_count: 100, total_cputime: 25, total_time: 25, estimated_time_to_regain_access: rule.regainMinutes ?? 1 };
		const limit =
			rule.rateLimit ?? (rule.status === 429 && !rule.error ? 4 : undefined);
		if (limit !== undefined) {
			const messages: Record<number, string> = {
				4: '(#4) Application request limit reached',
				17: '(#17) User request limit reached',
				32: '(#32) Page request limit reached',
				613: '(#613) Calls to this api have exceeded the rate limit.',
			};
			if (limit === 4 || limit === 17) headers['x-app-usage'] = JSON.stringify(usage);
			if (limit === 32) headers['x-page-usage'] = JSON.stringify(usage);
			if (limit === 613) {
				headers['x-business-use-case-usage'] = JSON.stringify({ [this.pageId]: [{ type: 'messenger', ...usage }] });
			}
			return new GraphError(rule.status ?? 400, limit, messages[limit], 'OAuthException', undefined, true, headers);
		}
		if (rule.error) {
			const e = rule.error;
			return new GraphError(rule.status ?? 400, e.code, e.message ?? `(#${e.code}) Injected error`, e.type ?? 'OAuthException', e.subcode, e.isTransient, headers);
		}
		const status = rule.status as number;
		if (status >= 500 && status !== 503) {
			return new GraphError(status, 1, 'An unknown error occurred', 'OAuthException', undefined, true, headers);
		}
		return new GraphError(status, 2, 'An unexpected error has occurred. Please retry your request later.', 'OAuthException', undefined, true, headers);
	}

	// ----- request handling -------------------------------------------------

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
			proof: 'n/a',
			status: 0,
		};
		this.requests.push(rec);
		let reply: Reply;
		try {
			if (url.pathname.startsWith('/cdn/')) {
				await this.drain(req);
				reply = this.serveCdn(method, url);
			} else {
				const fault = this.takeFault(method, url.pathname);
				if (fault && !fault.afterAccepting) {
					rec.injected = true;
					await this.drain(req);
					throw this.faultError(fault);
				}
				const parsed = await this.parse(req, url);
				rec.body = parsed.body;
				reply = await this.dispatch(req, rec, method, vm ? vm[2] ?? '/' : url.pathname, parsed);
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
			if (e.subcode !== undefined) error.error_subcode = e.subcode;
			if (e.isTransient !== undefined) error.is_transient = e.isTransient;
			error.fbtrace_id = trace;
			const headers: Record<string, string> = { ...e.headers, 'x-fb-trace-id': trace };
			if (e.code === 190 || e.code === 104 || /access token/.test(e.message)) {
				headers['www-authenticate'] = `OAuth "Facebook Platform" "invalid_token" "${e.message.replace(/"/g, "'")}"`;
			}
			return { status: e.status, headers, json: { error } };
		}
		return {
			status: 500,
			headers: { 'x-fb-trace-id': trace },
			json: { error: { message: (e as Error).message, type: 'OAuthException', code: 1, fbtrace_id: trace } },
		};
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
		res.writeHead(reply.status, {
			...reply.headers,
			'content-type': 'application/json; charset=UTF-8',
			'content-length': String(payload.length),
		});
		res.end(payload);
	}

	private serveCdn(method: string, url: URL): Reply {
		const m = /^\/cdn\/(\d+)\/[^/]+$/.exec(url.pathname);
		const item = m ? this.hosted.get(m[1]) : undefined;
		const text = (status: number, s: string): Reply => ({ status, raw: Buffer.from(s), headers: { 'content-type': 'text/plain' } });
		if (method !== 'GET' || !item) return text(404, 'Not Found');
		if (url.searchParams.get('oh') !== item.token) return text(403, 'URL signature mismatch');
		if (Math.floor(this.now() / 1000) > item.expires) return text(403, 'URL signature expired');
		const bytes = this.cdnServes?.(item) ?? item.bytes;
		return { status: 200, raw: bytes, headers: { 'content-type': item.contentType, ...(this.chunkedCdn ? { 'x-emulator-chunked': '1' } : {}) } };
	}

	/** Query + JSON / form / multipart body into one field map. */
	private async parse(req: http.IncomingMessage, url: URL): Promise<Parsed> {
		const fields: Record<string, unknown> = Object.fromEntries(url.searchParams);
		const ct = (req.headers['content-type'] ?? '').toLowerCase();
		let upload: Parsed['upload'] = null;
		let body: unknown;
		const boundary = boundaryFromContentType(req.headers['content-type']);
		if (boundary) {
			const text: Record<string, string> = {};
			let file: { info: RecordedUpload; chunks: Buffer[]; size: number; hash: ReturnType<typeof createHash> } | null = null;
			let extraFiles = 0;
			const parser = new MultipartParser(boundary, (part) => {
				if (part.filename !== undefined || part.name === 'filedata') {
					if (file) {
						extraFiles++;
						return { write: () => undefined, end: () => undefined };
					}
					const f = {
						info: { fieldName: part.name, filename: part.filename ?? '', contentType: part.contentType ?? 'application/octet-stream', size: 0, sha256: '' },
						chunks: [] as Buffer[],
						size: 0,
						hash: createHash('sha256'),
					};
					file = f;
					return {
						write: (c: Buffer) => {
							f.size += c.length;
							f.hash.update(c);
							if (f.size <= this.maxUploadSize) f.chunks.push(c);
						},
						end: () => {
							f.info.size = f.size;
							f.info.sha256 = f.hash.digest('hex');
						},
					};
				}
				const chunks: Buffer[] = [];
				return { write: (c: Buffer) => void chunks.push(c), end: () => void (text[part.name] = Buffer.concat(chunks).toString('utf8')) };
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
			const f = file as { info: RecordedUpload; chunks: Buffer[]; size: number } | null;
			body = { fields: text, file: f ? f.info : null };
			if (broken) throw param(`Malformed multipart body: ${broken}`);
			if (extraFiles) throw param('Only one file (filedata) per request');
			if (f && f.size > this.maxUploadSize) throw param('Attachment size exceeds allowable limit');
			Object.assign(fields, text);
			upload = f ? { info: f.info, bytes: Buffer.concat(f.chunks) } : null;
		} else {
			const chunks: Buffer[] = [];
			let size = 0;
			for await (const chunk of req as AsyncIterable<Buffer>) {
				size += chunk.length;
				if (size <= 2 * 1024 * 1024) chunks.push(chunk);
			}
			if (size > 2 * 1024 * 1024) throw param('Request body too large');
			const raw = Buffer.concat(chunks).toString('utf8');
			if (raw.length > 0) {
				if (/^application\/json\b/.test(ct)) {
					try {
						body = JSON.parse(raw);
					} catch {
						throw param('Invalid JSON in request body');
					}
					if (!isObject(body)) throw param('Request body must be a JSON object');
					Object.assign(fields, body);
				} else if (ct.startsWith('application/x-www-form-urlencoded')) {
					body = Object.fromEntries(new URLSearchParams(raw));
					Object.assign(fields, body);
				} else {
					body = raw;
				}
			}
		}
		// Form and query values of these are JSON strings (`recipient={"id":"…"}`).
		for (const key of ['recipient', 'message']) {
			const v = fields[key];
			if (typeof v === 'string') {
				try {
					fields[key] = JSON.parse(v);
				} catch {
					throw param(`param ${key} must be a JSON object`);
				}
			}
		}
		return { fields, upload, body };
	}

	private checkAuth(req: http.IncomingMessage, rec: RecordedRequest, fields: Record<string, unknown>, isMe: boolean): void {
		const header = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
		const token = typeof fields.access_token === 'string' ? fields.access_token : header?.[1];
		if (!token) {
			rec.token = 'missing';
			throw isMe
				? new GraphError(400, 2500, 'An active access token must be used to query information about the current user.')
				: new GraphError(400, 104, 'An access token is required to request this resource.');
		}
		if (token !== this.pageAccessToken) {
			rec.token = 'invalid';
			throw new GraphError(400, 190, 'Invalid OAuth access token - Cannot parse access token');
		}
		if (this.tokenExpired) {
			rec.token = 'expired';
			throw new GraphError(400, 190, 'Error validating access token: Session has expired.', 'OAuthException', 463);
		}
		rec.token = 'valid';
		const proof = fields.appsecret_proof;
		if (proof === undefined || proof === '') {
			rec.proof = 'missing';
			if (this.requireProof) throw new GraphError(400, 100, 'API calls from the server require an appsecret_proof argument', 'GraphMethodException');
			return;
		}
		if (proof !== appSecretProof(this.appSecret, token)) {
			rec.proof = 'invalid';
			throw new GraphError(400, 100, 'Invalid appsecret_proof provided in the API argument', 'GraphMethodException');
		}
		rec.proof = 'valid';
	}

	private async dispatch(req: http.IncomingMessage, rec: RecordedRequest, method: string, p: string, parsed: Parsed): Promise<Reply> {
		const segs = p.split('/').filter(Boolean);
		const [node, edge, ...more] = segs;
		if (!node || more.length) throw this.unknownPath(method, p);
		const isPage = node === 'me' || node === this.pageId;
		if (this.instagram && node === this.instagramAccountId && !edge && method === 'GET') {
			this.checkAuth(req, rec, parsed.fields, false);
			const account = { id: this.instagramAccountId, username: 'n8n.test', name: this.pageName };
			return { status: 200, json: this.pick(account, parsed.fields.fields, ['id', 'username'], 'IGUser') };
		}
		this.checkAuth(req, rec, parsed.fields, node === 'me');
		const f = parsed.fields;

		if (!edge && method === 'GET') {
			if (isPage) return { status: 200, json: this.pageView(f.fields) };
			const refusal = this.hiddenProfiles.get(node);
			if (refusal === 'hang') {
				await new Promise<void>((resolve) => (this.abort.signal.aborted ? resolve() : this.abort.signal.addEventListener('abort', () => resolve())));
				throw new GraphError(503, 2, 'The emulator stopped');
			}
			if (refusal) throw this.profileError(node, refusal);
			const user = this.users.get(node);
			if (user) return { status: 200, json: this.userView(user, f.fields) };
			throw new GraphError(
				400,
				100,
				`Unsupported get request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
				'GraphMethodException',
				33,
			);
		}
		if (!isPage) throw this.unknownPath(method, p);
		if (edge === 'messages' && method === 'POST') return this.sendApi(rec, p, f, parsed.upload);
		if (edge === 'message_attachments' && method === 'POST') return this.uploadAttachment(f, parsed.upload);
		if (edge === 'subscribed_apps') {
			if (method === 'GET') {
				const data =
					this.subscribedFields === null
						? []
						: [{ category: 'Business', link: `https://example.invalid/app/${this.appId}`, name: 'n8n', id: this.appId, subscribed_fields: [...this.subscribedFields] }];
				return { status: 200, json: { data } };
			}
			if (method === 'POST') {
				const raw = f.subscribed_fields;
				const list = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : [];
				if (list.length === 0) throw param('The parameter subscribed_fields is required');
				list.forEach((field, i) => {
					if (!(SUBSCRIBABLE_FIELDS as readonly string[]).includes(field)) {
						throw param(`Param subscribed_fields[${i}] must be one of {${SUBSCRIBABLE_FIELDS.join(', ')}} - got "${field}".`);
					}
				});
				this.subscribedFields = [...new Set(list)];
				return { status: 200, json: { success: true } };
			}
			if (method === 'DELETE') {
				this.subscribedFields = null;
				return { status: 200, json: { success: true } };
			}
		}
		throw this.unknownPath(method, p);
	}

	private profileError(node: string, refusal: Exclude<ProfileRefusal, 'hang'>): GraphError {
		if (refusal.error) {
			const e = refusal.error;
			return new GraphError(refusal.status ?? 400, e.code, e.message ?? `(#${e.code}) Injected error`, e.type ?? 'OAuthException', e.subcode, e.isTransient);
		}
		if (refusal.status !== undefined && refusal.status >= 500) {
			return new GraphError(refusal.status, 2, 'An unexpected error has occurred. Please retry your request later.', 'OAuthException', undefined, true);
		}
		return new GraphError(
			refusal.status ?? 400,
			100,
			`Unsupported get request. Object with ID '${node}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
			'GraphMethodException',
			33,
		);
	}

	private unknownPath(method: string, p: string): GraphError {
		return new GraphError(400, 2500, `Unknown path components: ${method} ${p}`);
	}

	private pageView(fieldsParam: unknown): Record<string, unknown> {
		const page: Record<string, unknown> = {
			id: this.pageId,
			name: this.pageName,
			category: 'Software',
			link: `https://www.facebook.com/${this.pageId}`,
		};
		if (this.instagram) page.instagram_business_account = { id: this.instagramAccountId };
		return this.pick(page, fieldsParam, ['name', 'id'], 'Page');
	}

	private userView(user: GraphUser, fieldsParam: unknown): Record<string, unknown> {
		if (this.instagram) {
			const { first_name: _first, last_name: _last, ...ig } = user;
			const profile = { ...ig, follower_count: 0, is_user_follow_business: false, is_business_follow_user: false };
			return this.pick(profile, fieldsParam, ['name', 'id'], 'InstagramUser');
		}
		return this.pick({ ...user }, fieldsParam, ['name', 'id'], 'User');
	}

	private pick(obj: Record<string, unknown>, fieldsParam: unknown, defaults: string[], type: string): Record<string, unknown> {
		const wanted = typeof fieldsParam === 'string' && fieldsParam.trim() ? fieldsParam.split(',').map((s) => s.trim()) : defaults;
		const out: Record<string, unknown> = {};
		for (const k of wanted) {
			// a Page without a linked Instagram account: Graph leaves the field out
			if (!(k in obj) && k === 'instagram_business_account') continue;
			if (!(k in obj)) throw param(`Tried accessing nonexisting field (${k}) on node type (${type})`);
			out[k] = obj[k];
		}
		out.id = obj.id;
		return out;
	}

	// ----- Send API ---------------------------------------------------------

	private async sendApi(rec: RecordedRequest, p: string, f: Record<string, unknown>, upload: Parsed['upload']): Promise<Reply> {
		const recipient = f.recipient;
		if (!isObject(recipient)) throw param('The parameter recipient is required');
		const recipientId = recipient.id;
		if (typeof recipientId !== 'string' && typeof recipientId !== 'number') {
			throw param('param recipient must have an id (the emulator supports recipient.id only)');
		}
		const psid = String(recipientId);
		if (!this.users.has(psid)) throw param('No matching user found', this.instagram ? 2534014 : 2018001);

		const senderAction = f.sender_action;
		if (senderAction !== undefined) {
			if (f.message !== undefined) throw param('sender_action cannot be sent together with message');
			const actions: readonly string[] = this.instagram ? INSTAGRAM_SENDER_ACTIONS : SENDER_ACTIONS;
			if (!actions.includes(String(senderAction))) {
				throw param(`param sender_action must be one of {${actions.join(', ')}}`);
			}
			let payload: Record<string, unknown> | undefined;
			if (senderAction === 'react' || senderAction === 'unreact') {
				const raw = typeof f.payload === 'string' ? (JSON.parse(f.payload) as unknown) : f.payload;
				if (!isObject(raw) || typeof raw.message_id !== 'string') throw param('param payload[message_id] is required');
				if (senderAction === 'react' && typeof raw.reaction !== 'string') throw param('param payload[reaction] is required');
				payload = raw;
			}
			this.checkWindow(psid, null);
			this.senderActions.push({ recipientId: psid, action: String(senderAction), at: this.now(), ...(payload ? { payload } : {}) });
			return { status: 200, json: { recipient_id: psid } };
		}

		const message = f.message;
		if (!isObject(message)) throw param('param message must be non-empty.');
		// Instagram: messaging_type is optional (RESPONSE), and HUMAN_AGENT is its only tag
		const messagingType = f.messaging_type ?? (this.instagram ? 'RESPONSE' : undefined);
		if (messagingType === undefined) throw param('param messaging_type is required');
		if (this.instagram && f.tag !== undefined && f.tag !== 'HUMAN_AGENT') {
			throw param(`param tag must be HUMAN_AGENT on Instagram - got "${String(f.tag)}".`);
		}
		if (this.instagram && upload) {
			throw param('Instagram attachments are uploaded with /{page-id}/message_attachments (platform=instagram), then sent by attachment_id');
		}
		if (messagingType !== 'RESPONSE' && messagingType !== 'UPDATE' && messagingType !== 'MESSAGE_TAG') {
			throw param(`param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG} - got "${String(messagingType)}".`);
		}
		const tag = f.tag === undefined || f.tag === '' ? null : String(f.tag);
		if (messagingType === 'MESSAGE_TAG') {
			if (!tag) throw param('param tag is required for messaging_type MESSAGE_TAG');
			if (!(MESSAGE_TAGS as readonly string[]).includes(tag)) {
				throw param(`param tag must be one of {${MESSAGE_TAGS.join(', ')}} - got "${tag}".`);
			}
		} else if (tag) {
			throw param('param tag can only be used with messaging_type MESSAGE_TAG');
		}

		const text = message.text;
		const attachment = message.attachment;
		if (text !== undefined && attachment !== undefined) throw param('Only one of message[text] and message[attachment] can be given');
		if (text === undefined && attachment === undefined && !upload) throw param('Must send either message[text] or message[attachment]');
		if (text !== undefined) {
			if (typeof text !== 'string' || text.length === 0) throw param('param message[text] must be a non-empty UTF-8 encoded string');
			if (this.instagram && Buffer.byteLength(text, 'utf8') > INSTAGRAM_MAX_TEXT_BYTES) {
				throw param(`Length of param message[text] must be less than or equal to ${INSTAGRAM_MAX_TEXT_BYTES} bytes`);
			}
			if (text.length > MAX_TEXT_LENGTH) {
				throw param(`Length of param message[text] must be less than or equal to ${MAX_TEXT_LENGTH}`);
			}
			if (upload) throw param('A file (filedata) needs message[attachment], not message[text]');
		}
		const quickReplies = this.validateQuickReplies(message.quick_replies);
		let att: OutgoingAttachment | null = null;
		let saved: SavedAttachment | null = null;
		if (attachment !== undefined) {
			const r = await this.validateAttachment(attachment, upload);
			att = r.attachment;
			saved = r.save;
		}

		const allowedBy = this.checkWindow(psid, messagingType === 'MESSAGE_TAG' ? tag : null);
		if (saved) this.savedAttachments.set(saved.id, saved);
		const mid = this.newMid();
		if (upload) this.uploadedFiles.set(mid, upload.bytes);
		this.messages.push({
			mid,
			recipientId: psid,
			messagingType,
			tag,
			text: typeof text === 'string' ? text : null,
			attachment: att,
			quickReplies,
			upload: upload?.info ?? null,
			attachmentId: saved?.id ?? null,
			notificationType: typeof f.notification_type === 'string' ? f.notification_type : null,
			metadata: typeof message.metadata === 'string' ? message.metadata : null,
			allowedBy,
			at: this.now(),
			path: p,
			version: rec.version,
		});
		return { status: 200, json: { recipient_id: psid, message_id: mid, ...(saved ? { attachment_id: saved.id } : {}) } };
	}

	/**
	 * Throws 10 / 2018278 (Instagram: 10 / 2534022) outside the allowed window: 24 hours after the
	 * person's last message, 7 days with the HUMAN_AGENT tag, which needs the app's Human Agent
	 * permission (#10 without it, whatever the window); says what allowed the send.
	 */
	private checkWindow(psid: string, tag: string | null): GraphSentMessage['allowedBy'] {
		if (tag === 'HUMAN_AGENT' && !this.humanAgentPermission) {
			throw new GraphError(400, 10, HUMAN_AGENT_PERMISSION_MESSAGE, 'OAuthException');
		}
		const last = this.lastInbound.get(psid);
		const age = last === undefined ? Infinity : this.now() - last;
		if (age < WINDOW_MS) return 'window';
		if (tag === 'HUMAN_AGENT' && age < HUMAN_AGENT_MS) return 'human_agent';
		if (tag && tag !== 'HUMAN_AGENT') return 'tag';
		if (this.instagram) throw new GraphError(400, 10, INSTAGRAM_OUTSIDE_WINDOW_MESSAGE, 'OAuthException', 2534022);
		throw new GraphError(400, 10, OUTSIDE_WINDOW_MESSAGE, 'OAuthException', 2018278);
	}

	private validateQuickReplies(raw: unknown): QuickReply[] | null {
		if (raw === undefined) return null;
		if (!Array.isArray(raw) || raw.length === 0) throw param('param message[quick_replies] must be a non-empty array');
		if (raw.length > MAX_QUICK_REPLIES) {
			throw param(`param message[quick_replies] must have at most ${MAX_QUICK_REPLIES} elements`);
		}
		return raw.map((q, i) => {
			if (!isObject(q)) throw param(`param message[quick_replies][${i}] must be an object`);
			const type = q.content_type;
			if (type !== 'text' && type !== 'user_phone_number' && type !== 'user_email') {
				throw param(`param message[quick_replies][${i}][content_type] must be one of {text, user_phone_number, user_email}`);
			}
			if (type === 'text') {
				if (typeof q.title !== 'string' || q.title === '') throw param(`param message[quick_replies][${i}][title] is required`);
				if (q.payload === undefined || q.payload === '') throw param(`param message[quick_replies][${i}][payload] is required`);
				if (String(q.payload).length > 1000) throw param(`param message[quick_replies][${i}][payload] must be at most 1000 characters`);
			}
			return q as unknown as QuickReply;
		});
	}

	private async validateAttachment(raw: unknown, upload: Parsed['upload']): Promise<{ attachment: OutgoingAttachment; save: SavedAttachment | null }> {
		if (!isObject(raw)) throw param('param message[attachment] must be an object');
		const type = raw.type;
		const types = ['image', 'audio', 'video', 'file', 'template'];
		if (typeof type !== 'string' || !types.includes(type)) {
			throw param(`param message[attachment][type] must be one of {${types.map((t) => t.toUpperCase()).join(', ')}}`);
		}
		const payload = raw.payload ?? {};
		if (!isObject(payload)) throw param('param message[attachment][payload] must be an object');
		const attachment = { type, payload } as OutgoingAttachment;
		if (type === 'template') {
			if (upload) throw param('A template attachment cannot carry filedata');
			this.validateTemplate(payload);
			return { attachment, save: null };
		}
		const sources = [payload.url !== undefined, payload.attachment_id !== undefined, upload !== null].filter(Boolean).length;
		if (sources !== 1) throw param('An attachment needs exactly one of payload.url, payload.attachment_id or filedata');
		const reusable = payload.is_reusable === true || payload.is_reusable === 'true';
		const mediaMatches = (ct: string | null) => type === 'file' || !ct || ct.toLowerCase().startsWith(`${type}/`);

		if (payload.attachment_id !== undefined) {
			const savedAtt = this.savedAttachments.get(String(payload.attachment_id));
			if (!savedAtt) throw param(`Invalid attachment_id: ${String(payload.attachment_id)}`);
			return { attachment, save: null };
		}
		if (upload) {
			if (!mediaMatches(upload.info.contentType)) throw param('Upload attachment failure.', 2018047);
			if (this.instagram && type === 'image' && upload.info.size > INSTAGRAM_MAX_IMAGE_SIZE) throw param('Attachment size exceeds allowable limit');
			const save: SavedAttachment | null = reusable
				? { id: numericId(), type, contentType: upload.info.contentType, bytes: upload.bytes, url: null, sha256: upload.info.sha256, upload: upload.info }
				: null;
			return { attachment, save };
		}
		const url = payload.url;
		if (typeof url !== 'string' || !/^https?:\/\/\S+$/i.test(url)) throw param('param message[attachment][payload][url] must be a valid URL');
		let save: SavedAttachment | null = reusable ? { id: numericId(), type, contentType: null, bytes: null, url, sha256: null } : null;
		if (this.fetchUrls) {
			let res: Response;
			let bytes: Buffer;
			try {
				res = await fetch(url, { signal: AbortSignal.any([AbortSignal.timeout(75_000), this.abort.signal]) });
				bytes = Buffer.from(await res.arrayBuffer());
			} catch {
				throw param('Failed to fetch the file from the url', 2018008);
			}
			if (!res.ok) throw param('Failed to fetch the file from the url', 2018008);
			const ct = res.headers.get('content-type');
			if (!mediaMatches(ct)) throw param('Upload attachment failure.', 2018047);
			if (bytes.length > this.maxUploadSize) throw param('Attachment size exceeds allowable limit');
			if (save) save = { ...save, contentType: ct, bytes, sha256: sha256hex(bytes) };
		}
		return { attachment, save };
	}

	private validateTemplate(payload: Record<string, unknown>): void {
		const kind = payload.template_type;
		if (typeof kind !== 'string') throw param('param message[attachment][payload][template_type] is required');
		if (kind === 'button') {
			if (typeof payload.text !== 'string' || payload.text === '') throw param('param message[attachment][payload][text] is required');
			if (payload.text.length > 640) throw param('param message[attachment][payload][text] must be at most 640 characters');
			const buttons = payload.buttons;
			if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) {
				throw param('param message[attachment][payload][buttons] must have 1 to 3 elements');
			}
			buttons.forEach((b, i) => {
				if (!isObject(b) || typeof b.title !== 'string' || b.title === '') throw param(`param buttons[${i}][title] is required`);
				if (b.type === 'web_url' && typeof b.url !== 'string') throw param(`param buttons[${i}][url] is required`);
				if (b.type === 'postback' && (b.payload === undefined || b.payload === '')) throw param(`param buttons[${i}][payload] is required`);
				if (!['web_url', 'postback', 'phone_number'].includes(String(b.type))) {
					throw param(`param buttons[${i}][type] must be one of {web_url, postback, phone_number}`);
				}
			});
		}
	}

	private async uploadAttachment(f: Record<string, unknown>, upload: Parsed['upload']): Promise<Reply> {
		const message = f.message;
		if (!isObject(message) || message.attachment === undefined) throw param('param message[attachment] is required');
		const att = message.attachment;
		if (isObject(att) && att.type === 'template') throw param('Templates cannot be uploaded');
		if (this.instagram && f.platform !== 'instagram') throw param('param platform must be "instagram" for an Instagram attachment');
		if (isObject(att) && isObject(att.payload)) att.payload.is_reusable = true;
		const { save } = await this.validateAttachment(att, upload);
		if (!save) throw param('payload.is_reusable must be true');
		this.savedAttachments.set(save.id, save);
		return { status: 200, json: { attachment_id: save.id } };
	}
}
