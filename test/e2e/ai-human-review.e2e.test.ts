/**
 * Human review of AI tools in a real n8n 2.41.1 (`n8n start`, the packed package installed as a
 * community package), with `@n8n/n8n-nodes-langchain`'s AI Agent and OpenAI Chat Model pointed at
 * the OpenAI emulator (test/emulators/openai.ts).
 *
 * - n8n offers this package's nodes to the agent as tools (`teamSpiritTool`, `chatChannelTool`) and,
 *   because both have webhooks and a `sendAndWait` operation, as human-review tools
 *   (`teamSpiritHitlTool`, `chatChannelHitlTool`, "Human in the Loop"): no setting.
 * - The workflow: Webhook → AI Agent (OpenAI Chat Model) → TeamSpirit "Report" (the agent's answer
 *   to a log chat). The agent's tool "Post to Announcements" (TeamSpirit as a tool, Send to Chat)
 *   is gated by "Ask an operator" (TeamSpirit's human review: Send and Wait for Response, approval,
 *   in an Approvals chat). Canvas: tool —ai_tool→ human review —ai_tool→ agent.
 * - The model calls the gated tool: n8n runs the human review node instead (the wait message with
 *   Approve / Decline links in TeamSpirit) and the execution waits. Approve → n8n runs the tool
 *   (its message arrives in Announcements), the model gets its result and answers (also when an
 *   operator replies "yes" to the wait message, Accept Replies in TeamSpirit); Decline → the
 *   tool does not run, the model gets n8n's "User rejected the tool call …" and answers. A review
 *   whose time limit passes (n8n goes on with the review's input items: no `approved`) counts as
 *   declined.
 *
 * What n8n 2.41 does (read in its source; this suite proves it):
 * - The gated tool keeps its name and description for the model; its arguments become
 *   `{ toolParameters: <the tool's own>, hitlParameters: <$fromAI of the review node> }`
 *   (n8n-core `createHitlToolkit`).
 * - A call is an engine request to the review node (langchain `createEngineRequests`), whose input
 *   item is the agent's item + `hitlParameters` + `toolParameters`, `tool` and `toolCallId`:
 *   `$tool.name` / `$tool.parameters` in its message read those.
 * - The answer `{ data: { approved } }` is read by `processHitlResponses`: approved → a second
 *   engine request runs the gated tool with `toolParameters`; declined → the tool's result for the
 *   model is n8n's refusal text, and the tool never runs.
 *
 * Run with `npm run test:e2e -- test/e2e/ai-human-review.e2e.test.ts`.
 */
import { randomUUID } from 'node:crypto';

import { OpenAiEmulator } from '../emulators/openai';
import { TeamSpiritEmulator, type Chat, type Message } from '../emulators/teamspirit';
import { formatTimings, N8nEditor, timings, type WorkflowJson } from './n8n';
import { sharedN8n, type SharedN8n } from './shared-n8n';

const tarball = process.env.TS_PACKAGE_TARBALL;
const PKG = 'n8n-nodes-teamspirit';
const TOOL_NAME = 'Post_to_Announcements';
const WEBHOOK_PATH = `ai-human-review-${randomUUID().slice(0, 8)}`;

const node = (name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
	id: randomUUID(),
	name,
	type,
	typeVersion,
	position: [0, 0],
	parameters,
	...extra,
});

