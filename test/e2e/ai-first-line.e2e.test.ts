/**
 * End to end in a real n8n 2.41.1 (`n8n start`, the packed package installed as a community
 * package): the AI first line (README "AI first line") with examples/ai-first-line.json imported
 * as a user imports it, n8n's own AI Agent (`@n8n/n8n-nodes-langchain.agent` 3.1) with the OpenAI
 * Chat Model pointed (its credential's Base URL) at the OpenAI-compatible emulator
 * (test/emulators/openai.ts), whose answers and tool calls the test scripts.
 *
 * The story, on Telegram: the bot answers three customers (Anna, Boris, Chen), looking an answer up
 * in the team's knowledge chat (Search) and telling the team chat about a bug (Send). Anna asks for
 * a person: the agent calls Hand Over to Operator, Anna gets the queue's Handover Message, Alice
 * (the queue's operator) is assigned and answers; the bot stays silent in Anna's conversation while
 * it keeps answering Boris. An operator types in Chen's bot-owned chat: it is theirs from then on.
 * After Alice's `/resolve`, Anna's next message is the bot's again, and the agent reads her
 * earlier conversation with Get Conversation History. The tools the agent was offered are ours
 * (their names and descriptions in the model requests' `tools`).
 *
 * Every check is on what the customers' Telegram receives, what TeamSpirit holds (the chats, their
 * metadata, the mirrored messages) and what the model was asked.
 *
 * Run with `bash scripts/e2e.sh test/e2e/ai-first-line.e2e.test.ts`.
 */
import { OpenAiEmulator, type OpenAiCall } from '../emulators/openai';
import type { Chat, Message, TeamSpiritEmulator, User } from '../emulators/teamspirit';
import type { TelegramEmulator, TgUserJson } from '../emulators/telegram';
import {
	CENTRE_OPERATORS,
	conversationCredentials,
	readExample,
	startConversationEmulators,
	waitForConversationTriggers,
	type ConversationEmulators,
} from './conversation-setup';
import {
	conversationView,
	executionsSettled as executionsSettledIn,
	signedKey,
	waitUntil,
} from './conversation-view';
import { formatTimings, N8nEditor, timings, type WorkflowJson } from './n8n';
import { sharedN8n, type SharedN8n } from './shared-n8n';

const tarball = process.env.TS_PACKAGE_TARBALL;

type Telegrammer = { chatId: number; from: Partial<TgUserJson> & { first_name: string } };

const HANDOVER_MESSAGE = 'An operator will answer you shortly.';
const KNOWLEDGE = 'Shipping takes 3 working days; express shipping takes 1 day.';
/** What the example's system message and tool descriptions say (examples/ai-first-line.json). */
const TOOLS = {
	Hand_Over_to_Operator: /hand the conversation over to a human operator/i,
	Get_Conversation_History: /earlier conversations/i,
	Post_to_the_Team_Chat: /support team's chat/i,
	Search_Team_Knowledge: /search the team's knowledge chats/i,
};

