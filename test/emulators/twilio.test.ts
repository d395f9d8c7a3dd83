import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { parseConnectionOverrides, TwilioEmulator, twilioSignature, validateTwilioSignature, type TwilioParams } from './twilio';

/** A tiny receiver that checks X-Twilio-Signature against the URL it believes it is served at. */
async function receiver(authToken: string, publicUrl?: (path: string) => string) {
	const received: Array<{ path: string; params: TwilioParams; valid: boolean; headers: http.IncomingHttpHeaders }> = [];
	const server = http.createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const c of req) chunks.push(c as Buffer);
		const params: TwilioParams = {};
		for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) {
			const prev = params[k];
			params[k] = prev === undefined ? v : ([] as string[]).concat(prev, v);
		}
		const url = publicUrl ? publicUrl(req.url ?? '/') : `http://${req.headers.host}${req.url}`;
		const valid = validateTwilioSignature(authToken, req.headers['x-twilio-signature'] as string | undefined, url, params);
		received.push({ path: req.url ?? '/', params, valid, headers: req.headers });
		if (!valid) {
			res.writeHead(403, { 'content-type': 'text/plain' }).end('bad signature');
			return;
		}
		res.writeHead(200, { 'content-type': 'text/xml' }).end('<Response/>');
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		base,
		received,
		close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
	};
}

