/**
 * TeamSpirit → Message → Search (an AI agent's tool): the messages of the chats the admin listed
 * that contain every word of the query, newest first across those chats, read page by page from
 * `GET /chats/{id}/messages` (no search API). A chat not listed is never read.
 */
import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpirit } from '../../../nodes/TeamSpirit/TeamSpirit.node';
import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { runLoadOptions } from '../../harness';
import { NODE_TYPE, jsonOf, runFixture, startSeededEmulator } from './setup';

let emulator: TeamSpiritEmulator;

const at = (minute: number) => `2026-12-05T10:${String(minute).padStart(2, '0')}:00.000Z`;

beforeAll(async () => {
	({ emulator } = await startSeededEmulator());
	emulator.addMessage('c_general', { senderId: 'u_alice', text: 'Our refund policy: 30 days', createdAt: at(1) });
	emulator.addMessage('c_support', { senderId: 'u_bob', text: 'Refund only with a receipt', createdAt: at(2) });
	emulator.addMessage('c_support', { senderId: 'u_bob', text: 'The POLICY on réfunds changed', createdAt: at(3) });
	// a chat no one listed holds the newest match
	emulator.addMessage('c_busy', { text: 'refund policy (secret)', createdAt: at(4) });
	emulator.addMessage('c_general', { text: 'Lunch?', createdAt: at(5) });
});

afterAll(async () => {
	await emulator?.stop();
});

const search = async (parameters: IDataObject, continueOnFail = false) =>
	await runFixture(emulator, 'message.getAll', {
		edit: (workflow) => {
			const node = workflow.nodes.find((n) => n.name === 'TeamSpirit')!;
			node.parameters = { resource: 'message', operation: 'search', ...parameters };
			if (continueOnFail) node.onError = 'continueRegularOutput';
			const items = workflow.nodes.find((n) => n.name === 'Items')!;
			items.parameters = { items: '[{}]' };
		},
	});

describe('TeamSpirit node: Message → Search', () => {
	it('finds every message containing all the words (any case, accents ignored) in the listed chats, newest first, with who wrote it', async () => {
		const { output, status } = await search({ chatIds: ['c_general', 'c_support'], query: 'Refund policy' });
		expect(status).toBe('success');
		expect(
			jsonOf(output).map((m) => ({ chatId: m.chatId, chatTitle: m.chatTitle, text: m.text, senderName: m.senderName })),
		).toEqual([
			{ chatId: 'c_support', chatTitle: 'Support desk', text: 'The POLICY on réfunds changed', senderName: 'Bob Boyd' },
			{ chatId: 'c_general', chatTitle: 'General', text: 'Our refund policy: 30 days', senderName: 'Alice Archer' },
		]);
		// the chat no one listed is not even read
		expect(emulator.requests.some((r) => r.path.startsWith('/api/v1/chats/c_busy'))).toBe(false);
	});

	it('gives at most Limit results, the newest', async () => {
		const { output } = await search({ chatIds: ['c_general', 'c_support'], query: 'refund', limit: 2 });
		expect(jsonOf(output).map((m) => m.text)).toEqual([
			'The POLICY on réfunds changed',
			'Refund only with a receipt',
		]);
	});

	it('reads no further back than Messages to Read per Chat', async () => {
		const { output } = await search({
			chatIds: ['c_general'],
			query: 'refund',
			searchOptions: { depth: 1 },
		});
		expect(jsonOf(output)).toEqual([]);
	});

	it('is an error when an expression gives no chats (nothing read), and Continue On Fail goes on', async () => {
		const before = emulator.requests.length;
		// n8n itself refuses to run the node with the list empty (the field is required)
		const { output } = await search({ chatIds: '={{ [] }}', query: 'refund' }, true);
		expect(jsonOf(output)).toEqual([{ error: 'No chats to search on item 0' }]);
		expect(emulator.requests.length).toBe(before);
	});
});

describe('TeamSpirit node: the chats picker of Search', () => {
	it("lists the bot's chats by title, every page of them", async () => {
		for (let i = 0; i < 120; i++) emulator.addChat({ title: `Room ${String(i).padStart(3, '0')}` });
		const chats = await runLoadOptions({
			type: NODE_TYPE,
			nodeType: new TeamSpirit(),
			method: 'getChats',
			credentialTypes: [new TeamSpiritApi()],
			credentials: { teamSpiritApi: { serverUrl: emulator.url, apiKey: emulator.apiKey } },
			node: {
				parameters: { resource: 'message', operation: 'search' },
				credentials: { teamSpiritApi: { id: '1', name: 'TeamSpirit account' } },
			},
		});
		expect(chats).toHaveLength(123);
		expect(chats.slice(0, 3)).toEqual([
			{ name: 'Busy chat', value: 'c_busy' },
			{ name: 'General', value: 'c_general' },
			{ name: 'Room 000', value: expect.stringMatching(/^c_/) },
		]);
	});
});
