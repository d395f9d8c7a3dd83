/**
 * What the channel triggers tell the customer-conversation bridge (docs/conversations.md): the
 * account every item carries, Messenger customers' names (User Profile API, cached), Messenger
 * edits, and the reply and formatting fields of Telegram and WhatsApp; through the real engine
 * against the emulators.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { adapters } from '../../../nodes/channels';
import type { ChannelMessage } from '../../../nodes/channels/types';
import { seenEvents } from '../../../nodes/channels/memory';
import { senderNames } from '../../../nodes/channels/messenger/profiles';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { GraphEmulator } from '../../emulators/graph';
import { TelegramEmulator } from '../../emulators/telegram';
import { TwilioEmulator } from '../../emulators/twilio';
import {
	startWebhookTrigger,
	type RunningTrigger,
	type WebhookTrigger,
	type WorkflowJson,
} from '../../harness';
import { startPolling, TRIGGER_TYPE } from './setup';

const hooks: WebhookTrigger[] = [];
const running: RunningTrigger[] = [];

beforeEach(() => {
	seenEvents.clear();
	senderNames.clear();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	for (const trigger of running.splice(0)) await trigger.close();
});

const workflow = (channel: string, credentials: IDataObject, parameters: IDataObject) =>
	({
		id: `wf-fields-${channel}`,
		name: `${channel} conversation fields`,
		nodes: [
			{
				id: 'n1',
				name: 'Chat Channel Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				webhookId: '0b9f3c55-1d2e-4c3b-9a8f-5e6d7c8b9a01',
				parameters: { channel, ...parameters },
				credentials,
			},
		],
		connections: {},
	}) as unknown as WorkflowJson;

/**
 * What the bridge makes of an item (its channel's conversation rules), from the item with `raw`
 * emptied: the normalised fields must be enough (nothing outside an adapter reads `raw`).
 */
function bridged(json: IDataObject) {
	const message = { ...json, raw: {} } as unknown as ChannelMessage;
	const rules = adapters[message.channel].conversation;
	return { markdown: rules.toMarkdown(message), notes: rules.describe(message) };
}

const MAP = 'https://www.openstreetmap.org/?mlat=52.52&mlon=13.405#map=17/52.52/13.405';

const started = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started);
const itemsOf = (hook: WebhookTrigger): INodeExecutionData[] =>
	started(hook).flatMap((c) => c.workflowData![0]);

// ---------------------------------------------------------------------------
// Facebook Messenger
// ---------------------------------------------------------------------------

