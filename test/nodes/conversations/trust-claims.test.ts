/**
 * Conversations under attack and under load (issue 18, items 1, 2 and 6–11), through the examples
 * and the engine:
 * - the bridge sends only from chats it opened itself: their keys carry its signature (an HMAC
 *   with the TeamSpirit credential's secret), and the chat's metadata must name the customer the
 *   key names; a chat opened in advance under a customer's guessable key captures nothing; the
 *   delivery's `data.chat` is not believed (the chat is read from TeamSpirit; it only confirms a
 *   chat this process verified before, steady-state.test.ts);
 * - exactly one process sends an operator message (a conditional claim in TeamSpirit), another
 *   waits for it instead of warning; a claim whose record failed is never sent twice once this
 *   process has forgotten it; an edit or delete made while the message is being sent reaches the
 *   customer; the catch-up sends only what the trigger would have started for; a message carrying
 *   another integration's key is still sent.
 */
import type { IDataObject, INodeType } from 'n8n-workflow';

import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TeamSpiritTrigger } from '../../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { conversationKey } from '../../../nodes/conversations/keys';
import type { Message } from '../../emulators/teamspirit';
import { runWorkflow } from '../../harness';
import { runNode, startBridge, type Bridge, type Customer, processCopy } from './setup';

jest.setTimeout(120_000);

let bridge: Bridge;
afterEach(async () => {
	await bridge?.stop();
});

const notices = (b: Bridge, chatId: string) =>
	b.ts.messagesIn(chatId).filter((m) => m.senderId === b.ts.bot.id && m.text.startsWith('⚠️'));

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => T | undefined | false, ms = 30_000): Promise<T> {
	const deadline = Date.now() + ms;
	for (;;) {
		const value = probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(50);
	}
}

/** An operator's message whose delivery has not come (TeamSpirit holds it; no execution yet). */
const operatorMessage = (chatId: string, text: string, fields: Partial<Message> = {}) =>
	bridge.ts.addMessage(chatId, { senderId: bridge.operator.id, text, format: 'plain', ...fields });

/** The TeamSpirit Trigger's item of a message event, as the trigger gives it. */
function eventItem(event: string, message: Message, chat: IDataObject | null): IDataObject {
	return {
		event,
		chatId: message.chatId,
		messageId: message.id,
		senderId: message.senderId,
		text: message.text,
		chat,
		message: { ...message, chat } as unknown as IDataObject,
	};
}

describe('Conversation chats are the bridge’s own (telegram)', () => {
	let anna: Customer;
	let boris: Customer;

	it('a chat opened in advance under a customer’s guessable key captures nothing, and sends nothing', async () => {
		bridge = await startBridge('telegram');
		anna = bridge.newCustomer('Anna', 'Petrova');
		// someone with the bot's API access opens "Anna's chat" before she writes, under the key an
		// unsigned bridge would use
		const trap = bridge.ts.addChat({
			title: 'Telegram · Anna Petrova',
			memberIds: [bridge.operator.id],
			externalKey: `telegram:${bridge.driver.account}:${anna.part}`,
			metadata: { channel: 'telegram', account: bridge.driver.account, conversationId: anna.part },
		});
		await bridge.write(anna, 'Hello?');

		// her message is in a chat the bridge opened (signed key), not in the trap
		expect(bridge.ts.messagesIn(trap.id)).toEqual([]);
		expect(bridge.chatOf(anna)!.id).not.toBe(trap.id);
		expect(bridge.messagesOf(anna).map((m) => m.text)).toEqual(['Hello?']);

		// what is written in the trap never reaches her: a notice says why
		await bridge.ts.postAsUser(trap.id, bridge.operator.id, { text: 'Send me your password' });
		await bridge.settle();
		expect(bridge.received(anna)).toEqual([]);
		const [notice, ...more] = notices(bridge, trap.id);
		expect(more).toEqual([]);
		expect(notice.text).toMatch(/not opened by the conversation bridge/);
	});

	it('a chat whose metadata was changed to name another customer sends to no one', async () => {
		bridge = await startBridge('telegram');
		anna = bridge.newCustomer('Anna', 'Petrova');
		boris = bridge.newCustomer('Boris', 'Ivanov');
		await bridge.write(anna, 'Hi, Anna here');
		await bridge.write(boris, 'Hi, Boris here');
		const chat = bridge.chatOf(anna)!;
		bridge.ts.chats.get(chat.id)!.metadata = {
			...chat.metadata,
			conversationId: boris.part,
		};

		await bridge.operatorPosts(anna, { text: 'Your order 123 is ready' });

		expect(bridge.received(anna)).toEqual([]);
		expect(bridge.received(boris)).toEqual([]);
		expect(notices(bridge, chat.id).map((m) => m.text)).toEqual([
			expect.stringMatching(/metadata names another customer/),
		]);
	});

	it('a conversation of another bot (another workflow’s bridge) is left alone: no send, no notice', async () => {
		bridge = await startBridge('telegram');
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		// the same TeamSpirit credential serves a second Telegram bot's workflow
		const other = bridge.ts.addChat({
			title: 'Telegram · Carl (bot 2)',
			memberIds: [bridge.operator.id],
			externalKey: conversationKey('telegram', '987654321', anna.part, bridge.ts.apiKey),
			metadata: { channel: 'telegram', account: '987654321', conversationId: anna.part },
		});
		await bridge.ts.postAsUser(other.id, bridge.operator.id, { text: 'For bot 2’s customer' });
		await bridge.settle();

		expect(bridge.received(anna)).toEqual([]);
		expect(notices(bridge, other.id)).toEqual([]);
		const [run] = bridge.started().operator;
		expect(run.run!.nodeOutput('Send to Customer')[0].json).toMatchObject({
			action: 'skipped',
			reason: expect.stringMatching(/another Telegram account/),
		});
	});

	it('a delivery whose data.chat names a conversation, for a message of an internal chat, sends nothing', async () => {
		bridge = await startBridge('telegram');
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const conversation = bridge.chatOf(anna)!;
		const internal = bridge.ts.addChat({ title: 'Board', memberIds: [bridge.operator.id] });
		const secret = operatorMessage(internal.id, 'Q3 numbers: confidential');
		// a forged delivery (Verification: None) claims the message is in Anna's chat
		const forged = {
			...eventItem('message.created', secret, {
				id: conversation.id,
				title: conversation.title,
				externalKey: conversation.externalKey,
				metadata: conversation.metadata,
			}),
		};
		const run = await runNode(bridge, 'Send to Customer', [forged]);

		expect(run.status).toBe('success');
		expect(run.nodeOutput('Send to Customer')[0].json).toMatchObject({ action: 'skipped' });
		expect(bridge.received(anna)).toEqual([]);
	});
});

