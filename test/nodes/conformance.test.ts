/**
 * Conformance: behaviour every chat channel must have, written once and run against every adapter
 * of the registry (nodes/channels/index.ts), each against its own emulator. What differs per
 * channel (emulator, credentials, fixture, how to read what arrived, how to sign or forge a
 * delivery, how to provoke a 429) lives in one table of channel kits below; a new adapter without
 * a kit fails the suite instead of being silently skipped.
 */
import { NodeHelpers, type ICredentialDataDecryptedObject, type ICredentialType, type INode, type INodeExecutionData } from 'n8n-workflow';

import { TeamSpiritMessengerApi } from '../../credentials/TeamSpiritMessengerApi.credentials';
import { TeamSpiritTelegramApi } from '../../credentials/TeamSpiritTelegramApi.credentials';
import { TeamSpiritTwilioApi } from '../../credentials/TeamSpiritTwilioApi.credentials';
import { adapters, type ChannelAdapter } from '../../nodes/channels';
import { seenEvents } from '../../nodes/channels/memory';
import { ChatChannel } from '../../nodes/ChatChannel/ChatChannel.node';
import { ChatChannelTrigger } from '../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { GraphEmulator } from '../emulators/graph';
import { TelegramEmulator } from '../emulators/telegram';
import { TwilioEmulator } from '../emulators/twilio';
import { deterministicSha256, runWorkflow, startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../harness';
import { NODE_TYPE, loadWorkflow } from './ChatChannel/setup';
import { TRIGGER_TYPE } from './ChatChannelTrigger/setup';

interface Emulator {
	stop(): Promise<void>;
}

/** One delivery to the trigger: `key` names the event (same key, same event); `forged` signs it wrongly. */
interface Delivery {
	key: number;
	forged?: boolean;
}

/** What the suite needs to know about one channel: everything that is not behaviour. */
interface ChannelKit<E extends Emulator = Emulator> {
	start(): Promise<E>;
	credentialType: ICredentialType;
	credentials(emu: E): ICredentialDataDecryptedObject;
	/** A Chat Channel workflow (test/nodes/ChatChannel/workflows/) sending `$json.text` with Send Text. */
	fixture: string;
	/** Three conversations that may be written to (users known, 24-hour windows open). */
	conversations(emu: E): string[];
	/** The messages that arrived in a conversation, oldest first. */
	sent(emu: E, conversationId: string): Array<{ id: string; text: string }>;
	/** The files that arrived in a conversation, oldest first: the URL the channel was given, or what was uploaded. */
	files(emu: E, conversationId: string): ReceivedFile[];
	/** HTTP status of every send request the channel answered, in order. */
	sendStatuses(emu: E): number[];
	/** The next send is refused with a 429 asking for a short wait. */
	inject429(emu: E): void;
	/** The Chat Channel Trigger's parameters beside `channel` for receiving by webhook. */
	triggerParameters: Record<string, unknown>;
	/** Sends one inbound message to the trigger's webhook, signed as the channel does (or forged); its HTTP status. */
	deliver(emu: E, hook: WebhookTrigger, delivery: Delivery): Promise<number>;
}

interface ReceivedFile {
	url?: string;
	upload?: { filename: string; size: number; sha256: string };
}

const uploaded = (u: { filename: string; size: number; sha256: string }): ReceivedFile => ({ upload: { filename: u.filename, size: u.size, sha256: u.sha256 } });

const kit = <E extends Emulator>(k: ChannelKit<E>) => k as unknown as ChannelKit;

const kits: Record<string, ChannelKit> = {
	telegram: kit<TelegramEmulator>({
		start: async () => await TelegramEmulator.start(),
		credentialType: new TeamSpiritTelegramApi(),
		credentials: (tg) => ({ accessToken: tg.token, baseUrl: tg.url }),
		fixture: 'message.send-long',
		conversations: () => ['1001', '1002', '1003'],
		sent: (tg, chat) => tg.sentMessages(chat).map((m) => ({ id: String(m.message_id), text: m.text ?? '' })),
		files: (tg, chat) =>
			tg
				.sentMessages(chat)
				.filter((m) => m.method !== 'sendMessage')
				.map((m) => {
					if (m.upload) return uploaded(m.upload);
					const field = m[m.method.replace(/^send/, '').toLowerCase()] as { file_id: string } | Array<{ file_id: string }>;
					return { url: tg.files.get(Array.isArray(field) ? field[0].file_id : field.file_id)?.url };
				}),
		sendStatuses: (tg) => tg.calls('sendMessage').map((r) => r.status),
		inject429: (tg) => tg.failNext({ method: 'sendMessage', status: 429, retryAfter: 1 }),
		triggerParameters: { mode: 'webhook', updates: ['message'] },
		deliver: async (tg, hook, { key, forged }) => {
			const update = {
				update_id: 700_000 + key,
				message: { message_id: key, date: 1_700_000_000, chat: { id: 42, type: 'private' }, from: { id: 42, is_bot: false, first_name: 'Ada' }, text: `hi ${key}` },
			};
			const secret = forged ? 'wrong-secret-token' : tg.webhook!.secretToken!;
			const call = await hook.request({
				headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
				body: JSON.stringify(update),
			});
			return call.response.status;
		},
	}),
	whatsapp: kit<TwilioEmulator>({
		start: async () => await TwilioEmulator.start(),
		credentialType: new TeamSpiritTwilioApi(),
		credentials: (tw) => ({ accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url }),
		fixture: 'whatsapp.message.send',
		conversations: (tw) => {
			const numbers = ['whatsapp:+4915112345678', 'whatsapp:+4915112345679', 'whatsapp:+4915112345670'];
			for (const n of numbers) tw.touch(n);
			return numbers;
		},
		sent: (tw, to) => tw.messagesTo(to).map((m) => ({ id: m.sid, text: m.body })),
		files: (tw, to) =>
			tw
				.messagesTo(to)
				.filter((m) => m.mediaUrls.length)
				.map((m) => ({ url: m.mediaUrls[0] })),
		sendStatuses: (tw) => tw.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json')).map((r) => r.status),
		inject429: (tw) => tw.failNext({ status: 429, method: 'POST', path: /\/Messages\.json$/, retryAfter: 1 }),
		triggerParameters: {},
		deliver: async (tw, hook, { key, forged }) => {
			const MessageSid = `SM${String(key).padStart(32, '0')}`;
			const result = await tw.sendInbound(hook.url, { MessageSid, Body: `hi ${key}` }, { forgeSignature: forged });
			return result.status;
		},
	}),
	messenger: kit<GraphEmulator>({
		start: async () => await GraphEmulator.start(),
		credentialType: new TeamSpiritMessengerApi(),
		credentials: (fb) => fb.credentialData(),
		fixture: 'messenger.message.send',
		conversations: (fb) => {
			const psids = ['7000000000000001', '7000000000000002', '7000000000000003'];
			for (const id of psids) {
				fb.addUser({ id });
				fb.touch(id);
			}
			return psids;
		},
		sent: (fb, psid) => fb.messagesTo(psid).map((m) => ({ id: m.mid, text: m.text ?? '' })),
		files: (fb, psid) =>
			fb
				.messagesTo(psid)
				.filter((m) => m.upload || m.attachment)
				.map((m) => (m.upload ? uploaded(m.upload) : { url: String(m.attachment!.payload.url) })),
		sendStatuses: (fb) => fb.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/messages')).map((r) => r.status),
		inject429: (fb) => fb.failNext({ status: 429, method: 'POST', path: /\/messages$/, retryAfter: 1 }),
		triggerParameters: {},
		deliver: async (fb, hook, { key, forged }) => {
			const event = fb.messageEvent('7000000000000001', { text: `hi ${key}` });
			(event.message as { mid: string }).mid = `m_conformance_${key}`;
			const result = await fb.deliver(hook.url, [event], { forgeSignature: forged });
			return result.status;
		},
	}),
};

describe('every channel adapter has a conformance kit', () => {
	it('names a kit for each adapter of the registry', () => {
		expect(Object.keys(kits).sort()).toEqual(Object.values(adapters).map((a) => a.name).sort());
	});
});

describe.each(Object.values(adapters).map((adapter) => [adapter.displayName, adapter] as const))(
	'Chat channel conformance: %s',
	(_name: string, adapter: ChannelAdapter) => {
		const channel = kits[adapter.name];
		let emu: Emulator;
		const hooks: WebhookTrigger[] = [];

		beforeEach(async () => {
			seenEvents.clear();
			emu = await channel.start();
		});
		afterEach(async () => {
			for (const hook of hooks.splice(0)) await hook.close();
			await emu.stop();
		});

		async function send(items: Array<{ conversationId: string; text: string }>) {
			const workflow = loadWorkflow(channel.fixture);
			workflow.nodes[1].parameters.items = JSON.stringify(items.map((i) => ({ ...i, format: 'plain' })));
			const result = await runWorkflow({
				workflow,
				nodeTypes: { [NODE_TYPE]: new ChatChannel() },
				credentialTypes: [channel.credentialType],
				credentials: { [adapter.credentialType]: channel.credentials(emu) },
			});
			let output: INodeExecutionData[] = [];
			try {
				output = result.nodeOutput('Chat Channel');
			} catch {
				output = [];
			}
			return { ...result, output };
		}

		/** Send File through WorkflowExecute: by URL, or from a binary property the Items node makes. */
		async function sendFile(conversationId: string, file: { url: string } | { name: string; mimeType: string; size: number; seed: number }) {
			const workflow = loadWorkflow(channel.fixture);
			const items = workflow.nodes[1].parameters;
			items.items = JSON.stringify([{ conversationId }]);
			if ('name' in file) items.binary = JSON.stringify([{ fileName: file.name, mimeType: file.mimeType, size: file.size, seed: file.seed }]);
			const node = workflow.nodes[2].parameters;
			delete node.text;
			Object.assign(node, {
				operation: 'sendFile',
				conversationId: '={{ $json.conversationId }}',
				kind: 'auto',
				format: 'plain',
				...('url' in file ? { source: 'url', fileUrl: file.url } : { source: 'binary', binaryPropertyName: 'data' }),
			});
			const result = await runWorkflow({
				workflow,
				nodeTypes: { [NODE_TYPE]: new ChatChannel() },
				credentialTypes: [channel.credentialType],
				credentials: { [adapter.credentialType]: channel.credentials(emu) },
			});
			let output: INodeExecutionData[] = [];
			try {
				output = result.nodeOutput('Chat Channel');
			} catch {
				output = [];
			}
			return { ...result, output };
		}

		async function listen() {
			const workflow = {
				id: `wf-conformance-${adapter.name}`,
				name: `${adapter.displayName} conformance`,
				nodes: [
					{
						id: 'n1',
						name: 'Chat Channel Trigger',
						type: TRIGGER_TYPE,
						typeVersion: 1,
						position: [0, 0] as [number, number],
						webhookId: '0c0f0a11-2b3c-4d5e-8f70-8192a3b4c5d6',
						parameters: { channel: adapter.name, ...channel.triggerParameters },
						credentials: { [adapter.credentialType]: { id: '1', name: adapter.displayName } },
					},
				],
				connections: {},
			};
			const hook = await startWebhookTrigger({
				workflow: workflow as unknown as WorkflowJson,
				nodeTypes: { [TRIGGER_TYPE]: new ChatChannelTrigger() },
				credentialTypes: [channel.credentialType],
				credentials: { [adapter.credentialType]: channel.credentials(emu) },
				listen: true,
			});
			hooks.push(hook);
			await hook.activate();
			return hook;
		}

		const started = (hook: WebhookTrigger) => hook.calls.filter((c) => c.started);

		it('sends one message per item through WorkflowExecute, each output paired to its input item', async () => {
			const conversations = channel.conversations(emu);
			const items = conversations.map((conversationId, i) => ({ conversationId, text: `Hello ${i}` }));
			const { status, output } = await send(items);
			expect(status).toBe('success');
			expect(output.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
			items.forEach(({ conversationId, text }, i) => {
				const arrived = channel.sent(emu, conversationId);
				expect(arrived.map((m) => m.text)).toEqual([text]);
				expect(output[i].json).toMatchObject({ channel: adapter.name, conversationId, messageId: arrived[0].id, parts: 1 });
			});
		});

		// where the field is not offered, n8n drops a hidden field's value when it loads the workflow
		// (as for every hidden field), so the send runs without buttons
		it('Inline Buttons: a Send Text with the fields the editor shows for this channel runs', async () => {
			const description = new ChatChannel().description;
			const parameters = { channel: adapter.name, resource: 'message', operation: 'send' };
			const node = { parameters, typeVersion: 1 } as unknown as INode;
			const offered = description.properties.some((p) => p.name === 'buttons' && NodeHelpers.displayParameter(parameters, p, node, description));
			const [conversationId] = channel.conversations(emu);
			const workflow = loadWorkflow(channel.fixture);
			workflow.nodes[1].parameters.items = JSON.stringify([{ conversationId, text: 'Shall we?', format: 'plain' }]);
			workflow.nodes[2].parameters.buttons = { rows: [{ buttons: { button: [{ text: 'Yes', callbackData: 'yes' }] } }] };
			const { status } = await runWorkflow({
				workflow,
				nodeTypes: { [NODE_TYPE]: new ChatChannel() },
				credentialTypes: [channel.credentialType],
				credentials: { [adapter.credentialType]: channel.credentials(emu) },
			});
			expect({ offered, status }).toEqual({ offered, status: 'success' });
		});

		it('splits a text longer than maxTextLength into several messages within the limit, losing nothing', async () => {
			const [conversationId] = channel.conversations(emu);
			const lines: string[] = [];
			for (let i = 0; lines.join('\n').length <= adapter.maxTextLength * 1.5; i++) {
				lines.push(`Line ${String(i).padStart(4, '0')} ${'w'.repeat(i % 7)} ${'x'.repeat(30)}`);
			}
			const text = lines.join('\n');
			const { status, output } = await send([{ conversationId, text }]);
			expect(status).toBe('success');
			const arrived = channel.sent(emu, conversationId);
			expect(arrived.length).toBeGreaterThan(1);
			for (const m of arrived) expect(m.text.length).toBeLessThanOrEqual(adapter.maxTextLength);
			const squash = (s: string) => s.replace(/\s+/g, '');
			expect(squash(arrived.map((m) => m.text).join(''))).toBe(squash(text));
			expect(output[0].json).toMatchObject({ parts: arrived.length, messageIds: arrived.map((m) => m.id) });
		});

		it('waits out a 429 on the first send; the message arrives exactly once', async () => {
			const [conversationId] = channel.conversations(emu);
			channel.inject429(emu);
			const { status } = await send([{ conversationId, text: 'once' }]);
			expect(status).toBe('success');
			expect(channel.sendStatuses(emu)[0]).toBe(429);
			// exactly once: one accepted send (a further 429, e.g. flood control on a loaded machine, is waited out too)
			expect(channel.sendStatuses(emu).filter((s) => s >= 200 && s < 300)).toHaveLength(1);
			expect(channel.sent(emu, conversationId).map((m) => m.text)).toEqual(['once']);
		});

		it('sends a file by URL: the channel is given that URL, once', async () => {
			const [conversationId] = channel.conversations(emu);
			const url = 'https://files.example.com/reports/q3-report.pdf';
			const { status, output } = await sendFile(conversationId, { url });
			expect(status).toBe('success');
			expect(channel.files(emu, conversationId)).toEqual([{ url }]);
			expect(output[0].json).toMatchObject({ channel: adapter.name, conversationId });
		});

		if (adapter.conversation.files === 'upload') {
			it('uploads a file from a binary property: the channel receives its name and every byte', async () => {
				const [conversationId] = channel.conversations(emu);
				const { status } = await sendFile(conversationId, { name: 'report.pdf', mimeType: 'application/pdf', size: 300_000, seed: 7 });
				expect(status).toBe('success');
				expect(channel.files(emu, conversationId)).toEqual([{ upload: { filename: 'report.pdf', size: 300_000, sha256: deterministicSha256(300_000, 7) } }]);
			});
		} else {
			it('refuses a file from a binary property with a clear error, and sends nothing', async () => {
				const [conversationId] = channel.conversations(emu);
				const { status, error } = await sendFile(conversationId, { name: 'report.pdf', mimeType: 'application/pdf', size: 1000, seed: 7 });
				expect(status).toBe('error');
				expect(error?.message).toMatch(/URL/);
				expect(channel.files(emu, conversationId)).toEqual([]);
				expect(channel.sendStatuses(emu)).toEqual([]);
			});
		}

		it('sends the items of one conversation in input order while other conversations are served too', async () => {
			const [a, b] = channel.conversations(emu);
			const items = [0, 1, 2, 3, 4, 5].map((i) => ({ conversationId: i % 2 ? b : a, text: `${i % 2 ? 'b' : 'a'}${i}` }));
			const { status, output } = await send(items);
			expect(status).toBe('success');
			expect(channel.sent(emu, a).map((m) => m.text)).toEqual(['a0', 'a2', 'a4']);
			expect(channel.sent(emu, b).map((m) => m.text)).toEqual(['b1', 'b3', 'b5']);
			expect(output.map((o) => o.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		});

		it('refuses a forged webhook delivery with 401 or 403 and starts no execution', async () => {
			const hook = await listen();
			const forged = await channel.deliver(emu, hook, { key: 1, forged: true });
			await hook.settled();
			expect([401, 403]).toContain(forged);
			expect(started(hook)).toHaveLength(0);
			// the same delivery, signed, is accepted: the refusal was the signature's doing
			const genuine = await channel.deliver(emu, hook, { key: 1 });
			await hook.settled();
			expect(genuine).toBe(200);
			expect(started(hook)).toHaveLength(1);
		});

		it('starts one execution for the same delivery received twice', async () => {
			const hook = await listen();
			const first = await channel.deliver(emu, hook, { key: 2 });
			const again = await channel.deliver(emu, hook, { key: 2 });
			await hook.settled();
			expect([first, again]).toEqual([200, 200]);
			expect(started(hook)).toHaveLength(1);
			expect(started(hook)[0].workflowData![0][0].json).toMatchObject({ channel: adapter.name, text: 'hi 2' });
		});
	},
);