describe('Chat Channel Trigger (Messenger): what the bridge needs', () => {
	let fb: GraphEmulator;
	beforeEach(async () => {
		fb = await GraphEmulator.start();
	});
	afterEach(async () => {
		for (const hook of hooks.splice(0)) await hook.close();
		await fb.stop();
	});

	async function start(parameters: IDataObject = {}) {
		const hook = await startWebhookTrigger({
			workflow: workflow(
				'messenger',
				{ teamSpiritMessengerApi: { id: '3', name: 'Page' } },
				parameters,
			),
			nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
			credentialTypes: [new TeamSpiritMessengerApi()],
			credentials: {
				teamSpiritMessengerApi: fb.credentialData(),
			},
			listen: true,
		});
		hooks.push(hook);
		await hook.activate();
		return hook;
	}

	it('puts the page id as account on messages, postbacks, echoes and receipts', async () => {
		const hook = await start({
			messengerEvents: ['message', 'postback', 'delivery', 'read'],
			messengerOptions: { includeEchoes: true },
		});
		const ada = fb.addUser({ first_name: 'Ada', last_name: 'Lovelace' });
		await fb.deliver(hook.url, [
			fb.messageEvent(ada.id, { text: 'hi' }),
			fb.postbackEvent(ada.id, { title: 'Help', payload: 'HELP' }),
			fb.echoEvent(ada.id, { text: 'our answer' }),
			fb.deliveryEvent(ada.id, { mids: ['m_1'] }),
			fb.readEvent(ada.id),
		]);
		await hook.settled();
		const items = itemsOf(hook).map((i) => i.json);
		expect(items.map((i) => [i.event, i.account, i.conversationId])).toEqual([
			['message', fb.pageId, ada.id],
			['callback', fb.pageId, ada.id],
			['message', fb.pageId, ada.id],
			['status', fb.pageId, ada.id],
			['status', fb.pageId, ada.id],
		]);
	});

	it('the account is the page the event names, not the credential’s (an app serving several pages)', async () => {
		const hook = await start();
		const other = '105000000000999';
		const event = fb.messageEvent('7000000000000005', { text: 'to the other page' });
		event.recipient = { id: other };
		await fb.deliver(hook.url, [{ id: other, time: Date.now(), messaging: [event] }]);
		await hook.settled();
		expect(itemsOf(hook)[0].json).toMatchObject({
			account: other,
			eventId: expect.stringMatching(new RegExp(`^messenger:${other}:`)),
		});
	});

	it('looks up the customer’s name once (User Profile API, Page token) and keeps it for later events', async () => {
		const hook = await start();
		const ada = fb.addUser({ first_name: 'Ada', last_name: 'Lovelace' });
		const grace = fb.addUser({ first_name: 'Grace', last_name: 'Hopper', name: 'Grace B. Hopper' });
		await fb.deliver(hook.url, [
			fb.messageEvent(ada.id, { text: 'one' }),
			fb.messageEvent(grace.id, { text: 'two' }),
			fb.messageEvent(ada.id, { text: 'three' }),
		]);
		await fb.deliver(hook.url, [fb.messageEvent(ada.id, { text: 'four' })]);
		await hook.settled();
		expect(itemsOf(hook).map((i) => [i.json.text, (i.json.sender as IDataObject).name])).toEqual([
			['one', 'Ada Lovelace'],
			['two', 'Grace B. Hopper'],
			['three', 'Ada Lovelace'],
			['four', 'Ada Lovelace'],
		]);
		expect([fb.profileLookups(ada.id).length, fb.profileLookups(grace.id).length]).toEqual([1, 1]);
		const [lookup] = fb.profileLookups(ada.id);
		expect(lookup.query.fields).toBe('first_name,last_name,name');
		expect([lookup.token, lookup.proof]).toEqual(['valid', 'valid']);
		// the page's own echoes are not looked up
		expect(fb.profileLookups(fb.pageId)).toEqual([]);
	});

	it('"Look Up Sender Names" off: no lookup, the name stays empty', async () => {
		const hook = await start({ messengerOptions: { lookUpNames: false } });
		const ada = fb.addUser({ first_name: 'Ada', last_name: 'Lovelace' });
		await fb.deliver(hook.url, [fb.messageEvent(ada.id, { text: 'hi' })]);
		await hook.settled();
		expect(itemsOf(hook)[0].json.sender).toEqual({ id: ada.id, name: '', isBot: false });
		expect(fb.profileLookups()).toEqual([]);
	});

	it('a refused or failed lookup costs nothing but the name: the event arrives, no error, a debug line without secrets', async () => {
		const hook = await start();
		const hidden = fb.addUser({ first_name: 'Hidden' });
		const broken = fb.addUser({ first_name: 'Broken' });
		const limited = fb.addUser({ first_name: 'Limited' });
		fb.hideProfile(hidden.id); // 400, #100/33: the page may not read the profile
		fb.hideProfile(broken.id, { status: 500 });
		fb.hideProfile(limited.id, {
			error: {
				code: 613,
				message: '(#613) Calls to this api have exceeded the rate limit.',
				isTransient: true,
			},
		});
		const stranger = '7000000000000077'; // first seen in this event: no profile at all
		const result = await fb.deliver(hook.url, [
			fb.messageEvent(hidden.id, { text: 'a' }),
			fb.messageEvent(broken.id, { text: 'b' }),
			fb.messageEvent(limited.id, { text: 'c' }),
			fb.messageEvent(stranger, { text: 'd' }),
		]);
		await hook.settled();
		expect(result.status).toBe(200);
		const [call] = started(hook);
		expect(call.error).toBeUndefined();
		const items = call.workflowData![0].map((i) => i.json);
		expect(items.map((i) => [i.text, (i.sender as IDataObject).name])).toEqual([
			['a', ''],
			['b', ''],
			['c', ''],
			['d', ''],
		]);
		for (const item of items) {
			expect(item.event).toBe('message');
			expect(item.notice).toBeUndefined();
			expect(item.error).toBeUndefined();
		}
		// one attempt each: no retry of a 5xx or a rate limit for a name
		expect(
			[hidden.id, broken.id, limited.id, stranger].map((id) => fb.profileLookups(id).length),
		).toEqual([1, 1, 1, 1]);
		const debug = call.logs.filter(
			(l) => l.level === 'debug' && /no name for sender/.test(l.message),
		);
		expect(debug).toHaveLength(4);
		const logged = call.logs.map((l) => `${l.message} ${JSON.stringify(l.meta ?? {})}`).join('\n');
		expect(logged).not.toContain(fb.pageAccessToken);
		expect(logged).not.toContain(fb.proof);
		expect(call.logs.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);

		// a failure is remembered for a while: the next message does not ask again
		await fb.deliver(hook.url, [fb.messageEvent(hidden.id, { text: 'e' })]);
		await hook.settled();
		expect(fb.profileLookups(hidden.id)).toHaveLength(1);
		expect(itemsOf(hook).map((i) => i.json.text)).toEqual(['a', 'b', 'c', 'd', 'e']);
	});

	it('a lookup that gets no answer is given up: the event still starts its workflow, without a name', async () => {
		const hook = await start();
		const silent = fb.addUser({ first_name: 'Silent' });
		fb.hideProfile(silent.id, 'hang');
		const known = fb.addUser({ first_name: 'Known', last_name: 'Person' });
		await fb.deliver(hook.url, [
			fb.messageEvent(silent.id, { text: 'anyone?' }),
			fb.messageEvent(known.id, { text: 'hello' }),
		]);
		await hook.settled();
		const [call] = started(hook);
		expect(call.error).toBeUndefined();
		expect(
			call.workflowData![0].map((i) => [i.json.text, (i.json.sender as IDataObject).name]),
		).toEqual([
			['anyone?', ''],
			['hello', 'Known Person'],
		]);
		expect(fb.profileLookups(silent.id)).toHaveLength(1);
	});

	it('message_edits become edited_message items: the mid, the new text, one event per edit', async () => {
		const hook = await start({ messengerEvents: ['message', 'edit'] });
		const ada = fb.addUser({ first_name: 'Ada', last_name: 'Lovelace' });
		const original = fb.messageEvent(ada.id, { text: 'Helo' });
		const mid = (original.message as IDataObject).mid as string;
		const first = fb.editEvent(ada.id, { mid, text: 'Hello', numEdit: 1 });
		const second = fb.editEvent(ada.id, { mid, text: 'Hello!', numEdit: 2 });
		await fb.deliver(hook.url, [original, first]);
		await fb.deliver(hook.url, [second]);
		await fb.deliver(hook.url, [first]); // Meta delivers again: starts nothing
		await hook.settled();
		const items = itemsOf(hook).map((i) => i.json);
		expect(items.map((i) => [i.event, i.messageId, i.text])).toEqual([
			['message', mid, 'Helo'],
			['edited_message', mid, 'Hello'],
			['edited_message', mid, 'Hello!'],
		]);
		expect(items[1]).toMatchObject({
			channel: 'messenger',
			account: fb.pageId,
			conversationId: ada.id,
			sender: { id: ada.id, name: 'Ada Lovelace', isBot: false },
			attachments: [],
			timestamp: new Date(first.timestamp!).toISOString(),
			raw: first,
		});
		expect(new Set(items.map((i) => i.eventId)).size).toBe(3);
		expect(items[2].eventId).toBe(`messenger:${fb.pageId}:${mid}:edit:2`);
	});

	it('edits start nothing unless "Edited Message" is selected; "Subscribe Page" subscribes message_edits', async () => {
		const hook = await start({ messengerOptions: { subscribePage: true } });
		expect(fb.subscribedFields).toEqual(expect.arrayContaining(['messages', 'message_edits']));
		const ada = fb.addUser();
		await fb.deliver(hook.url, [fb.editEvent(ada.id, { mid: 'm_x', text: 'changed' })]);
		await hook.settled();
		expect(started(hook)).toHaveLength(0);
	});

	it('a shared location is normalised once: coordinates, its title and one map link; the bridge needs no raw', async () => {
		const hook = await start();
		const ada = fb.addUser({ first_name: 'Ada', last_name: 'Lovelace' });
		const event = fb.messageEvent(ada.id, {});
		(event.message as IDataObject).attachments = [
			{ type: 'location', title: 'Café Central', payload: { coordinates: { lat: 52.52, long: 13.405 } } },
		];
		await fb.deliver(hook.url, [event]);
		await hook.settled();
		const [json] = itemsOf(hook).map((i) => i.json);
		expect(json.location).toEqual({ latitude: 52.52, longitude: 13.405, name: 'Café Central', mapUrl: MAP });
		expect(bridged(json).notes).toEqual([{ label: '📍', values: ['Café Central'], link: MAP }]);
	});
});

