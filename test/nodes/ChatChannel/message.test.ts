import { pacer } from '../../../nodes/channels/pacing';
import type { TelegramEmulator } from '../../emulators/telegram';
import { jsonOf, pairedOf, runFixture, startTelegram } from './setup';

let tg: TelegramEmulator;
beforeEach(async () => {
	tg = await startTelegram();
});
afterEach(async () => await tg.stop());

const sends = () => tg.calls('sendMessage');

describe('Chat Channel (Telegram): text', () => {
	it('sends one message per item to the conversation each item names, in its format, with pairedItem', async () => {
		const { status, output } = await runFixture(tg, 'message.send');
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(jsonOf(output)).toEqual([
			expect.objectContaining({ channel: 'telegram', conversationId: '1001', parts: 1, messageIds: [expect.any(String)] }),
			expect.objectContaining({ conversationId: '1002', parts: 1 }),
			expect.objectContaining({ conversationId: '-2001', parts: 1 }),
		]);
		expect(tg.sentMessages(1001).map((m) => m.text)).toEqual(['Hello Ada']);
		// Markdown escaped for the user: bold stays bold, the reserved . ( ) - ! are escaped
		const [md] = tg.sentMessages(1002);
		expect(md.parse_mode).toBe('MarkdownV2');
		expect(md.source).toBe('Price: *42\\.50 EUR* \\(incl\\. tax\\) \\- thanks\\!');
		expect(md.text).toBe('Price: 42.50 EUR (incl. tax) - thanks!');
		expect(tg.sentMessages(-2001)[0]).toMatchObject({ parse_mode: 'HTML', text: 'Team & friends' });
		expect(String(jsonOf(output)[0].messageId)).toBe(String(tg.sentMessages(1001)[0].message_id));
	});

	it('splits a 10 000-character text on line boundaries into three messages and returns every id', async () => {
		const lines = Array.from({ length: 200 }, (_, i) => `Line ${String(i).padStart(3, '0')}: ${'x'.repeat(40)}`);
		const text = lines.join('\n');
		const { status, output } = await runFixture(tg, 'message.send-long', { items: [{ conversationId: '1001', text, format: 'plain' }] });
		expect(status).toBe('success');
		const sent = tg.sentMessages(1001);
		expect(sent.length).toBe(3);
		for (const m of sent) {
			expect(m.text!.length).toBeLessThanOrEqual(4096);
			expect(m.text!.startsWith('Line ')).toBe(true); // every part starts at a line
			expect(m.text!.endsWith('x')).toBe(true);
		}
		expect(sent.map((m) => m.text).join('\n')).toBe(text);
		expect(jsonOf(output)[0]).toMatchObject({ parts: 3, messageIds: sent.map((m) => String(m.message_id)) });
	});

	it('splits long HTML without breaking a tag: every part is valid HTML for Telegram', async () => {
		const text = `<b>${'word '.repeat(1500)}</b>`;
		const { status } = await runFixture(tg, 'message.send-long', { items: [{ conversationId: '1001', text, format: 'html' }] });
		expect(status).toBe('success');
		const sent = tg.sentMessages(1001);
		expect(sent.length).toBe(2);
		for (const m of sent) expect(m.source).toMatch(/^<b>.*<\/b>$/s);
	});

	it('splits long Markdown into parts that Telegram parses, each escaped', async () => {
		const text = Array.from({ length: 300 }, (_, i) => `Item ${i}. Cost: *${i}.99* (v1.2-beta)!`).join('\n');
		const { status } = await runFixture(tg, 'message.send-long', { items: [{ conversationId: '1001', text, format: 'markdownV2' }] });
		expect(status).toBe('success');
		expect(tg.sentMessages(1001).length).toBeGreaterThan(1);
		expect(tg.sentMessages(1001).map((m) => m.text).join('\n')).toBe(text.replace(/\*/g, ''));
	});

	it('splits long raw MarkdownV2 only where no entity is open and no escape is cut: every part is accepted', async () => {
		const line = (i: number) => `*bold ${i}* and _italic \\_ with a \\. dot_ then \`code ${i}\` \\- done\\!`;
		const text = Array.from({ length: 200 }, (_, i) => line(i)).join(' ');
		const { status, output } = await runFixture(tg, 'message.send-long', { items: [{ conversationId: '1001', text, format: 'markdownV2Raw' }] });
		expect(status).toBe('success');
		const sent = tg.sentMessages(1001);
		expect(sent.length).toBeGreaterThan(1);
		// the emulator parses every part with Telegram's rules: nothing was refused, and no text lost
		expect(sent.map((m) => m.text).join('').replace(/\s+/g, '')).toBe(
			Array.from({ length: 200 }, (_, i) => `bold ${i} and italic _ with a . dot then code ${i} - done!`).join('').replace(/\s+/g, ''),
		);
		expect(jsonOf(output)[0]).toMatchObject({ parts: sent.length });
	});

	it('sends inline buttons, replies to a message and delivers silently', async () => {
		const { status } = await runFixture(tg, 'message.send-buttons');
		expect(status).toBe('success');
		const [call] = sends();
		expect(call.params).toMatchObject({
			chat_id: '1001',
			disable_notification: true,
			reply_parameters: { message_id: 77, allow_sending_without_reply: true },
			reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }, { text: 'No', callback_data: 'no' }], [{ text: 'Docs', url: 'https://example.com/docs' }]] },
		});
	});
});