function workflow(chats: { announcements: Chat; approvals: Chat; log: Chat }): WorkflowJson {
	const teamSpirit = { teamSpiritApi: { id: 'teamspirit', name: 'TeamSpirit account' } };
	const chat = (c: Chat) => ({ __rl: true, mode: 'id', value: c.id });
	return {
		name: 'AI agent with human review',
		nodes: [
			node('Request', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} }, { webhookId: randomUUID() }),
			node('AI Agent', '@n8n/n8n-nodes-langchain.agent', 3.1, {
				promptType: 'define',
				text: '={{ $json.body.text }}',
				options: { systemMessage: 'You post announcements for the team. [human-review-e2e]' },
			}),
			node(
				'OpenAI Chat Model',
				'@n8n/n8n-nodes-langchain.lmChatOpenAi',
				1.3,
				{ model: { __rl: true, mode: 'id', value: 'gpt-5-mini' }, options: {} },
				{ credentials: { openAiApi: { id: 'openai', name: 'OpenAI emulator' } } },
			),
			node(
				'Post to Announcements',
				`${PKG}.teamSpiritTool`,
				1,
				{
					descriptionType: 'manual',
					toolDescription: 'Posts an announcement to the team chat',
					resource: 'message',
					operation: 'send',
					chatId: chat(chats.announcements),
					text: "={{ $fromAI('text', 'The announcement', 'string') }}",
				},
				{ credentials: teamSpirit },
			),
			node(
				'Ask an operator',
				`${PKG}.teamSpiritHitlTool`,
				1,
				{
					chatId: chat(chats.approvals),
					message: '=The agent wants to run this tool: {{ $tool.name }}\n\nInput:\n{{ JSON.stringify($tool.parameters) }}',
					approvalOptions: { values: { approvalType: 'double' } },
					// a request may set a time limit (the review's input item is the agent's, plus the call)
					options: {
						acceptReplies: '={{ $json.body.acceptReplies ?? false }}',
						limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: '={{ $json.body.limitMinutes ?? 600 }}', resumeUnit: 'minutes' } },
					},
				},
				{ credentials: teamSpirit },
			),
			node('Report', `${PKG}.teamSpirit`, 1, { resource: 'message', operation: 'send', chatId: chat(chats.log), text: '={{ $json.output }}' }, { credentials: teamSpirit }),
		],
		connections: {
			Request: { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] },
			'AI Agent': { main: [[{ node: 'Report', type: 'main', index: 0 }]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Post to Announcements': { ai_tool: [[{ node: 'Ask an operator', type: 'ai_tool', index: 0 }]] },
			'Ask an operator': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

describe('human review of AI tools (teamSpiritHitlTool) in a real n8n', () => {
	let shared: SharedN8n | undefined;
	let n8n: SharedN8n['n8n'] | undefined;
	let ts: TeamSpiritEmulator;
	let ai: OpenAiEmulator;
	let chats: { announcements: Chat; approvals: Chat; log: Chat };
	let workflowId = '';
	const editor = new N8nEditor(() => n8n!.url);
	const started = Date.now();

	const showN8n = () =>
		[
			`--- model calls ---\n${ai?.calls.map((c) => `${c.matched ?? 'no rule'}: ${JSON.stringify(c.lastUserText)}, tool results ${JSON.stringify(c.toolResults.map((r) => r.output))}`).join('\n')}`,
			`--- n8n output ---\n${n8n?.output().slice(-6000) ?? '(n8n is not running)'}`,
		].join('\n');
	const pause = async (ms: number) => await new Promise((r) => setTimeout(r, ms));
	async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false | null> | T | undefined | false | null, timeoutMs = 90_000): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const value = await probe();
			if (value) return value;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${showN8n()}`);
			await pause(200);
		}
	}
	const messages = (c: Chat): Message[] => ts.messagesIn(c.id);
	const latestExecution = async () => (await editor.executions()).find((e) => e.workflowId === workflowId);

	/** Asks the agent; resolves with the wait message the review posted in Approvals. */
	async function ask(text: string, extra: Record<string, unknown> = {}): Promise<Message> {
		const before = messages(chats.approvals).length;
		// n8n registers the published workflow's webhook right after activation: 404 until then
		await waitFor('the webhook to start the workflow', async () => {
			const res = await fetch(`${n8n!.webhookBaseUrl}${WEBHOOK_PATH}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ text, ...extra }),
			}).catch((error: Error & { cause?: { code?: string } }) => {
				// a kept-alive connection n8n closed as the request went out (undici: "other side
				// closed"): n8n never read it, so it is sent again
				if (error.cause?.code === 'UND_ERR_SOCKET') return undefined;
				throw error;
			});
			if (!res) return false;
			if (res.status !== 404) expect(res.status).toBe(200);
			return res.status === 200;
		});
		return await waitFor('the wait message in Approvals', () => messages(chats.approvals)[before]);
	}

	/** A person's browser opening a link (n8n and our pages answer link previews and HTTP clients with nothing). */
	const open = async (url: string) =>
		await fetch(url, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36' } });

	/** The signed link of the wait message that answers `approved`. */
	function link(wait: Message, approved: boolean): string {
		const url = new RegExp(`\\((http[^)\\s]*approved=${approved}[^)\\s]*)\\)`).exec(wait.text)?.[1];
		if (!url) throw new Error(`no ${approved ? 'approve' : 'decline'} link in: ${wait.text}`);
		return url;
	}

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		ts = await TeamSpiritEmulator.start();
		chats = {
			announcements: ts.addChat({ title: 'Announcements' }),
			approvals: ts.addChat({ title: 'Approvals', memberIds: [ts.addUser({ id: 'u_olga', name: 'Olga Operator', username: 'olga' }).id] }),
			log: ts.addChat({ title: 'Agent log' }),
		};
		ai = await OpenAiEmulator.start();
		ai.script(
			{
				name: 'answer after the tool',
				toolResultFrom: TOOL_NAME,
				answer: (c) => ({
					text: /rejected/.test(c.toolResults[0].output) ? `Not posted: ${c.lastUserText}` : `Posted: ${c.lastUserText}`,
				}),
			},
			{
				name: 'call the gated tool',
				user: /^Announce: /,
				answer: (c) => ({
					toolCalls: [{ name: TOOL_NAME, arguments: { toolParameters: { text: c.lastUserText.slice('Announce: '.length) }, hitlParameters: {} } }],
				}),
			},
		);

		// the n8n the suites share (test/e2e/shared-n8n.ts): the workflow published into it
		shared = await sharedN8n();
		n8n = shared.n8n;
		await shared.importCredentials([
			{ id: 'teamspirit', name: 'TeamSpirit account', type: 'teamSpiritApi', data: { serverUrl: ts.url, apiKey: ts.apiKey } },
			{ id: 'openai', name: 'OpenAI emulator', type: 'openAiApi', data: { apiKey: ai.apiKey, url: ai.baseUrl } },
		]);
		[workflowId] = await shared.publishWorkflows([workflow(chats)]);
		editor.useSession(shared!.editor.session);
	}, 300_000);

	afterAll(async () => {
		await shared?.release();
		await ai?.stop();
		await ts?.stop();
		timings.push({ label: 'suite', ms: Date.now() - started });
		console.log(formatTimings());
	});

	it('offers TeamSpirit and Chat Channel as AI tools and as human-review tools', async () => {
		editor.useSession(shared!.editor.session);
		const types = (await editor.call('GET', '/../types/nodes.json')).json as Array<{ name: string; codex?: unknown; properties: Array<Record<string, unknown>> }>;
		const names = types.map((t) => t.name);
		for (const name of ['teamSpiritTool', 'chatChannelTool', 'teamSpiritHitlTool', 'chatChannelHitlTool']) {
			expect(names).toContain(`${PKG}.${name}`);
		}
		for (const base of ['teamSpirit', 'chatChannel']) {
			const review = types.find((t) => t.name === `${PKG}.${base}HitlTool`)!;
			expect(review.codex).toMatchObject({ categories: ['AI'], subcategories: { AI: ['Tools'], Tools: ['Human in the Loop'] } });
			const hidden = (name: string) => review.properties.find((p) => p.name === name);
			expect(hidden('operation')).toMatchObject({ type: 'hidden', default: 'sendAndWait' });
			expect(hidden('responseType')).toMatchObject({ type: 'hidden', default: 'approval' });
			expect(hidden('approvalOptions')).toBeDefined();
		}
	});

	let late: Message;
	it('starts a review with a time limit (answered by nobody; checked last)', async () => {
		late = await ask('Announce: Late news', { limitMinutes: 0.05 });
	});

	it('waits for an operator in TeamSpirit; Approve runs the tool and the agent answers', async () => {
		const wait = await ask('Announce: Deploy at 17:00');
		expect(wait.text).toContain(`The agent wants to run this tool: ${TOOL_NAME}`);
		expect(wait.text).toContain('Input:\n{"text":"Deploy at 17:00"}');
		// the model offered the gated tool under its own name, arguments wrapped for the review
		const first = ai.calls.find((c) => c.lastUserText === 'Announce: Deploy at 17:00')!;
		const offered = first.tools.find((t) => t.name === TOOL_NAME)!;
		expect(Object.keys((offered.parameters as { properties: object }).properties).sort()).toEqual(['hitlParameters', 'toolParameters']);
		await waitFor('the execution to wait', async () => (await latestExecution())?.status === 'waiting');
		expect(messages(chats.announcements)).toHaveLength(0);

		const page = await open(link(wait, true));
		expect(page.status).toBe(200);
		const posted = await waitFor('the announcement', () => messages(chats.announcements)[0]);
		expect(posted.text).toBe('Deploy at 17:00');
		const report = await waitFor('the agent’s answer', () => messages(chats.log).find((m) => m.text.includes('Deploy at 17:00')));
		expect(report.text).toBe('Posted: Announce: Deploy at 17:00');
		await waitFor('the execution to succeed', async () => (await latestExecution())?.status === 'success');
		const last = ai.callsFor('Deploy at 17:00').at(-1)!;
		expect(last.matched).toBe('answer after the tool');
		expect(last.toolResults[0].output).toContain(posted.id);
		expect(messages(chats.announcements)).toHaveLength(1);
		// the wait message shows the outcome instead of the links
		const answered = messages(chats.approvals).find((m) => m.id === wait.id)!;
		expect(answered.text).toMatch(/\n\n✅ Approved$/);
		expect(answered.text).not.toContain('approved=');
	});

	it('an operator approves by replying "yes" to the wait message in TeamSpirit (Accept Replies in TeamSpirit)', async () => {
		const wait = await ask('Announce: Coffee machine fixed', { acceptReplies: true });
		await waitFor('the execution to wait', async () => (await latestExecution())?.status === 'waiting');
		expect(messages(chats.announcements).map((m) => m.text)).not.toContain('Coffee machine fixed');
		await ts.postAsUser(chats.approvals.id, 'u_olga', { text: 'yes', replyToId: wait.id });
		await waitFor('the announcement', () => messages(chats.announcements).find((m) => m.text === 'Coffee machine fixed'));
		const report = await waitFor('the agent’s answer', () => messages(chats.log).find((m) => m.text.includes('Coffee machine')));
		expect(report.text).toBe('Posted: Announce: Coffee machine fixed');
		expect(messages(chats.approvals).find((m) => m.id === wait.id)!.text).toMatch(/\n\n✅ Approved by Olga Operator$/);
	});

	it('Decline: the tool never runs and the agent is told the operator refused', async () => {
		const wait = await ask('Announce: Free pizza');
		await waitFor('the execution to wait', async () => (await latestExecution())?.status === 'waiting');
		const page = await open(link(wait, false));
		expect(page.status).toBe(200);
		const report = await waitFor('the agent’s answer', () => messages(chats.log).find((m) => m.text.includes('Free pizza')));
		expect(report.text).toBe('Not posted: Announce: Free pizza');
		await waitFor('the execution to succeed', async () => (await latestExecution())?.status === 'success');
		const last = ai.callsFor('Free pizza').at(-1)!;
		expect(last.toolResults[0].output).toContain(`User rejected the tool call to ${'Post to Announcements'}`);
		expect(messages(chats.announcements).map((m) => m.text)).not.toContain('Free pizza');
		expect(messages(chats.approvals).find((m) => m.id === wait.id)!.text).toMatch(/\n\n❌ Declined$/);
	});

	it('time limit reached: the tool does not run, the agent is told it was not approved', async () => {
		// n8n's wait tracker looks for due executions every 60 s
		const report = await waitFor('the agent’s answer after the time limit', () => messages(chats.log).find((m) => m.text.includes('Late news')), 150_000);
		expect(report.text).toBe('Not posted: Announce: Late news');
		const last = ai.callsFor('Late news').at(-1)!;
		expect(last.toolResults[0].output).toContain('User rejected the tool call to Post to Announcements');
		expect(messages(chats.announcements).map((m) => m.text)).toEqual(['Deploy at 17:00', 'Coffee machine fixed']);
		// the links stay; opening one now answers nothing
		expect(messages(chats.approvals).find((m) => m.id === late.id)!.text).toContain('approved=true');
		expect((await open(link(late, true))).status).toBe(200);
		expect(messages(chats.announcements)).toHaveLength(2);
	});
});
