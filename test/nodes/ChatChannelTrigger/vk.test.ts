import type { IDataObject, INodeParameters, IRun } from 'n8n-workflow';

import { TeamSpiritVkApi } from '../../../credentials/TeamSpiritVkApi.credentials';
import { seenEvents } from '../../../nodes/channels/memory';
import { forgetAnnounced } from '../../../nodes/channels/sequence';
import { vkNames } from '../../../nodes/channels/vk/profiles';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { VkEmulator } from '../../emulators/vk';
import { binarySha256, deterministicBytes, deterministicSha256, startTrigger, startWebhookTrigger, type RunningTrigger, type WebhookTrigger, type WorkflowJson } from '../../harness';
import { TRIGGER_TYPE } from './setup';

let vk: VkEmulator;
const running: RunningTrigger[] = [];
const hooks: WebhookTrigger[] = [];

beforeEach(async () => {
	vk = await VkEmulator.start();
	seenEvents.clear();
	vkNames.clear();
});
afterEach(async () => {
	for (const t of running.splice(0)) await t.close();
	for (const h of hooks.splice(0)) await h.close();
	await vk.stop();
	forgetAnnounced();
});

async function poll(options: { parameters?: INodeParameters; staticData?: IDataObject; mode?: 'trigger' | 'manual' } = {}) {
	const trigger = await startTrigger({
		nodeType: new ChatChannelTrigger(),
		type: TRIGGER_TYPE,
		parameters: { channel: 'vk', mode: 'polling', vkOptions: { pollWait: 5 }, ...options.parameters },
		credentialTypes: [new TeamSpiritVkApi()],
		credentials: { teamSpiritVkApi: vk.credentialData() },
		staticData: options.staticData,
		workflowId: 'wf-vk-polling',
		mode: options.mode,
	});
	running.push(trigger);
	return trigger;
}

async function listen(parameters: INodeParameters = {}) {
	const workflow = {
		id: 'wf-vk-webhook',
		name: 'VK webhook',
		nodes: [
			{
				id: 'n1',
				name: 'Chat Channel Trigger',
				type: TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0] as [number, number],
				webhookId: '4b1d0a11-2b3c-4d5e-8f70-8192a3b4c5d6',
				parameters: { channel: 'vk', mode: 'webhook', ...parameters },
				credentials: { teamSpiritVkApi: { id: '1', name: 'VK' } },
			},
		],
		connections: {},
	};
	const hook = await startWebhookTrigger({
		workflow: workflow as unknown as WorkflowJson,
		nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
		credentialTypes: [new TeamSpiritVkApi()],
		credentials: { teamSpiritVkApi: vk.credentialData() },
		listen: true,
	});
	hooks.push(hook);
	await hook.activate();
	return hook;
}

const texts = (t: RunningTrigger) => t.items().map((i) => i.json.text);

