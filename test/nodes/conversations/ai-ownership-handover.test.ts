/**
 * Handing a bot-owned conversation to the operators and back (README "AI first line"): Hand Over
 * to Operator (owner operator, the reason in the chat, the Handover Message to the customer once,
 * routed to a free operator; the bot silent from then on), `/bot` (the bot answers again),
 * `/resolve` (a bot-first queue's conversation goes back to the bot: the customer's next message
 * reopens it for the bot, not routed). A Hand Over that TeamSpirit failed after the ownership
 * changed is finished by its retry, or by Process Due Conversations a minute later.
 */
import { answers, stateOf, types } from './commands-setup';
import { processCopy, runNode, type Bridge, type Customer } from './setup';
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
let anna: Customer;
afterEach(async () => {
	await bridge?.stop();
});

describe('Hand Over to Operator', () => {
	it('owner operator, the reason in the chat, the Handover Message once, routed to a free operator', async () => {
		({ bridge } = await startAi());
		const [olga, oskar] = bridge.operators;
		bridge.ts.setStatus(olga.id, { status: 'away' });
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'I want my money back');

		const handed = await agentRuns(bridge, 'Hand Over', item);
		// the agent calls the tool again, and another process too
		const again = await agentRuns(bridge, 'Hand Over', item);
		const elsewhere = await agentRunsIn(bridge, processCopy(), 'Hand Over', item);

		expect(handed).toMatchObject({ handedOver: true, owner: 'operator', routed: 'assigned' });
		expect([again.handedOver, elsewhere.handedOver]).toEqual([false, false]);
		expect(stateOf(bridge, anna)).toMatchObject({
			owner: 'operator',
			status: 'open',
			assigneeId: oskar.id,
			handovers: 1,
		});
		expect(bridge.received(anna).map((r) => r.text)).toEqual([
			'A colleague will answer you in a minute.',
		]);
		expect(chatLines(bridge, anna)).toEqual([
			'bot: I want my money back',
			'bot: 🙋 Handover: The customer asks for a refund',
			'bot: 🤖 A colleague will answer you in a minute.',
			'bot: 👤 Assigned to Oskar Operator (least busy)',
		]);
	});

	it('the bot stays silent after it: Reply as Bot refused, the next message not given to the agent', async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'I want my money back');
		await agentRuns(bridge, 'Hand Over', item);

		const reply = await agentRuns(bridge, 'Reply as Bot', item);
		await bridge.write(anna, 'Hello?');

		expect(reply).toMatchObject({ sent: false, reason: 'operator owns the conversation' });
		expect(forwarded(bridge)).toEqual([]);
		expect(bridge.received(anna).map((r) => r.text)).toEqual([
			'A colleague will answer you in a minute.',
		]);
	});
});

const POST_MESSAGE = /^\/api\/v1\/chats\/[^/]+\/messages$/;
const HANDOVER_MESSAGE = 'A colleague will answer you in a minute.';
const HANDED_OVER = [
	'bot: I want my money back',
	'bot: 🙋 Handover: The customer asks for a refund',
	`bot: 🤖 ${HANDOVER_MESSAGE}`,
];

/** The Hand Over node (n8n's node settings, e.g. Retry On Fail, set on it). */
function handOverNode(b: Bridge, settings: Record<string, unknown>) {
	Object.assign(
		b.workflow.nodes.find((n) => n.name === 'Hand Over')!,
		settings,
	);
}

