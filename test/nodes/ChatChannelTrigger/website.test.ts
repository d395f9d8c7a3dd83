/**
 * The Website channel's widget API through n8n's webhook pipeline (raw requests, the TeamSpirit
 * emulator as the only storage): sessions, messages stored before the 200 and started once,
 * origins, limits, history, the long poll and files.
 */
import { createHmac } from 'node:crypto';

import { issueSession } from '../../../nodes/channels/website/session';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { WebhookCall } from '../../harness';
import { formData, forgetProcessState, PAGE, SESSION_SECRET, startWebsite, type Website } from './website-setup';

let ts: TeamSpiritEmulator;
let site: Website | undefined;

beforeEach(async () => {
	forgetProcessState();
	ts = await TeamSpiritEmulator.start();
});
afterEach(async () => {
	await site?.close();
	site = undefined;
	await ts.stop();
});

const open = async (parameters = {}) => (site = await startWebsite(ts, parameters));
const transcriptOf = (visitorId: string) =>
	[...ts.chats.values()].find((chat) => chat.metadata?.visitorId === visitorId);
const errorCode = (call: WebhookCall) => (call.response.json as { error?: { code?: string } })?.error?.code;
const started = (call: WebhookCall) => call.started;
let clientCounter = 0;
const clientId = () => `c0ffee00-0000-4000-8000-${String(++clientCounter).padStart(12, '0')}`;

/** A token the trigger did not sign: the right shape, another secret. */
function forgedToken(visitorId: string): string {
	return issueSession('not-the-session-secret', visitorId).token;
}

describe('Website: sessions', () => {
	it('starts a visitor without a token, keeps it with its token, and gives a forged token a new visitor', async () => {
		const web = await open({ websiteLanguage: 'de', websiteTexts: { title: 'Fragen?' }, websiteAskContact: 'optional' });
		const first = await web.session();
		expect(first.visitorId).toMatch(/^v_[A-Za-z0-9_-]{22}$/);
		expect(first.token).toMatch(/^v1\.v_/);
		expect(first.contact).toBeNull();
		const config = first.config as { texts: Record<string, string>; askContact: string; maxTextLength: number; maxFiles: number; maxFileSize: number };
		expect(config.texts.title).toBe('Fragen?');
		expect(config.texts.send).toBe('Senden');
		expect(config).toMatchObject({ askContact: 'optional', maxTextLength: 4000, maxFiles: 5, maxFileSize: 10 * 1024 * 1024 });

		const again = await web.session({ token: first.token });
		expect(again.visitorId).toBe(first.visitorId);
		const forged = await web.session({ token: forgedToken(first.visitorId) });
		expect(forged.visitorId).not.toBe(first.visitorId);
		// no transcript until the visitor writes or gives a contact
		expect(transcriptOf(first.visitorId)).toBeUndefined();
	});

	it('stores a name and e-mail on the visitor’s transcript and gives them back on reload', async () => {
		const web = await open();
		const { token, visitorId } = await web.session();
		const withContact = await web.session({ token, name: 'Anna Petrova', email: 'anna@example.com' });
		expect(withContact.contact).toEqual({ name: 'Anna Petrova', email: 'anna@example.com' });
		expect(transcriptOf(visitorId)?.metadata).toMatchObject({ kind: 'websiteVisitor', name: 'Anna Petrova', email: 'anna@example.com' });
		const reload = await web.session({ token: withContact.token as string });
		expect(reload.contact).toEqual({ name: 'Anna Petrova', email: 'anna@example.com' });
	});
});

