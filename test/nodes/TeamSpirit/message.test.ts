import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { jsonOf, pairedOf, runFixture, startSeededEmulator } from './setup';

let emulator: TeamSpiritEmulator;
beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
});
afterEach(async () => await emulator.stop());

const messagePosts = () =>
	emulator.requests.filter((r) => r.method === 'POST' && /\/messages$/.test(r.path));

describe('TeamSpirit node: messages', () => {
	it('sends one message per item to the chat each item names, in its format, with pairedItem', async () => {
		const { status, output } = await runFixture(emulator, 'message.send');
		expect(status).toBe('success');
		expect(jsonOf(output)).toEqual([
			expect.objectContaining({ chatId: 'c_general', text: 'Hello *team*', format: 'markdown', senderId: emulator.bot.id }),
			expect.objectContaining({ chatId: 'c_support', text: 'Second', format: 'plain' }),
			expect.objectContaining({ chatId: 'c_general', text: 'Third', format: 'plain' }),
		]);
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(emulator.messagesIn('c_general').map((m) => m.text)).toEqual([
			'Question?',
			'Answer.',
			'Hello *team*',
			'Third',
		]);
		const posts = messagePosts();
		expect(posts.map((p) => p.headers.authorization)).toEqual(Array(3).fill(`Bearer ${emulator.apiKey}`));
		const keys = posts.map((p) => p.headers['idempotency-key']);
		expect(new Set(keys).size).toBe(3);
	});

	it('sends a direct message to a user', async () => {
		const { output } = await runFixture(emulator, 'message.sendToUser');
		expect(jsonOf(output).map((m) => m.text)).toEqual(['Hi Alice', 'Hi Bob']);
		const alicePost = emulator.requests.find((r) => r.path === '/api/v1/users/u_alice/messages');
		expect(alicePost?.body).toEqual({ text: 'Hi Alice', format: 'plain' });
	});

	it('replies to a message, attaching an uploaded file by ID', async () => {
		const file = emulator.addFile({ name: 'spec.txt', mimeType: 'text/plain', content: 'spec' });
		const { output } = await runFixture(emulator, 'message.reply', {
			edit: (wf) => {
				(wf.nodes[2].parameters.options as { fileIds: string }).fileIds = file.id;
			},
		});
		expect(jsonOf(output)[0]).toMatchObject({ replyToId: 'm_question', text: 'Answer', files: [{ id: file.id, name: 'spec.txt' }] });
	});

	it('edits, gets and deletes a message', async () => {
		const edited = await runFixture(emulator, 'message.update');
		expect(jsonOf(edited.output)[0]).toMatchObject({ id: 'm_answer', text: 'Edited', editedAt: expect.any(String) });
		expect(emulator.message('m_answer')?.text).toBe('Edited');

		const got = await runFixture(emulator, 'message.get');
		expect(jsonOf(got.output).map((m) => m.id)).toEqual(['m_question', 'm_answer']);

		const deleted = await runFixture(emulator, 'message.delete');
		expect(jsonOf(deleted.output)).toEqual([{ deleted: true, chatId: 'c_general', messageId: 'm_question' }]);
		expect(emulator.message('m_question')).toBeUndefined();
	});

	it('reads past 100 messages page by page: Return All gets all 250, Limit 120 stops at 120', async () => {
		for (let i = 0; i < 250; i++) emulator.addMessage('c_busy', { text: `n${i}` });
		const { output } = await runFixture(emulator, 'message.getAll');
		const pages = emulator.requests.filter((r) => r.path === '/api/v1/chats/c_busy/messages');
		expect(output).toHaveLength(370);
		expect(new Set(jsonOf(output).slice(0, 250).map((m) => m.id)).size).toBe(250);
		expect(pairedOf(output).filter((p) => (p as { item: number }).item === 1)).toHaveLength(120);
		// 250 = 100 + 100 + 50; 120 = 100 + 20 (the last page asks only for what is missing)
		expect(pages.map((p) => p.query.limit)).toEqual(['100', '100', '100', '100', '20']);
	});
});

