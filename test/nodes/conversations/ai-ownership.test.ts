/**
 * The AI first line (README "AI first line"): a bot-first queue's conversation starts owned by the
 * bot (not routed, not announced, no greeting); Forward to TeamSpirit's Output "Only Messages the
 * AI Agent Should Answer" lets through only those; Reply as Bot answers a customer message once
 * (a retried execution, a process that forgot everything, two processes at once), mirrored in
 * the chat as the bot's, and never after an operator took the conversation over; chats without
 * an owner (no bot-first queue) work as before.
 */
import { processCopy, until, type Bridge, type Channel, type Customer } from './setup';
import { answers, startCommands, stateOf, types } from './commands-setup';
import {
	agentRuns,
	agentRunsIn,
	BOT_FIRST,
	chatLines,
	customerAsks,
	forwarded,
	startAi,
} from './ai-ownership-setup';

jest.setTimeout(180_000);

let bridge: Bridge;
let team: string;
let anna: Customer;
afterEach(async () => {
	await bridge?.stop();
});

describe('A bot-first queue', () => {
	it('opens a new conversation owned by the bot: open, unassigned, not routed, not announced, not greeted', async () => {
		// Forward to TeamSpirit's "Announce New Conversations In" names a team chat too
		const announceChat = { __rl: true, mode: 'id', value: 'c_new_conversations' };
		({ bridge, team } = await startAi(undefined, {
			forwardOptions: { output: 'botOwned', announceChat },
		}));
		bridge.ts.addChat({ id: 'c_new_conversations', title: 'New conversations' });
		anna = bridge.newCustomer('Anna', 'Petrova');

		const item = await customerAsks(bridge, anna, 'Where is my order?');

		expect(stateOf(bridge, anna)).toMatchObject({
			owner: 'bot',
			status: 'open',
			assigneeId: null,
			queue: 'Support',
			greeted: false,
		});
		expect(item).toMatchObject({
			action: 'posted',
			text: 'Where is my order?',
			conversation: {
				chatId: bridge.chatOf(anna)!.id,
				key: bridge.keyOf(anna),
				messageId: item.messageId,
				owner: 'bot',
				status: 'open',
				queue: 'Support',
			},
		});
		// no greeting, no "Assigned to", nothing in the team chat
		expect(bridge.received(anna)).toEqual([]);
		expect(chatLines(bridge, anna)).toEqual(['bot: Where is my order?']);
		expect(bridge.ts.messagesIn(team)).toEqual([]);
		expect(bridge.ts.messagesIn('c_new_conversations')).toEqual([]);
	});

	it('no away reply while the bot owns it; handed over outside business hours, the away reply as usual', async () => {
		const today = new Date().toISOString().slice(0, 10);
		({ bridge } = await startAi({
			...BOT_FIRST,
			timeZone: 'UTC',
			holidays: today,
			awayReply: "We're closed.",
			awayQuietMinutes: 0,
		}));
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'Hello');
		expect(bridge.received(anna)).toEqual([]);

		const handed = await agentRuns(bridge, 'Hand Over', item);
		await bridge.write(anna, 'Anyone?');

		expect(handed).toMatchObject({ handedOver: true, routed: 'closed', status: 'pending' });
		expect(bridge.received(anna).map((r) => r.text)).toEqual([
			'A colleague will answer you in a minute.',
			"We're closed.",
		]);
	});

	it('Output "Only Messages the AI Agent Should Answer" drops what the bot does not own', async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		await customerAsks(bridge, anna, 'Hello');
		await types(bridge, anna, 'Olga here, I can help.');

		await bridge.write(anna, 'Great, thanks');

		// forwarded to the chat, and not to the agent
		expect(forwarded(bridge)).toEqual([]);
		expect(chatLines(bridge, anna).slice(-1)).toEqual(['bot: Great, thanks']);
	});

	it('Output "All Messages" (the default) keeps every item, with the conversation and the text', async () => {
		({ bridge } = await startAi(undefined, { forwardOptions: {} }));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await customerAsks(bridge, anna, 'Hello');
		await types(bridge, anna, 'Olga here.');

		const item = await customerAsks(bridge, anna, 'Thanks');

		expect(item).toMatchObject({
			action: 'posted',
			text: 'Thanks',
			conversation: { owner: 'operator', status: 'open', assigneeId: bridge.operator.id },
		});
	});
});