// ---------------------------------------------------------------------------
// WhatsApp through Twilio
// ---------------------------------------------------------------------------

describe('Chat Channel Trigger (WhatsApp): what the bridge needs', () => {
	let tw: TwilioEmulator;
	beforeEach(async () => {
		tw = await TwilioEmulator.start();
	});
	afterEach(async () => {
		for (const hook of hooks.splice(0)) await hook.close();
		await tw.stop();
	});

	async function start(parameters: IDataObject = {}) {
		const hook = await startWebhookTrigger({
			workflow: workflow(
				'whatsapp',
				{ teamSpiritTwilioApi: { id: '2', name: 'Twilio' } },
				parameters,
			),
			nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
			credentialTypes: [new TeamSpiritTwilioApi()],
			credentials: {
				teamSpiritTwilioApi: {
					accountSid: tw.accountSid,
					authToken: tw.authToken,
					baseUrl: tw.url,
				},
			},
			listen: true,
		});
		hooks.push(hook);
		await hook.activate();
		return hook;
	}

	it('a customer’s reply: account = the business number, name from ProfileName, replyToMessageId from OriginalRepliedMessageSid', async () => {
		const hook = await start();
		const ours = `SM${'ab'.repeat(16)}`;
		const result = await tw.sendInbound(hook.url, {
			From: 'whatsapp:+4915112345678',
			Body: 'Yes, that works',
			ProfileName: 'Ada Lovelace',
			OriginalRepliedMessageSender: tw.whatsappNumber,
			OriginalRepliedMessageSid: ours,
		});
		await tw.sendInbound(hook.url, { From: 'whatsapp:+4915112345678', Body: 'Not a reply' });
		await hook.settled();
		const [reply, plain] = itemsOf(hook).map((i) => i.json);
		expect(reply).toMatchObject({
			channel: 'whatsapp',
			account: tw.whatsappNumber.replace(/^whatsapp:/, ''),
			event: 'message',
			messageId: result.params.MessageSid,
			conversationId: 'whatsapp:+4915112345678',
			sender: { id: '4915112345678', name: 'Ada Lovelace', phone: '+4915112345678', isBot: false },
			replyToMessageId: ours,
		});
		expect(reply.account).toBe('+14155238886');
		expect(plain.account).toBe('+14155238886');
		expect(plain).not.toHaveProperty('replyToMessageId');
	});

	it('a status callback carries the business number too (its From)', async () => {
		const hook = await start({ whatsappEvents: ['message', 'status'] });
		await tw.sendStatus(hook.url, {
			MessageSid: `SM${'cd'.repeat(16)}`,
			MessageStatus: 'delivered',
			To: 'whatsapp:+4915112345678',
		});
		await hook.settled();
		expect(itemsOf(hook)[0].json).toMatchObject({
			event: 'status',
			status: 'delivered',
			account: '+14155238886',
		});
	});

	it('a shared location keeps the coordinates as Twilio wrote them in its one map link; the bridge needs no raw', async () => {
		const hook = await start();
		await tw.sendInbound(hook.url, {
			From: 'whatsapp:+4915112345678',
			Body: '',
			Latitude: '52.5200',
			Longitude: '13.405',
			Label: 'Café Central',
			Address: 'Herrengasse 14',
		});
		await hook.settled();
		const [json] = itemsOf(hook).map((i) => i.json);
		const link = 'https://www.openstreetmap.org/?mlat=52.5200&mlon=13.405#map=17/52.5200/13.405';
		expect(json.location).toEqual({
			latitude: 52.52,
			longitude: 13.405,
			name: 'Café Central',
			address: 'Herrengasse 14',
			mapUrl: link,
		});
		expect(bridged(json).notes).toEqual([
			{ label: '📍', values: ['Café Central', 'Herrengasse 14'], link },
		]);
	});
});

