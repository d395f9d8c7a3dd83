/**
 * nodes/conversations/order.ts: `inOrder` runs one key's steps one at a time in arrival order and
 * other keys side by side; `untilAvailable` repeats a step only while the server did not take it
 * (or, for a repeatable step, while the answer was lost), within the patience, and stops at once
 * when the execution is cancelled. Waits run on fake timers: nothing here depends on speed.
 */
import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { inOrder, untilAvailable, type Patience } from '../../nodes/conversations/order';

const node = {
	id: 'n1',
	name: 'Send to Customer',
	type: 'x',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
} as INode;

function context(signal?: AbortSignal): IExecuteFunctions {
	return {
		getNode: () => node,
		getExecutionCancelSignal: () => signal,
	} as unknown as IExecuteFunctions;
}

/** Errors as the transports make them (nodes/shared/outcome.ts reads them). */
const answered = (status: number) =>
	Object.assign(new Error(`HTTP ${status}`), { httpCode: String(status), context: {} });
const network = (code: string) =>
	Object.assign(new Error('no answer'), { context: { network: true, networkCode: code } });

/** A step that fails with `errors` in turn, then succeeds; counts its calls. */
function flaky(errors: Error[]) {
	const step = jest.fn(async () => {
		const error = errors[step.mock.calls.length - 1];
		if (error) throw error;
		return 'done';
	});
	return step;
}

/** A promise resolved from outside. */
function gate() {
	let open: () => void = () => undefined;
	const promise = new Promise<void>((resolve) => (open = resolve));
	return { promise, open };
}

describe('inOrder', () => {
	it('runs the steps of one key one at a time, in the order they came, even when an earlier one fails', async () => {
		const log: string[] = [];
		const first = gate();
		const a = inOrder('k', async () => {
			log.push('a start');
			await first.promise;
			log.push('a end');
			throw new Error('a failed');
		});
		const b = inOrder('k', async () => {
			log.push('b');
			return 'b';
		});
		const c = inOrder('k', async () => {
			log.push('c');
			return 'c';
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect(log).toEqual(['a start']);
		first.open();
		await expect(a).rejects.toThrow('a failed');
		await expect(b).resolves.toBe('b');
		await expect(c).resolves.toBe('c');
		expect(log).toEqual(['a start', 'a end', 'b', 'c']);
	});

	it('runs other keys side by side: a held-up key does not hold them', async () => {
		const held = gate();
		const log: string[] = [];
		const slow = inOrder('anna', async () => {
			await held.promise;
			log.push('anna');
		});
		await inOrder('boris', async () => log.push('boris'));
		expect(log).toEqual(['boris']);
		held.open();
		await slow;
		expect(log).toEqual(['boris', 'anna']);
	});
});

describe('untilAvailable', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	const patience = (over: Partial<Patience> = {}): Patience => ({
		ms: 60_000,
		repeatable: false,
		...over,
	});

	/** Runs `promise` to its end while advancing the fake clock. */
	async function settle<T>(promise: Promise<T>): Promise<{ value?: T; error?: unknown }> {
		let result: { value?: T; error?: unknown } | undefined;
		promise.then(
			(value) => (result = { value }),
			(error: unknown) => (result = { error }),
		);
		for (let i = 0; i < 1000 && !result; i++) await jest.advanceTimersByTimeAsync(500);
		if (!result) throw new Error('the step never ended');
		return result;
	}

	it('repeats while the server did not take the request (503, 429, connection refused), then returns', async () => {
		const step = flaky([answered(503), answered(429), network('ECONNREFUSED'), answered(503)]);
		const onWait = jest.fn();
		const { value } = await settle(untilAvailable(context(), patience({ onWait }), step));
		expect(value).toBe('done');
		expect(step).toHaveBeenCalledTimes(5);
		// 1 s doubling, capped at 15 s
		expect(onWait.mock.calls.map(([, ms]) => ms)).toEqual([1000, 2000, 4000, 8000]);
	});

	it('repeats another 5xx (the server may have done the work) only when the step is repeatable', async () => {
		for (const status of [500, 502, 504]) {
			const once = flaky([answered(status)]);
			const { error } = await settle(untilAvailable(context(), patience(), once));
			expect(error).toBeDefined();
			expect(once).toHaveBeenCalledTimes(1);
			const keyed = flaky([answered(status)]);
			const { value } = await settle(untilAvailable(context(), patience({ repeatable: true }), keyed));
			expect(value).toBe('done');
			expect(keyed).toHaveBeenCalledTimes(2);
		}
	});

	it('never repeats a refusal (4xx)', async () => {
		const step = flaky([answered(400)]);
		const { error } = await settle(untilAvailable(context(), patience({ repeatable: true }), step));
		expect(error).toMatchObject({ message: 'HTTP 400' });
		expect(step).toHaveBeenCalledTimes(1);
	});

	it('repeats a lost answer (timeout, reset) only when the step is repeatable', async () => {
		const lost = flaky([network('ECONNRESET')]);
		const once = await settle(untilAvailable(context(), patience({ repeatable: false }), lost));
		expect(once.error).toMatchObject({ message: 'no answer' });
		expect(lost).toHaveBeenCalledTimes(1);

		const keyed = flaky([network('ECONNRESET'), network('ETIMEDOUT')]);
		const again = await settle(untilAvailable(context(), patience({ repeatable: true }), keyed));
		expect(again.value).toBe('done');
		expect(keyed).toHaveBeenCalledTimes(3);
	});

	it('stops at the deadline with the last error', async () => {
		const step = jest.fn(async () => {
			throw answered(503);
		});
		// attempts at 0, 1 s, 3 s, 7 s; the next wait (8 s) would pass 10 s
		const { error } = await settle(untilAvailable(context(), patience({ ms: 10_000 }), step));
		expect(error).toMatchObject({ message: 'HTTP 503' });
		expect(step).toHaveBeenCalledTimes(4);

		const single = jest.fn(async () => {
			throw answered(503);
		});
		await settle(untilAvailable(context(), patience({ ms: 0 }), single));
		expect(single).toHaveBeenCalledTimes(1);
	});

	it('stops at once when the execution is cancelled during a wait, and does not start when already cancelled', async () => {
		const controller = new AbortController();
		const step = jest.fn(async () => {
			throw answered(503);
		});
		const running = untilAvailable(context(controller.signal), patience(), step);
		const ended = settle(running);
		await jest.advanceTimersByTimeAsync(1500); // attempt 1, wait 1 s, attempt 2, waiting 2 s
		expect(step).toHaveBeenCalledTimes(2);
		controller.abort();
		const { error } = await ended;
		expect(error).toMatchObject({ message: 'HTTP 503' });
		expect(step).toHaveBeenCalledTimes(2);

		const cancelled = new AbortController();
		cancelled.abort();
		const late = jest.fn(async () => {
			throw answered(503);
		});
		await settle(untilAvailable(context(cancelled.signal), patience(), late));
		expect(late).toHaveBeenCalledTimes(1);
	});
});
