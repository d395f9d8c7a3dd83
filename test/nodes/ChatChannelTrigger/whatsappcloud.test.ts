import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritWhatsAppCloudApi } from '../../../credentials/TeamSpiritWhatsAppCloudApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { recentMessages } from '../../../nodes/channels/whatsappcloud/recent';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { SECOND_PHONE_NUMBER_ID, WhatsAppCloudEmulator } from '../../emulators/whatsappcloud';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { metaRequest } from '../../helpers/signing';
import { TRIGGER_TYPE } from './setup';

let wa: WhatsAppCloudEmulator;
const hooks: WebhookTrigger[] = [];

const workflow = (parameters: IDataObject = {}) => ({
	id: 'wf-whatsappcloud',
	name: 'WhatsApp Cloud webhook',
	nodes: [
		{
			id: 'n1',
			name: 'Chat Channel Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: '8e5d0a31-9f4c-4b0f-8c88-4c4c3d3e3f40',
			parameters: { channel: 'whatsappcloud', ...parameters },
			credentials: { teamSpiritWhatsAppCloudApi: { id: '5', name: 'WhatsApp Cloud' } },
		},
	],
	connections: {},
});

async function start(parameters: IDataObject = {}, webhookName: 'default' | 'setup' = 'default', credentials: Record<string, string> = {}) {
	const hook = await startWebhookTrigger({
		workflow: workflow(parameters) as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritWhatsAppCloudApi()],
		credentials: { teamSpiritWhatsAppCloudApi: { ...wa.credentialData(), ...credentials } },
		listen: true,
		webhookName,
	});
	hooks.push(hook);
	await hook.activate();
	return hook;
}

beforeEach(async () => {
	seenEvents.clear();
	recentMessages.clear();
	wa = await WhatsAppCloudEmulator.start();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await wa.stop();
});

const started = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started);
const itemsOf = (hook: WebhookTrigger) => started(hook).flatMap((c) => c.workflowData![0]);
const ADA = '4915112345678';
const BOB = '4915112345679';

describe('Chat Channel Trigger (WhatsApp Cloud API): handshake', () => {
	it('answers Meta’s verification with the challenge; a wrong token or mode gets 403', async () => {
		const hook = await start({}, 'setup');
		const ok = await wa.verify(hook.url);
		expect(ok.ok).toBe(true);
		const wrongToken = await wa.verify(hook.url, { token: 'guess' });
		const wrongMode = await wa.verify(hook.url, { mode: 'unsubscribe' });
		expect([wrongToken.status, wrongMode.status]).toEqual([403, 403]);
		expect(started(hook)).toHaveLength(0);
	});
});

