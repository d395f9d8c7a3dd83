/**
 * Map Fields Automatically (Send to Chat, Send to User, Reply): the chat, the text and the
 * idempotency key come from each item's fields of those names, with no expression in the node,
 * through the real engine against the emulator.
 */
import type { INodeParameters } from 'n8n-workflow';

import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import type { WorkflowJson } from '../../harness';
import { jsonOf, loadWorkflow, pairedOf, runFixture, startSeededEmulator } from './setup';

let emulator: TeamSpiritEmulator;
beforeEach(async () => ({ emulator } = await startSeededEmulator()));
afterEach(async () => await emulator.stop());

type Item = Record<string, unknown>;

/** The `message.send-auto` fixture with other items, node parameters or node settings. */
function auto(items?: Item[], parameters: INodeParameters = {}, node: Partial<WorkflowJson['nodes'][number]> = {}) {
	return {
		edit: (wf: WorkflowJson) => {
			if (items) wf.nodes[1].parameters.items = JSON.stringify(items);
			Object.assign(wf.nodes[2].parameters, parameters);
			Object.assign(wf.nodes[2], node);
		},
	};
}

const posts = () => emulator.requests.filter((r) => r.method === 'POST' && /\/messages$/.test(r.path));
const textsIn = (chatId: string) => emulator.messagesIn(chatId).map((m) => m.text);

describe('TeamSpirit node: Map Fields Automatically', () => {
	it('sends each item to its chatId with its text and idempotencyKey, no expression in the node; output in input order with pairedItem', async () => {
		const { status, output } = await runFixture(emulator, 'message.send-auto');
		expect(status).toBe('success');
		expect(JSON.stringify(loadWorkflow('message.send-auto').nodes[2].parameters)).not.toContain('{{');
		expect(jsonOf(output).map((m) => [m.chatId, m.text, m.format])).toEqual([
			['c_general', 'Auto *one*', 'markdown'],
			['c_support', 'Auto two', 'markdown'],
			['c_general', 'Auto three', 'markdown'],
		]);
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(posts().map((p) => p.headers['idempotency-key'])).toEqual(
			expect.arrayContaining(['order-1', 'order-2', 'order-3']),
		);
		expect(textsIn('c_general').slice(-2)).toEqual(['Auto *one*', 'Auto three']);
	});

	it('runs the same items again without posting anything twice: the idempotencyKey field keeps them once', async () => {
		const first = await runFixture(emulator, 'message.send-auto');
		const second = await runFixture(emulator, 'message.send-auto');
		expect(second.status).toBe('success');
		expect(jsonOf(second.output).map((m) => m.id)).toEqual(jsonOf(first.output).map((m) => m.id));
		expect(textsIn('c_general').filter((t) => t.startsWith('Auto'))).toEqual(['Auto *one*', 'Auto three']);
		expect(textsIn('c_support')).toEqual(['Auto two']);
	});

	it('names the missing or empty field and the item; with Continue On Fail an error item in its place and the others sent', async () => {
		const items: Item[] = [
			{ chatId: 'c_general', text: 'first' },
			{ chatId: 'c_general' },
			{ text: 'no chat' },
			{ chatId: 'c_support', text: '   ' },
			{ chatId: { id: 'c_general' }, text: 'object chat' },
			{ chatId: 'c_support', text: 'last' },
		];
		const { status, output } = await runFixture(emulator, 'message.send-auto', auto(items, {}, { onError: 'continueRegularOutput' }));
		expect(status).toBe('success');
		expect(jsonOf(output)).toEqual([
			expect.objectContaining({ text: 'first' }),
			{ error: 'The field "text" is missing on item 1' },
			{ error: 'The field "chatId" is missing on item 2' },
			{ error: 'The field "text" is empty on item 3' },
			{ error: 'The field "chatId" is not text (object) on item 4' },
			expect.objectContaining({ text: 'last' }),
		]);
		expect(pairedOf(output)).toEqual(items.map((_, item) => ({ item })));
		expect(posts()).toHaveLength(2);
	});

	it('without Continue On Fail fails with the missing field and the item', async () => {
		const items: Item[] = [{ chatId: 'c_general', text: 'ok' }, { chatId: 'c_general', message: 'wrong name' }];
		const { status, error } = await runFixture(emulator, 'message.send-auto', auto(items));
		expect(status).toBe('error');
		expect(error?.message).toBe('The field "text" is missing on item 1');
		expect(error?.context?.itemIndex).toBe(1);
		expect(error?.description).toContain('Map Each Field Manually');
	});

	it('ignores an Idempotency Key left in Options from the manual mode: each item keeps its own key', async () => {
		const items: Item[] = [
			{ chatId: 'c_general', text: 'a', idempotencyKey: 'k-a' },
			{ chatId: 'c_general', text: 'b', idempotencyKey: 'k-b' },
		];
		const { status } = await runFixture(emulator, 'message.send-auto', auto(items, { options: { idempotencyKey: 'same' } }));
		expect(status).toBe('success');
		expect(posts().map((p) => p.headers['idempotency-key'])).toEqual(['k-a', 'k-b']);
		expect(textsIn('c_general').slice(-2)).toEqual(['a', 'b']);
	});

	it('sends to many chats at once, each chat in input order (Concurrent Chats applies)', async () => {
		for (let c = 0; c < 6; c++) emulator.addChat({ id: `c_auto${c}` });
		emulator.latencyMs = 10;
		const items = Array.from({ length: 36 }, (_, i) => ({ chatId: `c_auto${i % 6}`, text: `m ${i}` }));
		const { status, output } = await runFixture(emulator, 'message.send-auto', auto(items, { options: { concurrentChats: 3 } }));
		expect(status).toBe('success');
		expect(jsonOf(output).map((m) => m.text)).toEqual(items.map((i) => i.text));
		expect(emulator.maxInFlight).toBeGreaterThan(1);
		expect(emulator.maxInFlight).toBeLessThanOrEqual(3);
		for (let c = 0; c < 6; c++)
			expect(textsIn(`c_auto${c}`)).toEqual(items.filter((i) => i.chatId === `c_auto${c}`).map((i) => i.text));
	});

	it('Send to User takes userId, Reply takes chatId and messageId; fileIds attach files', async () => {
		const file = emulator.addFile({ name: 'a.txt', mimeType: 'text/plain', content: 'a' });
		const dm = await runFixture(
			emulator,
			'message.send-auto',
			auto([{ userId: 'u_alice', text: 'Hi Alice', fileIds: [file.id] }, { text: 'nobody' }], { operation: 'sendToUser' }, { onError: 'continueRegularOutput' }),
		);
		expect(jsonOf(dm.output)).toEqual([
			expect.objectContaining({ text: 'Hi Alice', files: [expect.objectContaining({ id: file.id })] }),
			{ error: 'The field "userId" is missing on item 1' },
		]);
		const reply = await runFixture(
			emulator,
			'message.send-auto',
			auto([{ chatId: 'c_general', messageId: 'm_question', text: 'Answered' }], { operation: 'reply' }),
		);
		expect(jsonOf(reply.output)).toEqual([expect.objectContaining({ text: 'Answered', replyToId: 'm_question' })]);
	});
});
