/**
 * The playground of `npm run dev`: one local page (scripts/sandbox/page/) with a customer's phone
 * on one side and TeamSpirit as operators see it on the other, and the JSON API behind it. What
 * the page does goes through the emulators the way the real platforms deliver to n8n: a customer's
 * Telegram message waits in getUpdates for the Chat Channel Trigger's long poll, WhatsApp and
 * Messenger messages are POSTed signed to the trigger's webhook URL, an operator's post in
 * TeamSpirit is delivered as TeamSpirit's outgoing webhook. Every step is linked to the n8n
 * execution that carried it (steps.ts).
 *
 *   GET  /                      the page (index.html, playground.js, playground.css)
 *   GET  /api/state             customers, what each one's phone shows, the conversation chats, steps
 *   POST /api/customers         { channel, name }: a new customer
 *   POST /api/customer/send     { channel, customerId, text?, file? }
 *   POST /api/operator/send     { chatId, text?, replyToId?, file? }
 *   POST /api/operator/edit     { messageId, text }
 *   POST /api/operator/delete   { messageId }
 *   GET  /files/<source>/<id>   a file of a message (customer's, TeamSpirit's, Telegram's, …)
 *
 * `file` is `{ name, mimeType, base64 }`. Everything listens on 127.0.0.1 and the page makes no
 * request elsewhere (its Content-Security-Policy says so).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import type { ConversationChannel, ConversationEmulators } from '../../test/e2e/conversation-setup';
import { customerWebhookUrl } from '../../test/e2e/conversation-setup';
import type { N8nEditor } from '../../test/e2e/n8n';
import { listen } from '../../test/emulators/listen';
import { StepLog, type Step } from './steps';

/** A conversation workflow of the sandbox: its id and its triggers' webhook ids (read from n8n). */
export interface ChannelWorkflow {
	id: string;
	customerWebhookId: string;
}

export interface PlaygroundOptions {
	port: number;
	emulators: ConversationEmulators;
	editor: N8nEditor;
	n8nUrl: string;
	/** The conversation workflow of each channel. */
	workflows: Record<ConversationChannel, ChannelWorkflow>;
	/** The page's folder (default: scripts/sandbox/page next to the sources). */
	pageDir: string;
}

export interface Playground {
	url: string;
	steps: StepLog;
	stop(): Promise<void>;
}

interface Customer {
	channel: ConversationChannel;
	/** Telegram chat id, WhatsApp phone number (+E.164), Messenger PSID. */
	id: string;
	name: string;
}

interface StoredFile {
	name: string;
	mimeType: string;
	bytes: Buffer;
}

interface FileRef {
	name: string;
	mimeType: string;
	url: string;
}

interface PhoneMessage {
	side: 'customer' | 'bot';
	text: string;
	files: FileRef[];
	at: number;
	edited?: boolean;
	deleted?: boolean;
	replyTo?: boolean;
	status?: string;
	step?: string;
}

interface UploadedFile {
	name?: unknown;
	mimeType?: unknown;
	base64?: unknown;
}

const MAX_BODY = 30 * 1024 * 1024;
const PAGE_FILES: Record<string, string> = {
	'/': 'index.html',
	'/playground.js': 'playground.js',
	'/playground.css': 'playground.css',
};
const TYPES: Record<string, string> = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
};
const PAGE_POLICY =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

class BadRequest extends Error {}

