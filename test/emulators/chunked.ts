/** Fault injection shared by the emulators: bodies without Content-Length. */
import type * as http from 'node:http';

/** Writes `bytes` with Transfer-Encoding: chunked (no Content-Length), 64 KB at a time. */
export function sendChunked(res: http.ServerResponse, status: number, headers: Record<string, string>, bytes: Buffer): void {
	const { 'x-emulator-chunked': _flag, ...rest } = headers;
	res.writeHead(status, rest);
	let offset = 0;
	const next = (): void => {
		while (offset < bytes.length) {
			const piece = bytes.subarray(offset, offset + 65536);
			offset += piece.length;
			if (!res.write(piece)) {
				res.once('drain', next);
				return;
			}
		}
		res.end();
	};
	res.on('error', () => undefined);
	next();
}
