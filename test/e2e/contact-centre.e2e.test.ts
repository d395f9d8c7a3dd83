/**
 * End to end in a real n8n (`n8n start`, the packed package installed as a community package):
 * the contact centre (issue 21, README "Contact centre") with the three conversation examples
 * imported as a user imports them and their *Forward to TeamSpirit* given two queues in its
 * Contact Centre settings, three operators, six customers over three channels.
 *
 * - Support (Telegram and WhatsApp): Alice and Bob, round robin, at most 2 open conversations per
 *   operator, open now; a greeting, a closing message, a rating question, canned replies, a note
 *   prefix.
 * - Sales (Messenger): Bob and Carla, manual (the first `/take` wins), closed now (its hours are
 *   set around the test's current time): an away reply.
 *
 * The story: two Messenger customers write to closed Sales (one away reply each, pending); Bob and
 * Carla `/take` one at the same moment (one wins), and snooze it for a minute. Bob is away, so
 * Alice gets the first two Support customers and the third waits; Alice writes a note and sends a
 * canned reply, resolves (closing message, rating buttons; her freed slot goes to the waiting
 * customer), the customer rates 5 and writes again (reopened, waiting), Alice transfers another
 * conversation to Carla (her freed slot goes to the reopened one). A sixth customer waits until
 * Bob is back online and *Process Due Conversations* (the examples' Schedule Trigger) assigns him;
 * the same runs end the snooze (each of the three examples runs it, set to every 10 s instead of
 * every minute). *Get Statistics* (behind a Webhook) counts it all.
 *
 * The operators act by typing in the conversation chats (TeamSpirit delivers their messages to n8n
 * as it delivers any message). Every check is on what TeamSpirit holds (the conversation chats,
 * their metadata, the notices) and what the customers (the channel emulators) receive.
 *
 * Run with `bash scripts/e2e.sh test/e2e/contact-centre.e2e.test.ts`.
 */
import type { GraphEmulator, GraphUser } from '../emulators/graph';
import type { Chat, Message, TeamSpiritEmulator, User } from '../emulators/teamspirit';
import type { TelegramEmulator, TgUserJson } from '../emulators/telegram';
import type { TwilioEmulator } from '../emulators/twilio';
import {
	CENTRE_OPERATORS,
	CONVERSATION_CHANNELS,
	conversationCredentials,
	contactCentreExample,
	customerWebhookUrl,
	startConversationEmulators,
	statisticsWorkflow,
	triggerWebhookIds,
	waitForConversationTriggers,
	weeklyHours,
	type ConversationEmulators,
	type QueueDefinition,
} from './conversation-setup';
import {
	conversationView,
	executionsSettled as executionsSettledIn,
	operatorChatPicture,
	signedKey,
	waitUntil,
} from './conversation-view';
import { formatTimings, N8nEditor, timings } from './n8n';
import { sharedN8n, type SharedN8n } from './shared-n8n';

const tarball = process.env.TS_PACKAGE_TARBALL;
/** Set by `npm run screenshots`: where the operator's chat picture goes. */
const SHOTS = process.env.TS_EDITOR_SCREENSHOTS;
const MINUTE = 60_000;

type Telegrammer = { chatId: number; from: Partial<TgUserJson> & { first_name: string } };
type Whatsapper = { phone: string; name: string };

