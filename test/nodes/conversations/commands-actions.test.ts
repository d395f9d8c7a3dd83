/**
 * The actions as the Chat Channel node's Conversation operations call them (centre/actions.ts,
 * centre/customerLine.ts), outside a command: a note posted once however often its execution
 * retries (and again by a later execution), users found by username, by name or by id, and a line to the customer only from a chat
 * the bridge signed (the resolution's closing message sent through it).
 */
import { randomUUID } from 'node:crypto';

import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';

import type * as Actions from '../../../nodes/conversations/centre/actions';
import type * as Lines from '../../../nodes/conversations/centre/customerLine';
import { adapterFor } from '../../../nodes/channels';
import { runWorkflow, type WorkflowJson } from '../../harness';
import { telegramOf } from './drivers/telegram';
import { startCommands } from './commands-setup';
import type { Bridge, Customer } from './setup';

jest.setTimeout(120_000);

const PROBE = 'teamspiritTest.actions';
type Modules = { actions: typeof Actions; lines: typeof Lines };

async function act(ctx: IExecuteFunctions, i: number, json: IDataObject, m: Modules) {
	const actor = { id: null, name: 'Night shift workflow' };
	const chatId = String(json.chatId ?? '');
	if (json.do === 'note') {
		const note = async () =>
			await m.actions.addNote(ctx, i, chatId, { text: String(json.text) }, actor);
		// a retry of the same item in the same execution (Retry On Fail)
		if (json.retried === true) await note();
		return await note();
	}
	if (json.do === 'user') {
		const user = await m.actions.findUser(ctx, i, json.who as IDataObject);
		return { user: user?.name ?? null };
	}
	const chat = (await ctx.helpers.httpRequest({
		url: `${String(json.server)}/api/v1/chats/${chatId}`,
		headers: { Authorization: `Bearer ${String(json.apiKey)}` },
		json: true,
	})) as Parameters<typeof m.lines.lineFor>[3];
	const line = await m.lines.lineFor(ctx, i, adapterFor('telegram')!, chat);
	if ('why' in line) return { why: line.why };
	return await m.actions.resolve(ctx, i, chat, { line, sendKey: `test:${chatId}` }, actor);
}

function probeCopy(): INodeType {
	let node: INodeType | undefined;
	jest.isolateModules(() => {
		/* eslint-disable @typescript-eslint/no-require-imports */
		const m: Modules = {
			actions: require('../../../nodes/conversations/centre/actions'),
			lines: require('../../../nodes/conversations/centre/customerLine'),
		};
		/* eslint-enable @typescript-eslint/no-require-imports */
		node = {
			description: {
				displayName: 'Conversation actions (test)',
				name: PROBE,
				group: ['transform'],
				version: 1,
				description: 'Runs centre/actions.ts per item',
				defaults: { name: 'Probe' },
				inputs: [NodeConnectionTypes.Main],
				outputs: [NodeConnectionTypes.Main],
				credentials: [
					{ name: 'teamSpiritApi', required: true },
					{ name: 'teamSpiritTelegramApi', required: true },
				],
				properties: [],
			},
			async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
				const out: INodeExecutionData[] = [];
				for (const [i, { json }] of this.getInputData().entries()) {
					const result = (await act(this, i, json, m)) as unknown as IDataObject;
					out.push({ json: result, pairedItem: { item: i } });
				}
				return [out];
			},
		};
	});
	return node!;
}