describe('Website: POST messages', () => {
	it('stores the message in the visitor’s transcript before answering, then starts the workflow with it', async () => {
		const web = await open();
		const { token, visitorId } = await web.session({ name: 'Anna', email: 'anna@example.com' });
		const id = clientId();
		const call = await web.send({ token, clientId: id, text: 'Where is my order?' });
		expect(call.response.status).toBe(200);
		const answer = call.response.json as { ok: boolean; id: string };
		expect(answer.ok).toBe(true);
		const chat = transcriptOf(visitorId)!;
		const stored = ts.messageByKey(chat.id, `in:${id}`)!;
		expect(stored).toMatchObject({ id: answer.id, text: 'Where is my order?', format: 'plain' });
		expect(call.response.headers['access-control-allow-origin']).toBe(PAGE);
		expect(started(call)).toBe(true);
		const item = call.workflowData![0][0].json;
		expect(item).toMatchObject({
			channel: 'website',
			account: ts.bot.id,
			event: 'message',
			eventId: `website:${ts.bot.id}:${answer.id}`,
			messageId: answer.id,
			conversationId: visitorId,
			sender: { id: visitorId, name: 'Anna', email: 'anna@example.com' },
			text: 'Where is my order?',
		});
	});

	it('a retried POST (same clientId) is stored once, answered with the same id, and started once', async () => {
		const web = await open();
		const { token, visitorId } = await web.session();
		const id = clientId();
		const first = await web.send({ token, clientId: id, text: 'Hello' });
		const retry = await web.send({ token, clientId: id, text: 'Hello' });
		expect([first.response.status, retry.response.status]).toEqual([200, 200]);
		expect((retry.response.json as { id: string }).id).toBe((first.response.json as { id: string }).id);
		expect(ts.messagesIn(transcriptOf(visitorId)!.id)).toHaveLength(1);
		expect([first.started, retry.started]).toEqual([true, false]);
		const item = first.workflowData![0][0].json as { sender: { name: string } };
		expect(item.sender.name).toBe(`Website visitor ${visitorId.slice(2, 6)}`);
	});

	it('refuses a forged or expired token with 401 everywhere, storing and starting nothing', async () => {
		const web = await open();
		const { visitorId } = await web.session();
		const expired = issueSession(SESSION_SECRET, visitorId, Date.now() - 181 * 24 * 60 * 60 * 1000).token;
		const tampered = (() => {
			const good = issueSession(SESSION_SECRET, visitorId).token;
			const other = `v_${'A'.repeat(22)}`;
			return good.replace(visitorId, other);
		})();
		for (const token of [forgedToken(visitorId), expired, tampered, 'v1.garbage', '']) {
			const post = await web.send({ token, clientId: clientId(), text: 'hi' });
			expect([post.response.status, errorCode(post), post.started]).toEqual([401, 'invalid_token', false]);
			const poll = await web.poll({ token });
			expect([poll.response.status, errorCode(poll)]).toEqual([401, 'invalid_token']);
			const file = await web.call('files', { method: 'GET', headers: { origin: PAGE }, query: { token, id: 'f_1' } });
			expect(file.response.status).toBe(401);
			const typing = await web.call('typing', { method: 'POST', headers: { 'content-type': 'text/plain', origin: PAGE }, body: JSON.stringify({ token }) });
			expect(typing.response.status).toBe(401);
		}
		expect(ts.chats.size).toBe(0);
	});

	it('refuses a page of an origin not in Allowed Origins with a 403 only that page can read; allows the listed ones', async () => {
		const web = await open({ websiteAllowedOrigins: 'https://www.example.com, https://shop.example.com/' });
		const { token, visitorId } = await web.session();
		const evil = await web.send({ token, clientId: clientId(), text: 'hi' }, { origin: 'https://evil.example.net' });
		expect([evil.response.status, errorCode(evil), evil.started]).toEqual([403, 'origin_not_allowed', false]);
		// the 403 (no data) is readable by the page, so the widget stops instead of retrying
		expect(evil.response.headers['access-control-allow-origin']).toBe('https://evil.example.net');
		const session = await web.call('session', { method: 'POST', headers: { 'content-type': 'text/plain', origin: 'https://evil.example.net' }, body: '{}' });
		expect([session.response.status, errorCode(session), session.response.headers['access-control-allow-origin']]).toEqual([403, 'origin_not_allowed', 'https://evil.example.net']);
		const poll = await web.call('poll', { method: 'GET', headers: { origin: 'https://evil.example.net' }, query: { token } });
		expect([poll.response.status, errorCode(poll), poll.response.headers['access-control-allow-origin']]).toEqual([403, 'origin_not_allowed', 'https://evil.example.net']);
		expect(poll.response.body).not.toContain(visitorId);
		expect(transcriptOf(visitorId)).toBeUndefined();
		const ok = await web.send({ token, clientId: clientId(), text: 'hi' }, { origin: 'https://www.example.com' });
		expect([ok.response.status, ok.response.headers['access-control-allow-origin']]).toEqual([200, 'https://www.example.com']);
	});

	it('refuses a text longer than Max Text Length, too many files and a file too large with 413, storing nothing', async () => {
		const web = await open({ websiteLimits: { maxTextLength: 10, maxFiles: 2, maxFileMb: 0.001 } });
		const { token, visitorId } = await web.session();
		const long = await web.send({ token, clientId: clientId(), text: 'x'.repeat(11) });
		expect([long.response.status, errorCode(long)]).toEqual([413, 'text_too_long']);
		const small = { name: 'a.txt', type: 'text/plain', content: Buffer.from('tiny') };
		const three = formData({ token, clientId: clientId(), text: '' }, [small, small, small]);
		const many = await web.call('messages', { method: 'POST', headers: { 'content-type': three.contentType, origin: PAGE }, body: three.body });
		expect([many.response.status, errorCode(many)]).toEqual([413, 'too_many_files']);
		const big = formData({ token, clientId: clientId(), text: 'see file' }, [{ name: 'big.bin', type: 'application/octet-stream', content: Buffer.alloc(2000, 1) }]);
		const large = await web.call('messages', { method: 'POST', headers: { 'content-type': big.contentType, origin: PAGE }, body: big.body });
		expect([large.response.status, errorCode(large)]).toEqual([413, 'file_too_large']);
		expect([long.started, many.started, large.started]).toEqual([false, false, false]);
		expect(transcriptOf(visitorId)).toBeUndefined();
		expect(ts.files.size).toBe(0);
	});

	it('answers 429 with Retry-After once a visitor sent Messages per Minute, and counts per address too', async () => {
		// the address's 8: two sessions, the visitor's 3, their refused 4th (it was read in
		// TeamSpirit), the other's 2
		const web = await open({ websiteLimits: { messagesPerMinute: 3, messagesPerMinutePerAddress: 8 } });
		const { token } = await web.session();
		const statuses: number[] = [];
		let last: WebhookCall | undefined;
		for (let i = 0; i < 4; i++) {
			last = await web.send({ token, clientId: clientId(), text: `m${i}` });
			statuses.push(last.response.status);
		}
		expect(statuses).toEqual([200, 200, 200, 429]);
		expect(errorCode(last!)).toBe('rate_limited');
		expect(Number(last!.response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
		expect(last!.started).toBe(false);
		// another visitor at the same address: two more, then the address is spent
		const other = await web.session();
		const more: number[] = [];
		for (let i = 0; i < 3; i++) more.push((await web.send({ token: other.token, clientId: clientId(), text: `o${i}` })).response.status);
		expect(more).toEqual([200, 200, 429]);
		// a visitor elsewhere is not held up
		const elsewhere = (
			await web.call('session', { method: 'POST', headers: { 'content-type': 'text/plain', origin: PAGE }, body: '{}', ip: '203.0.113.9' })
		).response.json as { token: string };
		const fromElsewhere = await web.call('messages', {
			method: 'POST',
			headers: { 'content-type': 'text/plain', origin: PAGE },
			body: JSON.stringify({ token: elsewhere.token, clientId: clientId(), text: 'hi' }),
			ip: '203.0.113.9',
		});
		expect(fromElsewhere.response.status).toBe(200);
	});

	it('takes files as multipart: uploaded to TeamSpirit, attached to the stored message, downloaded into the item', async () => {
		const web = await open();
		const { token, visitorId } = await web.session();
		const pdf = Buffer.from('%PDF-1.7 a small file');
		const form = formData({ token, clientId: clientId(), text: 'my invoice' }, [{ name: 'Rechnung März.pdf', type: 'application/pdf', content: pdf }]);
		const call = await web.call('messages', { method: 'POST', headers: { 'content-type': form.contentType, origin: PAGE }, body: form.body });
		expect(call.response.status).toBe(200);
		const stored = ts.messagesIn(transcriptOf(visitorId)!.id)[0];
		expect(stored.files).toHaveLength(1);
		expect(stored.files[0]).toMatchObject({ name: 'Rechnung März.pdf', mimeType: 'application/pdf', size: pdf.length });
		expect(ts.fileContent(stored.files[0].id).equals(pdf)).toBe(true);
		const item = call.workflowData![0][0];
		expect(item.json.attachments).toEqual([expect.objectContaining({ type: 'document', fileName: 'Rechnung März.pdf', fileId: stored.files[0].id, binaryProperty: 'data' })]);
		expect(item.binary?.data).toMatchObject({ fileName: 'Rechnung März.pdf', mimeType: 'application/pdf' });
	});

	it('answers 503 when TeamSpirit cannot store the message, and the widget’s retry stores it once', async () => {
		const web = await open();
		const { token, visitorId } = await web.session();
		const id = clientId();
		ts.failNext({ method: 'POST', path: /\/messages$/, status: 503, count: 10 });
		const down = await web.send({ token, clientId: id, text: 'are you there?' });
		expect([down.response.status, errorCode(down), down.started]).toEqual([503, 'unavailable', false]);
		expect(down.response.headers['retry-after']).toBeDefined();
		ts.clearFaults();
		const retry = await web.send({ token, clientId: id, text: 'are you there?' });
		expect([retry.response.status, retry.started]).toEqual([200, true]);
		expect(ts.messagesIn(transcriptOf(visitorId)!.id)).toHaveLength(1);
	});
});

describe('Website: GET messages and files', () => {
	async function operatorAnswer(chatId: string, text: string, fileIds: string[] = []) {
		const res = await fetch(`${ts.url}/api/v1/chats/${chatId}/messages`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ts.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ text, format: 'plain', externalKey: `out:${text.length}-${Math.random()}`, fileIds }),
		});
		return (await res.json()) as { id: string };
	}

	it('gives the history oldest first: the visitor’s messages with their clientId, the answers, nothing else of the chat', async () => {
		const web = await open();
		const { token, visitorId } = await web.session();
		const id = clientId();
		await web.send({ token, clientId: id, text: 'first' });
		const chat = transcriptOf(visitorId)!;
		await operatorAnswer(chat.id, 'an answer');
		ts.addFile({ name: 'x', content: 'x' });
		await fetch(`${ts.url}/api/v1/chats/${chat.id}/messages`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ts.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ text: 'a note without a key' }),
		});
		const history = await web.poll({ token });
		expect(history.response.status).toBe(200);
		const body = history.response.json as { digest: string; messages: Array<Record<string, unknown>>; typing: boolean; offline: boolean };
		expect(body.messages.map((m) => [m.from, m.text, m.clientId])).toEqual([
			['visitor', 'first', id],
			['agent', 'an answer', undefined],
		]);
		expect(body).toMatchObject({ typing: false, offline: false });
		expect(body.digest).toEqual(expect.any(String));
		// a new visitor has no transcript: an empty history
		const fresh = await web.session();
		const none = await web.poll({ token: fresh.token });
		expect((none.response.json as { messages: unknown[] }).messages).toEqual([]);
	});

	it('holds a long poll until an operator’s answer arrives in the transcript, then answers with it within a few reads', async () => {
		const web = await open();
		const { token, visitorId } = await web.session();
		await web.send({ token, clientId: clientId(), text: 'hello?' });
		const chat = transcriptOf(visitorId)!;
		const now = (await web.poll({ token })).response.json as { digest: string };
		const reads = () => ts.requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/chats/${chat.id}/messages`).length;
		const before = reads();
		const waiting = web.poll({ token, since: now.digest, wait: '1' });
		// the poll has read the transcript (and found nothing new) before the answer is posted
		while (reads() < before + 2) await new Promise((resolve) => setImmediate(resolve));
		await operatorAnswer(chat.id, 'Your order ships today');
		const atAnswer = reads();
		const woke = await waiting;
		// it answers on its next read or the one after (one may have been under way): not at its
		// deadline ~22 reads later. Counted, not timed: the machine is shared.
		expect(reads() - atAnswer).toBeLessThanOrEqual(3);
		const body = woke.response.json as { digest: string; messages: Array<{ from: string; text: string }> };
		expect(woke.response.status).toBe(200);
		expect(body.digest).not.toBe(now.digest);
		expect(body.messages.at(-1)).toMatchObject({ from: 'agent', text: 'Your order ships today' });
	});

	it('streams a file of the visitor’s own transcript as a download; another visitor’s file is 403', async () => {
		const web = await open();
		const anna = await web.session();
		const ben = await web.session();
		await web.send({ token: anna.token, clientId: clientId(), text: 'hi' });
		await web.send({ token: ben.token, clientId: clientId(), text: 'hi' });
		const file = ts.addFile({ name: 'Angebot "Q3".pdf', mimeType: 'application/pdf', content: Buffer.from('%PDF offer') });
		await operatorAnswer(transcriptOf(anna.visitorId)!.id, 'the offer', [file.id]);
		const own = await web.call('files', { method: 'GET', headers: { origin: PAGE }, query: { token: anna.token, id: file.id } });
		expect(own.response.status).toBe(200);
		expect(own.response.body).toBe('%PDF offer');
		expect(own.response.headers['content-type']).toBe('application/pdf');
		expect(own.response.headers['content-disposition']).toMatch(/^attachment; filename="Angebot _Q3_.pdf"/);
		const theirs = await web.call('files', { method: 'GET', headers: { origin: PAGE }, query: { token: ben.token, id: file.id } });
		expect([theirs.response.status, errorCode(theirs)]).toEqual([403, 'not_your_conversation']);
		const unknown = ts.addFile({ name: 'secret.txt', content: 'internal' });
		const other = await web.call('files', { method: 'GET', headers: { origin: PAGE }, query: { token: anna.token, id: unknown.id } });
		expect(other.response.status).toBe(403);
		expect(other.response.body).not.toContain('internal');
	});
});

describe('Website: the widget’s files and typing', () => {
	it('serves widget.js with no-cache and an ETag, and 304 for the same ETag', async () => {
		const web = await open();
		const script = await web.call('widgetScript', { method: 'GET' });
		expect(script.response.status).toBe(200);
		expect(script.response.headers['content-type']).toMatch(/^text\/javascript/);
		expect(script.response.headers['cache-control']).toBe('no-cache');
		const etag = script.response.headers.etag;
		expect(etag).toMatch(/^".+"$/);
		const again = await web.call('widgetScript', { method: 'GET', headers: { 'if-none-match': etag } });
		expect([again.response.status, again.response.body]).toEqual([304, '']);
		const style = await web.call('widgetStyle', { method: 'GET' });
		expect(style.response.headers['content-type']).toMatch(/^text\/css/);
		expect(script.started || style.started).toBe(false);
	});

	it('answers typing with 204 for a valid session', async () => {
		const web = await open();
		const { token } = await web.session();
		const typing = await web.call('typing', { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8', origin: PAGE }, body: JSON.stringify({ token }) });
		expect([typing.response.status, typing.started]).toEqual([204, false]);
	});
});

// the HMAC is the contract's: a token made by hand with the Session Secret is accepted
it('accepts a token signed by hand with the Session Secret (the documented format)', async () => {
	const web = await open();
	const visitorId = `v_${'b'.repeat(22)}`;
	const issued = Date.now().toString(36);
	const sig = createHmac('sha256', SESSION_SECRET).update(`n8n-nodes-teamspirit website session\n${visitorId}\n${issued}`).digest('base64url');
	const answer = await web.session({ token: `v1.${visitorId}.${issued}.${sig}` });
	expect(answer.visitorId).toBe(visitorId);
});
