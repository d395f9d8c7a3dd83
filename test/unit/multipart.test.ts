import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import { buildMultipart } from '../../nodes/shared/binary';

async function collect(body: Buffer | Readable): Promise<Buffer> {
	if (Buffer.isBuffer(body)) return body;
	const chunks: Buffer[] = [];
	for await (const chunk of body) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

describe('buildMultipart', () => {
	it('frames fields and one file with a matching Content-Length', async () => {
		const content = Buffer.from('hello, world');
		const { body, headers } = buildMultipart(
			{ chat_id: '42', caption: 'Hi "there"' },
			{ fieldName: 'file', fileName: 'hello.txt', mimeType: 'text/plain', content },
		);
		const bytes = await collect(body as Buffer);
		const boundary = /boundary=(.+)$/.exec(headers['Content-Type'])![1];
		expect(headers['Content-Length']).toBe(String(bytes.length));
		const text = bytes.toString('utf8');
		expect(text.startsWith(`--${boundary}\r\n`)).toBe(true);
		expect(text).toContain('Content-Disposition: form-data; name="chat_id"\r\n\r\n42\r\n');
		expect(text).toContain('name="caption"\r\n\r\nHi "there"\r\n');
		expect(text).toContain('name="file"; filename="hello.txt"\r\nContent-Type: text/plain\r\n\r\nhello, world\r\n');
		expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
	});

	it('streams a file without reading it first, and the declared length matches the bytes sent', async () => {
		const chunk = Buffer.alloc(64 * 1024, 7);
		let pulled = 0;
		const source = new Readable({
			read() {
				pulled++;
				this.push(pulled <= 32 ? chunk : null);
			},
		});
		const { body, headers } = buildMultipart(
			{},
			{ fieldName: 'file', fileName: 'big.bin', mimeType: 'application/octet-stream', content: source, size: 32 * chunk.length },
		);
		expect(Buffer.isBuffer(body)).toBe(false);
		expect(pulled).toBe(0); // nothing read until the request consumes the body
		const bytes = await collect(body as Readable);
		expect(String(bytes.length)).toBe(headers['Content-Length']);
		const expected = createHash('sha256').update(Buffer.concat(Array(32).fill(chunk))).digest('hex');
		const start = bytes.indexOf('\r\n\r\n') + 4;
		const end = bytes.lastIndexOf('\r\n--');
		expect(createHash('sha256').update(bytes.subarray(start, end)).digest('hex')).toBe(expected);
	});

	it('keeps non-ASCII file names readable and cannot be broken by quotes or newlines', async () => {
		const { body } = buildMultipart(
			{},
			{ fieldName: 'file', fileName: 'отчёт "Q4"\r\n.pdf', mimeType: 'application/pdf', content: Buffer.from('x') },
		);
		const text = (body as Buffer).toString('utf8');
		expect(text).toContain('filename="отчёт \\"Q4\\" .pdf"');
		expect(text).toContain("filename*=UTF-8''");
		expect(text.split('\r\n').filter((l) => l.startsWith('Content-Disposition'))).toHaveLength(1);
	});
});
