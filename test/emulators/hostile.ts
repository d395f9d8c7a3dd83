/**
 * Servers that misbehave the way a proxy, a compromised host or a broken server does, on
 * 127.0.0.1 ephemeral ports: they record every request (headers, path, query) so a test can
 * assert what reached them.
 *
 * - `redirect(to)`: answers every request with `302 Location: <to><path>`.
 * - `echo(status)`: answers with an error page that echoes the request line, query and headers
 *   (what many proxies and frameworks do: `Cannot POST /bot123:AA…/sendMessage`).
 * - `silent()`: accepts connections and never answers.
 * - `handler(fn)`: any answer, e.g. a list whose cursor never changes.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

export interface HostileServer {
	url: string;
	requests: RecordedRequest[];
	/** Everything the server received, as one text (to search for secrets). */
	received(): string;
	stop(): Promise<void>;
}

type Handler = (req: RecordedRequest, res: http.ServerResponse) => void;

async function start(handler: Handler): Promise<HostileServer> {
	const requests: RecordedRequest[] = [];
	const sockets = new Set<import('node:net').Socket>();
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
			requests.push(recorded);
			handler(recorded, res);
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		received: () => JSON.stringify(requests),
		stop: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

export const hostile = {
	/** 302 to `to` + the same path and query, for every request. */
	redirect: async (to: string, status = 302) =>
		await start((req, res) => {
			res.writeHead(status, { Location: `${to}${req.url}` });
			res.end();
		}),

	/** Records, answers 200 with a JSON body that looks like success to any of the APIs. */
	recorder: async () =>
		await start((_req, res) => {
			res.writeHead(200, { 'Content-Type': 'application/json' });
			res.end(JSON.stringify({ ok: true, result: {}, id: 'x', sid: 'SMx', items: [], nextCursor: null }));
		}),

	/** An error page echoing the request: method, path and query, every header, the body. */
	echo: async (status = 404, contentType = 'text/html') =>
		await start((req, res) => {
			const page = [
				`Cannot ${req.method} ${req.url}`,
				...Object.entries(req.headers).map(([name, value]) => `${name}: ${String(value)}`),
				req.body,
			].join('\n');
			res.writeHead(status, { 'Content-Type': contentType });
			res.end(contentType === 'application/json' ? JSON.stringify({ error: { message: page }, message: page, description: page }) : page);
		}),

	/** Accepts the request and never answers. */
	silent: async () => await start(() => undefined),

	handler: async (fn: Handler) => await start(fn),
};