describe('Chat Channel Trigger (VK, Bots Long Poll)', () => {
	it('starts one execution per conversation in the shape every channel shares, the sender named by users.get', async () => {
		const trigger = await poll();
		await vk.waitFor(() => vk.polling > 0, 5000, 'the first long poll');
		const event = vk.pushMessage({ fromId: 1001, text: 'Hello community', replyTo: { id: 77, from_id: -vk.groupId, text: 'earlier' } });
		await trigger.waitForItems(1);
		const message = event.object.message;
		expect(trigger.items()[0].json).toEqual({
			channel: 'vk',
			account: String(vk.groupId),
			event: 'message',
			eventId: `vk:${vk.groupId}:${event.event_id}`,
			messageId: String(message.id),
			conversationId: '1001',
			sender: { id: '1001', name: 'Ada Lovelace' },
			text: 'Hello community',
			attachments: [],
			attachmentsText: '',
			summary: 'Hello community',
			replyToMessageId: '77',
			timestamp: new Date(message.date * 1000).toISOString(),
			conversationType: 'private',
			raw: event,
		});
		expect(vk.callsOf('groups.getLongPollServer')[0].params.group_id).toBe(String(vk.groupId));
	});

	it('names each sender once per process (users.get is a cache, not a store)', async () => {
		const trigger = await poll();
		await vk.waitFor(() => vk.polling > 0, 5000, 'the first long poll');
		vk.pushMessage({ fromId: 1001, text: 'one' });
		await trigger.waitForItems(1);
		vk.pushMessage({ fromId: 1001, text: 'two' });
		await trigger.waitForItems(2);
		expect(trigger.items().map((i) => (i.json.sender as IDataObject).name)).toEqual(['Ada Lovelace', 'Ada Lovelace']);
		expect(vk.callsOf('users.get')).toHaveLength(1);
	});

	it('a customer\'s edit is event "edited_message"; a callback button press is event "callback" with its data and an answerable callbackId; a community\'s own message starts nothing', async () => {
		const trigger = await poll();
		await vk.waitFor(() => vk.polling > 0, 5000, 'the first long poll');
		const original = vk.messageObject({ fromId: 1001, text: 'helo', id: 900 });
		vk.pushEdit(original, 'hello');
		vk.pushEdit({ ...original, from_id: -vk.groupId, id: 901 }, 'our own answer, changed');
		const press = vk.pushButton(1001, { data: 'order:42' });
		await trigger.waitForItems(2);
		const [edit, button] = trigger.items().map((i) => i.json);
		expect(edit).toMatchObject({ event: 'edited_message', messageId: '900', text: 'hello', conversationId: '1001' });
		expect(button).toMatchObject({ event: 'callback', callbackData: 'order:42', callbackId: `${press.object.event_id}:1001:1001`, conversationId: '1001' });
		expect(trigger.items()).toHaveLength(2);
	});

	it('survives a restart without losing or repeating events: ts is saved with each emit', async () => {
		const first = await poll();
		await vk.waitFor(() => vk.polling > 0, 5000, 'the first long poll');
		vk.pushMessage({ fromId: 1001, text: 'one' });
		vk.pushMessage({ fromId: 1002, text: 'two' });
		await first.waitForItems(2);
		const saved = first.savedStaticData();
		await first.close();
		seenEvents.clear();
		vk.pushMessage({ fromId: 1003, text: 'three (while n8n was down)' });
		const second = await poll({ staticData: saved });
		await second.waitForItems(1);
		vk.pushMessage({ fromId: 1001, text: 'four' });
		await second.waitForItems(2);
		expect(texts(first)).toEqual(['one', 'two']);
		expect(texts(second)).toEqual(['three (while n8n was down)', 'four']);
	});

	it.each<[1 | 2 | 3, string]>([
		[1, 'the history is gone: continues from the ts VK gives'],
		[2, 'the key expired: a new key, the same ts'],
		[3, 'information lost: a new key and ts'],
	])('failed: %i (%s), then receives again', async (code) => {
		const trigger = await poll();
		await vk.waitFor(() => vk.polling > 0, 5000, 'the first long poll');
		// the poll held now answers this event; the next one gets `failed`, and a message arrives
		// right after that answer, before the poller asked anything again: with 1 (VK's new ts)
		// and 2 (the ts kept) it is received; with 3 VK's new ts is past it (information lost)
		const between = code === 3 ? [] : ['between (after the failure, before the new key)'];
		vk.failNextPoll(code, () => between.forEach((text) => vk.pushMessage({ fromId: 1001, text })));
		vk.pushMessage({ fromId: 1001, text: 'before' });
		await trigger.waitForItems(1);
		await vk.waitFor(() => vk.pendingPollFailures === 0 && vk.polling > 0 && vk.callsOf('groups.getLongPollServer').length >= (code === 1 ? 1 : 2), 10_000, 'the long poll after the failure');
		vk.pushMessage({ fromId: 1001, text: 'after' });
		await trigger.waitForItems(2 + between.length, 10_000);
		expect(texts(trigger)).toEqual(['before', ...between, 'after']);
		expect(vk.callsOf('groups.getLongPollServer')).toHaveLength(code === 1 ? 1 : 2);
		expect(trigger.errors).toEqual([]);
	});

	it('downloads the largest photo size and a document (its vk.com link redirects to the file) into binary properties', async () => {
		const trigger = await poll();
		await vk.waitFor(() => vk.polling > 0, 5000, 'the first long poll');
		const photo = deterministicBytes(40_000, 1);
		const doc = deterministicBytes(70_000, 2);
		vk.pushMessage({ fromId: 1001, text: 'files', attachments: [vk.photoAttachment(photo, 1001), vk.docAttachment('contract.pdf', doc, 1001)] });
		await trigger.waitForItems(1);
		const [item] = trigger.items();
		expect(item.json.attachments).toEqual([
			expect.objectContaining({ type: 'photo', mimeType: 'image/jpeg', size: 40_000, binaryProperty: 'data' }),
			expect.objectContaining({ type: 'document', fileName: 'contract.pdf', mimeType: 'application/pdf', size: 70_000, binaryProperty: 'data_1' }),
		]);
		expect(await binarySha256(item.binary!.data)).toBe(deterministicSha256(40_000, 1));
		expect(await binarySha256(item.binary!.data_1)).toBe(deterministicSha256(70_000, 2));
	});

	it('After the Workflow Has Run: ts moves on only after the executions succeeded; a failed one is emitted again', async () => {
		const failed = { status: 'error', data: { resultData: { runData: {}, error: new Error('node failed') } } } as unknown as IRun;
		const succeeded = { status: 'success', data: { resultData: { runData: {} } } } as unknown as IRun;
		const trigger = await poll({ parameters: { acknowledge: 'afterRun' } });
		await vk.waitFor(() => vk.polling > 0, 5000, 'the first long poll');
		vk.pushMessage({ fromId: 1001, text: 'one' });
		await trigger.waitForEmits(1);
		const savedTs = ((trigger.savedStaticData()['node:Trigger'] ?? {}) as IDataObject).ts;
		trigger.donePromises[0]!.resolve(failed);
		await trigger.waitForEmits(2, 30_000);
		trigger.donePromises[1]!.resolve(succeeded);
		await vk.waitFor(() => Number((trigger.staticData()['node:Trigger'] as IDataObject).ts) > Number(savedTs), 10_000, 'the ts confirmed');
		expect(trigger.emitted.map((e) => e[0].map((i) => i.json.text))).toEqual([['one'], ['one']]);
	});

	it('a wrong token fails the activation with VK\'s reason, without the token', async () => {
		const failure = startTrigger({
			nodeType: new ChatChannelTrigger(),
			type: TRIGGER_TYPE,
			parameters: { channel: 'vk', mode: 'polling' },
			credentialTypes: [new TeamSpiritVkApi()],
			credentials: { teamSpiritVkApi: { ...vk.credentialData(), accessToken: 'vk1.a.revokedTokenOfTheCommunity' } },
		});
		await expect(failure).rejects.toThrow(/error 5/);
		await failure.catch((error: Error) => expect(JSON.stringify({ m: error.message, d: (error as { description?: string }).description })).not.toContain('revokedToken'));
	});
});

