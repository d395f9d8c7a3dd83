import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
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
		expect(await none.json()).toEqual({ error: { code: 'unauthorized', message: 'Invalid API key' } });

		const wrong = await api('GET', '/me', undefined, { authorization: 'Bearer nope' });
		expect(wrong.status).toBe(401);

		const me = await api('GET', '/me');
		expect(me.status).toBe(200);
		expect(me.json).toEqual({ id: ts.bot.id, name: ts.bot.name, username: ts.bot.username, isBot: true });
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
		const second = await api('GET', `/chats/${chat.id}/messages?cursor=${first.json.nextCursor}&limit=100`);
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
		expect(meta).toMatchObject({ name: 'report Q3.pdf', mimeType: 'application/pdf', size: bytes.length });
		expect(meta.id).toMatch(/^f_/);
		expect(ts.files.get(meta.id)?.sha256).toBe(sha256(bytes));
		const recorded = ts.requests.at(-1)?.body as { fields: Record<string, string>; file: RecordedUpload };
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
		const content = Buffer.concat([randomBytes(200_000), Buffer.from(`\r\n--${boundary.slice(0, 8)}`), randomBytes(1000)]);
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
		expect((await api('POST', `/chats/${chat.id}/messages`, { text: 'x', format: 'html' })).status).toBe(400);
		expect((await api('POST', `/chats/${chat.id}/messages`, { text: 'x', fileIds: ['f_nope'] })).status).toBe(404);
		const missing = await api('GET', '/chats/c_x/messages');
		expect(missing.status).toBe(404);
		expect(missing.json).toEqual({ error: { code: 'not_found', message: "Chat 'c_x' not found" } });
		expect((await api('GET', `/chats/${chat.id}/messages/m_nope`)).status).toBe(404);
		expect((await api('PUT', '/me/status', { status: 'sleeping' })).status).toBe(400);
		expect((await api('PUT', '/me/status', { status: 'busy', until: 'tomorrow' })).status).toBe(400);
		const ok = await api('PUT', '/me/status', { status: 'busy', text: 'In a meeting', until: '2030-01-01T10:00:00+02:00' });
		expect(ok.json).toEqual({ status: 'busy', text: 'In a meeting', until: '2030-01-01T08:00:00.000Z' });
		expect((await api('GET', `/users/${ts.bot.id}/status`)).json).toEqual(ok.json);

		const edited = await api('POST', `/chats/${chat.id}/messages`, { text: 'v1' });
		const patched = await api('PATCH', `/chats/${chat.id}/messages/${edited.json.id}`, { text: 'v2' });
		expect(patched.json).toMatchObject({ text: 'v2', editedAt: expect.any(String) });
		expect((await api('DELETE', `/chats/${chat.id}/messages/${edited.json.id}`)).status).toBe(204);
	});

	it('sends direct messages into one reused direct chat, and accepts incoming hooks', async () => {
		const alice = ts.addUser({ name: 'Alice' });
		const m1 = await api('POST', `/users/${alice.id}/messages`, { text: 'hi' });
		const m2 = await api('POST', `/users/${alice.id}/messages`, { text: 'again' });
		expect(m1.status).toBe(201);
		expect(m2.json.chatId).toBe(m1.json.chatId);
		expect(ts.chats.get(m1.json.chatId)).toMatchObject({ type: 'direct', memberIds: [ts.bot.id, alice.id] });

		const hook = ts.addIncomingHook();
		const res = await fetch(hook.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ text: 'build failed', username: 'CI', attachments: [{ title: 'log', url: 'https://ci/1' }] }),
		});
		expect(res.status).toBe(200);
		const out = (await res.json()) as { ok: boolean; messageId: string };
		expect(out.ok).toBe(true);
		expect(ts.messagesIn(hook.chatId).map((m: Message) => m.id)).toEqual([out.messageId]);
		expect(ts.hookMessages[0]).toMatchObject({ username: 'CI', attachments: [{ title: 'log', url: 'https://ci/1' }] });
		expect((await fetch(`${ts.url}/hooks/nope`, { method: 'POST', body: '{}' })).status).toBe(404);
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
		const parser = new MultipartParser('b', () => ({ write: () => undefined, end: () => undefined }));
		await parser.write(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nabc'));
		await expect(parser.end()).rejects.toThrow('Unexpected end');
	});
});
