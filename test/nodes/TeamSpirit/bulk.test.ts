/**
 * Bulk sends: the message-writing operations run different chats concurrently ("Concurrent
 * Chats"), one chat's items in input order, through the real engine against the emulator. Every
 * assertion is about what the server received or the node returned, never about how long it took.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { WorkflowJson } from '../../harness';
import { jsonOf, pairedOf, runFixture, startSeededEmulator } from './setup';

let emulator: TeamSpiritEmulator;
beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
	// every answer held back a little, so that concurrent requests overlap at the server
	emulator.latencyMs = 10;
});
afterEach(async () => await emulator.stop());

interface Item {
	chatId: string;
	text: string;
}

/** `perChat` messages to each of `chats` chats, interleaved (chat 0, 1, …, chat 0, 1, …). */
function bulk(chats: number, perChat: number): Item[] {
	for (let c = 0; c < chats; c++) emulator.addChat({ id: `c_bulk${c}`, title: `Bulk ${c}` });
	const items: Item[] = [];
	for (let round = 0; round < perChat; round++)
		for (let c = 0; c < chats; c++) items.push({ chatId: `c_bulk${c}`, text: `chat ${c} message ${round}` });
	return items;
}

type NodeJson = WorkflowJson['nodes'][number];

function sendWith(items: Item[], options: INodeParameters = {}, node: Partial<NodeJson> = {}) {
	return {
		edit: (wf: WorkflowJson) => {
			wf.nodes[1].parameters.items = JSON.stringify(items);
			wf.nodes[2].parameters.options = options;
			Object.assign(wf.nodes[2], node);
		},
	};
}

const posts = () => emulator.requests.filter((r) => r.method === 'POST' && /\/messages$/.test(r.path));
const textsIn = (chatId: string) => emulator.messagesIn(chatId).map((m) => m.text);
/** What each chat should hold: its items' texts, in input order. */
function expectedPerChat(items: Item[]): Map<string, string[]> {
	const byChat = new Map<string, string[]>();
	for (const item of items) byChat.set(item.chatId, [...(byChat.get(item.chatId) ?? []), item.text]);
	return byChat;
}