export async function startPlayground(opts: PlaygroundOptions): Promise<Playground> {
	const { ts, tg, tw, fb, operator } = opts.emulators;
	const steps = new StepLog(opts.editor, opts.n8nUrl);
	const customers: Customer[] = [];
	const sent: Array<{ channel: ConversationChannel; customerId: string; message: PhoneMessage }> = [];
	const customerFiles = new Map<string, StoredFile>();
	/** When the playground first saw a message the bot sent (the platforms' own times are coarse). */
	const firstSeen = new Map<string, number>();
	const seen = (key: string) => {
		if (!firstSeen.has(key)) firstSeen.set(key, Date.now());
		return firstSeen.get(key)!;
	};
	const tgCustomers = new Map<string, { first_name: string; last_name?: string }>();

	function addCustomer(channel: ConversationChannel, name: string): Customer {
		const clean = name.trim().slice(0, 60) || 'Customer';
		const [first, ...rest] = clean.split(/\s+/);
		const n = customers.filter((c) => c.channel === channel).length + 1;
		let id: string;
		if (channel === 'telegram') {
			id = String(7000 + n);
			tgCustomers.set(id, { first_name: first, ...(rest.length ? { last_name: rest.join(' ') } : {}) });
		} else if (channel === 'whatsapp') {
			id = `+3460011${String(1000 + n).slice(-4)}`;
		} else {
			id = fb.addUser({ first_name: first, last_name: rest.join(' ') }).id;
		}
		const customer = { channel, id, name: clean };
		customers.push(customer);
		return customer;
	}
	addCustomer('telegram', 'Anna Petrova');
	addCustomer('whatsapp', 'Maria García');
	addCustomer('messenger', 'Lena Schmidt');

	const customerOf = (channel: unknown, id: unknown): Customer => {
		const customer = customers.find((c) => c.channel === channel && c.id === id);
		if (!customer) throw new BadRequest(`no ${String(channel)} customer ${String(id)}`);
		return customer;
	};

	function readFile(file: UploadedFile | undefined): StoredFile | undefined {
		if (file === undefined || file === null) return undefined;
		if (typeof file.base64 !== 'string' || typeof file.name !== 'string') throw new BadRequest('file needs name and base64');
		const mimeType = typeof file.mimeType === 'string' && file.mimeType ? file.mimeType : 'application/octet-stream';
		const bytes = Buffer.from(file.base64, 'base64');
		if (bytes.length === 0) throw new BadRequest('the file is empty');
		return { name: path.basename(file.name) || 'file', mimeType, bytes };
	}

	// ----- what the customer does ------------------------------------------------------------------

	async function customerSends(body: Record<string, unknown>): Promise<Step> {
		const customer = customerOf(body.channel, body.customerId);
		const text = typeof body.text === 'string' ? body.text.trim() : '';
		const file = readFile(body.file as UploadedFile | undefined);
		if (!text && !file) throw new BadRequest('write something or attach a file');
		const workflow = opts.workflows[customer.channel];
		const fileId = file ? `cf_${randomBytes(6).toString('hex')}` : undefined;
		if (file && fileId) customerFiles.set(fileId, file);
		const label = `${customer.name} writes on ${channelName(customer.channel)}`;
		const at = Date.now();
		let step: Step;
		if (customer.channel === 'telegram') {
			const from = { id: Number(customer.id), ...tgCustomers.get(customer.id) };
			let extra: Record<string, unknown> | undefined;
			if (file) {
				const stored = tg.addFile(file.bytes, { mimeType: file.mimeType, fileName: file.name });
				const info = { file_id: stored.file_id, file_unique_id: stored.file_unique_id, file_size: stored.file_size };
				extra = file.mimeType.startsWith('image/')
					? { photo: [{ ...info, width: 800, height: 800 }], ...(text ? { caption: text } : {}) }
					: { document: { ...info, file_name: file.name, mime_type: file.mimeType }, ...(text ? { caption: text } : {}) };
			}
			// long polling: the update waits in getUpdates until the trigger's poll takes it
			step = steps.add({ label, channel: customer.channel, workflowId: workflow.id, mode: 'trigger', at });
			tg.pushMessage({ chatId: Number(customer.id), from, ...(extra ? { extra } : { text }) });
		} else if (customer.channel === 'whatsapp') {
			const sid = `${file ? 'MM' : 'SM'}${randomBytes(16).toString('hex')}`;
			step = steps.add({ label, channel: customer.channel, workflowId: workflow.id, marker: sid, at });
			const url = customerWebhookUrl(opts.n8nUrl, workflow.customerWebhookId);
			void tw
				.sendInbound(url, { From: `whatsapp:${customer.id}`, ProfileName: customer.name, Body: text, MessageSid: sid }, { media: file ? [{ bytes: file.bytes, contentType: file.mimeType }] : [] })
				.then((r) => steps.delivered(step, r.status))
				.catch((error: Error) => steps.failed(step, error.message));
		} else {
			const event = fb.messageEvent(customer.id, {
				...(text ? { text } : {}),
				...(file ? { attachments: [{ type: attachmentType(file.mimeType), bytes: file.bytes, contentType: file.mimeType, filename: file.name }] } : {}),
			});
			const mid = String((event.message as { mid: string }).mid);
			step = steps.add({ label, channel: customer.channel, workflowId: workflow.id, marker: mid, at });
			const url = customerWebhookUrl(opts.n8nUrl, workflow.customerWebhookId);
			void fb
				.deliver(url, [event])
				.then((r) => steps.delivered(step, r.status))
				.catch((error: Error) => steps.failed(step, error.message));
		}
		sent.push({
			channel: customer.channel,
			customerId: customer.id,
			message: {
				side: 'customer',
				text,
				files: file && fileId ? [{ name: file.name, mimeType: file.mimeType, url: `/files/customer/${fileId}` }] : [],
				at,
				step: step.id,
			},
		});
		return step;
	}

	// ----- what the operator does in TeamSpirit -------------------------------------------------------

	const channelOfChat = (chatId: string): ConversationChannel => {
		const key = ts.chats.get(chatId)?.externalKey ?? '';
		const channel = key.split(':')[0] as ConversationChannel;
		if (!opts.workflows[channel]) throw new BadRequest(`chat ${chatId} is not a customer conversation`);
		return channel;
	};

	/** Runs a TeamSpirit action and its outgoing-webhook deliveries in the background, as a step. */
	function operatorStep(label: string, chatId: string, messageId: string, deliveries: () => Promise<{ deliveries: Array<{ status: number; error?: string }> }>): Step {
		const channel = channelOfChat(chatId);
		const step = steps.add({ label, channel, workflowId: opts.workflows[channel].id, marker: messageId, at: Date.now() });
		void deliveries()
			.then(({ deliveries: list }) => {
				const bad = list.find((d) => d.status < 200 || d.status >= 300);
				if (list.length === 0) steps.failed(step, 'no webhook is registered in TeamSpirit: is the workflow published?');
				else steps.delivered(step, bad ? bad.status : 200, bad?.error);
			})
			.catch((error: Error) => steps.failed(step, error.message));
		return step;
	}

	function operatorSends(body: Record<string, unknown>): Step {
		const chatId = String(body.chatId ?? '');
		if (!ts.chats.has(chatId)) throw new BadRequest(`no chat ${chatId}`);
		const text = typeof body.text === 'string' ? body.text.trim() : '';
		const file = readFile(body.file as UploadedFile | undefined);
		if (!text && !file) throw new BadRequest('write something or attach a file');
		const replyToId = typeof body.replyToId === 'string' && body.replyToId ? body.replyToId : undefined;
		if (replyToId && ts.message(replyToId)?.chatId !== chatId) throw new BadRequest('the message replied to is not in this chat');
		const fileIds = file ? [ts.uploadAsUser(operator.id, { name: file.name, mimeType: file.mimeType, content: file.bytes }).id] : undefined;
		// the message exists once postAsUser has started (its deliveries follow)
		const posting = ts.postAsUser(chatId, operator.id, { text, format: 'plain', ...(replyToId ? { replyToId } : {}), ...(fileIds ? { fileIds } : {}) });
		const message = ts.messagesIn(chatId).at(-1)!;
		return operatorStep(`${operator.name} ${replyToId ? 'replies' : 'answers'}${file ? ' with a file' : ''}`, chatId, message.id, () => posting);
	}

	function operatorEdits(body: Record<string, unknown>): Step {
		const message = ts.message(String(body.messageId ?? ''));
		if (!message || message.senderId !== operator.id) throw new BadRequest('only your own messages can be edited');
		const text = typeof body.text === 'string' ? body.text.trim() : '';
		if (!text) throw new BadRequest('the new text is empty');
		return operatorStep(`${operator.name} edits a message`, message.chatId, message.id, () => ts.editAsUser(message.id, { text }));
	}

	function operatorDeletes(body: Record<string, unknown>): Step {
		const message = ts.message(String(body.messageId ?? ''));
		if (!message || message.senderId !== operator.id) throw new BadRequest('only your own messages can be deleted');
		return operatorStep(`${operator.name} deletes a message`, message.chatId, message.id, () => ts.deleteAsUser(message.id));
	}

	// ----- the page's view ----------------------------------------------------------------------------

	function phoneOf(customer: Customer): PhoneMessage[] {
		const own = sent.filter((s) => s.channel === customer.channel && s.customerId === customer.id).map((s) => s.message);
		const bot: PhoneMessage[] = [];
		if (customer.channel === 'telegram') {
			for (const m of tg.sentMessages(customer.id)) {
				const files: FileRef[] = [];
				const photo = Array.isArray(m.photo) ? m.photo.at(-1) : undefined;
				const doc = m.document ?? m.audio ?? m.video ?? m.voice;
				for (const f of [photo, doc]) {
					if (f?.file_id) files.push({ name: f.file_name ?? (photo === f ? 'photo' : 'file'), mimeType: f.mime_type ?? (photo === f ? 'image/jpeg' : 'application/octet-stream'), url: `/files/telegram/${encodeURIComponent(f.file_id)}` });
				}
				bot.push({ side: 'bot', text: m.text ?? m.caption ?? '', files, at: seen(`tg:${m.message_id}`), edited: Boolean(m.edit_date), deleted: Boolean(m.deleted), replyTo: Boolean(m.reply_to_message) });
			}
		} else if (customer.channel === 'whatsapp') {
			for (const m of tw.messagesTo(`whatsapp:${customer.id}`)) {
				const files = m.mediaUrls.map((u) => ({ name: decodeURIComponent(u.split('/').pop() ?? 'file'), mimeType: m.fetchedMedia[0]?.contentType ?? '', url: `/files/whatsapp/${encodeURIComponent(u.split('/').at(-2) ?? '')}` }));
				bot.push({ side: 'bot', text: m.body, files, at: seen(`tw:${m.sid}`), status: m.status });
			}
		} else {
			for (const m of fb.messagesTo(customer.id)) {
				const files: FileRef[] = [];
				if (m.upload) files.push({ name: m.upload.filename, mimeType: m.upload.contentType, url: `/files/messenger/${encodeURIComponent(m.mid)}` });
				bot.push({ side: 'bot', text: m.text ?? '', files, at: seen(`fb:${m.mid}`) });
			}
		}
		return [...own, ...bot].sort((a, b) => a.at - b.at);
	}

	function chatsView() {
		return [...ts.chats.values()]
			.filter((chat) => chat.externalKey && chat.memberIds.includes(ts.bot.id) && opts.workflows[chat.externalKey.split(':')[0] as ConversationChannel])
			.map((chat) => {
				const key = chat.externalKey!;
				const channel = key.split(':')[0];
				const messages = ts.messagesIn(chat.id);
				return {
					id: chat.id,
					title: chat.title,
					channel,
					customer: `${channel}:${key.split(':').at(-1)}`,
					messages: messages.map((m) => {
						const reply = m.replyToId ? ts.message(m.replyToId) : undefined;
						return {
							id: m.id,
							from: m.senderId === operator.id ? 'operator' : m.senderId === ts.bot.id ? (m.text.startsWith('⚠️') ? 'notice' : 'customer') : 'other',
							// the bridge posts the customer's messages: name the customer (the chat's title says who)
							sender: m.senderId === ts.bot.id && !m.text.startsWith('⚠️') ? customerName(chat.title) : (ts.users.get(m.senderId)?.name ?? m.senderId),
							text: m.text,
							files: m.files.map((f) => ({ name: f.name, mimeType: f.mimeType, url: `/files/teamspirit/${encodeURIComponent(f.id)}` })),
							replyTo: m.replyToId ? { id: m.replyToId, text: reply ? reply.text || reply.files.map((f) => f.name).join(', ') : '(deleted)' } : null,
							editedAt: m.editedAt,
							at: Date.parse(m.createdAt),
							step: steps.byMarker(m.id)?.id ?? null,
						};
					}),
				};
			})
			.sort((a, b) => (b.messages.at(-1)?.at ?? 0) - (a.messages.at(-1)?.at ?? 0));
	}

	async function state() {
		await steps.resolve();
		return {
			n8n: { url: opts.n8nUrl, owner: opts.editor.owner.email },
			operator: { id: operator.id, name: operator.name },
			customers: customers.map((c) => ({ ...c, key: `${c.channel}:${c.id}`, phone: phoneOf(c) })),
			chats: chatsView(),
			steps: steps.list(),
		};
	}

	// ----- files ---------------------------------------------------------------------------------------

	function fileOf(source: string, id: string): StoredFile | undefined {
		if (source === 'customer') return customerFiles.get(id);
		if (source === 'teamspirit') {
			const f = ts.files.get(id);
			return f && { name: f.meta.name, mimeType: f.meta.mimeType, bytes: ts.fileContent(id) };
		}
		if (source === 'telegram') {
			const f = tg.files.get(id);
			return f?.diskPath ? { name: f.file_name ?? 'file', mimeType: f.mime_type ?? 'application/octet-stream', bytes: fs.readFileSync(f.diskPath) } : undefined;
		}
		if (source === 'whatsapp') {
			// a TeamSpirit public link (…/public/files/<token>/<name>) that Twilio fetched
			const link = ts.fileLinks.get(id);
			return link ? fileOf('teamspirit', link.fileId) : undefined;
		}
		if (source === 'messenger') {
			const bytes = fb.uploadedFiles.get(id);
			const m = fb.messages.find((x) => x.mid === id);
			return bytes && m?.upload ? { name: m.upload.filename, mimeType: m.upload.contentType, bytes } : undefined;
		}
		return undefined;
	}

	// ----- HTTP ----------------------------------------------------------------------------------------

	const routes: Record<string, (body: Record<string, unknown>) => Promise<unknown> | unknown> = {
		'/api/customers': (body) => {
			if (!['telegram', 'whatsapp', 'messenger'].includes(String(body.channel))) throw new BadRequest('channel: telegram, whatsapp or messenger');
			return addCustomer(body.channel as ConversationChannel, String(body.name ?? ''));
		},
		'/api/customer/send': customerSends,
		'/api/operator/send': operatorSends,
		'/api/operator/edit': operatorEdits,
		'/api/operator/delete': operatorDeletes,
	};

	async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
			const text = JSON.stringify(body);
			res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
			res.end(text);
		};
		try {
			if (req.method === 'GET' && PAGE_FILES[url.pathname]) {
				const file = path.join(opts.pageDir, PAGE_FILES[url.pathname]);
				const bytes = await fs.promises.readFile(file);
				res.writeHead(200, { 'content-type': TYPES[path.extname(file)], 'content-security-policy': PAGE_POLICY, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
				res.end(bytes);
				return;
			}
			if (req.method === 'GET' && url.pathname === '/api/state') {
				send(200, await state());
				return;
			}
			const fileMatch = /^\/files\/([a-z]+)\/([^/]+)$/.exec(url.pathname);
			if (req.method === 'GET' && fileMatch) {
				const file = fileOf(fileMatch[1], decodeURIComponent(fileMatch[2]));
				if (!file) {
					send(404, { error: 'no such file' });
					return;
				}
				const inline = /^image\/(png|jpeg|gif|webp)$/.test(file.mimeType);
				res.writeHead(200, {
					'content-type': file.mimeType,
					'content-length': String(file.bytes.length),
					'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.name)}`,
					'content-security-policy': 'sandbox',
					'x-content-type-options': 'nosniff',
				});
				res.end(file.bytes);
				return;
			}
			const route = routes[url.pathname];
			if (req.method === 'POST' && route) {
				if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new BadRequest('send JSON');
				const chunks: Buffer[] = [];
				let size = 0;
				for await (const chunk of req) {
					size += (chunk as Buffer).length;
					if (size > MAX_BODY) throw new BadRequest(`at most ${MAX_BODY / 1024 / 1024} MB`);
					chunks.push(chunk as Buffer);
				}
				let body: unknown;
				try {
					body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
				} catch {
					throw new BadRequest('the body is not JSON');
				}
				if (!body || typeof body !== 'object') throw new BadRequest('the body is not a JSON object');
				send(200, await route(body as Record<string, unknown>));
				return;
			}
			send(404, { error: `no ${req.method} ${url.pathname}` });
		} catch (error) {
			if (res.headersSent) {
				res.destroy();
				return;
			}
			send(error instanceof BadRequest ? 400 : 500, { error: (error as Error).message });
		}
	}

	const server = http.createServer((req, res) => void handle(req, res));
	await listen(server, opts.port);
	const { port } = server.address() as import('node:net').AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		steps,
		async stop() {
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeAllConnections();
			await closed;
		},
	};
}

function channelName(channel: ConversationChannel): string {
	return { telegram: 'Telegram', whatsapp: 'WhatsApp', messenger: 'Messenger' }[channel];
}

/** "Telegram · Anna Petrova" → "Anna Petrova". */
function customerName(title: string): string {
	return title.split(' · ').slice(1).join(' · ') || title;
}

function attachmentType(mimeType: string): 'image' | 'audio' | 'video' | 'file' {
	const kind = mimeType.split('/')[0];
	return kind === 'image' || kind === 'audio' || kind === 'video' ? kind : 'file';
}
