import type { IDataObject } from 'n8n-workflow';

import { TeamSpiritInstagramApi } from '../../../credentials/TeamSpiritInstagramApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { metaSenderNames } from '../../../nodes/channels/meta/profiles';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { InstagramEmulator } from '../../emulators/instagram';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { TRIGGER_TYPE } from './setup';

let ig: InstagramEmulator;
const hooks: WebhookTrigger[] = [];

const workflow = (parameters: IDataObject = {}) => ({
	id: 'wf-instagram',
	name: 'Instagram webhook',
	nodes: [
		{
			id: 'n1',
			name: 'Chat Channel Trigger',
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0] as [number, number],
			webhookId: '5b8f6c10-2d1e-4c8a-9a55-7e7e1c1d1e1f',
			parameters: { channel: 'instagram', ...parameters },
			credentials: { teamSpiritInstagramApi: { id: '7', name: 'Instagram' } },
		},
	],
	connections: {},
});

async function start(parameters: IDataObject = {}, webhookName: 'default' | 'setup' = 'default') {
	const hook = await startWebhookTrigger({
		workflow: workflow(parameters) as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritInstagramApi()],
		credentials: { teamSpiritInstagramApi: ig.instagramCredentialData() },
		listen: true,
		webhookName,
	});
	hooks.push(hook);
	await hook.activate();
	return hook;
}

beforeEach(async () => {
	seenEvents.clear();
	metaSenderNames.clear();
	ig = await InstagramEmulator.start();
});
afterEach(async () => {
	for (const hook of hooks.splice(0)) await hook.close();
	await ig.stop();
});

const started = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started);
const itemsOf = (hook: WebhookTrigger) => started(hook).flatMap((c) => c.workflowData![0]);
const ADA = '1790000000000001';

describe('Chat Channel Trigger (Instagram Direct): handshake and signatures', () => {
	it('answers Meta’s verification with the challenge; a wrong token or mode gets 403', async () => {
		const hook = await start({}, 'setup');
		expect((await ig.verify(hook.url)).ok).toBe(true);
		const wrong = [await ig.verify(hook.url, { token: 'guess' }), await ig.verify(hook.url, { mode: 'unsubscribe' })];
		expect(wrong.map((r) => r.status)).toEqual([403, 403]);
		expect(started(hook)).toHaveLength(0);
	});

	it('rejects forged, unsigned and wrong-secret deliveries with 401 and a page (Messenger) event with 400, starting nothing', async () => {
		const hook = await start();
		const event = ig.messageEvent(ADA, { text: 'x' });
		const results = [
			await ig.deliver(hook.url, [event], { forgeSignature: true }),
			await ig.deliver(hook.url, [event], { omitSignature: true }),
			await ig.deliver(hook.url, [event], { appSecret: 'another-secret' }),
			await ig.deliver(hook.url, [event], { object: 'page' }),
		];
		await hook.settled();
		expect(results.map((r) => r.status)).toEqual([401, 401, 401, 400]);
		expect(started(hook)).toHaveLength(0);
	});
});

