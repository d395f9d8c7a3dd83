import { createHash } from 'node:crypto';

import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { binarySha256, deterministicBytes, deterministicSha256 } from '../../harness';
import { jsonOf, pairedOf, runFixture, startSeededEmulator } from './setup';

let emulator: TeamSpiritEmulator;
beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
});
afterEach(async () => await emulator.stop());

const MB45 = 45 * 1024 * 1024;
const uploads = () => emulator.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/files');

describe('TeamSpirit node: files', () => {
	it('uploads a 45 MB file from n8n’s disk storage and posts it to the chat with the caption', async () => {
		const { status, output } = await runFixture(emulator, 'file.upload');
		expect(status).toBe('success');
		const [upload] = uploads();
		expect(upload.status).toBe(201);
		expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
		expect(upload.body).toMatchObject({
			file: { fieldName: 'file', filename: 'report.pdf', contentType: 'application/pdf', size: MB45, sha256: deterministicSha256(MB45, 'q4-report') },
		});
		const [message] = jsonOf(output);
		expect(message).toMatchObject({ chatId: 'c_general', text: 'Quarterly report', files: [{ name: 'report.pdf', size: MB45 }] });
		expect(pairedOf(output)).toEqual([{ item: 0 }]);
		expect(emulator.messagesIn('c_general').at(-1)?.files[0].id).toBe((message.files as Array<{ id: string }>)[0].id);
	}, 120_000);

	it('uploads n8n’s in-memory binaries too, one per item, under the chosen file name', async () => {
		const { output } = await runFixture(emulator, 'file.upload-small', { binaryMode: 'default' });
		const bodies = uploads().map((u) => (u.body as { file: { filename: string; size: number; sha256: string } }).file);
		expect(bodies).toEqual([
			expect.objectContaining({ filename: 'renamed.txt', size: 1000, sha256: deterministicSha256(1000, 1) }),
			expect.objectContaining({ filename: 'renamed.txt', size: 2000, sha256: deterministicSha256(2000, 2) }),
		]);
		expect(jsonOf(output).map((m) => m.chatId)).toEqual(['c_general', 'c_support']);
		// an empty caption sends the file alone
		expect(jsonOf(output).map((m) => m.text)).toEqual(['', '']);
	});

	it('re-sends a streamed upload from the start after a 503, and the file arrives whole', async () => {
		emulator.failNext({ method: 'POST', path: /^\/api\/v1\/files$/, status: 503, count: 1 });
		const { status } = await runFixture(emulator, 'file.upload-small', { binaryMode: 'filesystem' });
		expect(status).toBe('success');
		expect(uploads().map((u) => u.status)).toEqual([503, 201, 201]);
		const stored = [...emulator.files.values()].map((f) => f.sha256);
		expect(stored).toContain(deterministicSha256(1000, 1));
		expect(emulator.messagesIn('c_general').filter((m) => m.files.length)).toHaveLength(1);
	});

	it('checks the chat before uploading: a chat that does not exist uploads nothing and says so', async () => {
		const { status, error } = await runFixture(emulator, 'file.upload-small', {
			binaryMode: 'default',
			edit: (wf) => {
				const upload = wf.nodes.find((n) => n.parameters.operation === 'upload')!;
				upload.parameters.chatId = { __rl: true, mode: 'id', value: 'c_nowhere' };
			},
		});
		expect(status).toBe('error');
		expect(error?.message).toMatch(/c_nowhere/);
		expect(uploads()).toHaveLength(0);
		expect(emulator.files.size).toBe(0);
	});

	it('names the item and the missing binary field, listing the fields it has', async () => {
		const { status, error } = await runFixture(emulator, 'file.upload-missing-binary');
		expect(status).toBe('error');
		expect(error?.message).toBe('Item 0 has no binary property "attachment"');
		expect(error?.description).toContain('Binary properties on this item: data');
		expect(uploads()).toHaveLength(0);
	});

	it('downloads a 45 MB file into a binary field on n8n’s disk storage, byte for byte', async () => {
		const bytes = deterministicBytes(MB45, 'download');
		const meta = emulator.addFile({ name: 'archive.zip', mimeType: 'application/zip', content: bytes });
		const expected = createHash('sha256').update(bytes).digest('hex');
		const { status, output } = await runFixture(emulator, 'file.download', {
			edit: (wf) => {
				wf.nodes[1].parameters.items = JSON.stringify([{ fileId: meta.id }]);
			},
		});
		expect(status).toBe('success');
		const [item] = output!;
		expect(item.json).toMatchObject({ id: meta.id, name: 'archive.zip', size: MB45 });
		const binary = item.binary!.report;
		expect(binary).toMatchObject({ fileName: 'archive.zip', mimeType: 'application/zip' });
		expect(binary.id).toMatch(/^filesystem/);
		expect(await binarySha256(binary)).toBe(expected);
		expect(item.pairedItem).toEqual({ item: 0 });
	}, 120_000);

	it('gets file metadata, and a missing file is a clear error', async () => {
		const meta = emulator.addFile({ name: 'a.txt', mimeType: 'text/plain', content: 'abc' });
		const ok = await runFixture(emulator, 'file.get', {
			edit: (wf) => {
				wf.nodes[1].parameters.items = JSON.stringify([{ fileId: meta.id }]);
			},
		});
		expect(jsonOf(ok.output)).toEqual([{ id: meta.id, name: 'a.txt', mimeType: 'text/plain', size: 3, createdAt: meta.createdAt }]);

		const missing = await runFixture(emulator, 'file.download');
		expect(missing.status).toBe('error');
		expect(missing.error?.message).toMatch(/^TeamSpirit: .*f_seeded.* \(item 0\)$/);
	});
});
