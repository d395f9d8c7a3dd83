/**
 * Conformance: behaviour every chat channel must have, written once and run against every adapter
 * of the registry (nodes/channels/index.ts), each against its own emulator. What differs per
 * channel (emulator, credentials, fixture, how to read what arrived, how to sign or forge a
 * delivery, how to build an event with a file, how to provoke a 429) is the channel's kit,
 * test/nodes/conformance/<channel>.ts; a new adapter without a kit fails the suite instead of being
 * silently skipped.
 *
 * Sending: one message per item, splitting, 429, files, order. Receiving, through the trigger's
 * webhook over HTTP and the executions it starts (never its insides): forged and unsigned
 * deliveries, the same delivery twice, requests that are no event, events of a kind it does not
 * take, events it cannot read, files over "Max File Size" or "Max Download per Execution".
 */
import { NodeHelpers, type IDataObject, type INode, type INodeExecutionData } from 'n8n-workflow';

import { adapters, type ChannelAdapter } from '../../nodes/channels';
import { seenEvents } from '../../nodes/channels/memory';
import { ChatChannel } from '../../nodes/ChatChannel/ChatChannel.node';
import { ChatChannelTrigger } from '../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { deterministicSha256, runWorkflow, startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../harness';
import { NODE_TYPE, loadWorkflow } from './ChatChannel/setup';
import { TRIGGER_TYPE } from './ChatChannelTrigger/setup';
import { kitOf, type ChannelKit, type Emulator } from './conformance/kit';

describe('every channel adapter has a conformance kit', () => {
	it.each(Object.keys(adapters))('%s: test/nodes/conformance/%s.ts exports its kit', (name) => {
		expect(kitOf(name)?.name).toBe(name);
	});
});

describe.each(Object.values(adapters).map((adapter) => [adapter.displayName, adapter] as const))(
	'Chat channel conformance: %s',
	(_name: string, adapter: ChannelAdapter) => {
		// a missing kit fails the test above; here every test of the channel fails with it
		const channel = kitOf(adapter.name) as ChannelKit;
		let emu: Emulator;
		const hooks: WebhookTrigger[] = [];

		beforeEach(async () => {
			seenEvents.clear();
			emu = await channel.emulator.start();
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

		async function listen(parameters: Record<string, unknown> = {}) {
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
						parameters: { channel: adapter.name, ...channel.triggerParameters, ...parameters },
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
		/** Per execution started, its items' JSON. */
		const itemsOf = (hook: WebhookTrigger) => started(hook).map((call) => call.workflowData![0].map((item) => item.json));

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

		it('refuses a forged or unsigned webhook delivery with 401 or 403 and starts no execution', async () => {
			const hook = await listen();
			const forged = await channel.deliver(emu, hook, { key: 1, signature: 'forged' });
			const unsigned = await channel.deliver(emu, hook, { key: 1, signature: 'missing' });
			await hook.settled();
			expect([401, 403]).toContain(forged);
			expect([401, 403]).toContain(unsigned);
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
			expect(itemsOf(hook)).toEqual([[expect.objectContaining({ channel: adapter.name, text: 'hi 2' })]]);
		});

		it('refuses with a 4xx a request that is no event of the channel, and starts nothing', async () => {
			const hook = await listen();
			const statuses = await channel.malformed(emu, hook);
			await hook.settled();
			expect(statuses).toEqual(channel.malformedStatuses);
			for (const status of statuses) expect(status >= 400 && status < 500).toBe(true);
			expect(started(hook)).toHaveLength(0);
			// the trigger still takes the next genuine delivery
			expect(await channel.deliver(emu, hook, { key: 3 })).toBe(200);
			await hook.settled();
			expect(itemsOf(hook)).toEqual([[expect.objectContaining({ text: 'hi 3' })]]);
		});

		it('acknowledges an event of a kind it does not take with a 2xx and starts nothing for it', async () => {
			const hook = await listen();
			const unknown = await channel.unknown(emu, hook, 4);
			await hook.settled();
			// a 2xx: the channel does not send it again and again
			expect(unknown >= 200 && unknown < 300).toBe(true);
			expect(started(hook)).toHaveLength(0);
			expect(await channel.deliver(emu, hook, { key: 5 })).toBe(200);
			await hook.settled();
			expect(itemsOf(hook)).toEqual([[expect.objectContaining({ text: 'hi 5' })]]);
		});

		it('an event it cannot read arrives once, as an item with a notice (nothing lost); its redelivery starts nothing', async () => {
			const hook = await listen();
			const first = await channel.deliver(emu, hook, { key: 6, unreadable: true });
			const again = await channel.deliver(emu, hook, { key: 6, unreadable: true });
			await hook.settled();
			expect([first, again]).toEqual([200, 200]);
			const [[item]] = itemsOf(hook);
			expect(itemsOf(hook)).toHaveLength(1);
			expect(item).toMatchObject({ channel: adapter.name, eventId: expect.any(String) });
			const notices = [item.notice, ...((item.attachments ?? []) as IDataObject[]).map((a) => a.notice)];
			expect(notices).toContainEqual(expect.stringMatching(channel.unreadableNotice));
		});

		it('a file over "Max File Size" arrives as a notice and no bytes, the workflow still starts; a file within it is downloaded', async () => {
			const hook = await listen(channel.downloadOptions({ maxDownloadMb: 1 }));
			const big = await channel.deliver(emu, hook, { key: 7, file: { name: 'big.pdf', bytes: Buffer.alloc(3 * 1024 * 1024, 7) } });
			const small = await channel.deliver(emu, hook, { key: 8, file: { name: 'small.pdf', bytes: Buffer.alloc(5000, 8) } });
			await hook.settled();
			expect([big, small]).toEqual([200, 200]);
			const [bigItem, smallItem] = started(hook).map((call) => call.workflowData![0][0]);
			expect(started(hook)).toHaveLength(2);
			expect(bigItem.binary).toBeUndefined();
			expect((bigItem.json.attachments as IDataObject[])[0]).toMatchObject({ notice: expect.stringMatching(/^Not downloaded: .*more than the 1 MB set in "Max File Size"/) });
			expect((bigItem.json.attachments as IDataObject[])[0].binaryProperty).toBeUndefined();
			expect((smallItem.json.attachments as IDataObject[])[0]).toMatchObject({ size: 5000, binaryProperty: 'data' });
			expect(smallItem.binary?.data).toBeDefined();
		});

		it('a file over "Max Download per Execution" arrives as a notice and no bytes, the workflow still starts; a file within it is downloaded', async () => {
			const hook = await listen(channel.downloadOptions({ maxDownloadMb: 10, maxBatchMb: 1 }));
			const big = await channel.deliver(emu, hook, { key: 9, file: { name: 'big.pdf', bytes: Buffer.alloc(3 * 1024 * 1024, 9) } });
			const small = await channel.deliver(emu, hook, { key: 10, file: { name: 'small.pdf', bytes: Buffer.alloc(5000, 10) } });
			await hook.settled();
			expect([big, small]).toEqual([200, 200]);
			const [bigItem, smallItem] = started(hook).map((call) => call.workflowData![0][0]);
			expect(started(hook)).toHaveLength(2);
			expect(bigItem.binary).toBeUndefined();
			expect((bigItem.json.attachments as IDataObject[])[0]).toMatchObject({ notice: expect.stringMatching(/^Not downloaded: too large for this batch: .*"Max Download per Execution"/) });
			expect((smallItem.json.attachments as IDataObject[])[0]).toMatchObject({ size: 5000, binaryProperty: 'data' });
		});
	},
);