describe('Chat Channel Trigger (Instagram Direct): messages', () => {
	it('reads text, files, a story reply, a story mention, a shared post, a reply and a quick reply; account is the Instagram account, names from the profile API', async () => {
		ig.addUser({ id: ADA, name: 'Ada Lovelace', username: 'ada.l' });
		const hook = await start();
		const jpeg = Buffer.alloc(6000, 7);
		const story = { url: `${ig.url}/cdn/story/1.jpg`, id: '18000000000000001' };
		const mention = 'https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=17900000000000001&signature=abc';
		const events = [
			ig.messageEvent(ADA, { text: 'Hello 👋', mid: 'aWdfmid_1' }),
			ig.messageEvent(ADA, { attachments: [{ type: 'image', bytes: jpeg, contentType: 'image/jpeg', filename: 'cat.jpg' }] }),
			ig.messageEvent(ADA, { text: 'Love it', replyToStory: story }),
			ig.messageEvent(ADA, { links: [{ type: 'story_mention', url: mention }] }),
			ig.messageEvent(ADA, { links: [{ type: 'share', url: 'https://www.instagram.com/p/Cabc/' }] }),
			ig.messageEvent(ADA, { text: 'answering', replyTo: 'aWdfmid_0' }),
			ig.messageEvent(ADA, { text: 'Yes', quickReplyPayload: 'YES' }),
		];
		const result = await ig.deliver(hook.url, events);
		await hook.settled();
		expect(result.status).toBe(200);
		const items = itemsOf(hook);
		expect(items.map((i) => [i.json.event, i.json.text])).toEqual([
			['message', 'Hello 👋'],
			['message', ''],
			['message', 'Love it'],
			['message', ''],
			['message', ''],
			['message', 'answering'],
			['message', 'Yes'],
		]);
		expect(items[0].json).toMatchObject({
			channel: 'instagram',
			account: ig.instagramAccountId,
			conversationId: ADA,
			eventId: `instagram:${ig.instagramAccountId}:aWdfmid_1`,
			messageId: 'aWdfmid_1',
			sender: { id: ADA, name: 'Ada Lovelace', username: 'ada.l', isBot: false },
		});
		expect(items[1].json.attachments).toEqual([expect.objectContaining({ type: 'photo', mimeType: 'image/jpeg', size: 6000, binaryProperty: 'data' })]);
		expect(items[1].binary?.data).toMatchObject({ mimeType: 'image/jpeg' });
		expect((items[2].json.raw as IDataObject).message).toMatchObject({ reply_to: { story } });
		expect(items[3].json.attachments).toEqual([{ type: 'other', fileName: 'Story mention', mimeType: null, size: null }]);
		expect(items[3].binary).toBeUndefined();
		expect(items[4].json.attachments).toEqual([{ type: 'other', fileName: 'Shared post', mimeType: null, size: null }]);
		expect(items[5].json).toMatchObject({ replyToMessageId: 'aWdfmid_0' });
		expect(items[6].json).toMatchObject({ callbackData: 'YES' });
		// one profile lookup for the sender of seven events, asking Instagram's fields
		expect(ig.profileLookups(ADA)).toHaveLength(1);
		expect(ig.profileLookups(ADA)[0].query.fields).toBe('name,username');
	});

	it('without a name on the profile the @username is the name; without a profile the name stays empty and the event arrives', async () => {
		ig.addUser({ id: ADA, name: '', username: 'only.handle' });
		const hook = await start();
		await ig.deliver(hook.url, [ig.messageEvent(ADA, { text: 'a' }), ig.messageEvent('1790000000000077', { text: 'b' })]);
		await hook.settled();
		expect(itemsOf(hook).map((i) => i.json.sender)).toEqual([
			{ id: ADA, name: '@only.handle', username: 'only.handle', isBot: false },
			{ id: '1790000000000077', name: '', isBot: false },
		]);
	});

	it('an unsend is a deleted_message of that message; a reaction (when selected) names the message and the emoji; the account’s echoes start nothing', async () => {
		const hook = await start({ instagramEvents: ['message', 'deleted', 'reaction'] });
		await ig.deliver(hook.url, [
			ig.unsendEvent(ADA, { mid: 'aWdfmid_9' }),
			ig.reactionEvent(ADA, { mid: 'aWdfmid_8', reaction: 'love', emoji: '❤️' }),
			ig.reactionEvent(ADA, { mid: 'aWdfmid_8', action: 'unreact' }),
			ig.echoEvent(ADA, { text: 'our own reply' }),
		]);
		await hook.settled();
		expect(itemsOf(hook).map((i) => [i.json.event, i.json.messageId, i.json.text])).toEqual([
			['deleted_message', 'aWdfmid_9', ''],
			['reaction', 'aWdfmid_8', '❤️'],
			['reaction', 'aWdfmid_8', ''],
		]);
		expect(itemsOf(hook)[0].json).toMatchObject({ eventId: `instagram:${ig.instagramAccountId}:aWdfmid_9:deleted`, conversationId: ADA });
	});

	it('reactions and seen receipts start nothing unless selected; postbacks are callbacks', async () => {
		const hook = await start();
		await ig.deliver(hook.url, [
			ig.reactionEvent(ADA, { mid: 'aWdfmid_8' }),
			ig.seenEvent(ADA, { mid: 'aWdfmid_7' }),
			ig.postbackEvent(ADA, { title: 'Prices', payload: 'PRICES' }),
		]);
		await hook.settled();
		expect(itemsOf(hook).map((i) => [i.json.event, i.json.callbackData])).toEqual([['callback', 'PRICES']]);
		const seen = await start({ instagramEvents: ['read'] });
		await ig.deliver(seen.url, [ig.seenEvent(ADA, { mid: 'aWdfmid_6' })]);
		await seen.settled();
		expect(itemsOf(seen).map((i) => i.json)).toEqual([expect.objectContaining({ event: 'status', status: 'read', messageIds: ['aWdfmid_6'] })]);
	});

	it('a redelivered event starts nothing', async () => {
		const hook = await start();
		const event = ig.messageEvent(ADA, { text: 'once' });
		await ig.deliver(hook.url, [event]);
		await ig.deliver(hook.url, [event]);
		await ig.deliver(hook.url, [event, ig.messageEvent(ADA, { text: 'new' })]);
		await hook.settled();
		expect(started(hook).map((c) => c.workflowData![0].map((i) => i.json.text))).toEqual([['once'], ['new']]);
	});

	it('subscribes the linked Page to the app on activation when asked', async () => {
		expect(ig.subscribedFields).toBeNull();
		await start({ instagramOptions: { subscribePage: true } });
		expect(ig.subscribedFields).toEqual(['messages']);
	});
});