describe('The contact centre (queues, routing, commands, hours, ratings) in a real n8n', () => {
	let shared: SharedN8n | undefined;
	let n8n: SharedN8n['n8n'] | undefined;
	/** The ids of this suite's workflows in the shared n8n. */
	let workflowIds: string[] = [];
	let emulators: ConversationEmulators;
	let ts: TeamSpiritEmulator;
	let tg: TelegramEmulator;
	let tw: TwilioEmulator;
	let fb: GraphEmulator;
	let alice: User;
	let bob: User;
	let carla: User;
	let supportTeam: Chat;
	let salesTeam: Chat;
	let cannedChat: Chat;
	const editor = new N8nEditor(() => n8n!.url);
	const webhookIds: Record<string, string> = {};
	const started = Date.now();

	const showN8n = () =>
		`--- n8n output ---\n${n8n?.output().slice(-6000) ?? '(n8n is not running)'}`;
	const showTeamSpirit = () =>
		`--- TeamSpirit saw (last 40) ---\n${ts.requests
			.slice(-40)
			.map((r) => `${r.method} ${r.path} ${JSON.stringify(r.query)} ${r.status}`)
			.join('\n')}`;
	const waitFor = <T>(
		what: string,
		probe: () => T | undefined | false | null,
		timeoutMs = 45_000,
	) => waitUntil(what, probe, timeoutMs, () => `${showTeamSpirit()}\n${showN8n()}`);
	const { chatByKey, messagesIn, customerMessages } = conversationView(() => ts);
	const executionsSettled = () => executionsSettledIn(editor, showN8n, 60_000, workflowIds);

	// ----- the customers --------------------------------------------------------------------------

	const anna: Telegrammer = {
		chatId: 7201,
		from: { id: 7201, first_name: 'Anna', last_name: 'Petrova', username: 'anna_p' },
	};
	const boris: Telegrammer = {
		chatId: 7202,
		from: { id: 7202, first_name: 'Boris', last_name: 'Ivanov' },
	};
	const maria: Whatsapper = { phone: '+4915112347001', name: 'Maria Garcia' };
	const jonas: Whatsapper = { phone: '+4915112347002', name: 'Jonas Weber' };
	let lena: GraphUser;
	let tom: GraphUser;

	const key = {
		telegram: (c: Telegrammer) => signedKey(`telegram:${tg.botId}:${c.chatId}`, ts),
		whatsapp: (c: Whatsapper) =>
			signedKey(`whatsapp:${tw.whatsappNumber.replace(/^whatsapp:/, '')}:${c.phone}`, ts),
		messenger: (u: GraphUser) => signedKey(`messenger:${fb.pageId}:${u.id}`, ts),
	};
	/** What each customer got from the bot, as text. */
	const got = {
		telegram: (c: Telegrammer) => tg.sentMessages(c.chatId).map((m) => m.text ?? m.caption ?? ''),
		whatsapp: (c: Whatsapper) => tw.messagesTo(`whatsapp:${c.phone}`).map((m) => m.body ?? ''),
		messenger: (u: GraphUser) => fb.messagesTo(u.id).map((m) => m.text ?? ''),
	};

	const telegramWrites = (c: Telegrammer, text: string) =>
		tg.pushMessage({ chatId: c.chatId, from: c.from, text });
	async function whatsappWrites(c: Whatsapper, text: string): Promise<void> {
		const url = customerWebhookUrl(n8n!.url, webhookIds.whatsapp);
		const result = await tw.sendInbound(url, {
			From: `whatsapp:${c.phone}`,
			ProfileName: c.name,
			Body: text,
		});
		expect(result.status).toBe(200);
	}
	async function messengerWrites(u: GraphUser, text: string): Promise<void> {
		const url = customerWebhookUrl(n8n!.url, webhookIds.messenger);
		const result = await fb.deliver(url, [fb.messageEvent(u.id, { text })]);
		expect(result.status).toBe(200);
	}

	// ----- what TeamSpirit holds ------------------------------------------------------------------

	/** The conversation's state as the chat's metadata holds it (docs/conversations.md). */
	const stateOf = (chatKey: string) => {
		const chat = chatByKey(chatKey);
		if (!chat) return undefined;
		const m = chat.metadata as Record<string, any>;
		return {
			status: (m.status as string | undefined) ?? 'open',
			assigneeId: (m.assigneeId as string | null | undefined) ?? null,
			queue: (m.queue as string | null | undefined) ?? null,
			snoozedUntil: (m.snoozedUntil as string | null | undefined) ?? null,
			rating: (m.rating as { score: number; at: string } | null | undefined) ?? null,
			times: (m.times as Record<string, string | null> | undefined) ?? {},
			members: chat.memberIds,
		};
	};
	const waitForState = (
		chatKey: string,
		what: string,
		holds: (s: NonNullable<ReturnType<typeof stateOf>>) => boolean,
		timeoutMs = 45_000,
	) =>
		waitFor(
			`${what} (${chatKey})`,
			() => {
				const state = stateOf(chatKey);
				return state && holds(state) && state;
			},
			timeoutMs,
		);
	/** The bridge's own posts in a chat other than the customer's messages: notices, answers, ratings. */
	const noticesIn = (chatKey: string) =>
		messagesIn(chatKey)
			.filter((m) => m.senderId === ts.bot.id && !m.externalKey?.startsWith(`${chatKey}#`))
			.map((m) => m.text);
	/** The notices answering a command (`notice:<id>:command`). */
	const answersTo = (command: Message) =>
		ts.messagesIn(command.chatId).filter((m) => m.externalKey === `notice:${command.id}:command`);

	/** An operator types in a conversation chat (TeamSpirit delivers message.created to n8n). */
	async function posts(who: User, chatKey: string, text: string): Promise<Message> {
		const chat = chatByKey(chatKey);
		if (!chat) throw new Error(`no chat ${chatKey}`);
		const { message, deliveries } = await ts.postAsUser(chat.id, who.id, { format: 'plain', text });
		expect(deliveries.map((d) => d.status).filter((s) => s !== 200)).toEqual([]);
		return message;
	}
	/** Waits for the notice answering a command; returns its text. */
	const answerTo = async (command: Message): Promise<string> =>
		(await waitFor(`the answer to “${command.text}”`, () => answersTo(command)[0])).text;

	// ----- n8n ------------------------------------------------------------------------------------

	function queues(): { support: QueueDefinition; sales: QueueDefinition } {
		const now = Date.now();
		return {
			support: {
				name: 'Support',
				operators: [alice.id, bob.id],
				announceChatId: supportTeam.id,
				routing: 'roundRobin',
				maxOpen: 2,
				timeZone: 'UTC',
				// open from an hour ago until two hours from now
				hours: weeklyHours(new Date(now - 60 * MINUTE), new Date(now + 120 * MINUTE)),
				greeting: 'Hello {customer}, thanks for writing to Support.',
				closingMessage: 'Glad we could help. This conversation is closed now.',
				ratingQuestion: 'How did we do? 1 (poor) to 5 (great)',
				notePrefix: '//',
				cannedChatId: cannedChat.id,
			},
			sales: {
				name: 'Sales',
				operators: [bob.id, carla.id],
				announceChatId: salesTeam.id,
				routing: 'manual',
				maxOpen: 2,
				timeZone: 'UTC',
				// closed now: open from two hours from now for an hour
				hours: weeklyHours(new Date(now + 120 * MINUTE), new Date(now + 180 * MINUTE)),
				awayReply: 'Sales is closed now; we answer as soon as we open.',
				cannedChatId: cannedChat.id,
			},
		};
	}

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		emulators = await startConversationEmulators();
		({ ts, tg, tw, fb } = emulators);
		[alice, bob, carla] = CENTRE_OPERATORS.map((o) => ts.addUser(o));
		for (const who of [alice, carla]) ts.setStatus(who.id, { status: 'online' });
		// Bob is away until the Support part needs him (routing reads statuses once per 30 s)
		ts.setStatus(bob.id, { status: 'away' });
		supportTeam = ts.addChat({ title: 'Support team', memberIds: [alice.id, bob.id] });
		salesTeam = ts.addChat({ title: 'Sales team', memberIds: [bob.id, carla.id] });
		cannedChat = ts.addChat({ title: 'Canned replies', memberIds: [alice.id, bob.id, carla.id] });
		for (const text of [
			'hello: Hi {customer}, this is {operator}. How can I help?',
			'bye: Thank you, {customer}. Have a good day!',
		])
			ts.addMessage(cannedChat.id, { senderId: alice.id, text });
		lena = fb.addUser({ first_name: 'Lena', last_name: 'Schmidt' });
		tom = fb.addUser({ first_name: 'Tom', last_name: 'Becker' });

		const { support, sales } = queues();
		const conversations = CONVERSATION_CHANNELS.map((channel) =>
			contactCentreExample(channel, channel === 'messenger' ? [sales] : [support]),
		);
		const workflows = [...conversations, statisticsWorkflow()];
		// the n8n the suites share (test/e2e/shared-n8n.ts): the workflows published into it
		shared = await sharedN8n();
		n8n = shared.n8n;
		await shared.useCredentials(conversationCredentials(emulators), workflows);
		workflowIds = await shared.publishWorkflows(workflows);
		CONVERSATION_CHANNELS.forEach((channel, i) => {
			webhookIds[channel] = triggerWebhookIds(conversations[i]).customer;
		});
		editor.useSession(shared!.editor.session);
		await waitForConversationTriggers(emulators, {
			registrations: 3,
			telegram: true,
			customerUrls: [
				customerWebhookUrl(n8n.url, webhookIds.whatsapp),
				customerWebhookUrl(n8n.url, webhookIds.messenger),
			],
			diagnostics: showN8n,
		});
	});

	afterAll(async () => {
		await shared?.release();
		await emulators?.stop();
		timings.push({ label: 'contact-centre suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	// ----- Sales is closed: away reply, pending; the /take race; a snooze -------------------------

	it('Sales is closed now: each Messenger customer gets the away reply once, and the conversation waits in Sales (pending)', async () => {
		const { sales } = queues();
		await messengerWrites(lena, 'Hi, do you sell gift cards?');
		await messengerWrites(tom, 'Hello, a question about prices');
		await waitFor(
			'the away replies',
			() => got.messenger(lena).length && got.messenger(tom).length,
		);
		await messengerWrites(lena, 'And can I pay by invoice?');
		await waitFor(
			'Lena’s second message',
			() => customerMessages(key.messenger(lena)).length === 2,
		);
		await executionsSettled();
		for (const u of [lena, tom]) {
			expect(got.messenger(u)).toEqual([sales.awayReply]);
			expect(stateOf(key.messenger(u))).toMatchObject({
				status: 'pending',
				queue: 'Sales',
				assigneeId: null,
			});
		}
	});

	let lenaOwner: User;

	it('/take by Bob and Carla at the same moment: exactly one gets the conversation, the other is told who has it', async () => {
		const chatKey = key.messenger(lena);
		const [byBob, byCarla] = await Promise.all([
			posts(bob, chatKey, '/take'),
			posts(carla, chatKey, '/take'),
		]);
		const state = await waitForState(chatKey, 'an assignee', (s) => !!s.assigneeId);
		const [answerBob, answerCarla] = await Promise.all([answerTo(byBob), answerTo(byCarla)]);
		await executionsSettled();
		lenaOwner = state.assigneeId === bob.id ? bob : carla;
		expect([bob.id, carla.id]).toContain(state.assigneeId);
		expect(state.status).toBe('open');
		expect(state.members).toContain(lenaOwner.id);
		const [won, lost] = lenaOwner === bob ? [answerBob, answerCarla] : [answerCarla, answerBob];
		expect(won).toContain(lenaOwner.name);
		expect(lost).toContain(lenaOwner.name);
		expect(lost).not.toBe(won);
		// each command answered once, none reached the customer
		expect(answersTo(byBob)).toHaveLength(1);
		expect(answersTo(byCarla)).toHaveLength(1);
		expect(got.messenger(lena)).toHaveLength(1);
	});

	it('/snooze 1m: the conversation is snoozed until then (it comes back by itself, below)', async () => {
		const command = await posts(lenaOwner, key.messenger(lena), '/snooze 1m');
		await answerTo(command);
		const state = await waitForState(key.messenger(lena), 'snoozed', (s) => s.status === 'snoozed');
		const until = Date.parse(state.snoozedUntil ?? '');
		expect(until).toBeGreaterThan(Date.parse(command.createdAt));
		expect(until).toBeLessThanOrEqual(Date.parse(command.createdAt) + 2 * MINUTE);
		expect(state.assigneeId).toBe(lenaOwner.id);
		expect(got.messenger(lena)).toHaveLength(1);
	});

	// ----- Support: routing within the limit, notes, canned replies, resolve → rating → reopen ----

	it('routing with a limit of 2 (Bob away): Anna and Boris go to Alice, Maria waits in Support (pending, announced)', async () => {
		const { support } = queues();
		telegramWrites(anna, 'Hello, my parcel did not arrive');
		await waitForState(key.telegram(anna), 'Anna assigned', (s) => !!s.assigneeId);
		telegramWrites(boris, 'Hi, I need a new invoice');
		await waitForState(key.telegram(boris), 'Boris assigned', (s) => !!s.assigneeId);
		await whatsappWrites(maria, 'Hola, where is my order?');
		await waitForState(key.whatsapp(maria), 'Maria pending', (s) => s.status === 'pending');
		await executionsSettled();
		for (const chatKey of [key.telegram(anna), key.telegram(boris)]) {
			expect(stateOf(chatKey)).toMatchObject({
				status: 'open',
				queue: 'Support',
				assigneeId: alice.id,
			});
			expect(stateOf(chatKey)!.members).toContain(alice.id);
			expect(
				noticesIn(chatKey).filter((t) => t.includes(`Assigned to ${alice.name}`)),
			).toHaveLength(1);
		}
		expect(stateOf(key.whatsapp(maria))).toMatchObject({ queue: 'Support', assigneeId: null });
		const waiting = ts.messagesIn(supportTeam.id).map((m) => m.text);
		expect(waiting.filter((t) => t.includes('Maria Garcia'))).toHaveLength(1);
		// the greeting, once, with the customer's name
		expect(got.telegram(anna)).toEqual([support.greeting!.replace('{customer}', 'Anna Petrova')]);
		expect(got.whatsapp(maria)).toEqual([support.greeting!.replace('{customer}', 'Maria Garcia')]);
	});

	it('notes never reach the customer; a canned reply goes out with its placeholders filled in', async () => {
		const chatKey = key.telegram(anna);
		const before = got.telegram(anna).length;
		const notes = [
			await posts(alice, chatKey, '/note VIP customer, second parcel this month'),
			await posts(alice, chatKey, '// checked with the courier: lost in transit'),
		];
		await posts(alice, chatKey, '/r hello');
		await waitFor('the canned reply on Telegram', () => got.telegram(anna).length === before + 1);
		await executionsSettled();
		expect(got.telegram(anna).slice(before)).toEqual([
			'Hi Anna Petrova, this is Alice Martin. How can I help?',
		]);
		expect(got.telegram(anna).join('\n')).not.toMatch(/VIP|courier/);
		// each note was taken as a command (claimed in TeamSpirit, run once), not as a message to send
		for (const note of notes) expect(ts.message(note.id)!.externalKey).toBe(`command:${note.id}`);
		expect(stateOf(chatKey)!.times.firstResponseAt).toBeTruthy();
	});

	it('/resolve: the closing message and the rating question (buttons) reach Anna; Alice’s freed slot goes to Maria', async () => {
		const { support } = queues();
		const chatKey = key.telegram(anna);
		await answerTo(await posts(alice, chatKey, '/resolve parcel re-sent'));
		await waitForState(chatKey, 'resolved', (s) => s.status === 'resolved');
		await waitFor('the rating question', () =>
			tg.sentMessages(anna.chatId).find((m) => m.reply_markup),
		);
		const texts = got.telegram(anna);
		expect(texts.slice(-2)).toEqual([support.closingMessage, support.ratingQuestion]);
		expect(stateOf(chatKey)!.times.resolvedAt).toBeTruthy();
		const mariaNow = await waitForState(
			key.whatsapp(maria),
			'Maria assigned',
			(s) => !!s.assigneeId,
		);
		expect(mariaNow).toMatchObject({ status: 'open', assigneeId: alice.id });
	});

	it('Anna taps “5”: the rating is on the conversation and in the chat', async () => {
		const question = tg.sentMessages(anna.chatId).find((m) => m.reply_markup)!;
		const keyboard = question.reply_markup as {
			inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
		};
		const buttons = keyboard.inline_keyboard.flat();
		expect(buttons).toHaveLength(5);
		const five = buttons.find((b) => b.text.includes('5'))!;
		tg.pushUpdate({
			callback_query: {
				id: 'cb-anna-5',
				from: { id: anna.chatId, is_bot: false, ...anna.from },
				message: { message_id: question.message_id, chat: question.chat, date: question.date },
				chat_instance: 'anna',
				data: five.callback_data,
			},
		});
		const state = await waitForState(key.telegram(anna), 'rated', (s) => !!s.rating);
		expect(state.rating!.score).toBe(5);
		expect(state.status).toBe('resolved');
		await waitFor('the rating in the chat', () =>
			noticesIn(key.telegram(anna)).some((t) => t.includes('5/5')),
		);
	});

	it('Anna writes again: the conversation reopens (same chat, a notice) and waits in Support (Alice is full, Bob away)', async () => {
		const chatId = chatByKey(key.telegram(anna))!.id;
		const chats = ts.chats.size;
		telegramWrites(anna, 'Sorry, one more thing: the new parcel has the wrong size');
		const state = await waitForState(
			key.telegram(anna),
			'reopened',
			(s) => s.status !== 'resolved',
		);
		await executionsSettled();
		expect(state).toMatchObject({ status: 'pending', queue: 'Support', assigneeId: null });
		expect(state.times.resolvedAt ?? null).toBeNull();
		expect(chatByKey(key.telegram(anna))!.id).toBe(chatId);
		expect(ts.chats.size).toBe(chats);
		expect(noticesIn(key.telegram(anna)).some((t) => /reopen/i.test(t))).toBe(true);
	});

	it('/transfer @carla: Boris’s conversation moves from Alice to Carla (added to the chat; the chat says who moved it to whom), and Alice’s freed slot goes to Anna', async () => {
		const chatKey = key.telegram(boris);
		const answer = await answerTo(await posts(alice, chatKey, '/transfer @carla'));
		const state = await waitForState(chatKey, 'Carla assigned', (s) => s.assigneeId === carla.id);
		expect(state.members).toContain(carla.id);
		expect(answer).toContain(alice.name);
		expect(answer).toContain(carla.name);
		expect(got.telegram(boris).join('\n')).not.toContain('/transfer');
		const annaNow = await waitForState(
			key.telegram(anna),
			'Anna assigned again',
			(s) => !!s.assigneeId,
		);
		expect(annaNow).toMatchObject({ status: 'open', assigneeId: alice.id });
	});

	it('Jonas waits while nobody is free; when Bob is back online, Process Due Conversations assigns Jonas to him', async () => {
		await whatsappWrites(jonas, 'Hello, is my refund on its way?');
		await waitForState(key.whatsapp(jonas), 'Jonas pending', (s) => s.status === 'pending');
		ts.setStatus(bob.id, { status: 'online' });
		// TeamSpirit's statuses are read again after 30 s; the Schedule Trigger runs every 10 s
		const state = await waitForState(
			key.whatsapp(jonas),
			'Jonas assigned',
			(s) => !!s.assigneeId,
			2 * MINUTE,
		);
		expect(state).toMatchObject({ status: 'open', queue: 'Support', assigneeId: bob.id });
	});

	it('the snooze expired (Process Due Conversations on a Schedule Trigger): Lena’s conversation is open again, still with its operator', async () => {
		const state = await waitForState(
			key.messenger(lena),
			'open again after the snooze',
			(s) => s.status === 'open',
			2 * MINUTE,
		);
		expect(state.assigneeId).toBe(lenaOwner.id);
		expect(state.snoozedUntil ?? null).toBeNull();
		expect(noticesIn(key.messenger(lena)).some((t) => /snooze/i.test(t))).toBe(true);
		expect(got.messenger(lena)).toHaveLength(1);
	});

	it('Get Statistics counts the conversations by status, queue and operator, with the rating and the median first-response time', async () => {
		const res = await fetch(`${n8n!.url}/webhook/contact-centre-statistics`, { method: 'POST' });
		expect(res.status).toBe(200);
		const stats = (await res.json()) as Record<string, any>;
		expect(stats.byStatus).toEqual({ open: 5, pending: 1, snoozed: 0, resolved: 0 });
		const counts = (rows: Array<Record<string, any>>, by: string) =>
			Object.fromEntries(rows.map((row) => [String(row[by]), row.conversations]));
		expect(counts(stats.byQueue, 'queue')).toEqual({ Support: 4, Sales: 2 });
		const lenas = lenaOwner === bob ? { bob: 2, carla: 1 } : { bob: 1, carla: 2 };
		expect(counts(stats.byOperator, 'assigneeId')).toEqual({
			[alice.id]: 2,
			[bob.id]: lenas.bob,
			[carla.id]: lenas.carla,
			null: 1,
		});
		expect(stats.averageRating).toBe(5);
		expect(stats.medianFirstResponseSeconds).toBeGreaterThanOrEqual(0);
	});

	it('no execution failed, no command reached a customer, and no secret shows in n8n’s output', async () => {
		await ts.settled();
		const list = await executionsSettled();
		expect(list.filter((e) => e.status !== 'success')).toEqual([]);
		const all = [
			...[anna, boris].flatMap(got.telegram),
			...[maria, jonas].flatMap(got.whatsapp),
			...[lena, tom].flatMap(got.messenger),
		];
		expect(all.filter((t) => /^\/[a-z]/.test(t))).toEqual([]);
		for (const secret of [ts.apiKey, tg.token, tw.authToken, fb.pageAccessToken, fb.appSecret])
			expect(n8n!.output()).not.toContain(secret);
		if (SHOTS) await operatorChatPicture(ts, chatByKey(key.telegram(anna))!.id, SHOTS);
	});
});
