/**
 * The Website channel's endpoints under abuse and odd settings (raw requests, the TeamSpirit
 * emulator as the only storage): a visitor's messages counted in the transcript (so across
 * processes), sessions and typing counted per address, held long polls bounded per session, per
 * address and in time, *Ask for Name and E-mail: Required* enforced by
 * the server, the Accent Color checked, a slow reader of a file download.
 */
import { EventEmitter } from 'node:events';

import type { IWebhookFunctions } from 'n8n-workflow';

import { streamTo } from '../../../nodes/channels/website/endpoints/files';
import { MAX_HELD_POLLS, MAX_HELD_POLLS_PER_ADDRESS } from '../../../nodes/channels/website/endpoints/messages';
import { transcriptKey } from '../../../nodes/channels/website/transcript';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { WebhookCall } from '../../harness';
import { forgetProcessState, PAGE, SESSION_SECRET, startWebsite, type Website } from './website-setup';

let ts: TeamSpiritEmulator;
let site: Website | undefined;

beforeEach(async () => {
	forgetProcessState();
	ts = await TeamSpiritEmulator.start();
});
afterEach(async () => {
	await site?.close();
	site = undefined;
	ts.latencyMs = 0;
	await ts.stop();
});

const open = async (parameters = {}) => (site = await startWebsite(ts, parameters));
const errorCode = (call: WebhookCall) => (call.response.json as { error?: { code?: string } })?.error?.code;
let clientCounter = 0;
const clientId = () => `c0ffee00-0000-4000-8000-${String(++clientCounter).padStart(12, '0')}`;
const transcriptOf = (visitorId: string) =>
	[...ts.chats.values()].find((chat) => chat.metadata?.visitorId === visitorId);
const sendFrom = async (web: Website, ip: string, token: string, text: string) =>
	await web.call('messages', {
		method: 'POST',
		headers: { 'content-type': 'text/plain;charset=UTF-8', origin: PAGE },
		body: JSON.stringify({ token, clientId: clientId(), text }),
		ip,
	});

describe('Website limits', () => {
	it('a message the address refuses does not count against the visitor (nothing was stored)', async () => {
		const web = await open({ websiteLimits: { messagesPerMinute: 3, messagesPerMinutePerAddress: 2 } });
		const { token } = await web.session();
		const here = [];
		for (let i = 0; i < 3; i++) here.push((await sendFrom(web, '198.51.100.1', token, `m${i}`)).response.status);
		expect(here).toEqual([200, 200, 429]);
		// the session sent 2 of its 3: from another address the third is taken
		expect((await sendFrom(web, '198.51.100.2', token, 'from my phone')).response.status).toBe(200);
		expect((await sendFrom(web, '198.51.100.3', token, 'one too many')).response.status).toBe(429);
	});

	it('counts a visitor’s messages in their transcript: in another n8n process the limit still holds, and a retry of a stored message is answered with its id', async () => {
		const web = await open({ websiteLimits: { messagesPerMinute: 3 } });
		const { token, visitorId } = await web.session();
		const ids = [clientId(), clientId(), clientId()];
		const stored: string[] = [];
		for (const id of ids) {
			forgetProcessState(); // each message taken by another process: nothing in memory counts
			const call = await web.send({ token, clientId: id, text: `m ${id}` });
			expect(call.response.status).toBe(200);
			stored.push((call.response.json as { id: string }).id);
		}
		forgetProcessState();
		const over = await web.send({ token, clientId: clientId(), text: 'one too many' });
		expect([over.response.status, errorCode(over), over.started]).toEqual([429, 'rate_limited', false]);
		const retryAfter = Number(over.response.headers['retry-after']);
		expect(retryAfter >= 1 && retryAfter <= 60).toBe(true);
		// the widget sends a stored message again (its answer was lost): the same id, never 429
		forgetProcessState();
		const retry = await web.send({ token, clientId: ids[0], text: `m ${ids[0]}` });
		expect([retry.response.status, (retry.response.json as { id: string }).id]).toEqual([200, stored[0]]);
		const chat = transcriptOf(visitorId)!;
		expect(ts.messagesIn(chat.id)).toHaveLength(3);
		// a stored message older than the page read (100 messages came after it, 3 of them the
		// visitor's: the limit is reached) is found by its key
		for (let i = 0; i < 97; i++) ts.addMessage(chat.id, { text: `answer ${i}`, externalKey: `out:answer-${i}` });
		for (let i = 0; i < 3; i++) ts.addMessage(chat.id, { text: `new ${i}`, externalKey: `in:new-message-${i}` });
		forgetProcessState();
		const old = await web.send({ token, clientId: ids[1], text: `m ${ids[1]}` });
		expect([old.response.status, (old.response.json as { id: string }).id]).toEqual([200, stored[1]]);
	});

	it('counts only the visitor’s messages of the last minute: older ones and the answers do not', async () => {
		const web = await open({ websiteLimits: { messagesPerMinute: 2 } });
		const { token, visitorId } = await web.session();
		expect((await web.send({ token, clientId: clientId(), text: 'first' })).response.status).toBe(200);
		const chat = transcriptOf(visitorId)!;
		const minuteAgo = new Date(Date.now() - 61_000).toISOString();
		for (let i = 0; i < 3; i++) ts.addMessage(chat.id, { text: `old ${i}`, externalKey: `in:old-message-${i}`, createdAt: minuteAgo });
		for (let i = 0; i < 3; i++) ts.addMessage(chat.id, { text: `answer ${i}`, externalKey: `out:answer-${i}` });
		forgetProcessState();
		expect((await web.send({ token, clientId: clientId(), text: 'second' })).response.status).toBe(200);
		forgetProcessState();
		expect((await web.send({ token, clientId: clientId(), text: 'third' })).response.status).toBe(429);
	});

	it('counts every POST session against the client address: a new visitor’s as well as a known one’s', async () => {
		const web = await open({ websiteLimits: { messagesPerMinutePerAddress: 3 } });
		const { token } = await web.session();
		const session = async (body: object) =>
			await web.call('session', {
				method: 'POST',
				headers: { 'content-type': 'text/plain;charset=UTF-8', origin: PAGE },
				body: JSON.stringify(body),
			});
		const statuses = [];
		for (const body of [{ token }, {}, {}, { token }]) statuses.push((await session(body)).response.status);
		expect(statuses).toEqual([200, 200, 429, 429]);
		expect(errorCode(await session({}))).toBe('rate_limited');
		// another address is not held up
		const elsewhere = await web.call('session', { method: 'POST', headers: { 'content-type': 'text/plain', origin: PAGE }, body: '{}', ip: '203.0.113.9' });
		expect(elsewhere.response.status).toBe(200);
	});

	it('counts typing per client address apart from messages: beyond it 429, reading nothing in TeamSpirit', async () => {
		const web = await open({ websiteLimits: { messagesPerMinutePerAddress: 2 } });
		const { token } = await web.session();
		const typing = async () =>
			await web.call('typing', { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: PAGE }, body: JSON.stringify({ token }) });
		expect([(await typing()).response.status, (await typing()).response.status]).toEqual([204, 204]);
		const before = ts.requests.length;
		const refused = await typing();
		expect([refused.response.status, errorCode(refused), ts.requests.length - before]).toEqual([429, 'rate_limited', 0]);
		// the typing did not use up the messages’ count: the session took one, the message the other
		expect((await web.send({ token, clientId: clientId(), text: 'typed' })).response.status).toBe(200);
		expect((await web.send({ token, clientId: clientId(), text: 'one too many' })).response.status).toBe(429);
	});
});

