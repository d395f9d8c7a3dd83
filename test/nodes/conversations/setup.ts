/**
 * The customer-conversation examples (examples/<channel>-conversations.json) run as a user runs
 * them: imported, credentials pointing at the emulators, operators chosen, both triggers active.
 * "Customer writes" is started through the channel's webhook (Telegram: the example switched
 * from long polling to webhook mode, the same trigger with Telegram pushing instead of n8n
 * asking), "Operator writes" through TeamSpirit's deliveries (the emulator delivers every event
 * as it happens). Everything runs through n8n-core's WorkflowExecute (test/harness).
 *
 * The channel is its conversation driver (./drivers: one file per channel, the emulator driven as
 * the channel's customers would, and what differs between channels declared as capabilities).
 * A `Bridge` hides which channel it is: a test says what the customer does (`write`) and what
 * the operator does (`operatorPosts`, `operatorEdits`, `operatorDeletes`), waits (`settle`), and
 * asserts what TeamSpirit holds (`chatOf`, `messagesOf`) and what the customer got (`received`).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IDataObject, INodeParameters, INodeType } from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { acceptedParts, seenEvents } from '../../../nodes/channels/memory';
import { senderNames } from '../../../nodes/channels/messenger/profiles';
import { messageLimiter } from '../../../nodes/channels/website/limits';
import { forgetTranscripts } from '../../../nodes/channels/website/transcript';
import { forgetAnnounced } from '../../../nodes/channels/sequence';
import { TeamSpiritTrigger } from '../../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { forgetCaches } from '../../../nodes/conversations/caches';
import { forgetStatuses } from '../../../nodes/conversations/centre/operators';
import { forgetQueues } from '../../../nodes/conversations/centre/queues';
import { ownCommands } from '../../../nodes/conversations/centre/commands/claim';
import { ownClaims } from '../../../nodes/conversations/claims';
import { conversationKey } from '../../../nodes/conversations/keys';
import { TeamSpiritEmulator, type Chat, type Message } from '../../emulators/teamspirit';
import {
	runWorkflow,
	startWebhookTrigger,
	type RunResult,
	type WebhookCall,
	type WebhookTrigger,
	type WorkflowJson,
} from '../../harness';
import { withoutContactCentre } from '../../helpers/examples';
import { theDriver } from './drivers';
import type { Customer, Outgoing } from './drivers/types';

export { CHANNELS } from './drivers';
export type { Customer } from './drivers/types';
/** A channel of the registry (its adapter's `name`) that has a conversation driver (./drivers). */
export type Channel = string;

const NODE_TYPES = {
	'n8n-nodes-teamspirit.chatChannelTrigger': new ChatChannelTrigger(),
	'n8n-nodes-teamspirit.chatChannel': new ChatChannel(),
	'n8n-nodes-teamspirit.teamSpiritTrigger': new TeamSpiritTrigger(),
};

export function example(channel: Channel): WorkflowJson {
	const file = path.join(__dirname, '..', '..', '..', 'examples', `${channel}-conversations.json`);
	// as before the contact centre: the contact centre's suites give their own queues
	return withoutContactCentre(JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson);
}

/**
 * The Chat Channel node from a fresh copy of the package's modules: one more "n8n process" (no
 * shared memory, like two queue-mode workers).
 */
export function processCopy(): INodeType {
	let node: INodeType | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { ChatChannel } = require('../../../nodes/ChatChannel/ChatChannel.node');
		node = new ChatChannel() as INodeType;
	});
	return node!;
}

/**
 * Forgets what one n8n process remembers (dedupe, accepted parts, Messenger names, the website's
 * transcript ids and message counts): a restart.
 */
export function forgetProcessMemory(): void {
	seenEvents.clear();
	messageLimiter.clear();
	forgetTranscripts();
	acceptedParts.clear();
	ownClaims.clear();
	ownCommands.clear();
	senderNames.clear();
	forgetAnnounced();
	forgetCaches();
	forgetQueues();
	forgetStatuses();
}