// ---------------------------------------------------------------------------
// Telegram
// ---------------------------------------------------------------------------

describe('Chat Channel Trigger (Telegram): what the bridge needs', () => {
	let tg: TelegramEmulator;
	beforeEach(async () => {
		tg = await TelegramEmulator.start();
	});
	afterEach(async () => {
		for (const trigger of running.splice(0)) await trigger.close();
		await tg.stop();
	});

	it('message and edited_message keep messageId, replyToMessageId, account and, in raw, the entities', async () => {
		const trigger = await startPolling(tg);
		running.push(trigger);
		await tg.waitFor(() => tg.polling, 5000, 'the first long poll');
		const entities = [
			{ type: 'bold', offset: 0, length: 5 },
			{ type: 'text_link', offset: 6, length: 4, url: 'https://example.com/' },
		];
		const replyTo = {
			message_id: 7,
			date: 1,
			chat: { id: 1001, type: 'private' },
			text: 'Earlier',
		};
		const sent = tg.pushMessage({
			chatId: 1001,
			text: 'Hello link',
			extra: { entities, reply_to_message: replyTo },
		});
		const edited = tg.pushMessage({
			chatId: 1001,
			edited: true,
			extra: {
				message_id: sent.message.message_id,
				caption: 'Hello again',
				caption_entities: [{ type: 'italic', offset: 6, length: 5 }],
				reply_to_message: replyTo,
			},
		});
		await trigger.waitForItems(2);
		const [message, edit] = trigger.items().map((i) => i.json);
		expect(message).toMatchObject({
			account: String(tg.botId),
			event: 'message',
			messageId: String(sent.message.message_id),
			replyToMessageId: '7',
			text: 'Hello link',
		});
		expect(((message.raw as IDataObject).message as IDataObject).entities).toEqual(entities);
		expect(edit).toMatchObject({
			account: String(tg.botId),
			event: 'edited_message',
			messageId: String(sent.message.message_id),
			replyToMessageId: '7',
			text: 'Hello again',
		});
		expect(((edit.raw as IDataObject).edited_message as IDataObject).caption_entities).toEqual([
			{ type: 'italic', offset: 6, length: 5 },
		]);
		expect(edit.eventId).toBe(`telegram:${tg.botId}:${edited.update_id}`);
	});

	it('formatting, location, contact and a sticker’s emoji are normalised once; the bridge needs no raw', async () => {
		const trigger = await startPolling(tg);
		running.push(trigger);
		await tg.waitFor(() => tg.polling, 5000, 'the first long poll');
		tg.pushMessage({
			chatId: 1001,
			text: 'Hello link @olga',
			extra: {
				entities: [
					{ type: 'bold', offset: 0, length: 5 },
					{ type: 'text_link', offset: 6, length: 4, url: 'https://example.com/' },
					{ type: 'mention', offset: 11, length: 5 },
				],
			},
		});
		tg.pushMessage({
			chatId: 1001,
			extra: {
				location: { latitude: 52.52, longitude: 13.405 },
				venue: { location: { latitude: 52.52, longitude: 13.405 }, title: 'Café', address: 'Main St 1' },
			},
		});
		tg.pushMessage({
			chatId: 1001,
			extra: { contact: { first_name: 'Olga', last_name: 'K', phone_number: '+4915112345678', user_id: 77 } },
		});
		tg.pushMessage({
			chatId: 1001,
			extra: { sticker: { file_id: 'STK1', file_unique_id: 'u1', width: 512, height: 512, emoji: '👍' } },
		});
		await trigger.waitForItems(4);
		const [text, place, card, sticker] = trigger.items().map((i) => i.json);
		expect(text.formatting).toEqual([
			{ type: 'bold', offset: 0, length: 5 },
			{ type: 'link', offset: 6, length: 4, url: 'https://example.com/' },
		]);
		expect(bridged(text).markdown).toBe('**Hello** [link](https://example.com/) @\u2060olga');
		expect(place.location).toEqual({
			latitude: 52.52,
			longitude: 13.405,
			name: 'Café',
			address: 'Main St 1',
			mapUrl: MAP,
		});
		expect(bridged(place).notes).toEqual([{ label: '📍', values: ['Café', 'Main St 1'], link: MAP }]);
		expect(card.contact).toEqual({ name: 'Olga K', phone: '+4915112345678', userId: '77' });
		expect(bridged(card).notes).toEqual([{ label: '👤 Contact:', values: ['Olga K', '+4915112345678'] }]);
		expect(bridged(sticker).notes).toEqual([{ label: 'Sticker', values: ['👍'] }]);
		expect(text).not.toHaveProperty('location');
		expect(place).not.toHaveProperty('formatting');
	});
});
