/**
 * Chat Channel → Conversation: Get, Get Many and Get Statistics read the conversations' state
 * from their TeamSpirit chats (docs/conversations.md), through the real engine and the emulator.
 */
import { humanDuration } from '../../../nodes/conversations/centre/stats';
import { chatPick, startCentre, type Centre, type Chat } from './conversation-ops-setup';

let centre: Centre;
let chats: Record<string, Chat>;

const times = (t: Record<string, string>) => ({
	createdAt: null,
	firstCustomerMessageAt: null,
	lastCustomerMessageAt: null,
	firstResponseAt: null,
	lastOperatorMessageAt: null,
	resolvedAt: null,
	...t,
});

/**
 * The period is 1 November 2026 (UTC). Telegram: A begun the day before, answered and resolved
 * in it; B, C, D begun in it; E resolved before it; F begun after it; H a chat from before the
 * contact centre (no state: open); a forged chat. WhatsApp: G, snoozed.
 */
beforeAll(async () => {
	centre = await startCentre();
	const { seed, alice, bob } = centre;
	chats = {
		A: seed({
			conversationId: '1001',
			name: 'Anna',
			state: {
				status: 'resolved',
				assigneeId: alice.id,
				queue: 'Support',
				times: times({
					createdAt: '2026-10-31T20:00:00.000Z',
					firstCustomerMessageAt: '2026-10-31T20:00:00.000Z',
					firstResponseAt: '2026-11-01T00:10:00.000Z',
					resolvedAt: '2026-11-01T02:00:00.000Z',
				}),
				rating: { score: 5, at: '2026-11-01T02:05:00.000Z' },
			},
		}),
		B: seed({
			conversationId: '1002',
			name: 'Boris',
			state: {
				status: 'open',
				assigneeId: alice.id,
				queue: 'Support',
				times: times({
					createdAt: '2026-11-01T09:00:00.000Z',
					firstCustomerMessageAt: '2026-11-01T09:00:00.000Z',
					firstResponseAt: '2026-11-01T09:02:00.000Z',
				}),
			},
		}),
		C: seed({
			conversationId: '1003',
			name: 'Chen',
			state: {
				status: 'resolved',
				assigneeId: bob.id,
				queue: 'Sales',
				times: times({
					createdAt: '2026-11-01T10:00:00.000Z',
					firstCustomerMessageAt: '2026-11-01T10:00:00.000Z',
					firstResponseAt: '2026-11-01T10:30:00.000Z',
					resolvedAt: '2026-11-01T12:00:00.000Z',
				}),
				rating: { score: 3, at: '2026-11-01T12:01:00.000Z' },
			},
		}),
		D: seed({
			conversationId: '1004',
			name: 'Dana',
			state: {
				status: 'pending',
				assigneeId: null,
				queue: 'Support',
				times: times({
					createdAt: '2026-11-01T11:00:00.000Z',
					firstCustomerMessageAt: '2026-11-01T11:00:00.000Z',
				}),
			},
		}),
		E: seed({
			conversationId: '1005',
			name: 'Emil',
			state: {
				status: 'resolved',
				assigneeId: bob.id,
				queue: 'Sales',
				times: times({
					createdAt: '2026-10-20T10:00:00.000Z',
					firstCustomerMessageAt: '2026-10-20T10:00:00.000Z',
					firstResponseAt: '2026-10-20T10:01:00.000Z',
					resolvedAt: '2026-10-21T10:00:00.000Z',
				}),
			},
		}),
		F: seed({
			conversationId: '1006',
			name: 'Fay',
			state: {
				status: 'open',
				assigneeId: bob.id,
				queue: 'Sales',
				times: times({
					createdAt: '2026-11-03T10:00:00.000Z',
					firstCustomerMessageAt: '2026-11-03T10:00:00.000Z',
					firstResponseAt: '2026-11-03T10:01:00.000Z',
				}),
			},
		}),
		G: seed({
			channel: 'whatsapp',
			conversationId: 'whatsapp:+4915100000007',
			name: 'Gus',
			state: {
				status: 'snoozed',
				snoozedUntil: '2026-11-05T09:00:00.000Z',
				assigneeId: bob.id,
				queue: 'Sales',
				times: times({
					createdAt: '2026-11-01T08:00:00.000Z',
					firstCustomerMessageAt: '2026-11-01T08:00:00.000Z',
					firstResponseAt: '2026-11-01T08:01:00.000Z',
				}),
			},
		}),
		H: seed({ conversationId: '1008', name: 'Hugo', createdAt: '2026-11-01T05:00:00.000Z' }),
		forged: seed({
			conversationId: '1009',
			name: 'Forged',
			forged: true,
			state: { status: 'open', times: times({ createdAt: '2026-11-01T05:00:00.000Z' }) },
		}),
	};
	centre.ts.addChat({ title: 'Team', memberIds: [alice.id] });
});
afterAll(async () => {
	await centre?.stop();
});