// ---------------------------------------------------------------------------
// The bridge
// ---------------------------------------------------------------------------

export interface BridgeOptions {
	/**
	 * Hold TeamSpirit chat creations (POST /chats) until this many have arrived, then let them all
	 * through at once: two executions are then certainly creating the same chat at the same time.
	 */
	holdChatCreations?: number;
	/** The channel emulator's own options (its driver's `start`), for a channel's own tests. */
	emulator?: IDataObject;
	/** Parameters of "Send to Customer"'s options (e.g. signature). */
	toCustomerOptions?: IDataObject;
	/**
	 * WhatsApp: "Send to Customer" asks Twilio for status callbacks to the "Customer writes" URL
	 * (its Status Callback URL option, as the README's set-up says).
	 */
	statusCallback?: boolean;
	/** Parameters of "Forward to TeamSpirit"'s options (e.g. waitMinutes). */
	forwardOptions?: IDataObject;
	/** More parameters of "Forward to TeamSpirit" (e.g. its Contact Centre queues, which name the operators). */
	forwardParameters?:
		IDataObject | ((operators: Array<{ id: string }>, ts: TeamSpiritEmulator) => IDataObject);
	/** More options of the "Operator writes" trigger (e.g. onlyMentions), beside the example's. */
	operatorTriggerOptions?: IDataObject;
	/** The "Operator writes" trigger's events instead of the example's (e.g. with `chat.typing`). */
	operatorEvents?: string[];
	/** Node settings by node name, e.g. `{ 'Send to Customer': { retryOnFail: true, maxTries: 3 } }`. */
	nodeSettings?: Record<string, IDataObject>;
	/**
	 * Put a fault proxy (`faultProxy`) in front of TeamSpirit and one in front of the channel's API:
	 * the bridge's `tsProxy` / `channelProxy` refuse connections, answer slowly, drop answers.
	 */
	faultProxies?: boolean;
	/**
	 * The triggers' Acknowledge. The examples ship with *After the Workflow Has Run* (a dead
	 * worker loses nothing); the driver here awaits each delivery's answer like a platform with no
	 * timeout, so a test that holds TeamSpirit down while the customer writes would wait for the
	 * whole outage. Default: *When Received* (the answer before the run), as these tests were
	 * written; `afterRun` runs the examples as shipped.
	 */
	acknowledge?: 'whenReceived' | 'afterRun';
}

export type Bridge = Awaited<ReturnType<typeof startBridge>>;

