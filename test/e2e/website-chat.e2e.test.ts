/**
 * @jest-environment ./test/editor/environment.js
 */
/**
 * End to end in a real n8n (`n8n start`, the packed package installed as a community package) and
 * a real browser (Debian's Chromium through puppeteer-core): the Website chat (README "Website
 * chat"). examples/website-conversations.json is imported as a user imports it, the operator
 * picked, the company's site in Allowed Origins, and published. The company's site is another
 * origin (`http://localhost:<port>`; n8n is `http://127.0.0.1:<port>`) whose page embeds the
 * widget with the one script tag.
 *
 * A visitor opens the page, writes and sends a file; the operator answers in TeamSpirit (the
 * emulator delivers to the TeamSpirit Trigger → Send to Customer); the visitor sees the answer
 * and its file; typing shows both ways; a reload keeps the history; a second visitor sees none of
 * it and is refused the first one's file (403); forged, re-signed and expired tokens are refused
 * (401); a page on an origin not allowed is refused (403); n8n restarts while the visitor waits
 * and nothing is lost or doubled; outside the business hours the widget says so and still takes
 * the message.
 *
 * Every check is on what the visitor's browser shows or what TeamSpirit (the operator) holds.
 * `TS_EDITOR_SCREENSHOTS=docs/images bash scripts/e2e.sh test/e2e/website-chat.e2e.test.ts` also
 * writes docs/images/website-chat-desktop.png and website-chat-phone.png.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Chat, Message, TeamSpiritEmulator, User } from '../emulators/teamspirit';
import { waitUntil } from './conversation-view';
import {
	createN8nHome,
	formatTimings,
	importCredentials,
	importWorkflows,
	installPackageTarball,
	N8nEditor,
	startN8n,
	timings,
	type N8nHome,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';
import { launchVisitors, PARTS, type Visitor, type Visitors } from './website-browser';
import {
	SESSION_SECRET,
	seedQueue,
	setQueueHours,
	startHostSite,
	startWebsiteEmulators,
	websiteCredentials,
	websiteExample,
	websiteWebhookIds,
	widgetApi,
	widgetUrl,
	type HostSite,
	type WebsiteEmulators,
} from './website-setup';

const tarball = process.env.TS_PACKAGE_TARBALL;
/** Set by `TS_EDITOR_SCREENSHOTS=docs/images bash scripts/e2e.sh …`: where the README's pictures go. */
const SHOTS = process.env.TS_EDITOR_SCREENSHOTS;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The trigger's Business Hours Queue: open around the test's clock, closed while n8n restarts. */
const QUEUE = 'Website';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const b64url = (b: Buffer) => b.toString('base64url');

/** A session token as the brief defines it, signed with `secret`. */
function signToken(visitorId: string, issuedAt: number, secret: string): string {
	const iat = issuedAt.toString(36);
	const sig = createHmac('sha256', secret).update(`n8n-nodes-teamspirit website session\n${visitorId}\n${iat}`).digest();
	return `v1.${visitorId}.${iat}.${b64url(sig)}`;
}
const visitorIdOf = (token: string) => token.split('.')[1];

