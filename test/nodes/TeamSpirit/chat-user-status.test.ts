import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpirit } from '../../../nodes/TeamSpirit/TeamSpirit.node';
import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { runListSearch } from '../../harness';
import { NODE_TYPE, jsonOf, pairedOf, runFixture, startSeededEmulator } from './setup';

let emulator: TeamSpiritEmulator;
beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
});
afterEach(async () => await emulator.stop());

describe('TeamSpirit node: chats', () => {
	it('gets chats by ID', async () => {
		const { output } = await runFixture(emulator, 'chat.get');
		expect(jsonOf(output)).toEqual([
			expect.objectContaining({ id: 'c_general', title: 'General', type: 'group' }),
			expect.objectContaining({ id: 'c_support', title: 'Support desk' }),
		]);
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('lists chats filtered by title, up to the limit', async () => {
		emulator.addChat({ title: 'Support EMEA' });
		emulator.addChat({ title: 'Support APAC' });
		const { output } = await runFixture(emulator, 'chat.getAll');
		expect(jsonOf(output).map((c) => c.title)).toEqual(['Support desk', 'Support EMEA']);
		const list = emulator.requests.find((r) => r.path === '/api/v1/chats');
		expect(list?.query).toEqual({ query: 'sup', limit: '2' });
	});

	it('creates a group chat with members from a comma-separated list', async () => {
		const { output } = await runFixture(emulator, 'chat.create');
		const [chat] = jsonOf(output);
		expect(chat).toMatchObject({ title: 'Incident 42', type: 'group' });
		expect(chat.memberIds).toEqual(expect.arrayContaining([emulator.bot.id, 'u_alice', 'u_bob']));
		expect(emulator.chats.get(chat.id as string)?.title).toBe('Incident 42');
	});

	it('adds members given as an array, removes a member, marks a chat as read', async () => {
		const added = await runFixture(emulator, 'chat.addMembers');
		expect(jsonOf(added.output)[0].memberIds).toEqual(expect.arrayContaining(['u_alice', 'u_bob']));
		expect(emulator.requests.at(-1)?.body).toEqual({ userIds: ['u_alice', 'u_bob'] });

		const removed = await runFixture(emulator, 'chat.removeMember');
		expect(jsonOf(removed.output)).toEqual([{ removed: true, chatId: 'c_general', userId: 'u_bob' }]);
		expect(emulator.chats.get('c_general')?.memberIds).not.toContain('u_bob');

		const read = await runFixture(emulator, 'chat.markAsRead');
		expect(jsonOf(read.output)).toEqual([{ read: true, chatId: 'c_general', messageId: 'm_answer' }]);
		expect(emulator.readMarkers.get('c_general')).toBe('m_answer');
	});

	it('does not resend a chat creation after a 503 (it has no idempotency key)', async () => {
		emulator.failNext({ method: 'POST', path: /^\/api\/v1\/chats$/, status: 503, afterAccepting: true });
		const { status, error } = await runFixture(emulator, 'chat.create');
		expect(status).toBe('error');
		expect(error?.message).toContain('(item 0)');
		expect([...emulator.chats.values()].filter((c) => c.title === 'Incident 42')).toHaveLength(1);
		expect(emulator.requests.filter((r) => r.path === '/api/v1/chats' && r.method === 'POST')).toHaveLength(1);
	});

	it('retries a read after a 503, since reading twice is harmless', async () => {
		emulator.failNext({ method: 'GET', path: /^\/api\/v1\/chats\/c_general$/, status: 503, count: 2 });
		const { status, output } = await runFixture(emulator, 'chat.get');
		expect(status).toBe('success');
		expect(jsonOf(output)[0].id).toBe('c_general');
	});
});

describe('TeamSpirit node: users and status', () => {
	it('gets a user, searches users, reads a status', async () => {
		emulator.setStatus('u_alice', { status: 'busy', text: 'On a call', until: '2026-12-01T10:00:00.000Z' });
		const user = await runFixture(emulator, 'user.get');
		expect(jsonOf(user.output)).toEqual([expect.objectContaining({ id: 'u_alice', name: 'Alice Archer', username: 'alice' })]);

		const found = await runFixture(emulator, 'user.getAll');
		expect(jsonOf(found.output).map((u) => u.id)).toEqual(['u_bob']);

		const status = await runFixture(emulator, 'user.getStatus');
		expect(jsonOf(status.output)).toEqual([
			{ userId: 'u_alice', status: 'busy', text: 'On a call', until: '2026-12-01T10:00:00.000Z' },
		]);
	});

	it("sets the bot's status with text and expiry", async () => {
		const { output } = await runFixture(emulator, 'status.set');
		expect(jsonOf(output)).toEqual([{ status: 'busy', text: 'In a meeting', until: '2026-12-01T17:00:00.000Z' }]);
		expect(emulator.statuses.get(emulator.bot.id)).toMatchObject({ status: 'busy', text: 'In a meeting' });
		expect(emulator.requests.at(-1)).toMatchObject({ method: 'PUT', path: '/api/v1/me/status' });
	});

	it('rejects an expiry that is not a date before calling TeamSpirit', async () => {
		const { status, error } = await runFixture(emulator, 'status.set', {
			edit: (wf) => {
				wf.nodes[1].parameters.items = JSON.stringify([{ until: 'next tuesday' }]);
			},
		});
		expect(status).toBe('error');
		expect(error?.message).toBe('Until "next tuesday" is not a date on item 0');
		expect(emulator.requests.filter((r) => r.path === '/api/v1/me/status')).toHaveLength(0);
	});
});

describe('TeamSpirit node: chat and user pickers', () => {
	const search = (method: string, filter?: string, paginationToken?: string) =>
		runListSearch({
			type: NODE_TYPE,
			nodeType: new TeamSpirit(),
			method,
			filter,
			paginationToken,
			credentialTypes: [new TeamSpiritApi()],
			credentials: { teamSpiritApi: { serverUrl: emulator.url, apiKey: emulator.apiKey } },
			node: { credentials: { teamSpiritApi: { id: '1', name: 'TeamSpirit account' } } },
		});

	it('lists chats matching what the user types, and users with their usernames', async () => {
		expect((await search('searchChats', 'supp')).results).toEqual([{ name: 'Support desk', value: 'c_support' }]);
		expect((await search('searchUsers', 'ali')).results).toEqual([{ name: 'Alice Archer (@alice)', value: 'u_alice' }]);
	});

	it('pages through long chat lists', async () => {
		for (let i = 0; i < 150; i++) emulator.addChat({ title: `Room ${i}` });
		const first = await search('searchChats');
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBeTruthy();
		const second = await search('searchChats', undefined, first.paginationToken as string);
		expect(second.results).toHaveLength(53);
		expect(second.paginationToken).toBeUndefined();
	});
});
