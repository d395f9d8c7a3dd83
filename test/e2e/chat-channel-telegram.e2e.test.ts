/**
 * End to end in a real n8n (`n8n start`, the packed package installed as a community package):
 * the Telegram echo bot from examples/ in long-polling mode against the Telegram emulator —
 * messages arrive and are answered, an n8n restart neither loses nor repeats one — and webhook
 * mode, where a request with a wrong secret token gets 403 and starts nothing.
 *
 * Run with `npm run test:e2e` (scripts/e2e.sh).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { TelegramEmulator } from '../emulators/telegram';
import {
	createN8nHome,
	formatTimings,
	importCredentials,
	importWorkflow,
	installPackageTarball,
	publishWorkflow,
	REPO_ROOT,
	startN8n,
	timings,
	type N8nHome,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';

const tarball = process.env.TS_PACKAGE_TARBALL;
const ECHO = path.join(REPO_ROOT, 'examples', 'telegram-echo-bot.json');

async function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
	const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
	await response.text();
	return response.status;
}

describe('Chat Channel (Telegram) in a real n8n', () => {
	let home: N8nHome;
	let n8n: RunningN8n | undefined;
	let tg: TelegramEmulator;
	let hooked: TelegramEmulator;
	/** The webhook-mode trigger's id, given at import (the example has none). */
	let hookWebhookId: string;
	const started = Date.now();

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		home = await createN8nHome({ prefix: 'n8n-e2e-telegram-' });
		await installPackageTarball(home, tarball);
		tg = await TelegramEmulator.start();
		hooked = await TelegramEmulator.start({ token: '555000111:AAwebhookBOTtokenFORtheE2Etest_abcdefg' });
		await importCredentials(home, [
			{ id: 'telegram-bot', name: 'Telegram bot', type: 'teamSpiritTelegramApi', data: { accessToken: tg.token, baseUrl: tg.url } },
			{ id: 'telegram-hook', name: 'Telegram webhook bot', type: 'teamSpiritTelegramApi', data: { accessToken: hooked.token, baseUrl: hooked.url } },
		]);
		const echo = JSON.parse(fs.readFileSync(ECHO, 'utf8')) as WorkflowJson;
		await publishWorkflow(home, await importWorkflow(home, echo));

		// the same workflow in webhook mode, on a second bot
		const webhook = JSON.parse(fs.readFileSync(ECHO, 'utf8')) as WorkflowJson;
		webhook.name = 'Telegram echo bot (webhook)';
		for (const node of webhook.nodes) {
			node.id = `${node.id.slice(0, -4)}be${node.id.slice(-2)}`;
			node.credentials = { teamSpiritTelegramApi: { id: 'telegram-hook', name: 'Telegram webhook bot' } };
			if (node.type === 'n8n-nodes-teamspirit.chatChannelTrigger') node.parameters.mode = 'webhook';
		}
		await publishWorkflow(home, await importWorkflow(home, webhook));
		hookWebhookId = webhook.nodes.find((n) => n.type === 'n8n-nodes-teamspirit.chatChannelTrigger')!.webhookId as string;
		n8n = await startN8n(home);
	});

	afterAll(async () => {
		await n8n?.stop();
		await tg?.stop();
		await hooked?.stop();
		await home?.cleanup();
		timings.push({ label: 'telegram suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	const replies = () => tg.sentMessages().map((m) => m.text);

	it('long polling: answers a message pushed to Telegram, and the token never shows in n8n’s output', async () => {
		await tg.waitFor(() => tg.polling, 30_000, 'n8n to start long polling');
		const pushed = Date.now();
		tg.pushMessage({ chatId: 1001, text: 'hello' });
		await tg.waitFor(() => replies().length === 1, 15_000, 'the reply');
		const reply = tg.sentMessages(1001)[0];
		console.log(`[e2e] long polling: message pushed → reply sent in ${reply ? Date.now() - pushed : '?'} ms`);
		expect(reply).toMatchObject({ text: 'You said: hello', reply_to_message: { message_id: expect.any(Number) } });
		expect(n8n!.output()).not.toContain(tg.token);
	});

	it('survives an n8n restart without losing or repeating a message', async () => {
		tg.pushMessage({ chatId: 1002, text: 'before restart' });
		await tg.waitFor(() => replies().length === 2, 15_000, 'the second reply');
		await n8n!.stop();
		n8n = undefined;
		tg.pushMessage({ chatId: 1003, text: 'while down 1' });
		tg.pushMessage({ chatId: 1004, text: 'while down 2' });
		n8n = await startN8n(home);
		await tg.waitFor(() => replies().length >= 4, 30_000, 'replies to the messages sent while n8n was down');
		tg.pushMessage({ chatId: 1005, text: 'after restart' });
		await tg.waitFor(() => replies().length >= 5, 15_000, 'the reply after the restart');
		await new Promise((r) => setTimeout(r, 1500)); // room for a duplicate to show up
		expect(replies().sort()).toEqual(
			['hello', 'before restart', 'while down 1', 'while down 2', 'after restart'].map((t) => `You said: ${t}`).sort(),
		);
	});

	it('webhook mode: Telegram’s deliveries are answered; a wrong secret gets 403 and starts nothing', async () => {
		await hooked.waitFor(() => hooked.webhook !== null, 30_000, 'n8n to register the webhook');
		const { url, secretToken } = hooked.webhook!;
		expect(url).toBe(`${n8n!.url}/webhook/${hookWebhookId}/webhook`);
		expect(secretToken).toMatch(/^[0-9a-f]{64}$/);

		const forged = JSON.stringify({ update_id: 1, message: { message_id: 1, date: 1, chat: { id: 77, type: 'private' }, from: { id: 77, is_bot: false, first_name: 'Eve' }, text: 'forged' } });
		expect(await post(url, forged, { 'x-telegram-bot-api-secret-token': 'not-the-secret' })).toBe(403);
		expect(await post(url, forged, {})).toBe(403);

		hooked.pushMessage({ chatId: 2001, text: 'real' });
		await hooked.waitFor(() => hooked.sentMessages().length === 1, 15_000, 'the reply to the real update');
		await new Promise((r) => setTimeout(r, 1000));
		expect(hooked.sentMessages().map((m) => m.text)).toEqual(['You said: real']);
		expect(hooked.deliveries.map((d) => d.status)).toEqual([200]);
	});
});
