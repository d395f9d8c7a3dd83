/**
 * Send and Wait for Response answered by a reply in TeamSpirit (Accept Replies in TeamSpirit):
 * the emulator delivers real, signed outgoing webhooks to the URL the node registered (its signed
 * resume URL), through a relay into the harness's waiting execution (test/harness/waiting.ts) as
 * n8n's waiting webhook would get them.
 */
import * as http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritEmulator, type Message } from '../../emulators/teamspirit';
import type { Execution, WaitingCall } from '../../harness';
import { HARNESS_BASE_URL } from '../../harness/additional-data';
import { BROWSER, linksOf, patchBarrier, startWaiting, waitMessage } from './send-and-wait-setup';

const CHAT = 'c_ops';

/**
 * Where TeamSpirit's deliveries go: the node registers n8n's resume URL (the harness's base URL,
 * where nothing listens); the relay takes them on a real port and hands them, URL unchanged (its
 * signature included), to the waiting execution.
 */
async function startRelay() {
	const executions = new Map<string, Execution>();
	const calls: WaitingCall[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const url = `${HARNESS_BASE_URL}${req.url ?? '/'}`;
			const execution = executions.get(new URL(url).pathname.split('/')[2]);
			if (!execution) {
				res.writeHead(404).end();
				return;
			}
			const headers = Object.fromEntries(
				Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
			);
			void execution
				.request({ url, method: req.method, headers, body: Buffer.concat(chunks) })
				.then((call) => {
					calls.push(call);
					res.writeHead(call.response.status).end(call.response.body);
				});
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		calls,
		/** Deliveries for this execution reach it: its registrations point at the relay. */
		add(emulator: TeamSpiritEmulator, execution: Execution) {
			executions.set(execution.id, execution);
			for (const hook of emulator.webhooks.values()) {
				if (hook.url.startsWith(HARNESS_BASE_URL)) hook.url = url + hook.url.slice(HARNESS_BASE_URL.length);
			}
		},
		async stop() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

const approval = (options: IDataObject, values: IDataObject = {}): IDataObject => ({
	message: 'Deploy **v2.4** to production?',
	responseType: 'approval',
	approvalOptions: { values: { approvalType: 'double', ...values } },
	options,
});

describe('Send and Wait for Response: answers by reply in TeamSpirit', () => {
	let emulator: TeamSpiritEmulator;
	let relay: Awaited<ReturnType<typeof startRelay>>;

	beforeAll(async () => {
		emulator = await TeamSpiritEmulator.start({ autoDeliver: true });
		emulator.addUser({ id: 'u_anna', name: 'Anna Petrova', username: 'anna' });
		emulator.addUser({ id: 'u_bob', name: 'Bob Boyd', username: 'bob' });
		emulator.addUser({ id: 'u_carol', name: 'Carol Chen', username: 'carol' });
		emulator.addUser({ id: 'u_7d0e1f2a3b4c', name: 'Dora Diaz', username: 'u_dora' });
		emulator.addChat({ id: CHAT, title: 'Ops', memberIds: ['u_anna', 'u_bob'] });
		emulator.addChat({ id: 'c_quiet', title: 'Quiet', memberIds: ['u_anna'] });
		relay = await startRelay();
	});

	afterAll(async () => {
		await relay?.stop();
		await emulator?.stop();
	});

	/** Starts a workflow until its Ask node waits; its deliveries reach it. */
	async function waiting(ask: IDataObject, server?: { url: string; apiKey: string }) {
		const execution = await startWaiting(emulator, CHAT, ask, server);
		expect(execution.status).toBe('waiting');
		relay.add(emulator, execution);
		return { execution, wait: waitMessage(emulator, CHAT, execution.id) };
	}

	const registrationsOf = (execution: Execution) =>
		[...emulator.webhooks.values()].filter((hook) => new URL(hook.url).pathname.includes(`/${execution.id}/`));

	/** A user's reply to `to`, delivered as TeamSpirit does; resolves once handled. */
	async function reply(userId: string, to: Message, text: string) {
		const posted = await emulator.postAsUser(CHAT, userId, { text, replyToId: to.id });
		await emulator.settled();
		return posted;
	}

	const noticesTo = (message: Message) =>
		emulator.messagesIn(CHAT).filter((m) => m.replyToId === message.id && m.senderId === emulator.bot.id);

	const askOutput = (execution: Execution) => execution.result.nodeOutput('Ask').map((item) => item.json);

	it('approves by a reply ("Yes!") from a member: the answer with who gave it, the wait message shows it, the registration is gone', async () => {
		const { execution, wait } = await waiting(approval({ acceptReplies: true }));
		const [registration] = registrationsOf(execution);
		expect(registrationsOf(execution)).toHaveLength(1);
		expect(registration).toMatchObject({ events: ['message.created'], chatIds: [CHAT] });
		const registered = new URL(registration.url);
		expect(registered.searchParams.get('via')).toBe('teamspirit');
		expect(registered.searchParams.get('until')).toBe('');
		expect(registered.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);

		const { message, deliveries } = await reply('u_bob', wait, 'Yes!');

		expect(deliveries.map((d) => d.status)).toEqual([200]);
		expect(execution.status).toBe('success');
		const [output] = askOutput(execution);
		expect(output.data).toMatchObject({
			approved: true,
			by: { id: 'u_bob', name: 'Bob Boyd', username: 'bob' },
			via: 'teamspirit',
		});
		expect(Date.parse(String((output.data as IDataObject).respondedAt))).not.toBeNaN();
		const answered = waitMessage(emulator, CHAT, execution.id);
		expect(answered.externalKey).toBe(`answered:${execution.id}:${answered.externalKey!.split(':')[2]}`);
		expect(answered.text).toContain('✅ Approved by Bob Boyd');
		expect(answered.text).not.toContain('webhook-waiting');
		expect(registrationsOf(execution)).toEqual([]);
		expect(noticesTo(message)).toEqual([]);
	});

	it('declines by a reply (👎) and by the Decline label, case and spaces aside', async () => {
		const first = await waiting(approval({ acceptReplies: true }, { disapproveLabel: 'Hold it' }));
		await reply('u_anna', first.wait, '👎');
		expect(askOutput(first.execution)[0].data).toMatchObject({ approved: false, by: { id: 'u_anna' } });
		expect(waitMessage(emulator, CHAT, first.execution.id).text).toContain('❌ Declined by Anna Petrova');

		const second = await waiting(approval({ acceptReplies: true }, { disapproveLabel: 'Hold it' }));
		await reply('u_bob', second.wait, '  HOLD IT ');
		expect(askOutput(second.execution)[0].data).toMatchObject({ approved: false, by: { id: 'u_bob' } });
	});

	it('Free Text: the reply’s text is the answer', async () => {
		const { execution, wait } = await waiting({
			message: 'Which day should we deploy?',
			responseType: 'freeText',
			options: { acceptReplies: true },
		});
		await reply('u_anna', wait, '  Monday after the standup  ');
		expect(askOutput(execution)[0].data).toMatchObject({
			text: 'Monday after the standup',
			by: { id: 'u_anna', username: 'anna' },
			via: 'teamspirit',
		});
		expect(waitMessage(emulator, CHAT, execution.id).text).toContain('💬 Answered by Anna Petrova');
	});

	it('a reply that is not an answer gets one notice saying what to type (a redelivery adds none); the request keeps waiting', async () => {
		const { execution, wait } = await waiting(approval({ acceptReplies: true }));
		const { message, deliveries } = await reply('u_bob', wait, 'let me check first');
		expect(deliveries[0].status).toBe(200);
		expect(execution.status).toBe('waiting');
		const [notice] = noticesTo(message);
		expect(notice.text).toContain('“Approve”');
		expect(notice.text).toContain('“Decline”');

		await emulator.redeliver(deliveries[0]);
		expect(noticesTo(message)).toHaveLength(1);
		expect(execution.status).toBe('waiting');
		expect(registrationsOf(execution)).toHaveLength(1);

		await reply('u_bob', wait, 'ok');
		expect(askOutput(execution)[0].data).toMatchObject({ approved: true });
	});

	it('Custom Form: a reply gets a notice pointing to the form link, and answers nothing', async () => {
		const { execution, wait } = await waiting({
			message: 'Book the room',
			responseType: 'customForm',
			formFields: { values: [{ fieldLabel: 'Room', fieldType: 'text' }] },
			options: { acceptReplies: true },
		});
		const { message } = await reply('u_anna', wait, 'Room 4');
		expect(execution.status).toBe('waiting');
		expect(noticesTo(message)[0].text).toMatch(/form.*link/i);
	});

	it('Approvers: a member who is not listed is refused with a notice naming who may answer; the listed one answers', async () => {
		const { execution, wait } = await waiting(approval({ acceptReplies: true, approvers: 'u_anna, @carol' }));
		const { message, deliveries } = await reply('u_bob', wait, 'yes');
		expect(deliveries[0].status).toBe(200);
		expect(execution.status).toBe('waiting');
		expect(waitMessage(emulator, CHAT, execution.id).externalKey).toMatch(/^wait:/);
		const [notice] = noticesTo(message);
		expect(notice.text).toContain('Anna Petrova (@anna)');
		expect(notice.text).toContain('@carol');
		expect(notice.text).not.toContain('Bob');

		await reply('u_anna', wait, 'approve');
		expect(askOutput(execution)[0].data).toMatchObject({ approved: true, by: { id: 'u_anna' } });
	});

	it('Approvers: an entry is matched against both the id and the username (a username like "u_dora")', async () => {
		const { execution, wait } = await waiting(approval({ acceptReplies: true, approvers: 'u_dora' }));
		const { message } = await reply('u_7d0e1f2a3b4c', wait, 'yes');
		expect(noticesTo(message)).toEqual([]);
		expect(askOutput(execution)[0].data).toMatchObject({ approved: true, by: { id: 'u_7d0e1f2a3b4c', username: 'u_dora' } });
	});

	it('Answer Only by Reply: the message carries no links, only what to reply; an approver’s reply answers and replaces it', async () => {
		const { execution, wait } = await waiting(approval({ acceptReplies: true, onlyByReply: true, approvers: 'anna' }, { approveLabel: 'Ship it' }));
		expect(wait.text).not.toContain('webhook-waiting');
		expect(linksOf(wait.text)).toEqual({});
		expect(wait.text).toBe('Deploy **v2.4** to production?\n\nReply to this message with “Ship it” (or yes, ok, 👍) to approve, or “Decline” (or no, 👎) to decline.');
		const { message } = await reply('u_bob', wait, 'yes');
		expect(noticesTo(message)[0].text).toContain('@anna');
		expect(execution.status).toBe('waiting');

		await reply('u_anna', wait, 'ship it');
		expect(askOutput(execution)[0].data).toMatchObject({ approved: true, by: { id: 'u_anna' } });
		expect(waitMessage(emulator, CHAT, execution.id).text).toBe('Deploy **v2.4** to production?\n\n✅ Approved by Anna Petrova');
	});

	it('Answer Only by Reply with Free Text says to reply; with Custom Form, or without Accept Replies, it is an error and nothing is posted', async () => {
		const { execution, wait } = await waiting({ message: 'Which day?', responseType: 'freeText', options: { acceptReplies: true, onlyByReply: true } });
		expect(wait.text).toBe('Which day?\n\nReply to this message with your answer.');
		await reply('u_bob', wait, 'Friday');
		expect(askOutput(execution)[0].data).toMatchObject({ text: 'Friday', by: { id: 'u_bob' } });

		const count = emulator.messagesIn(CHAT).length;
		const form = await startWaiting(emulator, CHAT, {
			message: 'Book the room',
			responseType: 'customForm',
			formFields: { values: [{ fieldLabel: 'Room', fieldType: 'text' }] },
			options: { acceptReplies: true, onlyByReply: true },
		});
		expect(form.status).toBe('error');
		expect(form.result.error?.message).toMatch(/^Answer Only by Reply does not work with Custom Form: a form is answered by its link/);
		const noReplies = await startWaiting(emulator, CHAT, approval({ onlyByReply: true }));
		expect(noReplies.status).toBe('error');
		expect(noReplies.result.error?.message).toMatch(/^Answer Only by Reply needs Accept Replies in TeamSpirit/);
		expect(emulator.messagesIn(CHAT)).toHaveLength(count);
	});

	it('without Approvers only the chat’s members may answer: a non-member is refused, the bot (a member) is ignored', async () => {
		const { execution, wait } = await waiting(approval({ acceptReplies: true }));
		const { message } = await reply('u_carol', wait, 'yes');
		expect(execution.status).toBe('waiting');
		expect(noticesTo(message)[0].text).toContain('the members of this chat');

		const bot = await fetch(`${emulator.url}/api/v1/chats/${CHAT}/messages`, {
			method: 'POST',
			headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ text: 'yes', replyToId: wait.id }),
		});
		const posted = (await bot.json()) as Message;
		await emulator.settled();
		expect(execution.status).toBe('waiting');
		expect(noticesTo(posted)).toEqual([]);
	});

	it('a forged delivery (its body says an approver said yes; the message is someone else’s) answers nothing', async () => {
		const { execution, wait } = await waiting(approval({ acceptReplies: true, approvers: 'anna' }));
		const real = emulator.addMessage(CHAT, { senderId: 'u_bob', text: 'yes', replyToId: wait.id });
		const [forged] = await emulator.deliver('message.created', { ...real, senderId: 'u_anna' });
		expect(forged.status).toBe(200);
		// a message id that does not exist
		const [invented] = await emulator.deliver('message.created', {
			...real,
			id: 'm_invented',
			senderId: 'u_anna',
		});
		expect(invented.status).toBe(200);
		// a request to the registration's URL that is no delivery
		const registered = registrationsOf(execution)[0].url.replace(/^http:\/\/127\.0\.0\.1:\d+/, HARNESS_BASE_URL);
		const clicked = await execution.request({ url: registered, headers: { 'user-agent': BROWSER } });
		expect(clicked.resumed).toBe(false);

		expect(execution.status).toBe('waiting');
		expect(waitMessage(emulator, CHAT, execution.id).externalKey).toMatch(/^wait:/);
		expect(noticesTo(real)[0].text).toContain('@anna');
	});

	it('the same reply delivered twice at once resumes the execution once, and is not told it lost', async () => {
		const barrier = await patchBarrier(emulator.url, 2);
		try {
			const { execution, wait } = await waiting(approval({ acceptReplies: true }), {
				url: barrier.url,
				apiKey: emulator.apiKey,
			});
			const message = emulator.addMessage(CHAT, { senderId: 'u_bob', text: 'ok', replyToId: wait.id });
			const before = new Set(emulator.messagesIn(CHAT).map((m) => m.id));
			// to this wait's registration only (other tests' waits in the chat are registered too)
			const once = { deliveryId: 'dlv_twice', webhookId: registrationsOf(execution)[0].id };
			const twice = await Promise.all([
				emulator.deliver('message.created', message, once),
				emulator.deliver('message.created', message, once),
			]);
			await emulator.settled();
			expect(twice.flat().map((d) => d.status)).toEqual([200, 200]);
			expect(execution.results).toHaveLength(2);
			expect(askOutput(execution)).toHaveLength(1);
			const after = emulator.messagesIn(CHAT).filter((m) => !before.has(m.id) && m.text.startsWith('After:'));
			expect(after).toHaveLength(1);
			expect(noticesTo(message)).toEqual([]);
		} finally {
			await barrier.stop();
		}
	});

	it('a reply whose claim was written but whose execution did not go on (n8n died in between) resumes it when delivered again; another person’s reply does not', async () => {
		const { execution, wait } = await waiting(approval({ acceptReplies: true }));
		const message = emulator.addMessage(CHAT, { senderId: 'u_bob', text: 'yes', replyToId: wait.id });
		// what the first attempt did before n8n died: the claim, as waitMessage.ts writes it
		const claimed = await fetch(`${emulator.url}/api/v1/chats/${CHAT}/messages/${wait.id}`, {
			method: 'PATCH',
			headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				externalKey: wait.externalKey!.replace(/^wait:/, 'answered:'),
				text: `${wait.text.slice(0, wait.text.lastIndexOf('\n\n'))}\n\n✅ Approved by Bob Boyd`,
			}),
		});
		expect(claimed.status).toBe(200);
		const to = { webhookId: registrationsOf(execution)[0].id };

		const { message: late } = await reply('u_anna', wait, 'yes');
		expect(execution.status).toBe('waiting');
		expect(noticesTo(late)[0].text).toContain('already answered: ✅ Approved by Bob Boyd');

		const [again] = await emulator.deliver('message.created', message, to);
		expect(again.status).toBe(200);
		expect(execution.status).toBe('success');
		expect(askOutput(execution)[0].data).toMatchObject({ approved: true, by: { id: 'u_bob' } });
		expect(noticesTo(message)).toEqual([]);
	});

	it('a reply and a link click at once: one answer counts, the other is told', async () => {
		const barrier = await patchBarrier(emulator.url, 2);
		try {
			const { execution, wait } = await waiting(approval({ acceptReplies: true }), {
				url: barrier.url,
				apiKey: emulator.apiKey,
			});
			const links = linksOf(wait.text);
			const [click, posted] = await Promise.all([
				execution.request({ url: links.Approve, headers: { 'user-agent': BROWSER } }),
				reply('u_bob', wait, 'no'),
			]);
			expect(execution.results).toHaveLength(2);
			const { approved } = askOutput(execution)[0].data as IDataObject;
			const outcome = waitMessage(emulator, CHAT, execution.id).text;
			if (approved === true) {
				// the link won: the reply is told so
				expect(click.resumed).toBe(true);
				expect(outcome).toContain('✅ Approved');
				expect(noticesTo(posted.message)[0].text).toContain('already answered: ✅ Approved');
			} else {
				expect(click.resumed).toBe(false);
				expect(click.response.status).toBe(409);
				expect(click.response.body).toContain('Declined by Bob Boyd');
				expect(outcome).toContain('❌ Declined by Bob Boyd');
				expect(noticesTo(posted.message)).toEqual([]);
			}
		} finally {
			await barrier.stop();
		}
	});

	it('sweeps the bot’s registrations of waits that have ended, on every Send and Wait run, and registers none without the option', async () => {
		const register = async (url: string) => {
			const answer = await fetch(`${emulator.url}/api/v1/webhooks`, {
				method: 'POST',
				headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
				// another chat: nothing is delivered to these made-up hosts
				body: JSON.stringify({ url, events: ['message.created'], chatIds: ['c_quiet'] }),
			});
			return ((await answer.json()) as { id: string }).id;
		};
		const past = new Date(Date.now() - 60_000).toISOString();
		const future = new Date(Date.now() + 3_600_000).toISOString();
		const base = 'https://n8n.example.corp/webhook-waiting';
		const expired = await register(`${base}/901/n1?via=teamspirit&until=${past}&signature=x`);
		const open = await register(`${base}/902/n1?via=teamspirit&until=${future}&signature=x`);
		const unlimited = await register(`${base}/903/n1?via=teamspirit&until=&signature=x`);
		const someoneElses = await register(`https://elsewhere.example/hook?until=${past}`);

		const { execution } = await waiting(approval({}));

		const left = [...emulator.webhooks.keys()];
		expect(left).not.toContain(expired);
		expect(left).toEqual(expect.arrayContaining([open, unlimited, someoneElses]));
		expect(registrationsOf(execution)).toEqual([]);
		for (const id of [open, unlimited, someoneElses]) emulator.webhooks.delete(id);
	});

	it('a wait answered by a link keeps its registration until the next Send and Wait run sweeps it', async () => {
		const { execution, wait } = await waiting(approval({ acceptReplies: true }));
		const click = await execution.request({ url: linksOf(wait.text).Approve, headers: { 'user-agent': BROWSER } });
		expect(click.resumed).toBe(true);
		expect(registrationsOf(execution)).toHaveLength(1);

		const next = await waiting(approval({ acceptReplies: true }));
		expect(registrationsOf(execution)).toEqual([]);
		expect(registrationsOf(next.execution)).toHaveLength(1);
	});

	it('a registration with a time limit carries its end (until), and is swept once that has passed', async () => {
		const { execution } = await waiting(
			approval({
				acceptReplies: true,
				limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 1, resumeUnit: 'minutes' } },
			}),
		);
		const [registration] = registrationsOf(execution);
		const until = Date.parse(new URL(registration.url).searchParams.get('until') ?? '');
		expect(until).toBeGreaterThan(Date.now());
		expect(until).toBeLessThanOrEqual(Date.now() + 60_000);
		await execution.timeOut();

		registration.url = registration.url.replace(/until=[^&]*/, `until=${encodeURIComponent(new Date(Date.now() - 1000).toISOString())}`);
		await waiting(approval({}));
		expect(registrationsOf(execution)).toEqual([]);
	});
});
