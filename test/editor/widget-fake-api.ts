/**
 * A small stand-in for the Chat Channel Trigger's website endpoints (README "The widget's API and
 * limits"), for driving the widget itself in Chromium (test/editor/widget.test.ts) without n8n:
 * the same paths, bodies, answers and error shapes, one in-memory transcript per visitor (a new token at every session request, as the trigger issues them), and knobs
 * a test turns (operator messages, typing, offline, failures, contact form, limits). The real
 * endpoints are tested in test/nodes/ChatChannelTrigger/website*.test.ts and, with this widget, in
 * test/e2e/website-chat.e2e.test.ts.
 *
 * Two servers on 127.0.0.1: the "n8n" (the API under /webhook/fake/) and the site's page on
 * another port, so every request of the widget is cross-origin as on a real site.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	WIDGET_SCRIPT,
	WIDGET_STYLE,
	WIDGET_VERSION,
} from '../../nodes/channels/website/widget/assets';

export interface FakeFile {
	id: string;
	name: string;
	mimeType: string;
	size: number;
	data: Buffer;
}
export interface FakeMessage {
	id: string;
	clientId?: string;
	from: 'visitor' | 'agent';
	text: string;
	files: FakeFile[];
	at: string;
	editedAt: string | null;
}
interface Visitor {
	/** The token issued last. */
	token: string;
	visitorId: string;
	contact: { name: string; email: string } | null;
	messages: FakeMessage[];
	typing: boolean;
	typingPosts: number;
}
interface Failure {
	status: number;
	code: string;
	retryAfter?: number;
}

export interface FakeApi {
	/** The page on the site's origin that embeds the widget. */
	pageUrl: string;
	/** The API's base, `http://127.0.0.1:<port>/webhook/fake/`. */
	base: string;
	config: Record<string, unknown> & { texts: Record<string, string> };
	offline: boolean;
	/** By visitorId. */
	visitors: Map<string, Visitor>;
	/** Every token issued, to its visitor. */
	tokens: Map<string, Visitor>;
	/** Every API request (not widget.js / widget.css) answered 403 origin_not_allowed, readable. */
	refuseOrigin: boolean;
	/** Answers the next POST messages with these errors, one each. */
	failNextPosts: Failure[];
	/** Requests seen by the API: `METHOD path`, and the Origin of each. */
	requests: Array<{ route: string; origin: string | undefined; body?: unknown }>;
	/** The one visitor with a session so far. */
	visitor(): Visitor;
	agentSays(text: string): FakeMessage;
	edit(id: string, text: string): void;
	remove(id: string): void;
	setTyping(typing: boolean): void;
	close(): Promise<void>;
}

const HOLD_MS = 25_000;

