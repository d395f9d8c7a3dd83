/**
 * Durations are measured on a monotonic clock: a wall clock corrected backwards or forwards
 * (NTP, a resumed VM, an operator fixing the time) changes no wait, slot or TTL of the package.
 * The wall clock is faked here by `Date.now` stepping; `performance.now()` goes on as it does.
 */
import { pacer } from '../../nodes/channels/pacing';
import { RecentIds } from '../../nodes/shared/dedupe';
import { abortableSleep } from '../../nodes/shared/sleep';

const HOUR = 60 * 60 * 1000;

function stepWallClock(byMs: number): jest.SpyInstance {
	const real = Date.now.bind(Date);
	return jest.spyOn(Date, 'now').mockImplementation(() => real() + byMs);
}

afterEach(() => jest.restoreAllMocks());

/** What `promise` resolved with, or 'still waiting' after `ms` (the test never hangs for the hour). */
async function within<T>(ms: number, promise: Promise<T>): Promise<T | 'still waiting'> {
	const stop = new AbortController();
	const timer = abortableSleep(ms, stop.signal).then(() => 'still waiting' as const);
	try {
		return await Promise.race([promise, timer]);
	} finally {
		stop.abort();
	}
}

describe('a wall clock stepping back an hour stalls nothing', () => {
	it("the Telegram pacer gives a chat's next send its slot within the chat's interval, not an hour later", async () => {
		const chat: [string, number] = ['clock-test:bot:chat', 200];
		await pacer.acquire([chat]);
		stepWallClock(-HOUR);
		const waited = await within(10_000, pacer.acquire([chat]));
		expect(waited).not.toBe('still waiting');
		expect(waited).toBeLessThanOrEqual(200);
	});
});

describe('a wall clock stepping forward expires nothing early', () => {
	it('a trigger still recognises a delivery it handled a minute ago after the wall clock jumped a day ahead', () => {
		const handled = new RecentIds(100, HOUR);
		expect(handled.claim(['delivery:1'])).toBe(true);
		stepWallClock(25 * HOUR);
		expect(handled.claim(['delivery:1'])).toBe(false);
	});
});
