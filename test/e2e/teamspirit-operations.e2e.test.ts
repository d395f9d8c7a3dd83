/**
 * Every operation of the TeamSpirit node in a real n8n: the workflow fixtures of the engine tests
 * (test/nodes/TeamSpirit/workflows) become branches of one workflow, their test-only items node
 * replaced by n8n's own Edit Fields (raw JSON) → Split Out, and run once with `n8n execute`
 * against the emulator.
 */
import * as path from 'node:path';

import { TeamSpiritEmulator } from '../emulators/teamspirit';
import {
	createN8nHome,
	executeWorkflow,
	importCredentials,
	importWorkflow,
	installPackageTarball,
	nodeOutput,
	REPO_ROOT,
	workflowFromFixtures,
	type N8nHome,
} from './n8n';

const FIXTURES = path.join(REPO_ROOT, 'test', 'nodes', 'TeamSpirit', 'workflows');
const NODE_TYPE = 'n8n-nodes-teamspirit.teamSpirit';

/** In execution order: reads before the edits and deletes that change what they read. */
const BRANCHES = [
	'message.send',
	'message.send-continue-on-fail',
	'message.send-auto',
	'message.sendToUser',
	'message.reply',
	'message.get',
	'message.update',
	'message.getAll',
	'file.get',
	'file.download',
	'chat.get',
	'chat.getAll',
	'chat.create',
	'chat.addMembers',
	'chat.markAsRead',
	'chat.removeMember',
	'user.get',
	'user.getAll',
	'user.getStatus',
	'status.set',
	'incomingWebhook.post',
	'customApiCall.request',
	'message.delete',
];

const tarball = process.env.TS_PACKAGE_TARBALL;