export async function startFakeApi(): Promise<FakeApi> {
	const waiters = new Set<() => void>();
	const notify = () => waiters.forEach((w) => w());
	let seq = 0;
	const fake: FakeApi = {
		pageUrl: '',
		base: '',
		config: {
			texts: {},
			askContact: 'off',
			maxTextLength: 4000,
			maxFileSize: 10 * 1024 * 1024,
			maxFiles: 5,
			offline: false,
			accentColor: '#2563eb',
			position: 'right',
		},
		offline: false,
		visitors: new Map(),
		tokens: new Map(),
		refuseOrigin: false,
		failNextPosts: [],
		requests: [],
		visitor() {
			const [v] = [...fake.visitors.values()];
			if (!v) throw new Error('no visitor has a session yet');
			return v;
		},
		agentSays(text) {
			const m = message('agent', text);
			fake.visitor().messages.push(m);
			notify();
			return m;
		},
		edit(id, text) {
			const m = fake.visitor().messages.find((x) => x.id === id)!;
			m.text = text;
			m.editedAt = new Date().toISOString();
			notify();
		},
		remove(id) {
			const v = fake.visitor();
			v.messages = v.messages.filter((x) => x.id !== id);
			notify();
		},
		setTyping(typing) {
			fake.visitor().typing = typing;
			notify();
		},
		close: async () => {
			waiters.forEach((w) => w());
			await Promise.all([api, site].map((s) => new Promise((r) => s.close(r))));
		},
	};
	const message = (
		from: 'visitor' | 'agent',
		text: string,
		clientId?: string,
		files: FakeFile[] = [],
	): FakeMessage => ({
		id: `m_${++seq}`,
		clientId,
		from,
		text,
		files,
		at: new Date(Date.now() + seq).toISOString(),
		editedAt: null,
	});
	const digest = (v: Visitor) =>
		`${v.messages.map((m) => `${m.id}@${m.editedAt ?? ''}`).join(',')}:${v.typing}:${fake.offline}`;
	const view = (v: Visitor) => ({
		digest: digest(v),
		messages: v.messages.slice(-50).map((m) => ({
			...m,
			files: m.files.map((f) => ({
				id: f.id,
				name: f.name,
				mimeType: f.mimeType,
				size: f.size,
				url: `${fake.base}files?id=${f.id}`,
			})),
		})),
		typing: v.typing,
		offline: fake.offline,
	});
	const byToken = (token: unknown) =>
		typeof token === 'string' ? fake.tokens.get(token) : undefined;

	const api = http.createServer(async (req, res) => {
		const url = new URL(req.url ?? '/', fake.base);
		const route = `${req.method} ${url.pathname.replace('/webhook/fake/', '')}`;
		const origin = req.headers.origin;
		const body = await readBody(req);
		fake.requests.push({ route, origin, body: body.json ?? body.fields });
		if (process.env.WIDGET_DEBUG)
			console.log(route, url.search, JSON.stringify(body.json ?? body.fields));
		if (origin) res.setHeader('Access-Control-Allow-Origin', origin);
		const send = (status: number, data?: unknown, headers: Record<string, string> = {}) => {
			res.writeHead(status, {
				'Content-Type': 'application/json',
				'Cache-Control': 'no-store',
				...headers,
			});
			res.end(data === undefined ? undefined : JSON.stringify(data));
		};
		const fail = (f: Failure) =>
			send(
				f.status,
				{ error: { code: f.code, message: f.code, retryAfter: f.retryAfter } },
				f.retryAfter ? { 'Retry-After': String(f.retryAfter) } : {},
			);
		if (fake.refuseOrigin && !/^GET widget\.(js|css)$/.test(route))
			return fail({ status: 403, code: 'origin_not_allowed' });
		switch (route) {
			case 'GET widget.js':
				res.writeHead(200, {
					'Content-Type': 'text/javascript; charset=utf-8',
					ETag: `"${WIDGET_VERSION}"`,
				});
				return res.end(WIDGET_SCRIPT);
			case 'GET widget.css':
				res.writeHead(200, { 'Content-Type': 'text/css; charset=utf-8' });
				return res.end(WIDGET_STYLE);
			case 'POST session': {
				const input = body.json ?? {};
				let v = byToken(input.token);
				if (!v) {
					v = {
						token: '',
						visitorId: `v_${randomUUID()}`,
						contact: null,
						messages: [],
						typing: false,
						typingPosts: 0,
					};
					fake.visitors.set(v.visitorId, v);
				}
				v.token = `v1.${v.visitorId}.${++seq}`;
				fake.tokens.set(v.token, v);
				if (input.name || input.email)
					v.contact = { name: String(input.name ?? ''), email: String(input.email ?? '') };
				return send(200, {
					token: v.token,
					visitorId: v.visitorId,
					contact: v.contact,
					config: { ...fake.config, offline: fake.offline },
				});
			}
			case 'POST messages': {
				const input: Record<string, unknown> = body.json ?? body.fields ?? {};
				const v = byToken(input.token);
				if (!v) return fail({ status: 401, code: 'invalid_token' });
				const failure = fake.failNextPosts.shift();
				if (failure) return fail(failure);
				const text = String(input.text ?? '');
				if (text.length > Number(fake.config.maxTextLength))
					return fail({ status: 413, code: 'text_too_long' });
				const known = v.messages.find((m) => m.clientId === input.clientId);
				if (known) return send(200, { ok: true, id: known.id });
				const files = body.files.map((f) => ({ ...f, id: `f_${++seq}` }));
				const m = message('visitor', text, String(input.clientId), files);
				v.messages.push(m);
				notify();
				return send(200, { ok: true, id: m.id });
			}
			case 'GET messages': {
				const v = byToken(url.searchParams.get('token'));
				if (!v) return fail({ status: 401, code: 'invalid_token' });
				const since = url.searchParams.get('since');
				if (url.searchParams.get('wait') === '1' && since === digest(v)) {
					await new Promise<void>((resolve) => {
						const done = () => {
							waiters.delete(done);
							clearTimeout(timer);
							resolve();
						};
						const timer = setTimeout(done, HOLD_MS);
						waiters.add(done);
						req.on('close', done);
					});
				}
				if (res.destroyed) return undefined;
				return send(200, view(v));
			}
			case 'POST typing': {
				const v = byToken(body.json?.token);
				if (!v) return fail({ status: 401, code: 'invalid_token' });
				v.typingPosts++;
				return send(204);
			}
			case 'GET files': {
				const v = byToken(url.searchParams.get('token'));
				const file = v?.messages
					.flatMap((m) => m.files)
					.find((f) => f.id === url.searchParams.get('id'));
				if (!file) return fail({ status: 403, code: 'not_your_conversation' });
				res.writeHead(200, {
					'Content-Type': file.mimeType,
					'Content-Disposition': `attachment; filename="${file.name}"`,
				});
				return res.end(file.data);
			}
			default:
				return send(404, { error: { code: 'not_found', message: route } });
		}
	});
	const site = http.createServer((req, res) => {
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
		if (req.url === '/blank') return res.end('<!doctype html><title>blank</title>');
		return res.end(
			`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
				`<title>A site</title><style>button{all:unset} *{font-family:serif}</style></head>` +
				`<body><h1>A site</h1><a href="#" id="page-link">a link on the page</a>` +
				`<script src="${fake.base}widget.js" async></script></body></html>`,
		);
	});
	const port = async (s: http.Server) => {
		await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
		return (s.address() as AddressInfo).port;
	};
	fake.base = `http://127.0.0.1:${await port(api)}/webhook/fake/`;
	fake.pageUrl = `http://localhost:${await port(site)}/`;
	return fake;
}

interface Body {
	json?: Record<string, unknown>;
	fields?: Record<string, string>;
	files: Array<Omit<FakeFile, 'id'>>;
}

/** JSON (sent as text/plain) or multipart/form-data, read with the platform's own parser. */
async function readBody(req: http.IncomingMessage): Promise<Body> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	const raw = Buffer.concat(chunks);
	const type = req.headers['content-type'] ?? '';
	if (!raw.length) return { files: [] };
	if (type.startsWith('multipart/form-data')) {
		const form = await new Response(raw, { headers: { 'Content-Type': type } }).formData();
		const fields: Record<string, string> = {};
		const files: Body['files'] = [];
		for (const [key, value] of form.entries()) {
			if (typeof value === 'string') fields[key] = value;
			else
				files.push({
					name: value.name,
					mimeType: value.type,
					size: value.size,
					data: Buffer.from(await value.arrayBuffer()),
				});
		}
		return { fields, files };
	}
	try {
		return { json: JSON.parse(raw.toString('utf8')), files: [] };
	} catch {
		return { files: [] };
	}
}