describe('Chat Channel Trigger (WhatsApp Cloud API): messages', () => {
	it('makes every message of a notification one item of one execution: names, media by id with the token, replies, locations, contacts, taps (reactions only when selected); account = phone_number_id', async () => {
		const hook = await start();
		const jpeg = Buffer.alloc(7000, 3);
		const values = [
			wa.messageValue(ADA, { text: 'Hello *ünïcødé* / shop', name: 'Ada Lovelace', id: 'wamid.text1' }),
			wa.messageValue(ADA, { media: { type: 'image', bytes: jpeg, mimeType: 'image/jpeg', caption: 'my cat' }, replyTo: 'wamid.ours1', name: 'Ada Lovelace' }),
			wa.messageValue(ADA, { media: { type: 'audio', bytes: Buffer.alloc(900, 1), mimeType: 'audio/ogg', voice: true } }),
			wa.messageValue(ADA, { type: 'location', content: { latitude: 52.52, longitude: 13.405, name: 'Shop', address: 'Main St 1' } }),
			wa.messageValue(ADA, { type: 'contacts', content: undefined }),
			wa.messageValue(BOB, { phoneNumberId: SECOND_PHONE_NUMBER_ID, type: 'interactive', content: { type: 'button_reply', button_reply: { id: 'YES', title: 'Yes' } }, name: 'Bob' }),
			wa.messageValue(BOB, { phoneNumberId: SECOND_PHONE_NUMBER_ID, type: 'button', content: { text: 'Stop promotions', payload: 'STOP' } }),
			wa.messageValue(ADA, { type: 'reaction', content: { message_id: 'wamid.ours2', emoji: '👍' } }),
		];
		// WhatsApp puts a contact card into `contacts` of the message itself
		(values[4].messages![0] as IDataObject).contacts = [{ name: { formatted_name: 'Grace Hopper' }, phones: [{ phone: '+1 555 0100', wa_id: '15550100' }] }];
		const result = await wa.deliver(hook.url, values);
		await hook.settled();
		expect(result.status).toBe(200);
		const calls = started(hook);
		expect(calls).toHaveLength(1);
		const items = calls[0].workflowData![0];
		expect(items.map((i) => [i.json.event, i.json.account, i.json.conversationId, i.json.text])).toEqual([
			['message', wa.phoneNumberId, ADA, 'Hello *ünïcødé* / shop'],
			['message', wa.phoneNumberId, ADA, 'my cat'],
			['message', wa.phoneNumberId, ADA, ''],
			['message', wa.phoneNumberId, ADA, ''],
			['message', wa.phoneNumberId, ADA, ''],
			['callback', SECOND_PHONE_NUMBER_ID, BOB, 'Yes'],
			['callback', SECOND_PHONE_NUMBER_ID, BOB, 'Stop promotions'],
		]);
		expect(items[0].json).toMatchObject({
			channel: 'whatsappcloud',
			eventId: `whatsappcloud:${wa.phoneNumberId}:wamid.text1`,
			messageId: 'wamid.text1',
			sender: { id: ADA, name: 'Ada Lovelace', phone: `+${ADA}`, isBot: false },
		});
		expect(items[1].json).toMatchObject({ replyToMessageId: 'wamid.ours1', attachmentsText: 'photo image/jpeg received' });
		expect(items[1].json.attachments).toEqual([expect.objectContaining({ type: 'photo', mimeType: 'image/jpeg', size: 7000, binaryProperty: 'data' })]);
		expect(items[1].binary?.data).toMatchObject({ mimeType: 'image/jpeg' });
		expect(items[2].json.attachments).toEqual([expect.objectContaining({ type: 'voice', mimeType: 'audio/ogg', size: 900 })]);
		expect(items[3].json.location).toMatchObject({ latitude: 52.52, longitude: 13.405, name: 'Shop', address: 'Main St 1' });
		expect(items[4].json.contact).toEqual({ name: 'Grace Hopper', phone: '+1 555 0100', userId: '15550100' });
		expect(items[5].json).toMatchObject({ callbackData: 'YES', sender: { name: 'Bob' } });
		expect(items[6].json).toMatchObject({ callbackData: 'STOP' });
		// the files were fetched by id, then from the media URL with the token (and only with it)
		const downloads = wa.requests.filter((r) => r.path.startsWith('/media-cdn/'));
		expect(downloads.map((r) => r.token)).toEqual(['valid', 'valid']);
		// the newest message of each customer and number: what typing refers to
		expect(recentMessages.get(`${wa.phoneNumberId}:${ADA}`)).toBe(items[4].json.messageId);
	});

	it('a reaction is event "reaction" on the reacted message, not a chat message with the emoji; taking it back has no emoji; only with Trigger On: Reaction', async () => {
		const hook = await start({ whatsappcloudEvents: ['message', 'reaction'] });
		await wa.deliver(hook.url, [
			wa.messageValue(ADA, { id: 'wamid.react1', type: 'reaction', content: { message_id: 'wamid.ours2', emoji: '👍' } }),
			wa.messageValue(ADA, { id: 'wamid.react2', type: 'reaction', content: { message_id: 'wamid.ours2' } }),
		]);
		const quiet = await start();
		await wa.deliver(quiet.url, [wa.messageValue(ADA, { type: 'reaction', content: { message_id: 'wamid.ours3', emoji: '❤️' } })]);
		await hook.settled();
		await quiet.settled();
		expect(itemsOf(hook).map((i) => [i.json.event, i.json.messageId, i.json.replyToMessageId, i.json.text, i.json.eventId])).toEqual([
			['reaction', 'wamid.ours2', 'wamid.ours2', '👍', `whatsappcloud:${wa.phoneNumberId}:wamid.react1`],
			['reaction', 'wamid.ours2', 'wamid.ours2', '', `whatsappcloud:${wa.phoneNumberId}:wamid.react2`],
		]);
		expect(started(quiet)).toHaveLength(0);
		// a reaction is not a message typing could refer to
		expect(recentMessages.get(`${wa.phoneNumberId}:${ADA}`)).toBeUndefined();
	});

	it('edits, deletions and unsupported messages: edited_message with the edited id, other, and a message with an "other" attachment', async () => {
		const hook = await start({ whatsappcloudEvents: ['message', 'edit'] });
		await wa.deliver(hook.url, [
			wa.messageValue(ADA, { type: 'edit', content: { original_message_id: 'wamid.first', message: { type: 'text', text: { body: 'fixed typo' } } } }),
			wa.messageValue(ADA, { type: 'unsupported', content: { type: 'poll' }, errors: [{ code: 131051, title: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }] }),
			wa.messageValue(ADA, { type: 'revoke', content: { original_message_id: 'wamid.second' } }),
		]);
		await hook.settled();
		expect(itemsOf(hook).map((i) => [i.json.event, i.json.messageId, i.json.text])).toEqual([
			['edited_message', 'wamid.first', 'fixed typo'],
			['message', expect.stringMatching(/^wamid\./), ''],
			['other', 'wamid.second', ''],
		]);
		expect(itemsOf(hook)[1].json).toMatchObject({ attachmentsText: 'other', errorCode: '131051' });
	});

	it('rejects forged, unsigned and wrong-secret deliveries with 401 and starts nothing', async () => {
		const hook = await start();
		const value = wa.messageValue(ADA, { text: 'x' });
		const results = [
			await wa.deliver(hook.url, [value], { forgeSignature: true }),
			await wa.deliver(hook.url, [value], { omitSignature: true }),
			await wa.deliver(hook.url, [value], { appSecret: 'another-secret' }),
		];
		await hook.settled();
		expect(results.map((r) => r.status)).toEqual([401, 401, 401]);
		expect(started(hook)).toHaveLength(0);
	});

	it('checks the signature over the raw bytes: the same JSON re-serialized does not verify', async () => {
		const hook = await start();
		const body = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: wa.wabaId, changes: [{ field: 'messages', value: wa.messageValue(ADA, { text: 'a/b é' }) }] }] });
		const metaStyle = body.replace(/\//g, '\\/').replace(/é/g, '\\u00e9');
		const signedOther = await hook.request(metaRequest(wa.appSecret, metaStyle, body));
		const signedSame = await hook.request(metaRequest(wa.appSecret, metaStyle));
		expect([signedOther.response.status, signedSame.response.status]).toEqual([401, 200]);
		expect(signedSame.workflowData![0][0].json.text).toBe('a/b é');
	});

	it('a repeated wamid starts nothing; Meta’s redelivery of a notification it thinks failed is taken once', async () => {
		const hook = await start();
		const value = wa.messageValue(ADA, { text: 'once' });
		await wa.deliver(hook.url, [value]);
		await wa.deliver(hook.url, [value]);
		await wa.deliver(hook.url, [value, wa.messageValue(ADA, { text: 'new' })]);
		await hook.settled();
		expect(started(hook).map((c) => c.workflowData![0].map((i) => i.json.text))).toEqual([['once'], ['new']]);
	});

	it('"Phone Number IDs" keeps the trigger to some numbers of the app: others are answered 200 and start nothing', async () => {
		const hook = await start({ whatsappcloudOptions: { phoneNumberIds: SECOND_PHONE_NUMBER_ID } });
		const first = await wa.deliver(hook.url, [wa.messageValue(ADA, { text: 'to the first number' })]);
		const second = await wa.deliver(hook.url, [wa.messageValue(ADA, { text: 'to the second number', phoneNumberId: SECOND_PHONE_NUMBER_ID })]);
		await hook.settled();
		expect([first.status, second.status]).toEqual([200, 200]);
		expect(itemsOf(hook).map((i) => [i.json.account, i.json.text])).toEqual([[SECOND_PHONE_NUMBER_ID, 'to the second number']]);
	});
});