describe('Website long poll bounds', () => {
	it(`holds at most ${MAX_HELD_POLLS} polls of one session at once: a further one answers at once with the current state`, async () => {
		const web = await open();
		const { token, visitorId } = await web.session();
		await web.send({ token, clientId: clientId(), text: 'hello?' });
		const now = (await web.poll({ token })).response.json as { digest: string };
		const settled: boolean[] = [];
		const heldPolls = Array.from({ length: MAX_HELD_POLLS }, (_, i) =>
			web.poll({ token, since: now.digest, wait: '1' }).then((call) => {
				settled[i] = true;
				return call;
			}),
		);
		const reads = () => ts.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/chats/')).length;
		const before = reads();
		// both held polls are reading in rounds before the next one comes
		while (reads() < before + 4 * MAX_HELD_POLLS) await new Promise((resolve) => setImmediate(resolve));
		const extra = await web.poll({ token, since: now.digest, wait: '1' });
		expect(extra.response.status).toBe(200);
		expect((extra.response.json as { digest: string }).digest).toBe(now.digest);
		expect(settled.filter(Boolean)).toEqual([]);
		const chat = transcriptOf(visitorId)!;
		await fetch(`${ts.url}/api/v1/chats/${chat.id}/messages`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ts.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ text: 'here', format: 'plain', externalKey: 'out:here' }),
		});
		for (const call of await Promise.all(heldPolls)) expect((call.response.json as { digest: string }).digest).not.toBe(now.digest);
	});

	it(`holds at most ${MAX_HELD_POLLS_PER_ADDRESS} polls of one client address at once (all its sessions): a further one answers at once; another address is held`, async () => {
		const web = await open({ websiteLimits: { messagesPerMinutePerAddress: 1000 } });
		const pollFrom = async (ip: string, query: Record<string, string>) => await web.call('poll', { method: 'GET', headers: { origin: PAGE }, query, ip });
		const visitors = [];
		for (let i = 0; i <= MAX_HELD_POLLS_PER_ADDRESS + 1; i++) visitors.push(await web.session());
		// no transcript yet: every visitor’s history is the same empty one
		const empty = ((await web.poll({ token: visitors[0].token })).response.json as { digest: string }).digest;
		const lookedUp = (visitorId: string) =>
			ts.requests.some((r) => r.method === 'GET' && r.path === '/api/v1/chats' && r.query.externalKey === transcriptKey(visitorId, SESSION_SECRET));
		const before = ts.requests.length;
		const settled = new Set<number>();
		const held = visitors.slice(0, MAX_HELD_POLLS_PER_ADDRESS).map((v, i) =>
			pollFrom('198.51.100.7', { token: v.token, since: empty, wait: '1' }).then((call) => {
				settled.add(i);
				return call;
			}),
		);
		// a poll is held (or not) before its first read: wait until each has read once
		const readSince = (visitorId: string) =>
			ts.requests.slice(before).some((r) => r.path === '/api/v1/chats' && r.query.externalKey === transcriptKey(visitorId, SESSION_SECRET));
		while (!visitors.slice(0, MAX_HELD_POLLS_PER_ADDRESS).every((v) => readSince(v.visitorId))) await new Promise((resolve) => setImmediate(resolve));
		const over = visitors[MAX_HELD_POLLS_PER_ADDRESS];
		const extra = await pollFrom('198.51.100.7', { token: over.token, since: empty, wait: '1' });
		expect([extra.response.status, (extra.response.json as { digest: string }).digest]).toEqual([200, empty]);
		expect(settled.size).toBe(0);
		// the same session from another address is held
		const last = visitors[MAX_HELD_POLLS_PER_ADDRESS + 1];
		let otherSettled = false;
		const other = pollFrom('203.0.113.9', { token: last.token, since: empty, wait: '1' }).then((call) => {
			otherSettled = true;
			return call;
		});
		const start = ts.requests.length;
		const lastReads = () => ts.requests.slice(start).filter((r) => r.path === '/api/v1/chats' && r.query.externalKey === transcriptKey(last.visitorId, SESSION_SECRET)).length;
		while (lastReads() < 2) await new Promise((resolve) => setImmediate(resolve));
		expect([otherSettled, settled.size]).toEqual([false, 0]);
		expect(lookedUp(last.visitorId)).toBe(true);
		// each visitor writes: every held poll answers with the new history
		for (const v of [...visitors.slice(0, MAX_HELD_POLLS_PER_ADDRESS), last]) await web.send({ token: v.token, clientId: clientId(), text: 'here' });
		for (const call of await Promise.all([...held, other])) expect((call.response.json as { digest: string }).digest).not.toBe(empty);
	}, 60_000);

	it('answers a held poll by its deadline with the current state even when a TeamSpirit read hangs', async () => {
		const web = await open();
		const { token } = await web.session();
		await web.send({ token, clientId: clientId(), text: 'hello?' });
		const now = (await web.poll({ token })).response.json as { digest: string };
		const waiting = web.poll({ token, since: now.digest, wait: '1' });
		const reads = () => ts.requests.length;
		const before = reads();
		while (reads() < before + 2) await new Promise((resolve) => setImmediate(resolve));
		ts.latencyMs = 40_000; // every read from now on hangs past the poll’s 25 s (and the transport’s 30 s timeout)
		const answer = await waiting;
		expect([answer.response.status, (answer.response.json as { digest?: string }).digest]).toEqual([200, now.digest]);
	}, 58_000);
});

