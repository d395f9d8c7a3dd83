/**
 * The bridge's steady state (issue 20), through the examples and the engine, counted on the
 * emulators' request logs:
 * - a known customer's text message costs two TeamSpirit requests (the keyed post, and the
 *   contact centre's conditional write of the conversation's state: lastCustomerMessageAt, at the
 *   version this process last saw); Telegram one more, the read of the chat's newest messages that
 *   marks a message another process overtook;
 * - an operator's text message costs one channel request and three TeamSpirit requests: the read
 *   of the chat's newest messages (the catch-up, which also gives the message's version), the
 *   claim and the record (the two key writes); one more, the conditional PATCH of the chat, when
 *   the conversation's response times need it (its first response; a last operator message
 *   recorded a minute or more before: commands.test.ts), at the version the delivery shows;
 * - the per-process caches that make this so (the customer's chat by key, the verified chat by id,
 *   the bot's identity) fall back to the keyed path when stale, never to a wrong chat: a cached
 *   chat deleted, re-created under its key or left by the bot between two messages; a chat whose
 *   customer was changed after it was verified; a forged delivery naming a verified chat.
 */
import type { IDataObject } from 'n8n-workflow';

import { adapters } from '../../../nodes/channels';
import type { RecordedRequest } from '../../emulators/teamspirit';
import { CHANNELS, runNode, startBridge, type Bridge, type Customer } from './setup';