const NOVEMBER_1 = {
	operation: 'getStatistics',
	period: 'custom',
	from: '2026-11-01T00:00:00.000Z',
	to: '2026-11-02T00:00:00.000Z',
};

describe('Get Statistics', () => {
	it("counts the channel's conversations live in the period by status, queue and operator, with the medians of the period", async () => {
		const { output, status } = await centre.run(NOVEMBER_1);
		expect(status).toBe('success');
		expect(output).toHaveLength(1);
		const { alice, bob } = centre;
		expect(output![0]).toMatchObject({
			channel: 'telegram',
			from: '2026-11-01T00:00:00.000Z',
			to: '2026-11-02T00:00:00.000Z',
			conversations: 5,
			open: 2,
			pending: 1,
			snoozed: 0,
			resolved: 2,
			byStatus: { open: 2, pending: 1, snoozed: 0, resolved: 2 },
			createdInPeriod: 4,
			resolvedInPeriod: 2,
			// first responses in the period: 4 h 10 min, 2 min, 30 min
			medianFirstResponseSeconds: 1800,
			medianFirstResponse: '30 min',
			firstResponses: 3,
			// resolutions in the period: 6 h, 2 h
			medianResolutionSeconds: 14400,
			medianResolution: '4 h',
			resolutions: 2,
			averageRating: 4,
			ratings: 2,
			byQueue: [
				{
					queue: 'Support',
					conversations: 3,
					open: 1,
					pending: 1,
					resolved: 1,
					resolvedInPeriod: 1,
				},
				{ queue: 'Sales', conversations: 1, resolved: 1, resolvedInPeriod: 1 },
				{ queue: null, conversations: 1, open: 1 },
			],
			byOperator: [
				{ assigneeId: alice.id, name: 'Alice Martin', conversations: 2, open: 1, resolved: 1 },
				{ assigneeId: null, name: 'Unassigned', conversations: 2, open: 1, pending: 1 },
				{ assigneeId: bob.id, name: 'Bob Boyd', conversations: 1, resolved: 1 },
			],
		});
		expect(String(output![0].summary)).toContain('Median first response: 30 min (3)');
		expect(String(output![0].summary)).toContain('By operator: Alice Martin 2 (1 open)');
	});

	it('over all channels also counts the other channels’ conversations', async () => {
		const { output } = await centre.run({
			...NOVEMBER_1,
			statisticsOptions: { channels: 'all' },
		});
		expect(output![0]).toMatchObject({
			channel: 'all',
			conversations: 6,
			snoozed: 1,
			createdInPeriod: 5,
			// 1 min, 2 min, 30 min, 4 h 10 min
			medianFirstResponseSeconds: 960,
			medianFirstResponse: '16 min',
		});
	});

	it('reads the chats in pages of 100, narrowed to the channel, and each operator’s name once', async () => {
		const before = centre.ts.requests.length;
		await centre.run(NOVEMBER_1);
		const requests = centre.ts.requests.slice(before);
		const lists = requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/chats');
		expect(lists.map((r) => r.query)).toEqual([{ 'metadata.channel': 'telegram', limit: '100' }]);
		expect(requests.filter((r) => r.path.startsWith('/api/v1/users/')).length).toBe(2);
	});

	it('a period whose From is not before its To is a clear error, and Continue On Fail goes on', async () => {
		const { output, status } = await centre.run(
			{ ...NOVEMBER_1, to: '2026-10-01T00:00:00.000Z' },
			{ continueOnFail: true, items: [{}, {}] },
		);
		expect(status).toBe('success');
		expect(output).toEqual([
			{ error: 'The period needs a From before its To' },
			{ error: 'The period needs a From before its To' },
		]);
		const failed = await centre.run({ ...NOVEMBER_1, from: 'next tuesday' });
		expect(failed.status).toBe('error');
		expect(failed.error?.message).toBe('From is not a date');
	});

	it('says durations as people read them', () => {
		expect([null, 0, 45, 130, 3600, 3900, 86400 + 3 * 3600 + 60].map(humanDuration)).toEqual([
			'–',
			'0 s',
			'45 s',
			'2 min 10 s',
			'1 h',
			'1 h 5 min',
			'1 d 3 h',
		]);
	});
});