describe('Website contact and look', () => {
	it('refuses POST messages with 400 contact_required when a name and e-mail are required and not given yet', async () => {
		const web = await open({ websiteAskContact: 'required' });
		const { token, visitorId } = await web.session();
		const refused = await web.send({ token, clientId: clientId(), text: 'hi, no name' });
		expect([refused.response.status, errorCode(refused), refused.started]).toEqual([400, 'contact_required', false]);
		expect((refused.response.json as { error: { message: string } }).error.message).toMatch(/name and e-mail/);
		expect(transcriptOf(visitorId)).toBeUndefined();
		await web.session({ token, name: 'Anna', email: 'anna@example.com' });
		const taken = await web.send({ token, clientId: clientId(), text: 'hi, I am Anna' });
		expect([taken.response.status, taken.started]).toEqual([200, true]);
	});

	it('gives the widget the Accent Color only when it is a hex colour, else the default', async () => {
		const colours: Array<[string, string]> = [
			['#0a7', '#0a7'],
			['#12AB9f', '#12AB9f'],
			['red; } :host { display: none', '#2563eb'],
			['url(https://evil.example.net/x)', '#2563eb'],
			['#12345', '#2563eb'],
		];
		for (const [given, expected] of colours) {
			forgetProcessState();
			const web = await open({ websiteAccentColor: given });
			const { config } = await web.session();
			expect([given, (config as { accentColor: string }).accentColor]).toEqual([given, expected]);
			await web.close();
			site = undefined;
		}
	});
});

describe('Website file download to a slow reader', () => {
	it('leaves no listener behind on the answer after each wait for the reader', async () => {
		const res = Object.assign(new EventEmitter(), {
			writableEnded: false,
			destroyed: false,
			write: () => {
				setImmediate(() => res.emit('drain'));
				return false; // a slow reader: every chunk waits for drain
			},
			end: () => {
				res.writableEnded = true;
			},
		});
		const ctx = { getResponseObject: () => res } as unknown as IWebhookFunctions;
		async function* chunks() {
			for (let i = 0; i < 40; i++) yield Buffer.alloc(16, i);
		}
		await streamTo(ctx, chunks());
		expect([res.listenerCount('close'), res.listenerCount('drain'), res.writableEnded]).toEqual([0, 0, true]);
	});
});
