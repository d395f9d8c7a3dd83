/**
 * What a real n8n needs to run the customer-conversation examples against the emulators, shared by
 * the e2e suite (test/e2e/conversations.e2e.test.ts) and the sandbox of `npm run dev`
 * (scripts/sandbox/): the four emulators as the conversations use them, the credentials the
 * examples name, the examples with an operator chosen, and the wait until n8n has started every
 * trigger.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { GraphEmulator } from '../emulators/graph';
import { TeamSpiritEmulator, type User } from '../emulators/teamspirit';
import { withoutContactCentre } from '../helpers/examples';
import { TelegramEmulator } from '../emulators/telegram';
import { TwilioEmulator } from '../emulators/twilio';
import { credentialFor, REPO_ROOT, type CredentialImport, type WorkflowJson } from './n8n';

export const CONVERSATION_CHANNELS = ['telegram', 'whatsapp', 'messenger'] as const;
export type ConversationChannel = (typeof CONVERSATION_CHANNELS)[number];

const CHANNEL_TRIGGER = 'n8n-nodes-teamspirit.chatChannelTrigger';
const TEAMSPIRIT_TRIGGER = 'n8n-nodes-teamspirit.teamSpiritTrigger';

/** The TeamSpirit user who answers customers (the examples' "Operator Names or IDs"). */
export const OPERATOR = { id: 'u_olga', name: 'Olga Operator', username: 'olga' };

/** The contact centre's operators (test/e2e/contact-centre.e2e.test.ts, the sandbox). */
export const CENTRE_OPERATORS = [
	{ id: 'u_alice', name: 'Alice Martin', username: 'alice' },
	{ id: 'u_bob', name: 'Bob Boyd', username: 'bob' },
	{ id: 'u_carla', name: 'Carla Diaz', username: 'carla' },
] as const;

export interface ConversationEmulators {
	ts: TeamSpiritEmulator;
	tg: TelegramEmulator;
	tw: TwilioEmulator;
	fb: GraphEmulator;
	operator: User;
	stop(): Promise<void>;
}

/** Ports on 127.0.0.1; a missing one is a free port the system picks. */
export interface EmulatorPorts {
	teamspirit?: number;
	telegram?: number;
	twilio?: number;
	twilioCdn?: number;
	graph?: number;
}

/**
 * TeamSpirit (delivering its outgoing webhooks as the server does) with the operator, Telegram,
 * Twilio (fetching the media URLs of what it sends, as the real one does) and Graph.
 * `firstUpdateId`: see TelegramEmulatorOptions (a sandbox that comes back for the same bot).
 */
export async function startConversationEmulators(
	opts: { ports?: EmulatorPorts; firstUpdateId?: number } = {},
): Promise<ConversationEmulators> {
	const ports = opts.ports ?? {};
	const started: Array<{ stop(): Promise<void> }> = [];
	try {
		const ts = await TeamSpiritEmulator.start({ autoDeliver: true, port: ports.teamspirit });
		started.push(ts);
		const operator = ts.addUser(OPERATOR);
		const tg = await TelegramEmulator.start({
			port: ports.telegram,
			firstUpdateId: opts.firstUpdateId,
		});
		started.push(tg);
		const tw = await TwilioEmulator.start({
			fetchMedia: true,
			port: ports.twilio,
			cdnPort: ports.twilioCdn,
		});
		started.push(tw);
		const fb = await GraphEmulator.start({ port: ports.graph });
		started.push(fb);
		return {
			ts,
			tg,
			tw,
			fb,
			operator,
			// TeamSpirit last: it waits for its deliveries, which may wait for the others' answers
			stop: async () => {
				for (const emulator of [tg, tw, fb, ts]) await emulator.stop().catch(() => undefined);
			},
		};
	} catch (error) {
		for (const emulator of started) await emulator.stop().catch(() => undefined);
		throw error;
	}
}

/** The credentials the examples name (ids `teamspirit`, `telegram-bot`, …), pointing at the emulators. */
export function conversationCredentials(e: ConversationEmulators): CredentialImport[] {
	return [
		credentialFor.teamSpirit('teamspirit', e.ts, 'TeamSpirit account'),
		credentialFor.telegram('telegram-bot', e.tg, 'Telegram bot'),
		credentialFor.twilio('twilio-account', e.tw, 'Twilio account'),
		credentialFor.messenger('messenger-page', e.fb, 'Messenger page'),
	];
}

export function readExample(file: string): WorkflowJson {
	return JSON.parse(
		fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8'),
	) as WorkflowJson;
}

/** examples/<channel>-conversations.json with `operatorId` picked in "Operator Names or IDs", as a user does. */
export function conversationExample(
	channel: ConversationChannel,
	operatorId: string,
): WorkflowJson {
	// as before the contact centre (test/helpers/examples.ts)
	const workflow = withoutContactCentre(readExample(`${channel}-conversations.json`));
	workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!.parameters.operators = [
		operatorId,
	];
	return workflow;
}

/** The webhook ids of an imported conversation workflow's two triggers. */
export function triggerWebhookIds(workflow: WorkflowJson): { customer: string; operator: string } {
	const id = (type: string) => workflow.nodes.find((n) => n.type === type)?.webhookId as string;
	return { customer: id(CHANNEL_TRIGGER), operator: id(TEAMSPIRIT_TRIGGER) };
}

/** Where Twilio and Meta post a channel's messages: the Chat Channel Trigger's production URL. */
export const customerWebhookUrl = (n8nUrl: string, webhookId: string) =>
	`${n8nUrl}/webhook/${webhookId}/webhook`;

