/**
 * The Website channel's typing both ways and business hours (README "Typing and business hours"),
 * through n8n's webhook pipeline with the TeamSpirit emulator as the only storage:
 *
 * - a visitor typing (`POST typing`) shows the bot typing in the visitor's conversation chat;
 * - (an operator typing shows in the widget: test/nodes/conversations/website-typing.test.ts);
 * - outside the *Business Hours Queue*'s hours (published by Forward to TeamSpirit) the widget
 *   says offline, and still takes messages.
 */
import type { IDataObject } from 'n8n-workflow';

import { forgetQueueHours } from '../../../nodes/channels/website/hours';
import { forgetTypingChats } from '../../../nodes/channels/website/typing';
import { conversationKey, queueKey } from '../../../nodes/conversations/keys';
import { TeamSpiritEmulator, type Chat } from '../../emulators/teamspirit';
import { forgetProcessState, PAGE, startWebsite, type Website } from './website-setup';

let ts: TeamSpiritEmulator;
let site: Website | undefined;

beforeEach(async () => {
	forgetProcessState();
	forgetTypingChats();
	forgetQueueHours();
	ts = await TeamSpiritEmulator.start();
});
afterEach(async () => {
	await site?.close();
	site = undefined;
	await ts.stop();
});

const open = async (parameters: IDataObject = {}) => (site = await startWebsite(ts, parameters));
let counter = 0;
const clientId = () => `c0ffee00-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const typing = async (web: Website, token: string) =>
	await web.call('typing', {
		method: 'POST',
		headers: { 'content-type': 'text/plain;charset=UTF-8', origin: PAGE },
		body: JSON.stringify({ token }),
	});
const pollNow = async (web: Website, token: string) =>
	(await web.poll({ token })).response.json as { typing: boolean; offline: boolean };

/**
 * The visitor's conversation chat as Forward to TeamSpirit opens it (docs/conversations.md): the
 * key signed with the TeamSpirit credential's secret (here its API key), the operator a member.
 * The Website Chat credential here is the same bot, as the README's set-up recommends.
 */
function conversationChat(visitorId: string, operatorId: string): Chat {
	return ts.addChat({
		title: `Website visitor ${visitorId.slice(2, 6)} (Website)`,
		memberIds: [operatorId],
		externalKey: conversationKey('website', ts.bot.id, visitorId, ts.apiKey),
		metadata: {
			channel: 'website',
			account: ts.bot.id,
			conversationId: visitorId,
			customer: { id: visitorId, name: 'Anna' },
		},
	});
}

/** A queue's settings chat, as Forward to TeamSpirit publishes it (centre/queues.ts). */
function publishQueue(settings: { name: string; weeklyHours: string; holidays: string; timeZone?: string }): Chat {
	return ts.addChat({
		title: `Queue · ${settings.name}`,
		externalKey: queueKey(settings.name, ts.apiKey),
		metadata: {
			kind: 'queue',
			settings: { operators: [], routing: 'manual', timeZone: 'UTC', greeting: '', awayReply: '', ...settings },
		},
	});
}

/** Today and tomorrow (UTC) as holidays: closed now, whatever the clock says. */
function closedNow(): string {
	const day = 24 * 60 * 60 * 1000;
	return [Date.now(), Date.now() + day].map((ms) => new Date(ms).toISOString().slice(0, 10)).join(', ');
}

describe('Website typing: visitor → operators', () => {
	it('a visitor typing shows the bot typing in the visitor’s conversation chat; before it exists nothing is shown', async () => {
		const olga = ts.addUser({ name: 'Olga Operator', username: 'olga' });
		const web = await open();
		const { token, visitorId } = await web.session();

		const early = await typing(web, token);
		expect(early.response.status).toBe(204);
		expect([...ts.chats.values()].flatMap((chat) => ts.typingIn(chat.id))).toEqual([]);

		forgetTypingChats(); // (the "no conversation yet" of the first request is kept 10 s)
		const chat = conversationChat(visitorId, olga.id);
		// another visitor's chat with a key of the same shape is not this visitor's
		const other = conversationChat(`v_${'B'.repeat(22)}`, olga.id);
		const shown = await typing(web, token);
		expect([shown.response.status, shown.started]).toEqual([204, false]);
		expect(ts.typingIn(chat.id)).toEqual([{ userId: ts.bot.id, until: expect.any(String) }]);
		expect(ts.typingIn(other.id)).toEqual([]);
		expect(ts.messagesIn(chat.id)).toEqual([]);
	});

	it('the chat gone or the bot removed from it (403 / 404): still 204, nothing shown, the next typing looks again', async () => {
		const olga = ts.addUser({ name: 'Olga Operator', username: 'olga' });
		const web = await open();
		const { token, visitorId } = await web.session();
		const chat = conversationChat(visitorId, olga.id);
		expect((await typing(web, token)).response.status).toBe(204);
		const typingPosts = () => ts.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/typing'));
		expect(typingPosts().map((r) => r.status)).toEqual([204]);

		ts.chats.get(chat.id)!.memberIds = [olga.id]; // an admin removed the bot
		const refused = await typing(web, token);
		expect([refused.response.status, refused.started]).toEqual([204, false]);
		expect(typingPosts().map((r) => r.status)).toEqual([204, 403]);

		ts.chats.get(chat.id)!.memberIds = [ts.bot.id, olga.id];
		expect((await typing(web, token)).response.status).toBe(204);
		expect(typingPosts().map((r) => r.status)).toEqual([204, 403, 204]);
	});
});

describe('Website: business hours', () => {
	it('outside the Business Hours Queue’s hours the session and the long poll say offline, and a message is still taken', async () => {
		publishQueue({ name: 'Support', weeklyHours: 'Mon-Sun 00:00-24:00', holidays: closedNow() });
		const web = await open({ websiteHoursQueue: 'support' });
		const session = await web.session();
		expect((session.config as { offline: boolean }).offline).toBe(true);
		expect((await pollNow(web, session.token)).offline).toBe(true);
		const sent = await web.send({ token: session.token, clientId: clientId(), text: 'Are you there?' });
		expect(sent.response.status).toBe(200);
		expect(sent.started).toBe(true);
	});

	it('inside the hours it is open; the queue is read once a minute per process; no queue named: open without asking TeamSpirit', async () => {
		const queue = publishQueue({ name: 'Support', weeklyHours: 'Mon-Sun 00:00-24:00', holidays: '' });
		const web = await open({ websiteHoursQueue: 'Support' });
		const session = await web.session();
		expect((session.config as { offline: boolean }).offline).toBe(false);
		const queueReads = () => ts.requests.filter((r) => r.path === '/api/v1/chats' && r.query['metadata.kind'] === 'queue').length;
		expect(queueReads()).toBe(1);

		// closed from now on: this process sees it at its next read, a minute later
		(queue.metadata.settings as IDataObject).holidays = closedNow();
		expect((await pollNow(web, session.token)).offline).toBe(false);
		expect(queueReads()).toBe(1);
		forgetQueueHours(); // the minute is over
		expect((await pollNow(web, session.token)).offline).toBe(true);
		expect(queueReads()).toBe(2);

		await site!.close();
		forgetQueueHours();
		const always = await open();
		const open2 = await always.session();
		expect((open2.config as { offline: boolean }).offline).toBe(false);
		expect((await pollNow(always, open2.token)).offline).toBe(false);
		expect(queueReads()).toBe(2);
	});

	it('a queue that is not published (or that this bot cannot see) leaves the widget open', async () => {
		ts.addChat({
			title: 'Queue · Support',
			includeBot: false,
			externalKey: queueKey('Support', ts.apiKey),
			metadata: { kind: 'queue', settings: { name: 'Support', weeklyHours: '', holidays: closedNow(), timeZone: 'UTC' } },
		});
		const web = await open({ websiteHoursQueue: 'Support' });
		const session = await web.session();
		expect((session.config as { offline: boolean }).offline).toBe(false);
		expect(site!.hook('session').calls.flatMap((c) => c.logs).map((l) => l.message)).toContainEqual(
			expect.stringMatching(/Business Hours Queue "Support" not found/),
		);
	});
});
