import type { HttpResponse } from '../../nodes/shared/retry';
import { backoffDelay, parseRetryAfter, rateLimitGiveUp, sendWithRetry } from '../../nodes/shared/retry';

const ok: HttpResponse = { statusCode: 200, headers: {}, body: { ok: true } };
const status = (statusCode: number, headers: HttpResponse['headers'] = {}, body: unknown = {}) =>
	({ statusCode, headers, body }) as HttpResponse;

function scripted(answers: Array<HttpResponse | Error>) {
	const calls: number[] = [];
	const send = async () => {
		calls.push(calls.length);
		const next = answers.shift();
		if (!next) throw new Error('no more scripted answers');
		if (next instanceof Error) throw next;
		return next;
	};
	return { send, calls };
}

describe('sendWithRetry', () => {
	it('waits out a 429 for exactly Retry-After seconds and then succeeds', async () => {
		const waits: number[] = [];
		const { send, calls } = scripted([status(429, { 'retry-after': '2' }), ok]);
		const result = await sendWithRetry(send, { retryServerErrors: false, wait: async (ms) => void waits.push(ms) });
		expect(result.statusCode).toBe(200);
		expect(result.attempts).toBe(2);
		expect(calls).toHaveLength(2);
		expect(waits).toEqual([2000]);
	});

	it("reads Telegram-style retry_after from the body when there is no header", async () => {
		const waits: number[] = [];
		const { send } = scripted([status(429, {}, { parameters: { retry_after: 3 } }), ok]);
		await sendWithRetry(send, {
			retryServerErrors: false,
			retryAfterFromBody: (body) => (body as { parameters?: { retry_after?: number } }).parameters?.retry_after,
			wait: async (ms) => void waits.push(ms),
		});
		expect(waits).toEqual([3000]);
	});

	it('does not resend a request that is not safe to repeat after a 503', async () => {
		const { send, calls } = scripted([status(503), ok]);
		const result = await sendWithRetry(send, { retryServerErrors: false, wait: async () => {} });
		expect(result.statusCode).toBe(503);
		expect(calls).toHaveLength(1);
	});

	it('retries 5xx with capped exponential backoff when the request is safe to repeat', async () => {
		const waits: number[] = [];
		const { send } = scripted([status(500), status(502), status(503), status(504), ok]);
		const result = await sendWithRetry(send, {
			retryServerErrors: true,
			maxAttempts: 5,
			baseDelayMs: 1000,
			maxDelayMs: 4000,
			wait: async (ms) => void waits.push(ms),
		});
		expect(result.statusCode).toBe(200);
		expect(waits).toHaveLength(4);
		// equal jitter: each wait is between half and all of min(cap, base * 2^n)
		[1000, 2000, 4000, 4000].forEach((expected, i) => {
			expect(waits[i]).toBeGreaterThanOrEqual(expected / 2);
			expect(waits[i]).toBeLessThanOrEqual(expected);
		});
	});

	it('gives up after maxAttempts and hands back the last answer', async () => {
		const { send, calls } = scripted([status(503), status(503), status(503)]);
		const result = await sendWithRetry(send, { retryServerErrors: true, maxAttempts: 3, wait: async () => {} });
		expect(result.statusCode).toBe(503);
		expect(result.attempts).toBe(3);
		expect(calls).toHaveLength(3);
	});

	it('returns the network failure instead of throwing, once retries are spent', async () => {
		const failure = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
		const { send, calls } = scripted([failure, failure]);
		const result = await sendWithRetry(send, { retryServerErrors: true, maxAttempts: 2, wait: async () => {} });
		expect(result.statusCode).toBe(0);
		expect(result.networkError).toBe(failure);
		expect(calls).toHaveLength(2);
	});

	it('does not wait when Retry-After is longer than allowed, and says how long was asked', async () => {
		const waits: number[] = [];
		const { send, calls } = scripted([status(429, { 'retry-after': '3600' })]);
		const result = await sendWithRetry(send, {
			retryServerErrors: true,
			maxRetryAfterMs: 60_000,
			wait: async (ms) => void waits.push(ms),
		});
		expect(result.retryAfterMs).toBe(3_600_000);
		expect(waits).toEqual([]);
		expect(calls).toHaveLength(1);
	});
});

describe('sendWithRetry: the total wait of one request is capped', () => {
	it('Retry-After: 120 answered four times waits once, then gives up naming the wait (not 8 minutes)', async () => {
		const waits: number[] = [];
		const limited = () => status(429, { 'retry-after': '120' });
		const { send, calls } = scripted([limited(), limited(), limited(), limited(), ok]);
		const result = await sendWithRetry(send, { retryServerErrors: false, wait: async (ms) => void waits.push(ms) });
		expect(waits).toEqual([120_000]);
		expect(calls).toHaveLength(2);
		expect(result.statusCode).toBe(429);
		expect(result.retryAfterMs).toBe(120_000);
		expect(result.waitLimit).toEqual({ kind: 'total', limitMs: 180_000, waitedMs: 120_000 });
		expect(rateLimitGiveUp(result)).toBe(
			'asked to wait 120 s more after this request had already waited 120 s; one request waits at most 180 s in all',
		);
	});

	it('counts backoffs of server errors in the same total', async () => {
		const waits: number[] = [];
		const { send, calls } = scripted([status(503), status(503), status(503), ok]);
		const result = await sendWithRetry(send, {
			retryServerErrors: true,
			baseDelayMs: 1000,
			maxDelayMs: 1000,
			maxTotalWaitMs: 1500,
			wait: async (ms) => void waits.push(ms),
		});
		expect(result.statusCode).toBe(503);
		// at most 1 s each: a second one fits 1.5 s only when the first was short (jitter)
		expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1500);
		expect(calls.length).toBeLessThan(4);
	});

	it('a single wait longer than allowed is named as such', async () => {
		const { send } = scripted([status(429, { 'retry-after': '3600' })]);
		const result = await sendWithRetry(send, { retryServerErrors: false, wait: async () => {} });
		expect(rateLimitGiveUp(result)).toBe('asked to wait 3600 s, longer than the 120 s the node waits at a time');
	});
});

describe('parseRetryAfter', () => {
	it('reads delta-seconds and HTTP dates', () => {
		expect(parseRetryAfter('0')).toBe(0);
		expect(parseRetryAfter('1.5')).toBe(1500);
		const now = Date.parse('2026-11-23T10:00:00Z');
		expect(parseRetryAfter('Mon, 23 Nov 2026 10:00:05 GMT', now)).toBe(5000);
		expect(parseRetryAfter(undefined)).toBeUndefined();
		expect(parseRetryAfter('soon')).toBeUndefined();
	});
});

describe('backoffDelay', () => {
	it('never exceeds the cap', () => {
		for (let attempt = 1; attempt < 20; attempt++) {
			expect(backoffDelay(attempt, 500, 8000)).toBeLessThanOrEqual(8000);
		}
	});
});