/**
 * Waits until n8n started the published conversation workflows: `registrations` TeamSpirit
 * webhooks, Telegram long polling (when `telegram`), and the WhatsApp / Messenger webhook URLs
 * answering something other than 404 (an unsigned probe is refused and starts nothing).
 */
export async function waitForConversationTriggers(
	e: ConversationEmulators,
	opts: {
		registrations: number;
		telegram: boolean;
		customerUrls: string[];
		timeoutMs?: number;
		diagnostics?: () => string;
	},
): Promise<void> {
	const deadline = Date.now() + (opts.timeoutMs ?? 45_000);
	const fail = (what: string) =>
		new Error(`timed out waiting for ${what}\n${opts.diagnostics?.() ?? ''}`);
	const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
	while (e.ts.webhooks.size < opts.registrations) {
		if (Date.now() > deadline) throw fail(`${opts.registrations} TeamSpirit registrations`);
		await sleep(100);
	}
	while (opts.telegram && !e.tg.polling) {
		if (Date.now() > deadline) throw fail('Telegram long polling');
		await sleep(100);
	}
	for (const url of opts.customerUrls) {
		for (;;) {
			const probe = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{}',
			});
			await probe.text();
			if (probe.status !== 404) break;
			if (Date.now() > deadline) throw fail(`${url} to be registered`);
			await sleep(250);
		}
	}
}

// ----- the contact centre ------------------------------------------------------------------------

/** A queue as the Contact Centre settings of *Forward to TeamSpirit* define it (README, "Queues and routing"). */
export interface QueueDefinition {
	name: string;
	/** TeamSpirit user ids. */
	operators: string[];
	announceChatId?: string;
	routing: 'manual' | 'roundRobin' | 'leastBusy';
	maxOpen: number;
	timeZone?: string;
	/** Weekly hours, e.g. `Mon-Fri 09:00-18:00, Sat 10:00-14:00`; empty: always open. */
	hours?: string;
	greeting?: string;
	awayReply?: string;
	closingMessage?: string;
	ratingQuestion?: string;
	notePrefix?: string;
	cannedChatId?: string;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const hhmm = (d: Date) => d.toISOString().slice(11, 16);

/**
 * Weekly hours (UTC) open from `from` to `to` (less than a day apart), as a queue's *Weekly Hours*
 * take them: `Sat 19:10-22:10` (a range may run past midnight: `Sat 23:10-02:10`).
 */
export const weeklyHours = (from: Date, to: Date): string =>
	`${DAYS[from.getUTCDay()]} ${hhmm(from)}-${hhmm(to)}`;

/**
 * examples/<channel>-conversations.json as shipped (a queue, a Schedule Trigger → Process Due
 * Conversations), with `queues` in its Contact Centre settings instead of the example's, and its
 * schedule every 10 seconds.
 */
export function contactCentreExample(
	channel: ConversationChannel,
	queues: QueueDefinition[],
): WorkflowJson {
	const workflow = readExample(`${channel}-conversations.json`);
	const forward = workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!;
	forward.parameters.operators = [];
	const chat = (id?: string) =>
		id ? { __rl: true, mode: 'id', value: id } : { __rl: true, mode: 'list', value: '' };
	forward.parameters.contactCentre = {
		queues: queues.map((q) => ({
			name: q.name,
			operators: q.operators,
			routing: q.routing,
			announceChat: chat(q.announceChatId),
			maxOpen: q.maxOpen,
			timeZone: q.timeZone ?? 'UTC',
			weeklyHours: q.hours ?? '',
			greeting: q.greeting ?? '',
			awayReply: q.awayReply ?? '',
			closingMessage: q.closingMessage ?? '',
			askRating: !!q.ratingQuestion,
			...(q.ratingQuestion ? { ratingQuestion: q.ratingQuestion } : {}),
			notePrefix: q.notePrefix ?? '',
			cannedChat: chat(q.cannedChatId),
		})),
	};
	// the example's Schedule Trigger → Process Due Conversations, every 10 s instead of every minute
	const schedule = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger')!;
	schedule.parameters.rule = { interval: [{ field: 'seconds', secondsInterval: 10 }] };
	return workflow;
}

/** What the Chat Channel node needs for the conversation operations (the channel's credential is required). */
const CENTRE_CREDENTIALS = {
	teamSpiritTelegramApi: { id: 'telegram-bot', name: 'Telegram bot' },
	teamSpiritApi: { id: 'teamspirit', name: 'TeamSpirit account' },
};

/** n8n's Webhook (`POST /webhook/contact-centre-statistics`, answers the last node) → Get Statistics of the last 24 hours, all channels. */
export function statisticsWorkflow(): WorkflowJson {
	return {
		name: 'Contact centre: statistics',
		nodes: [
			{
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				parameters: {
					httpMethod: 'POST',
					path: 'contact-centre-statistics',
					responseMode: 'lastNode',
					options: {},
				},
			},
			{
				name: 'Get Statistics',
				type: 'n8n-nodes-teamspirit.chatChannel',
				typeVersion: 1,
				position: [240, 0],
				parameters: {
					channel: 'telegram',
					resource: 'conversation',
					operation: 'getStatistics',
					period: 'last24Hours',
					statisticsOptions: { channels: 'all' },
				},
				credentials: CENTRE_CREDENTIALS,
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'Get Statistics', type: 'main', index: 0 }]] },
		},
	};
}