describe('Get', () => {
	it('by its chat: the conversation as a clean object', async () => {
		const { output } = await centre.run({ operation: 'get', chatId: chatPick(chats.B) });
		expect(output).toEqual([
			{
				chatId: chats.B.id,
				chatTitle: 'telegram · Boris',
				channel: 'telegram',
				account: '777000',
				conversationId: '1002',
				customer: { id: '1002', name: 'Boris' },
				status: 'open',
				owner: 'operator',
				assigneeId: centre.alice.id,
				queue: 'Support',
				snoozedUntil: null,
				times: {
					createdAt: '2026-11-01T09:00:00.000Z',
					firstCustomerMessageAt: '2026-11-01T09:00:00.000Z',
					lastCustomerMessageAt: null,
					firstResponseAt: '2026-11-01T09:02:00.000Z',
					lastOperatorMessageAt: null,
					resolvedAt: null,
				},
				rating: null,
			},
		]);
	});

	it("by the customer's conversation ID; a chat from before the contact centre reads as open", async () => {
		const { output } = await centre.run(
			{
				operation: 'get',
				findBy: 'conversationId',
				conversationId: '={{ $json.conversationId }}',
			},
			{ items: [{ conversationId: '1008' }] },
		);
		expect(output).toMatchObject([
			{
				chatId: chats.H.id,
				status: 'open',
				assigneeId: null,
				queue: null,
				times: { createdAt: '2026-11-01T05:00:00.000Z', resolvedAt: null },
			},
		]);
	});

	it('a chat that is no conversation (a team chat, a forged key) or an unknown customer is a clear error; Continue On Fail goes on', async () => {
		const team = [...centre.ts.chats.values()].find((c) => c.title === 'Team')!;
		const { output, status } = await centre.run(
			{ operation: 'get', chatId: { __rl: true, mode: 'id', value: '={{ $json.chatId }}' } },
			{
				continueOnFail: true,
				items: [{ chatId: team.id }, { chatId: chats.forged.id }, { chatId: chats.A.id }],
			},
		);
		expect(status).toBe('success');
		expect(output).toMatchObject([
			{ error: 'The chat "Team" is not a customer conversation' },
			{ error: 'The chat "telegram · Forged" is not a customer conversation' },
			{ chatId: chats.A.id, status: 'resolved' },
		]);
		const unknown = await centre.run({
			operation: 'get',
			findBy: 'conversationId',
			conversationId: '4242',
		});
		expect(unknown.status).toBe('error');
		expect(unknown.error?.message).toBe('No Telegram conversation with the conversation ID "4242"');
	});
});

describe('Get Many', () => {
	const ids = (output: Array<Record<string, unknown>> | undefined) =>
		(output ?? []).map((c) => c.chatId);

	it.each([
		['open (a chat without a status is open)', { status: 'open' }, ['B', 'F', 'H']],
		['pending', { status: 'pending' }, ['D']],
		['queue Support', { queue: 'Support' }, ['A', 'B', 'D']],
		['unassigned', { unassigned: true }, ['D', 'H']],
	])('filters by %s', async (_, filters, expected) => {
		const { output } = await centre.run({ operation: 'getAll', returnAll: true, filters });
		expect(ids(output)).toEqual(expected.map((name) => chats[name].id));
	});

	it('filters by assignee and, over all channels, by status', async () => {
		const byAlice = await centre.run({
			operation: 'getAll',
			returnAll: true,
			filters: { assigneeId: centre.alice.id },
		});
		expect(ids(byAlice.output)).toEqual([chats.A.id, chats.B.id]);
		const snoozed = await centre.run({
			operation: 'getAll',
			returnAll: true,
			filters: { status: 'snoozed', channels: 'all' },
		});
		expect(snoozed.output).toMatchObject([
			{ chatId: chats.G.id, channel: 'whatsapp', snoozedUntil: '2026-11-05T09:00:00.000Z' },
		]);
	});

	it('stops at the Limit', async () => {
		const { output } = await centre.run({ operation: 'getAll', limit: 2 });
		expect(ids(output)).toEqual([chats.A.id, chats.B.id]);
	});
});
