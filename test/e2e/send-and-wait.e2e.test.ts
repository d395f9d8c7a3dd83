/**
 * Send and Wait for Response in a real n8n 2.41.1 (`n8n start`, one start-up and one restart for
 * the whole suite). A published workflow — Webhook → "Ask" (TeamSpirit, Send and Wait for
 * Response; its parameters from the request body) → "After" (posts what Ask gave) — is started
 * once per case; the emulator gets the wait message whose text holds the signed links, and the
 * test opens and posts them as a person's browser would.
 *
 * Helpers for more cases (other answer paths, other nodes) are at the top: `start()` a waiting
 * execution with a marker, `waitMessageOf(marker)`, `open(url, init)`, `afterOf(marker)`.
 *
 * The customers' cases (Chat Channel on Telegram, WhatsApp and Messenger, and the Messenger page's
 * trigger relaying quick replies) use test/e2e/send-and-wait-customers.ts.
 *
 * Run with `npm run test:e2e` (scripts/e2e.sh), which builds, packs and sets TS_PACKAGE_TARBALL.
 */
import { randomUUID } from 'node:crypto';

import { TeamSpiritEmulator, type Message } from '../emulators/teamspirit';
import {
	createN8nHome,
	credentialFor,
	formatTimings,
	importCredentials,
	installPackageTarball,
	N8nEditor,
	startN8n,
	timings,
	type N8nHome,
	type RunningN8n,
	type WorkflowJson,
} from './n8n';
import {
	askPath,
	CUSTOMER_CHANNELS,
	customerAskWorkflow,
	customerCredentials,
	linksInText,
	messengerTriggerWorkflow,
	startCustomerEmulators,
	type CustomerChannel,
	type CustomerEmulators,
} from './send-and-wait-customers';

const tarball = process.env.TS_PACKAGE_TARBALL;
const CHAT = 'c_ops';
const HOOK_PATH = 'send-and-wait';
/** A browser's user agent: what a person's click sends (link previews send others, or none). */
const BROWSER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

const ts = (expression: string) => `={{ ${expression} }}`;

