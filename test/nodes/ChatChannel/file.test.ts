import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import type { TelegramEmulator } from '../../emulators/telegram';
import { deterministicSha256, testCredential } from '../../harness';
import { jsonOf, pairedOf, runFixture, startTelegram } from './setup';

let tg: TelegramEmulator;
beforeEach(async () => {
	tg = await startTelegram();
});
afterEach(async () => await tg.stop());

describe('Chat Channel (Telegram): files', () => {
	it('uploads binary files as multipart: PNG as a photo, PDF and text as documents; a long caption follows as a message', async () => {
		const longCaption = 'c'.repeat(600) + ' ' + 'd'.repeat(600);
		const { status, output } = await runFixture(tg, 'message.sendFile', {
			edit: (wf) => {
				wf.nodes[1].parameters.items = String(wf.nodes[1].parameters.items).replace('CAPTION', longCaption);
			},
		});
		expect(status).toBe('success');
		expect(pairedOf(output)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const [photo] = tg.sentMessages(1001);
		expect(photo).toMatchObject({ method: 'sendPhoto', caption: 'The photo' });
		expect(photo.upload).toMatchObject({ fieldName: 'photo', filename: 'photo.png', contentType: 'image/png', size: 300000, sha256: deterministicSha256(300000, 1) });
		const [pdf] = tg.sentMessages(1002);
		expect(pdf).toMatchObject({ method: 'sendDocument', caption: 'The report' });
		expect(pdf.upload).toMatchObject({ filename: 'report.pdf', size: 2500000, sha256: deterministicSha256(2500000, 2) });
		const third = tg.sentMessages(1003);
		expect(third.map((m) => m.method)).toEqual(['sendDocument', 'sendMessage']);
		expect(third[0].caption).toBeUndefined();
		expect(third[1].text).toBe(longCaption);
		expect(jsonOf(output)[2]).toMatchObject({ parts: 2, kind: 'document', messageIds: third.map((m) => String(m.message_id)) });
		// uploads are streamed with a known length, never chunked
		for (const r of tg.requests.filter((q) => q.method.startsWith('send'))) {
			if (r.headers['content-type']?.startsWith('multipart/')) expect(r.headers['content-length']).toBeDefined();
		}
	});

	it('sends a file by URL or by a file_id Telegram already has', async () => {
		const known = tg.addFile(Buffer.from('hello'), { fileName: 'hello.txt', mimeType: 'text/plain' });
		const { status } = await runFixture(tg, 'message.sendFile-url', {
			edit: (wf) => {
				wf.nodes[1].parameters.items = String(wf.nodes[1].parameters.items).replace('FILEID', known.file_id);
			},
		});
		expect(status).toBe('success');
		const calls = tg.requests.filter((r) => r.method === 'sendPhoto' || r.method === 'sendDocument');
		expect(calls.map((r) => [r.method, r.params.photo ?? r.params.document])).toEqual([
			['sendPhoto', 'https://example.com/cat.jpg'],
			['sendDocument', known.file_id],
		]);
	});
});

describe('Telegram credential', () => {
	it('tests the token with getMe; a wrong token fails without showing it', async () => {
		const ok = await testCredential(new TeamSpiritTelegramApi(), { accessToken: tg.token, baseUrl: tg.url });
		expect(ok.status).toBe('OK');
		const wrong = '987654321:AAwrongTOKENwrongTOKENwrongTOKEN12345';
		const bad = await testCredential(new TeamSpiritTelegramApi(), { accessToken: wrong, baseUrl: tg.url });
		expect(bad.status).toBe('Error');
		expect(bad.message).not.toContain(wrong);
		expect(tg.calls('getMe').map((r) => r.status)).toEqual(expect.arrayContaining([200, 401]));
	});
});
