/**
 * The TeamSpirit credential is read once per node run, not once (or twice) per request: n8n reads a
 * credential from its database and decrypts it on every `getCredentials`, which was most of the
 * node's own work per item in a bulk send. The harness counts those reads
 * (`credentialsHelper.decryptions`). Reading it once must not weaken anything: the key still goes
 * to the configured server only, and never shows in an error.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { HostileServer } from '../../emulators/hostile';
import { hostile } from '../../emulators/hostile';
import type { WorkflowJson } from '../../harness';
import { jsonOf, runFixture, startSeededEmulator } from './setup';

let emulator: TeamSpiritEmulator;
const servers: HostileServer[] = [];
beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
});
afterEach(async () => {
	await emulator.stop();
	await Promise.all(servers.splice(0).map(async (s) => await s.stop()));
});

const reads = (result: { credentialsHelper: { decryptions: Map<string, number> } }) =>
	result.credentialsHelper.decryptions.get('teamSpiritApi') ?? 0;

function messagesTo(chats: number, count: number) {
	for (let c = 0; c < chats; c++) emulator.addChat({ id: `c_cred${c}`, title: `Cred ${c}` });
	return Array.from({ length: count }, (_, i) => ({ chatId: `c_cred${i % chats}`, text: `message ${i}` }));
}

function sendWith(items: unknown[], options: INodeParameters = {}) {
	return {
		edit: (wf: WorkflowJson) => {
			wf.nodes[1].parameters.items = JSON.stringify(items);
			wf.nodes[2].parameters.options = options;
		},
	};
}

describe('TeamSpirit node: the credential is read once per node run', () => {
	it.each([
		['Concurrent Chats 8 (default)', {}],
		['Concurrent Chats 1 (item after item)', { concurrentChats: 1 }],
	])('%s: 60 messages to 6 chats read the credential once', async (_name, options) => {
		const items = messagesTo(6, 60);
		const result = await runFixture(emulator, 'message.send', sendWith(items, options));
		expect(result.status).toBe('success');
		expect(jsonOf(result.output)).toHaveLength(60);
		const posts = emulator.requests.filter((r) => r.method === 'POST');
		expect(posts).toHaveLength(60);
		// every request was signed with the key, as the credential's authenticate does
		expect(posts.every((r) => r.headers.authorization === `Bearer ${emulator.apiKey}`)).toBe(true);
		expect(reads(result)).toBe(1);
	});

	it('retried requests (429, 503) and Return All pages read it no more often', async () => {
		emulator.failNext({ method: 'POST', path: /\/messages$/, status: 503, skip: 3 });
		emulator.failNext({ method: 'POST', path: /\/messages$/, status: 429, retryAfter: 0, skip: 5 });
		const items = messagesTo(3, 12);
		const send = await runFixture(emulator, 'message.send', sendWith(items));
		expect(send.status).toBe('success');
		expect(emulator.requests.filter((r) => r.method === 'POST')).toHaveLength(14);
		expect(reads(send)).toBe(1);

		// two items, each reading several pages of 100
		for (let i = 0; i < 250; i++) emulator.addMessage('c_busy', { text: `old ${i}` });
		const pages = await runFixture(emulator, 'message.getAll');
		expect(pages.status).toBe('success');
		expect(jsonOf(pages.output)).toHaveLength(250 + 120);
		expect(emulator.requests.filter((r) => r.method === 'GET').length).toBeGreaterThanOrEqual(5);
		expect(reads(pages)).toBe(1);
	});

	it('a missing credential still fails every item on its own (Continue On Fail), naming it', async () => {
		const items = messagesTo(2, 4);
		const result = await runFixture(emulator, 'message.send', {
			credentials: {},
			edit: (wf) => {
				wf.nodes[1].parameters.items = JSON.stringify(items);
				wf.nodes[2].onError = 'continueRegularOutput';
			},
		});
		expect(result.status).toBe('success');
		const output = result.output as INodeExecutionData[];
		expect(output.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		for (const item of output) expect(String(item.json.error)).toMatch(/does not exist/);
		expect(emulator.requests.filter((r) => r.method === 'POST')).toEqual([]);
	});
});

describe('TeamSpirit node: the key read once still never shows in an error', () => {
	const KEY = 'ts-secret-api-key-0123456789abcdef';

	it.each([
		['a bulk send (Concurrent Chats), Continue On Fail', true],
		['a bulk send (Concurrent Chats), failing the node', false],
	])('%s: a server echoing the request (Authorization included) in its error page', async (_name, continueOnFail) => {
		// 400: refused at once (a 5xx would be retried with backoff first)
		const echo = await hostile.echo(400, 'application/json');
		servers.push(echo);
		const items = Array.from({ length: 6 }, (_, i) => ({ chatId: `c_${i % 3}`, text: `message ${i}` }));
		const result = await runFixture(emulator, 'message.send', {
			credentials: { teamSpiritApi: { serverUrl: echo.url, apiKey: KEY } },
			edit: (wf) => {
				wf.nodes[1].parameters.items = JSON.stringify(items);
				if (continueOnFail) wf.nodes[2].onError = 'continueRegularOutput';
			},
		});
		// the key did reach the server it belongs to, in the Authorization header
		expect(echo.requests.length).toBeGreaterThan(0);
		expect(echo.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
		// … and nowhere in what n8n shows: output, errors, logs, the stack
		const everything = result.everything + String(result.error?.stack ?? '');
		expect(everything).toMatch(/\[redacted\]/);
		expect(everything).not.toContain(KEY);
		expect(everything).not.toContain(encodeURIComponent(KEY));
		if (continueOnFail) {
			expect(result.output).toHaveLength(6);
			for (const item of result.output ?? []) expect(String(item.json.error)).toMatch(/TeamSpirit/);
		} else {
			expect(result.status).toBe('error');
		}
		expect(reads(result)).toBe(1);
	});

	it('the header is the credential’s own authenticate, the key trimmed', async () => {
		const recorder = await hostile.recorder();
		servers.push(recorder);
		const result = await runFixture(emulator, 'message.send', {
			credentials: { teamSpiritApi: { serverUrl: `${recorder.url}/api/v1/`, apiKey: `  ${KEY} ` } },
		});
		expect(result.status).toBe('success');
		const signed = await new TeamSpiritApi().authenticate({ apiKey: `  ${KEY} ` }, { url: '/' });
		// the fixture's three messages, to the server as configured (trailing /api/v1/ ignored)
		expect(recorder.requests.map((r) => r.url)).toEqual([
			'/api/v1/chats/c_general/messages',
			'/api/v1/chats/c_support/messages',
			'/api/v1/chats/c_general/messages',
		]);
		for (const request of recorder.requests)
			expect(request.headers.authorization).toBe(signed.headers?.Authorization);
		expect(reads(result)).toBe(1);
	});
});