describe('Chat Channel Trigger (WhatsApp Cloud API): statuses', () => {
	it('sent, delivered, read and failed become status items with the error explained, when selected', async () => {
		const hook = await start({ whatsappcloudEvents: ['status'] });
		await wa.deliver(hook.url, [
			wa.statusValue([wa.status('wamid.ours1', 'sent', ADA), wa.status('wamid.ours1', 'delivered', ADA), wa.status('wamid.ours1', 'read', ADA)]),
			wa.statusValue([wa.status('wamid.ours2', 'failed', ADA, 131047), wa.status('wamid.ours3', 'failed', BOB, 131026)], SECOND_PHONE_NUMBER_ID),
		]);
		await wa.deliver(hook.url, [wa.messageValue(ADA, { text: 'messages not selected' })]);
		await hook.settled();
		const items = itemsOf(hook).map((i) => i.json);
		expect(items.map((i) => [i.event, i.status, i.messageId, i.conversationId, i.account, i.errorCode])).toEqual([
			['status', 'sent', 'wamid.ours1', ADA, wa.phoneNumberId, undefined],
			['status', 'delivered', 'wamid.ours1', ADA, wa.phoneNumberId, undefined],
			['status', 'read', 'wamid.ours1', ADA, wa.phoneNumberId, undefined],
			['status', 'failed', 'wamid.ours2', ADA, SECOND_PHONE_NUMBER_ID, '131047'],
			['status', 'failed', 'wamid.ours3', BOB, SECOND_PHONE_NUMBER_ID, '131026'],
		]);
		expect(items[3].error).toMatch(/^WhatsApp allows free-form messages only within 24 hours/);
		expect(items[4].error).toMatch(/could not be delivered/);
		expect(items[0].eventId).toBe(`whatsappcloud:${wa.phoneNumberId}:wamid.ours1:sent`);
	});

	it('an error of the account itself is an item each time it recurs (its eventId has the notification time), once per redelivery', async () => {
		const hook = await start({ whatsappcloudEvents: ['status'] });
		const error = { code: 131042, title: 'Business eligibility payment issue', message: 'Business eligibility payment issue', error_data: { details: 'Payment method missing.' } };
		const value = { ...wa.statusValue([]), statuses: undefined, errors: [error] } as unknown as ReturnType<typeof wa.statusValue>;
		const first = { entry: [{ id: wa.wabaId, time: 1_780_000_000, changes: [{ field: 'messages', value }] }] };
		const later = { entry: [{ id: wa.wabaId, time: 1_780_003_600, changes: [{ field: 'messages', value }] }] };
		for (const body of [first, first, later]) {
			const raw = JSON.stringify({ object: 'whatsapp_business_account', ...body });
			const { response } = await hook.request(metaRequest(wa.appSecret, raw));
			expect(response.status).toBe(200);
		}
		await hook.settled();
		expect(itemsOf(hook).map((i) => [i.json.event, i.json.errorCode])).toEqual([
			['other', '131042'],
			['other', '131042'],
		]);
	});

	it('the statuses Meta posts for what the node sent reach the trigger (the emulator as the app subscription)', async () => {
		const hook = await start({ whatsappcloudEvents: ['status'] });
		wa.statusWebhook = hook.url;
		wa.touch(ADA, wa.now() - 25 * 60 * 60 * 1000);
		const response = await fetch(`${wa.url}/v23.0/${wa.phoneNumberId}/messages`, {
			method: 'POST',
			headers: { authorization: `Bearer ${wa.accessToken}`, 'content-type': 'application/json' },
			body: JSON.stringify({ messaging_product: 'whatsapp', to: ADA, type: 'text', text: { body: 'too late' } }),
		});
		expect(response.status).toBe(200);
		await wa.settled();
		await hook.settled();
		expect(itemsOf(hook).map((i) => [i.json.status, i.json.errorCode])).toEqual([['failed', '131047']]);
	});
});