export async function startBridge(channel: Channel, options: BridgeOptions = {}) {
	forgetProcessMemory();
	const ts = await TeamSpiritEmulator.start({ autoDeliver: true });
	const operator = ts.addUser({ name: 'Olga Operator', username: 'olga' });
	const second = ts.addUser({ name: 'Oskar Operator', username: 'oskar' });
	const channelDriver = theDriver(channel);
	const driver = await channelDriver.start(options.emulator);

	// the example as a user imports it: the editor gives each trigger a webhook id, the user picks
	// the credentials and the operators
	const workflow = example(channel);
	workflow.id = `wf-${channel}-${randomUUID().slice(0, 8)}`;
	for (const node of workflow.nodes) {
		if (node.type.endsWith('Trigger')) {
			node.webhookId = randomUUID();
			node.parameters.acknowledge = options.acknowledge ?? 'whenReceived';
		}
		if (node.name === 'Forward to TeamSpirit') node.parameters.operators = [operator.id, second.id];
		if (node.name === 'Send to Customer' && options.toCustomerOptions)
			node.parameters.conversationOptions = options.toCustomerOptions as INodeParameters;
		if (node.name === 'Forward to TeamSpirit' && options.forwardOptions)
			node.parameters.conversationOptions = options.forwardOptions as INodeParameters;
		if (node.name === 'Forward to TeamSpirit' && options.forwardParameters)
			Object.assign(
				node.parameters,
				typeof options.forwardParameters === 'function'
					? options.forwardParameters([operator, second], ts)
					: options.forwardParameters,
			);
		if (node.name === 'Operator writes' && options.operatorTriggerOptions)
			node.parameters.options = {
				...(node.parameters.options as INodeParameters),
				...options.operatorTriggerOptions,
			} as INodeParameters;
		if (node.name === 'Operator writes' && options.operatorEvents)
			node.parameters.events = options.operatorEvents;
		Object.assign(node, options.nodeSettings?.[node.name] ?? {});
	}
	driver.adapt(workflow);
	const credentialTypes = [...driver.credentialTypes, new TeamSpiritApi()];
	const proxy = options.holdChatCreations
		? await barrierProxy(ts.url, options.holdChatCreations)
		: undefined;
	const tsProxy = options.faultProxies ? await faultProxy(ts.url) : undefined;
	const channelUrl = driver.url;
	const channelProxy = options.faultProxies ? await faultProxy(channelUrl) : undefined;
	const channelCredentials = channelProxy
		? Object.fromEntries(
				Object.entries(driver.credentials).map(([type, data]) => [
					type,
					Object.fromEntries(
						Object.entries(data).map(([k, v]) => [k, v === channelUrl ? channelProxy.url : v]),
					),
				]),
			)
		: driver.credentials;
	const credentials = {
		...channelCredentials,
		teamSpiritApi: { serverUrl: proxy?.url ?? tsProxy?.url ?? ts.url, apiKey: ts.apiKey },
	};

	const start = async (triggerNode: string, previous?: WebhookTrigger) => {
		const hook = await startWebhookTrigger({
			workflow,
			triggerNode,
			nodeTypes: NODE_TYPES,
			credentialTypes,
			credentials,
			listen: true,
			runWorkflow: true,
			// a restart: the same n8n URL, the static data n8n kept in its database
			...(previous
				? { port: Number(new URL(previous.url).port), staticData: previous.savedStaticData() }
				: {}),
		});
		await hook.activate();
		return hook;
	};
	let customerHook = await start('Customer writes');
	if (options.statusCallback) {
		const node = workflow.nodes.find((n) => n.name === 'Send to Customer')!;
		node.parameters.whatsappOptions = { statusCallback: customerHook.url };
	}
	let operatorHook = await start('Operator writes');

	// the bridge signs its chats' keys with the credential's secret (here: the API key)
	const keyOf = (customer: Customer) =>
		conversationKey(channel, driver.account, customer.part, ts.apiKey);
	const chatOf = (customer: Customer): Chat | undefined => ts.chatByKey(keyOf(customer));
	const settle = async () => {
		for (let round = 0; round < 3; round++) {
			await driver.delivered();
			await customerHook.settled();
			await ts.settled();
			await operatorHook.settled();
		}
	};

	return {
		channel,
		/** How the bridge titles the channel's chats ("Telegram" in "Telegram · Anna Petrova"). */
		title: channelDriver.title,
		/** The channel's capabilities (./drivers/types.ts). */
		channelDriver,
		ts,
		operator,
		operators: [operator, second],
		driver,
		workflow,
		credentialTypes,
		credentials,
		get customerHook() {
			return customerHook;
		},
		get operatorHook() {
			return operatorHook;
		},
		keyOf,
		chatOf,
		settle,
		/** With `faultProxies`: the proxies in front of TeamSpirit and of the channel's API. */
		tsProxy,
		channelProxy,
		newCustomer: (first: string, last: string) => driver.newCustomer(first, last),
		/** The customer writes; resolves when the bridge is done with it. */
		async write(customer: Customer, message: Outgoing | string) {
			const sent = await driver.write(
				customerHook.url,
				customer,
				typeof message === 'string' ? { text: message } : message,
			);
			await settle();
			return sent;
		},
		/** The customer writes; resolves when the channel has handed it to n8n (not when the bridge is done). */
		async writeNow(customer: Customer, message: Outgoing | string) {
			return await driver.write(
				customerHook.url,
				customer,
				typeof message === 'string' ? { text: message } : message,
			);
		},
		/** An operator posts without waiting for the bridge (TeamSpirit's delivery was answered). */
		async operatorPostsNow(customer: Customer, text: string) {
			const chat = chatOf(customer);
			if (!chat) throw new Error(`no chat for ${customer.name}`);
			const { message } = await ts.postAsUser(chat.id, operator.id, { text, format: 'plain' });
			return message;
		},
		/** Two (or more) messages at the same moment: the channel's calls run side by side. */
		async writeTogether(customer: Customer, texts: string[]) {
			await Promise.all(
				texts.map(async (text) => await driver.write(customerHook.url, customer, { text })),
			);
			await settle();
		},
		/** The customer edits an earlier message (channels with `customerEdits`). */
		async edit(customer: Customer, id: string, text: string) {
			await driver.edit!(customerHook.url, customer, id, text);
			await settle();
		},
		/** An operator types in the customer's chat (as in the TeamSpirit app). */
		async operatorPosts(
			customer: Customer,
			fields: {
				text?: string;
				format?: 'plain' | 'markdown';
				replyToId?: string;
				fileIds?: string[];
			},
		) {
			const chat = chatOf(customer);
			if (!chat) throw new Error(`no chat for ${customer.name}`);
			const { message } = await ts.postAsUser(chat.id, operator.id, {
				text: '',
				format: 'plain',
				...fields,
			});
			await settle();
			return ts.message(message.id)!;
		},
		/** The operator edits their message in TeamSpirit. */
		async operatorEdits(message: Message, text: string) {
			await ts.editAsUser(message.id, { text, format: 'markdown' });
			await settle();
		},
		/** The operator deletes their message in TeamSpirit. */
		async operatorDeletes(message: Message) {
			await ts.deleteAsUser(message.id);
			await settle();
		},
		/** A file an operator uploaded in the TeamSpirit app. */
		operatorUploads: (name: string, mimeType: string, content: Buffer) =>
			ts.uploadAsUser(operator.id, { name, mimeType, content }),
		forgetProcessMemory,
		/** The chat's messages, oldest first. */
		messagesOf(customer: Customer): Message[] {
			const chat = chatOf(customer);
			return chat ? ts.messagesIn(chat.id) : [];
		},
		received: (customer: Customer) => driver.received(customer),
		/** Executions each trigger started. */
		started: () => ({
			customer: customerHook.calls.filter((c) => c.started),
			operator: operatorHook.calls.filter((c) => c.started),
		}),
		/** Simulates an n8n restart: triggers and node memory gone, webhooks and TeamSpirit kept. */
		async restart() {
			await customerHook.close();
			await operatorHook.close();
			forgetProcessMemory();
			customerHook = await start('Customer writes', customerHook);
			operatorHook = await start('Operator writes', operatorHook);
		},
		async stop() {
			await customerHook.close();
			await operatorHook.close();
			await driver.stop();
			await proxy?.stop();
			await tsProxy?.stop();
			await channelProxy?.stop();
			await ts.stop();
		},
	};
}

