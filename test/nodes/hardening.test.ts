/**
 * The request envelope's guarantees, for every transport, through n8n-core's real execution
 * engine against servers that misbehave (test/emulators/hostile.ts):
 * - a credential never reaches a host other than the configured one (redirects);
 * - no secret reaches an error, an execution or a log, even when the server echoes the request;
 * - every attempt has its own timeout; a server-given wait is clamped;
 * - Return All stops on a repeated cursor; the Custom API Call stays below /api/v1.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { TeamSpiritApi } from '../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritIncomingWebhookApi } from '../../credentials/TeamSpiritIncomingWebhookApi.credentials';
import { TeamSpiritMessengerApi } from '../../credentials/TeamSpiritMessengerApi.credentials';
import { TeamSpiritTelegramApi } from '../../credentials/TeamSpiritTelegramApi.credentials';
import { TeamSpiritTwilioApi } from '../../credentials/TeamSpiritTwilioApi.credentials';
import { TeamSpiritWhatsAppCloudApi } from '../../credentials/TeamSpiritWhatsAppCloudApi.credentials';
import { ChatChannel } from '../../nodes/ChatChannel/ChatChannel.node';
import { TeamSpirit } from '../../nodes/TeamSpirit/TeamSpirit.node';
import { TIMEOUTS } from '../../nodes/shared/http';
import { DEFAULT_RETRY } from '../../nodes/shared/retry';
import { hostile, type HostileServer } from '../emulators/hostile';
import { logsToText, runWorkflow, testCredential, type WorkflowJson } from '../harness';
import { loadWorkflow as loadChannelWorkflow } from './ChatChannel/setup';
import { loadWorkflow as loadTeamSpiritWorkflow } from './TeamSpirit/setup';

const TS_KEY = 'ts-secret-api-key-0123456789';
const TS_HOOK_TOKEN = 'hooktoken0123456789abcdef';
const TG_TOKEN = '123456789:AAHsecretTokenValue_abcdefghijklmnop';
const TW = {
	accountSid: `AC${'a'.repeat(32)}`,
	authToken: 'twilio-secret-auth-token-abcdef',
	apiKeySid: `SK${'b'.repeat(32)}`,
	apiKeySecret: 'twilio-secret-api-key-secret-xyz',
};
const FB = { pageId: '1000000001', accessToken: 'EAAGsecretPageToken1234567890', appSecret: 'app-secret-0987654321', verifyToken: 'verify-me-123456', graphVersion: 'v23.0' };
const WA = { accessToken: 'EAAGsecretWhatsAppToken0987654321', phoneNumberId: '106540352242922', appSecret: 'wa-app-secret-1122334455', verifyToken: 'wa-verify-6677889900', graphVersion: 'v23.0' };
const BASIC_TOKEN = Buffer.from(`${TW.accountSid}:${TW.authToken}`).toString('base64');
const BASIC_KEY = Buffer.from(`${TW.apiKeySid}:${TW.apiKeySecret}`).toString('base64');
const SECRETS = [TS_KEY, TS_HOOK_TOKEN, TG_TOKEN, TW.authToken, TW.apiKeySecret, BASIC_TOKEN, BASIC_KEY, FB.accessToken, FB.appSecret, WA.accessToken, WA.appSecret];

type Channel = 'teamspirit' | 'telegram' | 'whatsapp' | 'messenger' | 'whatsappcloud';

async function run(kind: Channel | 'incomingWebhook', baseUrl: string, fixture?: string, edit?: (wf: WorkflowJson) => void) {
	let workflow: WorkflowJson;
	let nodeName: string;
	if (kind === 'teamspirit' || kind === 'incomingWebhook') {
		workflow = loadTeamSpiritWorkflow(fixture ?? (kind === 'incomingWebhook' ? 'incomingWebhook.post' : 'user.get'));
		nodeName = 'TeamSpirit';
	} else {
		workflow = loadChannelWorkflow(fixture ?? { telegram: 'message.send', whatsapp: 'whatsapp.message.send', messenger: 'messenger.message.send', whatsappcloud: 'whatsappcloud.message.send' }[kind]);
		nodeName = 'Chat Channel';
	}
	edit?.(workflow);
	const result = await runWorkflow({
		workflow,
		nodeTypes: { 'n8n-nodes-teamspirit.teamSpirit': new TeamSpirit(), 'n8n-nodes-teamspirit.chatChannel': new ChatChannel() },
		credentialTypes: [new TeamSpiritApi(), new TeamSpiritIncomingWebhookApi(), new TeamSpiritTelegramApi(), new TeamSpiritTwilioApi(), new TeamSpiritMessengerApi(), new TeamSpiritWhatsAppCloudApi()],
		credentials: {
			teamSpiritApi: { serverUrl: baseUrl, apiKey: TS_KEY },
			teamSpiritIncomingWebhookApi: { webhookUrl: `${baseUrl}/hooks/${TS_HOOK_TOKEN}` },
			teamSpiritTelegramApi: { accessToken: TG_TOKEN, baseUrl },
			teamSpiritTwilioApi: { ...TW, baseUrl },
			teamSpiritMessengerApi: { ...FB, baseUrl },
			teamSpiritWhatsAppCloudApi: { ...WA, baseUrl },
		},
	});
	let output: INodeExecutionData[] | undefined;
	try {
		output = result.nodeOutput(nodeName);
	} catch {
		output = undefined;
	}
	const everything = JSON.stringify(result.run.data.resultData) + logsToText(result.logs) + String(result.error?.stack ?? '');
	return { ...result, output, everything };
}

const servers: HostileServer[] = [];
async function server<T extends HostileServer>(started: Promise<T>): Promise<T> {
	const s = await started;
	servers.push(s);
	return s;
}
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async (s) => await s.stop()));
	jest.restoreAllMocks();
});

const credentialOf = (received: string) => SECRETS.filter((secret) => received.includes(secret) || received.includes(encodeURIComponent(secret)));

describe('no credential leaves the host the user configured', () => {
	it.each<[Channel | 'incomingWebhook', string | undefined]>([
		['teamspirit', 'user.get'],
		['teamspirit', 'file.download'],
		['teamspirit', 'customApiCall.request'],
		['incomingWebhook', undefined],
		['telegram', undefined],
		['whatsapp', undefined],
		['messenger', undefined],
		['whatsappcloud', undefined],
	])('%s %s: a 302 to another host is not followed with the credential', async (kind, fixture) => {
		const elsewhere = await server(hostile.recorder());
		const redirector = await server(hostile.redirect(elsewhere.url));
		const { status, error, everything } = await run(kind, redirector.url, fixture);
		expect(redirector.requests.length).toBeGreaterThan(0);
		expect(credentialOf(elsewhere.received())).toEqual([]);
		expect(elsewhere.requests.filter((r) => r.headers.authorization)).toEqual([]);
		expect(status).toBe('error');
		expect(error?.message).toMatch(/redirect|HTTP 302|302/i);
		expect(credentialOf(everything)).toEqual([]);
	});

	it.each<[string, () => { type: { test?: unknown } & object; data: Record<string, string> }]>([
		['TeamSpirit API', () => ({ type: new TeamSpiritApi(), data: { serverUrl: '', apiKey: TS_KEY } })],
		['Incoming Webhook', () => ({ type: new TeamSpiritIncomingWebhookApi(), data: { webhookUrl: '' } })],
		['Telegram', () => ({ type: new TeamSpiritTelegramApi(), data: { accessToken: TG_TOKEN, baseUrl: '' } })],
		['Twilio', () => ({ type: new TeamSpiritTwilioApi(), data: { ...TW, baseUrl: '' } })],
		['Messenger', () => ({ type: new TeamSpiritMessengerApi(), data: { ...FB, baseUrl: '' } })],
		['WhatsApp (Cloud API)', () => ({ type: new TeamSpiritWhatsAppCloudApi(), data: { ...WA, baseUrl: '' } })],
	])('the %s credential test does not follow a redirect to another host', async (_name, make) => {
		const elsewhere = await server(hostile.recorder());
		const redirector = await server(hostile.redirect(elsewhere.url));
		const { type, data } = make();
		for (const key of ['serverUrl', 'baseUrl']) if (key in data) data[key] = redirector.url;
		if ('webhookUrl' in data) data.webhookUrl = `${redirector.url}/hooks/${TS_HOOK_TOKEN}`;
		const result = await testCredential(type as never, data);
		expect(result.status).toBe('Error');
		expect(elsewhere.requests).toEqual([]);
		expect(credentialOf(JSON.stringify(result))).toEqual([]);
	});
});

describe('no secret in an error, an execution or a log', () => {
	it.each<[Channel | 'incomingWebhook', number, string]>([
		['teamspirit', 404, 'text/html'],
		['teamspirit', 502, 'application/json'],
		['incomingWebhook', 404, 'text/html'],
		['telegram', 404, 'text/html'],
		['telegram', 400, 'application/json'],
		['whatsapp', 404, 'text/html'],
		['whatsapp', 400, 'application/json'],
		['messenger', 404, 'text/html'],
		['messenger', 400, 'application/json'],
		['whatsappcloud', 404, 'text/html'],
		['whatsappcloud', 400, 'application/json'],
	])('%s: an error page (%i, %s) that echoes the request shows none of the credentials', async (kind, status, type) => {
		const echo = await server(hostile.echo(status, type));
		const result = await run(kind, echo.url);
		expect(result.status).toBe('error');
		// the page did echo them: otherwise the test proves nothing
		expect(credentialOf(echo.received()).length).toBeGreaterThan(0);
		expect(credentialOf(result.everything)).toEqual([]);
		expect(result.everything).toContain('[redacted]');
	});
});

describe('no request waits longer than its own timeout; server-given waits are clamped', () => {
	it('a TeamSpirit server that accepts and never answers costs one timeout per attempt, then a clear error', async () => {
		jest.replaceProperty(TIMEOUTS, 'api', 300);
		const silent = await server(hostile.silent());
		const { status, error } = await run('teamspirit', silent.url, 'user.get');
		expect(status).toBe('error');
		expect(error?.message).toMatch(/Could not reach TeamSpirit/);
		expect(error?.description).toMatch(/timeout/i);
		// a read is retried: each attempt ended by its own timeout (5 attempts, not one long wait)
		expect(silent.requests.length).toBe(5);
	});

	it.each([['-5'], ['abc'], ['']])('Retry-After %j is not trusted: backoff, bounded attempts, no hot loop', async (value) => {
		const limited = await server(
			hostile.handler((_req, res) => {
				res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': value });
				res.end(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }));
			}),
		);
		const { status } = await run('teamspirit', limited.url, 'user.get');
		expect(status).toBe('error');
		expect(limited.requests.length).toBe(5);
	});

	it('a Retry-After of a day ends at once with a clear error instead of waiting', async () => {
		const limited = await server(
			hostile.handler((_req, res) => {
				res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '86400' });
				res.end('{}');
			}),
		);
		const { status, error } = await run('teamspirit', limited.url, 'user.get');
		expect(status).toBe('error');
		expect(error?.message).toMatch(/asked to wait 86400 s/);
		expect(limited.requests.length).toBe(1);
	});

	it('a TeamSpirit 429 answered again and again ends once the waits of the one request would pass the total cap, naming the wait', async () => {
		// 2 s in all instead of 3 minutes: the server asks for 1 s each time
		jest.replaceProperty(DEFAULT_RETRY, 'maxTotalWaitMs', 2000);
		const limited = await server(
			hostile.handler((_req, res) => {
				res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '1' });
				res.end(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }));
			}),
		);
		const { status, error } = await run('teamspirit', limited.url, 'user.get');
		expect(status).toBe('error');
		expect(error?.message).toMatch(/asked to wait 1 s more after this request had already waited 2 s; one request waits at most 2 s in all/);
		// waited 1 s + 1 s, then gave up instead of a third wait (5 attempts before)
		expect(limited.requests.length).toBe(3);
	});

	it('a Telegram flood wait answered again and again ends at the total cap with an error naming the wait', async () => {
		jest.replaceProperty(DEFAULT_RETRY, 'maxTotalWaitMs', 2000);
		const limited = await server(
			hostile.handler((_req, res) => {
				res.writeHead(429, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } }));
			}),
		);
		const { status, error } = await run('telegram', limited.url);
		expect(status).toBe('error');
		expect(error?.message).toMatch(/retry after 1/);
		expect(error?.description).toMatch(/Telegram asked to wait 1 s more after this request had already waited 2 s; one request waits at most 2 s in all/);
		// three items sent side by side: each request waited 1 s + 1 s, then gave up (5 attempts before)
		expect(limited.requests.length).toBeLessThanOrEqual(9);
	});
});

describe('lists and paths a server or a user controls', () => {
	it('Return All stops with a clear error when the server repeats a cursor', async () => {
		const looping = await server(
			hostile.handler((_req, res) => {
				res.writeHead(200, { 'Content-Type': 'application/json' });
				res.end(JSON.stringify({ items: [{ id: 'c_1', title: 'Again' }], nextCursor: 'same-cursor' }));
			}),
		);
		const { status, error } = await run('teamspirit', looping.url, 'chat.getAll', (wf) => {
			wf.nodes[2].parameters.returnAll = true;
		});
		expect(status).toBe('error');
		expect(error?.message).toMatch(/cursor "same-cursor" twice/);
		expect(looping.requests.length).toBe(2);
	});

	it.each([['../../hooks/abc'], ['%2e%2e/%2e%2e/hooks/abc'], ['..\\..\\hooks\\abc'], ['https://elsewhere.example/x']])(
		'the Custom API Call refuses the path %j, which leaves /api/v1, before sending anything',
		async (path) => {
			const recorder = await server(hostile.recorder());
			const { status, error } = await run('teamspirit', recorder.url, 'customApiCall.request', (wf) => {
				wf.nodes[1].parameters.items = JSON.stringify([{ path }]);
			});
			expect(status).toBe('error');
			expect(error?.message).toMatch(/leaves the TeamSpirit API/);
			expect(recorder.requests).toEqual([]);
		},
	);

	it('the Custom API Call resolves a path that stays inside /api/v1', async () => {
		const recorder = await server(hostile.recorder());
		const { status } = await run('teamspirit', recorder.url, 'customApiCall.request', (wf) => {
			wf.nodes[1].parameters.items = JSON.stringify([{ path: '/api/v1/chats/../users?query=ada' }]);
		});
		expect(status).toBe('success');
		expect(recorder.requests.map((r) => r.url)).toEqual(['/api/v1/users?query=ada']);
	});
});
