/**
 * Conversation Changed: `chat.updated` deliveries of customer conversation chats, signed by the
 * emulator and handled by the trigger's webhook() through n8n-core's real WebhookContext; and the
 * pure reading of previous vs new conversation state.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { conversationKey } from '../../../nodes/conversations/keys';
import { conversationChanges } from '../../../nodes/TeamSpiritTrigger/helpers/conversation';
import type { Chat, TeamSpiritEmulator, Webhook } from '../../emulators/teamspirit';
import type { WebhookTrigger } from '../../harness';
import {
	deliveryBody,
	jsonOf,
	signedHeaders,
	startedCalls,
	startSeededEmulator,
	startTrigger,
	triggerWorkflow,
} from './setup';

let emulator: TeamSpiritEmulator;
let hook: WebhookTrigger;
let webhook: Webhook;
let chat: Chat;

const customer = { id: '1001', name: 'Anna Petrova' };
const base = { channel: 'telegram', account: '123456789', conversationId: '123456789:1001', customer };

async function activate(parameters: INodeParameters) {
	hook = await startTrigger(emulator, triggerWorkflow(parameters, { reply: false }));
	await hook.activate();
	webhook = [...emulator.webhooks.values()].find((w) => w.url === hook.url)!;
}

/** Changes the conversation's metadata as an operator in the TeamSpirit app: a signed chat.updated. */
async function change(metadata: IDataObject, userId = 'u_alice') {
	const next = { ...emulator.chat(chat.id)!.metadata, ...metadata };
	const { deliveries } = await emulator.changeChatAsUser(chat.id, userId, { metadata: next });
	return deliveries.filter((d) => d.webhookId === webhook.id).map((d) => JSON.parse(d.responseBody) as IDataObject);
}

const changesOfCall = (i: number) => jsonOf(startedCalls(hook)[i]).map((j) => j.change);

beforeEach(async () => {
	({ emulator } = await startSeededEmulator());
	// the bridge's chat: its key signed with the credential's conversation secret (here the API key)
	chat = emulator.addChat({ title: 'Anna Petrova (Telegram)', externalKey: conversationKey('telegram', '123456789', '1001', emulator.apiKey), memberIds: ['u_alice'], metadata: base });
});
afterEach(async () => {
	await hook?.close();
	await emulator.stop();
});

