/**
 * The order of one conversation's messages in one process (nodes/channels/sequence.ts) through an
 * outage longer than an announced message is kept: messages still waiting for their turn are not
 * forgotten, so they cannot overtake each other when the first one finally gets through (seen in
 * the real-n8n guarantees suite: a 2-minute TeamSpirit outage, WhatsApp messages 1, 3, 2, 4, 5).
 * The monotonic clock is moved forward by faking `performance.now`.
 */
import {
	announce,
	forgetAnnounced,
	markActive,
	predecessorsOf,
	touch,
} from '../../nodes/channels/sequence';

const message = (n: number) => ({
	channel: 'whatsapp',
	account: '+14155238886',
	conversationId: 'whatsapp:+4915112340001',
	messageId: `SM${n}`,
	timestamp: new Date(Date.UTC(2026, 11, 5, 12, 0, n)).toISOString(),
	eventId: `whatsapp:+14155238886:SM${n}`,
	event: 'message',
});

let offset = 0;
beforeEach(() => {
	offset = 0;
	const real = performance.now.bind(performance);
	jest.spyOn(performance, 'now').mockImplementation(() => real() + offset);
	forgetAnnounced();
});
afterEach(() => jest.restoreAllMocks());

describe('messages waiting through a long outage keep their order', () => {
	it('a message still waiting for its turn after 3 minutes is still a predecessor of the later ones', () => {
		const [first, second, third] = [message(1), message(2), message(3)];
		for (const m of [first, second, third]) announce(m);
		// the first is being forwarded (waiting for TeamSpirit); the second and third wait behind it
		markActive(first);
		for (let minute = 1; minute <= 3; minute++) {
			offset = minute * 60_000;
			touch(second);
			touch(third);
		}
		expect(predecessorsOf(second)?.count).toBe(1); // the first, still being worked on
		expect(predecessorsOf(third)?.count).toBe(2); // the first and the second
	});

	it('a message nobody handles (its execution was lost) still expires, so its successors go on', () => {
		const [lost, next] = [message(1), message(2)];
		announce(lost);
		announce(next);
		offset = 3 * 60_000;
		touch(next);
		expect(predecessorsOf(next)).toBeUndefined();
	});
});

describe('messages of the same second (timestamps in whole seconds: WhatsApp Cloud API)', () => {
	const sameSecond = (n: number) => ({ ...message(n), timestamp: new Date(Date.UTC(2026, 11, 5, 12, 0, 7)).toISOString() });

	it('keep the order they were announced in: each waits for the ones announced before it, none for later ones', () => {
		const [first, second, third] = [sameSecond(1), sameSecond(2), sameSecond(3)];
		for (const m of [first, second, third]) announce(m);
		expect(predecessorsOf(first)).toBeUndefined();
		expect(predecessorsOf(second)?.count).toBe(1);
		expect(predecessorsOf(third)?.count).toBe(2);
	});

	it('a message not announced here waits only for strictly earlier ones, as before', () => {
		announce(sameSecond(1));
		expect(predecessorsOf(sameSecond(2))).toBeUndefined();
		expect(predecessorsOf({ ...message(9) })?.count).toBe(1);
	});
});