describe('Chat Channel (Telegram): pacing, 429 and no duplicates', () => {
	it('paces one message per second per chat by its own clock; every message arrives once, in order, even under load', async () => {
		// The node's own clock: when the shared pacer lets each send go. Arrival times at the
		// emulator are not asserted (a loaded machine can delay one request and not the next, and
		// the emulator then answers 429, which the node must wait out): that is `npm run bench`'s job.
		const granted: Array<{ chat: string; at: number }> = [];
		const acquire = pacer.acquire.bind(pacer);
		const spy = jest.spyOn(pacer, 'acquire').mockImplementation(async (keys) => {
			const asked = Date.now();
			const delay = await acquire(keys);
			const chat = keys[1]?.[0]; // [bot key, chat key]
			// the slot the pacer reserved (a loaded machine may wake up later than that)
			if (chat) granted.push({ chat, at: asked + delay });
			return delay;
		});
		try {
			const items = Array.from({ length: 12 }, (_, i) => ({ conversationId: String(1001 + (i % 3)), text: `m${i}`, format: 'plain' }));
			const { status, output } = await runFixture(tg, 'message.send-long', { items });
			expect(status).toBe('success');
			for (const chat of [1001, 1002, 1003]) {
				expect(tg.sentMessages(chat).map((m) => m.text)).toEqual(items.filter((i) => i.conversationId === String(chat)).map((i) => i.text));
			}
			// a 429 (if the loaded machine provoked one) was waited out and resent, never duplicated
			expect(sends().filter((r) => r.status === 200)).toHaveLength(12);
			expect(pairedOf(output)).toEqual(items.map((_, item) => ({ item })));
			const byChat = new Map<string, number[]>();
			for (const { chat, at } of granted) byChat.set(chat, [...(byChat.get(chat) ?? []), at]);
			expect(byChat.size).toBe(3);
			for (const times of byChat.values()) {
				expect(times.length).toBeGreaterThanOrEqual(4);
				// a slot is reserved a whole interval after the previous one (a ms of clock reading aside)
				for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(990);
			}
		} finally {
			spy.mockRestore();
		}
	});

	it('on 429 waits retry_after and resends only that request; the message arrives once', async () => {
		tg.failNext({ method: 'sendMessage', status: 429, retryAfter: 1 });
		const { status } = await runFixture(tg, 'message.send');
		expect(status).toBe('success');
		// the injected 429 was waited out; a loaded machine may bunch the sends into one more 429 of
		// the emulator's own limits, waited out the same way: never a duplicate
		expect(sends().filter((r) => r.injected).map((r) => r.status)).toEqual([429]);
		expect(sends().filter((r) => r.status !== 200 && r.status !== 429)).toEqual([]);
		expect(sends().filter((r) => r.status === 200)).toHaveLength(3);
		expect(tg.sentMessages().length).toBe(3);
	});

	it('never resends a message Telegram may have accepted (5xx after accepting): one copy, a clear error', async () => {
		tg.failNext({ method: 'sendMessage', status: 502, afterAccepting: true });
		const { status, error, everything } = await runFixture(tg, 'message.send-long', { items: [{ conversationId: '1001', text: 'once', format: 'plain' }] });
		expect(status).toBe('error');
		expect(error?.message).toBe('Telegram sendMessage: Bad Gateway (item 0)');
		expect(tg.sentMessages(1001).map((m) => m.text)).toEqual(['once']);
		expect(sends()).toHaveLength(1);
		expect(everything).not.toContain(tg.token);
	});

	it('with Retry On Fail, parts Telegram accepted are not sent again', async () => {
		const text = Array.from({ length: 3 }, (_, i) => `${'abc '.repeat(1000)}${i}`).join('\n');
		// the second part fails (Telegram refused it: nothing sent), after Telegram accepted the first
		tg.failNext({ method: 'sendMessage', status: 500, skip: 1 });
		const { status, output } = await runFixture(tg, 'message.send-long', {
			items: [{ conversationId: '1001', text, format: 'plain' }],
			edit: (wf) => Object.assign(wf.nodes[2], { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 }),
		});
		expect(status).toBe('success');
		const texts = tg.sentMessages(1001).map((m) => m.text);
		expect(texts.length).toBe(3);
		expect(new Set(texts).size).toBe(3);
		// a 429 of the emulator's flood limit is waited out and is no second copy (a loaded machine can
		// bunch the paced sends); what counts is that no accepted part went twice
		expect(sends().map((r) => r.status).filter((s) => s !== 429)).toEqual([200, 500, 200, 200]);
		expect(jsonOf(output)[0].messageIds).toEqual(tg.sentMessages(1001).map((m) => String(m.message_id)));
	});

	it('with continue-on-fail returns Telegram’s reason per failed item, paired, and sends the rest', async () => {
		const { status, output, everything } = await runFixture(tg, 'message.send-continue-on-fail');
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		const json = jsonOf(output);
		expect(json[0]).toMatchObject({ conversationId: '1001' });
		expect(String(json[1].error)).toMatch(/^Telegram sendMessage: Bad Request: can't parse entities: Character '\.' is reserved/);
		expect(String(json[2].error)).toBe('"abc" is not a Telegram conversation ID');
		expect(json[3]).toMatchObject({ conversationId: '1003' });
		expect(tg.sentMessages().map((m) => m.text)).toEqual(['ok 1', 'ok 2']);
		expect(everything).not.toContain(tg.token);
	});
});

describe('Chat Channel (Telegram): edit, delete, chat action', () => {
	it('reacts to a message with one of Telegram\'s reaction emoji (setMessageReaction; ❤️ as Telegram spells it), takes it back with an empty emoji; another emoji is refused', async () => {
		const react = (emoji: string) =>
			runFixture(tg, 'message.delete', {
				items: [{ conversationId: '1001', messageId: '77' }],
				edit: (wf) => Object.assign(wf.nodes[2].parameters, { operation: 'react', emoji }),
			});
		const [love, none, word] = [await react('❤️'), await react(''), await react('ok')];
		expect([love.status, none.status]).toEqual(['success', 'success']);
		expect(tg.calls('setMessageReaction').map((c) => c.params)).toEqual([
			{ chat_id: '1001', message_id: 77, reaction: [{ type: 'emoji', emoji: '❤' }] },
			{ chat_id: '1001', message_id: 77, reaction: [] },
			{ chat_id: '1001', message_id: 77, reaction: [{ type: 'emoji', emoji: 'ok' }] },
		]);
		expect(jsonOf(love.output)[0]).toMatchObject({ channel: 'telegram', conversationId: '1001', messageId: '77', emoji: '❤' });
		expect(word.error?.message).toMatch(/REACTION_INVALID/);
	});

	it('edits and deletes a message the bot sent; an unchanged edit is not an error', async () => {
		await runFixture(tg, 'message.send-long', { items: [{ conversationId: '1001', text: 'first', format: 'plain' }] });
		const id = String(tg.sentMessages(1001)[0].message_id);
		const edited = await runFixture(tg, 'message.edit', { items: [{ conversationId: '1001', messageId: id, text: 'edited' }] });
		expect(jsonOf(edited.output)[0]).toMatchObject({ edited: true, messageId: id });
		expect(tg.sentMessages(1001)[0].text).toBe('edited');
		const again = await runFixture(tg, 'message.edit', { items: [{ conversationId: '1001', messageId: id, text: 'edited' }] });
		expect(jsonOf(again.output)[0]).toMatchObject({ edited: false });
		const deleted = await runFixture(tg, 'message.delete', { items: [{ conversationId: '1001', messageId: id }] });
		expect(jsonOf(deleted.output)[0]).toMatchObject({ deleted: true });
		expect(tg.sentMessages(1001)[0].deleted).toBe(true);
	});

	it('shows "typing" in each chat', async () => {
		const { output } = await runFixture(tg, 'chat.sendAction');
		expect(jsonOf(output)).toEqual([
			expect.objectContaining({ conversationId: '1001', action: 'typing', sent: true }),
			expect.objectContaining({ conversationId: '-2001', action: 'typing' }),
		]);
		expect(tg.calls('sendChatAction').map((r) => r.params.chat_id)).toEqual(['1001', '-2001']);
	});

	it('names Telegram’s reason and a hint when the user blocked the bot, without the token', async () => {
		const { status, error, everything } = await runFixture(tg, 'message.send-long', { items: [{ conversationId: '13', text: 'hi', format: 'plain' }] });
		expect(status).toBe('error');
		expect(error?.message).toBe('Telegram sendMessage: Forbidden: bot was blocked by the user (item 0)');
		expect(error?.description).toMatch(/blocked the bot/);
		expect(everything).not.toContain(tg.token);
	});
});