/**
 * A pass-through HTTP proxy in front of TeamSpirit that holds `POST …/chats` requests until
 * `count` of them are waiting, then forwards them together (or after 15 s, so a test that
 * expected a race it did not get fails on its assertions instead of hanging).
 */
/** Forwards to TeamSpirit, holding chat creations (POST /chats) until `count` have come. */
export async function barrierProxy(target: string, count: number) {
	const held: Array<() => void> = [];
	const server = http.createServer((req, res) => {
		const forward = () => {
			const upstream = http.request(
				new URL(req.url ?? '/', target),
				{ method: req.method, headers: req.headers },
				(answer) => {
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					answer.pipe(res);
				},
			);
			upstream.on('error', () => res.destroy());
			req.pipe(upstream);
		};
		const creation =
			req.method === 'POST' && /\/chats$/.test(new URL(req.url ?? '/', target).pathname);
		if (!creation) return forward();
		if (held.length < count - 1) {
			held.push(forward);
			// in one process the bridge runs one conversation's executions one after another (inOrder):
			// the second creation then comes only after the first, so do not hold it long
			setTimeout(() => held.splice(0).forEach((go) => go()), 2_000).unref();
			return;
		}
		forward();
		held.splice(0).forEach((go) => go());
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		async stop() {
			const closed = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeAllConnections();
			await closed;
		},
	};
}

/** What a fault proxy does with a request a rule matches. */
export type ProxyAction =
	/** Answer this without forwarding (the server did not take it). */
	| { status: number; json?: unknown; headers?: Record<string, string> }
	/** Forward it, let the server answer, then cut the client's connection (a lost answer). */
	| 'dropAfterForward'
	/** Keep it until `release()` (a server that is slow for this request only). */
	| 'hold';

export interface ProxyRule {
	match: (request: { method: string; path: string; body: string }) => boolean;
	action: ProxyAction;
	/** How many matching requests it takes; default: every one until removed. */
	count?: number;
}

export interface SeenRequest {
	method: string;
	path: string;
	body: string;
	/** What the proxy did: forwarded, refused by a rule (its status), dropped, held. */
	outcome: 'forwarded' | 'dropped' | 'held' | number;
}

export type FaultProxy = Awaited<ReturnType<typeof faultProxy>>;

/**
 * A pass-through HTTP proxy in front of an emulator that can misbehave the way networks and
 * servers do: refuse connections (`refuse()` closes the listener, `accept()` listens again on the
 * same port), answer slowly (`delayMs`), and, per request (`rule()`), answer an error without
 * forwarding, forward and then drop the answer, or hold the request until `release()`.
 */
export async function faultProxy(target: string) {
	const rules: Array<ProxyRule & { remaining: number }> = [];
	const held: Array<() => void> = [];
	const seen: SeenRequest[] = [];
	const state = { delayMs: 0, jitterMs: 0 };
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const body = Buffer.concat(chunks);
			const url = new URL(req.url ?? '/', target);
			const request = { method: req.method ?? 'GET', path: url.pathname, body: body.toString() };
			const rule = rules.find((r) => r.remaining > 0 && r.match(request));
			if (rule) rule.remaining--;
			const action = rule?.action;
			const record: SeenRequest = { ...request, outcome: 'forwarded' };
			seen.push(record);
			if (action && typeof action === 'object') {
				record.outcome = action.status;
				const text = JSON.stringify(action.json ?? { error: 'injected by the fault proxy' });
				res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
				res.end(text);
				return;
			}
			const forward = () => {
				const upstream = http.request(
					url,
					{ method: req.method, headers: { ...req.headers, host: url.host } },
					(answer) => {
						const parts: Buffer[] = [];
						answer.on('data', (chunk: Buffer) => parts.push(chunk));
						answer.on('end', () => {
							if (action === 'dropAfterForward') {
								record.outcome = 'dropped';
								req.socket.destroy();
								return;
							}
							res.writeHead(answer.statusCode ?? 502, answer.headers);
							res.end(Buffer.concat(parts));
						});
					},
				);
				upstream.on('error', () => res.destroy());
				upstream.end(body);
			};
			if (action === 'hold') {
				record.outcome = 'held';
				held.push(forward);
				return;
			}
			const delay = state.delayMs + Math.random() * state.jitterMs;
			if (delay > 0) setTimeout(forward, delay);
			else forward();
		});
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const port = (server.address() as AddressInfo).port;
	const close = async () => {
		if (!server.listening) return;
		const closed = new Promise<void>((resolve) => server.close(() => resolve()));
		server.closeAllConnections();
		await closed;
	};
	return {
		url: `http://127.0.0.1:${port}`,
		/** Every request that reached the proxy, in order. */
		seen,
		/** Every forwarded request waits this long first (a slow server). */
		set delayMs(ms: number) {
			state.delayMs = ms;
		},
		get delayMs() {
			return state.delayMs;
		},
		/** Each forwarded request waits up to this much longer, at random (answers overtake each other). */
		set jitterMs(ms: number) {
			state.jitterMs = ms;
		},
		get jitterMs() {
			return state.jitterMs;
		},
		/** Adds a rule (first match wins); returns a function that removes it. */
		rule(rule: ProxyRule) {
			const entry = { ...rule, remaining: rule.count ?? Number.POSITIVE_INFINITY };
			rules.push(entry);
			return () => {
				const index = rules.indexOf(entry);
				if (index >= 0) rules.splice(index, 1);
			};
		},
		/** Forwards the held requests. */
		release() {
			held.splice(0).forEach((go) => go());
		},
		/** Connections are refused from now on (nothing listens on the port). */
		refuse: close,
		/** Listens again on the same port. */
		async accept() {
			if (server.listening) return;
			server.listen(port, '127.0.0.1');
			await once(server, 'listening');
		},
		async stop() {
			held.splice(0);
			await close();
		},
	};
}

