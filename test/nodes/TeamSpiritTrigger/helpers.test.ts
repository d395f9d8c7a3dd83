/** The trigger's pure parts: the contract's signature example, the filters, the output, the dedupe store. */
import { RecentIds } from '../../../nodes/shared/dedupe';
import { checkDelivery } from '../../../nodes/TeamSpiritTrigger/helpers/delivery';
import { whyIgnored } from '../../../nodes/TeamSpiritTrigger/helpers/filters';
import { mentions } from '../../../nodes/shared/teamspirit/utils';
import { toOutputJson } from '../../../nodes/TeamSpiritTrigger/helpers/output';

describe('checkDelivery', () => {
	// docs/teamspirit-api.md, "Verifying a delivery": the worked example
	const body = Buffer.from(
		'{"id":"evt_9a8b7c6d5e4f","event":"user.status_changed","createdAt":"2025-03-14T09:26:53.589Z","data":{"userId":"u_19b2c3d4e5f6","status":"away","text":null,"until":null}}',
	);
	const headers = {
		'x-teamspirit-delivery': 'dlv_1',
		'x-teamspirit-timestamp': '1741944414',
		'x-teamspirit-signature': 'sha256=04ee2c407e3fd0c28cf19e9599d9935a0392f5405f55d6e7dcbff0586151a018',
	};
	const at = (seconds: number) => seconds * 1000;

	it('accepts the contract’s example delivery', () => {
		expect(body.length).toBe(170);
		expect(checkDelivery({ rawBody: body, headers, secrets: ['whsec_example'], nowMs: at(1741944414 + 10) })).toEqual({
			ok: true,
			delivery: {
				event: 'user.status_changed',
				eventId: 'evt_9a8b7c6d5e4f',
				deliveryId: 'dlv_1',
				createdAt: '2025-03-14T09:26:53.589Z',
				chatId: undefined,
				data: { userId: 'u_19b2c3d4e5f6', status: 'away', text: null, until: null },
			},
		});
	});

	it('accepts it with any of the node’s secrets, and refuses it with none', () => {
		const check = (secrets: string[]) => checkDelivery({ rawBody: body, headers, secrets, nowMs: at(1741944414) }).ok;
		expect(check(['whsec_other', 'whsec_example'])).toBe(true);
		expect(check(['whsec_other'])).toBe(false);
		expect(check([])).toBe(false);
		expect(check([''])).toBe(false);
	});

	it('refuses it 301 s later as a replay, and names the age', () => {
		expect(checkDelivery({ rawBody: body, headers, secrets: ['whsec_example'], nowMs: at(1741944414 + 301) })).toEqual({
			ok: false,
			status: 401,
			message: 'X-TeamSpirit-Timestamp is 301 s old, more than 300 s: a replayed delivery',
		});
	});

	it('without verification reads the body and ignores missing signature headers', () => {
		const result = checkDelivery({ rawBody: body, headers: {}, secrets: null });
		expect(result).toMatchObject({ ok: true, delivery: { eventId: 'evt_9a8b7c6d5e4f', deliveryId: undefined } });
	});

	it('reads the chat of message and chat events, and skips a UTF-8 byte order mark', () => {
		const raw = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":"evt_1","event":"message.created","data":{"chatId":"c_1"}}')]);
		expect(checkDelivery({ rawBody: raw, headers: {}, secrets: null })).toMatchObject({ ok: true, delivery: { chatId: 'c_1' } });
	});

	it('needs an id to recognise repeats: a delivery header or the body’s id', () => {
		const raw = Buffer.from('{"event":"message.created","data":{}}');
		expect(checkDelivery({ rawBody: raw, headers: {}, secrets: null })).toMatchObject({ ok: false, status: 400 });
		expect(checkDelivery({ rawBody: raw, headers: { 'x-teamspirit-delivery': 'dlv_2' }, secrets: null }).ok).toBe(true);
	});
});

describe('mentions', () => {
	it.each([
		['@n8n-bot hi', true],
		['hi @n8n-bot', true],
		['(@n8n-bot)', true],
		['ask @N8N-Bot.', true],
		['@n8n-bot: deploy', true],
		['@n8n-botanist', false],
		['@n8n-bot.corp', false],
		['me@n8n-bot', false],
		['n8n-bot', false],
		['', false],
	])('%j mentions n8n-bot: %s', (text, expected) => {
		expect(mentions(text, 'n8n-bot')).toBe(expected);
	});

	it('treats usernames as text, not as patterns', () => {
		expect(mentions('@a.b', 'a.b')).toBe(true);
		expect(mentions('@axb', 'a.b')).toBe(false);
		expect(mentions(undefined, 'a')).toBe(false);
	});
});

describe('whyIgnored', () => {
	const settings = { events: ['message.created', 'user.status_changed'], chatIds: ['c_1'], ignoreOwnMessages: true, onlyMentions: false };
	const delivery = (event: string, data: object, chatId?: string) => ({ event, eventId: 'evt', deliveryId: 'dlv', createdAt: undefined, chatId, data: data as never });
	const bot = { id: 'u_bot', username: 'n8n-bot' };

	it('lets status changes through a chat filter: they belong to no chat', () => {
		expect(whyIgnored(delivery('user.status_changed', { userId: 'u_1' }), settings, bot)).toBeUndefined();
	});

	it('names why a delivery starts nothing', () => {
		expect(whyIgnored(delivery('message.deleted', {}, 'c_1'), settings, bot)).toBe('event message.deleted is not selected');
		expect(whyIgnored(delivery('message.created', {}, 'c_2'), settings, bot)).toBe('chat c_2 is not selected');
		expect(whyIgnored(delivery('message.created', { senderId: 'u_bot' }, 'c_1'), settings, bot)).toBe('the message is from the bot itself');
		expect(whyIgnored(delivery('message.created', { senderId: 'u_1', text: 'x' }, 'c_1'), { ...settings, onlyMentions: true }, bot)).toBe(
			'the message does not mention the bot',
		);
		expect(whyIgnored(delivery('message.created', { senderId: 'u_1', text: 'x' }, 'c_1'), settings, bot)).toBeUndefined();
	});
});

describe('toOutputJson', () => {
	it('keeps unknown events whole under data', () => {
		const json = toOutputJson({ event: 'poll.closed', eventId: 'evt_1', deliveryId: undefined, createdAt: undefined, chatId: undefined, data: { a: 1 } });
		expect(json).toEqual({ event: 'poll.closed', eventId: 'evt_1', deliveryId: null, createdAt: null, chatId: null, data: { a: 1 } });
	});
});

describe('RecentIds', () => {
	it('claims a delivery once by any of its keys, and forgets released ones', () => {
		const ids = new RecentIds(10, 1000);
		expect(ids.claim(['d:1', 'e:1'])).toBe(true);
		expect(ids.claim(['d:2', 'e:1'])).toBe(false);
		expect(ids.claim(['d:1'])).toBe(false);
		ids.release(['d:1', 'e:1']);
		expect(ids.claim(['d:1', 'e:1'])).toBe(true);
	});

	it('forgets after the time to live, and the oldest beyond its capacity', () => {
		let now = 0;
		const ids = new RecentIds(3, 1000, () => now);
		ids.claim(['a']);
		now = 999;
		expect(ids.claim(['a'])).toBe(false);
		now = 1000;
		expect(ids.claim(['a'])).toBe(true);
		ids.claim(['b']);
		ids.claim(['c']);
		ids.claim(['d']);
		expect(ids.size).toBe(3);
		expect(ids.has('a')).toBe(false);
		expect(ids.has('d')).toBe(true);
	});
});