describe('A Hand Over that failed after the ownership changed is finished', () => {
	it("n8n's Retry On Fail after TeamSpirit refused the notice: the notice and the Handover Message once, routed", async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'I want my money back');
		handOverNode(bridge, { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 });
		// every attempt of the first try's notice answers 500: the first try fails after the write
		bridge.ts.failNext({ method: 'POST', path: POST_MESSAGE, status: 500, count: 5 });

		const handed = await agentRuns(bridge, 'Hand Over', item);
		const again = await agentRuns(bridge, 'Hand Over', item);

		expect(bridge.ts.requests.filter((r) => r.injected).length).toBeGreaterThan(0);
		expect(handed).toMatchObject({ handedOver: true, owner: 'operator', routed: 'assigned' });
		expect(again).toMatchObject({ handedOver: false });
		expect(bridge.received(anna).map((r) => r.text)).toEqual([HANDOVER_MESSAGE]);
		expect(chatLines(bridge, anna).slice(0, 3)).toEqual(HANDED_OVER);
		expect(chatLines(bridge, anna)).toHaveLength(4);
		expect(stateOf(bridge, anna)).toMatchObject({ owner: 'operator', handovers: 1 });
		expect(stateOf(bridge, anna)).not.toHaveProperty('handover');
		expect(stateOf(bridge, anna)).not.toHaveProperty('handoverDue');
	});

	it('a run that failed after the customer got the message, run again: the message once, its mirror once', async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'I want my money back');
		// the notice goes through; the Handover Message's mirror, after the send, never does
		bridge.ts.failNext({ method: 'POST', path: POST_MESSAGE, status: 500, skip: 1, count: 1e6 });

		const failed = await runNode(bridge, 'Hand Over', [item]);
		bridge.ts.clearFaults();
		expect(failed.status).toBe('error');
		expect(bridge.received(anna).map((r) => r.text)).toEqual([HANDOVER_MESSAGE]);
		expect(stateOf(bridge, anna)).toMatchObject({ owner: 'operator', handoverDue: true });

		const handed = await agentRuns(bridge, 'Hand Over', item);

		expect(handed).toMatchObject({ handedOver: true, routed: 'assigned' });
		expect(bridge.received(anna).map((r) => r.text)).toEqual([HANDOVER_MESSAGE]);
		expect(chatLines(bridge, anna).slice(0, 3)).toEqual(HANDED_OVER);
		expect(chatLines(bridge, anna)).toHaveLength(4);
		expect(stateOf(bridge, anna)).not.toHaveProperty('handover');
	});

	it('Process Due Conversations finishes a handover left unfinished for a minute, once, and routes it', async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		const item = await customerAsks(bridge, anna, 'I want my money back');
		const forward = bridge.workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!;
		bridge.workflow.nodes.push({
			...forward,
			id: 'process-due-id',
			name: 'Process Due',
			position: [forward.position[0] + 400, 1000],
			parameters: { channel: 'telegram', resource: 'conversation', operation: 'processDue' },
		});
		bridge.ts.failNext({ method: 'POST', path: POST_MESSAGE, status: 500, count: 1e6 });
		const failed = await runNode(bridge, 'Hand Over', [item]);
		bridge.ts.clearFaults();
		expect(failed.status).toBe('error');
		const chatId = bridge.chatOf(anna)!.id;

		// a run as young as this one may still be finishing it: left alone, not routed yet
		const early = await agentRuns(bridge, 'Process Due', {});
		expect(early).toMatchObject({ handedOver: [], routed: [] });
		expect(bridge.received(anna)).toEqual([]);
		expect(stateOf(bridge, anna)).toMatchObject({ status: 'pending', assigneeId: null });
		// a minute later
		const metadata = bridge.ts.chats.get(chatId)!.metadata as { handover: { at: string } };
		metadata.handover.at = new Date(Date.now() - 61_000).toISOString();
		const due = await agentRuns(bridge, 'Process Due', {});
		const again = await agentRunsIn(bridge, processCopy(), 'Process Due', {});

		expect(due).toMatchObject({ handedOver: [chatId], routed: [chatId] });
		expect(again).toMatchObject({ handedOver: [], routed: [] });
		expect(bridge.received(anna).map((r) => r.text)).toEqual([HANDOVER_MESSAGE]);
		expect(chatLines(bridge, anna).slice(0, 3)).toEqual(HANDED_OVER);
		expect(chatLines(bridge, anna)[3]).toMatch(/^bot: 👤 Assigned to /);
		expect(stateOf(bridge, anna)).toMatchObject({ owner: 'operator', status: 'open' });
		expect(stateOf(bridge, anna)).not.toHaveProperty('handover');
	});
});

describe('Operators give the conversation back', () => {
	it('/bot: owner bot, unassigned, a notice; the agent answers the next message', async () => {
		({ bridge } = await startAi());
		anna = bridge.newCustomer('Anna', 'Petrova');
		await agentRuns(bridge, 'Hand Over', await customerAsks(bridge, anna, 'A person please'));

		await types(bridge, anna, '/bot');
		const item = await customerAsks(bridge, anna, 'Actually, where is order 42?');
		await agentRuns(bridge, 'Reply as Bot', item);

		expect(answers(bridge, anna)).toEqual([
			'🤖 Given back to the bot by Olga Operator: it answers the customer again',
		]);
		expect(stateOf(bridge, anna)).toMatchObject({ owner: 'bot', assigneeId: null, status: 'open' });
		expect(bridge.received(anna).map((r) => r.text)).toEqual([
			'A colleague will answer you in a minute.',
			'Bot: Actually, where is order 42?',
		]);
	});

	it('/bot in a queue without the AI first line changes nothing', async () => {
		({ bridge } = await startAi({ routing: 'leastBusy' }));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');

		await types(bridge, anna, '/bot');

		expect(answers(bridge, anna)).toEqual([
			"❓ This conversation's queue has no AI first line (First Line: AI Agent First): nothing changed",
		]);
		expect(stateOf(bridge, anna)).not.toHaveProperty('owner');
	});

	it("/resolve returns a bot-first queue's conversation to the bot: the next message reopens it for the bot, not routed", async () => {
		({ bridge } = await startAi({ ...BOT_FIRST, closingMessage: 'Bye!' }));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await agentRuns(bridge, 'Hand Over', await customerAsks(bridge, anna, 'A person please'));
		await types(bridge, anna, 'Done, refunded.');

		await types(bridge, anna, '/resolve');
		expect(stateOf(bridge, anna)).toMatchObject({ owner: 'bot', status: 'resolved' });
		const item = await customerAsks(bridge, anna, 'One more question');

		expect(stateOf(bridge, anna)).toMatchObject({ owner: 'bot', status: 'open', assigneeId: null });
		expect(item.conversation).toMatchObject({ owner: 'bot', status: 'open' });
		expect(chatLines(bridge, anna).slice(-2)).toEqual([
			'bot: One more question',
			'bot: ↩️ Reopened: the customer wrote again',
		]);
	});

	it('an operator typing in a bot-owned chat takes it over before the message is sent', async () => {
		({ bridge } = await startAi());
		const [, oskar] = bridge.operators;
		anna = bridge.newCustomer('Anna', 'Petrova');
		await customerAsks(bridge, anna, 'Hello');

		await types(bridge, anna, 'Oskar here.', oskar);

		expect(stateOf(bridge, anna)).toMatchObject({
			owner: 'operator',
			assigneeId: oskar.id,
			status: 'open',
		});
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Oskar here.']);
		// the takeover was written before the message was sent (its notice first)
		expect(chatLines(bridge, anna)).toEqual([
			'bot: Hello',
			'Oskar Operator: Oskar here.',
			'bot: 🙋 Oskar Operator took the conversation over from the bot',
		]);
	});
});
