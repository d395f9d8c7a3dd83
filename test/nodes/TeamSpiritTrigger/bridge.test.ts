/**
 * The example workflow (examples/teamspirit-trigger-reply.json) end to end through the real
 * execution engine: a message in TeamSpirit starts the workflow, which replies in the same chat;
 * the reply comes back as a delivery too, and must not start the workflow again.
 */
import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { WebhookTrigger } from '../../harness';
import { startedCalls, startSeededEmulator, startTrigger, triggerWorkflow } from './setup';

let emulator: TeamSpiritEmulator;
let hook: WebhookTrigger;
beforeEach(async () => {
	({ emulator } = await startSeededEmulator({ autoDeliver: true }));
});
afterEach(async () => {
	await hook?.close();
	await emulator.stop();
});

describe('TeamSpirit Trigger: the reply example', () => {
	it('replies once in the same chat to each message, and does not trigger itself with its reply', async () => {
		hook = await startTrigger(emulator, triggerWorkflow(), { runWorkflow: true });
		await hook.activate();

		const { message, deliveries } = await emulator.postAsUser('c_support', 'u_alice', { text: 'Printer is on fire' });
		expect(deliveries.map((d) => d.status)).toEqual([200]); // answered before the workflow ran
		await hook.settled(); // the execution (which sends the reply)
		await emulator.settled(); // the reply's own delivery
		await hook.settled();

		const [call] = startedCalls(hook);
		expect(call.run?.status).toBe('success');
		expect(call.run?.executionOrder).toEqual(['TeamSpirit Trigger', 'Reply in TeamSpirit']);
		expect(emulator.messagesIn('c_support').map((m) => [m.senderId, m.text, m.replyToId])).toEqual([
			['u_alice', 'Printer is on fire', null],
			[emulator.bot.id, 'Got it: Printer is on fire', message.id],
		]);
		// the reply was delivered back and skipped
		const echo = emulator.deliveries.find((d) => JSON.parse(d.body).data.senderId === emulator.bot.id);
		expect(echo && [echo.status, JSON.parse(echo.responseBody)]).toEqual([200, { ok: true, ignored: 'the message is from the bot itself' }]);
		expect(startedCalls(hook)).toHaveLength(1);
	});
});
