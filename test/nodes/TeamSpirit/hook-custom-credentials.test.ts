import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritIncomingWebhookApi } from '../../../credentials/TeamSpiritIncomingWebhookApi.credentials';
import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { testCredential } from '../../harness';
import { jsonOf, runFixture, startSeededEmulator } from './setup';

let emulator: TeamSpiritEmulator;
beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
});
afterEach(async () => await emulator.stop());

describe('TeamSpirit node: incoming webhook', () => {
	it('posts through the hook URL with no API key, with sender name, format and links', async () => {
		const hook = emulator.addIncomingHook({ chatId: 'c_support' });
		const { status, output, everything } = await runFixture(emulator, 'incomingWebhook.post', {
			credentials: { teamSpiritIncomingWebhookApi: { webhookUrl: hook.url } },
		});
		expect(status).toBe('success');
		expect(jsonOf(output)).toEqual([{ ok: true, messageId: expect.stringMatching(/^m_/) }]);
		expect(emulator.hookMessages).toEqual([
			expect.objectContaining({
				chatId: 'c_support',
				text: 'Form submitted by Ada',
				format: 'markdown',
				username: 'Web form',
				attachments: [{ title: 'Open the form', url: 'https://forms.example.com/42' }],
			}),
		]);
		const post = emulator.requests.find((r) => r.path.startsWith('/hooks/'));
		expect(post?.headers.authorization).toBeUndefined();
		expect(everything).not.toContain(hook.token);
	});

	it('reports an unknown hook without showing its URL', async () => {
		const { status, error, everything } = await runFixture(emulator, 'incomingWebhook.post', {
			credentials: { teamSpiritIncomingWebhookApi: { webhookUrl: `${emulator.url}/hooks/not-a-real-token-123` } },
		});
		expect(status).toBe('error');
		expect(error?.message).toBe('TeamSpirit: Unknown hook (item 0)');
		expect(everything).not.toContain('not-a-real-token-123');
	});
});

describe('TeamSpirit node: custom API call', () => {
	it('calls any path with the credential’s key, and sends a JSON body', async () => {
		const { output } = await runFixture(emulator, 'customApiCall.request');
		expect(jsonOf(output)[0]).toMatchObject({ id: emulator.bot.id, isBot: true });
		expect(jsonOf(output)[1]).toMatchObject({ chatId: 'c_general', text: 'Raw call', format: 'plain' });
		expect(emulator.requests.slice(-2).map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
			['GET', '/api/v1/me', `Bearer ${emulator.apiKey}`],
			['POST', '/api/v1/chats/c_general/messages', `Bearer ${emulator.apiKey}`],
		]);
	});

	it('explains invalid JSON in the body before sending anything', async () => {
		const { status, error } = await runFixture(emulator, 'customApiCall.request', {
			edit: (wf) => {
				wf.nodes[2].parameters.body = '{"text": ';
			},
		});
		expect(status).toBe('error');
		expect(error?.message).toBe('Body is not valid JSON on item 1');
	});
});

describe('Credentials', () => {
	it('TeamSpirit API: the test succeeds with a valid key, even with a trailing slash in the URL', async () => {
		expect(await testCredential(new TeamSpiritApi(), { serverUrl: `${emulator.url}/`, apiKey: emulator.apiKey })).toEqual(
			expect.objectContaining({ status: 'OK' }),
		);
		expect(emulator.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/me', status: 200 });
	});

	it.each(['/api/v1', '/api/v1/', ' /api/v1 '])('TeamSpirit API: the test ignores %j at the end of the Server URL, as the nodes do', async (suffix) => {
		const serverUrl = suffix.startsWith(' ') ? ` ${emulator.url}${suffix.trim()} ` : `${emulator.url}${suffix}`;
		expect(await testCredential(new TeamSpiritApi(), { serverUrl, apiKey: emulator.apiKey })).toEqual(
			expect.objectContaining({ status: 'OK' }),
		);
		expect(emulator.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/me', status: 200 });
	});

	it('TeamSpirit API: the test fails with a wrong key and does not show the key', async () => {
		const result = await testCredential(new TeamSpiritApi(), { serverUrl: emulator.url, apiKey: 'wrong-key-987654' });
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain('wrong-key-987654');
		expect(emulator.requests.at(-1)?.status).toBe(401);
	});

	it('TeamSpirit API: the key is sent only as a Bearer header', async () => {
		await testCredential(new TeamSpiritApi(), { serverUrl: emulator.url, apiKey: emulator.apiKey });
		const request = emulator.requests.at(-1)!;
		expect(request.headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
		expect(JSON.stringify(request.query)).not.toContain(emulator.apiKey);
	});

	it('Incoming webhook: the test checks the hook without posting', async () => {
		const hook = emulator.addIncomingHook({ chatId: 'c_general' });
		const ok = await testCredential(new TeamSpiritIncomingWebhookApi(), { webhookUrl: hook.url });
		expect(ok.status).toBe('OK');
		expect(emulator.hookMessages).toHaveLength(0);
		const bad = await testCredential(new TeamSpiritIncomingWebhookApi(), { webhookUrl: `${emulator.url}/hooks/nope` });
		expect(bad.status).toBe('Error');
	});
});

describe('Secrets', () => {
	it('the API key appears nowhere in output, errors or logs, even when requests fail', async () => {
		emulator.failNext({ method: 'POST', path: /\/messages$/, status: 429, retryAfter: 0 });
		const ok = await runFixture(emulator, 'message.send');
		const failed = await runFixture(emulator, 'message.send-unknown-chat');
		const unreachable = await runFixture(emulator, 'chat.get', {
			credentials: { teamSpiritApi: { serverUrl: 'http://127.0.0.1:9', apiKey: emulator.apiKey } },
		});
		expect(unreachable.error?.message).toMatch(/^Could not reach TeamSpirit at http:\/\/127\.0\.0\.1:9/);
		for (const run of [ok, failed, unreachable]) {
			expect(run.logs.length).toBeGreaterThan(0);
			expect(run.everything).not.toContain(emulator.apiKey);
		}
	}, 60_000);
});