describe('Website chat: a visitor in Chromium ⇄ an operator in TeamSpirit, in a real n8n', () => {
	let home: N8nHome;
	let n8n: RunningN8n | undefined;
	let port: number;
	let emulators: WebsiteEmulators;
	let ts: TeamSpiritEmulator;
	let operator: User;
	let site: HostSite;
	let visitors: Visitors;
	let workflow: WorkflowJson;
	let webhookId: string;
	let queueChatId: string;
	const editor = new N8nEditor(() => n8n!.url);
	const started = Date.now();
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'website-e2e-files-'));

	const showN8n = () => `--- n8n output ---\n${n8n?.output().slice(-5000) ?? '(n8n is not running)'}`;
	const showTeamSpirit = () =>
		`--- TeamSpirit saw (last 40) ---\n${ts.requests
			.slice(-40)
			.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)} ${r.status}`)
			.join('\n')}`;
	const diagnostics = () => `${showTeamSpirit()}\n${showN8n()}`;
	const waitFor = <T>(what: string, probe: () => T | undefined | false | null, timeoutMs = 45_000) =>
		waitUntil(what, probe, timeoutMs, diagnostics);
	/** Like waitFor, for a probe that has to ask the browser. */
	async function eventually<T>(what: string, probe: () => Promise<T | undefined | false | null>, timeoutMs = 45_000): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const value = await probe();
			if (value) return value;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	/** The widget's base URL (`<n8n>/webhook/<id>`) and the script the page embeds. */
	const base = () => widgetUrl(n8n!.url, webhookId, '').replace(/\/$/, '');
	const scriptUrl = () => widgetUrl(n8n!.url, webhookId);
	const api = (method: 'GET' | 'POST', route: string, opts: Parameters<typeof widgetApi>[3] = {}) =>
		widgetApi(base(), method, route, { origin: site.origin, ...opts });

	/** The operators' conversation chat of a visitor (the bridge's; found as the typing endpoint finds it). */
	const conversationChat = (visitorId: string): Chat | undefined =>
		ts.chatsWhere({ channel: 'website', conversationId: visitorId }).find((c) => c.memberIds.includes(operator.id));
	/** The visitor's transcript chat (the outbox: what the widget shows). */
	const transcriptChat = (visitorId: string): Chat | undefined =>
		[...ts.chats.values()].find((c) => c.metadata?.kind === 'websiteVisitor' && c.metadata?.visitorId === visitorId);
	const fromBot = (chat: Chat | undefined): Message[] => (chat ? ts.messagesIn(chat.id).filter((m) => m.senderId === ts.bot.id) : []);
	const filesOf = (m: Message) => m.files.map((f) => ({ name: f.name, sha256: sha256(ts.fileContent(f.id)) }));

	/** The operator writes in the visitor's conversation chat in TeamSpirit. */
	async function operatorPosts(visitorId: string, fields: { text: string; fileIds?: string[] }): Promise<Message> {
		const chat = await waitFor(`the conversation chat of ${visitorId}`, () => conversationChat(visitorId));
		const { message } = await ts.postAsUser(chat.id, operator.id, { format: 'plain', ...fields });
		return message;
	}

	const file = (name: string, content: Buffer) => {
		const p = path.join(tmp, name);
		fs.writeFileSync(p, content);
		return { path: p, content, name };
	};

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `bash scripts/e2e.sh test/e2e/website-chat.e2e.test.ts`');
		emulators = await startWebsiteEmulators();
		({ ts, operator } = emulators);
		site = await startHostSite();
		visitors = await launchVisitors();

		home = await createN8nHome({ prefix: 'n8n-e2e-website-' });
		await installPackageTarball(home, tarball);
		queueChatId = seedQueue(ts, QUEUE, new Date(Date.now() - HOUR), new Date(Date.now() + 12 * HOUR)).id;
		workflow = websiteExample(operator.id, { allowedOrigins: site.origin, businessHoursQueue: QUEUE });
		await importCredentials(home, websiteCredentials(ts, workflow));
		const [id] = await importWorkflows(home, [workflow]);
		webhookId = websiteWebhookIds(workflow).visitor;
		n8n = await startN8n(home);
		port = n8n.port;
		await editor.setUpOwner();
		await editor.publish(id);
		await ready();
	});

	afterAll(async () => {
		await visitors?.close();
		await n8n?.stop();
		await site?.stop();
		await emulators?.stop();
		await home?.cleanup();
		fs.rmSync(tmp, { recursive: true, force: true });
		timings.push({ label: 'website chat suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	/** The published workflow is live: TeamSpirit knows the operator trigger, n8n serves the widget. */
	async function ready(): Promise<void> {
		await waitFor('the TeamSpirit Trigger registered with TeamSpirit', () => ts.webhooks.size >= 1);
		await eventually('n8n serving widget.js', async () => {
			const r = await fetch(scriptUrl()).catch(() => undefined);
			await r?.text();
			return r?.status === 200;
		});
	}

	// ---------------------------------------------------------------------------------------------

	let anna: Visitor;
	let annaToken: string;
	let annaId: string;
	const annaFile = file('order-4711.pdf', Buffer.from(`%PDF-1.7\n% order 4711\n${randomBytes(9_000).toString('base64')}\n%%EOF\n`));
	const labelBytes = Buffer.from(`%PDF-1.7\n% return label\n${randomBytes(5_000).toString('base64')}\n%%EOF\n`);

	it('the company’s page on another origin embeds the widget from n8n: the script and the API answer its origin (CORS)', async () => {
		const script = await fetch(scriptUrl());
		expect(script.status).toBe(200);
		expect(script.headers.get('content-type')).toMatch(/javascript/);
		expect(script.headers.get('cache-control')).toMatch(/no-cache/);
		expect(script.headers.get('etag')).toBeTruthy();

		anna = await visitors.visitor();
		await anna.open(site.pageUrl(scriptUrl()));
		expect(new URL(anna.page.url()).origin).toBe(site.origin);
		expect(new URL(scriptUrl()).origin).not.toBe(site.origin);
		await anna.openChat();
		annaToken = await eventually('the session token in localStorage', () => anna.token());
		expect(annaToken).toMatch(/^v1\.v_[A-Za-z0-9_-]{22}\./);
		annaId = visitorIdOf(annaToken);
		// every API request came from the site's origin and was answered for it
		const apiCalls = anna.requests.filter((r) => !/widget\.(js|css)/.test(r.url));
		expect(apiCalls.length).toBeGreaterThan(0);
		for (const call of apiCalls) expect(call).toMatchObject({ origin: site.origin, acao: site.origin });
		// nothing of the visitor exists in TeamSpirit before they write; the queue is open
		expect(transcriptChat(annaId)).toBeUndefined();
		expect(await anna.shows(PARTS.offline)).toBe(false);
	});

	it('a visitor writes and sends a file: the operator’s conversation chat in TeamSpirit has both, the widget shows them stored', async () => {
		await anna.send('Hello, my order 4711 did not arrive');
		await anna.sendFiles([annaFile.path]);
		const seen = await anna.waitForMessages(
			'the two messages stored',
			(s) => s.length === 2 && s.every((m) => m.from === 'visitor' && !m.pending),
		);
		expect(seen[0].text).toBe('Hello, my order 4711 did not arrive');
		expect(seen[1].files.map((f) => f.name)).toEqual(['order-4711.pdf']);

		const chat = await waitFor('the conversation chat', () => fromBot(conversationChat(annaId)).length >= 2 && conversationChat(annaId));
		expect(new Set(chat.memberIds)).toEqual(new Set([ts.bot.id, operator.id]));
		expect(fromBot(chat).map((m) => [m.text, filesOf(m)])).toEqual([
			['Hello, my order 4711 did not arrive', []],
			['', [{ name: 'order-4711.pdf', sha256: sha256(annaFile.content) }]],
		]);
		// the transcript (what the widget shows) is a chat only the bot is in
		const transcript = transcriptChat(annaId)!;
		expect(transcript.memberIds).toEqual([ts.bot.id]);
		expect(transcript.externalKey).toMatch(new RegExp(`^visitor:${annaId}~[A-Za-z0-9_-]{16}$`));
		expect(ts.messagesIn(transcript.id).map((m) => m.externalKey?.split(':')[0])).toEqual(['in', 'in']);
	});

	it('the operator answers in TeamSpirit with a text and a file: the visitor sees both within the long poll and downloads the file', async () => {
		const label = ts.uploadAsUser(operator.id, { name: 'return-label.pdf', mimeType: 'application/pdf', content: labelBytes });
		await operatorPosts(annaId, { text: 'Hi, Olga here: sorry! Here is a return label' });
		await operatorPosts(annaId, { text: '', fileIds: [label.id] });
		const seen = await anna.waitForMessages('the operator’s answer and file', (s) => s.filter((m) => m.from === 'agent').length === 2);
		const answers = seen.filter((m) => m.from === 'agent');
		expect(answers[0].text).toBe('Hi, Olga here: sorry! Here is a return label');
		expect(answers[1].files.map((f) => f.name)).toEqual(['return-label.pdf']);
		// the link works from the site's page, and only gives this visitor's file
		const downloaded = await anna.page.evaluate(async (href: string) => {
			const r = await fetch(href);
			return { status: r.status, body: [...new Uint8Array(await r.arrayBuffer())] };
		}, answers[1].files[0].href);
		expect(downloaded.status).toBe(200);
		expect(sha256(Buffer.from(downloaded.body))).toBe(sha256(labelBytes));
		expect(seen.map((m) => m.from)).toEqual(['visitor', 'visitor', 'agent', 'agent']);
	});

	it('the operator’s typing in TeamSpirit shows “typing…” in the widget', async () => {
		const chat = conversationChat(annaId)!;
		expect(await anna.shows(PARTS.typing)).toBe(false);
		// the operator types (TeamSpirit repeats chat.typing while they do) until the widget shows it
		await eventually('the operator’s typing in the widget', async () => {
			await ts.typeAsUser(chat.id, operator.id);
			return await anna
				.part(PARTS.typing, { timeout: 3_000 })
				.then(() => true)
				.catch(() => false);
		});
	});

	it('the visitor’s typing shows the bot typing in the operators’ chat', async () => {
		const chat = conversationChat(annaId)!;
		const typingPosts = () => ts.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/chats/${chat.id}/typing`));
		const input = await anna.part(PARTS.input);
		await input.type('Thanks, one more');
		await waitFor('the visitor typing in TeamSpirit', () => typingPosts().length > 0);
		expect(typingPosts().map((r) => r.status)).not.toContain(404);
		expect(ts.typingIn(chat.id).map((t) => t.userId)).toContain(ts.bot.id);
		await anna.page.keyboard.press('Enter');
		await anna.waitForMessages('the third message stored', (s) => s.filter((m) => m.from === 'visitor' && !m.pending).length === 3);
	});

	it('a reload keeps the history (read from TeamSpirit): the same visitor, the same messages', async () => {
		const before = await anna.messages();
		await anna.reload();
		await anna.openChat();
		const after = await anna.waitForMessages('the history after the reload', (s) => s.length === before.length);
		expect(after.map((m) => [m.from, m.text, m.files.map((f) => f.name)])).toEqual(
			before.map((m) => [m.from, m.text, m.files.map((f) => f.name)]),
		);
		// the same session (the token may be renewed: the same visitor)
		expect(visitorIdOf((await anna.token())!)).toBe(annaId);
		if (SHOTS) await pictures(anna, visitors, site.pageUrl(scriptUrl()), SHOTS);
	});

	let boris: Visitor;
	let borisToken: string;

	it('a second visitor sees none of it and is refused the first one’s file (403); each has their own chats', async () => {
		boris = await visitors.visitor();
		await boris.open(site.pageUrl(scriptUrl()));
		await boris.openChat();
		borisToken = await eventually('Boris’s session token', () => boris.token());
		expect(visitorIdOf(borisToken)).not.toBe(annaId);
		expect(await boris.messages()).toEqual([]);
		await boris.send('Do you deliver to Vienna?');
		await boris.waitForMessages('Boris’s message stored', (s) => s.length === 1 && !s[0].pending);

		const borisId = visitorIdOf(borisToken);
		await waitFor('Boris’s conversation chat', () => fromBot(conversationChat(borisId)).length === 1);
		expect(conversationChat(borisId)!.id).not.toBe(conversationChat(annaId)!.id);
		expect(fromBot(conversationChat(annaId)).map((m) => m.text)).not.toContain('Do you deliver to Vienna?');

		// with his own token the API gives him only his transcript; Anna's file is not his
		const history = await api('GET', 'messages', { query: { token: borisToken } });
		expect(history.status).toBe(200);
		expect(history.json.messages.map((m: { text: string }) => m.text)).toEqual(['Do you deliver to Vienna?']);
		const annaFileId = fromBot(transcriptChat(annaId)).flatMap((m) => m.files)[0].id;
		const stolen = await api('GET', 'files', { query: { token: borisToken, id: annaFileId } });
		expect(stolen.status).toBe(403);
		expect(stolen.json.error.code).toBe('not_your_conversation');
		const own = await api('GET', 'files', { query: { token: annaToken, id: annaFileId } });
		expect(own.status).toBe(200);
		expect(own.headers.get('content-disposition')).toMatch(/^attachment/);
	});

	it('forged, re-signed and expired tokens are refused (401); one signed with the secret is taken (the check is the signature)', async () => {
		const [, , iat, sig] = annaToken.split('.');
		const borisParts = borisToken.split('.');
		const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
		const forged = {
			'signature changed': `v1.${annaId}.${iat}.${flip(sig)}`,
			'another visitor’s signature': `v1.${annaId}.${borisParts[2]}.${borisParts[3]}`,
			'signed with another secret': signToken(annaId, parseInt(iat, 36), 'not-the-session-secret'),
			'expired (181 days)': signToken(annaId, Date.now() - 181 * 24 * 60 * MINUTE, SESSION_SECRET),
			garbage: 'v1.x.y.z',
		};
		for (const [what, token] of Object.entries(forged)) {
			const read = await api('GET', 'messages', { query: { token } });
			const write = await api('POST', 'messages', { body: { token, clientId: randomUUID(), text: 'let me in' } });
			expect([what, read.status, read.json?.error?.code]).toEqual([what, 401, 'invalid_token']);
			expect([what, write.status, write.json?.error?.code]).toEqual([what, 401, 'invalid_token']);
		}
		expect(ts.messagesIn(transcriptChat(annaId)!.id).map((m) => m.text)).not.toContain('let me in');
		// the same shape signed with the secret is Anna's session: the refusals above were the signature's
		const resigned = await api('GET', 'messages', { query: { token: signToken(annaId, Date.now(), SESSION_SECRET) } });
		expect(resigned.status).toBe(200);
		expect(resigned.json.messages.length).toBeGreaterThan(0);

		// a tampered token in the browser starts a new, empty session
		await boris.replaceToken(borisToken, `v1.${annaId}.${borisParts[2]}.${borisParts[3]}`);
		await boris.reload();
		await boris.openChat();
		const stored = await eventually('a new session for the tampered token', async () => {
			const token = await boris.token();
			return token && visitorIdOf(token) !== annaId && token;
		});
		expect(visitorIdOf(stored)).not.toBe(visitorIdOf(borisToken));
		expect((await boris.messages()).map((m) => m.text)).not.toContain('Hello, my order 4711 did not arrive');
	});

	it('a page on an origin not in Allowed Origins is refused (403 origin_not_allowed): it gets no session', async () => {
		const stranger = await visitors.visitor();
		await stranger.open(site.pageUrl(scriptUrl(), { origin: site.otherOrigin }), { launcher: false });
		// the browser asked for a session and got the refusal, readable by that page only (no data in it)
		await waitFor('the widget’s session request', () => stranger.requests.some((r) => r.url.endsWith('/session')), 30_000);
		const session = stranger.requests.find((r) => r.url.endsWith('/session'))!;
		expect(session.origin).toBe(site.otherOrigin);
		expect(session.status).toBe(403);
		expect(session.acao).toBe(site.otherOrigin);
		// the page never got a session
		expect(await stranger.token()).toBeUndefined();
		await stranger.close();
		for (const origin of [site.otherOrigin, 'https://evil.example']) {
			const direct = await api('POST', 'session', { origin, body: {} });
			expect([origin, direct.status, direct.json.error.code]).toEqual([origin, 403, 'origin_not_allowed']);
			expect(direct.headers.get('access-control-allow-origin')).toBe(origin);
		}
		// the allowed site's own request is answered for it
		const own = await api('POST', 'session', { body: {} });
		expect(own.status).toBe(200);
		expect(own.headers.get('access-control-allow-origin')).toBe(site.origin);
	});

	it('n8n restarts while the visitor waits: the message written meanwhile and the operator’s answer arrive once each', async () => {
		await anna.openChat();
		const count = (await anna.messages()).length;
		const chat = conversationChat(annaId)!;
		const bridged = fromBot(chat).length;
		await n8n!.stop();
		n8n = undefined;
		// meanwhile the queue's hours end (its next opening in two hours)
		setQueueHours(ts, queueChatId, QUEUE, new Date(Date.now() + 2 * HOUR), new Date(Date.now() + 3 * HOUR));

		// while n8n is down: the visitor writes (the widget keeps it pending and retries with the
		// same clientId), the operator answers (TeamSpirit's delivery fails and is retried)
		await anna.send('Are you still there?');
		await operatorPosts(annaId, { text: 'Yes! A new parcel leaves today.' });

		n8n = await startN8n(home, { port });
		await editor.login();
		await ready();
		const seen = await anna.waitForMessages(
			'the message written while n8n was down stored and the answer shown',
			(s) => s.some((m) => m.text === 'Yes! A new parcel leaves today.') && s.every((m) => !m.pending),
			3 * MINUTE,
		);
		expect(seen).toHaveLength(count + 2);
		expect(seen.filter((m) => m.text === 'Are you still there?')).toHaveLength(1);
		expect(seen.filter((m) => m.text === 'Yes! A new parcel leaves today.')).toHaveLength(1);
		await waitFor('the message in the operators’ chat', () => fromBot(chat).length === bridged + 1);
		expect(fromBot(chat).slice(-1)[0].text).toBe('Are you still there?');
		// one transcript, one conversation chat: nothing split
		expect(ts.chatsWhere({ channel: 'website', conversationId: annaId })).toHaveLength(1);
		expect([...ts.chats.values()].filter((c) => c.metadata?.kind === 'websiteVisitor' && c.metadata?.visitorId === annaId)).toHaveLength(1);
		// after a reload too
		await anna.reload();
		await anna.openChat();
		await anna.waitForMessages('the same history after the restart', (s) => s.length === count + 2);
	});

	it('outside the business hours the widget says so and still takes the message', async () => {
		await anna.part(PARTS.offline);
		const banner = await anna.page.evaluate(() => (globalThis as any).__tsShadowRoots[0].querySelector('p.banner:not(.warn)').textContent);
		expect(banner).toMatch(/offline/i);
		const state = await api('GET', 'messages', { query: { token: annaToken } });
		expect(state.json.offline).toBe(true);
		const chat = conversationChat(annaId)!;
		const bridged = fromBot(chat).length;
		await anna.send('Please call me back tomorrow');
		await anna.waitForMessages('the message taken while offline', (s) => s.some((m) => m.text === 'Please call me back tomorrow' && !m.pending));
		await waitFor('the message in the operators’ chat', () => fromBot(chat).length === bridged + 1);
		expect(fromBot(chat).slice(-1)[0].text).toBe('Please call me back tomorrow');
	});

	it('no execution failed, and no secret shows in n8n’s output', async () => {
		const list = await editor.executions(100);
		expect(list.filter((e) => e.status === 'error' || e.status === 'crashed')).toEqual([]);
		for (const secret of [ts.apiKey, SESSION_SECRET]) expect(n8n!.output()).not.toContain(secret);
	});
});

