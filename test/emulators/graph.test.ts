import { createHash, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { appSecretProof, GraphEmulator, hubSignature, metaJson } from './graph';

/** A tiny Messenger webhook: the verification handshake and signature checks over the raw body. */
async function receiver(appSecret: string, verifyToken: string) {
	const received: Array<{ raw: string; valid: boolean; body: any }> = [];
	const server = http.createServer(async (req, res) => {
		const url = new URL(req.url ?? '/', 'http://x');
		if (req.method === 'GET') {
			const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === verifyToken;
			res.writeHead(ok ? 200 : 403, { 'content-type': 'text/plain' }).end(ok ? url.searchParams.get('hub.challenge') : 'forbidden');
			return;
		}
		const chunks: Buffer[] = [];
		for await (const c of req) chunks.push(c as Buffer);
		const raw = Buffer.concat(chunks);
		const expected = Buffer.from(hubSignature(appSecret, raw));
		const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
		const valid = given.length === expected.length && timingSafeEqual(given, expected);
		received.push({ raw: raw.toString('utf8'), valid, body: JSON.parse(raw.toString('utf8')) });
		res.writeHead(valid ? 200 : 403, { 'content-type': 'text/plain' }).end(valid ? 'EVENT_RECEIVED' : 'bad signature');
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
		received,
		close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
	};
}

describe('hubSignature', () => {
	it('matches the documented X-Hub-Signature-256 vector', () => {
		// GitHub's "Validating webhook deliveries" example: the same sha256=HMAC-hex scheme Meta uses.
		expect(hubSignature("It's a Secret to Everybody", 'Hello, World!')).toBe(
			'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
		);
	});

	it('escapes like Meta', () => {
		expect(metaJson({ text: 'äöå 👍', url: 'https://x/y' })).toBe('{"text":"\\u00e4\\u00f6\\u00e5 \\ud83d\\udc4d","url":"https:\\/\\/x\\/y"}');
		expect(JSON.parse(metaJson({ text: 'äöå 👍' }))).toEqual({ text: 'äöå 👍' });
	});
});

describe('GraphEmulator', () => {
	let fb: GraphEmulator;
	beforeEach(async () => {
		fb = await GraphEmulator.start();
	});
	afterEach(async () => {
		await fb.stop();
	});

	const auth = () => `access_token=${fb.pageAccessToken}&appsecret_proof=${fb.proof}`;

	async function api(method: string, path: string, body?: unknown, query = auth()) {
		const res = await fetch(`${fb.baseUrl}${path}${query ? (path.includes('?') ? '&' : '?') + query : ''}`, {
			method,
			headers: body !== undefined ? { 'content-type': 'application/json' } : {},
			body: body !== undefined ? JSON.stringify(body) : undefined,
		});
		return { status: res.status, headers: res.headers, json: (await res.json()) as any };
	}

	it('checks the access token and appsecret_proof, and answers /me', async () => {
		const none = await api('GET', '/me', undefined, '');
		expect([none.status, none.json.error.code]).toEqual([400, 2500]);
		const missing = await api('POST', `/${fb.pageId}/messages`, {}, '');
		expect(missing.json.error).toMatchObject({ code: 104, type: 'OAuthException' });
		expect(missing.json.error.fbtrace_id).toBeTruthy();
		const wrong = await api('GET', '/me', undefined, 'access_token=nope');
		expect(wrong.json.error).toMatchObject({ code: 190, type: 'OAuthException' });
		expect(wrong.headers.get('www-authenticate')).toMatch(/^OAuth "Facebook Platform" "invalid_token"/);
		const noProof = await api('GET', '/me', undefined, `access_token=${fb.pageAccessToken}`);
		expect(noProof.json.error).toEqual(expect.objectContaining({ code: 100, type: 'GraphMethodException', message: 'API calls from the server require an appsecret_proof argument' }));
		const badProof = await api('GET', '/me', undefined, `access_token=${fb.pageAccessToken}&appsecret_proof=${'0'.repeat(64)}`);
		expect(badProof.json.error.message).toBe('Invalid appsecret_proof provided in the API argument');

		expect(fb.proof).toBe(appSecretProof(fb.appSecret, fb.pageAccessToken));
		const me = await api('GET', '/me');
		expect(me).toMatchObject({ status: 200, json: { id: fb.pageId, name: fb.pageName } });
		const bearer = await fetch(`${fb.baseUrl}/me?fields=id,name,category&appsecret_proof=${fb.proof}`, { headers: { authorization: `Bearer ${fb.pageAccessToken}` } });
		expect((await bearer.json()) as object).toEqual({ id: fb.pageId, name: fb.pageName, category: 'Software' });
		expect((await api('GET', '/me?fields=bogus')).json.error.code).toBe(100);

		fb.expireToken();
		expect((await api('GET', '/me')).json.error).toMatchObject({ code: 190, error_subcode: 463 });
		fb.restoreToken();
		expect(fb.requests.map((r) => `${r.token}/${r.proof}`).slice(0, 6)).toEqual([
			'missing/n/a',
			'missing/n/a',
			'invalid/n/a',
			'valid/missing',
			'valid/invalid',
			'valid/valid',
		]);
		expect(fb.requests[0].version).toBe(fb.version);

		const user = fb.addUser({ first_name: 'Ada', last_name: 'Lovelace' });
		expect((await api('GET', `/${user.id}?fields=first_name,last_name,profile_pic`)).json).toMatchObject({ id: user.id, first_name: 'Ada', last_name: 'Lovelace' });
	});

	it('answers the User Profile API for seeded PSIDs, and refuses hidden or unknown ones', async () => {
		const ada = fb.addUser({ first_name: 'Ada', last_name: 'Lovelace' });
		const profile = await api('GET', `/${ada.id}?fields=first_name,last_name,name`);
		expect(profile).toMatchObject({ status: 200, json: { id: ada.id, first_name: 'Ada', last_name: 'Lovelace', name: 'Ada Lovelace' } });
		expect(Object.keys(profile.json).sort()).toEqual(['first_name', 'id', 'last_name', 'name']);

		const unknown = await api('GET', '/7999999999999999?fields=first_name,last_name,name');
		expect([unknown.status, unknown.json.error.code, unknown.json.error.error_subcode]).toEqual([400, 100, 33]);
		// a person first seen in an event can be messaged, but has no profile until seeded
		fb.messageEvent('7888888888888888', { text: 'hi' });
		expect(fb.users.has('7888888888888888')).toBe(true);
		expect((await api('GET', '/7888888888888888?fields=name')).json.error).toMatchObject({ code: 100, error_subcode: 33 });
		fb.addUser({ id: '7888888888888888', first_name: 'Grace', last_name: 'Hopper' });
		expect((await api('GET', '/7888888888888888?fields=name')).json).toEqual({ id: '7888888888888888', name: 'Grace Hopper' });

		fb.hideProfile(ada.id);
		const hidden = await api('GET', `/${ada.id}?fields=name`);
		expect([hidden.status, hidden.json.error.code, hidden.json.error.error_subcode]).toEqual([400, 100, 33]);
		fb.touch(ada.id);
		expect((await api('POST', '/me/messages', { recipient: { id: ada.id }, messaging_type: 'RESPONSE', message: { text: 'still reachable' } })).status).toBe(200);

		fb.hideProfile(ada.id, { status: 500 });
		expect((await api('GET', `/${ada.id}?fields=name`)).status).toBe(500);
		fb.hideProfile(ada.id, { status: 403, error: { code: 200, message: '(#200) Missing permission' } });
		expect((await api('GET', `/${ada.id}?fields=name`)).json.error).toMatchObject({ code: 200, message: '(#200) Missing permission' });
		fb.showProfile(ada.id);
		expect((await api('GET', `/${ada.id}?fields=name`)).json).toEqual({ name: 'Ada Lovelace', id: ada.id });

		fb.hideProfile(ada.id, 'hang');
		const before = fb.profileLookups(ada.id).length;
		let answer: number | string = 'pending';
		const hung = fetch(`${fb.baseUrl}/${ada.id}?fields=name&${auth()}`).then(
			(r) => (answer = r.status),
			() => (answer = 'no answer'),
		);
		while (fb.profileLookups(ada.id).length === before) await new Promise((r) => setTimeout(r, 10));
		expect((await api('GET', '/me')).status).toBe(200); // a later request is answered meanwhile
		expect(answer).toBe('pending');
		await fb.stop();
		await hung;
		expect(answer).toBe('no answer');
		fb = await GraphEmulator.start(); // for afterEach
	});

	it('counts profile lookups per PSID', async () => {
		const a = fb.addUser();
		const b = fb.addUser();
		await api('GET', `/${a.id}?fields=name`);
		await api('GET', `/${a.id}?fields=name`);
		await api('GET', `/${b.id}?fields=name`);
		await api('GET', '/me');
		await api('GET', `/${fb.pageId}`);
		expect([fb.profileLookups(a.id).length, fb.profileLookups(b.id).length, fb.profileLookups().length]).toEqual([2, 1, 3]);
	});

	it('enforces the 24-hour window (code 10 / 2018278) with HUMAN_AGENT up to 7 days', async () => {
		const user = fb.addUser();
		const text = (messaging_type: string, extra: object = {}) =>
			api('POST', '/me/messages', { recipient: { id: user.id }, messaging_type, message: { text: 'hello' }, ...extra });

		const never = await text('RESPONSE');
		expect(never.json.error).toMatchObject({ code: 10, error_subcode: 2018278, type: 'OAuthException' });
		expect(never.json.error.message).toMatch(/outside of allowed window/);

		fb.touch(user.id);
		const ok = await text('RESPONSE');
		expect(ok.status).toBe(200);
		expect(ok.json).toEqual({ recipient_id: user.id, message_id: expect.stringMatching(/^m_/) });
		expect((await api('POST', `/${fb.pageId}/messages`, { recipient: { id: user.id }, sender_action: 'typing_on' })).json).toEqual({ recipient_id: user.id });

		fb.advanceTime(25 * 3600 * 1000);
		expect((await text('UPDATE')).json.error.error_subcode).toBe(2018278);
		expect((await api('POST', '/me/messages', { recipient: { id: user.id }, sender_action: 'mark_seen' })).json.error.code).toBe(10);
		const agent = await text('MESSAGE_TAG', { tag: 'HUMAN_AGENT' });
		expect(agent.status).toBe(200);
		fb.advanceTime(6 * 24 * 3600 * 1000);
		expect((await text('MESSAGE_TAG', { tag: 'HUMAN_AGENT' })).json.error.error_subcode).toBe(2018278);
		expect(fb.messages.map((m) => m.allowedBy)).toEqual(['window', 'human_agent']);
		expect(fb.senderActions).toHaveLength(1);
	});

	it('validates Send API payloads', async () => {
		const user = fb.addUser();
		fb.touch(user.id);
		const send = (body: object) => api('POST', '/me/messages', { recipient: { id: user.id }, messaging_type: 'RESPONSE', ...body });
		const bad: object[] = [
			{ message: { text: 'x'.repeat(2001) } },
			{ message: { text: '' } },
			{ message: { text: 'a', attachment: { type: 'image', payload: { url: 'https://x/y.png' } } } },
			{ message: {} },
			{ message: { text: 'pick', quick_replies: Array.from({ length: 14 }, (_, i) => ({ content_type: 'text', title: `o${i}`, payload: `p${i}` })) } },
			{ message: { text: 'pick', quick_replies: [{ content_type: 'text', title: 'no payload' }] } },
			{ message: { attachment: { type: 'sticker', payload: { url: 'https://x/y.png' } } } },
			{ message: { attachment: { type: 'template', payload: { template_type: 'button', text: 't', buttons: [] } } } },
			{ messaging_type: 'MESSAGE_TAG', message: { text: 'x' } },
			{ messaging_type: 'MESSAGE_TAG', tag: 'NOT_A_TAG', message: { text: 'x' } },
			{ messaging_type: undefined, message: { text: 'x' } },
			{ message: { text: 'x' }, sender_action: 'typing_on' },
		];
		for (const body of bad) {
			const r = await send(body);
			expect([r.status, r.json.error?.code]).toEqual([400, 100]);
		}
		const stranger = await api('POST', '/me/messages', { recipient: { id: '999' }, messaging_type: 'RESPONSE', message: { text: 'x' } });
		expect(stranger.json.error).toMatchObject({ code: 100, error_subcode: 2018001 });

		const good = await send({
			message: { text: 'y'.repeat(2000), quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'YES' }] },
		});
		expect(good.status).toBe(200);
		const buttons = await send({
			message: { attachment: { type: 'template', payload: { template_type: 'button', text: 'Open', buttons: [{ type: 'web_url', title: 'Site', url: 'https://example.com' }] } } },
		});
		expect(buttons.status).toBe(200);
		const form = await fetch(`${fb.baseUrl}/me/messages?${auth()}`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ recipient: JSON.stringify({ id: user.id }), messaging_type: 'RESPONSE', message: JSON.stringify({ text: 'form' }) }),
		});
		expect(form.status).toBe(200);
		expect(fb.messagesTo(user.id).map((m) => m.text?.slice(0, 4) ?? null)).toEqual(['yyyy', null, 'form']);
	});

	it('accepts multipart uploads (message + filedata), saves reusable attachments and checks the type', async () => {
		const user = fb.addUser();
		fb.touch(user.id);
		const png = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(70_000, 1)]);
		const multipart = (type: string, blob: Blob, name: string) => {
			const form = new FormData();
			form.append('recipient', JSON.stringify({ id: user.id }));
			form.append('messaging_type', 'RESPONSE');
			form.append('message', JSON.stringify({ attachment: { type, payload: { is_reusable: true } } }));
			form.append('filedata', blob, name);
			return fetch(`${fb.baseUrl}/me/messages?${auth()}`, { method: 'POST', body: form });
		};
		const res = await multipart('image', new Blob([png], { type: 'image/png' }), 'chart.png');
		const json = (await res.json()) as any;
		expect(res.status).toBe(200);
		expect(json).toEqual({ recipient_id: user.id, message_id: expect.any(String), attachment_id: expect.stringMatching(/^\d+$/) });
		const sent = fb.messages[0];
		expect(sent.upload).toEqual({
			fieldName: 'filedata',
			filename: 'chart.png',
			contentType: 'image/png',
			size: png.length,
			sha256: createHash('sha256').update(png).digest('hex'),
		});
		expect(fb.savedAttachments.get(json.attachment_id)?.bytes?.equals(png)).toBe(true);
		expect((fb.requests[0].body as any).fields).toMatchObject({ messaging_type: 'RESPONSE' });

		const mismatch = await multipart('image', new Blob(['plain'], { type: 'text/plain' }), 'a.txt');
		expect(((await mismatch.json()) as any).error).toMatchObject({ code: 100, error_subcode: 2018047 });
		const reuse = await api('POST', '/me/messages', {
			recipient: { id: user.id },
			messaging_type: 'RESPONSE',
			message: { attachment: { type: 'image', payload: { attachment_id: json.attachment_id } } },
		});
		expect(reuse.status).toBe(200);
		const upload = await api('POST', '/me/message_attachments', { message: { attachment: { type: 'file', payload: { url: 'https://example.com/a.pdf' } } } });
		expect(upload.json).toEqual({ attachment_id: expect.any(String) });
	});

	it('manages subscribed_apps', async () => {
		expect((await api('GET', `/${fb.pageId}/subscribed_apps`)).json).toEqual({ data: [] });
		const post = await api('POST', `/${fb.pageId}/subscribed_apps?subscribed_fields=messages,messaging_postbacks,message_echoes`);
		expect(post.json).toEqual({ success: true });
		const got = await api('GET', `/me/subscribed_apps`);
		expect(got.json.data).toEqual([expect.objectContaining({ id: fb.appId, subscribed_fields: ['messages', 'messaging_postbacks', 'message_echoes'] })]);
		expect((await api('POST', `/${fb.pageId}/subscribed_apps?subscribed_fields=nope`)).json.error.code).toBe(100);
		expect((await api('DELETE', `/${fb.pageId}/subscribed_apps`)).json).toEqual({ success: true });
		expect(fb.subscribedFields).toBeNull();
	});

	it('injects Graph rate-limit and transient errors', async () => {
		fb.failNext({ rateLimit: 613, path: /\/messages$/, regainMinutes: 3 });
		const user = fb.addUser();
		fb.touch(user.id);
		const body = { recipient: { id: user.id }, messaging_type: 'RESPONSE', message: { text: 'x' } };
		const limited = await api('POST', '/me/messages', body);
		expect(limited.status).toBe(400);
		expect(limited.json.error).toMatchObject({ code: 613, is_transient: true, message: '(#613) Calls to this api have exceeded the rate limit.' });
		expect(JSON.parse(limited.headers.get('x-business-use-case-usage') as string)[fb.pageId][0].estimated_time_to_regain_access).toBe(3);
		fb.failNext({ rateLimit: 4 });
		expect((await api('POST', '/me/messages', body)).headers.get('x-app-usage')).toContain('call_count');
		fb.failNext({ status: 503, afterAccepting: true });
		const lost = await api('POST', '/me/messages', body);
		expect([lost.status, lost.json.error.code, lost.json.error.is_transient]).toEqual([503, 2, true]);
		expect(fb.messages).toHaveLength(1); // accepted before the error
		expect((await api('POST', '/me/messages', body)).status).toBe(200);
		expect(fb.requests.map((r) => r.injected ?? false)).toEqual([true, true, true, false]);
	});

	it('verifies and delivers signed webhook batches to a local receiver', async () => {
		const rx = await receiver(fb.appSecret, fb.verifyToken);
		try {
			const handshake = await fb.verify(rx.url);
			expect(handshake).toMatchObject({ ok: true, status: 200 });
			expect(handshake.body).toBe(handshake.challenge);
			expect((await fb.verify(rx.url, { token: 'wrong' })).ok).toBe(false);

			const user = fb.addUser({ first_name: 'Zoë' });
			const jpg = Buffer.from('ffd8ffe000104a464946', 'hex');
			const msg = fb.messageEvent(user.id, { text: 'Grüße / hello', attachments: [{ type: 'image', bytes: jpg, contentType: 'image/jpeg' }] });
			const result = await fb.deliver(rx.url, [
				msg,
				fb.postbackEvent(user.id, { title: 'Yes', payload: 'YES' }),
				fb.echoEvent(user.id, { text: 'echo' }),
				fb.deliveryEvent(user.id, { mids: ['m_1'] }),
				fb.readEvent(user.id),
			]);
			expect(result).toMatchObject({ status: 200, body: 'EVENT_RECEIVED' });
			const got = rx.received[0];
			expect(got.valid).toBe(true);
			expect(got.raw).toContain('Gr\\u00fc\\u00dfe \\/ hello');
			expect(got.body.object).toBe('page');
			expect(got.body.entry).toHaveLength(5);
			expect(got.body.entry.map((e: any) => Object.keys(e.messaging[0]).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k))[0])).toEqual([
				'message',
				'postback',
				'message',
				'delivery',
				'read',
			]);
			expect(got.body.entry[2].messaging[0]).toMatchObject({ sender: { id: fb.pageId }, message: { is_echo: true } });
			expect(fb.lastInbound.has(user.id)).toBe(true);

			const attUrl = got.body.entry[0].messaging[0].message.attachments[0].payload.url as string;
			const download = await fetch(attUrl);
			expect(download.headers.get('content-type')).toBe('image/jpeg');
			expect(Buffer.from(await download.arrayBuffer()).equals(jpg)).toBe(true);
			fb.advanceTime(4 * 24 * 3600 * 1000);
			expect((await fetch(attUrl)).status).toBe(403); // the signed CDN link expired

			const forged = await fb.deliver(rx.url, [fb.messageEvent(user.id, { text: 'x' })], { forgeSignature: true });
			expect(forged.status).toBe(403);
			const otherSecret = await fb.deliver(rx.url, [fb.messageEvent(user.id, { text: 'x' })], { appSecret: 'not-the-secret' });
			expect(otherSecret.status).toBe(403);
			expect(fb.deliveries.map((d) => [d.kind, d.status])).toEqual([
				['verify', 200],
				['verify', 403],
				['deliver', 200],
				['deliver', 403],
				['deliver', 403],
			]);
		} finally {
			await rx.close();
		}
	});
});
