/**
 * Routing (centre/routing.ts) through the Telegram conversation example with a queue in Forward to
 * TeamSpirit's Contact Centre, on the emulators: manual (announced, left for /take), round robin,
 * least busy, the limit of open conversations per operator (pending, announced waiting, assigned
 * when a slot frees), away and offline operators skipped, and two processes routing one
 * conversation at once assigning it once.
 */
import type { IDataObject } from 'n8n-workflow';

import { conversationKey, queueKey } from '../../../nodes/conversations/keys';

import { until, type Bridge, type Customer } from './setup';
import { inProcess, notices, operatorSets, startCentre, stateIn } from './centre-setup';

jest.setTimeout(120_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const texts = (b: Bridge, chatId: string) => b.ts.messagesIn(chatId).map((m) => m.text);
const assigneeOf = (c: Customer) => stateIn(bridge, c).assigneeId;
const byId = (id: unknown) => bridge.operators.find((o) => o.id === id)?.name ?? String(id);

/** A queue whose announcements go to a team chat made in the emulator first. */
function withTeamChat(queue: IDataObject) {
	const team = { id: '' };
	const make = (operators: Array<{ id: string }>, ts: Bridge['ts']) => {
		team.id = ts.addChat({ title: 'Support team', memberIds: operators.map((o) => o.id) }).id;
		return { ...queue, announceChat: { __rl: true, mode: 'id', value: team.id } };
	};
	return { team, make };
}

describe('Queues and routing', () => {
	it('manual: a new conversation is open and unassigned, announced once for /take', async () => {
		const { team, make } = withTeamChat({ routing: 'manual' });
		bridge = await startCentre(make);
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		await bridge.write(anna, 'Anyone there?');

		expect(stateIn(bridge, anna)).toMatchObject({
			status: 'open',
			assigneeId: null,
			queue: 'Support',
		});
		expect(texts(bridge, team.id)).toEqual([
			expect.stringMatching(/^📥 Support: new conversation with Anna Petrova .*type \/take/),
		]);
		expect(notices(bridge, anna)).toEqual([]);
	});

	it('round robin: operators in turn, each a member, a notice says who and how', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const customers = ['Anna', 'Boris', 'Clara'].map((n) => bridge.newCustomer(n, 'Test'));
		for (const customer of customers) await bridge.write(customer, `Hi, ${customer.first} here`);

		expect(customers.map((c) => byId(assigneeOf(c)))).toEqual([
			'Olga Operator',
			'Oskar Operator',
			'Olga Operator',
		]);
		for (const customer of customers) {
			expect(stateIn(bridge, customer).status).toBe('open');
			expect(bridge.chatOf(customer)!.memberIds).toContain(assigneeOf(customer));
		}
		expect(notices(bridge, customers[1])).toEqual(['👤 Assigned to Oskar Operator (round robin)']);
	});

	it('least busy: the operator with the fewest open conversations (ties: the first listed)', async () => {
		bridge = await startCentre({ routing: 'leastBusy' });
		const [olga, oskar] = bridge.operators;
		// earlier conversations (signed keys: only the bridge's chats count)
		const earlier = (n: number, metadata: IDataObject) =>
			bridge.ts.addChat({
				title: 'earlier',
				externalKey: conversationKey('telegram', bridge.driver.account, `e${n}`, bridge.ts.apiKey),
				metadata,
			});
		for (const [n, assignee] of [olga.id, olga.id, oskar.id].entries()) {
			earlier(n, { status: 'open', assigneeId: assignee });
		}
		// resolved and pending ones do not count
		earlier(3, { status: 'resolved', assigneeId: oskar.id });
		const anna = bridge.newCustomer('Anna', 'Test');
		const boris = bridge.newCustomer('Boris', 'Test');
		await bridge.write(anna, 'Hi');
		await bridge.write(boris, 'Hi');

		expect([byId(assigneeOf(anna)), byId(assigneeOf(boris))]).toEqual([
			'Oskar Operator',
			'Olga Operator',
		]);
		expect(notices(bridge, anna)).toEqual(['👤 Assigned to Oskar Operator (least busy)']);
	});

	it('max open per operator: over it the conversation waits (announced once) and is assigned when a slot frees', async () => {
		const { team, make } = withTeamChat({ routing: 'roundRobin', maxOpen: 1 });
		bridge = await startCentre(make);
		const [anna, boris, clara] = ['Anna', 'Boris', 'Clara'].map((n) =>
			bridge.newCustomer(n, 'Test'),
		);
		await bridge.write(anna, 'Hi');
		await bridge.write(boris, 'Hi');
		await bridge.write(clara, 'Hi');
		await bridge.write(clara, 'Hello?');

		expect(stateIn(bridge, clara)).toMatchObject({
			status: 'pending',
			assigneeId: null,
			queue: 'Support',
		});
		expect(notices(bridge, clara)).toEqual([]);
		expect(texts(bridge, team.id)).toEqual([
			expect.stringMatching(/^⏳ Support: Clara Test is waiting for a free operator/),
		]);

		// Olga resolves Anna's conversation: her slot frees
		await operatorSets(bridge, anna, { status: 'resolved' });
		const freed = await inProcess(bridge, { do: 'freed', queue: 'support' });

		expect(freed).toEqual({ assigned: 1 });
		expect(stateIn(bridge, clara)).toMatchObject({ status: 'open', queue: 'Support' });
		expect(byId(assigneeOf(clara))).toBe('Olga Operator');
		expect(notices(bridge, clara)).toEqual(['👤 Assigned to Olga Operator (round robin)']);
	});

	it('operators who are away or offline are skipped; none available: pending', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const [olga, oskar] = bridge.operators;
		bridge.ts.setStatus(olga.id, { status: 'away' });
		const [anna, boris] = ['Anna', 'Boris'].map((n) => bridge.newCustomer(n, 'Test'));
		await bridge.write(anna, 'Hi');
		await bridge.write(boris, 'Hi');
		expect([byId(assigneeOf(anna)), byId(assigneeOf(boris))]).toEqual([
			'Oskar Operator',
			'Oskar Operator',
		]);

		bridge.ts.setStatus(oskar.id, { status: 'offline' });
		bridge.forgetProcessMemory(); // statuses are kept 30 s per process
		const clara = bridge.newCustomer('Clara', 'Test');
		await bridge.write(clara, 'Hi');
		expect(stateIn(bridge, clara)).toMatchObject({ status: 'pending', assigneeId: null });
	});

	it('two processes routing one pending conversation at the same moment assign it once', async () => {
		bridge = await startCentre({ routing: 'roundRobin' }, { online: false, faultProxies: true });
		const anna = bridge.newCustomer('Anna', 'Test');
		await bridge.write(anna, 'Hi');
		expect(stateIn(bridge, anna)).toMatchObject({ status: 'pending' });
		for (const operator of bridge.operators) bridge.ts.setStatus(operator.id, { status: 'online' });

		// both processes' conditional writes of the conversation reach TeamSpirit together (each
		// picked its own operator: the round robin pointer moved once for each)
		const chatPath = `/api/v1/chats/${bridge.chatOf(anna)!.id}`;
		const proxy = bridge.tsProxy!;
		proxy.rule({
			match: (r) => r.method === 'PATCH' && r.path === chatPath,
			action: 'hold',
			count: 2,
		});
		const from = bridge.ts.requests.length;
		const runs = [inProcess(bridge, { do: 'due' }), inProcess(bridge, { do: 'due' })];
		await until(() => proxy.seen.filter((r) => r.outcome === 'held').length === 2, 'two writes');
		proxy.release();
		const results = await Promise.all(runs);

		expect(results.map((r) => (r.routed as string[]).length).sort()).toEqual([0, 1]);
		const assignee = byId(assigneeOf(anna));
		expect(['Olga Operator', 'Oskar Operator']).toContain(assignee);
		expect(notices(bridge, anna)).toEqual([`👤 Assigned to ${assignee} (round robin)`]);
		const writes = bridge.ts.requests
			.slice(from)
			.filter((r) => r.method === 'PATCH' && r.path === chatPath);
		expect(writes.map((r) => r.status).sort()).toEqual([200, 412]);
	});

	/**
	 * Two processes route two pending conversations at the same moment: each counts the operators'
	 * open conversations, both assignments reach TeamSpirit together, then both listings.
	 */
	async function routeAtOnce(customers: Customer[]) {
		for (const operator of bridge.operators) bridge.ts.setStatus(operator.id, { status: 'online' });
		const proxy = bridge.tsProxy!;
		const ids = customers.map((c) => bridge.chatOf(c)!.id);
		const paths = ids.map((id) => `/api/v1/chats/${id}`);
		const held = () => proxy.seen.filter((r) => r.outcome === 'held').length;
		proxy.rule({
			match: (r) => r.method === 'PATCH' && paths.includes(r.path),
			action: 'hold',
			count: 2,
		});
		const runs = ids.map((chatId) => inProcess(bridge, { do: 'route', queue: 'Support', chatId }));
		await until(() => held() === 2, 'two assignments');
		proxy.rule({
			match: (r) => r.method === 'GET' && r.path === '/api/v1/chats',
			action: 'hold',
			count: 2,
		});
		proxy.release();
		await until(() => held() === 4, 'two listings');
		proxy.release();
		return await Promise.all(runs);
	}

	const openOf = (customers: Customer[], id: string) =>
		customers.filter((c) => stateIn(bridge, c).status === 'open' && assigneeOf(c) === id).length;

	it('two processes routing two conversations at once keep max open per operator: the later assignment goes to the next operator', async () => {
		bridge = await startCentre(
			{ routing: 'leastBusy', maxOpen: 1 },
			{ online: false, faultProxies: true },
		);
		const customers = ['Anna', 'Boris'].map((n) => bridge.newCustomer(n, 'Test'));
		for (const customer of customers) await bridge.write(customer, 'Hi');

		const results = await routeAtOnce(customers);

		expect(results.map((r) => r.outcome)).toEqual(['assigned', 'assigned']);
		expect(customers.map((c) => byId(assigneeOf(c))).sort()).toEqual([
			'Olga Operator',
			'Oskar Operator',
		]);
		for (const operator of bridge.operators) expect(openOf(customers, operator.id)).toBe(1);
		for (const customer of customers) {
			expect(notices(bridge, customer)).toEqual([
				`👤 Assigned to ${byId(assigneeOf(customer))} (least busy)`,
			]);
		}
	});

	it('two processes routing two conversations at once to one operator with max open 1: one assigned, the other waits', async () => {
		const team = { id: '' };
		bridge = await startCentre(
			(operators, ts) => {
				team.id = ts.addChat({ title: 'Support team', memberIds: [operators[0].id] }).id;
				return {
					routing: 'leastBusy',
					maxOpen: 1,
					operators: [operators[0].id],
					announceChat: { __rl: true, mode: 'id', value: team.id },
				};
			},
			{ online: false, faultProxies: true },
		);
		const customers = ['Anna', 'Boris'].map((n) => bridge.newCustomer(n, 'Test'));
		for (const customer of customers) await bridge.write(customer, 'Hi');
		const before = texts(bridge, team.id).length;

		const results = await routeAtOnce(customers);

		expect(results.map((r) => r.outcome).sort()).toEqual(['assigned', 'waiting']);
		const [olga] = bridge.operators;
		expect(openOf(customers, olga.id)).toBe(1);
		const kept = customers[results.findIndex((r) => r.outcome === 'assigned')];
		const waiting = customers[results.findIndex((r) => r.outcome === 'waiting')];
		expect(stateIn(bridge, kept)).toMatchObject({ status: 'open', assigneeId: olga.id });
		expect(stateIn(bridge, waiting)).toMatchObject({ status: 'pending', assigneeId: null });
		expect(notices(bridge, kept)).toEqual(['👤 Assigned to Olga Operator (least busy)']);
		expect(notices(bridge, waiting)).toEqual([]);
		expect(texts(bridge, team.id).slice(before)).toEqual([
			expect.stringMatching(new RegExp(`^⏳ Support: ${waiting.first} Test is waiting`)),
		]);
	});
});