describe('every TeamSpirit operation in a real n8n', () => {
	let home: N8nHome;
	let ts: TeamSpiritEmulator;

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run with `npm run test:e2e`');
		home = await createN8nHome({ prefix: 'n8n-e2e-ops-' });
		await installPackageTarball(home, tarball);
		ts = await TeamSpiritEmulator.start();
	});

	afterAll(async () => {
		await ts?.stop();
		await home?.cleanup();
	});

	it('runs each operation once, with the results the emulator holds afterwards', async () => {
		const alice = ts.addUser({ id: 'u_alice', name: 'Alice Archer', username: 'alice' });
		const bob = ts.addUser({ id: 'u_bob', name: 'Bob Boyd', username: 'bob' });
		ts.addChat({ id: 'c_general', title: 'General', memberIds: [alice.id, bob.id] });
		ts.addChat({ id: 'c_support', title: 'Support desk', memberIds: [alice.id] });
		ts.addChat({ id: 'c_busy', title: 'Busy chat' });
		ts.addMessage('c_general', { id: 'm_question', senderId: alice.id, text: 'Question?' });
		ts.addMessage('c_general', { id: 'm_answer', text: 'Answer.' });
		for (let i = 0; i < 130; i++) ts.addMessage('c_busy', { text: `n${i}` });
		const file = ts.addFile({ name: 'notes.txt', mimeType: 'text/plain', content: 'meeting notes' });
		const hook = ts.addIncomingHook({ chatId: 'c_support' });

		await importCredentials(home, [
			{ id: '1', name: 'TeamSpirit account', type: 'teamSpiritApi', data: { serverUrl: ts.url, apiKey: ts.apiKey } },
		]);
		const workflow = workflowFromFixtures({
			dir: FIXTURES,
			nodeType: NODE_TYPE,
			label: 'TeamSpirit',
			branches: BRANCHES.map((name) =>
				name === 'file.get' || name === 'file.download' ? { name, items: [{ fileId: file.id }] } : name,
			),
		});
		// the incoming-webhook branch uses its own credential
		const hookNode = workflow.nodes.find((n) => n.name === 'TeamSpirit incomingWebhook.post')!;
		hookNode.credentials = { teamSpiritIncomingWebhookApi: { id: '2', name: 'Support hook' } };
		await importCredentials(home, [
			{ id: '2', name: 'Support hook', type: 'teamSpiritIncomingWebhookApi', data: { webhookUrl: hook.url } },
		]);
		// the reply attaches the seeded file
		const reply = workflow.nodes.find((n) => n.name === 'TeamSpirit message.reply')!;
		(reply.parameters.options as { fileIds: string }).fileIds = file.id;

		const id = await importWorkflow(home, workflow);
		const run = await executeWorkflow(home, id, { timeoutMs: 180_000 });
		const printed = run.stdout + run.stderr;
		if (!run.ok) throw new Error(`n8n execute failed:\n${printed.slice(-6000)}`);
		const out = (name: string) => nodeOutput(run.result, `TeamSpirit ${name}`);

		expect(out('message.send').map((m) => m.text)).toEqual(['Hello *team*', 'Second', 'Third']);
		expect(out('message.send-continue-on-fail')).toEqual([
			expect.objectContaining({ text: 'ok 1' }),
			{ error: "TeamSpirit: Chat 'c_nope' not found (item 1)" },
			{ error: 'Text is empty on item 2' },
			expect.objectContaining({ text: 'ok 2' }),
		]);
		// Map Fields Automatically: chatId, text and idempotencyKey from each item, no expression
		expect(out('message.send-auto').map((m) => [m.chatId, m.text, m.format])).toEqual([
			['c_general', 'Auto *one*', 'markdown'],
			['c_support', 'Auto two', 'markdown'],
			['c_general', 'Auto three', 'markdown'],
		]);
		expect(
			ts.requests.filter((r) => /^order-\d$/.test(String(r.headers['idempotency-key']))).map((r) => r.headers['idempotency-key']),
		).toEqual(expect.arrayContaining(['order-1', 'order-2', 'order-3']));
		expect(out('message.sendToUser').map((m) => m.text)).toEqual(['Hi Alice', 'Hi Bob']);
		expect(out('message.reply')[0]).toMatchObject({ replyToId: 'm_question', files: [{ id: file.id }] });
		expect(out('message.get').map((m) => m.id)).toEqual(['m_question', 'm_answer']);
		expect(out('message.update')[0]).toMatchObject({ id: 'm_answer', text: 'Edited' });
		expect(out('message.getAll')).toHaveLength(130 + 120);
		expect(out('file.get')).toEqual([expect.objectContaining({ id: file.id, name: 'notes.txt', size: 13 })]);
		expect(out('file.download')).toEqual([expect.objectContaining({ id: file.id })]);
		const download = run.result.data.resultData.runData['TeamSpirit file.download'][0].data.main[0][0];
		expect(download.binary.report).toMatchObject({ fileName: 'notes.txt', mimeType: 'text/plain' });
		expect(out('chat.get').map((c) => c.id)).toEqual(['c_general', 'c_support']);
		expect(out('chat.getAll').map((c) => c.title)).toEqual(['Support desk']);
		expect(out('chat.create')[0]).toMatchObject({ title: 'Incident 42', type: 'group' });
		expect(out('chat.addMembers')[0].memberIds).toEqual(expect.arrayContaining(['u_alice', 'u_bob']));
		expect(out('chat.markAsRead')).toEqual([{ read: true, chatId: 'c_general', messageId: 'm_answer' }]);
		expect(out('chat.removeMember')).toEqual([{ removed: true, chatId: 'c_general', userId: 'u_bob' }]);
		expect(out('user.get')[0]).toMatchObject({ id: 'u_alice', username: 'alice' });
		expect(out('user.getAll').map((u) => u.id)).toEqual(['u_bob']);
		expect(out('user.getStatus')[0]).toMatchObject({ userId: 'u_alice', status: 'offline' });
		expect(out('status.set')).toEqual([{ status: 'busy', text: 'In a meeting', until: '2026-12-01T17:00:00.000Z' }]);
		expect(out('incomingWebhook.post')).toEqual([{ ok: true, messageId: expect.any(String) }]);
		expect(out('customApiCall.request')[0]).toMatchObject({ id: ts.bot.id });
		expect(out('message.delete')).toEqual([{ deleted: true, chatId: 'c_general', messageId: 'm_question' }]);

		// and TeamSpirit holds the result
		expect(ts.message('m_question')).toBeUndefined();
		expect(ts.message('m_answer')?.text).toBe('Edited');
		expect(ts.chats.get('c_general')?.memberIds).not.toContain('u_bob');
		expect(ts.hookMessages.map((m) => m.text)).toEqual(['Form submitted by Ada']);
		expect(ts.statuses.get(ts.bot.id)).toMatchObject({ status: 'busy' });
		expect(printed).not.toContain(ts.apiKey);
		expect(printed).not.toContain(hook.token);
	});
});
