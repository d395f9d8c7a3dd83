/**
 * Order of customer conversations (issue 12), through the examples and the engine, with n8n's
 * default settings: a burst of customer messages 200 ms apart appears in TeamSpirit in the order
 * sent; a burst of operator messages reaches the customer in the order posted; a conversation
 * held up at the channel does not hold up another; deliveries of operator messages that arrive
 * in reverse order still reach the customer in creation order, once each (catch-up).
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { capturingLogger } from '../../harness';
import { telegramOf } from './drivers/telegram';
import { CHANNELS, PHOTO, shown, startBridge, until, type Bridge } from './setup';

jest.setTimeout(180_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const TEN = Array.from({ length: 10 }, (_, i) => `message ${i + 1}`);

describe.each(CHANNELS)('Conversation order (%s)', (channel) => {
	it('10 customer messages 200 ms apart appear in TeamSpirit in the order sent (TeamSpirit answering at uneven speed)', async () => {
		bridge = await startBridge(channel, { faultProxies: true });
		// every TeamSpirit answer takes 0–400 ms: executions overlap, and answers overtake each other
		bridge.tsProxy!.jitterMs = 400;
		const anna = bridge.newCustomer('Anna', 'Petrova');
		for (const text of TEN) {
			await bridge.writeNow(anna, text);
			await sleep(200);
		}
		await bridge.settle();

		expect(bridge.messagesOf(anna).map((m) => shown(m.text))).toEqual(TEN);
		expect(bridge.started().customer.map((c) => c.run?.status)).toEqual(Array(10).fill('success'));
	});

	it('10 operator messages posted in a row reach the customer in that order, once each', async () => {
		bridge = await startBridge(channel);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		for (const text of TEN) await bridge.operatorPostsNow(anna, text);
		await bridge.settle();

		expect(bridge.received(anna).map((r) => r.text)).toEqual(TEN);
		expect(bridge.started().operator.map((c) => c.run?.status)).toEqual(Array(10).fill('success'));
	});

	it('one conversation held up at the channel does not hold up another', async () => {
		bridge = await startBridge(channel, { faultProxies: true });
		const anna = bridge.newCustomer('Anna', 'Petrova');
		const boris = bridge.newCustomer('Boris', 'Ivanov');
		await bridge.write(anna, 'Hi, Anna here');
		await bridge.write(boris, 'Hi, Boris here');

		// the channel does not answer Anna's send (it is held at the proxy) until released
		const annaId = anna.part.replace(/^\+/, '');
		const toAnna = (r: { path: string; body: string }) =>
			bridge.driver.sentTo ? bridge.driver.sentTo(r, anna) : r.body.includes(annaId);
		bridge.channelProxy!.rule({
			match: (r) => r.method === 'POST' && bridge.channelDriver.sendPath.test(r.path) && toAnna(r),
			action: 'hold',
			count: 1,
		});
		await bridge.operatorPostsNow(anna, 'For Anna');
		await until(
			() => bridge.channelProxy!.seen.some((r) => r.outcome === 'held'),
			'Anna’s send to reach the channel',
		);
		await bridge.operatorPostsNow(boris, 'For Boris');
		await until(() => bridge.received(boris).length === 1, 'Boris to get his answer');
		expect(bridge.received(anna)).toEqual([]);

		bridge.channelProxy!.release();
		await bridge.settle();
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['For Anna']);
		expect(bridge.received(boris).map((r) => r.text)).toEqual(['For Boris']);
	});

	it('deliveries of 3 operator messages arriving in reverse order: the customer gets them in creation order, once each', async () => {
		bridge = await startBridge(channel);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const chat = bridge.chatOf(anna)!;
		// three operator messages TeamSpirit holds but has not delivered yet
		const now = Date.now();
		const posted = ['one', 'two', 'three'].map((text, i) =>
			bridge.ts.addMessage(chat.id, {
				senderId: bridge.operator.id,
				text,
				format: 'plain',
				createdAt: new Date(now - (3 - i) * 1000).toISOString(),
			}),
		);
		for (const message of [...posted].reverse()) {
			await bridge.ts.deliver('message.created', { ...message });
			await bridge.settle();
		}

		expect(bridge.received(anna).map((r) => r.text)).toEqual(['one', 'two', 'three']);
		const outputs = bridge
			.started()
			.operator.map((c) => c.run!.nodeOutput('Send to Customer')[0].json);
		expect(outputs[0]).toMatchObject({
			action: 'sent',
			messageId: posted[2].id,
			caughtUp: [posted[0].id, posted[1].id],
		});
		expect(outputs.slice(1).map((o) => o.action)).toEqual(['skipped', 'skipped']);
		// each is mapped to what it became at the customer
		expect(posted.map((m) => bridge.ts.message(m.id)!.externalKey)).toEqual(
			bridge.received(anna).map((r) => `${bridge.keyOf(anna)}#${r.id}`),
		);
	});
});

describe('Conversation order when executions overlap (Telegram)', () => {
	it('a photo still downloading when the next text arrives over a second connection: the text’s execution gets ahead, waits, and TeamSpirit gets the photo first', async () => {
		bridge = await startBridge('telegram', { faultProxies: true });
		const tg = telegramOf(bridge);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		// the photo's file download is held at the channel: its execution starts only after it
		bridge.channelProxy!.rule({
			match: (r) => r.method === 'GET' && /\/file\/bot/.test(r.path),
			action: 'hold',
			count: 1,
		});
		// (resolves once Telegram's delivery of it was answered: after the download)
		const photoDelivered = bridge.writeNow(anna, { text: 'The cup, broken', photo: PHOTO });
		await until(
			() => bridge.channelProxy!.seen.some((r) => r.outcome === 'held'),
			'the photo download to be held',
		);
		// Telegram delivers the customer's next message over another connection meanwhile
		const photo = tg.pending[0] as { update_id: number; message: Record<string, unknown> };
		const text = {
			update_id: photo.update_id + 1,
			message: {
				...photo.message,
				message_id: Number(photo.message.message_id) + 1,
				photo: undefined,
				caption: undefined,
				text: 'Can you replace it?',
			},
		};
		const logStart = capturingLogger.entries.length;
		const delivered = await fetch(tg.webhook!.url, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				'X-Telegram-Bot-Api-Secret-Token': tg.webhook!.secretToken!,
			},
			body: JSON.stringify(text),
		});
		expect(delivered.status).toBe(200);
		// the text's execution has reached Forward to TeamSpirit: it either posted (out of order)
		// or says it waits for the earlier message
		await until(
			() =>
				bridge.messagesOf(anna).some((m) => shown(m.text) === 'Can you replace it?') ||
				capturingLogger.entries
					.slice(logStart)
					.some((e) => /waits for 1 earlier message/.test(e.message)),
			'the text to reach Forward to TeamSpirit',
		);
		bridge.channelProxy!.release();
		await photoDelivered;
		await bridge.settle();
		await until(() => bridge.messagesOf(anna).length === 3, 'three messages in TeamSpirit');

		expect(bridge.messagesOf(anna).map((m) => [shown(m.text), m.files.length])).toEqual([
			['Hi', 0],
			['The cup, broken', 1],
			['Can you replace it?', 0],
		]);
		expect(bridge.started().customer.map((c) => c.run?.status)).toEqual(Array(3).fill('success'));
	});
});
