/**
 * Two first messages of one customer handled by two n8n processes at the same moment (queue mode:
 * two workers). In one process the bridge runs a conversation's executions one after another, so
 * the race only exists between processes: each process is a separate copy of the package's modules
 * here (jest.isolateModules: no shared memory, like two workers), and TeamSpirit gets both chat
 * creations together. One chat, holding both messages: the second creation is answered 409 with the
 * chat, and the bridge uses it.
 */
import { randomUUID } from 'node:crypto';

import type { INodeType } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { conversationKey } from '../../../nodes/conversations/keys';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { runWorkflow, type WorkflowJson } from '../../harness';
import { barrierProxy, processCopy } from './setup';

const BOT_ID = '123456789';

function workflow(): WorkflowJson {
	return {
		id: `wf-race-${randomUUID().slice(0, 8)}`,
		name: 'race',
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
function customerMessage(messageId: number, text: string) {
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
		timestamp: new Date().toISOString(),
		raw: {
			update_id: 1000 + messageId,
			message: { message_id: messageId, date: 1, chat: { id: 1001 }, text },
		},
	};
}

let ts: TeamSpiritEmulator;
let proxy: Awaited<ReturnType<typeof barrierProxy>>;
beforeEach(async () => {
	ts = await TeamSpiritEmulator.start();
	proxy = await barrierProxy(ts.url, 2);
});
afterEach(async () => {
	await proxy.stop();
	await ts.stop();
});

describe('Customer conversations: two processes, two first messages at the same moment', () => {
	it('end in one chat holding both messages', async () => {
		const flow = workflow();
		const run = async (node: INodeType, messageId: number, text: string) =>
			await runWorkflow({
				workflow: flow,
				nodeTypes: { 'n8n-nodes-teamspirit.chatChannel': node },
				credentialTypes: [new TeamSpiritTelegramApi(), new TeamSpiritApi()],
				credentials: {
					teamSpiritTelegramApi: { accessToken: `${BOT_ID}:AAtest`, baseUrl: 'http://127.0.0.1:9' },
					teamSpiritApi: { serverUrl: proxy.url, apiKey: ts.apiKey },
				},
				startNode: 'Forward to TeamSpirit',
				startItems: [{ json: customerMessage(messageId, text) }],
			});
		const [a, b] = await Promise.all([
			run(processCopy(), 1, 'Hello?'),
			run(processCopy(), 2, 'Is anybody there?'),
		]);
		expect([a.status, b.status]).toEqual(['success', 'success']);

		const key = conversationKey('telegram', BOT_ID, '1001', ts.apiKey);
		const chats = [...ts.chats.values()].filter((chat) => chat.externalKey === key);
		expect(chats).toHaveLength(1);
		expect(
			ts
				.messagesIn(chats[0].id)
				.map((m) => m.text)
				.sort(),
		).toEqual(['Hello?', 'Is anybody there?']);
		// both created at the same moment: one did, the other was told it exists (409) and used it
		const creations = ts.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/chats');
		expect(creations.map((r) => r.status).sort()).toEqual([201, 409]);
	});
});