describe('twilioSignature', () => {
	// The example from Twilio's security docs ("Validating requests"; twilio-php's validation.rst).
	const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
	it('matches the documented vectors', () => {
		const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
		expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
		const older = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
		expect(twilioSignature('12345', url, older)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
		expect(validateTwilioSignature('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url, params)).toBe(true);
		expect(validateTwilioSignature('12345', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=', url + '&x=1', params)).toBe(false);
		expect(validateTwilioSignature('12345', undefined, url, params)).toBe(false);
	});

	it('signs repeated parameters in sorted order and accepts URLSearchParams', () => {
		const usp = new URLSearchParams([['MediaUrl', 'b'], ['Body', 'x'], ['MediaUrl', 'a']]);
		expect(twilioSignature('t', 'https://h/p', usp)).toBe(twilioSignature('t', 'https://h/p', { Body: 'x', MediaUrl: ['a', 'b'] }));
	});
});

describe('TwilioEmulator', () => {
	let tw: TwilioEmulator;
	beforeEach(async () => {
		tw = await TwilioEmulator.start();
	});
	afterEach(async () => {
		await tw.stop();
	});

	const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

	async function send(params: Record<string, string | string[]>, auth = basic(tw.accountSid, tw.authToken)) {
		const body = new URLSearchParams();
		for (const [k, v] of Object.entries(params)) ([] as string[]).concat(v).forEach((x) => body.append(k, x));
		const res = await fetch(`${tw.accountUrl}/Messages.json`, {
			method: 'POST',
			headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
			body,
		});
		return { status: res.status, headers: res.headers, json: (await res.json()) as any };
	}

	it('authenticates with the auth token or an API key and fetches the account', async () => {
		const none = await fetch(`${tw.accountUrl}.json`);
		expect(none.status).toBe(401);
		expect(none.headers.get('www-authenticate')).toBe('Basic realm="Twilio API"');
		expect(await none.json()).toEqual({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
		const wrong = await fetch(`${tw.accountUrl}.json`, { headers: { authorization: basic(tw.accountSid, 'nope') } });
		expect(wrong.status).toBe(401);

		const byToken = (await (await fetch(`${tw.accountUrl}.json`, { headers: { authorization: basic(tw.accountSid, tw.authToken) } })).json()) as any;
		expect(byToken).toMatchObject({ sid: tw.accountSid, status: 'active', type: 'Full', auth_token: tw.authToken });
		const byKey = await fetch(`${tw.accountUrl}.json`, { headers: { authorization: basic(tw.apiKeySid, tw.apiKeySecret) } });
		expect(byKey.status).toBe(200);
		expect((await byKey.json()) as object).not.toHaveProperty('auth_token');
		const other = await fetch(`${tw.url}/2010-04-01/Accounts/AC${'9'.repeat(32)}.json`, { headers: { authorization: basic(tw.accountSid, tw.authToken) } });
		expect(other.status).toBe(404);
		expect(((await other.json()) as any).code).toBe(20404);
		expect(tw.requests.map((r) => r.auth)).toEqual(['none', 'invalid', 'account', 'apiKey', 'account']);
	});

	it('validates Messages.json parameters with Twilio error codes', async () => {
		tw.touch('whatsapp:+15550001111');
		const ok = { From: tw.whatsappNumber, To: 'whatsapp:+15550001111' };
		const cases: Array<[Record<string, string | string[]>, number]> = [
			[{ From: tw.whatsappNumber, Body: 'x' }, 21604],
			[{ To: ok.To, Body: 'x' }, 21603],
			[{ ...ok }, 21619],
			[{ ...ok, To: '+15550001111', Body: 'x' }, 21910],
			[{ From: '+14155238886', To: '+15550001111', Body: 'x' }, 21211],
			[{ ...ok, To: 'whatsapp:15550001111', Body: 'x' }, 21211],
			[{ ...ok, From: 'whatsapp:+15557770000', Body: 'x' }, 63007],
			[{ ...ok, Body: 'y'.repeat(1601) }, 21617],
			[{ ...ok, MediaUrl: ['https://a.example/1.png', 'https://a.example/2.png'] }, 21620],
			[{ ...ok, ContentVariables: '{"1":"a"}', Body: 'x' }, 21654],
			[{ ...ok, ContentSid: 'HX' + '0'.repeat(32) }, 21655],
			[{ ...ok, Body: 'x', StatusCallback: 'not a url' }, 21609],
		];
		for (const [params, code] of cases) {
			const r = await send(params);
			expect([r.status, r.json.code]).toEqual([400, code]);
		}
		const max = await send({ ...ok, Body: 'y'.repeat(1600), MediaUrl: 'https://a.example/1.png' });
		expect(max.status).toBe(201);
		expect(max.json).toMatchObject({ status: 'queued', num_media: '1', from: tw.whatsappNumber, to: ok.To, direction: 'outbound-api', error_code: null });
		expect(max.json.sid).toMatch(/^MM[0-9a-f]{32}$/);
		expect(max.json.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
		expect(tw.messages).toHaveLength(1);
		const byKey = await send({ ...ok, Body: 'via key' }, basic(tw.apiKeySid, tw.apiKeySecret));
		expect(byKey.status).toBe(201);
	});

	it('fails free-form messages outside the 24-hour window with 63016 (async) but lets templates through', async () => {
		const rx = await receiver(tw.authToken);
		try {
			const user = 'whatsapp:+15550002222';
			const cb = `${rx.base}/status?channel=wa`;
			const r = await send({ From: tw.whatsappNumber, To: user, Body: 'hello?', StatusCallback: cb });
			expect(r.status).toBe(201);
			expect(r.json.status).toBe('queued');
			await tw.whenIdle();
			expect(tw.message(r.json.sid)).toMatchObject({ status: 'failed', errorCode: 63016, insideWindow: false });
			expect(rx.received).toHaveLength(1);
			expect(rx.received[0]).toMatchObject({ path: '/status?channel=wa', valid: true });
			expect(rx.received[0].params).toMatchObject({ MessageSid: r.json.sid, MessageStatus: 'failed', ErrorCode: '63016', To: user });
			const fetched = (await (await fetch(`${tw.accountUrl}/Messages/${r.json.sid}.json`, { headers: { authorization: basic(tw.accountSid, tw.authToken) } })).json()) as any;
			expect(fetched).toMatchObject({ status: 'failed', error_code: 63016 });

			const hx = tw.addTemplate({ body: 'Hi {{1}}, your order {{2}} shipped', variables: { 2: 'N/A' } });
			const t = await send({ From: tw.whatsappNumber, To: user, ContentSid: hx.sid, ContentVariables: JSON.stringify({ 1: 'Ada' }) });
			expect(t.status).toBe(201);
			expect(t.json.body).toBe('Hi Ada, your order N/A shipped');
			expect((await send({ From: tw.whatsappNumber, To: user, ContentSid: hx.sid, ContentVariables: '{"1":""}' })).json.code).toBe(21656);
			expect((await send({ From: tw.whatsappNumber, To: user, ContentSid: hx.sid, ContentVariables: 'nope' })).json.code).toBe(21656);

			const inbound = await tw.sendInbound(`${rx.base}/in`, { From: user, Body: 'hi there' });
			expect(inbound.status).toBe(200);
			const inWindow = await send({ From: tw.whatsappNumber, To: user, Body: 'welcome back' });
			await tw.whenIdle();
			expect(tw.message(inWindow.json.sid)).toMatchObject({ status: 'queued', insideWindow: true });
			tw.advanceTime(24 * 3600 * 1000 + 1);
			const late = await send({ From: tw.whatsappNumber, To: user, Body: 'too late' });
			await tw.whenIdle();
			expect(tw.message(late.json.sid)?.errorCode).toBe(63016);
		} finally {
			await rx.close();
		}
	});

	it('can reject 63016 synchronously', async () => {
		const sync = await TwilioEmulator.start({ windowErrors: 'sync' });
		try {
			const res = await fetch(`${sync.accountUrl}/Messages.json`, {
				method: 'POST',
				headers: { authorization: basic(sync.accountSid, sync.authToken), 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ From: sync.whatsappNumber, To: 'whatsapp:+15550003333', Body: 'x' }),
			});
			expect(res.status).toBe(400);
			expect(((await res.json()) as any).code).toBe(63016);
			expect(sync.messages).toHaveLength(0);
		} finally {
			await sync.stop();
		}
	});

	it('posts signed inbound messages with media, and signs for a public URL behind a proxy', async () => {
		const rx = await receiver(tw.authToken, (p) => `https://n8n.example.com${p}`);
		try {
			const png = Buffer.from('89504e470d0a1a0a', 'hex');
			const direct = await tw.sendInbound(`${rx.base}/webhook/abc`, { From: 'whatsapp:+15550004444', Body: 'pic' });
			expect(direct.status).toBe(403); // signed for the local URL, checked against the public one

			const proxied = await tw.sendInbound(
				`${rx.base}/webhook/abc`,
				{ From: 'whatsapp:+15550004444', Body: 'pic', ProfileName: 'Ada' },
				{ signUrl: 'https://n8n.example.com/webhook/abc', media: [{ bytes: png, contentType: 'image/png' }] },
			);
			expect(proxied).toMatchObject({ status: 200, contentType: 'text/xml', body: '<Response/>' });
			const got = rx.received[1];
			expect(got.valid).toBe(true);
			expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
			expect(got.headers['i-twilio-idempotency-token']).toBeTruthy();
			expect(got.params).toMatchObject({
				From: 'whatsapp:+15550004444',
				To: tw.whatsappNumber,
				WaId: '15550004444',
				ProfileName: 'Ada',
				Body: 'pic',
				NumMedia: '1',
				MediaContentType0: 'image/png',
				AccountSid: tw.accountSid,
				MessageType: 'image',
			});
			expect(got.params.MessageSid).toMatch(/^MM[0-9a-f]{32}$/);

			const forged = await tw.sendInbound(`${rx.base}/webhook/abc`, {}, { signUrl: 'https://n8n.example.com/webhook/abc', forgeSignature: true });
			expect(forged.status).toBe(403);
			expect((await tw.sendInbound(`${rx.base}/webhook/abc`, {}, { omitSignature: true })).signature).toBeNull();

			// Media: Basic auth, then a redirect to the CDN (another origin).
			const mediaUrl = got.params.MediaUrl0 as string;
			expect(mediaUrl.startsWith(`${tw.accountUrl}/Messages/${got.params.MessageSid}/Media/ME`)).toBe(true);
			expect((await fetch(mediaUrl)).status).toBe(401);
			const redirect = await fetch(mediaUrl, { headers: { authorization: basic(tw.accountSid, tw.authToken) }, redirect: 'manual' });
			expect(redirect.status).toBe(307);
			expect(redirect.headers.get('location')?.startsWith(`${tw.cdnUrl}/media/`)).toBe(true);
			const followed = await fetch(mediaUrl, { headers: { authorization: basic(tw.apiKeySid, tw.apiKeySecret) } });
			expect(followed.status).toBe(200);
			expect(followed.headers.get('content-type')).toBe('image/png');
			expect(Buffer.from(await followed.arrayBuffer()).equals(png)).toBe(true);
			const cdnHits = tw.requests.filter((r) => r.server === 'cdn');
			expect(cdnHits).toHaveLength(1);
			expect(cdnHits[0].headers.authorization).toBeUndefined(); // fetch drops it across origins
			expect(tw.windowOpen('whatsapp:+15550004444')).toBe(true);
		} finally {
			await rx.close();
		}
	});

	it('injects faults: 429 with Retry-After, and 500 after accepting', async () => {
		tw.touch('+15550005555');
		const params = { From: tw.whatsappNumber, To: 'whatsapp:+15550005555', Body: 'x' };
		tw.failNext({ status: 429, retryAfter: 2, path: /Messages\.json$/ });
		const limited = await send(params);
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('2');
		expect(limited.json).toEqual({ code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 });
		expect(tw.messages).toHaveLength(0);

		tw.failNext({ status: 500, afterAccepting: true });
		const lost = await send(params);
		expect(lost.status).toBe(500);
		expect(tw.messages).toHaveLength(1); // created even though the client saw an error
		expect((await send(params)).status).toBe(201);
		expect(tw.requests.map((r) => [r.status, r.injected ?? false])).toEqual([
			[429, true],
			[500, true],
			[201, false],
		]);
		expect(tw.requests[2].body).toEqual(params);
	});

	it('sends status callbacks for API messages and fetches outbound media when asked', async () => {
		const fx = await TwilioEmulator.start({ fetchMedia: true, autoStatus: true });
		const rx = await receiver(fx.authToken);
		try {
			fx.touch('whatsapp:+15550006666');
			const post = async (params: Record<string, string>) => {
				const res = await fetch(`${fx.accountUrl}/Messages.json`, {
					method: 'POST',
					headers: { authorization: basic(fx.accountSid, fx.authToken), 'content-type': 'application/x-www-form-urlencoded' },
					body: new URLSearchParams({ From: fx.whatsappNumber, To: 'whatsapp:+15550006666', StatusCallback: `${rx.base}/cb`, ...params }),
				});
				return ((await res.json()) as any).sid as string;
			};
			const broken = await post({ MediaUrl: `${rx.base}/missing.pdf` });
			await fx.whenIdle();
			expect(fx.message(broken)).toMatchObject({ status: 'failed', errorCode: 63019 });
			expect(fx.message(broken)?.fetchedMedia[0]).toMatchObject({ url: `${rx.base}/missing.pdf`, status: 403 });
			expect(rx.received.map((r) => [r.path, r.params.MessageStatus])).toEqual([
				['/missing.pdf', undefined], // the emulator fetching the media (the receiver refuses unsigned GETs)
				['/cb', 'failed'],
			]);

			const fine = await post({ Body: 'hello' });
			await fx.whenIdle();
			expect(fx.message(fine)?.statusHistory).toEqual(['queued', 'sent', 'delivered']);
			expect(rx.received.slice(2).map((r) => [r.params.MessageSid, r.params.MessageStatus, r.valid])).toEqual([
				[fine, 'sent', true],
				[fine, 'delivered', true],
			]);

			const manual = await fx.sendStatus(`${rx.base}/cb`, { MessageSid: fine, MessageStatus: 'read' });
			expect(manual.status).toBe(200);
			expect(rx.received.at(-1)?.params).toMatchObject({ MessageStatus: 'read', EventType: 'READ', ChannelPrefix: 'whatsapp' });
			expect(fx.message(fine)?.status).toBe('read');
			const viaSet = await fx.setStatus(fine, 'failed', { errorCode: 63024 });
			expect(viaSet?.params).toMatchObject({ MessageStatus: 'failed', ErrorCode: '63024' });
			expect(fx.deliveries.map((d) => d.kind)).toEqual(['status', 'status', 'status', 'status', 'status']);
		} finally {
			await rx.close();
			await fx.stop();
		}
	});
});

describe('connection overrides (webhook retries)', () => {
	/** A receiver answering each request with the next status of `script` (then 200). */
	async function scripted(script: number[]) {
		const seen: Array<{ token: string | undefined; signature: string | undefined }> = [];
		const server = http.createServer((req, res) => {
			req.resume();
			req.on('end', () => {
				seen.push({ token: req.headers['i-twilio-idempotency-token'] as string | undefined, signature: req.headers['x-twilio-signature'] as string | undefined });
				const next = script.shift() ?? 200;
				res.writeHead(next, { 'content-type': 'text/plain' }).end(String(next));
			});
		});
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		return { base, seen, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
	}

	let tw: TwilioEmulator;
	afterEach(async () => {
		await tw?.stop();
	});

	it('parses the fragment with Twilio’s defaults and limits', () => {
		expect(parseConnectionOverrides('https://h/p')).toMatchObject({ ct: 5000, rt: 15000, tt: 15000, rc: 1 });
		expect([...parseConnectionOverrides('https://h/p').rp]).toEqual(['ct']);
		const all = parseConnectionOverrides('https://h/p?x=1#ct=2000&rt=5000&tt=15000&rc=5&rp=all');
		expect(all).toMatchObject({ ct: 2000, rt: 5000, tt: 15000, rc: 5 });
		expect([...all.rp].sort()).toEqual(['4xx', '5xx', 'ct', 'rt']);
		expect(parseConnectionOverrides('https://h/p#rc=9&tt=99999&rp=5xx,rt')).toMatchObject({ rc: 5, tt: 15000 });
		expect([...parseConnectionOverrides('https://h/p#rp=5xx,rt').rp]).toEqual(['5xx', 'rt']);
	});

	it('retries what rp names, up to rc times, with the same idempotency token and signature; never the fragment on the wire', async () => {
		tw = await TwilioEmulator.start({ connectionOverrides: true });
		const rx = await scripted([503, 404, 200]);
		try {
			const result = await tw.sendInbound(`${rx.base}/hook#rc=5&rp=all`, { Body: 'hi' });
			expect(result.status).toBe(200);
			expect(result.attempts?.map((a) => [a.status, a.failure])).toEqual([
				[503, '5xx'],
				[404, '4xx'],
				[200, undefined],
			]);
			expect(rx.seen).toHaveLength(3);
			expect(new Set(rx.seen.map((r) => r.token)).size).toBe(1);
			expect(new Set(rx.seen.map((r) => r.signature)).size).toBe(1);
			expect(tw.deliveries).toHaveLength(1);
		} finally {
			await rx.close();
		}
	});

	it('stops at rc, and retries only the failures rp names (default: a failed connection, once)', async () => {
		tw = await TwilioEmulator.start({ connectionOverrides: true });
		const rx = await scripted([500, 500, 500, 404, 502]);
		try {
			const capped = await tw.sendInbound(`${rx.base}/a#rc=2&rp=5xx`, { Body: 'x' });
			expect(capped.attempts?.map((a) => a.status)).toEqual([500, 500, 500]);
			expect(capped.status).toBe(500);
			const fourxx = await tw.sendInbound(`${rx.base}/b#rc=5&rp=5xx`, { Body: 'x' });
			expect(fourxx.attempts?.map((a) => a.status)).toEqual([404]); // rp does not name 4xx
			const plain = await tw.sendInbound(`${rx.base}/c`, { Body: 'x' });
			expect(plain.attempts?.map((a) => a.status)).toEqual([502]); // default rp=ct: a 5xx is not retried
			expect(rx.seen).toHaveLength(5);
		} finally {
			await rx.close();
		}
		const refused = await tw.sendInbound(`${rx.base}/e`, { Body: 'x' });
		expect(refused.attempts?.map((a) => a.failure)).toEqual(['ct', 'ct']); // default rc=1 retry
	});

	it('calls beforeRetry between attempts, so a receiver can come back in between', async () => {
		tw = await TwilioEmulator.start({ connectionOverrides: true });
		const down = await scripted([]);
		const port = Number(new URL(down.base).port);
		await down.close(); // nothing listens on the port now: connections are refused
		let server: http.Server | undefined;
		const retries: Array<[number, string | undefined]> = [];
		tw.beforeRetry = async (failed, _url, attempt) => {
			retries.push([attempt, failed.failure]);
			if (attempt === 2) {
				server = http.createServer((req, res) => (req.resume(), req.on('end', () => res.writeHead(200).end('ok'))));
				server.listen(port, '127.0.0.1');
				await once(server, 'listening');
			}
		};
		try {
			const result = await tw.sendInbound(`http://127.0.0.1:${port}/hook#rc=5&rp=ct`, { Body: 'x' });
			expect(result.attempts?.map((a) => a.status)).toEqual([0, 0, 200]);
			expect(retries).toEqual([
				[1, 'ct'],
				[2, 'ct'],
			]);
		} finally {
			await new Promise<void>((r) => (server ? (server.closeAllConnections(), server.close(() => r())) : r()));
		}
	});

	it('signs the URL with its fragment by default, without it with signFragment: false; off by default (one attempt)', async () => {
		tw = await TwilioEmulator.start({ signFragment: false });
		const rx = await scripted([503]);
		try {
			const url = `${rx.base}/hook#rc=5&rp=all`;
			const r = await tw.sendInbound(url, { Body: 'x' });
			expect(r.attempts).toBeUndefined();
			expect(r.status).toBe(503);
			expect(validateTwilioSignature(tw.authToken, r.signature ?? undefined, `${rx.base}/hook`, r.params)).toBe(true);
			const other = await TwilioEmulator.start();
			try {
				const s = await other.sendInbound(url, { Body: 'x' });
				expect(validateTwilioSignature(other.authToken, s.signature ?? undefined, url, s.params)).toBe(true);
				expect(validateTwilioSignature(other.authToken, s.signature ?? undefined, `${rx.base}/hook`, s.params)).toBe(false);
			} finally {
				await other.stop();
			}
		} finally {
			await rx.close();
		}
	});

	it('inboundWebhookUrl: the number’s SmsUrl, or the Messaging Service’s URL when it does not defer to the number', async () => {
		tw = await TwilioEmulator.start();
		expect(() => tw.inboundWebhookUrl()).toThrow('no webhook URL');
		const [number] = [...tw.phoneNumbers.values()];
		number.sms_url = 'https://n8n.example.com/webhook/x/webhook#rc=5';
		expect(tw.inboundWebhookUrl()).toBe('https://n8n.example.com/webhook/x/webhook#rc=5');
		const service = tw.services.get(tw.messagingServiceSid)!;
		service.inbound_request_url = 'https://svc.example.com/in';
		expect(tw.inboundWebhookUrl()).toBe('https://n8n.example.com/webhook/x/webhook#rc=5');
		service.use_inbound_webhook_on_number = false;
		expect(tw.inboundWebhookUrl()).toBe('https://svc.example.com/in');
	});
});
