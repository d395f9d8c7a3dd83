import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MultipartParser, type PartInfo } from './multipart';
import { TeamSpiritEmulator, type FileMeta, type Message, type RecordedUpload } from './teamspirit';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('TeamSpiritEmulator', () => {
	let ts: TeamSpiritEmulator;

	beforeEach(async () => {
		ts = await TeamSpiritEmulator.start();
	});
	afterEach(async () => {
		await ts.stop();
	});

	async function api(
		method: string,
		path: string,
		body?: unknown,
		headers: Record<string, string> = {},
	): Promise<{ status: number; headers: Headers; json: any }> {
		const res = await fetch(`${ts.url}/api/v1${path}`, {
			method,
			headers: {
				authorization: `Bearer ${ts.apiKey}`,
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...headers,
			},
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
	}

	it('requires the API key and answers /me with the bot', async () => {
		const none = await fetch(`${ts.url}/api/v1/me`);
		expect(none.status).toBe(401);
		expect(await none.json()).toEqual({
			error: { code: 'unauthorized', message: 'Invalid API key' },
		});

		const wrong = await api('GET', '/me', undefined, { authorization: 'Bearer nope' });
		expect(wrong.status).toBe(401);

		const me = await api('GET', '/me');
		expect(me.status).toBe(200);
		expect(me.json).toEqual({
			id: ts.bot.id,
			name: ts.bot.name,
			username: ts.bot.username,
			isBot: true,
		});
		expect(ts.requests.map((r) => r.status)).toEqual([401, 401, 200]);
		expect(ts.requests[2]).toMatchObject({ method: 'GET', path: '/api/v1/me', query: {} });
	});

	it('paginates past 100 items with opaque cursors and validates limit', async () => {
		for (let i = 0; i < 129; i++) ts.addUser(); // + the bot = 130 users
		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const q: string = `/users?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
			const page = await api('GET', q);
			expect(page.status).toBe(200);
			seen.push(...page.json.items.map((u: { id: string }) => u.id));
			cursor = page.json.nextCursor;
			pages++;
		} while (cursor);
		expect(pages).toBe(2);
		expect(seen).toHaveLength(130);
		expect(new Set(seen).size).toBe(130);

		const chat = ts.addChat();
		for (let i = 0; i < 120; i++) ts.addMessage(chat.id, { text: `m${i}` });
		const first = await api('GET', `/chats/${chat.id}/messages`);
		expect(first.json.items).toHaveLength(50); // default limit
		expect(first.json.items[0].text).toBe('m119'); // newest first
		const second = await api(
			'GET',
			`/chats/${chat.id}/messages?cursor=${first.json.nextCursor}&limit=100`,
		);
		expect(second.json.items).toHaveLength(70);
		expect(second.json.items.at(-1).text).toBe('m0');
		expect(second.json.nextCursor).toBeNull();

		for (const bad of ['0', '101', 'abc']) {
			const r = await api('GET', `/users?limit=${bad}`);
			expect(r.status).toBe(400);
			expect(r.json.error.code).toBe('validation_error');
		}
		expect((await api('GET', '/users?cursor=garbage')).status).toBe(400);
	});

	it('uploads multipart files (streamed to disk) and serves them back', async () => {
		const bytes = randomBytes(4 * 1024 * 1024 + 123);
		const form = new FormData();
		form.append('comment', 'hello');
		form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'report Q3.pdf');
		const up = await fetch(`${ts.url}/api/v1/files`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ts.apiKey}` },
			body: form,
		});
		expect(up.status).toBe(201);
		const meta = (await up.json()) as FileMeta;
		expect(meta).toMatchObject({
			name: 'report Q3.pdf',
			mimeType: 'application/pdf',
			size: bytes.length,
		});
		expect(meta.id).toMatch(/^f_/);
		expect(ts.files.get(meta.id)?.sha256).toBe(sha256(bytes));
		const recorded = ts.requests.at(-1)?.body as {
			fields: Record<string, string>;
			file: RecordedUpload;
		};
		expect(recorded.fields).toEqual({ comment: 'hello' });
		expect(recorded.file).toEqual({
			fieldName: 'file',
			filename: 'report Q3.pdf',
			contentType: 'application/pdf',
			size: bytes.length,
			sha256: sha256(bytes),
		});

		const down = await fetch(`${ts.url}/api/v1/files/${meta.id}/content`, {
			headers: { authorization: `Bearer ${ts.apiKey}` },
		});
		expect(down.status).toBe(200);
		expect(down.headers.get('content-type')).toBe('application/pdf');
		expect(down.headers.get('content-length')).toBe(String(bytes.length));
		expect(down.headers.get('content-disposition')).toBe('attachment; filename="report Q3.pdf"');
		expect(sha256(Buffer.from(await down.arrayBuffer()))).toBe(sha256(bytes));

		// A message can carry the file; its metadata is embedded.
		const chat = ts.addChat();
		const msg = await api('POST', `/chats/${chat.id}/messages`, { text: '', fileIds: [meta.id] });
		expect(msg.status).toBe(201);
		expect(msg.json.files).toEqual([meta]);
	});

	it('parses a chunked multipart upload split at awkward places', async () => {
		const boundary = '----ts-boundary-42';
		const content = Buffer.concat([
			randomBytes(200_000),
			Buffer.from(`\r\n--${boundary.slice(0, 8)}`),
			randomBytes(1000),
		]);
		const body = Buffer.concat([
			Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''na%C3%AFve.txt\r\n` +
					`Content-Type: text/plain\r\n\r\n`,
			),
			content,
			Buffer.from(`\r\n--${boundary}--\r\n`),
		]);
		const status = await new Promise<number>((resolve, reject) => {
			const req = http.request(
				`${ts.url}/api/v1/files`,
				{
					method: 'POST',
					headers: {
						authorization: `Bearer ${ts.apiKey}`,
						'content-type': `multipart/form-data; boundary=${boundary}`,
					},
				},
				(res) => {
					res.resume();
					res.on('end', () => resolve(res.statusCode ?? 0));
				},
			);
			req.on('error', reject);
			for (let i = 0; i < body.length; i += 7_777) req.write(body.subarray(i, i + 7_777)); // chunked encoding
			req.end();
		});
		expect(status).toBe(201);
		const rec = ts.requests.at(-1)!;
		expect(rec.headers['transfer-encoding']).toBe('chunked');
		expect((rec.body as { file: RecordedUpload }).file).toMatchObject({
			filename: 'naïve.txt',
			size: content.length,
			sha256: sha256(content),
		});
		const [stored] = [...ts.files.values()];
		expect(ts.fileContent(stored.meta.id).equals(content)).toBe(true);

		const down = await fetch(`${ts.url}/api/v1/files/${stored.meta.id}/content`, {
			headers: { authorization: `Bearer ${ts.apiKey}` },
		});
		expect(down.headers.get('content-disposition')).toBe(
			`attachment; filename="na_ve.txt"; filename*=UTF-8''na%C3%AFve.txt`,
		);
		await down.arrayBuffer();
	});

	it('rejects files above the size limit with 413', async () => {
		const small = await TeamSpiritEmulator.start({ maxFileSize: 1000 });
		try {
			const form = new FormData();
			form.append('file', new Blob([randomBytes(5000)]), 'big.bin');
			const res = await fetch(`${small.url}/api/v1/files`, {
				method: 'POST',
				headers: { authorization: `Bearer ${small.apiKey}` },
				body: form,
			});
			expect(res.status).toBe(413);
			expect(((await res.json()) as any).error.code).toBe('payload_too_large');
			expect(small.files.size).toBe(0);
		} finally {
			await small.stop();
		}
	});

	it('injects faults with failNext (429 carries Retry-After)', async () => {
		ts.failNext({ method: 'GET', path: /\/users$/, status: 429, retryAfter: 3, count: 2 });
		const a = await api('GET', '/users');
		expect(a.status).toBe(429);
		expect(a.headers.get('retry-after')).toBe('3');
		expect(a.json).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
		expect((await api('GET', '/me')).status).toBe(200); // does not match the rule
		expect((await api('GET', '/users')).status).toBe(429);
		expect((await api('GET', '/users')).status).toBe(200);
		expect(ts.requests.filter((r) => r.injected)).toHaveLength(2);

		ts.failNext({ status: 503 });
		const b = await api('GET', '/me');
		expect(b.status).toBe(503);
		expect(b.json.error.code).toBe('unavailable');
	});

	it('honours Idempotency-Key across a lost response (afterAccepting)', async () => {
		const chat = ts.addChat({ title: 'Ops' });
		ts.failNext({ method: 'POST', path: /\/messages$/, status: 503, afterAccepting: true });
		const body = { text: 'deploy done', format: 'markdown' };
		const key = { 'idempotency-key': 'k-1' };
		const lost = await api('POST', `/chats/${chat.id}/messages`, body, key);
		expect(lost.status).toBe(503);
		expect(ts.messagesIn(chat.id)).toHaveLength(1); // the server did act

		const retry = await api('POST', `/chats/${chat.id}/messages`, body, key);
		expect(retry.status).toBe(200);
		expect(retry.json.id).toBe(ts.messagesIn(chat.id)[0].id);
		expect(ts.messagesIn(chat.id)).toHaveLength(1);

		const other = await api('POST', `/chats/${chat.id}/messages`, { text: 'different' }, key);
		expect(other.status).toBe(400);

		const noKey = await api('POST', `/chats/${chat.id}/messages`, body);
		expect(noKey.status).toBe(201);
		expect(ts.messagesIn(chat.id)).toHaveLength(2);
	});

	it('validates messages, chats and statuses', async () => {
		const chat = ts.addChat();
		const empty = await api('POST', `/chats/${chat.id}/messages`, { text: '  ' });
		expect(empty.status).toBe(400);
		expect(empty.json.error.code).toBe('validation_error');
		expect(
			(await api('POST', `/chats/${chat.id}/messages`, { text: 'x', format: 'html' })).status,
		).toBe(400);
		expect(
			(await api('POST', `/chats/${chat.id}/messages`, { text: 'x', fileIds: ['f_nope'] })).status,
		).toBe(404);
		const missing = await api('GET', '/chats/c_x/messages');
		expect(missing.status).toBe(404);
		expect(missing.json).toEqual({ error: { code: 'not_found', message: "Chat 'c_x' not found" } });
		expect((await api('GET', `/chats/${chat.id}/messages/m_nope`)).status).toBe(404);
		expect((await api('PUT', '/me/status', { status: 'sleeping' })).status).toBe(400);
		expect((await api('PUT', '/me/status', { status: 'busy', until: 'tomorrow' })).status).toBe(
			400,
		);
		const ok = await api('PUT', '/me/status', {
			status: 'busy',
			text: 'In a meeting',
			until: '2030-01-01T10:00:00+02:00',
		});
		expect(ok.json).toEqual({
			status: 'busy',
			text: 'In a meeting',
			until: '2030-01-01T08:00:00.000Z',
		});
		expect((await api('GET', `/users/${ts.bot.id}/status`)).json).toEqual(ok.json);

		const edited = await api('POST', `/chats/${chat.id}/messages`, { text: 'v1' });
		const patched = await api('PATCH', `/chats/${chat.id}/messages/${edited.json.id}`, {
			text: 'v2',
		});
		expect(patched.json).toMatchObject({ text: 'v2', editedAt: expect.any(String) });
		expect((await api('DELETE', `/chats/${chat.id}/messages/${edited.json.id}`)).status).toBe(204);
	});

	it('sends direct messages into one reused direct chat, and accepts incoming hooks', async () => {
		const alice = ts.addUser({ name: 'Alice' });
		const m1 = await api('POST', `/users/${alice.id}/messages`, { text: 'hi' });
		const m2 = await api('POST', `/users/${alice.id}/messages`, { text: 'again' });
		expect(m1.status).toBe(201);
		expect(m2.json.chatId).toBe(m1.json.chatId);
		expect(ts.chats.get(m1.json.chatId)).toMatchObject({
			type: 'direct',
			memberIds: [ts.bot.id, alice.id],
		});

		const hook = ts.addIncomingHook();
		const res = await fetch(hook.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				text: 'build failed',
				username: 'CI',
				attachments: [{ title: 'log', url: 'https://ci/1' }],
			}),
		});
		expect(res.status).toBe(200);
		const out = (await res.json()) as { ok: boolean; messageId: string };
		expect(out.ok).toBe(true);
		expect(ts.messagesIn(hook.chatId).map((m: Message) => m.id)).toEqual([out.messageId]);
		expect(ts.hookMessages[0]).toMatchObject({
			username: 'CI',
			attachments: [{ title: 'log', url: 'https://ci/1' }],
		});
		expect((await fetch(`${ts.url}/hooks/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
	});
});

describe('TeamSpiritEmulator: conversation additions (externalKey, metadata, file links, data.chat)', () => {
	let ts: TeamSpiritEmulator;
	let receiver: http.Server;

	beforeEach(async () => {
		ts = await TeamSpiritEmulator.start({ autoDeliver: true });
		receiver = http.createServer((req, res) => {
			req.resume();
			req.on('end', () => res.writeHead(200).end());
		});
		receiver.listen(0, '127.0.0.1');
		await once(receiver, 'listening');
		const { port } = receiver.address() as AddressInfo;
		const hook = await api('POST', '/webhooks', {
			url: `http://127.0.0.1:${port}/ts`,
			events: ['message.created', 'message.updated', 'message.deleted'],
		});
		expect(hook.status).toBe(201);
	});
	afterEach(async () => {
		await ts.stop();
		receiver.closeAllConnections();
		await new Promise((resolve) => receiver.close(resolve));
	});

	async function api(
		method: string,
		path: string,
		body?: unknown,
		headers: Record<string, string> = {},
	): Promise<{ status: number; headers: Headers; json: any }> {
		const res = await fetch(`${ts.url}/api/v1${path}`, {
			method,
			headers: {
				authorization: `Bearer ${ts.apiKey}`,
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...headers,
			},
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
	}

	/** The bodies of every delivery so far, once the background ones are answered. */
	async function delivered(): Promise<Array<{ event: string; data: any }>> {
		await ts.settled();
		return ts.deliveries.map((d) => JSON.parse(d.body) as { event: string; data: any });
	}

	it('chats: externalKey and metadata on POST, always on the object; a taken key is 409 with the chat and creates nothing', async () => {
		const plain = await api('POST', '/chats', { type: 'group', title: 'Ops' });
		expect(plain.status).toBe(201);
		expect(plain.json).toMatchObject({ externalKey: null, metadata: {} });
		expect((await api('GET', `/chats/${plain.json.id}`)).json).toMatchObject({
			externalKey: null,
			metadata: {},
		});

		const metadata = { channel: 'telegram', customer: { id: '1001', name: 'Anna' } };
		const body = {
			type: 'group',
			title: 'Anna (Telegram)',
			externalKey: 'telegram:1:1001',
			metadata,
		};
		const created = await api('POST', '/chats', body);
		expect(created.status).toBe(201);
		expect(created.json).toMatchObject({
			title: 'Anna (Telegram)',
			externalKey: 'telegram:1:1001',
			metadata,
		});
		expect(ts.chatByKey('telegram:1:1001')?.id).toBe(created.json.id);

		const again = await api('POST', '/chats', { ...body, title: 'Another title' });
		expect(again.status).toBe(409);
		expect(again.json).toEqual({
			error: {
				code: 'conflict',
				message: "A chat with externalKey 'telegram:1:1001' already exists",
				chat: created.json,
			},
		});
		expect(ts.chats.size).toBe(2);

		// a body that is wrong otherwise is a 400 first, and creates nothing either
		expect((await api('POST', '/chats', { ...body, metadata: [1] })).status).toBe(400);

		// two at the same moment: one 201, one 409 with that chat
		const both = await Promise.all([
			api('POST', '/chats', { type: 'group', title: 'A', externalKey: 'k:race' }),
			api('POST', '/chats', { type: 'group', title: 'B', externalKey: 'k:race' }),
		]);
		expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
		const winner = both.find((r) => r.status === 201)!.json;
		expect(both.find((r) => r.status === 409)!.json.error.chat).toEqual(winner);
		expect([...ts.chats.values()].filter((c) => c.externalKey === 'k:race')).toHaveLength(1);
	});

	it('chats: validates externalKey and metadata, finds by key, PATCHes title and metadata', async () => {
		for (const externalKey of ['', 'x'.repeat(201), 42]) {
			const r = await api('POST', '/chats', { type: 'group', title: 'T', externalKey });
			expect(r.status).toBe(400);
			expect(r.json.error.code).toBe('validation_error');
		}
		expect(
			(await api('POST', '/chats', { type: 'group', title: 'T', externalKey: 'x'.repeat(200) }))
				.status,
		).toBe(201);
		for (const metadata of ['text', [1], { big: 'é'.repeat(2044) }]) {
			expect((await api('POST', '/chats', { type: 'group', title: 'T', metadata })).status).toBe(
				400,
			);
		}
		// 4096 bytes exactly is fine ({"v":"…"} is 8 bytes around the value)
		expect(
			(
				await api('POST', '/chats', {
					type: 'group',
					title: 'T',
					metadata: { v: 'a'.repeat(4088) },
				})
			).status,
		).toBe(201);
		expect(ts.chats.size).toBe(2);

		const chat = ts.addChat({ title: 'Bob', externalKey: 'whatsapp:+1:+49', metadata: { a: 1 } });
		ts.addChat({ title: 'Bob 2', externalKey: 'whatsapp:+1:+490' });
		const found = await api('GET', `/chats?externalKey=${encodeURIComponent('whatsapp:+1:+49')}`);
		expect(found.json).toEqual({ items: [chat], nextCursor: null });
		expect((await api('GET', '/chats?externalKey=nope')).json).toEqual({
			items: [],
			nextCursor: null,
		});
		expect((await api('GET', '/chats?externalKey=')).status).toBe(400);
		// keys are unique among the bot's chats: one without the bot is not found, and does not take the key
		const left = ts.addChat({ title: 'Left', externalKey: 'k:left', includeBot: false });
		expect((await api('GET', '/chats?externalKey=k:left')).json.items).toEqual([]);
		expect(
			(await api('POST', '/chats', { type: 'group', title: 'New', externalKey: 'k:left' })).status,
		).toBe(201);

		const patched = await api('PATCH', `/chats/${chat.id}`, { metadata: { b: 2 } });
		expect(patched.status).toBe(200);
		expect(patched.json).toMatchObject({
			id: chat.id,
			title: 'Bob',
			externalKey: 'whatsapp:+1:+49',
			metadata: { b: 2 },
		});
		expect((await api('PATCH', `/chats/${chat.id}`, { title: 'Bob Boyd' })).json).toMatchObject({
			title: 'Bob Boyd',
			metadata: { b: 2 },
		});
		expect((await api('PATCH', `/chats/${chat.id}`, {})).status).toBe(400);
		expect((await api('PATCH', `/chats/${chat.id}`, { title: '  ' })).status).toBe(400);
		expect(
			(await api('PATCH', `/chats/${chat.id}`, { metadata: { v: 'a'.repeat(4089) } })).status,
		).toBe(400);
		expect((await api('PATCH', '/chats/c_nope', { title: 'x' })).status).toBe(404);
		expect((await api('PATCH', `/chats/${left.id}`, { title: 'x' })).status).toBe(403);
		expect(ts.chats.get(chat.id)).toMatchObject({ title: 'Bob Boyd', metadata: { b: 2 } });
	});

	it('messages: a known externalKey answers the existing message with 200, creates nothing and delivers nothing; forever, per chat', async () => {
		const chat = ts.addChat({ title: 'Anna', externalKey: 'telegram:1:1001' });
		const first = await api('POST', `/chats/${chat.id}/messages`, {
			text: 'Hello',
			externalKey: 'telegram:1:1001#42',
		});
		expect(first.status).toBe(201);
		expect(first.json).toMatchObject({ text: 'Hello', externalKey: 'telegram:1:1001#42' });
		expect(first.json).not.toHaveProperty('chat');

		const again = await api('POST', `/chats/${chat.id}/messages`, {
			text: 'other text',
			externalKey: 'telegram:1:1001#42',
		});
		expect(again.status).toBe(200);
		expect(again.json).toEqual(first.json);
		// the rest of the body is ignored, even when it would be invalid
		const ignored = await api('POST', `/chats/${chat.id}/messages`, {
			format: 'html',
			externalKey: 'telegram:1:1001#42',
		});
		expect(ignored.status).toBe(200);
		expect(ts.messagesIn(chat.id)).toHaveLength(1);
		expect((await delivered()).filter((d) => d.event === 'message.created')).toHaveLength(1);

		// with a new Idempotency-Key too: still the same message
		const keyed = await api(
			'POST',
			`/chats/${chat.id}/messages`,
			{ text: 'x', externalKey: 'telegram:1:1001#42' },
			{
				'idempotency-key': 'k-1',
			},
		);
		expect(keyed.status).toBe(200);
		expect(keyed.json.id).toBe(first.json.id);

		// the same key in another chat is another message
		const other = ts.addChat();
		expect(
			(
				await api('POST', `/chats/${other.id}/messages`, {
					text: 'x',
					externalKey: 'telegram:1:1001#42',
				})
			).status,
		).toBe(201);

		const plain = await api('POST', `/chats/${chat.id}/messages`, { text: 'no key' });
		expect(plain.json.externalKey).toBeNull();
		expect(ts.messagesIn(chat.id).map((m) => m.text)).toEqual(['Hello', 'no key']);

		const found = await api(
			'GET',
			`/chats/${chat.id}/messages?externalKey=${encodeURIComponent('telegram:1:1001#42')}`,
		);
		expect(found.json).toEqual({ items: [first.json], nextCursor: null });
		expect((await api('GET', `/chats/${chat.id}/messages?externalKey=nope`)).json.items).toEqual(
			[],
		);
		expect((await api('GET', `/chats/${chat.id}/messages?externalKey=`)).status).toBe(400);

		for (const externalKey of ['', 'k'.repeat(201)]) {
			expect(
				(await api('POST', `/chats/${chat.id}/messages`, { text: 'x', externalKey })).status,
			).toBe(400);
		}

		// direct messages too
		const alice = ts.addUser({ name: 'Alice' });
		const dm = await api('POST', `/users/${alice.id}/messages`, {
			text: 'hi',
			externalKey: 'dm-1',
		});
		const dm2 = await api('POST', `/users/${alice.id}/messages`, {
			text: 'hi again',
			externalKey: 'dm-1',
		});
		expect([dm.status, dm2.status]).toEqual([201, 200]);
		expect(dm2.json).toEqual(dm.json);
		expect(ts.messagesIn(dm.json.chatId)).toHaveLength(1);
	});

	it('messages: PATCH sets externalKey on any message (no editedAt, no event); text/format only on the bot’s own; a taken key is 409', async () => {
		const chat = ts.addChat();
		const operator = ts.addUser({ name: 'Olga' });
		const theirs = ts.addMessage(chat.id, { senderId: operator.id, text: 'from Olga' });
		const ours = (
			await api('POST', `/chats/${chat.id}/messages`, { text: 'v1', externalKey: 'k:ours' })
		).json;

		const keyed = await api('PATCH', `/chats/${chat.id}/messages/${theirs.id}`, {
			externalKey: 'telegram:1:1001#43',
		});
		expect(keyed.status).toBe(200);
		expect(keyed.json).toMatchObject({
			id: theirs.id,
			externalKey: 'telegram:1:1001#43',
			editedAt: null,
			text: 'from Olga',
		});
		expect(ts.messageByKey(chat.id, 'telegram:1:1001#43')?.id).toBe(theirs.id);
		// its own key again is fine
		expect(
			(
				await api('PATCH', `/chats/${chat.id}/messages/${theirs.id}`, {
					externalKey: 'telegram:1:1001#43',
				})
			).status,
		).toBe(200);

		const text = await api('PATCH', `/chats/${chat.id}/messages/${theirs.id}`, {
			text: 'changed',
			externalKey: 'z',
		});
		expect(text.status).toBe(403);
		expect(
			(await api('PATCH', `/chats/${chat.id}/messages/${theirs.id}`, { format: 'markdown' }))
				.status,
		).toBe(403);

		const taken = await api('PATCH', `/chats/${chat.id}/messages/${ours.id}`, {
			externalKey: 'telegram:1:1001#43',
		});
		expect(taken.status).toBe(409);
		expect(taken.json.error.code).toBe('conflict');
		expect(ts.message(ours.id)?.externalKey).toBe('k:ours');

		expect((await api('PATCH', `/chats/${chat.id}/messages/${ours.id}`, {})).status).toBe(400);
		expect(
			(await api('PATCH', `/chats/${chat.id}/messages/${ours.id}`, { externalKey: '' })).status,
		).toBe(400);

		const format = await api('PATCH', `/chats/${chat.id}/messages/${ours.id}`, {
			format: 'markdown',
		});
		expect(format.json).toMatchObject({
			text: 'v1',
			format: 'markdown',
			editedAt: expect.any(String),
		});

		const events = await delivered();
		expect(events.map((e) => e.event)).toEqual(['message.created', 'message.updated']);
		expect(events[1].data).toMatchObject({
			id: ours.id,
			format: 'markdown',
			externalKey: 'k:ours',
		});
	});

	it('events: message.* deliveries carry data.chat (id, title, externalKey, metadata, version); message.deleted keeps the externalKey', async () => {
		const metadata = { channel: 'telegram', customer: { id: '1001', name: 'Anna' } };
		const chat = ts.addChat({ title: 'Anna', externalKey: 'telegram:1:1001', metadata });
		const summary = {
			id: chat.id,
			title: 'Anna',
			externalKey: 'telegram:1:1001',
			metadata,
			version: 1,
		};
		const sent = (
			await api('POST', `/chats/${chat.id}/messages`, { text: 'v1', externalKey: 'k:1' })
		).json;
		await api('PATCH', `/chats/${chat.id}/messages/${sent.id}`, { text: 'v2' });
		await api('DELETE', `/chats/${chat.id}/messages/${sent.id}`);
		const events = await delivered();
		expect(events.map((e) => e.event)).toEqual([
			'message.created',
			'message.updated',
			'message.deleted',
		]);
		for (const e of events) expect(e.data.chat).toEqual(summary);
		expect(events[2].data).toMatchObject({ id: sent.id, text: 'v2', externalKey: 'k:1' });

		// REST answers never carry it
		const rest = await api('POST', `/chats/${chat.id}/messages`, { text: 'again' });
		expect(rest.json).not.toHaveProperty('chat');
		expect((await api('GET', `/chats/${chat.id}/messages`)).json.items[0]).not.toHaveProperty(
			'chat',
		);
	});

	it('helpers: an operator posts (replyToId, fileIds), edits and deletes; each delivers its event with the chat', async () => {
		const operator = ts.addUser({ name: 'Olga' });
		const chat = ts.addChat({
			title: 'Anna',
			externalKey: 'telegram:1:1001',
			memberIds: [operator.id],
		});
		const asked = ts.addMessage(chat.id, {
			text: 'Do you ship to Norway?',
			externalKey: 'telegram:1:1001#7',
		});
		const label = ts.uploadAsUser(operator.id, {
			name: 'label.pdf',
			mimeType: 'application/pdf',
			content: '%PDF-1.7',
		});
		expect(ts.files.get(label.id)?.uploadedBy).toBe(operator.id);

		const posted = await ts.postAsUser(chat.id, operator.id, {
			text: 'Yes',
			replyToId: asked.id,
			fileIds: [label.id],
		});
		expect(posted.message).toMatchObject({
			senderId: operator.id,
			replyToId: asked.id,
			files: [label],
			externalKey: null,
		});
		const edited = await ts.editAsUser(posted.message.id, { text: 'Yes, we do' });
		expect(edited.message).toMatchObject({ text: 'Yes, we do', editedAt: expect.any(String) });
		const deleted = await ts.deleteAsUser(posted.message.id);
		expect(ts.message(posted.message.id)).toBeUndefined();

		const bodies = [posted, edited, deleted].map(
			(r) => JSON.parse(r.deliveries[0].body) as { event: string; data: any },
		);
		expect(bodies.map((b) => b.event)).toEqual([
			'message.created',
			'message.updated',
			'message.deleted',
		]);
		expect(bodies[0].data).toMatchObject({ replyToId: asked.id, files: [label] });
		expect(bodies[1].data).toMatchObject({ text: 'Yes, we do' });
		expect(bodies[2].data).toMatchObject({ id: posted.message.id, text: 'Yes, we do' });
		for (const b of bodies)
			expect(b.data.chat).toEqual({
				id: chat.id,
				title: 'Anna',
				externalKey: 'telegram:1:1001',
				metadata: {},
				version: 1,
			});

		expect(() => ts.addMessage(chat.id, { replyToId: 'm_nope' })).toThrow(/replyToId/);
		expect(() => ts.addMessage(chat.id, { externalKey: 'telegram:1:1001#7' })).toThrow(
			/externalKey/,
		);
		expect(() => ts.addChat({ externalKey: 'telegram:1:1001' })).toThrow(/externalKey/);
		expect(ts.messagesIn(chat.id).map((m) => m.id)).toEqual([asked.id]);
	});

	it('files: POST /files/{id}/links makes a public link (no API key) to the bytes, 404 once expired', async () => {
		const bytes = randomBytes(300_000);
		const file = ts.addFile({
			name: 'Lieferschein März.pdf',
			mimeType: 'application/pdf',
			content: bytes,
		});
		const made = await api('POST', `/files/${file.id}/links`, { expiresInSeconds: 600 });
		expect(made.status).toBe(201);
		expect(Object.keys(made.json).sort()).toEqual(['expiresAt', 'url']);
		expect(new Date(made.json.expiresAt).toISOString()).toBe(made.json.expiresAt);
		const url = new URL(made.json.url);
		expect(url.origin).toBe(ts.url);
		const [, pub, files, token, name] = url.pathname.split('/');
		expect([pub, files, decodeURIComponent(name)]).toEqual([
			'public',
			'files',
			'Lieferschein März.pdf',
		]);
		expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16); // ≥ 128 bits
		expect(token).toMatch(/^[A-Za-z0-9_-]+$/);

		const got = await fetch(made.json.url); // no authorization header
		expect(got.status).toBe(200);
		expect(got.headers.get('content-type')).toBe('application/pdf');
		expect(got.headers.get('content-length')).toBe(String(bytes.length));
		expect(sha256(Buffer.from(await got.arrayBuffer()))).toBe(sha256(bytes));
		const head = await fetch(made.json.url, { method: 'HEAD' });
		expect([head.status, head.headers.get('content-length')]).toEqual([200, String(bytes.length)]);

		const second = await api('POST', `/files/${file.id}/links`);
		expect(second.status).toBe(201);
		expect(second.json.url).not.toBe(made.json.url);
		const expiresIn = Date.parse(second.json.expiresAt) - Date.parse(made.json.expiresAt);
		expect(expiresIn).toBeGreaterThan(2900 * 1000); // default 3600 s against 600 s

		expect((await fetch(`${ts.url}/public/files/${'A'.repeat(32)}/x.pdf`)).status).toBe(404);
		ts.expireLinks();
		for (const method of ['GET', 'HEAD']) {
			for (const link of [made.json.url, second.json.url]) {
				expect((await fetch(link, { method })).status).toBe(404);
			}
		}
		const gone = await fetch(made.json.url);
		expect(await gone.json()).toEqual({
			error: { code: 'not_found', message: 'Unknown or expired link' },
		});

		for (const expiresInSeconds of [59, 86401, 1.5, '600']) {
			expect((await api('POST', `/files/${file.id}/links`, { expiresInSeconds })).status).toBe(400);
		}
		expect((await api('POST', `/files/${file.id}/links`, { expiresInSeconds: 86400 })).status).toBe(
			201,
		);
		expect((await api('POST', '/files/f_nope/links', {})).status).toBe(404);
		const noKey = await fetch(`${ts.url}/api/v1/files/${file.id}/links`, { method: 'POST' });
		expect(noKey.status).toBe(401);
	});
});

describe('MultipartParser', () => {
	it('yields the same parts whatever the chunking', async () => {
		const b = 'XyZ';
		const raw = Buffer.from(
			`preamble\r\n--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue \r\n--X\r\n--${b}  \r\n` +
				`Content-Disposition: form-data; name="file"; filename="q\\"x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n` +
				`\r\n--XyY\r\n\r\n--${b}--\r\nepilogue`,
		);
		for (const size of [1, 2, 3, 5, 8, 13, raw.length]) {
			const parts: Array<{ info: PartInfo; data: string }> = [];
			const parser = new MultipartParser(b, (info) => {
				const entry = { info, data: '' };
				parts.push(entry);
				return { write: (c) => void (entry.data += c.toString('latin1')), end: () => undefined };
			});
			for (let i = 0; i < raw.length; i += size) await parser.write(raw.subarray(i, i + size));
			await parser.end();
			expect(parts.map((p) => [p.info.name, p.info.filename, p.data])).toEqual([
				['a', undefined, 'value \r\n--X'],
				['file', 'q"x.bin', '\r\n--XyY\r\n'],
			]);
		}
	});

	it('rejects a truncated body', async () => {
		const parser = new MultipartParser('b', () => ({
			write: () => undefined,
			end: () => undefined,
		}));
		await parser.write(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nabc'));
		await expect(parser.end()).rejects.toThrow('Unexpected end');
	});
});

describe('TeamSpiritEmulator: delivery retry schedule and skipped faults', () => {
	let ts: TeamSpiritEmulator;
	let receiver: http.Server;
	/** How the receiver answers each request it gets, in turn (then 200). */
	let answers: number[];
	let received: Array<{ delivery: string; timestamp: string }>;

	beforeEach(async () => {
		answers = [];
		received = [];
		receiver = http.createServer((req, res) => {
			received.push({
				delivery: String(req.headers['x-teamspirit-delivery']),
				timestamp: String(req.headers['x-teamspirit-timestamp']),
			});
			req.resume();
			req.on('end', () => res.writeHead(answers.shift() ?? 200).end());
		});
		receiver.listen(0, '127.0.0.1');
		await once(receiver, 'listening');
	});
	afterEach(async () => {
		await ts.stop();
		receiver.closeAllConnections();
		await new Promise((resolve) => receiver.close(resolve));
	});

	const hook = (url: string) =>
		ts.webhooks.set('wh_test', {
			id: 'wh_test',
			url,
			events: ['message.created'],
			chatIds: [],
			secret: 'whsec_test',
			createdAt: new Date().toISOString(),
		});
	const receiverUrl = () => `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ts`;
	const until = async (what: string, probe: () => boolean) => {
		const deadline = Date.now() + 10_000;
		while (!probe()) {
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
			await new Promise((r) => setTimeout(r, 10));
		}
	};

	it('retryDelaysMs: a failed delivery is sent again, same delivery id, until it is answered 2xx', async () => {
		ts = await TeamSpiritEmulator.start({ retryDelaysMs: [20, 20, 20, 20, 20] });
		hook(receiverUrl());
		const chat = ts.addChat({ title: 'Ops' });
		const operator = ts.addUser({ name: 'Olga' });
		answers = [503, 500];
		const { deliveries } = await ts.postAsUser(chat.id, operator.id, { text: 'hi' });
		expect(deliveries.map((d) => d.status)).toEqual([503]);
		await until('the third attempt', () => received.length === 3);
		await ts.settled();
		expect(new Set(received.map((r) => r.delivery))).toEqual(new Set([deliveries[0].deliveryId]));
		expect(ts.deliveries.map((d) => [d.status, d.retry])).toEqual([
			[503, false],
			[500, true],
			[200, true],
		]);
		// answered: no more attempts
		await new Promise((r) => setTimeout(r, 150));
		expect(received).toHaveLength(3);
	});

	it('retryDelaysMs: a receiver that is down gets every retry, then the delivery is dropped', async () => {
		ts = await TeamSpiritEmulator.start({ retryDelaysMs: [10, 10, 10] });
		const closedPort = (receiver.address() as AddressInfo).port;
		receiver.closeAllConnections();
		await new Promise((resolve) => receiver.close(resolve));
		hook(`http://127.0.0.1:${closedPort}/ts`);
		const chat = ts.addChat({ title: 'Ops' });
		await ts.postAsUser(chat.id, ts.addUser().id, { text: 'hi' });
		await until('four attempts', () => ts.deliveries.length === 4);
		await new Promise((r) => setTimeout(r, 100));
		await ts.settled();
		expect(ts.deliveries.map((d) => [d.status, d.retry])).toEqual([
			[0, false],
			[0, true],
			[0, true],
			[0, true],
		]);
		receiver = http.createServer().listen(0, '127.0.0.1'); // for afterEach
		await once(receiver, 'listening');
	});

	it('without retryDelaysMs nothing is retried; autoDeliver events follow the schedule too', async () => {
		ts = await TeamSpiritEmulator.start({ autoDeliver: true });
		hook(receiverUrl());
		const chat = ts.addChat({ title: 'Ops' });
		answers = [503];
		await ts.postAsUser(chat.id, ts.addUser().id, { text: 'hi' });
		await new Promise((r) => setTimeout(r, 100));
		expect(received).toHaveLength(1);

		ts.retryDelaysMs = [10];
		answers = [503];
		const res = await fetch(`${ts.url}/api/v1/chats/${chat.id}/messages`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ts.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ text: 'from the bot' }),
		});
		expect(res.status).toBe(201);
		await until('the retry of the bot message', () => received.length === 3);
		expect(received[1].delivery).toBe(received[2].delivery);
	});

	it('failNext skip: the first matching requests pass, the next ones fail', async () => {
		ts = await TeamSpiritEmulator.start();
		ts.failNext({ method: 'GET', path: /\/me$/, status: 503, skip: 1, count: 1 });
		const get = async () =>
			(await fetch(`${ts.url}/api/v1/me`, { headers: { authorization: `Bearer ${ts.apiKey}` } }))
				.status;
		expect(await get()).toBe(200);
		expect(await get()).toBe(503);
		expect(await get()).toBe(200);
	});
});