/** Webhook → Ask (Send and Wait; what it asks comes from the request body) → After. */
function askWorkflow(): WorkflowJson {
	const chatId = { __rl: true, mode: 'id', value: CHAT };
	const credentials = { teamSpiritApi: { id: 'ts', name: 'ts' } };
	const node = (name: string, type: string, typeVersion: number, x: number, parameters: Record<string, unknown>, extra = {}) => ({
		id: randomUUID(),
		name,
		type,
		typeVersion,
		position: [x, 300] as [number, number],
		parameters,
		...extra,
	});
	const field = (fieldLabel: string, fieldType: string, extra = {}) => ({ fieldLabel, fieldType, ...extra });
	return {
		name: 'Send and wait (e2e)',
		nodes: [
			node('Webhook', 'n8n-nodes-base.webhook', 2, 100, { httpMethod: 'POST', path: HOOK_PATH, responseMode: 'onReceived', options: {} }, { webhookId: randomUUID() }),
			node(
				'Ask',
				'n8n-nodes-teamspirit.teamSpirit',
				1,
				300,
				{
					resource: 'message',
					operation: 'sendAndWait',
					chatId,
					message: ts('$json.body.message'),
					responseType: ts('$json.body.responseType ?? "approval"'),
					approvalOptions: { values: { approvalType: ts('$json.body.approvalType ?? "single"') } },
					formFields: {
						values: [
							field('Name', 'text', { requiredField: true }),
							field('People', 'number'),
							field('Room', 'dropdown', { fieldOptions: { values: [{ option: 'Red' }, { option: 'Blue' }] } }),
						],
					},
					options: {
						acceptReplies: ts('$json.body.acceptReplies ?? false'),
						approvers: ts('$json.body.approvers ?? ""'),
						limitWaitTime: {
							values: { limitType: 'afterTimeInterval', resumeAmount: ts('$json.body.limitMinutes ?? 600'), resumeUnit: 'minutes' },
						},
					},
				},
				{ credentials },
			),
			node(
				'After',
				'n8n-nodes-teamspirit.teamSpirit',
				1,
				500,
				{
					resource: 'message',
					operation: 'send',
					chatId,
					text: `=After {{ $('Webhook').first().json.body.message.split(' ')[0] }}: {{ $json.data ? JSON.stringify($json.data) : 'no answer' }}`,
				},
				{ credentials },
			),
		],
		connections: {
			Webhook: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
			Ask: { main: [[{ node: 'After', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

describe('Send and Wait for Response in a real n8n', () => {
	let home: N8nHome;
	let emulator: TeamSpiritEmulator;
	let n8n: RunningN8n | undefined;
	const editor = new N8nEditor(() => n8n!.url);
	let workflowId: string;
	let customers: CustomerEmulators;
	let messengerTriggerUrl: string;
	const suiteStarted = Date.now();

	const showN8n = () => `--- n8n output ---\n${n8n?.output().slice(-4000)}`;
	/** The latest executions with their errors, for a failure's message. */
	async function showExecutions(): Promise<string> {
		try {
			const list = await editor.executions(20);
			const lines = await Promise.all(
				list.map(async (e) => {
					const full = await editor.call('GET', `/executions/${e.id}`);
					const data = String(full.json?.data?.data ?? '');
					const error = /"message":"([^"]{0,300})/.exec(data.slice(data.indexOf('"error"')))?.[1] ?? '';
					return `${e.id} ${e.status}${data.includes('"error"') ? ` ${error}` : ''}`;
				}),
			);
			return `--- executions ---\n${lines.join('\n')}`;
		} catch (error) {
			return `--- executions: ${(error as Error).message}`;
		}
	}
	async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const value = await probe();
			if (value) return value;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${await showExecutions()}\n${showN8n()}`);
			await new Promise((r) => setTimeout(r, 200));
		}
	}

	/** Starts one execution of the workflow; `body.message` begins with the case's marker. */
	async function start(body: Record<string, unknown>): Promise<void> {
		// right after publishing (or a restart) n8n may not have registered the webhook yet: 404
		await waitFor('the workflow to start', async () => {
			const res = await fetch(`${n8n!.url}/webhook/${HOOK_PATH}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
			});
			if (res.status === 200) return true;
			if (res.status !== 404) throw new Error(`start: ${res.status} ${await res.text()}`);
			return false;
		});
	}

	/** The wait message whose text starts with the marker, and its execution id (from its key). */
	async function waitMessageOf(marker: string): Promise<{ message: Message; executionId: string; links: Record<string, string> }> {
		const message = await waitFor(`the wait message "${marker}"`, () =>
			emulator.messagesIn(CHAT).find((m) => m.text.startsWith(marker) && m.externalKey?.startsWith('wait:')),
		);
		const executionId = message.externalKey!.split(':')[1];
		const links = Object.fromEntries(
			[...message.text.matchAll(/\[((?:\\.|[^\]\\])+)\]\((\S+?)\)/g)].map((m) => [m[1].replace(/\\(.)/g, '$1'), m[2]]),
		);
		return { message, executionId, links };
	}

	/** A person's browser opening (or posting to) a link. */
	async function open(url: string, init: { method?: string; form?: Record<string, string>; userAgent?: string | null } = {}) {
		const headers: Record<string, string> = {};
		// null: fetch's own default user agent ("node")
		if (init.userAgent !== null) headers['user-agent'] = init.userAgent ?? BROWSER;
		if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
		const res = await fetch(url, {
			method: init.method ?? (init.form ? 'POST' : 'GET'),
			headers,
			body: init.form && new URLSearchParams(init.form).toString(),
			redirect: 'manual',
		});
		return { status: res.status, headers: res.headers, body: await res.text() };
	}

	/** What After posted for the marker, the message's first word (its text after "After <marker>: "). */
	const afterOf = async (marker: string, timeoutMs?: number) =>
		(
			await waitFor(
				`After for "${marker}"`,
				() => emulator.messagesIn(CHAT).find((m) => m.text.startsWith(`After ${marker}: `)),
				timeoutMs,
			)
		).text.slice(`After ${marker}: `.length);
	const aftersOf = (marker: string) => emulator.messagesIn(CHAT).filter((m) => m.text.startsWith(`After ${marker}: `));

	async function executionStatus(executionId: string): Promise<string | undefined> {
		return (await editor.executions(100)).find((e) => String(e.id) === executionId)?.status;
	}

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run with `npm run test:e2e` (scripts/e2e.sh)');
		emulator = await TeamSpiritEmulator.start();
		emulator.addChat({ id: CHAT, title: 'Ops' });
		home = await createN8nHome({ prefix: 'n8n-e2e-send-and-wait-', env: process.env.TS_E2E_N8N_LOG ? { N8N_LOG_LEVEL: process.env.TS_E2E_N8N_LOG } : {} });
		await installPackageTarball(home, tarball);
		customers = await startCustomerEmulators();
		await importCredentials(home, [credentialFor.teamSpirit('ts', emulator), ...customerCredentials(customers)]);
		n8n = await startN8n(home);
		await editor.setUpOwner();
		for (const workflow of [...CUSTOMER_CHANNELS.map(customerAskWorkflow), messengerTriggerWorkflow()]) {
			const made = await editor.call('POST', '/workflows', { ...workflow, active: false });
			if (made.status !== 200) throw new Error(`create workflow: ${made.status} ${JSON.stringify(made.json)}`);
			await editor.publish(made.json.data.id);
			const trigger = workflow.nodes.find((n) => n.type === 'n8n-nodes-teamspirit.chatChannelTrigger');
			if (trigger) messengerTriggerUrl = `${n8n.url}/webhook/${trigger.webhookId}/webhook`;
		}
		const created = await editor.call('POST', '/workflows', { ...askWorkflow(), active: false });
		if (created.status !== 200) throw new Error(`create workflow: ${created.status} ${JSON.stringify(created.json)}`);
		workflowId = created.json.data.id;
		await editor.publish(workflowId);
	});

	afterAll(async () => {
		await n8n?.stop();
		await emulator?.stop();
		await customers?.stop();
		await home?.cleanup();
		timings.push({ label: 'send-and-wait suite total', ms: Date.now() - suiteStarted });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	it('lists teamSpiritHitlTool among n8n’s node types (the human-review tool n8n makes of the operation)', async () => {
		await editor.login();
		const types = await editor.call('GET', '/../types/nodes.json');
		const names = (types.json as Array<{ name: string }>).map((t) => t.name);
		expect(names).toEqual(expect.arrayContaining(['n8n-nodes-teamspirit.teamSpirit', 'n8n-nodes-teamspirit.teamSpiritHitlTool']));
	});

	it('starts the cases that wait across the restart (a time limit, an open question)', async () => {
		await start({ message: 'limit-1 Approve within a minute?', limitMinutes: 0.05 });
		await start({ message: 'restart-1 Still there after a restart?' });
		await waitMessageOf('limit-1');
		await waitMessageOf('restart-1');
	});

	it('approve: the execution waits; the signed link (not a changed one, not a link preview) resumes it', async () => {
		await start({ message: 'approve-1 Deploy **v2**?' });
		const { message, executionId, links } = await waitMessageOf('approve-1');
		expect(message.text).toMatch(/^approve-1 Deploy \*\*v2\*\*\?\n\n\[Approve\]\(http:\/\/127\.0\.0\.1:\d+\/webhook-waiting\/\d+\/[\w-]+\?approved=true&signature=[0-9a-f]{64}\)$/);
		expect(await executionStatus(executionId)).toBe('waiting');

		const forged = await open(links.Approve.replace('approved=true', 'approved=false'));
		expect(forged.status).toBe(401);
		// a chat app's preview, and a program (Node's fetch sends its default "node")
		for (const userAgent of ['TelegramBot (like TwitterBot)', null]) {
			const preview = await open(links.Approve, { userAgent });
			expect(preview.status).toBe(200);
			expect(preview.body).toContain('<form method="POST"><button type="submit">Approve</button></form>');
		}
		expect(await executionStatus(executionId)).toBe('waiting');

		const page = await open(links.Approve);
		expect(page.status).toBe(200);
		expect(page.body).toContain('Got it, thanks');
		expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
		expect(JSON.parse(await afterOf('approve-1'))).toEqual({ approved: true, respondedAt: expect.any(String) });
		expect(emulator.message(message.id)).toMatchObject({ text: 'approve-1 Deploy **v2**?\n\n✅ Approved', externalKey: expect.stringMatching(/^answered:/) });
		await waitFor('the execution to succeed', async () => (await executionStatus(executionId)) === 'success');

		const again = await open(links.Approve);
		expect(again.body).not.toContain('Got it, thanks');
		expect(aftersOf('approve-1')).toHaveLength(1);
	});

	it('decline: Approve and Disapprove; Decline, opened by what looks like a preview, resumes with approved false after one tap on the page\'s button', async () => {
		await start({ message: 'decline-1 Refund?', approvalType: 'double' });
		const { message, links } = await waitMessageOf('decline-1');
		expect(Object.keys(links)).toEqual(['Approve', 'Decline']);
		const preview = await open(links.Decline, { userAgent: 'TelegramBot (like TwitterBot)' });
		expect(preview.body).toContain('<form method="POST"><button type="submit">Decline</button></form>');
		expect(emulator.message(message.id)?.externalKey).toMatch(/^wait:/);
		// the button: the form posts (empty) to the page's own signed URL
		const tapped = await open(links.Decline, { method: 'POST', form: {}, userAgent: 'TelegramBot (like TwitterBot)' });
		expect(tapped.body).toContain('Got it, thanks');
		expect(JSON.parse(await afterOf('decline-1'))).toMatchObject({ approved: false });
		expect(emulator.message(message.id)?.text).toBe('decline-1 Refund?\n\n❌ Declined');
	});

	it('free text: the Respond link shows the form; posting it resumes with the text', async () => {
		await start({ message: 'text-1 Why <b>now</b>?', responseType: 'freeText' });
		const { links } = await waitMessageOf('text-1');
		const form = await open(links.Respond);
		expect(form.status).toBe(200);
		expect(form.body).toContain('text-1 Why &lt;b&gt;now&lt;/b&gt;?');
		expect(form.body).toContain('name="field-0"');
		expect((await open(links.Respond, { form: { 'field-0': 'Because the customer waits' } })).body).toContain('Got it, thanks');
		expect(JSON.parse(await afterOf('text-1'))).toEqual({ text: 'Because the customer waits', respondedAt: expect.any(String) });
	});

	it('a form: invalid input gets the form again with the errors; valid input resumes with the values', async () => {
		await start({ message: 'form-1 Book a room', responseType: 'customForm' });
		const { executionId, links } = await waitMessageOf('form-1');
		const invalid = await open(links.Respond, { form: { 'field-1': 'many', 'field-2': 'Green' } });
		expect(invalid.status).toBe(400);
		expect(invalid.body).toContain('This field is required');
		expect(invalid.body).toContain('Enter a number');
		expect(invalid.body).toContain('Choose one of the options');
		expect(await executionStatus(executionId)).toBe('waiting');

		expect((await open(links.Respond, { form: { 'field-0': 'Anna', 'field-1': '4', 'field-2': 'Blue' } })).body).toContain('Got it, thanks');
		expect(JSON.parse(await afterOf('form-1'))).toEqual({ Name: 'Anna', People: 4, Room: 'Blue', respondedAt: expect.any(String) });
	});

	it('two answers at once: exactly one counts, the other gets the already-answered page', async () => {
		await start({ message: 'race-1 Ship it?', approvalType: 'double' });
		const { message, links } = await waitMessageOf('race-1');
		const pages = await Promise.all([open(links.Approve), open(links.Decline)]);
		const won = pages.map((p) => p.body.includes('Got it, thanks'));
		expect(won.filter(Boolean)).toHaveLength(1);
		const approved = won[0];
		const loser = pages[approved ? 1 : 0];
		expect(loser.body).toContain('Already answered');
		expect(JSON.parse(await afterOf('race-1'))).toMatchObject({ approved });
		expect(emulator.message(message.id)?.text).toBe(`race-1 Ship it?\n\n${approved ? '✅ Approved' : '❌ Declined'}`);
		await new Promise((r) => setTimeout(r, 1000));
		expect(aftersOf('race-1')).toHaveLength(1);
	});

	/** This execution's registrations with TeamSpirit (Accept Replies in TeamSpirit). */
	const registrationsOf = (executionId: string) =>
		[...emulator.webhooks.values()].filter((hook) => hook.url.includes(`/webhook-waiting/${executionId}/`));

	/** Ops gets Anna and Bob as members; the request waits (a delivery before that gets n8n's 409). */
	async function waitingForReplies(marker: string, body: Record<string, unknown>) {
		for (const [id, name] of [['u_anna', 'Anna Petrova'], ['u_bob', 'Bob Boyd']]) {
			if (!emulator.chat(CHAT)?.memberIds.includes(id)) {
				emulator.addUser({ id, name, username: name.split(' ')[0].toLowerCase() });
				await fetch(`${emulator.url}/api/v1/chats/${CHAT}/members`, {
					method: 'POST',
					headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
					body: JSON.stringify({ userIds: [id] }),
				});
			}
		}
		await start({ ...body, acceptReplies: true });
		const wait = await waitMessageOf(marker);
		await waitFor('the execution to wait', async () => (await executionStatus(wait.executionId)) === 'waiting');
		return wait;
	}

	it('answers by reply in TeamSpirit: a member’s "yes" to the wait message resumes it, with who answered; the registration is deleted', async () => {
		const { message, executionId } = await waitingForReplies('reply-1', { message: 'reply-1 Deploy by reply?' });
		const [registration] = registrationsOf(executionId);
		expect(registration).toMatchObject({ events: ['message.created'], chatIds: [CHAT] });
		expect(registration.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook-waiting\/\d+\/[\w-]+\?via=teamspirit&until=[^&]+&signature=[0-9a-f]{64}$/);

		const { deliveries } = await emulator.postAsUser(CHAT, 'u_bob', { text: 'Yes', replyToId: message.id });
		expect(deliveries.map((d) => d.status)).toEqual([200]);
		expect(JSON.parse(await afterOf('reply-1'))).toEqual({
			approved: true,
			by: { id: 'u_bob', name: 'Bob Boyd', username: 'bob' },
			via: 'teamspirit',
			respondedAt: expect.any(String),
		});
		expect(emulator.message(message.id)?.text).toBe('reply-1 Deploy by reply?\n\n✅ Approved by Bob Boyd');
		expect(registrationsOf(executionId)).toEqual([]);
	});

	it('answers by reply in TeamSpirit: a member who is not an approver is refused with a notice, the approver’s reply counts', async () => {
		const { message, executionId } = await waitingForReplies('reply-2', {
			message: 'reply-2 Refund 300 €?',
			approvalType: 'double',
			approvers: 'anna',
		});
		const refused = await emulator.postAsUser(CHAT, 'u_bob', { text: 'yes', replyToId: message.id });
		expect(refused.deliveries.map((d) => d.status)).toEqual([200]);
		const notice = emulator.messagesIn(CHAT).find((m) => m.replyToId === refused.message.id);
		expect(notice?.text).toContain('Only @anna may answer this request');
		expect(await executionStatus(executionId)).toBe('waiting');
		expect(emulator.message(message.id)?.externalKey).toMatch(/^wait:/);

		await emulator.postAsUser(CHAT, 'u_anna', { text: 'нет', replyToId: message.id });
		expect(JSON.parse(await afterOf('reply-2'))).toMatchObject({ approved: false, by: { id: 'u_anna' }, via: 'teamspirit' });
		expect(emulator.message(message.id)?.text).toBe('reply-2 Refund 300 €?\n\n❌ Declined by Anna Petrova');
	});

	describe('customers on the chat channels (Chat Channel, Send and Wait for Response)', () => {
		const TG_CHAT = '4242';
		const PSID = '7000000000000077';
		const PHONE = 'whatsapp:+4915112345678';

		/** Starts the channel's Ask workflow (after a restart n8n may answer 404 for a moment). */
		async function ask(channel: CustomerChannel, body: Record<string, unknown>): Promise<void> {
			await waitFor(`the ${channel} workflow to start`, async () => {
				const res = await fetch(`${n8n!.url}/webhook/${askPath(channel)}`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify(body),
				});
				if (res.status === 200) return true;
				if (res.status !== 404) throw new Error(`ask: ${res.status} ${await res.text()}`);
				return false;
			});
		}
		/** n8n answers a link with 409 until the execution is saved as waiting: wait for that. */
		async function waiting(link: string): Promise<void> {
			const executionId = /\/webhook-waiting\/(\d+)\//.exec(link)![1];
			await waitFor(`execution ${executionId} to wait`, async () => (await executionStatus(executionId)) === 'waiting');
		}
		const afterText = (texts: () => Array<string | null | undefined>, marker: string) =>
			waitFor(`After for "${marker}"`, () => texts().find((t) => t?.startsWith(`After ${marker}: `))).then((t) => t!.slice(`After ${marker}: `.length));

		it('lists chatChannelHitlTool, keeping Channel and Conversation ID (operation and resource hidden)', async () => {
			await editor.login();
			const types = await editor.call('GET', '/../types/nodes.json');
			const tool = (types.json as Array<{ name: string; properties: Array<{ name: string; type: string; default: unknown }> }>).find(
				(t) => t.name === 'n8n-nodes-teamspirit.chatChannelHitlTool',
			);
			expect(tool).toBeDefined();
			const byName = (name: string) => tool!.properties.filter((p) => p.name === name);
			expect(byName('channel')[0]).toMatchObject({ type: 'options' });
			expect(byName('conversationId')).not.toHaveLength(0);
			expect(byName('resource')).toEqual([expect.objectContaining({ type: 'hidden', default: 'message' })]);
			expect(byName('operation').every((p) => p.type === 'hidden' && p.default === 'sendAndWait')).toBe(true);
		});

		it('Telegram: the customer approves with the inline keyboard’s URL button', async () => {
			const { tg } = customers;
			await ask('telegram', { conversationId: TG_CHAT, message: 'tg-1 Confirm your appointment tomorrow at 10?', approvalType: 'double' });
			const question = await waitFor('the Telegram question', () => tg.sentMessages(TG_CHAT).find((m) => m.text?.startsWith('tg-1')));
			const [row] = (question.reply_markup as { inline_keyboard: Array<Array<{ text: string; url: string }>> }).inline_keyboard;
			expect(row.map((b) => b.text)).toEqual(['Yes, confirm', 'No']);
			expect(row[0].url).toMatch(/^http:\/\/[^/]+\/webhook-waiting\/\d+\/[\w-]+\?approved=true&signature=[0-9a-f]{64}$/);
			await waiting(row[0].url);
			const page = await open(row[0].url);
			expect(page.status).toBe(200);
			expect(page.body).toContain('Got it, thanks');
			expect(JSON.parse(await afterText(() => tg.sentMessages(TG_CHAT).map((m) => m.text), 'tg-1'))).toEqual({ approved: true, respondedAt: expect.any(String) });
		});

		it('Messenger: the customer’s quick reply reaches the page’s trigger, which relays it and thanks the customer', async () => {
			const { fb } = customers;
			fb.addUser({ id: PSID, name: 'Mia Customer' });
			fb.touch(PSID);
			await ask('messenger', { conversationId: PSID, message: 'fb-1 Confirm your appointment tomorrow at 10?', approvalType: 'double' });
			const question = await waitFor('the Messenger question', () => fb.messagesTo(PSID).find((m) => m.text?.startsWith('fb-1')));
			expect(question.quickReplies!.map((q) => q.title)).toEqual(['Yes, confirm', 'No']);
			const payload = String(question.quickReplies![1].payload);
			expect(payload).toMatch(/^n8n-wait:http:\/\/[^/]+\/webhook-waiting\/\d+\/[\w-]+\?approved=false&signature=[0-9a-f]{64}$/);
			await waiting(payload);
			const delivery = await fb.deliver(messengerTriggerUrl, [fb.messageEvent(PSID, { text: 'No', quickReplyPayload: payload })]);
			expect(delivery.status).toBe(200);
			const texts = () => fb.messagesTo(PSID).map((m) => m.text);
			expect(JSON.parse(await afterText(texts, 'fb-1'))).toMatchObject({ approved: false, by: { channel: 'messenger', id: PSID } });
			await waitFor('the thanks', () => texts().includes('Thanks, your answer was recorded.'));
			// the tap again (Meta re-sends): the question is answered, the customer is told so
			await fb.deliver(messengerTriggerUrl, [fb.messageEvent(PSID, { text: 'Yes, confirm', quickReplyPayload: String(question.quickReplies![0].payload) })]);
			await waitFor('the already-answered line', () => texts().some((t) => t?.startsWith('Thanks. This question was already answered')));
			expect(texts().filter((t) => t?.startsWith('After fb-1: '))).toHaveLength(1);
		});

		it('WhatsApp: the customer answers free text through the form link in the message', async () => {
			const { tw } = customers;
			tw.touch(PHONE);
			await ask('whatsapp', { conversationId: PHONE, message: 'wa-1 Which time suits you?', responseType: 'freeText' });
			const question = await waitFor('the WhatsApp question', () => tw.messagesTo(PHONE).find((m) => m.body.startsWith('wa-1')));
			const links = linksInText(question.body);
			expect(Object.keys(links)).toEqual(['Respond']);
			await waiting(links.Respond);
			const form = await open(links.Respond);
			expect(form.status).toBe(200);
			expect(form.body).toContain('name="field-0"');
			expect((await open(links.Respond, { form: { 'field-0': 'Thursday after 4' } })).body).toContain('Got it, thanks');
			expect(JSON.parse(await afterText(() => tw.messagesTo(PHONE).map((m) => m.body), 'wa-1'))).toEqual({ text: 'Thursday after 4', respondedAt: expect.any(String) });
		});
	});

	it('the waiting execution survives an n8n restart: its link still answers it afterwards', async () => {
		const { executionId, links } = await waitMessageOf('restart-1');
		const port = n8n!.port;
		await n8n!.stop();
		n8n = await startN8n(home, { port });
		await editor.login();
		expect(await executionStatus(executionId)).toBe('waiting');
		expect((await open(links.Approve)).body).toContain('Got it, thanks');
		expect(JSON.parse(await afterOf('restart-1'))).toMatchObject({ approved: true });
	});

	it('time limit reached: the execution goes on without an answer, the node outputs its input items', async () => {
		// n8n's wait tracker looks for due executions every 60 s (and at start-up)
		expect(await afterOf('limit-1', 150_000)).toBe('no answer');
		const { links } = await waitMessageOf('limit-1');
		// an answer after the limit: n8n's own "no action required", nothing runs again
		expect((await open(links.Approve)).body).not.toContain('Got it, thanks');
		expect(aftersOf('limit-1')).toHaveLength(1);
	});
});
