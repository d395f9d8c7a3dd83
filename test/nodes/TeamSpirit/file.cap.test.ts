/**
 * File → Download counts the bytes as they arrive: a server (or a proxy) sending more than the
 * file's metadata says, chunked without Content-Length, is stopped and nothing is stored.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { sendChunked } from '../../emulators/chunked';
import { runFixture } from './setup';

const MB = 1024 * 1024;
let server: http.Server;
let url: string;
let served = 0;
let contentBytes: Buffer;

beforeEach(async () => {
	served = 0;
	server = http.createServer((req, res) => {
		if (req.url === '/api/v1/files/f_liar') {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ id: 'f_liar', name: 'small.bin', mimeType: 'application/octet-stream', size: 1000, createdAt: '2025-01-01T00:00:00.000Z' }));
			return;
		}
		if (req.url === '/api/v1/files/f_liar/content') {
			res.on('close', () => (served = res.writableFinished ? contentBytes.length : -1));
			sendChunked(res, 200, { 'content-type': 'application/octet-stream' }, contentBytes);
			return;
		}
		res.writeHead(404, { 'content-type': 'application/json' });
		res.end('{"error":{"code":"not_found","message":"Not found"}}');
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

const fake = () => ({ url, apiKey: 'ts_test_key' }) as unknown as TeamSpiritEmulator;
const download = async () =>
	await runFixture(fake(), 'file.download', {
		binaryMode: 'default',
		edit: (wf) => {
			wf.nodes[1].parameters.items = JSON.stringify([{ fileId: 'f_liar' }]);
		},
	});

describe('TeamSpirit node: File → Download size', () => {
	it('stops a chunked 40 MB body for a file whose metadata says 1000 bytes, and stores nothing', async () => {
		contentBytes = Buffer.alloc(40 * MB, 9);
		const { status, error, output } = await download();
		expect(status).toBe('error');
		expect(error?.message).toMatch(/f_liar is larger than 1000 bytes: the download was stopped/);
		expect(output ?? []).toEqual([]);
		// the download was aborted, not read to the end
		expect(served).not.toBe(contentBytes.length);
	});

	it('stores a chunked body of exactly the declared size', async () => {
		contentBytes = Buffer.alloc(1000, 9);
		const { status, output } = await download();
		expect(status).toBe('success');
		expect(output![0].binary!.report).toMatchObject({ fileName: 'small.bin' });
		expect(output![0].json).toMatchObject({ size: 1000 });
	});
});