/** Resolves when `predicate` holds (checked every 50 ms); rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 60_000) {
	const started = Date.now();
	while (!predicate()) {
		if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

/** Runs "Send to Customer" (or another node) directly with hand-made items. */
export async function runNode(
	bridge: Bridge,
	node: string,
	items: IDataObject[],
): Promise<RunResult> {
	return await runWorkflow({
		workflow: bridge.workflow,
		nodeTypes: NODE_TYPES,
		credentialTypes: bridge.credentialTypes,
		credentials: bridge.credentials,
		startNode: node,
		startItems: items.map((json) => ({ json })),
		mode: 'webhook',
	});
}

/** Runs the execution of an earlier trigger call again (n8n's "Retry" of an execution). */
export async function retry(
	bridge: Bridge,
	call: WebhookCall,
	trigger: string,
): Promise<RunResult> {
	return await runWorkflow({
		workflow: bridge.workflow,
		nodeTypes: NODE_TYPES,
		credentialTypes: bridge.credentialTypes,
		credentials: bridge.credentials,
		startNode: trigger,
		startItems: call.workflowData![0],
		mode: 'retry',
	});
}

/**
 * TeamSpirit markdown (the contract's subset, docs/teamspirit-api.md) as the operator sees it:
 * plain text with <b>, <i>, <s>, <code>, <a url> around what is formatted. Written here, not
 * taken from the package's converters, so a test reads what TeamSpirit would show.
 */
