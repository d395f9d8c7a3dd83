/**
 * Telegram: the poller never trusts a server-given wait, every wait ends on deactivation and
 * leaves nothing behind; a file larger than Telegram said is stopped at the cap; an update that
 * cannot be read still starts its workflow, with a notice.
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TelegramEmulator } from '../../emulators/telegram';
import { startWebhookTrigger, type RunningTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { startPolling, TRIGGER_TYPE } from './setup';

let tg: TelegramEmulator;
const running: RunningTrigger[] = [];
const hooks: WebhookTrigger[] = [];
const MB = 1024 * 1024;

beforeEach(async () => {
	seenEvents.clear();
	tg = await TelegramEmulator.start();
});
afterEach(async () => {
	for (const t of running.splice(0)) await t.close();
	for (const hook of hooks.splice(0)) await hook.close();
	await tg.stop();
});

async function poll(options: IDataObject = {}) {
	const trigger = await startPolling(tg, { parameters: { channel: 'telegram', mode: 'polling', options: { pollTimeout: 1, ...options } } });
	running.push(trigger);
	return trigger;
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('Chat Channel Trigger (Telegram, long polling): server-given waits', () => {
	it.each([
		['99999 (28 hours)', 99999],
		['-5', -5],
		['1e10 (past setTimeout’s range)', 1e10],
		['"abc"', 'abc'],
	])('answered 429 with retry_after %s: no hot loop, stops on close, no timer or listener left', async (_label, retryAfter) => {
		const warnings: Error[] = [];
		const onWarning = (warning: Error) => warnings.push(warning);
		process.on('warning', onWarning);
		try {
			tg.failNext({ method: 'getUpdates', status: 429, retryAfter, count: 100_000 });
			const trigger = await poll();
			await new Promise((resolve) => setTimeout(resolve, 2000));
			const calls = tg.calls('getUpdates').length;
			expect(calls).toBeGreaterThanOrEqual(1);
			expect(calls).toBeLessThanOrEqual(4);
			// every wait the poller chose is within [1 s, 5 min] (its own backoff for an unreadable value: from 0.5 s)
			const waits = trigger.logs().map((l) => /polling again in (\d+) ms/.exec(l.message)?.[1]).filter(Boolean).map(Number);
			expect(waits.length).toBeGreaterThanOrEqual(1);
			expect(waits.every((ms) => ms >= 500 && ms <= 300_000)).toBe(true);
			const armed = timers();
			// close() itself waits at most 2 s for the poller (its own clock, not asserted here:
			// a loaded machine may take longer to get there); what must hold is that it stopped
			await trigger.close();
			// the pause's timer went with it, and no poll follows (a waiting poller would ask again
			// within the clamped 1 s)
			expect(timers()).toBeLessThan(armed);
			const afterClose = tg.calls('getUpdates').length;
			await new Promise((resolve) => setTimeout(resolve, 1500));
			expect(tg.calls('getUpdates').length).toBe(afterClose);
			expect(warnings.filter((w) => /MaxListenersExceeded|TimeoutOverflow/.test(`${w.name} ${w.message}`))).toEqual([]);
		} finally {
			process.off('warning', onWarning);
		}
	}, 15_000);

	it('waits what the server asked for, within [1 s, 5 min]: a 429 with retry_after 2 is honoured, then polling resumes', async () => {
		tg.failNext({ method: 'getUpdates', status: 429, retryAfter: 2, count: 1 });
		const trigger = await poll();
		await tg.waitFor(() => tg.polling, 6000, 'the poll after the wait');
		const [first, second] = tg.calls('getUpdates');
		expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1900);
		tg.pushMessage({ chatId: 1, text: 'after the wait' });
		await trigger.waitForItems(1);
	}, 15_000);
});

describe('Chat Channel Trigger (Telegram): what a sender or server controls', () => {
	it('stops a download at the cap on the bytes: a file Telegram calls 1 KB that streams 3 MB without Content-Length is not stored', async () => {
		tg.chunkedFiles = true;
		const big = tg.addFile(Buffer.alloc(3 * MB, 5), { fileName: 'big.bin', size: 1000 });
		const small = tg.addFile(Buffer.alloc(2500, 5), { fileName: 'small.bin' });
		const trigger = await poll({ download: true, maxDownloadMb: 1 });
		tg.pushMessage({ chatId: 1, extra: { document: { file_id: big.file_id, file_name: 'big.bin', file_size: 1000 } } });
		tg.pushMessage({ chatId: 1, extra: { document: { file_id: small.file_id, file_name: 'small.bin' } } });
		await trigger.waitForItems(2);
		const [first, second] = trigger.items();
		expect(first.binary).toBeUndefined();
		expect((first.json.attachments as IDataObject[])[0].notice).toMatch(/more than the 1 MB set in "Max File Size"/);
		expect((second.json.attachments as IDataObject[])[0]).toMatchObject({ size: 2500, binaryProperty: 'data' });
	});

	it('an update that cannot be read still starts its workflow, with a notice, and the next one follows (polling)', async () => {
		const trigger = await poll();
		const bad = tg.pushUpdate({ message: { message_id: 1, date: 1e20, chat: { id: 5, type: 'private' }, from: { id: 5, first_name: 'X' }, text: 'broken date' } });
		tg.pushMessage({ chatId: 6, text: 'fine' });
		await trigger.waitForItems(2);
		const [first, second] = trigger.items().map((i) => i.json);
		expect(first).toMatchObject({ channel: 'telegram', event: 'other', eventId: `telegram:${tg.botId}:${bad.update_id}`, notice: expect.stringMatching(/^This event could not be read/) });
		expect(second).toMatchObject({ text: 'fine' });
	});

	it('an update that cannot be read still starts its workflow, with a notice (webhook)', async () => {
		const hook = await startWebhookTrigger({
			workflow: {
				id: 'wf-tg-hardening',
				name: 'hardening',
				nodes: [
					{
						id: 'n1',
						name: 'Chat Channel Trigger',
						type: TRIGGER_TYPE,
						typeVersion: 1,
						position: [0, 0],
						webhookId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
						parameters: { channel: 'telegram', mode: 'webhook', updates: ['message'] },
						credentials: { teamSpiritTelegramApi: { id: '1', name: 'bot' } },
					},
				],
				connections: {},
			} as unknown as WorkflowJson,
			nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
			credentialTypes: [new TeamSpiritTelegramApi()],
			credentials: { teamSpiritTelegramApi: { accessToken: tg.token, baseUrl: tg.url } },
			listen: true,
		});
		hooks.push(hook);
		await hook.activate();
		tg.pushUpdate({ message: { message_id: 1, date: 1e20, chat: { id: 5, type: 'private' }, from: { id: 5, first_name: 'X' }, text: 'broken date' } });
		await tg.waitFor(() => tg.deliveries.length >= 1, 5000, 'the delivery');
		await hook.settled();
		expect(tg.deliveries.map((d) => d.status)).toEqual([200]);
		const [call] = hook.calls.filter((c) => c.started);
		expect(call.workflowData![0][0].json).toMatchObject({ event: 'other', notice: expect.stringMatching(/^This event could not be read/) });
	});
});
