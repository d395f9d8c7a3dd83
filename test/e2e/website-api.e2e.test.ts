/**
 * The Website channel's widget API in a real n8n 2.41 (`n8n start`, the packed package installed
 * as a community package), raw requests as a browser sends them, the TeamSpirit emulator as the
 * only storage. Proves what n8n does in front of the node: it parses a `text/plain;charset=UTF-8`
 * body to a string and `multipart/form-data` to fields and temporary files (formidable), and it
 * reflects any Origin into Access-Control-Allow-Origin, which the trigger replaces or removes.
 *
 * Run with `npm run test:e2e` (scripts/e2e.sh).
 */
import * as http from 'node:http';

import { TeamSpiritEmulator } from '../emulators/teamspirit';
import { formatTimings, N8nEditor, timings, type WorkflowJson } from './n8n';
import { sharedN8n, type SharedN8n } from './shared-n8n';

const tarball = process.env.TS_PACKAGE_TARBALL;
const PAGE = 'https://shop.example.com';
const SECRET = 'website-e2e-session-secret-0123456789abcdef';

const workflow = (): WorkflowJson => ({
	name: 'Website chat API',
	nodes: [
		{
			id: 'website-trigger',
			name: 'Chat Channel Trigger',
			type: 'n8n-nodes-teamspirit.chatChannelTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {
				channel: 'website',
				websiteAllowedOrigins: `${PAGE}, https://www.example.com`,
				websiteLimits: { maxTextLength: 100 },
			},
			credentials: { teamSpiritWebsiteApi: { id: 'website', name: 'Website' } },
		},
	],
	connections: {},
});