describe('Chat Channel Trigger (VK, Callback API)', () => {
	it('answers VK\'s confirmation with the confirmation string, and starts nothing for it', async () => {
		const hook = await listen();
		const confirmed = await vk.confirm(hook.url);
		await hook.settled();
		expect(confirmed).toMatchObject({ status: 200, body: vk.confirmation, confirmed: true });
		expect(hook.calls.filter((c) => c.started)).toHaveLength(0);
	});

	it('answers every event "ok"; one with a wrong or missing secret, or of another community, gets 403 and starts nothing', async () => {
		const hook = await listen();
		const event = vk.messageEvent({ fromId: 1001, text: 'hi' });
		const wrong = await vk.deliver(hook.url, event, { secret: 'guessed-secret' });
		const missing = await vk.deliver(hook.url, event, { secret: null });
		const other = await vk.deliver(hook.url, { ...event, group_id: vk.groupId + 1 });
		const genuine = await vk.deliver(hook.url, event);
		await hook.settled();
		expect([wrong.status, missing.status, other.status]).toEqual([403, 403, 403]);
		expect(genuine).toEqual({ status: 200, body: 'ok' });
		const started = hook.calls.filter((c) => c.started);
		expect(started).toHaveLength(1);
		expect(started[0].workflowData![0][0].json).toMatchObject({ channel: 'vk', text: 'hi', sender: { id: '1001', name: 'Ada Lovelace' }, eventId: `vk:${vk.groupId}:${event.event_id}` });
	});

	it('refuses to activate with Acknowledge "After the Workflow Has Run": VK needs "ok" at once, and n8n answers after the run without a body', async () => {
		await expect(listen({ acknowledge: 'afterRun' })).rejects.toThrow(/Long Polling.*When Received/);
	});

	it('VK stops delivering after several answers in a row that are not "ok" (as its Callback API does), instead of resending forever', async () => {
		const hook = await listen();
		const event = vk.messageEvent({ fromId: 1001, text: 'refused' });
		const answers = await vk.deliverUntilOk(hook.url, event, 20, { secret: 'not-the-secret' });
		expect(answers.map((a) => a.status)).toEqual(Array(5).fill(403));
		expect(vk.callbackStopped).toBe(true);
		expect(await vk.deliverUntilOk(hook.url, vk.messageEvent({ fromId: 1001, text: 'later' }))).toEqual([]);
	});

	it('VK resending an event (X-Retry-Counter) is answered "ok" and starts nothing again', async () => {
		const hook = await listen();
		const event = vk.messageEvent({ fromId: 1001, text: 'once' });
		await vk.deliver(hook.url, event);
		const again = await vk.deliver(hook.url, event, { retryCounter: 1 });
		await hook.settled();
		expect(again).toEqual({ status: 200, body: 'ok' });
		expect(hook.calls.filter((c) => c.started)).toHaveLength(1);
	});
});