describe('Chat Channel Trigger (WhatsApp Cloud API): media and subscription', () => {
	it('does not download media over the cap, nor from a host that is not Meta’s (the token stays home); the attachment says why', async () => {
		const capped = await start({ whatsappcloudOptions: { maxDownloadMb: 0.001 } });
		await wa.deliver(capped.url, [wa.messageValue(ADA, { media: { type: 'document', bytes: Buffer.alloc(5000), mimeType: 'application/pdf', filename: 'a.pdf' } })]);
		await capped.settled();
		const [item] = itemsOf(capped);
		expect(item.binary).toBeUndefined();
		expect((item.json.attachments as IDataObject[])[0]).toMatchObject({ fileName: 'a.pdf', notice: expect.stringMatching(/^Not downloaded: .*0.001 MB/) });
		wa.mediaOrigin = 'https://files.attacker.example';
		const foreign = await start();
		await wa.deliver(foreign.url, [wa.messageValue(ADA, { media: { type: 'document', bytes: Buffer.alloc(50), mimeType: 'application/pdf', filename: 'b.pdf' } })]);
		await foreign.settled();
		const [refused] = itemsOf(foreign);
		expect((refused.json.attachments as IDataObject[])[0].notice).toMatch(/^Not downloaded: files\.attacker\.example is not one of Meta's media hosts/);
	});

	it('subscribes the app to the WhatsApp Business Account on activation when asked; without its ID the activation says what is missing', async () => {
		expect(wa.subscribed).toBe(false);
		await start({ whatsappcloudOptions: { subscribeApp: true } });
		expect(wa.subscribed).toBe(true);
		await expect(start({ whatsappcloudOptions: { subscribeApp: true } }, 'default', { businessAccountId: '' })).rejects.toThrow(
			'Subscribe App needs the WhatsApp Business Account ID',
		);
	});
});