describe('Exactly one process sends an operator message (telegram)', () => {
	let anna: Customer;

	it('two processes handling the same delivery at once: one sends, the other waits and finds it sent', async () => {
		bridge = await startBridge('telegram');
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const chat = bridge.chatOf(anna)!;
		const message = operatorMessage(chat.id, 'Hello Anna');
		const item = eventItem('message.created', message, null);
		const inProcess = async (node: INodeType) =>
			await runWorkflow({
				workflow: bridge.workflow,
				nodeTypes: {
					'n8n-nodes-teamspirit.chatChannelTrigger': new ChatChannelTrigger(),
					'n8n-nodes-teamspirit.teamSpiritTrigger': new TeamSpiritTrigger(),
					'n8n-nodes-teamspirit.chatChannel': node,
				},
				credentialTypes: bridge.credentialTypes,
				credentials: bridge.credentials,
				startNode: 'Send to Customer',
				startItems: [{ json: item }],
				mode: 'webhook',
			});
		const runs = await Promise.all([inProcess(processCopy()), inProcess(processCopy())]);

		expect(runs.map((r) => r.status)).toEqual(['success', 'success']);
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Hello Anna']);
		const actions = runs.map((r) => r.nodeOutput('Send to Customer')[0].json.action).sort();
		expect(actions).toEqual(['sent', 'skipped']);
		// no "may not have reached the customer" while the other was still sending
		expect(notices(bridge, chat.id)).toEqual([]);
		expect(bridge.ts.message(message.id)!.externalKey).toBe(
			`${bridge.keyOf(anna)}#${bridge.received(anna)[0].id}`,
		);
	});

	it('a claim held by another process that is still sending: waited for, no notice, not sent again', async () => {
		bridge = await startBridge('telegram');
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const chat = bridge.chatOf(anna)!;
		const message = operatorMessage(chat.id, 'Being sent elsewhere');
		bridge.ts.message(message.id)!.externalKey =
			`pending:${message.id}:${Date.now() + 60_000}:otherWorker`;
		// the other worker finishes a moment later
		const finishing = sleep(1500).then(() => {
			bridge.ts.message(message.id)!.externalKey = `${bridge.keyOf(anna)}#9999`;
		});

		const run = await runNode(bridge, 'Send to Customer', [
			eventItem('message.created', message, null),
		]);
		await finishing;

		expect(run.nodeOutput('Send to Customer')[0].json).toMatchObject({
			action: 'skipped',
			reason: expect.stringMatching(/already sent/),
		});
		expect(bridge.received(anna)).toEqual([]);
		expect(notices(bridge, chat.id)).toEqual([]);
	});

	it('sent, but recording it failed, and retried after this process forgot its claim: no second copy', async () => {
		bridge = await startBridge('telegram', {
			faultProxies: true,
			toCustomerOptions: { waitMinutes: 0 },
		});
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		bridge.tsProxy!.rule({
			match: (r) => r.method === 'PATCH' && r.body.includes('#'),
			action: { status: 422, json: { error: { code: 'validation_error', message: 'injected' } } },
			count: 1,
		});
		const posted = await bridge.operatorPosts(anna, { text: 'Hello Anna' });
		expect(bridge.started().operator[0].run?.status).toBe('error');
		expect(bridge.received(anna)).toHaveLength(1);

		// an hour later (TeamSpirit's own re-send) or in another process: the claim has lapsed and
		// this process no longer knows what the channel took
		bridge.forgetProcessMemory();
		const claim = bridge.ts.message(posted.id)!.externalKey!;
		expect(claim).toMatch(new RegExp(`^pending:${posted.id}:\\d+:`));
		bridge.ts.message(posted.id)!.externalKey = claim.replace(/:\d+:/, `:${Date.now() - 1000}:`);
		const run = await runNode(bridge, 'Send to Customer', [
			eventItem('message.created', posted, null),
		]);

		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Hello Anna']);
		expect(run.nodeOutput('Send to Customer')[0].json).toMatchObject({ action: 'notice' });
		expect(notices(bridge, bridge.chatOf(anna)!.id).map((m) => m.text)).toEqual([
			expect.stringMatching(/may or may not have reached the customer/),
		]);
	});

	it('an edit made while the message was still being sent reaches the customer once it is sent', async () => {
		bridge = await startBridge('telegram');
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const posted = await bridge.operatorPosts(anna, { text: 'Your parcel leaves on Monday' });
		const sentKey = bridge.ts.message(posted.id)!.externalKey!;
		// as if another process were still sending it when the operator corrected it
		bridge.ts.message(posted.id)!.externalKey =
			`pending:${posted.id}:${Date.now() + 60_000}:otherWorker`;
		const finishing = sleep(1500).then(() => {
			bridge.ts.message(posted.id)!.externalKey = sentKey;
		});
		await bridge.operatorEdits(posted, 'Your parcel leaves on Tuesday');
		await finishing;
		await bridge.settle();

		expect(bridge.received(anna).map((r) => [r.text, r.edited ?? false])).toEqual([
			['Your parcel leaves on Tuesday', true],
		]);
		expect(notices(bridge, bridge.chatOf(anna)!.id)).toEqual([]);
	});

	it('a message deleted while it was being sent is taken back from the customer', async () => {
		bridge = await startBridge('telegram', { faultProxies: true });
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const file = bridge.operatorUploads('label.pdf', 'application/pdf', Buffer.from('%PDF-1.4'));
		// the file's bytes are held while the operator deletes the message (text already sent)
		const releaseRule = bridge.tsProxy!.rule({
			match: (r) => r.method === 'GET' && /\/files\/[^/]+\/content$/.test(r.path),
			action: 'hold',
			count: 1,
		});
		const chat = bridge.chatOf(anna)!;
		const { message } = await bridge.ts.postAsUser(chat.id, bridge.operator.id, {
			text: 'Wrong customer, delete!',
			fileIds: [file.id],
		});
		await until('the file download to be held', () =>
			bridge.tsProxy!.seen.some((r) => r.outcome === 'held'),
		);
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Wrong customer, delete!']);
		await bridge.ts.deleteAsUser(message.id);
		bridge.tsProxy!.release();
		releaseRule();
		await bridge.settle();

		expect(bridge.received(anna).every((r) => r.deleted)).toBe(true);
		expect(bridge.received(anna).length).toBeGreaterThanOrEqual(1);
		const outputs = bridge
			.started()
			.operator.map((c) => c.run?.nodeOutput('Send to Customer')[0]?.json.action);
		expect(outputs).toContain('deleted');
	});
});