async function run(b: Bridge, item: IDataObject): Promise<IDataObject> {
	const workflow = {
		id: `wf-actions-${randomUUID().slice(0, 8)}`,
		name: 'actions',
		nodes: [
			{
				parameters: {},
				name: 'Probe',
				type: PROBE,
				typeVersion: 1,
				position: [0, 0],
				id: randomUUID(),
				credentials: {
					teamSpiritApi: { id: '1', name: 'TeamSpirit' },
					teamSpiritTelegramApi: { id: '2', name: 'Telegram' },
				},
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowJson;
	const result = await runWorkflow({
		workflow,
		nodeTypes: { [PROBE]: probeCopy() },
		credentialTypes: b.credentialTypes,
		credentials: b.credentials,
		startNode: 'Probe',
		startItems: [{ json: { server: b.ts.url, apiKey: b.ts.apiKey, ...item } }],
	});
	if (result.error) throw result.error;
	return result.nodeOutput('Probe')[0].json;
}

let bridge: Bridge;
let anna: Customer;
afterEach(async () => {
	await bridge?.stop();
});

describe('Conversation actions for the editor', () => {
	it('Add Note: posted once by the bot however often its execution retries, again by a later execution; never sent', async () => {
		({ bridge } = await startCommands());
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const chatId = bridge.chatOf(anna)!.id;

		const first = await run(bridge, { do: 'note', chatId, text: 'Called her back', retried: true });
		const later = await run(bridge, { do: 'note', chatId, text: 'Called her back' });
		await bridge.settle();

		expect(first.notice).toBe('📝 Note added (not sent to the customer)');
		expect(later.noteId).not.toBe(first.noteId);
		const notes = bridge.messagesOf(anna).filter((m) => m.text.startsWith('📝'));
		expect(notes.map((m) => m.text)).toEqual(
			Array(2).fill('📝 Note by Night shift workflow: Called her back'),
		);
		expect(bridge.received(anna)).toEqual([]);
	});

	it('users by username (any case, with or without @), by exact name, by id; unknown: none', async () => {
		({ bridge } = await startCommands());
		const helga = bridge.ts.addUser({ name: 'Helga Hansen', username: 'helga' });
		bridge.ts.addUser({ name: 'Helga Hansen-Berg', username: 'hhb' });
		const found = async (who: IDataObject) => (await run(bridge, { do: 'user', who })).user;

		expect(await found({ username: '@Helga' })).toBe('Helga Hansen');
		expect(await found({ username: 'helga hansen' })).toBe('Helga Hansen');
		expect(await found({ userId: helga.id })).toBe('Helga Hansen');
		expect(await found({ username: 'hel' })).toBeNull();
		expect(await found({ userId: 'u_nobody' })).toBeNull();
	});

	it('the customer is reached only from a chat the bridge signed', async () => {
		({ bridge } = await startCommands('telegram', {
			closingMessage: 'Thanks for writing to us!',
		}));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const real = bridge.chatOf(anna)!;
		const forged = bridge.ts.addChat({
			title: real.title,
			memberIds: [bridge.operator.id],
			externalKey: `telegram:${bridge.driver.account}:${anna.part}~AAAAAAAAAAAAAAAA`,
			metadata: { ...real.metadata },
		});

		const refused = await run(bridge, { do: 'resolve', chatId: forged.id });
		expect(refused.why).toMatch(/not opened by the conversation bridge/);
		const resolved = await run(bridge, { do: 'resolve', chatId: real.id });

		expect(resolved.notice).toBe(
			'✅ Resolved by Night shift workflow. Sent to the customer: the closing message',
		);
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Thanks for writing to us!']);
	});

	it('Resolve run again after its closing message was not sent: sent then, once; recorded on the conversation', async () => {
		({ bridge } = await startCommands('telegram', {
			closingMessage: 'Thanks for writing to us!',
		}));
		anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello');
		const chatId = bridge.chatOf(anna)!.id;
		telegramOf(bridge).failNext({ method: 'sendMessage', status: 400 });

		const failed = await run(bridge, { do: 'resolve', chatId });
		expect(failed.notice).toMatch(/^✅ Resolved by Night shift workflow\. ⚠️ Not sent to the customer/);
		expect(bridge.received(anna)).toEqual([]);
		expect(bridge.ts.chat(chatId)!.metadata).toMatchObject({
			status: 'resolved',
			closing: { key: `test:${chatId}`, sentAt: null },
		});
		// the same resolution again (its key: the same command message, the same editor item)
		const again = await run(bridge, { do: 'resolve', chatId });
		const third = await run(bridge, { do: 'resolve', chatId });

		expect(again.notice).toBe(
			'✅ Resolved by Night shift workflow. Sent to the customer: the closing message',
		);
		expect(third.notice).toBe('ℹ️ Already resolved');
		expect(bridge.received(anna).map((r) => r.text)).toEqual(['Thanks for writing to us!']);
		const { closing } = bridge.ts.chat(chatId)!.metadata as { closing: { sentAt: string } };
		expect(Date.parse(closing.sentAt)).not.toBeNaN();
	});
});
