/**
 * The contact centre's editor operations (Chat Channel → Conversation) through the real engine
 * against the TeamSpirit emulator: conversation chats seeded as Forward to TeamSpirit makes them
 * (a signed key, the channel's metadata, the contact centre's state), a workflow Manual Trigger →
 * Items → Chat Channel with the operation's parameters.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { TeamSpiritMessengerApi } from '../../../credentials/TeamSpiritMessengerApi.credentials';
import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { TeamSpiritTwilioApi } from '../../../credentials/TeamSpiritTwilioApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { forgetCaches } from '../../../nodes/conversations/caches';
import { forgetQueues, type QueueSettings } from '../../../nodes/conversations/centre/queues';
import { conversationKey, queueKey } from '../../../nodes/conversations/keys';
import { TelegramEmulator } from '../../emulators/telegram';
import { TeamSpiritEmulator, type Chat, type User } from '../../emulators/teamspirit';
import { ITEMS_NODE_TYPE, runWorkflow, type RunResult, type WorkflowJson } from '../../harness';

/** The accounts conversations are seeded at (the Telegram one is not the emulator's bot: no check needs it). */
export const ACCOUNTS: Record<string, string> = {
	telegram: '777000',
	whatsapp: '+15550001111',
	messenger: '1234567890',
};

export interface SeededConversation {
	channel?: string;
	conversationId: string;
	name: string;
	/** The contact centre's metadata (status, assigneeId, queue, times, rating…). */
	state?: IDataObject;
	createdAt?: string;
	/** Sign the key with another secret (a chat that only looks like a conversation). */
	forged?: boolean;
}

export type Centre = Awaited<ReturnType<typeof startCentre>>;

export async function startCentre() {
	forgetCaches();
	forgetQueues();
	const ts = await TeamSpiritEmulator.start();
	const tg = await TelegramEmulator.start();
	const alice = ts.addUser({ name: 'Alice Martin', username: 'alice' });
	const bob = ts.addUser({ name: 'Bob Boyd', username: 'bob' });
	for (const operator of [alice, bob]) ts.setStatus(operator.id, { status: 'online' });

	/** A queue as Forward to TeamSpirit publishes it (its settings chat, signed key). */
	const queue = (settings: Partial<QueueSettings> & { name: string }): Chat =>
		ts.addChat({
			title: `Queue · ${settings.name}`,
			externalKey: queueKey(settings.name, ts.apiKey),
			metadata: {
				kind: 'queue',
				settings: {
					operators: [],
					announceChatId: '',
					routing: 'leastBusy',
					maxOpen: 0,
					accounts: [],
					timeZone: 'UTC',
					weeklyHours: '',
					holidays: '',
					greeting: '',
					awayReply: '',
					awayQuietMinutes: 15,
					closingMessage: '',
					ratingQuestion: '',
					notePrefix: '',
					cannedChatId: '',
					...settings,
				},
			},
		});

	/** A conversation chat as Forward to TeamSpirit makes it, with the contact centre's state. */
	const seed = (c: SeededConversation): Chat => {
		const channel = c.channel ?? 'telegram';
		const secret = c.forged ? 'not-the-secret' : ts.apiKey;
		return ts.addChat({
			title: `${channel} · ${c.name}`,
			memberIds: [alice.id, bob.id],
			externalKey: conversationKey(channel, ACCOUNTS[channel], c.conversationId, secret),
			metadata: {
				channel,
				account: ACCOUNTS[channel],
				conversationId: c.conversationId,
				customer: { id: c.conversationId, name: c.name },
				...c.state,
			},
			...(c.createdAt ? { createdAt: c.createdAt } : {}),
		});
	};

	const run = async (
		parameters: IDataObject,
		options: { items?: IDataObject[]; continueOnFail?: boolean; channel?: string } = {},
	) => {
		const result = await runWorkflow({
			workflow: workflowOf(
				{ channel: options.channel ?? 'telegram', resource: 'conversation', ...parameters },
				options.items ?? [{}],
				options.continueOnFail === true,
			),
			nodeTypes: { 'n8n-nodes-teamspirit.chatChannel': new ChatChannel() },
			credentialTypes: [
				new TeamSpiritApi(),
				new TeamSpiritTelegramApi(),
				new TeamSpiritTwilioApi(),
				new TeamSpiritMessengerApi(),
			],
			credentials: {
				teamSpiritApi: { serverUrl: ts.url, apiKey: ts.apiKey },
				teamSpiritTelegramApi: { accessToken: tg.token, baseUrl: tg.url },
			},
		});
		return withOutput(result);
	};

	const stop = async () => {
		await ts.stop();
		await tg.stop();
	};
	return { ts, tg, alice, bob, seed, queue, run, stop };
}

function withOutput(result: RunResult) {
	let output: IDataObject[] | undefined;
	try {
		output = result.nodeOutput('Chat Channel').map((item) => item.json);
	} catch {
		output = undefined;
	}
	return { ...result, output };
}

function workflowOf(
	parameters: IDataObject,
	items: IDataObject[],
	continueOnFail: boolean,
): WorkflowJson {
	const position: [number, number] = [0, 0];
	return {
		name: 'Escalations',
		nodes: [
			{
				id: 'a1',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position,
				parameters: {},
			},
			{
				id: 'a2',
				name: 'Items',
				type: ITEMS_NODE_TYPE,
				typeVersion: 1,
				position,
				parameters: { items: JSON.stringify(items) },
			},
			{
				id: 'a3',
				name: 'Chat Channel',
				type: 'n8n-nodes-teamspirit.chatChannel',
				typeVersion: 1,
				position,
				parameters: parameters as INodeParameters,
				credentials: {
					teamSpiritApi: { id: '1', name: 'TeamSpirit' },
					teamSpiritTelegramApi: { id: '2', name: 'Telegram bot' },
				},
				...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			},
		],
		connections: {
			Start: { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'Chat Channel', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1', timezone: 'Europe/Berlin' },
	};
}

/** A chat-picker value by id, as the editor stores it. */
export const chatPick = (chat: Chat | string) => ({
	__rl: true,
	mode: 'id',
	value: typeof chat === 'string' ? chat : chat.id,
});

export type { Chat, User };