describe('Queues in TeamSpirit', () => {
	const settingsCalls = (b: Bridge, key: string, from: number) =>
		b.ts.requests
			.slice(from)
			.filter(
				(r) =>
					(r.method === 'POST' &&
						r.path === '/api/v1/chats' &&
						JSON.stringify(r.body).includes(key)) ||
					(r.method === 'PATCH' &&
						r.path.startsWith('/api/v1/chats/') &&
						JSON.stringify(r.body).includes('"kind":"queue"')),
			)
			.map((r) => `${r.method} ${r.status}`);

	it('each queue is published to a signed settings chat, written again only when its definition changes', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const key = queueKey('Support', bridge.ts.apiKey);
		const anna = bridge.newCustomer('Anna', 'Test');
		await bridge.write(anna, 'Hi');
		const chat = bridge.ts.chatByKey(key)!;
		expect(key).toMatch(/^queue:support~[A-Za-z0-9_-]{16}$/);
		expect(chat.memberIds).toEqual([bridge.ts.bot.id]);
		expect(chat.metadata).toMatchObject({
			kind: 'queue',
			settings: {
				name: 'Support',
				routing: 'roundRobin',
				operators: bridge.operators.map((o) => o.id),
			},
		});

		// the same process, the same definition: nothing; another process: found (409), not written
		let from = bridge.ts.requests.length;
		await bridge.write(anna, 'Hello?');
		expect(settingsCalls(bridge, key, from)).toEqual([]);
		await bridge.restart();
		from = bridge.ts.requests.length;
		await bridge.write(anna, 'Still there?');
		expect(settingsCalls(bridge, key, from)).toEqual(['POST 409']);

		// a changed definition: written once, at the chat's version
		const forward = bridge.workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!;
		const queues = (forward.parameters.contactCentre as IDataObject).queues as IDataObject[];
		queues[0].maxOpen = 3;
		await bridge.restart();
		from = bridge.ts.requests.length;
		await bridge.write(anna, 'Hello again');
		await bridge.write(anna, 'And again');
		expect(settingsCalls(bridge, key, from)).toEqual(['POST 409', 'PATCH 200']);
		expect(bridge.ts.chatByKey(key)!.metadata).toMatchObject({ settings: { maxOpen: 3 } });
	});

	it('a message goes to the first queue that serves its account (a queue for other accounts is skipped)', async () => {
		bridge = await startCentre({ routing: 'roundRobin' });
		const forward = bridge.workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!;
		const queues = (forward.parameters.contactCentre as IDataObject).queues as IDataObject[];
		queues.unshift(
			{ ...queues[0], name: 'VIP', accounts: '999, whatsapp:+1555', routing: 'manual' },
			{ ...queues[0], name: 'Mine', accounts: `77, telegram:${bridge.driver.account}` },
		);
		await bridge.restart();
		const anna = bridge.newCustomer('Anna', 'Test');
		await bridge.write(anna, 'Hi');
		expect(stateIn(bridge, anna)).toMatchObject({ queue: 'Mine', status: 'open' });
	});

	it('a mistake in a queue’s hours fails the execution with the queue and the field named', async () => {
		bridge = await startCentre({ weeklyHours: 'Mon-Fir 09:00-18:00' });
		const anna = bridge.newCustomer('Anna', 'Test');
		await bridge.write(anna, 'Hi');
		const [run] = bridge.started().customer.map((c) => c.run);
		expect(run?.status).toBe('error');
		expect(run?.error?.message).toBe(
			'Contact Centre: queue "Support", Weekly Hours: "Mon-Fir" is not a day (write Mon, Tue, Wed, Thu, Fri, Sat, Sun, or a range like Mon-Fri)',
		);
	});
});