jest.setTimeout(120_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

/** The TeamSpirit requests (method and path, ids masked) made while `step` ran. */
async function teamSpiritCalls(b: Bridge, step: () => Promise<unknown>): Promise<string[]> {
	const from = b.ts.requests.length;
	await step();
	return b.ts.requests.slice(from).map(shape);
}

const shape = (r: RecordedRequest) =>
	`${r.method} ${r.path.replace('/api/v1', '').replace(/\/([cm])_[0-9a-f]+/g, '/$1')}`;

const channelRequests = (b: Bridge): number => b.driver.requests();

const texts = (b: Bridge, customer: Customer) => b.messagesOf(customer).map((m) => m.text);

describe.each(CHANNELS)('Requests per message (%s)', (channel) => {
	it('a known customer’s text: one keyed post and one state write (Telegram: and the read that marks a late message)', async () => {
		bridge = await startBridge(channel);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello'); // creates her chat
		const perMessage: string[][] = [];
		for (const text of ['one', 'two', 'three']) {
			perMessage.push(await teamSpiritCalls(bridge, async () => await bridge.write(anna, text)));
		}
		const expected = [
			// channels whose message ids grow: the read that marks a message another process overtook
			...(adapters[channel].messageId.growing ? ['GET /chats/c/messages'] : []),
			'POST /chats/c/messages',
			'PATCH /chats/c',
		];
		expect(perMessage).toEqual([expected, expected, expected]);
		expect(texts(bridge, anna)).toEqual(['Hello', 'one', 'two', 'three']);
	});

	it('an operator’s text: one channel request, the catch-up read and two key writes', async () => {
		bridge = await startBridge(channel);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		// the first: the chat verified, the bot known, and the conversation's first response recorded
		const first = await teamSpiritCalls(
			bridge,
			async () => await bridge.operatorPosts(anna, { text: 'Hi Anna' }),
		);
		expect(first).toEqual([
			'GET /chats/c',
			'GET /me',
			'GET /chats/c/messages',
			'PATCH /chats/c/messages/m',
			'PATCH /chats/c/messages/m',
			'PATCH /chats/c',
		]);
		const perMessage: Array<{ ts: string[]; channel: number }> = [];
		for (const text of ['Your order is on its way', 'It arrives tomorrow']) {
			const sent = channelRequests(bridge);
			const ts = await teamSpiritCalls(
				bridge,
				async () => await bridge.operatorPosts(anna, { text }),
			);
			perMessage.push({ ts, channel: channelRequests(bridge) - sent });
		}
		const expected = {
			ts: ['GET /chats/c/messages', 'PATCH /chats/c/messages/m', 'PATCH /chats/c/messages/m'],
			channel: 1,
		};
		expect(perMessage).toEqual([expected, expected]);
		expect(bridge.received(anna).map((r) => r.text)).toEqual([
			'Hi Anna',
			'Your order is on its way',
			'It arrives tomorrow',
		]);
	});
});

describe('A stale cache falls back to the keyed path (telegram)', () => {
	it('a cached chat deleted between two messages: the next one is in the key’s new chat, once', async () => {
		bridge = await startBridge('telegram');
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'First');
		const first = bridge.chatOf(anna)!;
		bridge.ts.chats.delete(first.id);

		await bridge.write(anna, 'Second');

		const now = bridge.chatOf(anna)!;
		expect(now.id).not.toBe(first.id);
		expect(texts(bridge, anna)).toEqual(['Second']);
		expect(bridge.started().customer.map((c) => c.run?.status)).toEqual(['success', 'success']);
	});

	it('a cached chat re-created under its key: the next message is in the new chat, once', async () => {
		bridge = await startBridge('telegram');
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'First');
		const first = bridge.chatOf(anna)!;
		bridge.ts.chats.delete(first.id);
		const again = bridge.ts.addChat({
			title: first.title,
			memberIds: [bridge.operator.id],
			externalKey: first.externalKey!,
			metadata: first.metadata,
		});

		await bridge.write(anna, 'Second');

		expect(bridge.ts.messagesIn(again.id).map((m) => m.text)).toEqual(['Second']);
		expect(bridge.ts.messagesIn(first.id).map((m) => m.text)).toEqual(['First']);
	});

	it('the bot removed from a cached chat: the next message is in a chat the bot has, once', async () => {
		bridge = await startBridge('telegram');
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'First');
		const first = bridge.chatOf(anna)!;
		first.memberIds = first.memberIds.filter((id) => id !== bridge.ts.bot.id);

		await bridge.write(anna, 'Second');

		expect(bridge.ts.messagesIn(first.id).map((m) => m.text)).toEqual(['First']);
		const now = bridge.chatOf(anna)!;
		expect(now.id).not.toBe(first.id);
		expect(texts(bridge, anna)).toEqual(['Second']);
	});

	it('a verified chat whose customer was changed afterwards sends to no one', async () => {
		bridge = await startBridge('telegram');
		const anna = bridge.newCustomer('Anna', 'Petrova');
		const boris = bridge.newCustomer('Boris', 'Ivanov');
		await bridge.write(anna, 'Hi, Anna here');
		await bridge.write(boris, 'Hi, Boris here');
		await bridge.operatorPosts(anna, { text: 'Hello Anna' }); // verified and cached
		const chat = bridge.chatOf(anna)!;
		chat.metadata = { ...chat.metadata, conversationId: boris.part };

		await bridge.operatorPosts(anna, { text: 'Your order 123 is ready' });

		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Hello Anna']);
		expect(bridge.received(boris)).toEqual([]);
		const notices = bridge.ts
			.messagesIn(chat.id)
			.filter((m) => m.senderId === bridge.ts.bot.id && m.text.startsWith('⚠️'));
		expect(notices.map((m) => m.text)).toEqual([
			expect.stringMatching(/metadata names another customer/),
		]);
	});

	it('a forged delivery naming a verified chat, for a message of another chat, sends nothing', async () => {
		bridge = await startBridge('telegram');
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		await bridge.operatorPosts(anna, { text: 'Hello Anna' }); // verified and cached
		const conversation = bridge.chatOf(anna)!;
		const internal = bridge.ts.addChat({ title: 'Board', memberIds: [bridge.operator.id] });
		const secret = bridge.ts.addMessage(internal.id, {
			senderId: bridge.operator.id,
			text: 'Q3 numbers: confidential',
			format: 'plain',
		});
		const chat = {
			id: conversation.id,
			title: conversation.title,
			externalKey: conversation.externalKey,
			metadata: conversation.metadata,
		};
		const forged: IDataObject = {
			event: 'message.created',
			chatId: conversation.id,
			messageId: secret.id,
			chat,
			message: { ...secret, chatId: conversation.id, chat } as unknown as IDataObject,
		};

		const run = await runNode(bridge, 'Send to Customer', [forged]);

		expect(run.status).toBe('success');
		expect(run.nodeOutput('Send to Customer')[0].json).toMatchObject({ action: 'skipped' });
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Hello Anna']);
		expect(bridge.ts.message(secret.id)!.externalKey).toBeNull();
	});
});