describe('Reply as Bot', () => {
	it("sends the answer once, mirrored in the chat as the bot's, however often it runs", async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'Where is my order?');

		const first = await agentRuns(bridge, 'Reply as Bot', item);
		// a retried execution, and one in a process that forgot everything
		const again = await agentRuns(bridge, 'Reply as Bot', item);
		bridge.forgetProcessMemory();
		const later = await agentRuns(bridge, 'Reply as Bot', item);

		expect(first).toMatchObject({ sent: true, action: 'sent' });
		expect([again.sent, later.sent]).toEqual([true, true]);
		expect([again.duplicate, later.duplicate]).toEqual([true, true]);
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Bot: Where is my order?']);
		expect(chatLines(bridge, anna)).toEqual([
			'bot: Where is my order?',
			'bot: 🤖 Bot: Where is my order?',
		]);
		// recorded as what it became: the customer's reply to it finds it
		const [, mirror] = bridge.messagesOf(anna);
		const [sent] = bridge.received(anna);
		expect(mirror.externalKey).toBe(`${bridge.keyOf(anna)}#${sent.id}`);
	});

	it('two processes answering the same customer message at the same moment: sent once', async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'Where is my order?');

		const outputs = await Promise.all([
			agentRunsIn(bridge, processCopy(), 'Reply as Bot', item),
			agentRunsIn(bridge, processCopy(), 'Reply as Bot', item),
		]);
		await bridge.settle();

		expect(outputs.map((o) => o.duplicate ?? false).sort()).toEqual([false, true]);
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Bot: Where is my order?']);
		expect(chatLines(bridge, anna)).toEqual([
			'bot: Where is my order?',
			'bot: 🤖 Bot: Where is my order?',
		]);
	});

	it('each customer message gets its own answer', async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		await agentRuns(bridge, 'Reply as Bot', await customerAsks(bridge, anna, 'Hello'));
		await agentRuns(bridge, 'Reply as Bot', await customerAsks(bridge, anna, 'Order 42?'));

		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Bot: Hello', 'Bot: Order 42?']);
	});

	it('an operator who typed while the agent was thinking owns the conversation: nothing is sent', async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'I want a refund');
		await types(bridge, anna, 'Olga here, let me look.');

		const reply = await agentRuns(bridge, 'Reply as Bot', item);

		expect(reply).toMatchObject({ sent: false, reason: 'operator owns the conversation' });
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Olga here, let me look.']);
		expect(stateOf(bridge, anna)).toMatchObject({
			owner: 'operator',
			assigneeId: bridge.operator.id,
			status: 'open',
		});
		expect(chatLines(bridge, anna)).toEqual([
			'bot: I want a refund',
			'Olga Operator: Olga here, let me look.',
			'bot: 🙋 Olga Operator took the conversation over from the bot',
		]);
	});

	it('an operator who takes over after the answer was claimed, just before it goes out, still wins', async () => {
		({ bridge } = await startAi(BOT_FIRST, { faultProxies: true }));
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'I want a refund');
		// the bot's claim of its answer waits at TeamSpirit's door while the operator types
		bridge.tsProxy!.rule({
			match: (r) => r.method === 'PATCH' && r.body.includes('"externalKey":"pending:'),
			action: 'hold',
			count: 1,
		});

		const replying = agentRuns(bridge, 'Reply as Bot', item);
		await until(() => bridge.tsProxy!.seen.some((r) => r.outcome === 'held'), 'the held claim');
		await types(bridge, anna, 'Olga here, let me look.');
		bridge.tsProxy!.release();
		const reply = await replying;

		expect(reply).toMatchObject({ sent: false, reason: 'operator owns the conversation' });
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Olga here, let me look.']);
		const mirror = bridge.messagesOf(anna).find((m) => m.text === '🤖 Bot: I want a refund')!;
		expect(mirror.externalKey).toBe(`unsent:${mirror.id}`);
		expect(chatLines(bridge, anna)).toContain(
			'bot: ⚠️ Not sent to the customer: an operator took the conversation over.',
		);
	});

	it('refuses a message that is not a customer message of the conversation', async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'Hello');
		const note = bridge.ts.addMessage(bridge.chatOf(anna)!.id, {
			senderId: bridge.operator.id,
			text: 'an operator message',
			format: 'plain',
		});
		const conversation = { ...(item.conversation as object), messageId: note.id };

		const { runNode } = await import('./setup');
		const run = await runNode(bridge, 'Reply as Bot', [{ ...item, conversation }]);

		expect(run.status).toBe('error');
		expect(run.error?.message).toContain("is not a customer's message of this conversation");
		expect(bridge.received(anna)).toEqual([]);
	});
});

describe.each(['whatsapp', 'messenger'] as Channel[])(
	'Reply as Bot and Hand Over (%s)',
	(channel) => {
		it('the answer once, then the handover message once, routed', async () => {
			({ bridge } = await startAi(BOT_FIRST, {}, channel));
			anna = bridge.newCustomer('Anna', 'Petrova');
			const item = await customerAsks(bridge, anna, 'Where is my order?');

			await agentRuns(bridge, 'Reply as Bot', item);
			await agentRuns(bridge, 'Reply as Bot', item);
			const handed = await agentRuns(bridge, 'Hand Over', item);

			expect(handed).toMatchObject({ handedOver: true, routed: 'assigned', owner: 'operator' });
			expect(bridge.received(anna).map((r) => r.text)).toEqual([
				'Bot: Where is my order?',
				'A colleague will answer you in a minute.',
			]);
		});
	},
);

describe('Conversations without the bot work as before', () => {
	it('a queue of operators: no owner written, routed, Reply as Bot refused', async () => {
		({ bridge } = await startCommands('telegram', { routing: 'leastBusy' }));
		bridge.workflow.nodes.push({
			...bridge.workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!,
			id: 'reply-id',
			name: 'Reply as Bot',
			parameters: {
				channel: 'telegram',
				resource: 'conversation',
				operation: 'replyAsBot',
				text: 'Hi',
			},
		});
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'Hello');

		expect(stateOf(bridge, anna)).not.toHaveProperty('owner');
		expect(stateOf(bridge, anna)).toMatchObject({ status: 'open', queue: 'Support' });
		expect(stateOf(bridge, anna).assigneeId).toEqual(expect.any(String));
		expect(item.conversation).toMatchObject({ owner: 'operator' });
		expect(await agentRuns(bridge, 'Reply as Bot', item)).toMatchObject({ sent: false });

		await types(bridge, anna, 'Olga here.');
		expect(stateOf(bridge, anna)).not.toHaveProperty('owner');
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Olga here.']);
		expect(answers(bridge, anna)).toEqual([]);
	});
});