describe('TeamSpirit node: rate limits, server errors and no duplicates', () => {
	it('waits out a 429 per Retry-After and delivers the message once', async () => {
		emulator.failNext({ method: 'POST', path: /\/messages$/, status: 429, retryAfter: 1, count: 1 });
		const started = Date.now();
		const { status } = await runFixture(emulator, 'message.send');
		expect(status).toBe('success');
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		expect(messagePosts().map((p) => p.status)).toEqual([429, 201, 201, 201]);
		expect(emulator.messagesIn('c_general').filter((m) => m.text === 'Hello *team*')).toHaveLength(1);
	});

	it('recovers from a 503 sent after TeamSpirit accepted the message without posting it twice', async () => {
		emulator.failNext({ method: 'POST', path: /\/messages$/, status: 503, afterAccepting: true, count: 1 });
		const { status, output } = await runFixture(emulator, 'message.send');
		expect(status).toBe('success');
		// (items 0 and 1 go to different chats and are sent at once: either may get the 503)
		const posts = messagePosts();
		const failed = posts.filter((p) => p.status === 503);
		expect(failed).toHaveLength(1);
		const key = failed[0].headers['idempotency-key'];
		expect(posts.filter((p) => p.headers['idempotency-key'] === key).map((p) => p.status)).toEqual([503, 200]);
		const copies = emulator.messagesIn('c_general').filter((m) => m.text === 'Hello *team*');
		expect(copies).toHaveLength(1);
		expect(emulator.messagesIn('c_support').filter((m) => m.text === 'Second')).toHaveLength(1);
		expect(jsonOf(output)[0].id).toBe(copies[0].id);
	});

	it('with an Idempotency Key from the item, a second run of the same items posts nothing new', async () => {
		const withKey = (wf: { nodes: Array<{ parameters: Record<string, unknown> }> }) => {
			const options = (wf.nodes[2].parameters.options ?? {}) as Record<string, unknown>;
			wf.nodes[2].parameters.options = { ...options, idempotencyKey: '=event-{{ $json.text }}' };
		};
		const first = await runFixture(emulator, 'message.send', { edit: withKey });
		const again = await runFixture(emulator, 'message.send', { edit: withKey });
		expect([first.status, again.status]).toEqual(['success', 'success']);
		expect(jsonOf(again.output).map((m) => m.id)).toEqual(jsonOf(first.output).map((m) => m.id));
		expect(emulator.messagesIn('c_general').filter((m) => m.text === 'Hello *team*')).toHaveLength(1);
		// (sorted: the two chats are sent to at once)
		const sent = messagePosts().map((p) => `${p.status} ${String(p.headers['idempotency-key'])}`);
		expect(sent.sort()).toEqual([
			'200 event-Hello *team*',
			'200 event-Second',
			'200 event-Third',
			'201 event-Hello *team*',
			'201 event-Second',
			'201 event-Third',
		]);
	});

	it('gives up after a few 503s with TeamSpirit’s message, and has sent no extra message', async () => {
		emulator.failNext({ method: 'POST', path: /\/messages$/, status: 503, count: 10 });
		const { status, error } = await runFixture(emulator, 'message.send');
		expect(status).toBe('error');
		expect(error?.message).toMatch(/^TeamSpirit: .+\(item 0\)$/);
		expect(emulator.messagesIn('c_general')).toHaveLength(2);
		expect(emulator.messagesIn('c_support')).toHaveLength(0);
		// at most 5 attempts per message (items 0 and 1 are sent at once, item 2 never starts)
		const attempts = new Map<unknown, number>();
		for (const p of messagePosts())
			attempts.set(p.headers['idempotency-key'], (attempts.get(p.headers['idempotency-key']) ?? 0) + 1);
		expect(Math.max(...attempts.values())).toBeLessThanOrEqual(5);
		expect(messagePosts().length).toBeLessThanOrEqual(10);
	}, 60_000);
});

describe('TeamSpirit node: bad input', () => {
	it('names the item and TeamSpirit’s reason for an unknown chat, and stops the workflow', async () => {
		const { status, error, everything } = await runFixture(emulator, 'message.send-unknown-chat');
		expect(status).toBe('error');
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe("TeamSpirit: Chat 'c_nope' not found (item 1)");
		expect(error?.context?.itemIndex).toBe(1);
		expect(everything).not.toContain(emulator.apiKey);
	});

	it('with continue-on-fail returns an error item per failed item, paired, and sends the rest', async () => {
		const { status, output } = await runFixture(emulator, 'message.send-continue-on-fail');
		expect(status).toBe('success');
		expect(jsonOf(output)).toEqual([
			expect.objectContaining({ text: 'ok 1' }),
			{ error: "TeamSpirit: Chat 'c_nope' not found (item 1)" },
			{ error: 'Text is empty on item 2' },
			expect.objectContaining({ text: 'ok 2' }),
		]);
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		// the empty text never reached the server
		expect(messagePosts()).toHaveLength(3);
	});
});
