/**
 * The sandbox of `npm run dev`: n8n with this package and the conversation examples, the
 * TeamSpirit, Telegram, Twilio and Graph emulators standing in for the real servers on fixed
 * ports, and the playground page (playground.ts). Used by scripts/sandbox/main.ts (the command)
 * and by the playground's browser test (test/editor/playground.test.ts).
 *
 * What a run keeps in the n8n home (`<home>/sandbox.json` beside n8n's own data): the owner's
 * login, whether the examples were imported and published, and the credentials' data as last
 * imported. A second run imports nothing again (the credentials only when a port changed) and
 * publishes nothing again: what the user changed in the editor stays. The emulators keep their
 * state in memory: chats and messages start afresh with every run.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	CONVERSATION_CHANNELS,
	conversationCredentials,
	conversationExample,
	customerWebhookUrl,
	readExample,
	startConversationEmulators,
	triggerWebhookIds,
	waitForConversationTriggers,
	type ConversationChannel,
	type ConversationEmulators,
} from '../../test/e2e/conversation-setup';
import {
	importCredentials,
	importWorkflows,
	N8nEditor,
	REPO_ROOT,
	startN8n,
	type N8nHome,
	type N8nOwner,
	type RunningN8n,
	type WorkflowJson,
} from '../../test/e2e/n8n';
import type { Webhook } from '../../test/emulators/teamspirit';
import { startPlayground, type ChannelWorkflow, type Playground } from './playground';

export interface SandboxPorts {
	n8n: number;
	playground: number;
	teamspirit: number;
	telegram: number;
	twilio: number;
	twilioCdn: number;
	graph: number;
}

/** n8n on 5678 as always; the playground on 5680; the emulators on the five ports from 5681. */
export function sandboxPorts(env: NodeJS.ProcessEnv = process.env): SandboxPorts {
	const num = (value: string | undefined, fallback: number, name: string) => {
		if (value === undefined || value === '') return fallback;
		const n = Number(value);
		if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${name}=${value} is not a port`);
		return n;
	};
	const first = num(env.TS_EMULATOR_PORT, 5681, 'TS_EMULATOR_PORT');
	return {
		n8n: num(env.N8N_PORT, 5678, 'N8N_PORT'),
		playground: num(env.TS_PLAYGROUND_PORT, 5680, 'TS_PLAYGROUND_PORT'),
		teamspirit: first,
		telegram: first + 1,
		twilio: first + 2,
		twilioCdn: first + 3,
		graph: first + 4,
	};
}

/** The workflows the sandbox imports, with ids of its own (so a second run finds them). */
export const SANDBOX_WORKFLOWS: Array<{ id: string; file: string; channel?: ConversationChannel }> = [
	{ id: 'sandboxTelegram', file: 'telegram-conversations.json', channel: 'telegram' },
	{ id: 'sandboxWhatsApp', file: 'whatsapp-conversations.json', channel: 'whatsapp' },
	{ id: 'sandboxMessenger', file: 'messenger-conversations.json', channel: 'messenger' },
	{ id: 'sandboxTelegramEcho', file: 'telegram-echo-bot.json' },
	{ id: 'sandboxWhatsAppEcho', file: 'whatsapp-echo-bot.json' },
	{ id: 'sandboxMessengerEcho', file: 'messenger-echo-bot.json' },
];

interface SandboxState {
	owner?: N8nOwner;
	/**
	 * The outgoing webhooks n8n registered with the TeamSpirit emulator. n8n 2.41 registers a
	 * trigger's webhook when the workflow is published and trusts the server to keep it (a restart
	 * does not check again), as TeamSpirit does: the sandbox keeps them between runs too.
	 */
	teamSpiritWebhooks?: Webhook[];
	imported?: boolean;
	published?: boolean;
	/** The credentials' data as last imported (the emulators' URLs and secrets, no user data). */
	credentials?: string;
}

export interface SandboxOptions {
	/** The n8n home (N8N_USER_FOLDER) with the package installed; sandbox.json is kept in it. */
	home: N8nHome;
	ports: SandboxPorts;
	/** More environment for n8n. */
	n8nEnv?: NodeJS.ProcessEnv;
	/** n8n's output as it comes (default: kept, not shown). */
	onN8nOutput?: (chunk: string) => void;
	log?: (line: string) => void;
	/** The playground page's folder (default scripts/sandbox/page of the repository). */
	pageDir?: string;
}

export interface Sandbox {
	n8n: RunningN8n;
	playground: Playground;
	emulators: ConversationEmulators;
	editor: N8nEditor;
	owner: N8nOwner;
	/** The conversation workflow of each channel. */
	workflows: Record<ConversationChannel, ChannelWorkflow>;
	/** Stops the playground, n8n and the emulators. */
	stop(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
	const log = opts.log ?? (() => undefined);
	const { home, ports } = opts;
	const stateFile = path.join(home.dir, 'sandbox.json');
	const state: SandboxState = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : {};
	const save = () => fs.writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });

	let emulators: ConversationEmulators | undefined;
	let n8n: RunningN8n | undefined;
	let playground: Playground | undefined;
	let keeping: NodeJS.Timeout | undefined;
	const keepWebhooks = () => {
		if (!emulators) return;
		const now = [...emulators.ts.webhooks.values()];
		if (JSON.stringify(now) === JSON.stringify(state.teamSpiritWebhooks ?? [])) return;
		state.teamSpiritWebhooks = now;
		save();
	};
	const stop = async () => {
		clearInterval(keeping);
		keepWebhooks();
		await playground?.stop().catch(() => undefined);
		await n8n?.stop().catch(() => undefined);
		await emulators?.stop().catch(() => undefined);
	};
	try {
		// the bot remembers the last update it confirmed: a new run's updates must come after it
		emulators = await startConversationEmulators({
			ports: { teamspirit: ports.teamspirit, telegram: ports.telegram, twilio: ports.twilio, twilioCdn: ports.twilioCdn, graph: ports.graph },
			firstUpdateId: Date.now(),
		});
		for (const webhook of state.teamSpiritWebhooks ?? []) emulators.ts.webhooks.set(webhook.id, webhook);
		keeping = setInterval(keepWebhooks, 1000);
		log(`emulators: TeamSpirit ${emulators.ts.url}, Telegram ${emulators.tg.url}, Twilio ${emulators.tw.url}, Graph ${emulators.fb.url}`);

		const credentials = conversationCredentials(emulators);
		const signature = JSON.stringify(credentials);
		if (state.credentials !== signature) {
			log(state.credentials ? 'the emulators moved: updating the sandbox credentials' : 'importing the sandbox credentials');
			await importCredentials(home, credentials, { timeoutMs: 300_000 });
			state.credentials = signature;
			save();
		}
		if (!state.imported) {
			log('importing the examples (conversations published, echo bots not)');
			const workflows: WorkflowJson[] = SANDBOX_WORKFLOWS.map((w) => ({
				...(w.channel ? conversationExample(w.channel, emulators!.operator.id) : readExample(w.file)),
				id: w.id,
			}));
			await importWorkflows(home, workflows, { timeoutMs: 300_000 });
			state.imported = true;
			save();
		}

		n8n = await startN8n(home, { port: ports.n8n, env: opts.n8nEnv, timeoutMs: 600_000, onOutput: opts.onN8nOutput });
		const url = n8n.url;
		log(`n8n ${url}`);

		const owner: N8nOwner = state.owner ?? {
			email: 'owner@sandbox.local',
			firstName: 'Sandbox',
			lastName: 'Owner',
			password: `Sandbox-${randomBytes(6).toString('hex')}`,
		};
		const editor = new N8nEditor(() => url, owner);
		if (state.owner) {
			await editor.login();
		} else {
			await editor.setUpOwner();
			state.owner = owner;
			save();
		}

		if (!state.published) {
			for (const w of SANDBOX_WORKFLOWS) if (w.channel) await editor.publish(w.id);
			state.published = true;
			save();
		}

		const workflows = {} as Record<ConversationChannel, ChannelWorkflow>;
		const active: ConversationChannel[] = [];
		for (const channel of CONVERSATION_CHANNELS) {
			const { id } = SANDBOX_WORKFLOWS.find((w) => w.channel === channel)!;
			const workflow = await editor.workflow(id);
			if (!workflow) {
				log(`the workflow ${id} (${channel}) is gone: delete .n8n-dev/sandbox.json to import the examples again`);
				workflows[channel] = { id, customerWebhookId: '' };
				continue;
			}
			workflows[channel] = { id, customerWebhookId: triggerWebhookIds(workflow).customer };
			if (workflow.active) active.push(channel);
			else log(`the ${channel} conversations workflow is not published: the playground's ${channel} customer reaches nobody`);
		}
		await waitForConversationTriggers(emulators, {
			registrations: active.length,
			telegram: active.includes('telegram'),
			customerUrls: active.filter((c) => c !== 'telegram').map((c) => customerWebhookUrl(url, workflows[c].customerWebhookId)),
			timeoutMs: 300_000,
			diagnostics: () =>
				`TeamSpirit saw: ${emulators!.ts.requests
					.slice(-20)
					.map((r) => `${r.method} ${r.path} ${r.status}`)
					.join(', ')}\n${n8n!.output().slice(-3000)}`,
		});

		playground = await startPlayground({
			port: ports.playground,
			emulators,
			editor,
			n8nUrl: url,
			workflows,
			pageDir: opts.pageDir ?? path.join(REPO_ROOT, 'scripts', 'sandbox', 'page'),
		});
		return { n8n, playground, emulators, editor, owner, workflows, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}