describe('TeamSpirit Trigger: Conversation Changed', () => {
	it('registers chat.updated and starts one execution per change, one item per kind, through a conversation’s life', async () => {
		await activate({ events: ['chat.updated'] });
		expect(webhook.events).toEqual(['chat.updated']);

		await change({ status: 'open', assigneeId: 'u_alice', queue: 'support', times: { createdAt: '2026-01-05T09:00:00.000Z' } });
		await change({ assigneeId: 'u_bob' });
		await change({ queue: 'billing', assigneeId: null, status: 'pending' });
		await change({ status: 'open', assigneeId: 'u_alice' });
		await change({ status: 'snoozed', snoozedUntil: '2026-01-06T09:00:00.000Z' });
		await change({ snoozedUntil: '2026-01-07T09:00:00.000Z' });
		await change({ status: 'open', snoozedUntil: null });
		await change({ status: 'resolved' });
		await change({ rating: { score: 5, at: '2026-01-07T10:00:00.000Z' } });
		await change({ status: 'open' });
		expect(startedCalls(hook).map((_, i) => changesOfCall(i))).toEqual([
			['opened', 'assigned'],
			['transferred', 'assigned'],
			['transferred'],
			['assigned'],
			['snoozed'],
			['snoozed'],
			['reopened'],
			['resolved'],
			['rated'],
			['reopened'],
		]);

		const [opened, assigned] = jsonOf(startedCalls(hook)[0]);
		const update = JSON.parse(emulator.deliveries[0].body) as { id: string; createdAt: string; data: IDataObject };
		expect(opened).toEqual({
			event: 'chat.updated',
			change: 'opened',
			eventId: update.id,
			deliveryId: emulator.deliveries[0].deliveryId,
			createdAt: update.createdAt,
			chatId: chat.id,
			conversation: { channel: 'telegram', account: '123456789', conversationId: '123456789:1001', customer },
			status: 'open',
			assigneeId: 'u_alice',
			queue: 'support',
			snoozedUntil: null,
			rating: null,
			times: { createdAt: '2026-01-05T09:00:00.000Z' },
			previous: { status: 'open', assigneeId: null, queue: null, snoozedUntil: null, rating: null },
			actorId: 'u_alice',
			version: 2,
			update: update.data,
		});
		expect(assigned).toEqual({ ...opened, change: 'assigned' });
		const rated = jsonOf(startedCalls(hook)[8])[0];
		expect(rated).toMatchObject({ change: 'rated', status: 'resolved', rating: { score: 5, at: '2026-01-07T10:00:00.000Z' }, previous: { status: 'resolved', rating: null } });
		const transferred = jsonOf(startedCalls(hook)[2])[0];
		expect(transferred).toMatchObject({ status: 'pending', queue: 'billing', assigneeId: null, previous: { queue: 'support', assigneeId: 'u_bob' } });
	});

	it('a conditional PATCH through the API reaches it too, with the bot as actor; a change of other fields starts nothing', async () => {
		emulator.autoDeliver = true;
		await activate({ events: ['chat.updated'] });
		const patch = async (metadata: IDataObject, version: number) =>
			await fetch(`${emulator.url}/api/v1/chats/${chat.id}`, {
				method: 'PATCH',
				headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json', 'if-match': `"${version}"` },
				body: JSON.stringify({ metadata: { ...emulator.chat(chat.id)!.metadata, ...metadata } }),
			});
		expect((await patch({ status: 'resolved' }, 1)).status).toBe(200);
		expect((await patch({ times: { resolvedAt: '2026-01-05T10:00:00.000Z' } }, 2)).status).toBe(200);
		expect((await patch({ status: 'open' }, 2)).status).toBe(412); // stale: nothing changed, nothing sent
		await emulator.settled();
		expect(startedCalls(hook).map((c) => jsonOf(c).map((j) => [j.change, j.actorId, j.version]))).toEqual([[['resolved', emulator.bot.id, 2]]]);
		expect(hook.calls.map((c) => c.response.json)).toEqual([{ ok: true }, { ok: true, ignored: 'the chat changed in none of the chosen conversation changes' }]);
	});

	it('with chosen kinds only those start it; chats that are no conversation, or of other channels, start nothing', async () => {
		await activate({ events: ['chat.updated', 'message.created'], conversationChanges: ['resolved', 'rated'] });
		expect(await change({ status: 'open', assigneeId: 'u_alice' })).toEqual([{ ok: true, ignored: 'the chat changed in none of the chosen conversation changes' }]);
		await change({ status: 'resolved', rating: { score: 4, at: '2026-01-07T10:00:00.000Z' } });
		expect(startedCalls(hook).map((_, i) => changesOfCall(i))).toEqual([['resolved', 'rated']]);

		const team = emulator.addChat({ title: 'Team', metadata: { status: 'open' } });
		const { deliveries } = await emulator.changeChatAsUser(team.id, 'u_alice', { metadata: { status: 'resolved' } });
		expect(JSON.parse(deliveries.find((d) => d.webhookId === webhook.id)!.responseBody)).toEqual({ ok: true, ignored: `chat ${team.id} is not a customer conversation` });

		await hook.close();
		await activate({ events: ['chat.updated'], options: { conversationChannels: ['whatsapp'] } });
		expect(await change({ status: 'open' })).toEqual([{ ok: true, ignored: `chat ${chat.id} is not a conversation of the chosen channels` }]);
		expect(startedCalls(hook)).toEqual([]);
	});

	it('a chat anyone made with a conversation’s metadata, its key unsigned or signed with another secret, starts nothing', async () => {
		await activate({ events: ['chat.updated'] });
		const forged = [
			emulator.addChat({ title: 'Forged', externalKey: 'telegram:123456789:1002', metadata: { ...base, conversationId: '123456789:1002' } }),
			emulator.addChat({ title: 'Forged', externalKey: conversationKey('telegram', '123456789', '1003', 'guessed'), metadata: { ...base, conversationId: '123456789:1003' } }),
			emulator.addChat({ title: 'Forged', metadata: base }),
		];
		for (const f of forged) {
			const { deliveries } = await emulator.changeChatAsUser(f.id, 'u_alice', { metadata: { ...f.metadata, status: 'resolved' } });
			expect(deliveries.filter((d) => d.webhookId === webhook.id).map((d) => JSON.parse(d.responseBody) as IDataObject)).toEqual([
				{ ok: true, ignored: `chat ${f.id} is not a customer conversation` },
			]);
		}
		expect(startedCalls(hook)).toEqual([]);
		// the bridge's own chat still does
		expect(await change({ status: 'resolved' })).toEqual([{ ok: true }]);
		expect(changesOfCall(0)).toEqual(['resolved']);
	});

	it('not selected: a chat.updated delivery arriving anyway (an admin widened the webhook) starts nothing', async () => {
		await activate({ events: ['message.created'] });
		const data = { chat: { ...chat, metadata: { ...base, status: 'resolved' }, version: 2 }, previous: { title: chat.title, metadata: base, memberIds: chat.memberIds, version: 1 }, actorId: 'u_alice' };
		const body = deliveryBody('chat.updated', data);
		const { response, started } = await hook.request({ headers: signedHeaders(webhook.secret, body, { event: 'chat.updated' }), body });
		expect([response.status, response.json, started]).toEqual([200, { ok: true, ignored: 'event chat.updated is not selected' }, false]);
	});
});

