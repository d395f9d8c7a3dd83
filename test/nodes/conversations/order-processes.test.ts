/**
 * Order of one customer's messages between two n8n processes (queue mode: two workers), each a
 * separate copy of the package's modules (jest.isolateModules: no shared memory). A process cannot
 * see the other's executions, so it cannot wait for them; what it can see is what TeamSpirit holds:
 * a message that arrives after a later message of the same customer is marked as late, with the
 * time it was sent, instead of silently appearing out of order.
 */
import { randomUUID } from 'node:crypto';

import type { INodeType } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { conversationKey } from '../../../nodes/conversations/keys';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { processCopy } from './setup';
import { runWorkflow, type WorkflowJson } from '../../harness';

const BOT_ID = '123456789';

function workflow(): WorkflowJson {
	return {
		id: `wf-order-${randomUUID().slice(0, 8)}`,
		name: 'order',
		nodes: [
			{
				parameters: {},
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				id: randomUUID(),
			},
			{
				parameters: {
					channel: 'telegram',
					resource: 'conversation',
					operation: 'toTeamSpirit',
					operators: [],
					conversationOptions: {},
				},
				name: 'Forward to TeamSpirit',
				type: 'n8n-nodes-teamspirit.chatChannel',
				typeVersion: 1,
				position: [200, 0],
				id: randomUUID(),
				credentials: {
					teamSpiritTelegramApi: { id: '1', name: 'Telegram bot' },
					teamSpiritApi: { id: '2', name: 'TeamSpirit' },
				},
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowJson;
}

/** A Chat Channel Trigger item of a Telegram customer's message. */
function customerMessage(messageId: number, text: string, timestamp: string) {
	return {
		channel: 'telegram',
		account: BOT_ID,
		event: 'message',
		eventId: `telegram:${BOT_ID}:${1000 + messageId}`,
		messageId: String(messageId),
		conversationId: '1001',
		sender: { id: '1001', name: 'Anna Petrova', isBot: false },
		text,
		attachments: [],
		timestamp,
		raw: {
			update_id: 1000 + messageId,
			message: { message_id: messageId, date: 1, chat: { id: 1001 }, text },
		},
	};
}

let ts: TeamSpiritEmulator;
beforeEach(async () => {
	ts = await TeamSpiritEmulator.start();
});
afterEach(async () => {
	await ts.stop();
});

describe('Customer conversations: one customer’s messages forwarded by two processes', () => {
	const flow = workflow();
	const run = async (node: INodeType, messageId: number, text: string, timestamp: string) =>
		await runWorkflow({
			workflow: flow,
			nodeTypes: { 'n8n-nodes-teamspirit.chatChannel': node },
			credentialTypes: [new TeamSpiritTelegramApi(), new TeamSpiritApi()],
			credentials: {
				teamSpiritTelegramApi: { accessToken: `${BOT_ID}:AAtest`, baseUrl: 'http://127.0.0.1:9' },
				teamSpiritApi: { serverUrl: ts.url, apiKey: ts.apiKey },
			},
			startNode: 'Forward to TeamSpirit',
			startItems: [{ json: customerMessage(messageId, text, timestamp) }],
		});
	const texts = () => {
		const key = conversationKey('telegram', BOT_ID, '1001', ts.apiKey);
		const chat = [...ts.chats.values()].find((c) => c.externalKey === key)!;
		return ts.messagesIn(chat.id).map((m) => m.text);
	};

	it('a message that reaches TeamSpirit after a later one of the customer says it is late, and when it was sent', async () => {
		const [first, second] = [processCopy(), processCopy()];
		// the second worker got the later message and forwarded it first
		expect((await run(second, 11, 'Is anybody there?', '2026-12-05T14:00:02.000Z')).status).toBe(
			'success',
		);
		expect((await run(first, 10, 'Hello?', '2026-12-05T14:00:01.000Z')).status).toBe('success');
		expect(texts()).toEqual([
			'Is anybody there?',
			'(Sent at 14:00:01 UTC, before the message above: it reached TeamSpirit late.)\nHello?',
		]);
	});

	it('messages that arrive in order carry no such line', async () => {
		const [first, second] = [processCopy(), processCopy()];
		expect((await run(first, 10, 'Hello?', '2026-12-05T14:00:01.000Z')).status).toBe('success');
		expect((await run(second, 11, 'Is anybody there?', '2026-12-05T14:00:02.000Z')).status).toBe(
			'success',
		);
		expect(texts()).toEqual(['Hello?', 'Is anybody there?']);
	});
});
