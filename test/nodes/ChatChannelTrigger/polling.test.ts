import type { IDataObject } from 'n8n-workflow';

import { seenEvents } from '../../../nodes/channels/memory';
import { forgetAnnounced } from '../../../nodes/channels/sequence';
import { TelegramEmulator } from '../../emulators/telegram';
import { binarySha256, deterministicBytes, deterministicSha256, type RunningTrigger } from '../../harness';
import { startPolling } from './setup';

let tg: TelegramEmulator;
const running: RunningTrigger[] = [];
async function start(...args: Parameters<typeof startPolling> extends [unknown, ...infer R] ? R : never) {
	const trigger = await startPolling(tg, ...args);
	running.push(trigger);
	return trigger;
}

beforeEach(async () => {
	tg = await TelegramEmulator.start();
});
afterEach(async () => {
	for (const t of running.splice(0)) await t.close();
	await tg.stop();
	// executions these tests never ended would hold their conversation's files for 2 minutes
	forgetAnnounced();
});

const texts = (t: RunningTrigger) => t.items().map((i) => i.json.text);

describe('Chat Channel Trigger (Telegram, long polling)', () => {
	it('starts one execution per message, in the shape every channel shares', async () => {
		const trigger = await start();
		await tg.waitFor(() => tg.polling, 5000, 'the first long poll');
		const update = tg.pushMessage({ chatId: 1001, text: 'Hello bot', extra: { reply_to_message: { message_id: 7, date: 1, chat: { id: 1001 } } } });
		tg.pushMessage({ chatId: -2001, text: 'In the group', from: { id: 55, first_name: 'Bob', last_name: 'Builder', username: 'bob' } });
		await trigger.waitForItems(2);
		expect(trigger.emitted.map((e) => e[0].length)).toEqual([1, 1]);
		const [first, second] = trigger.items().map((i) => i.json);
		expect(first).toEqual({
			channel: 'telegram',
			account: String(tg.botId),
			event: 'message',
			eventId: `telegram:${tg.botId}:${update.update_id}`,
			messageId: String(update.message.message_id),
			conversationId: '1001',
			sender: { id: '1001', name: 'Ada Lovelace', username: 'ada', isBot: false },
			text: 'Hello bot',
			attachments: [],
			attachmentsText: '',
			summary: 'Hello bot',
			replyToMessageId: '7',
			timestamp: new Date(update.message.date * 1000).toISOString(),
			conversationType: 'private',
			raw: update,
		});
		expect(second).toMatchObject({ conversationId: '-2001', conversationType: 'group', conversationTitle: 'Group', sender: { id: '55', name: 'Bob Builder', username: 'bob' }, text: 'In the group' });
		const [call] = tg.calls('getUpdates');
		expect(call.params.allowed_updates).toEqual(['message', 'edited_message', 'callback_query']);
	});

	it('survives a restart without losing or repeating updates: the offset is saved with each emit', async () => {
		const first = await start();
		const delivered = [
			tg.pushMessage({ chatId: 1, text: 'one' }),
			tg.pushMessage({ chatId: 2, text: 'two' }),
			tg.pushMessage({ chatId: 3, text: 'three' }),
		];
		await first.waitForItems(3);
		// n8n stops: only what n8n saved survives (static data is stored when a trigger emits)
		const saved = first.savedStaticData();
		await first.close();
		// the hardest case: Telegram never heard that they were processed (n8n died before the next
		// poll confirmed them), and the new process remembers nothing
		tg.pending.unshift(...delivered);
		seenEvents.clear();
		tg.pushMessage({ chatId: 4, text: 'four (while n8n was down)' });
		tg.pushMessage({ chatId: 5, text: 'five (while n8n was down)' });

		const second = await start({ staticData: saved });
		await second.waitForItems(2);
		tg.pushMessage({ chatId: 6, text: 'six' });
		await second.waitForItems(3);
		expect(texts(first)).toEqual(['one', 'two', 'three']);
		expect(texts(second)).toEqual(['four (while n8n was down)', 'five (while n8n was down)', 'six']);
	});

	it('an update is confirmed to Telegram only after it was emitted', async () => {
		const trigger = await start();
		const u1 = tg.pushMessage({ chatId: 1, text: 'a' });
		await trigger.waitForItems(1);
		await tg.waitFor(() => tg.calls('getUpdates').length >= 2, 5000, 'the next poll');
		const offsets = tg.calls('getUpdates').map((r) => r.params.offset);
		// the poll that fetched u1 did not confirm it; the next one (after the emit) does
		expect(offsets[0]).toBe(0);
		expect(offsets[1]).toBe(u1.update_id + 1);
		expect((trigger.savedStaticData()['node:Trigger'] as IDataObject).offset).toBe(u1.update_id + 1);
	});

	it('starts nothing for an update_id it has already emitted', async () => {
		const trigger = await start();
		const u = tg.pushMessage({ chatId: 1, text: 'once' });
		await trigger.waitForItems(1);
		tg.pushUpdate({ ...u }); // Telegram delivers the same update again
		tg.pushMessage({ chatId: 1, text: 'next' });
		await trigger.waitForItems(2);
		expect(texts(trigger)).toEqual(['once', 'next']);
	});

	it('deactivation ends the long poll at once', async () => {
		const trigger = await start({ parameters: { channel: 'telegram', mode: 'polling', options: { pollTimeout: 50 } } });
		await tg.waitFor(() => tg.polling, 5000, 'a waiting long poll');
		await trigger.close();
		await tg.waitFor(() => !tg.polling, 2000, 'the poll to be aborted');
		tg.pushMessage({ chatId: 1, text: 'after close' });
		expect(trigger.emitted).toHaveLength(0);
		expect(tg.pending).toHaveLength(1); // still there for the next start
	});

	it('backs off after network errors and 5xx, then resumes without losing messages', async () => {
		tg.failNext({ method: 'getUpdates', status: 502, count: 2 });
		const trigger = await start();
		tg.pushMessage({ chatId: 1, text: 'still arrives' });
		await trigger.waitForItems(1, 15_000);
		expect(texts(trigger)).toEqual(['still arrives']);
		expect(tg.calls('getUpdates').slice(0, 2).map((r) => r.status)).toEqual([502, 502]);
		expect(trigger.errors).toEqual([]);
	});

	it('reports an existing webhook clearly instead of polling, and can remove it', async () => {
		tg.webhook = { url: 'https://example.com/hook/secret-path' };
		await expect(start()).rejects.toThrow('This bot has a webhook (https://example.com/hook/secret-path), so Telegram refuses long polling');
		const trigger = await start({ parameters: { channel: 'telegram', mode: 'polling', options: { pollTimeout: 5, replaceWebhook: true } } });
		expect(tg.webhook).toBeNull();
		tg.pushMessage({ chatId: 1, text: 'via polling' });
		await trigger.waitForItems(1);
	});

	it('a second poller (409 Conflict) ends in a clear error instead of a silent fight', async () => {
		tg.failNext({ method: 'getUpdates', status: 409, count: 5 });
		const trigger = await start();
		await trigger.waitForErrors(1, 20_000);
		expect(trigger.errors[0].message).toMatch(/409 Conflict: another program is reading this bot's updates/);
	});

	it('filters: allowed chats and users, no bots, only the selected update types', async () => {
		const trigger = await start({
			parameters: { channel: 'telegram', mode: 'polling', updates: ['message'], options: { pollTimeout: 5, chatIds: '1, -2001', userIds: '1, 77' } },
		});
		tg.pushMessage({ chatId: 1, text: 'allowed' });
		tg.pushMessage({ chatId: 3, text: 'other chat' });
		tg.pushMessage({ chatId: -2001, text: 'group, other user', from: { id: 99 } });
		tg.pushMessage({ chatId: -2001, text: 'group, allowed user', from: { id: 77 } });
		tg.pushMessage({ chatId: 1, text: 'a bot', from: { id: 1, is_bot: true } });
		tg.pushMessage({ chatId: 1, text: 'edited', edited: true });
		tg.pushMessage({ chatId: 1, text: 'last' });
		await trigger.waitForItems(3);
		// one chat's updates stay in order; different chats' executions are separate
		expect(texts(trigger).filter((t) => t !== 'group, allowed user')).toEqual(['allowed', 'last']);
		expect(texts(trigger)).toContain('group, allowed user');
		expect(texts(trigger)).toHaveLength(3);
	});

	it('updates of one chat that come in one batch start one execution, in order; other chats start their own', async () => {
		tg.pushMessage({ chatId: 1001, text: 'one' });
		tg.pushMessage({ chatId: 1002, text: 'other chat' });
		tg.pushMessage({ chatId: 1001, text: 'two' });
		tg.pushMessage({ chatId: 1001, text: 'three' });
		// the updates wait at Telegram (n8n was down); the trigger gets them in one batch
		const trigger = await start();
		await trigger.waitForItems(4);
		const batches = trigger.emitted.map((data) => data[0].map((item) => item.json.text));
		expect(batches).toEqual([['one', 'two', 'three'], ['other chat']]);
	});

	it('downloads the largest photo and a document into binary properties; too large files get a notice', async () => {
		const small = tg.addFile(deterministicBytes(1000, 'thumb'), { mimeType: 'image/jpeg' });
		const large = tg.addFile(deterministicBytes(200_000, 'photo'), { mimeType: 'image/jpeg' });
		const doc = tg.addFile(deterministicBytes(50_000, 'doc'), { mimeType: 'application/pdf', fileName: 'invoice.pdf' });
		const huge = tg.addFile(Buffer.from('x'), { mimeType: 'video/mp4', fileName: 'movie.mp4', size: 25 * 1024 * 1024 });
		const trigger = await start({ parameters: { channel: 'telegram', mode: 'polling', options: { pollTimeout: 5, download: true } } });
		tg.pushMessage({ chatId: 1, extra: { caption: 'look', photo: [{ file_id: small.file_id, width: 90, height: 90, file_size: 1000 }, { file_id: large.file_id, width: 1280, height: 960, file_size: 200_000 }] } });
		tg.pushMessage({ chatId: 1, extra: { document: { file_id: doc.file_id, file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: 50_000 } } });
		tg.pushMessage({ chatId: 1, extra: { video: { file_id: huge.file_id, mime_type: 'video/mp4', file_size: huge.file_size } } });
		await trigger.waitForItems(3);
		const [photo, pdf, video] = trigger.items();
		expect(photo.json).toMatchObject({ text: 'look', attachments: [{ type: 'photo', fileId: large.file_id, binaryProperty: 'data', size: 200_000 }] });
		expect(await binarySha256(photo.binary!.data)).toBe(deterministicSha256(200_000, 'photo'));
		expect(pdf.json.attachments).toEqual([expect.objectContaining({ type: 'document', fileName: 'invoice.pdf', mimeType: 'application/pdf', binaryProperty: 'data' })]);
		expect(pdf.binary!.data.fileName).toBe('invoice.pdf');
		expect(video.binary).toBeUndefined();
		expect((video.json.attachments as IDataObject[])[0].notice).toMatch(/20 MB Telegram lets bots download/);
		// ready-made text for workflows without code
		expect(photo.json).toMatchObject({ attachmentsText: 'photo image/jpeg received', summary: 'look (+ photo image/jpeg received)' });
		expect(pdf.json).toMatchObject({ summary: 'document application/pdf received' });
		expect(video.json).toMatchObject({ summary: 'video not downloaded' });
		// the token never reaches an item
		expect(JSON.stringify(trigger.items())).not.toContain(tg.token);
	});

	it('a burst of files from one chat shares one download budget per execution: files beyond it get a "too large for this batch" notice, counted while streaming too', async () => {
		const KB = 1024;
		const a = tg.addFile(deterministicBytes(400 * KB, 'a'), { mimeType: 'application/pdf', fileName: 'a.pdf' });
		const b = tg.addFile(deterministicBytes(400 * KB, 'b'), { mimeType: 'application/pdf', fileName: 'b.pdf' });
		// declares 1 KB, sends 400 KB: the budget is enforced on the bytes as they arrive
		const liar = tg.addFile(deterministicBytes(400 * KB, 'c'), { mimeType: 'application/pdf', fileName: 'c.pdf', size: KB });
		const d = tg.addFile(deterministicBytes(100 * KB, 'd'), { mimeType: 'application/pdf', fileName: 'd.pdf' });
		const other = tg.addFile(deterministicBytes(400 * KB, 'e'), { mimeType: 'application/pdf', fileName: 'e.pdf' });
		const doc = (file: { file_id: string; file_size: number }, name: string) => ({ document: { file_id: file.file_id, file_name: name, mime_type: 'application/pdf', file_size: file.file_size } });
		// all in one getUpdates: one execution for chat 1, one for chat 2
		tg.pushMessage({ chatId: 1, extra: doc(a, 'a.pdf') });
		tg.pushMessage({ chatId: 1, extra: doc(b, 'b.pdf') });
		tg.pushMessage({ chatId: 1, extra: doc(liar, 'c.pdf') });
		tg.pushMessage({ chatId: 1, extra: doc(d, 'd.pdf') });
		tg.pushMessage({ chatId: 2, extra: doc(other, 'e.pdf') });
		const trigger = await start({ parameters: { channel: 'telegram', mode: 'polling', options: { pollTimeout: 5, download: true, maxBatchMb: 1 } } });
		await trigger.waitForItems(5);
		expect(trigger.emitted.map((e) => e[0].length)).toEqual([4, 1]);
		const [first, second, third, fourth, otherChat] = trigger.items();
		expect(await binarySha256(first.binary!.data)).toBe(deterministicSha256(400 * KB, 'a'));
		expect(await binarySha256(second.binary!.data)).toBe(deterministicSha256(400 * KB, 'b'));
		expect(third.binary).toBeUndefined();
		expect((third.json.attachments as IDataObject[])[0].notice).toMatch(/^Not downloaded: too large for this batch: .*1 MB one execution may hold \("Max Download per Execution"; 0\.8 MB already downloaded\)/);
		expect(third.json).toMatchObject({ summary: 'document not downloaded' });
		// what is left still takes a smaller file
		expect(await binarySha256(fourth.binary!.data)).toBe(deterministicSha256(100 * KB, 'd'));
		// another chat's execution has a budget of its own
		expect(await binarySha256(otherChat.binary!.data)).toBe(deterministicSha256(400 * KB, 'e'));
	});

	it("a customer's executions still in progress share one download budget per conversation: a file beyond it gets a notice until they end", async () => {
		const KB = 1024;
		const doc = (file: { file_id: string; file_size: number }, name: string) => ({ document: { file_id: file.file_id, file_name: name, mime_type: 'application/pdf', file_size: file.file_size } });
		const files = ['a', 'b', 'c'].map((seed) => tg.addFile(deterministicBytes(600 * KB, seed), { mimeType: 'application/pdf', fileName: `${seed}.pdf` }));
		const trigger = await start({ parameters: { channel: 'telegram', mode: 'polling', options: { pollTimeout: 5, download: true, maxConversationMb: 1 } } });
		tg.pushMessage({ chatId: 1, extra: doc(files[0], 'a.pdf') });
		await trigger.waitForItems(1);
		// its execution is still running (n8n has not settled its done promise): the next file of
		// the same customer would make the two hold 1.2 MB
		tg.pushMessage({ chatId: 1, extra: doc(files[1], 'b.pdf') });
		await trigger.waitForItems(2);
		const [first, second] = trigger.items();
		expect(await binarySha256(first.binary!.data)).toBe(deterministicSha256(600 * KB, 'a'));
		expect(second.binary).toBeUndefined();
		expect((second.json.attachments as IDataObject[])[0].notice).toMatch(/^Not downloaded: too large for this conversation: the file \(0\.6 MB\) would pass the 1 MB the customer's messages in progress may hold \("Max Download per Conversation"; 0\.6 MB held\)/);
		// both executions end: the customer's next file is downloaded again
		for (const done of trigger.donePromises) done?.resolve({ status: 'success', data: { resultData: { runData: {} } } } as never);
		await new Promise((resolve) => setImmediate(resolve));
		tg.pushMessage({ chatId: 1, extra: doc(files[2], 'c.pdf') });
		await trigger.waitForItems(3);
		expect(await binarySha256(trigger.items()[2].binary!.data)).toBe(deterministicSha256(600 * KB, 'c'));
	});

	it('normalizes a button press into event "callback" with its data', async () => {
		const trigger = await start();
		tg.pushUpdate({ callback_query: { id: 'cb1', from: { id: 1, is_bot: false, first_name: 'Ada' }, data: 'yes', message: { message_id: 5, date: 1, chat: { id: 1, type: 'private' }, text: 'Pick one' } } });
		await trigger.waitForItems(1);
		expect(trigger.items()[0].json).toMatchObject({ event: 'callback', text: 'yes', callbackData: 'yes', callbackId: 'cb1', conversationId: '1', messageId: '5' });
	});
});