describe('conversationChanges: previous vs new conversation state', () => {
	const update = (before: IDataObject, after: IDataObject, meta: IDataObject = base) => ({
		chat: { id: 'c_1', metadata: { ...meta, ...after }, version: 2 },
		previous: { title: 'T', metadata: { ...meta, ...before }, memberIds: [], version: 1 },
		actorId: 'u_1',
	});
	it.each([
		['a first status, open', {}, { status: 'open' }, ['opened']],
		['a first status, pending (waiting in its queue)', {}, { status: 'pending', queue: 'support' }, ['opened']],
		['a first status, open with an operator', {}, { status: 'open', assigneeId: 'u_1', queue: 'support' }, ['opened', 'assigned']],
		['pending → open (announced for /take)', { status: 'pending', queue: 'support' }, { status: 'open', queue: 'support' }, []],
		['pending → open with an operator', { status: 'pending' }, { status: 'open', assigneeId: 'u_1' }, ['assigned']],
		['open → open (an assignee set)', { status: 'open' }, { status: 'open', assigneeId: 'u_1' }, ['assigned']],
		['a chat made before the contact centre is taken', {}, { assigneeId: 'u_1' }, ['assigned']],
		['one operator → another', { status: 'open', assigneeId: 'u_1' }, { status: 'open', assigneeId: 'u_2' }, ['transferred', 'assigned']],
		['unassigned', { status: 'open', assigneeId: 'u_1' }, { status: 'open', assigneeId: null }, []],
		['a first queue', { status: 'pending' }, { status: 'pending', queue: 'support' }, []],
		['another queue', { queue: 'support' }, { queue: 'billing' }, ['transferred']],
		['resolved → open', { status: 'resolved' }, { status: 'open' }, ['reopened']],
		['snoozed → open', { status: 'snoozed', snoozedUntil: 'x' }, { status: 'open', snoozedUntil: null }, ['reopened']],
		['resolved → pending (reopened, waiting for a slot)', { status: 'resolved', assigneeId: 'u_1' }, { status: 'pending', assigneeId: null }, ['reopened']],
		['a first status, resolved (a chat made before)', {}, { status: 'resolved' }, ['resolved']],
		['open → snoozed', { status: 'open' }, { status: 'snoozed', snoozedUntil: 'a' }, ['snoozed']],
		['snoozed again, to another time', { status: 'snoozed', snoozedUntil: 'a' }, { status: 'snoozed', snoozedUntil: 'b' }, ['snoozed']],
		['rated', { status: 'resolved' }, { status: 'resolved', rating: { score: 3, at: 'a' } }, ['rated']],
		['rated again', { rating: { score: 3, at: 'a' } }, { rating: { score: 5, at: 'b' } }, ['rated']],
		['only times and flags', { status: 'open' }, { status: 'open', times: { lastCustomerMessageAt: 'a' }, greeted: true }, []],
	])('%s', (_name, before, after, expected) => {
		expect(conversationChanges(update(before, after))).toEqual(expected);
	});

	it('reports nothing for a chat whose metadata does not name a channel and a conversation', () => {
		expect(conversationChanges(update({}, { status: 'resolved' }, { channel: 'telegram' }))).toEqual([]);
		expect(conversationChanges(update({}, { status: 'resolved' }, { conversationId: '1' }))).toEqual([]);
		expect(conversationChanges({ chat: 'nonsense' })).toEqual([]);
	});
});