describe('TeamSpiritEmulator: chat versions, conditional PATCH, metadata filters, chat.updated', () => {
	let ts: TeamSpiritEmulator;
	let receiver: http.Server;
	let receiverUrl: string;

	beforeEach(async () => {
		ts = await TeamSpiritEmulator.start({ autoDeliver: true });
		receiver = http.createServer((req, res) => {
			req.resume();
			req.on('end', () => res.writeHead(200).end());
		});
		receiver.listen(0, '127.0.0.1');
		await once(receiver, 'listening');
		receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ts`;
	});
	afterEach(async () => {
		await ts.stop();
		receiver.closeAllConnections();
		await new Promise((resolve) => receiver.close(resolve));
	});

	async function api(
		method: string,
		path: string,
		body?: unknown,
		headers: Record<string, string> = {},
	): Promise<{ status: number; json: any }> {
		const res = await fetch(`${ts.url}/api/v1${path}`, {
			method,
			headers: {
				authorization: `Bearer ${ts.apiKey}`,
				...(body !== undefined ? { 'content-type': 'application/json' } : {}),
				...headers,
			},
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		const text = await res.text();
		return { status: res.status, json: text ? JSON.parse(text) : undefined };
	}

	async function subscribe(events: string[], chatIds: string[] = []): Promise<string> {
		const hook = await api('POST', '/webhooks', { url: receiverUrl, events, chatIds });
		expect(hook.status).toBe(201);
		return hook.json.id as string;
	}

	/** The deliveries so far (once the background ones are answered), with their webhook. */
	async function delivered(): Promise<Array<{ webhookId: string; event: string; data: any }>> {
		await ts.settled();
		return ts.deliveries.map((d) => ({ webhookId: d.webhookId, ...JSON.parse(d.body) }));
	}

	it('version: 1 on create, +1 on every change of title, metadata or members, never on a PATCH that changes nothing; data.chat of message.* carries it', async () => {
		await subscribe(['message.created']);
		const alice = ts.addUser({ name: 'Alice' });
		const created = await api('POST', '/chats', {
			type: 'group',
			title: 'Ops',
			metadata: { a: 1 },
		});
		expect(created.json.version).toBe(1);
		const id = created.json.id as string;
		const version = async () => (await api('GET', `/chats/${id}`)).json.version as number;

		expect((await api('PATCH', `/chats/${id}`, { title: 'Ops 2' })).json.version).toBe(2);
		expect((await api('PATCH', `/chats/${id}`, { metadata: { a: 2, b: 'x' } })).json.version).toBe(
			3,
		);
		// the same title, and the same metadata in another key order: no change
		expect(
			(await api('PATCH', `/chats/${id}`, { title: 'Ops 2', metadata: { b: 'x', a: 2 } })).json
				.version,
		).toBe(3);
		expect((await api('POST', `/chats/${id}/members`, { userIds: [alice.id] })).json.version).toBe(
			4,
		);
		// already a member: nothing changes
		expect((await api('POST', `/chats/${id}/members`, { userIds: [alice.id] })).json.version).toBe(
			4,
		);
		expect((await api('DELETE', `/chats/${id}/members/${alice.id}`)).status).toBe(204);
		expect(await version()).toBe(5);
		expect((await api('GET', `/chats?query=ops`)).json.items[0].version).toBe(5);
		expect(ts.chat(id)?.version).toBe(5);
		expect(ts.addChat().version).toBe(1);

		await api('POST', `/chats/${id}/messages`, { text: 'hi' });
		const [message] = await delivered();
		expect(message.data.chat).toEqual({
			id,
			title: 'Ops 2',
			externalKey: null,
			metadata: { a: 2, b: 'x' },
			version: 5,
		});
	});

	it('conditional PATCH: If-Match on the current version applies; a stale one is 412 with the current chat and changes nothing; of two racing writers exactly one wins', async () => {
		const chat = ts.addChat({ title: 'Anna', metadata: { status: 'open' } });
		const ok = await api(
			'PATCH',
			`/chats/${chat.id}`,
			{ metadata: { status: 'open', assigneeId: 'u_1' } },
			{ 'if-match': '"1"' },
		);
		expect(ok.status).toBe(200);
		expect(ok.json).toMatchObject({ version: 2, metadata: { status: 'open', assigneeId: 'u_1' } });
		// quotes are optional
		expect(
			(await api('PATCH', `/chats/${chat.id}`, { title: 'Anna P' }, { 'if-match': '2' })).json
				.version,
		).toBe(3);

		const stale = await api(
			'PATCH',
			`/chats/${chat.id}`,
			{ metadata: { status: 'resolved' } },
			{ 'if-match': '"2"' },
		);
		expect(stale.status).toBe(412);
		expect(stale.json).toEqual({
			error: {
				code: 'precondition_failed',
				message: `Chat '${chat.id}' is at version 3, not 2`,
				current: ts.chat(chat.id),
			},
		});
		expect(stale.json.error.current).toMatchObject({
			title: 'Anna P',
			metadata: { status: 'open', assigneeId: 'u_1' },
			version: 3,
		});
		expect(ts.chat(chat.id)?.metadata).toEqual({ status: 'open', assigneeId: 'u_1' });

		// a member added since the read makes the If-Match stale too
		const bob = ts.addUser({ name: 'Bob' });
		await api('POST', `/chats/${chat.id}/members`, { userIds: [bob.id] });
		expect(
			(await api('PATCH', `/chats/${chat.id}`, { title: 'x' }, { 'if-match': '"3"' })).status,
		).toBe(412);

		// two writers that read version 4: one 200, one 412
		const race = await Promise.all(
			['alice', 'bob'].map(
				async (who) =>
					await api(
						'PATCH',
						`/chats/${chat.id}`,
						{ metadata: { status: 'open', assigneeId: who } },
						{ 'if-match': '"4"' },
					),
			),
		);
		expect(race.map((r) => r.status).sort()).toEqual([200, 412]);
		const winner = race.find((r) => r.status === 200)!.json;
		expect(race.find((r) => r.status === 412)!.json.error.current).toEqual(winner);
		expect(ts.chat(chat.id)).toMatchObject({ version: 5, metadata: winner.metadata });
	});

	it('conditional PATCH: an If-Match that is not a version is 400; 404, 403 and body 400s come before 412', async () => {
		const chat = ts.addChat({ title: 'Anna' });
		for (const ifMatch of ['"abc"', '-1', '"1.5"', '*', '']) {
			const r = await api('PATCH', `/chats/${chat.id}`, { title: 'x' }, { 'if-match': ifMatch });
			expect([ifMatch, r.status, r.json.error.code]).toEqual([ifMatch, 400, 'validation_error']);
		}
		const stale = { 'if-match': '"7"' };
		expect((await api('PATCH', '/chats/c_nope', { title: 'x' }, stale)).status).toBe(404);
		const without = ts.addChat({ title: 'Left', includeBot: false });
		expect((await api('PATCH', `/chats/${without.id}`, { title: 'x' }, stale)).status).toBe(403);
		expect((await api('PATCH', `/chats/${chat.id}`, {}, stale)).status).toBe(400);
		expect((await api('PATCH', `/chats/${chat.id}`, { metadata: [1] }, stale)).status).toBe(400);
		expect(ts.chat(chat.id)).toMatchObject({ title: 'Anna', version: 1 });
	});

	it('GET /chats: metadata.<field> filters match top-level scalars as strings, empty matches missing/null/"", ANDed, with query/externalKey/pagination; a bad field is 400', async () => {
		const make = (title: string, metadata: Record<string, unknown>, externalKey?: string) =>
			ts.addChat({ title, metadata, externalKey }).id;
		const a = make('A tg', { channel: 'telegram', status: 'open', assigneeId: 'u_1', score: 5 });
		const b = make('B tg', {
			channel: 'telegram',
			status: 'open',
			assigneeId: null,
			greeted: true,
		});
		const c = make('C wa', { channel: 'whatsapp', status: 'open', assigneeId: '' }, 'k:c');
		const d = make('D tg', { channel: 'telegram', status: 'resolved', score: '5' });
		const e = make('E tg', { channel: 'telegram', status: { nested: 'open' } });
		ts.addChat({ title: 'F', metadata: { status: 'open' }, includeBot: false });
		const ids = async (query: string) => {
			const r = await api('GET', `/chats?${query}`);
			expect(r.status).toBe(200);
			return (r.json.items as Array<{ id: string }>).map((x) => x.id);
		};

		expect(await ids('metadata.status=open')).toEqual([a, b, c]);
		expect(await ids('metadata.channel=telegram&metadata.status=open')).toEqual([a, b]);
		expect(await ids('metadata.assigneeId=')).toEqual([b, c, d, e]);
		expect(await ids('metadata.channel=telegram&metadata.assigneeId=')).toEqual([b, d, e]);
		expect(await ids('metadata.score=5')).toEqual([a, d]);
		expect(await ids('metadata.greeted=true')).toEqual([b]);
		expect(await ids('metadata.status=Open')).toEqual([]);
		expect(await ids('metadata.status=%20open')).toEqual([]);
		expect(await ids('metadata.status=open&query=wa')).toEqual([c]);
		expect(await ids('metadata.status=open&externalKey=k:c')).toEqual([c]);
		expect(await ids('metadata.status=resolved&externalKey=k:c')).toEqual([]);
		expect(ts.chatsWhere({ status: 'open' }).map((x) => x.id)).toHaveLength(4); // F too

		const first = await api('GET', '/chats?metadata.status=open&limit=2');
		expect(first.json.items.map((x: { id: string }) => x.id)).toEqual([a, b]);
		const next = await api(
			'GET',
			`/chats?metadata.status=open&limit=2&cursor=${first.json.nextCursor as string}`,
		);
		expect(next.json).toEqual({ items: [ts.chat(c)], nextCursor: null });

		for (const bad of ['metadata.=x', 'metadata.customer.id=1', 'metadata.a%20b=1']) {
			const r = await api('GET', `/chats?${bad}`);
			expect([bad, r.status, r.json.error.code]).toEqual([bad, 400, 'validation_error']);
		}
	});

	it('chat.updated: PATCH and member changes deliver the chat, previous (title, metadata, memberIds, version) and actorId; not for a no-op; only where subscribed', async () => {
		const alice = ts.addUser({ name: 'Alice' });
		const chat = ts.addChat({ title: 'Anna', metadata: { status: 'open' } });
		const other = ts.addChat({ title: 'Other' });
		const all = await subscribe(['chat.updated']);
		const onlyOther = await subscribe(['chat.updated'], [other.id]);
		const messagesOnly = await subscribe(['message.created', 'chat.member_joined']);

		await api('PATCH', `/chats/${chat.id}`, { metadata: { status: 'resolved' } });
		await api('PATCH', `/chats/${chat.id}`, { metadata: { status: 'resolved' } }); // no change
		await api('POST', `/chats/${chat.id}/members`, { userIds: [alice.id] });
		await api('DELETE', `/chats/${chat.id}/members/${alice.id}`);
		const events = await delivered();

		const updates = events.filter((x) => x.event === 'chat.updated');
		expect(updates.every((x) => x.webhookId === all)).toBe(true);
		expect(updates.map((x) => x.data.chat.version)).toEqual([2, 3, 4]);
		expect(updates[0].data).toEqual({
			chat: {
				...ts.chat(chat.id),
				metadata: { status: 'resolved' },
				version: 2,
				memberIds: [ts.bot.id],
			},
			previous: { title: 'Anna', metadata: { status: 'open' }, memberIds: [ts.bot.id], version: 1 },
			actorId: ts.bot.id,
		});
		expect(updates[1].data.previous).toEqual({
			title: 'Anna',
			metadata: { status: 'resolved' },
			memberIds: [ts.bot.id],
			version: 2,
		});
		expect(updates[1].data.chat.memberIds).toEqual([ts.bot.id, alice.id]);
		expect(updates[2].data.previous.memberIds).toEqual([ts.bot.id, alice.id]);
		expect(updates[2].data.chat.memberIds).toEqual([ts.bot.id]);
		expect(events.filter((x) => x.webhookId === onlyOther)).toEqual([]);
		expect(events.filter((x) => x.webhookId === messagesOnly).map((x) => x.event)).toEqual([
			'chat.member_joined',
		]);
	});

	it('chat.updated: changeChatAsUser delivers with the user as actor; the bot removing itself still tells the chat it left', async () => {
		const olga = ts.addUser({ name: 'Olga' });
		const chat = ts.addChat({ title: 'Anna', metadata: { status: 'open' }, memberIds: [olga.id] });
		await subscribe(['chat.updated']);
		const changed = await ts.changeChatAsUser(chat.id, olga.id, {
			metadata: { status: 'snoozed' },
		});
		expect(changed.chat.version).toBe(2);
		expect(JSON.parse(changed.deliveries[0].body).data).toMatchObject({
			chat: { id: chat.id, version: 2, metadata: { status: 'snoozed' } },
			previous: { metadata: { status: 'open' }, version: 1 },
			actorId: olga.id,
		});
		expect((await ts.changeChatAsUser(chat.id, olga.id, { title: 'Anna' })).deliveries).toEqual([]);

		expect((await api('DELETE', `/chats/${chat.id}/members/${ts.bot.id}`)).status).toBe(204);
		const last = (await delivered()).pop()!;
		expect(last.event).toBe('chat.updated');
		expect(last.data).toMatchObject({ chat: { memberIds: [olga.id], version: 3 } });
		expect(last.data.previous.memberIds).toEqual([ts.bot.id, olga.id]);
	});
});

describe('TeamSpiritEmulator: typing (POST /chats/{id}/typing, chat.typing)', () => {
	let ts: TeamSpiritEmulator;
	let receiver: http.Server;
	let receiverUrl: string;

	beforeEach(async () => {
		ts = await TeamSpiritEmulator.start({ autoDeliver: true });
		receiver = http.createServer((req, res) => {
			req.resume();
			req.on('end', () => res.writeHead(200).end());
		});
		receiver.listen(0, '127.0.0.1');
		await once(receiver, 'listening');
		receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ts`;
	});
	afterEach(async () => {
		await ts.stop();
		receiver.closeAllConnections();
		await new Promise((resolve) => receiver.close(resolve));
	});

	async function api(method: string, path: string, body?: unknown, contentType?: string) {
		const res = await fetch(`${ts.url}/api/v1${path}`, {
			method,
			headers: {
				authorization: `Bearer ${ts.apiKey}`,
				...(body !== undefined ? { 'content-type': contentType ?? 'application/json' } : {}),
			},
			body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
		});
		const text = await res.text();
		return { status: res.status, json: text ? JSON.parse(text) : undefined };
	}

	it('POST /chats/{id}/typing: 204 and the bot shows as typing for 5 s (until it posts); no delivery; 404, 403, 400 as any chat call', async () => {
		const hook = await api('POST', '/webhooks', { url: receiverUrl, events: ['chat.typing', 'message.created'] });
		expect(hook.status).toBe(201);
		const chat = ts.addChat({ title: 'Anna' });
		const before = Date.now();
		const typed = await api('POST', `/chats/${chat.id}/typing`);
		expect(typed).toEqual({ status: 204, json: undefined });
		const [shown] = ts.typingIn(chat.id);
		expect(shown.userId).toBe(ts.bot.id);
		expect(Date.parse(shown.until)).toBeGreaterThanOrEqual(before + 5000);
		expect(Date.parse(shown.until)).toBeLessThanOrEqual(Date.now() + 5000);
		expect((await api('POST', `/chats/${chat.id}/typing`, {})).status).toBe(204);

		// a message from the bot ends it
		expect((await api('POST', `/chats/${chat.id}/messages`, { text: 'Hello' })).status).toBe(201);
		expect(ts.typingIn(chat.id)).toEqual([]);
		await ts.settled();
		expect(ts.deliveries.map((d) => d.event)).toEqual(['message.created']);

		expect((await api('POST', '/chats/c_nope/typing')).json.error.code).toBe('not_found');
		const foreign = ts.addChat({ title: 'Not ours', includeBot: false });
		expect((await api('POST', `/chats/${foreign.id}/typing`)).status).toBe(403);
		expect((await api('POST', `/chats/${chat.id}/typing`, [1])).status).toBe(400);
	});

	it('chat.typing: typeAsUser delivers { chatId, userId, user, until, chat } to webhooks subscribed to it and covering the chat', async () => {
		const olga = ts.addUser({ name: 'Olga Operator', username: 'olga' });
		const chat = ts.addChat({ title: 'Anna', externalKey: 'telegram:1:2~x', metadata: { channel: 'telegram' }, memberIds: [olga.id] });
		const other = ts.addChat({ title: 'Other', memberIds: [olga.id] });
		const typing = (await api('POST', '/webhooks', { url: receiverUrl, events: ['chat.typing'] })).json.id;
		const otherOnly = (await api('POST', '/webhooks', { url: receiverUrl, events: ['chat.typing'], chatIds: [other.id] })).json.id;
		const messagesOnly = (await api('POST', '/webhooks', { url: receiverUrl, events: ['message.created'] })).json.id;
		expect([typing, otherOnly, messagesOnly].every(Boolean)).toBe(true);

		const { until, deliveries } = await ts.typeAsUser(chat.id, olga.id);
		expect(deliveries.map((d) => [d.webhookId, d.event, d.status])).toEqual([[typing, 'chat.typing', 200]]);
		const body = JSON.parse(deliveries[0].body);
		expect(body).toMatchObject({ event: 'chat.typing', id: expect.stringMatching(/^evt_/) });
		expect(body.data).toEqual({
			chatId: chat.id,
			userId: olga.id,
			user: { id: olga.id, name: 'Olga Operator', username: 'olga', email: olga.email, isBot: false },
			until,
			chat: { id: chat.id, title: 'Anna', externalKey: 'telegram:1:2~x', metadata: { channel: 'telegram' }, version: 1 },
		});
		expect(Date.parse(until) - Date.parse(body.createdAt)).toBe(5000);
		expect(ts.typingIn(chat.id)).toEqual([{ userId: olga.id, until }]);

		// only a member types
		const stranger = ts.addUser({ name: 'Stranger' });
		await expect(ts.typeAsUser(chat.id, stranger.id)).rejects.toThrow(/not a member/);
	});
});