describe('Website chat API in a real n8n', () => {
	let shared: SharedN8n | undefined;
	let n8n: SharedN8n['n8n'] | undefined;
	let ts: TeamSpiritEmulator;
	let base = '';
	let workflowId = '';
	const editor = new N8nEditor(() => n8n!.url);
	const started = Date.now();

	const post = async (path: string, body: string | FormData, origin = PAGE) =>
		await fetch(`${base}${path}`, {
			method: 'POST',
			headers: { origin, ...(typeof body === 'string' ? { 'content-type': 'text/plain;charset=UTF-8' } : {}) },
			body,
		});
	const transcriptOf = (visitorId: string) => [...ts.chats.values()].find((chat) => chat.metadata?.visitorId === visitorId);
	async function session(): Promise<{ token: string; visitorId: string }> {
		const res = await post('session', '{}');
		expect(res.status).toBe(200);
		return (await res.json()) as { token: string; visitorId: string };
	}
	async function executions(): Promise<number> {
		return (await editor.executions()).filter((e) => e.workflowId === workflowId).length;
	}
	async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 60_000) {
		const deadline = Date.now() + timeoutMs;
		while (!(await probe())) {
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${n8n?.output().slice(-3000)}`);
			await new Promise((r) => setTimeout(r, 200));
		}
	}

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		ts = await TeamSpiritEmulator.start();
		// the n8n the suites share (test/e2e/shared-n8n.ts): the workflow published into it
		shared = await sharedN8n();
		n8n = shared.n8n;
		const flow = workflow();
		await shared.useCredentials(
			[{ id: 'website', name: 'Website', type: 'teamSpiritWebsiteApi', data: { serverUrl: ts.url, apiKey: ts.apiKey, sessionSecret: SECRET } }],
			[flow],
		);
		[workflowId] = await shared.publishWorkflows([flow]);
		editor.useSession(shared!.editor.session);
		base = `${n8n.url}/webhook/${flow.nodes[0].webhookId as string}/`;
		await waitFor('the widget script', async () => (await fetch(`${base}widget.js`)).status === 200);
	});

	afterAll(async () => {
		await shared?.release();
		await ts?.stop();
		timings.push({ label: 'website API suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	it('serves widget.js, and takes a text/plain JSON body: stored in TeamSpirit before the 200, one execution', async () => {
		const script = await fetch(`${base}widget.js`);
		expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
		expect(script.headers.get('etag')).toBeTruthy();
		const { token, visitorId } = await session();
		const res = await post('messages', JSON.stringify({ token, clientId: 'e2e-client-0001', text: 'Grüße aus dem Browser' }));
		expect(res.status).toBe(200);
		expect(res.headers.get('access-control-allow-origin')).toBe(PAGE);
		const { id } = (await res.json()) as { id: string };
		const stored = ts.messageByKey(transcriptOf(visitorId)!.id, 'in:e2e-client-0001');
		expect(stored).toMatchObject({ id, text: 'Grüße aus dem Browser' });
		await waitFor('the execution', async () => (await executions()) === 1);
		// the widget's retry of the same message: the same id, nothing new
		const again = await post('messages', JSON.stringify({ token, clientId: 'e2e-client-0001', text: 'Grüße aus dem Browser' }));
		expect(((await again.json()) as { id: string }).id).toBe(id);
		expect(ts.messagesIn(transcriptOf(visitorId)!.id)).toHaveLength(1);
	});

	it('takes multipart/form-data with files as n8n parses it, and refuses what is too long with 413', async () => {
		const { token, visitorId } = await session();
		const form = new FormData();
		form.append('token', token);
		form.append('clientId', 'e2e-client-0002');
		form.append('text', 'two files');
		form.append('file', new Blob([Buffer.from('%PDF-1.7 e2e')], { type: 'application/pdf' }), 'Rechnung.pdf');
		form.append('file', new Blob([Buffer.from('hello')], { type: 'text/plain' }), 'note.txt');
		const res = await post('messages', form);
		expect(res.status).toBe(200);
		const [message] = ts.messagesIn(transcriptOf(visitorId)!.id);
		// n8n's multipart parser (formidable) lists a field's files as each finishes writing to disk:
		// under load the second, smaller file may come first, so the order is not asserted
		const files = message.files.map((f) => [f.name, f.mimeType, f.size]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
		expect(files).toEqual([
			['note.txt', 'text/plain', 5],
			['Rechnung.pdf', 'application/pdf', 12],
		]);
		const pdf = message.files.find((f) => f.name === 'Rechnung.pdf')!;
		const file = await fetch(`${base}files?token=${encodeURIComponent(token)}&id=${pdf.id}`, { headers: { origin: PAGE } });
		expect(file.status).toBe(200);
		expect(file.headers.get('content-disposition')).toMatch(/^attachment/);
		expect(Buffer.from(await file.arrayBuffer()).toString()).toBe('%PDF-1.7 e2e');
		const long = await post('messages', JSON.stringify({ token, clientId: 'e2e-client-0003', text: 'x'.repeat(101) }));
		expect(long.status).toBe(413);
		expect(((await long.json()) as { error: { code: string } }).error.code).toBe('text_too_long');
	});

	it('refuses a page of another origin with a 403 only that page can read (origin_not_allowed, no data); a forged token is 401', async () => {
		const { token } = await session();
		const evil = await post('messages', JSON.stringify({ token, clientId: 'e2e-client-0004', text: 'hi' }), 'https://evil.example.net');
		expect(evil.status).toBe(403);
		expect(evil.headers.get('access-control-allow-origin')).toBe('https://evil.example.net');
		expect(((await evil.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
		const forged = await post('messages', JSON.stringify({ token: token.slice(0, -4) + 'AAAA', clientId: 'e2e-client-0005', text: 'hi' }));
		expect(forged.status).toBe(401);
	});

	it('a long poll answers within a few reads when an operator’s answer arrives, and stops reading TeamSpirit when the browser goes away', async () => {
		const { token, visitorId } = await session();
		await post('messages', JSON.stringify({ token, clientId: 'e2e-client-0006', text: 'hello?' }));
		const chat = transcriptOf(visitorId)!;
		const first = (await (await fetch(`${base}messages?token=${encodeURIComponent(token)}`, { headers: { origin: PAGE } })).json()) as { digest: string };
		const reads = () => ts.requests.filter((r) => r.method === 'GET' && r.path === `/api/v1/chats/${chat.id}/messages`).length;
		const url = `${base}messages?token=${encodeURIComponent(token)}&since=${first.digest}&wait=1`;
		const before = reads();
		const waiting = fetch(url, { headers: { origin: PAGE } });
		await waitFor('the poll reading the transcript', () => reads() >= before + 2);
		await fetch(`${ts.url}/api/v1/chats/${chat.id}/messages`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ts.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ text: 'We are here', externalKey: 'out:e2e-answer' }),
		});
		const atAnswer = reads();
		const answered = await waiting;
		// it answers on its next read of the transcript or the one after (one may have been under
		// way), not at its deadline ~22 reads later: counted, not timed
		expect(reads() - atAnswer).toBeLessThanOrEqual(3);
		const woke = (await answered.json()) as { messages: Array<{ from: string; text: string }> };
		expect(woke.messages.at(-1)).toMatchObject({ from: 'agent', text: 'We are here' });

		// a browser that goes away: the poll stops reading within a couple of its 1 s rounds
		const latest = (await (await fetch(`${base}messages?token=${encodeURIComponent(token)}`, { headers: { origin: PAGE } })).json()) as { digest: string };
		const abort = new AbortController();
		const gone = fetch(`${base}messages?token=${encodeURIComponent(token)}&since=${latest.digest}&wait=1`, { headers: { origin: PAGE }, signal: abort.signal }).catch(() => undefined);
		const atStart = reads();
		await waitFor('the second poll reading', () => reads() >= atStart + 2);
		abort.abort();
		await gone;
		// reads stop: the count stays the same over three of the poll's rounds (it would go on for 25 s)
		let last = reads();
		let quiet = 0;
		await waitFor('the poll to stop reading', async () => {
			await new Promise((r) => setTimeout(r, 1000));
			const now = reads();
			quiet = now === last ? quiet + 1 : 0;
			last = now;
			return quiet >= 3;
		}, 20_000);
	});

	it('opened in a browser tab, widget.js is a page with the tag to copy (n8n\'s WEBHOOK_URL, not the Host asked); a <script> load gets the script', async () => {
		const url = `${base}widget.js`;
		const navigation = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' };
		// behind a proxy n8n is asked under another host: the tag still carries its WEBHOOK_URL
		const page = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
			const req = http.get(url, { headers: { ...navigation, host: 'n8n-internal:5678' } }, (res) => {
				let body = '';
				res.setEncoding('utf8');
				res.on('data', (chunk: string) => (body += chunk));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
			});
			req.on('error', reject);
		});
		expect([page.status, page.type]).toEqual([200, 'text/html; charset=utf-8']);
		expect(page.body).toContain(`&lt;script src=&quot;${url}&quot; async&gt;&lt;/script&gt;`);
		expect(page.body).not.toMatch(/<script/i);
		const scriptLoad = { accept: '*/*', 'sec-fetch-dest': 'script', 'sec-fetch-mode': 'no-cors' };
		const script = await fetch(url, { headers: scriptLoad });
		expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
		expect(await script.text()).toContain('teamspirit-chat');
		const again = await fetch(url, { headers: { ...scriptLoad, 'if-none-match': script.headers.get('etag')! } });
		expect(again.status).toBe(304);
	});
});