describe('The AI first line (AI Agent answers, operators take over) in a real n8n', () => {
	let shared: SharedN8n | undefined;
	let n8n: SharedN8n['n8n'] | undefined;
	/** The ids of this suite's workflows in the shared n8n. */
	let workflowIds: string[] = [];
	let emulators: ConversationEmulators;
	let ai: OpenAiEmulator;
	let ts: TeamSpiritEmulator;
	let tg: TelegramEmulator;
	let alice: User;
	let bob: User;
	let teamChat: Chat;
	let knowledgeChat: Chat;
	const editor = new N8nEditor(() => n8n!.url);
	const started = Date.now();

	const showN8n = () =>
		`--- n8n output ---\n${n8n?.output().slice(-6000) ?? '(n8n is not running)'}`;
	const showModel = () =>
		`--- the model was asked (last 8) ---\n${ai.calls
			.slice(-8)
			.map((c) => `${c.api} "${c.lastUserText}" → ${c.matched ?? 'no rule'} ${JSON.stringify(c.answer ?? {})}`)
			.join('\n')}`;
	const waitFor = <T>(what: string, probe: () => T | undefined | false | null, timeoutMs = 60_000) =>
		waitUntil(what, probe, timeoutMs, () => `${showModel()}\n${showN8n()}`);
	const { chatByKey, messagesIn } = conversationView(() => ts);
	const executionsSettled = () => executionsSettledIn(editor, showN8n, 120_000, workflowIds);

	const anna: Telegrammer = { chatId: 7401, from: { id: 7401, first_name: 'Anna', last_name: 'Petrova' } };
	const boris: Telegrammer = { chatId: 7402, from: { id: 7402, first_name: 'Boris', last_name: 'Ivanov' } };
	const chen: Telegrammer = { chatId: 7403, from: { id: 7403, first_name: 'Chen', last_name: 'Li' } };

	const key = (c: Telegrammer) => signedKey(`telegram:${tg.botId}:${c.chatId}`, ts);
	/** What the customer got on Telegram, as text. */
	const got = (c: Telegrammer) => tg.sentMessages(c.chatId).map((m) => m.text ?? m.caption ?? '');
	const writes = (c: Telegrammer, text: string) => tg.pushMessage({ chatId: c.chatId, from: c.from, text });
	/** The conversation's owner and state as its chat's metadata holds them. */
	const stateOf = (c: Telegrammer) => {
		const m = (chatByKey(key(c))?.metadata ?? {}) as Record<string, unknown>;
		return {
			owner: (m.owner as string | undefined) ?? 'operator',
			status: (m.status as string | undefined) ?? 'open',
			assigneeId: (m.assigneeId as string | null | undefined) ?? null,
		};
	};
	/** The bot's answers mirrored in the conversation chat ("🤖 …", posted by the bot). */
	const botLines = (c: Telegrammer) =>
		messagesIn(key(c))
			.filter((m) => m.senderId === ts.bot.id && m.text.startsWith('🤖 '))
			.map((m) => m.text.slice(2).trim());
	/** The customer's messages in the chat (the bridge's posts under the message key, not the bot's words). */
	const customerLines = (c: Telegrammer) =>
		messagesIn(key(c))
			.filter((m) => m.senderId === ts.bot.id && m.externalKey?.startsWith(`${key(c)}#`) && !m.text.startsWith('🤖'))
			.map((m) => m.text);
	/** An operator types in a customer's conversation chat (TeamSpirit delivers it to n8n). */
	async function posts(who: User, c: Telegrammer, text: string): Promise<Message> {
		const chat = chatByKey(key(c));
		if (!chat) throw new Error(`no chat for ${c.from.first_name}`);
		const { message, deliveries } = await ts.postAsUser(chat.id, who.id, { format: 'plain', text });
		expect(deliveries.map((d) => d.status).filter((s) => s !== 200)).toEqual([]);
		return message;
	}
	/** The customer writes and the bot's answer reaches them (the n-th message they get). */
	async function answered(c: Telegrammer, text: string): Promise<string> {
		const before = got(c).length;
		await writes(c, text);
		return (await waitFor(`the bot's answer to “${text}”`, () => got(c)[before])) as string;
	}

	/** The example as shipped, with the test's operators and chats picked, as a user does. */
	function example(): WorkflowJson {
		const workflow = readExample('ai-first-line.json');
		const node = (name: string) => workflow.nodes.find((n) => n.name === name)!;
		const [queue] = node('Forward to TeamSpirit').parameters.contactCentre.queues;
		Object.assign(queue, { operators: [alice.id, bob.id], timeZone: 'UTC', weeklyHours: '' });
		node('Post to the Team Chat').parameters.chatId.value = teamChat.id;
		node('Search Team Knowledge').parameters.chatIds = [knowledgeChat.id];
		return workflow;
	}

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		emulators = await startConversationEmulators();
		({ ts, tg } = emulators);
		ai = await OpenAiEmulator.start();
		[alice, bob] = CENTRE_OPERATORS.map((o) => ts.addUser(o));
		for (const who of [alice, bob]) ts.setStatus(who.id, { status: 'online' });
		teamChat = ts.addChat({ title: 'Support team', memberIds: [alice.id, bob.id] });
		knowledgeChat = ts.addChat({ title: 'Knowledge', memberIds: [alice.id, bob.id] });
		ts.addMessage(knowledgeChat.id, { senderId: alice.id, text: 'Returns: 30 days with the receipt.' });
		ts.addMessage(knowledgeChat.id, { senderId: alice.id, text: KNOWLEDGE });

		const toolResult = (c: { toolResults: Array<{ name: string; output: string }> }, name: RegExp) =>
			c.toolResults.find((r) => name.test(r.name))?.output ?? '';
		ai.script(
			{
				name: 'handover',
				user: /a person/i,
				noToolResultFrom: /Hand_Over/,
				answer: { toolCalls: [{ name: /Hand_Over/, arguments: { reason: 'The customer asks for a person' } }] },
			},
			{ name: 'after handover', toolResultFrom: /Hand_Over/, answer: { text: 'Handed over to an operator.' } },
			{
				name: 'search',
				user: /shipping/i,
				noToolResultFrom: /Search/,
				answer: { toolCalls: [{ name: /Search_Team_Knowledge/, arguments: { query: 'shipping' } }] },
			},
			{
				name: 'answer from the search',
				toolResultFrom: /Search/,
				answer: (c) => ({ text: `From our notes: ${JSON.parse(toolResult(c, /Search/) || '[]')[0]?.text ?? 'nothing'}` }),
			},
			{
				name: 'bug report',
				user: /broken/i,
				noToolResultFrom: /Post_to/,
				answer: { toolCalls: [{ name: /Post_to_the_Team_Chat/, arguments: { text: 'A customer says the app is broken' } }] },
			},
			{ name: 'after the post', toolResultFrom: /Post_to/, answer: { text: 'I told the team, thank you!' } },
			{
				name: 'history',
				user: /before/i,
				noToolResultFrom: /History/,
				answer: { toolCalls: [{ name: /Get_Conversation_History/, arguments: {} }] },
			},
			{
				name: 'answer from the history',
				toolResultFrom: /History/,
				answer: (c) => ({ text: `Last time: ${toolResult(c, /History/)}` }),
			},
			{ name: 'echo', answer: (c) => ({ text: `Bot: ${c.lastUserText}` }) },
		);

		// the n8n the suites share (test/e2e/shared-n8n.ts): the example published into it
		shared = await sharedN8n();
		n8n = shared.n8n;
		const workflows = [example()];
		await shared.useCredentials(
			[
				...conversationCredentials(emulators),
				{ id: 'openai', name: 'OpenAI account', type: 'openAiApi', data: { apiKey: ai.apiKey, url: ai.baseUrl } },
			],
			workflows,
		);
		workflowIds = await shared.publishWorkflows(workflows);
		editor.useSession(shared!.editor.session);
		await waitForConversationTriggers(emulators, {
			registrations: 1,
			telegram: true,
			customerUrls: [],
			diagnostics: showN8n,
		});
	});

	afterAll(async () => {
		await shared?.release();
		await ai?.stop();
		await emulators?.stop();
		timings.push({ label: 'ai-first-line suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	it('the bot answers three customers; each conversation is bot-owned and mirrored into its TeamSpirit chat', async () => {
		await Promise.all([
			writes(anna, 'Hello, I am Anna'),
			writes(boris, 'Hello, I am Boris'),
			writes(chen, 'Hello, I am Chen'),
		]);
		for (const [c, name] of [
			[anna, 'Anna'],
			[boris, 'Boris'],
			[chen, 'Chen'],
		] as const) {
			await waitFor(`the bot's answer to ${name}`, () => got(c).length === 1);
			expect(got(c)).toEqual([`Bot: Hello, I am ${name}`]);
		}
		await executionsSettled();
		for (const [c, name] of [
			[anna, 'Anna'],
			[boris, 'Boris'],
			[chen, 'Chen'],
		] as const) {
			expect(stateOf(c)).toMatchObject({ owner: 'bot', assigneeId: null });
			expect(customerLines(c)).toEqual([`Hello, I am ${name}`]);
			expect(botLines(c)).toEqual([`Bot: Hello, I am ${name}`]);
		}
		// one memory per conversation (Simple Memory keyed by conversation.key)
		for (const call of ai.callsFor('Hello, I am')) {
			expect(call.messages.filter((m) => m.role === 'user').map((m) => m.text)).toEqual([call.lastUserText]);
		}
	});

	it('the agent is offered our tools, by the names and descriptions of the example', () => {
		const offered = ai.calls[0].tools;
		for (const [name, description] of Object.entries(TOOLS)) {
			const tool = offered.find((t) => t.name === name);
			expect({ name, description: tool?.description }).toEqual({ name, description: expect.stringMatching(description) });
		}
		// Hand Over's reason is the one argument the model fills ($fromAI)
		const handOver = offered.find((t) => t.name === 'Hand_Over_to_Operator')!;
		expect(Object.keys((handOver.parameters as { properties?: object }).properties ?? {})).toEqual(['reason']);
	});

	it('Search Team Knowledge reads the knowledge chat for the agent; Post to the Team Chat tells the team', async () => {
		expect(await answered(boris, 'How long does shipping take?')).toBe(`From our notes: ${KNOWLEDGE}`);
		expect(await answered(boris, 'Your app is broken')).toBe('I told the team, thank you!');
		await waitFor('the post in the team chat', () =>
			ts.messagesIn(teamChat.id).some((m) => m.text === 'A customer says the app is broken'),
		);
		expect(botLines(boris)).toContain(`From our notes: ${KNOWLEDGE}`);
	});

	it('Anna asks for a person: the agent hands over, she gets the Handover Message, Alice is assigned; the agent’s last words are not sent', async () => {
		expect(await answered(anna, 'I want to talk to a person')).toBe(HANDOVER_MESSAGE);
		await waitFor('Anna’s conversation owned by an operator', () => stateOf(anna).assigneeId === alice.id);
		await executionsSettled();
		expect(stateOf(anna)).toMatchObject({ owner: 'operator', status: 'open', assigneeId: alice.id });
		expect(got(anna)).toEqual(['Bot: Hello, I am Anna', HANDOVER_MESSAGE]);
		const texts = messagesIn(key(anna)).map((m) => m.text);
		expect(texts).toContain('🙋 Handover: The customer asks for a person');
		expect(texts.join('\n')).not.toContain('Handed over to an operator.');
	});

	it('Alice answers Anna; the bot stays silent in her conversation while it keeps answering Boris', async () => {
		await posts(alice, anna, 'Hi Anna, Alice here. How can I help?');
		await waitFor('Alice’s answer at Anna', () => got(anna).length === 3);
		const asked = ai.calls.length;
		await writes(anna, 'My order 1234 is late');
		expect(await answered(boris, 'Are you still there?')).toBe('Bot: Are you still there?');
		await waitFor('Anna’s message in her chat', () => customerLines(anna).includes('My order 1234 is late'));
		await executionsSettled();
		expect(ai.callsFor('My order 1234')).toEqual([]);
		expect(ai.calls.slice(asked).map((c: OpenAiCall) => c.lastUserText)).toEqual(['Are you still there?']);
		expect(got(anna)).toEqual(['Bot: Hello, I am Anna', HANDOVER_MESSAGE, 'Hi Anna, Alice here. How can I help?']);
	});

	it('an operator who types in a bot-owned chat takes it over: Chen gets the operator, not the bot', async () => {
		await posts(bob, chen, 'Hi Chen, Bob here, I will take care of you.');
		await waitFor('Bob’s message at Chen', () => got(chen).length === 2);
		await waitFor('Chen’s conversation owned by Bob', () => stateOf(chen).owner === 'operator');
		await writes(chen, 'Thank you Bob');
		await waitFor('Chen’s message in his chat', () => customerLines(chen).includes('Thank you Bob'));
		await executionsSettled();
		expect(stateOf(chen)).toMatchObject({ owner: 'operator', assigneeId: bob.id });
		expect(ai.callsFor('Thank you Bob')).toEqual([]);
		expect(got(chen)).toEqual(['Bot: Hello, I am Chen', 'Hi Chen, Bob here, I will take care of you.']);
	});

	it('after /resolve the bot answers Anna again, reading her earlier conversation with Get Conversation History', async () => {
		await posts(alice, anna, '/resolve');
		await waitFor('Anna’s conversation resolved and the bot’s again', () => stateOf(anna).status === 'resolved' && stateOf(anna).owner === 'bot');
		await executionsSettled();
		const answer = await answered(anna, 'Hello again, what did I ask before?');
		expect(answer).toMatch(/^Last time: /);
		const history = JSON.parse(answer.slice('Last time: '.length)) as Array<{ conversations: Array<{ messages: string[] }> }>;
		const [{ conversations }] = [history].flat();
		expect(conversations[0].messages).toEqual(
			expect.arrayContaining([
				'customer: I want to talk to a person',
				'(handed over to an operator: The customer asks for a person)',
				`bot: ${HANDOVER_MESSAGE}`,
				'operator Alice Martin: Hi Anna, Alice here. How can I help?',
				'customer: My order 1234 is late',
			]),
		);
		expect(conversations[0].messages.join('\n')).not.toContain('/resolve');
		// Anna's memory holds her own conversation only
		const [call] = ai.callsFor('Hello again');
		const remembered = call.messages.map((m) => m.text).join('\n');
		expect(remembered).toContain('Hello, I am Anna');
		expect(remembered).not.toContain('Boris');
		await executionsSettled();
		expect(stateOf(anna).owner).toBe('bot');
	});
});
