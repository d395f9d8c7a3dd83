/**
 * The Website channel's transcript module (nodes/channels/website/transcript.ts), which the
 * trigger's endpoints and the adapter's actions both use: the signed transcript key, find or
 * create, the visitor's messages under their clientId, the contact, the widget's view. Run inside
 * a real n8n execution (a probe node gets the execute functions) against the TeamSpirit emulator.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { TeamSpiritWebsiteApi } from '../../../credentials/TeamSpiritWebsiteApi.credentials';
import {
	ensureTranscript,
	findTranscript,
	forgetTranscripts,
	inKey,
	postToTranscript,
	readTranscript,
	transcriptKey,
	updateContact,
	verifyTranscriptKey,
	widgetMessages,
	type TranscriptChat,
} from '../../../nodes/channels/website/transcript';
import { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { runWorkflow, type WorkflowJson } from '../../harness';
import { SESSION_SECRET } from '../conformance/website';

const VISITOR = 'v_AdaAdaAdaAdaAdaAdaAdaA';

let probe: (ctx: IExecuteFunctions) => Promise<IDataObject>;

/** A node that hands its execute functions to the test's `probe`. */
class Probe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Probe',
		name: 'probe',
		group: ['transform'],
		version: 1,
		description: 'Runs the test probe',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'teamSpiritWebsiteApi', required: true }],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [[{ json: await probe(this) }]];
	}
}

const workflow: WorkflowJson = {
	nodes: [
		{ id: 'a', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{ id: 'b', name: 'Probe', type: 'teamspiritTest.probe', typeVersion: 1, position: [200, 0], parameters: {}, credentials: { teamSpiritWebsiteApi: { id: '5', name: 'Website chat' } } },
	],
	connections: { Start: { main: [[{ node: 'Probe', type: NodeConnectionTypes.Main, index: 0 }]] } },
	settings: { executionOrder: 'v1' },
};

let ts: TeamSpiritEmulator;
beforeEach(async () => {
	ts = await TeamSpiritEmulator.start();
	forgetTranscripts();
});
afterEach(async () => await ts.stop());

async function inExecution(run: (ctx: IExecuteFunctions) => Promise<IDataObject>): Promise<IDataObject> {
	probe = run;
	const result = await runWorkflow({
		workflow,
		nodeTypes: { 'teamspiritTest.probe': new Probe() },
		credentialTypes: [new TeamSpiritWebsiteApi()],
		credentials: { teamSpiritWebsiteApi: { serverUrl: ts.url, apiKey: ts.apiKey, sessionSecret: SESSION_SECRET } },
	});
	if (result.status !== 'success') throw new Error(String(result.error?.message));
	return result.nodeOutput('Probe')[0].json;
}

describe('Website transcript keys', () => {
	it('signs the transcript key with the Session Secret and verifies only keys signed with it', () => {
		const key = transcriptKey(VISITOR, SESSION_SECRET);
		expect(key).toMatch(/^visitor:v_AdaAdaAdaAdaAdaAdaAdaA~[A-Za-z0-9_-]{16}$/);
		expect(verifyTranscriptKey(key, SESSION_SECRET)).toBe(VISITOR);
		expect(verifyTranscriptKey(key, 'another secret')).toBeUndefined();
		expect(verifyTranscriptKey(transcriptKey('v_BobBobBobBobBobBobBobB', SESSION_SECRET).replace('Bob', 'Ada'), SESSION_SECRET)).toBeUndefined();
		expect(verifyTranscriptKey(key, '')).toBeUndefined();
		expect(verifyTranscriptKey(`${key}x`, SESSION_SECRET)).toBeUndefined();
	});
});

describe('Website transcript in TeamSpirit', () => {
	it('creates one transcript per visitor, only the bot in it, and finds it again (409) instead of a second', async () => {
		const out = await inExecution(async (ctx) => {
			const before = await findTranscript(ctx, VISITOR);
			const first = await ensureTranscript(ctx, VISITOR, { name: 'Ada', email: 'ada@example.com' });
			forgetTranscripts();
			const again = await ensureTranscript(ctx, VISITOR, { name: 'Someone else' });
			const found = await findTranscript(ctx, VISITOR);
			return { before: before ?? null, first, again, found: found ?? null };
		});
		const first = out.first as TranscriptChat;
		expect(out.before).toBeNull();
		expect([(out.again as TranscriptChat).id, (out.found as TranscriptChat).id]).toEqual([first.id, first.id]);
		const chat = ts.chat(first.id)!;
		expect(chat).toMatchObject({
			title: `Website visitor ${VISITOR}`,
			type: 'group',
			memberIds: [ts.bot.id],
			externalKey: transcriptKey(VISITOR, SESSION_SECRET),
			metadata: { kind: 'websiteVisitor', visitorId: VISITOR, name: 'Ada', email: 'ada@example.com', typingUntil: null },
		});
		expect([...ts.chats.values()].filter((c) => c.metadata.kind === 'websiteVisitor')).toHaveLength(1);
	});

	it("stores a visitor's message once under its clientId, and shows the transcript as the widget does, oldest first", async () => {
		const out = await inExecution(async (ctx) => {
			const chat = await ensureTranscript(ctx, VISITOR);
			const a = await postToTranscript(ctx, chat.id, { text: 'Hello', externalKey: inKey('c-1') });
			const retried = await postToTranscript(ctx, chat.id, { text: 'Hello', externalKey: inKey('c-1') });
			await postToTranscript(ctx, chat.id, { text: 'Hi, how can I help?', externalKey: 'out:abc' });
			await postToTranscript(ctx, chat.id, { text: 'someone else wrote this', externalKey: 'note:1' });
			const view = widgetMessages(await readTranscript(ctx, chat.id), (id) => `https://n8n.example.com/files?id=${id}`);
			return { a: a.id, retried: retried.id, view: view as unknown as IDataObject };
		});
		expect(out.retried).toBe(out.a);
		expect(out.view).toEqual([
			{ id: out.a, clientId: 'c-1', from: 'visitor', text: 'Hello', files: [], at: expect.any(String), editedAt: null },
			{ id: expect.stringMatching(/^m_/), from: 'agent', text: 'Hi, how can I help?', files: [], at: expect.any(String), editedAt: null },
		]);
	});

	it("sets the visitor's contact without losing a change another process made meanwhile (If-Match)", async () => {
		const out = await inExecution(async (ctx) => {
			const chat = await ensureTranscript(ctx, VISITOR);
			// another process writes the typing time first: this one's copy of the chat is stale
			await ts.changeChatAsUser(chat.id, ts.bot.id, { metadata: { ...chat.metadata, typingUntil: '2030-01-01T00:00:00.000Z' } });
			return await updateContact(ctx, chat, { name: 'Ada', email: 'ada@example.com' });
		});
		expect(out.metadata).toMatchObject({ name: 'Ada', email: 'ada@example.com', typingUntil: '2030-01-01T00:00:00.000Z' });
		expect(ts.chat(String(out.id))!.metadata).toEqual(out.metadata);
	});
});