/** README pictures are kept small: at most this many bytes each. */
const MAX_PICTURE_BYTES = 200 * 1024;

async function picture(visitor: Visitor, file: string): Promise<void> {
	// two frames: whatever the last message changed is painted
	await visitor.page.evaluate(() => new Promise((r) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(r))));
	const png = Buffer.from(await visitor.page.screenshot({ type: 'png' }));
	if (png.length > MAX_PICTURE_BYTES) throw new Error(`${file}: ${png.length} bytes, more than ${MAX_PICTURE_BYTES}`);
	await fs.promises.mkdir(path.dirname(file), { recursive: true });
	await fs.promises.writeFile(file, png);
}

/**
 * The README's pictures: the company's page with the widget open and the conversation in it, on
 * a desktop (1280 × 800) and on a phone (390 × 844, where the panel takes the whole screen): the
 * same visitor, their session copied into the phone's browser.
 */
async function pictures(desktop: Visitor, visitors: Visitors, pageUrl: string, dir: string): Promise<void> {
	await picture(desktop, path.join(dir, 'website-chat-desktop.png'));
	const phone = await visitors.visitor({ width: 390, height: 844, isMobile: true });
	await phone.open(pageUrl);
	const storage = await desktop.storage();
	await phone.page.evaluate((entries: Record<string, string>) => {
		for (const [k, v] of Object.entries(entries)) (globalThis as any).localStorage.setItem(k, v);
	}, storage);
	await phone.reload();
	await phone.openChat();
	const count = (await desktop.messages()).length;
	await phone.waitForMessages('the conversation on the phone', (s) => s.length === count);
	await picture(phone, path.join(dir, 'website-chat-phone.png'));
	await phone.close();
}