describe('TeamSpirit node: bulk sends (Concurrent Chats)', () => {
	it('sends 200 messages to 20 chats several at once: each chat gets its messages once and in input order, the output keeps input order with pairedItem', async () => {
		const items = bulk(20, 10);
		const { status, output } = await runFixture(emulator, 'message.send', sendWith(items));
		expect(status).toBe('success');
		for (const [chatId, texts] of expectedPerChat(items)) expect(textsIn(chatId)).toEqual(texts);
		expect(posts()).toHaveLength(200);
		expect(jsonOf(output).map((m) => [m.chatId, m.text])).toEqual(items.map((i) => [i.chatId, i.text]));
		expect(pairedOf(output)).toEqual(items.map((_, item) => ({ item })));
		// the default, 8, is used and never exceeded
		expect(emulator.maxInFlight).toBeGreaterThan(1);
		expect(emulator.maxInFlight).toBeLessThanOrEqual(8);
	});

	it('never has more requests in flight than Concurrent Chats allows; 1 sends item after item', async () => {
		const items = bulk(12, 4);
		const three = await runFixture(emulator, 'message.send', sendWith(items, { concurrentChats: 3 }));
		expect(three.status).toBe('success');
		expect(emulator.maxInFlight).toBeGreaterThan(1);
		expect(emulator.maxInFlight).toBeLessThanOrEqual(3);

		emulator.maxInFlight = 0;
		const one = await runFixture(emulator, 'message.send', sendWith(items, { concurrentChats: 1 }));
		expect(one.status).toBe('success');
		expect(emulator.maxInFlight).toBe(1);
		for (const [chatId, texts] of expectedPerChat(items)) expect(textsIn(chatId)).toEqual([...texts, ...texts]);
	});

	it('sends the items of one chat one at a time, in input order, whatever the option says', async () => {
		const items = bulk(1, 40);
		const { status } = await runFixture(emulator, 'message.send', sendWith(items, { concurrentChats: 16 }));
		expect(status).toBe('success');
		expect(emulator.maxInFlight).toBe(1);
		expect(textsIn('c_bulk0')).toEqual(items.map((i) => i.text));
	});

	it('sends direct messages to several users at once, each user’s in order', async () => {
		const users = Array.from({ length: 6 }, (_, u) => emulator.addUser({ id: `u_bulk${u}` }));
		const items = Array.from({ length: 30 }, (_, i) => ({ userId: users[i % 6].id, text: `dm ${i}` }));
		const { status, output } = await runFixture(emulator, 'message.sendToUser', {
			edit: (wf) => {
				wf.nodes[1].parameters.items = JSON.stringify(items);
				wf.nodes[2].parameters.userId = { __rl: true, mode: 'id', value: '={{ $json.userId }}' };
				wf.nodes[2].parameters.text = '={{ $json.text }}';
			},
		});
		expect(status).toBe('success');
		expect(jsonOf(output).map((m) => m.text)).toEqual(items.map((i) => i.text));
		expect(pairedOf(output)).toEqual(items.map((_, item) => ({ item })));
		expect(emulator.maxInFlight).toBeGreaterThan(1);
		for (const user of users) {
			const sent = posts().filter((p) => p.path === `/api/v1/users/${user.id}/messages`);
			expect(sent.map((p) => (p.body as { text: string }).text)).toEqual(
				items.filter((i) => i.userId === user.id).map((i) => i.text),
			);
		}
	});

	it('a 429 pauses every concurrent send until its Retry-After has passed, and every message arrives exactly once', async () => {
		const items = bulk(16, 6);
		// the 30th message post is refused with Retry-After: 2 s, while the others are in full flow
		emulator.failNext({ method: 'POST', path: /\/messages$/, status: 429, retryAfter: 2, skip: 29 });
		const { status, output } = await runFixture(emulator, 'message.send', sendWith(items));
		expect(status).toBe('success');

		const refused = posts().filter((p) => p.status === 429);
		expect(refused).toHaveLength(1);
		// each message created once, in order per chat; the refused one was sent again with its key
		for (const [chatId, texts] of expectedPerChat(items)) expect(textsIn(chatId)).toEqual(texts);
		expect(posts()).toHaveLength(items.length + 1);
		const keys = posts().map((p) => p.headers['idempotency-key']);
		expect(new Set(keys).size).toBe(items.length);
		expect(jsonOf(output).map((m) => m.text)).toEqual(items.map((i) => i.text));

		// While the server's 2 s ran, only requests sent before the node read the 429 (at most one
		// per concurrent chat, 8) reached it; without the shared pause the other chats would have
		// gone on sending (about one request every 10 ms each).
		const from = refused[0].answeredAt!;
		const during = emulator.requests.filter((r) => r.receivedAt > from && r.receivedAt < from + 2000);
		expect(during.length).toBeLessThanOrEqual(2 * 8);
		expect(emulator.maxInFlight).toBeLessThanOrEqual(8);
	});

	it('with Continue On Fail keeps an error item in place for each failed item and sends all the others in order', async () => {
		const items = bulk(10, 5);
		items[3] = { chatId: 'c_nope', text: 'lost 3' };
		items[27] = { chatId: 'c_gone', text: 'lost 27' };
		items[31] = { chatId: '', text: 'no chat 31' };
		const { status, output } = await runFixture(
			emulator,
			'message.send',
			sendWith(items, {}, { onError: 'continueRegularOutput' }),
		);
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual(items.map((_, item) => ({ item })));
		const json = jsonOf(output);
		expect(json[3]).toEqual({ error: "TeamSpirit: Chat 'c_nope' not found (item 3)" });
		expect(json[27]).toEqual({ error: "TeamSpirit: Chat 'c_gone' not found (item 27)" });
		expect(json[31]).toEqual({ error: 'Chat is empty on item 31' });
		const sent = items.filter((_, i) => ![3, 27, 31].includes(i));
		expect(json.filter((_, i) => ![3, 27, 31].includes(i)).map((m) => m.text)).toEqual(sent.map((i) => i.text));
		for (const [chatId, texts] of expectedPerChat(sent)) expect(textsIn(chatId)).toEqual(texts);
	});

	it('without Continue On Fail starts no new item after a failure, lets the running ones finish, and throws the error of the lowest failed item', async () => {
		const items = bulk(8, 12);
		// two unknown chats among the first eight: both run in the first wave
		items[5] = { chatId: 'c_gone', text: 'lost 5' };
		items[1] = { chatId: 'c_nope', text: 'lost 1' };
		const { status, error } = await runFixture(emulator, 'message.send', sendWith(items));
		expect(status).toBe('error');
		expect(error?.message).toBe("TeamSpirit: Chat 'c_nope' not found (item 1)");
		expect(error?.context?.itemIndex).toBe(1);

		// the sends stopped early, and every chat got a beginning of its messages, in order, once
		expect(posts().length).toBeLessThan(items.length);
		for (const [chatId, texts] of expectedPerChat(items.filter((i) => i.chatId.startsWith('c_bulk')))) {
			const got = textsIn(chatId);
			expect(got).toEqual(texts.slice(0, got.length));
		}
	});
});
