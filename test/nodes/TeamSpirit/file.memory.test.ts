/**
 * A 45 MB file must never sit whole in memory when n8n keeps binaries on disk: the upload streams
 * from n8n's binary store into the request, the download streams from the response into the store.
 * Live memory is sampled with forced GC (npm test runs these files with --expose-gc, in a jest
 * process of their own so that each GC stays quick), so garbage chunks
 * waiting for collection do not count; a whole copy of the file would.
 */
import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { deterministicBytes } from '../../harness';
import { runFixture, startSeededEmulator } from './setup';

const MB = 1024 * 1024;
/**
 * A whole copy of the 45 MB file adds at least 45 MB. The node and the emulator run in this one
 * process, so chunks in flight between them count too: up to about 23 MB on a 2-core machine at
 * load 8 (CI), a few MB when idle. The bound sits between the two.
 */
const BOUND = 32 * MB;
const gc = (globalThis as { gc?: () => void }).gc;

async function peakExtraMemory(work: () => Promise<unknown>): Promise<number> {
	if (!gc) throw new Error('Run jest with node --expose-gc (npm test does)');
	const live = () => {
		gc();
		const { arrayBuffers, heapUsed } = process.memoryUsage();
		return arrayBuffers + heapUsed;
	};
	const baseline = live();
	let peak = baseline;
	const timer = setInterval(() => (peak = Math.max(peak, live())), 1000);
	try {
		await work();
	} finally {
		clearInterval(timer);
	}
	return peak - baseline;
}

let emulator: TeamSpiritEmulator;
beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
});
afterEach(async () => await emulator.stop());

describe('TeamSpirit node: memory with 45 MB files', () => {
	it('uploads from disk without holding the file in memory', async () => {
		const extra = await peakExtraMemory(async () => {
			const { status } = await runFixture(emulator, 'file.upload');
			expect(status).toBe('success');
		});
		expect(extra).toBeLessThan(BOUND);
	}, 180_000);

	it('downloads to disk without holding the file in memory', async () => {
		const meta = emulator.addFile({ name: 'big.bin', content: deterministicBytes(45 * MB, 'mem') });
		const extra = await peakExtraMemory(async () => {
			const { status } = await runFixture(emulator, 'file.download', {
				edit: (wf) => {
					wf.nodes[1].parameters.items = JSON.stringify([{ fileId: meta.id }]);
				},
			});
			expect(status).toBe('success');
		});
		expect(extra).toBeLessThan(BOUND);
	}, 180_000);
});
