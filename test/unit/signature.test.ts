// the module object itself (not an ES namespace copy), so that a spy sees the node's calls
import crypto = require('crypto');

import {
	checkTimestamp,
	headerValue,
	hmacDigest,
	safeEqual,
	verifyHmacSignature,
} from '../../nodes/shared/signature';

describe('safeEqual', () => {
	it('is true only for identical strings or bytes', () => {
		expect(safeEqual('whsec_abc', 'whsec_abc')).toBe(true);
		expect(safeEqual(Buffer.from('whsec_abc'), 'whsec_abc')).toBe(true);
		expect(safeEqual('whsec_abc', 'whsec_abd')).toBe(false);
		expect(safeEqual('whsec_abc', 'whsec_ab')).toBe(false);
		expect(safeEqual('', 'x')).toBe(false);
	});

	it('never matches a missing, empty or non-string value, not even itself', () => {
		expect(safeEqual(undefined, '')).toBe(false);
		expect(safeEqual('', '')).toBe(false);
		expect(safeEqual('', null)).toBe(false);
		expect(safeEqual(undefined, undefined)).toBe(false);
		expect(safeEqual(['secret'], 'secret')).toBe(false);
		expect(safeEqual(Buffer.alloc(0), Buffer.alloc(0))).toBe(false);
	});

	it('compares with crypto.timingSafeEqual over fixed-size digests, also when the lengths differ', () => {
		const spy = jest.spyOn(crypto, 'timingSafeEqual');
		try {
			safeEqual('short', 'a much longer value than the other one');
			safeEqual('same length!', 'same-length?');
			expect(spy).toHaveBeenCalledTimes(2);
			for (const [a, b] of spy.mock.calls) {
				expect((a as Buffer).length).toBe(32);
				expect((b as Buffer).length).toBe(32);
			}
		} finally {
			spy.mockRestore();
		}
	});
});

describe('hmacDigest', () => {
	it('matches RFC 4231 test case 2 (HMAC-SHA256)', () => {
		expect(hmacDigest('sha256', 'Jefe', ['what do ya want ', 'for nothing?'])).toBe(
			'5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
		);
	});

	it('signs bytes, not characters: UTF-8 text and its bytes give the same digest', () => {
		const text = '{"text":"Grüße 👋"}';
		expect(hmacDigest('sha256', 'k', [text])).toBe(hmacDigest('sha256', 'k', [Buffer.from(text, 'utf8')]));
	});

	it('gives base64 digests for schemes that use them (Twilio: HMAC-SHA1, base64)', () => {
		expect(hmacDigest('sha1', 'key', ['The quick brown fox jumps over the lazy dog'], 'base64')).toBe(
			'3nybhbi3iqa8ino29wqQcBydtNk=',
		);
	});
});

describe('verifyHmacSignature', () => {
	const secret = 'whsec_0123456789abcdef';
	const body = Buffer.from('{"id":"evt_1","event":"message.created","data":{"text":"naïve"}}', 'utf8');
	const sign = (parts: Array<string | Buffer>) => `sha256=${hmacDigest('sha256', secret, parts)}`;
	const check = (signature: string | undefined, parts: Array<string | Buffer> = ['1700000000', '.', body]) =>
		verifyHmacSignature({ algorithm: 'sha256', secret, parts, signature, prefix: 'sha256=' });

	it('accepts the signature over the exact raw bytes', () => {
		expect(check(sign(['1700000000', '.', body]))).toBe(true);
	});

	it('accepts an upper-case scheme and upper-case hex, and surrounding spaces', () => {
		const sig = sign(['1700000000', '.', body]);
		expect(check(` SHA256=${sig.slice(7).toUpperCase()} `)).toBe(true);
	});

	it('rejects a signature over re-serialised JSON instead of the bytes received', () => {
		const reserialised = JSON.stringify(JSON.parse(body.toString('utf8')), null, 1);
		expect(check(sign(['1700000000', '.', reserialised]))).toBe(false);
	});

	it('rejects another timestamp, another secret, a missing prefix, a truncated digest, and no header', () => {
		expect(check(sign(['1700000001', '.', body]))).toBe(false);
		expect(check(`sha256=${hmacDigest('sha256', 'whsec_other', ['1700000000', '.', body])}`)).toBe(false);
		expect(check(sign(['1700000000', '.', body]).slice(7))).toBe(false);
		expect(check(sign(['1700000000', '.', body]).slice(0, -2))).toBe(false);
		expect(check(undefined)).toBe(false);
		expect(check('')).toBe(false);
	});

	it('never verifies with an empty secret, even a signature made with it', () => {
		const parts = ['x'];
		const signature = `sha256=${hmacDigest('sha256', '', parts)}`;
		expect(verifyHmacSignature({ algorithm: 'sha256', secret: '', parts, signature, prefix: 'sha256=' })).toBe(false);
	});

	it('keeps base64 digests case-sensitive', () => {
		const parts = ['https://example.com/hook', 'Body', 'x'];
		const signature = hmacDigest('sha1', 'token', parts, 'base64');
		const ok = (sig: string) => verifyHmacSignature({ algorithm: 'sha1', secret: 'token', parts, signature: sig, encoding: 'base64' });
		expect(ok(signature)).toBe(true);
		expect(ok(signature.toLowerCase())).toBe(signature === signature.toLowerCase());
	});
});

describe('checkTimestamp', () => {
	const now = 1_700_000_000_000;

	it('accepts timestamps within the window, in both directions', () => {
		expect(checkTimestamp('1700000000', 300, now)).toEqual({ ok: true, ageSeconds: 0 });
		expect(checkTimestamp('1699999700', 300, now)).toEqual({ ok: true, ageSeconds: 300 });
		expect(checkTimestamp('1700000300', 300, now)).toEqual({ ok: true, ageSeconds: -300 });
	});

	it('calls a timestamp older than the window a replay, and one far ahead a clock problem', () => {
		expect(checkTimestamp('1699999699', 300, now)).toEqual({ ok: false, reason: 'too-old', ageSeconds: 301 });
		expect(checkTimestamp('1700000301', 300, now)).toEqual({ ok: false, reason: 'in-the-future', ageSeconds: -301 });
	});

	it('rejects missing and non-numeric values (no milliseconds, no dates, no signs)', () => {
		expect(checkTimestamp(undefined, 300, now)).toEqual({ ok: false, reason: 'missing' });
		expect(checkTimestamp(' ', 300, now)).toEqual({ ok: false, reason: 'missing' });
		for (const bad of ['-1', '1.7e9', '2025-03-14T09:26:53Z', '17000000000000', 'abc']) {
			expect(checkTimestamp(bad, 300, now)).toEqual({ ok: false, reason: 'invalid' });
		}
	});
});

describe('headerValue', () => {
	it('reads lower-case header names and the first of repeated headers', () => {
		const headers = { 'x-teamspirit-event': 'message.created', 'x-dup': ['a', 'b'] };
		expect(headerValue(headers, 'X-TeamSpirit-Event')).toBe('message.created');
		expect(headerValue(headers, 'x-dup')).toBe('a');
		expect(headerValue(headers, 'x-missing')).toBeUndefined();
	});
});