export function shown(markdown: string): string {
	let out = '';
	const open: string[] = [];
	const toggle = (tag: string) => {
		if (open[open.length - 1] === tag) {
			open.pop();
			out += `</${tag}>`;
		} else {
			open.push(tag);
			out += `<${tag}>`;
		}
	};
	const word = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
	for (let i = 0; i < markdown.length;) {
		const c = markdown[i];
		if (c === '\\' && /[!-/:-@[-`{-~]/.test(markdown[i + 1] ?? '')) {
			out += markdown[i + 1];
			i += 2;
		} else if (c === '`' && markdown.indexOf('`', i + 1) > i) {
			const end = markdown.indexOf('`', i + 1);
			out += `<code>${markdown.slice(i + 1, end)}</code>`;
			i = end + 1;
		} else if (markdown.startsWith('**', i) || markdown.startsWith('~~', i)) {
			toggle(c === '*' ? 'b' : 's');
			i += 2;
		} else if (c === '*' || (c === '_' && !(word(markdown[i - 1]) && word(markdown[i + 1])))) {
			toggle('i');
			i += 1;
		} else if (c === '[' && /^\[([^\]]*)\]\(([^)\s]+)\)/.test(markdown.slice(i))) {
			const [all, text, url] = /^\[([^\]]*)\]\(([^)\s]+)\)/.exec(markdown.slice(i))!;
			out += `<a ${url}>${shown(text)}</a>`;
			i += all.length;
		} else {
			out += c;
			i += 1;
		}
	}
	return open.length ? `${out} [unclosed: ${open.join(', ')}]` : out;
}

export const PHOTO = Buffer.from('\xff\xd8\xff\xe0 a tiny jpeg, honestly '.repeat(20), 'latin1');
export const PDF = Buffer.from('%PDF-1.4\n% an invoice\n'.repeat(40));
