/**
 * Starts an emulator's server on 127.0.0.1: on `port`, or on a free one the system picks (0, what
 * the tests use). A taken port is an error that names it (the sandbox of `npm run dev` fixes ports).
 */
import type * as http from 'node:http';

export async function listen(server: http.Server, port = 0): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const failed = (error: NodeJS.ErrnoException) =>
			reject(
				error.code === 'EADDRINUSE'
					? new Error(`port ${port} on 127.0.0.1 is in use`, { cause: error })
					: error,
			);
		server.once('error', failed);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', failed);
			resolve();
		});
	});
}