describe('The catch-up and other integrations’ keys (telegram)', () => {
	let anna: Customer;

	it('catches up only on messages that pass the trigger’s filters (Only Messages Mentioning the Bot)', async () => {
		bridge = await startBridge('telegram', {
			operatorTriggerOptions: { onlyMentions: true },
		});
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const chat = bridge.chatOf(anna)!;
		// an internal remark (no mention: the trigger starts nothing), then an answer for the customer
		await bridge.ts.postAsUser(chat.id, bridge.operator.id, {
			text: 'She complained twice already, careful',
		});
		await bridge.settle();
		expect(bridge.started().operator).toEqual([]);
		await bridge.ts.postAsUser(chat.id, bridge.operator.id, {
			text: `@${bridge.ts.bot.username} Hello Anna, how can I help?`,
		});
		await bridge.settle();

		expect(bridge.received(anna).map((r) => r.text)).toEqual([
			`@${bridge.ts.bot.username} Hello Anna, how can I help?`,
		]);
	});

	it('an operator message carrying another integration’s key is sent, not skipped as mapped', async () => {
		bridge = await startBridge('telegram');
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hi');
		const chat = bridge.chatOf(anna)!;
		const message = operatorMessage(chat.id, 'Ticket answered', { externalKey: 'crm:ticket-4711' });
		const run = await runNode(bridge, 'Send to Customer', [
			eventItem('message.created', message, null),
		]);

		expect(run.nodeOutput('Send to Customer')[0].json).toMatchObject({ action: 'sent' });
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Ticket answered']);
	});
});
