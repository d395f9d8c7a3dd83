/**
 * Post Form Submission (README "Website forms") through n8n-core's WorkflowExecute against the
 * TeamSpirit emulator: the card, the files, the honeypot, the key that makes a retried execution
 * post once, the rate limit kept in TeamSpirit (so it holds across processes) and the incoming
 * webhook's way (no files, limits in memory).
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { readMarkdown } from '../../../nodes/shared/markdown/read';
import { plainOf } from '../../../nodes/shared/markdown/tree';
import { LIMITS_CHAT_KEY, resetLimitCaches } from '../../../nodes/forms/rateLimit';
import type { TeamSpiritEmulator } from '../../emulators/teamspirit';
import { deterministicSha256, type WorkflowJson } from '../../harness';
import { jsonOf, runFixture, startSeededEmulator } from './setup';

let emulator: TeamSpiritEmulator;
beforeEach(async () => {
	resetLimitCaches();
	({ emulator } = await startSeededEmulator());
});
afterEach(async () => await emulator.stop());

const SUBMISSION = {
	Name: 'Ada *Lovelace*',
	'E-mail': 'ada@example.com',
	Message: 'Hello @alice,\n> not a quote\n[click](https://evil.example) `code` _x_',
	website: '',
	submittedAt: '2026-12-06T02:00:00.000Z',
	formMode: 'production',
};

interface Form {
	items?: object[];
	binary?: object[];
	parameters?: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
}

/** Manual Trigger → Items (the submissions, files) → TeamSpirit (Post Form Submission). */
function formWorkflow({ items = [SUBMISSION], binary, parameters = {}, credentials }: Form): WorkflowJson {
	const node = (name: string, type: string, x: number, params: Record<string, unknown>, extra = {}) => ({
		id: `0000000${x}-0000-4000-8000-000000000000`,
		name,
		type,
		typeVersion: 1,
		position: [x, 300] as [number, number],
		parameters: params,
		...extra,
	});
	return {
		name: 'post form',
		nodes: [
			node('When clicking ‘Execute workflow’', 'n8n-nodes-base.manualTrigger', 1, {}),
			node('Items', 'teamspiritTest.items', 2, {
				items: JSON.stringify(items),
				...(binary ? { binary: JSON.stringify(binary) } : {}),
			}),
			node(
				'TeamSpirit',
				'n8n-nodes-teamspirit.teamSpirit',
				3,
				{
					resource: 'message',
					operation: 'postForm',
					chatId: { __rl: true, mode: 'id', value: 'c_support' },
					title: 'Contact form: *www*',
					honeypotField: 'website',
					...parameters,
				},
				{ credentials: credentials ?? { teamSpiritApi: { id: '1', name: 'TeamSpirit account' } } },
			),
		],
		connections: {
			'When clicking ‘Execute workflow’': { main: [[{ node: 'Items', type: 'main', index: 0 }]] },
			Items: { main: [[{ node: 'TeamSpirit', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as WorkflowJson;
}

async function run(form: Form, args: Parameters<typeof runFixture>[2] = {}) {
	const workflow = formWorkflow(form);
	return await runFixture(emulator, 'message.send', { mode: 'webhook', ...args, edit: (wf) => Object.assign(wf, workflow) });
}

const cards = () => emulator.messagesIn('c_support');
const uploads = () => emulator.requests.filter((r) => r.method === 'POST' && r.path === '/api/v1/files');
const FILES = [
	{ property: 'Attachment', fileName: 'cv.pdf', mimeType: 'application/pdf', size: 3000, seed: 'cv' },
	{ property: 'Photo', fileName: 'me.png', mimeType: 'image/png', size: 1200, seed: 'photo' },
	// what a browser sends for a file input left empty: left out
	{ property: 'Nothing', fileName: '', mimeType: 'application/octet-stream', size: 0, seed: 0 },
];
const jsonOfOne = (output: INodeExecutionData[] | undefined) => jsonOf(output)[0];

describe('TeamSpirit node: Post Form Submission', () => {
	it('posts a card: the title, one line per field, every value shown as typed, n8n’s own fields and the honeypot left off', async () => {
		const { status, output } = await run({});
		expect(status).toBe('success');
		const [card] = cards();
		expect(card).toMatchObject({ format: 'markdown', externalKey: expect.stringMatching(/^form:/) });
		expect(card.text.split('\n')[0]).toBe('**Contact form: \\*www\\***');
		expect(plainOf(readMarkdown(card.text)).replace(/\u2060/g, '')).toBe(
			[
				'Contact form: *www*',
				'Name: Ada *Lovelace*',
				'E-mail: ada@example.com',
				'Message:',
				'Hello @alice,',
				'> not a quote',
				'[click](https://evil.example) `code` _x_',
			].join('\n'),
		);
		// the visitor notifies no one: the @ is broken by a word joiner
		expect(card.text).toContain('@\u2060alice');
		expect(card.text).not.toMatch(/website|submittedAt|formMode/);
		expect(jsonOfOne(output)).toMatchObject({ posted: true, alreadyPosted: false, chatId: 'c_support', messageId: card.id, files: [], responseCode: 200 });
	});

	it('attaches every binary file of the item, streamed up to TeamSpirit', async () => {
		const { output } = await run({ binary: [FILES] });
		expect(uploads().map((u) => (u.body as { file: { filename: string; size: number; sha256: string } }).file)).toEqual([
			expect.objectContaining({ filename: 'cv.pdf', size: 3000, sha256: deterministicSha256(3000, 'cv') }),
			expect.objectContaining({ filename: 'me.png', size: 1200, sha256: deterministicSha256(1200, 'photo') }),
		]);
		expect(cards()[0].files.map((f) => f.name)).toEqual(['cv.pdf', 'me.png']);
		expect(jsonOfOne(output).files).toEqual([expect.objectContaining({ name: 'cv.pdf' }), expect.objectContaining({ name: 'me.png' })]);
	});

	it('posts only the chosen fields, in the chosen order', async () => {
		await run({ parameters: { fieldsToPost: 'selected', includeFields: 'Message, Name, website, Nope' } });
		const lines = cards()[0].text.split('\n');
		expect(lines[1]).toBe('**Message:**');
		expect(lines.at(-1)).toBe('**Name:** Ada \\*Lovelace\\*');
		expect(cards()[0].text).not.toContain('website');
	});

	it('posts nothing when the honeypot is filled, and the item says why', async () => {
		const { status, output } = await run({ items: [{ ...SUBMISSION, website: 'http://spam.example' }], binary: [FILES] });
		expect(status).toBe('success');
		expect(jsonOfOne(output)).toEqual({
			posted: false,
			reason: 'honeypot',
			honeypotField: 'website',
			responseCode: 200,
			responseText: 'Thank you! We have your message.',
		});
		expect(cards()).toEqual([]);
		expect(uploads()).toEqual([]);
	});

	it('a retried execution posts once and uploads nothing again; a new submission posts', async () => {
		const first = await run({ binary: [FILES] });
		const again = await run({ binary: [FILES] }, { mode: 'retry' });
		expect(jsonOfOne(again.output)).toMatchObject({ posted: true, alreadyPosted: true, messageId: jsonOfOne(first.output).messageId });
		expect(cards()).toHaveLength(1);
		expect(uploads()).toHaveLength(2);
		await run({ items: [{ ...SUBMISSION, submittedAt: '2026-12-06T02:05:00.000Z' }] });
		expect(cards()).toHaveLength(2);
	});

	it('a card whose answer was lost is sent again and still posted once', async () => {
		emulator.failNext({ method: 'POST', path: /^\/api\/v1\/chats\/c_support\/messages$/, status: 503, afterAccepting: true });
		const { status, output } = await run({ parameters: { rateLimit: 0 } });
		expect(status).toBe('success');
		expect(cards()).toHaveLength(1);
		expect(jsonOfOne(output)).toMatchObject({ posted: true, messageId: cards()[0].id });
	});

	it('refuses more than the limit per address and hour, kept in TeamSpirit so another process refuses too', async () => {
		// the address: the last X-Forwarded-For entry (the proxy's), when Client Address is empty
		const from = (ip: string, n: number) => ({ ...SUBMISSION, headers: { 'x-forwarded-for': `192.0.2.1, ${ip}` }, Message: `message ${n}` });
		const limit = { parameters: { rateLimit: 2 } };
		for (const n of [1, 2]) expect(jsonOfOne((await run({ ...limit, items: [from('203.0.113.7', n)] })).output).posted).toBe(true);
		const third = await run({ ...limit, items: [from('203.0.113.7', 3)], binary: [FILES] });
		expect(jsonOfOne(third.output)).toEqual({
			posted: false,
			reason: 'rateLimited',
			retryAfter: expect.any(Number),
			responseCode: 429,
			responseText: 'Too many messages from your address. Please try again in an hour.',
		});
		expect(jsonOfOne(third.output).retryAfter as number).toBeLessThanOrEqual(3600);
		expect(uploads()).toEqual([]);
		// another n8n process: nothing in memory, the slots are in TeamSpirit
		resetLimitCaches();
		expect(jsonOfOne((await run({ ...limit, items: [from('203.0.113.7', 4)] })).output).reason).toBe('rateLimited');
		// a retry of an allowed submission is not counted again; another address has its own slots
		expect(jsonOfOne((await run({ ...limit, items: [from('203.0.113.7', 1)] })).output)).toMatchObject({ posted: true, alreadyPosted: true });
		expect(jsonOfOne((await run({ ...limit, items: [from('198.51.100.1', 5)] })).output).posted).toBe(true);
		const messageLine = (text: string) => text.split('\n').find((l) => l.startsWith('**Message:**'));
		expect(cards().map((c) => messageLine(c.text))).toEqual([1, 2, 5].map((n) => `**Message:** message ${n}`));
		// the slots live in the bot's own hidden chat, and hold no address
		const limits = emulator.chatByKey(LIMITS_CHAT_KEY)!;
		expect(limits.memberIds).toEqual([emulator.bot.id]);
		expect(JSON.stringify(emulator.messagesIn(limits.id))).not.toContain('203.0.113.7');
	});

	it('through an incoming webhook: the card without files (named instead), posted once in this process, limited in memory', async () => {
		const hook = emulator.addIncomingHook({ chatId: 'c_general' });
		const through = {
			binary: [FILES],
			parameters: { postTo: 'incomingWebhook', rateLimit: 1, options: { username: 'Website' } },
			credentials: { teamSpiritIncomingWebhookApi: { id: '2', name: 'Hook' } },
		};
		const creds = { credentials: { teamSpiritIncomingWebhookApi: { webhookUrl: hook.url } } };
		const { status, output } = await run(through, creds);
		expect(status).toBe('success');
		expect(emulator.hookMessages).toEqual([expect.objectContaining({ chatId: 'c_general', format: 'markdown', username: 'Website' })]);
		expect(emulator.hookMessages[0].text.split('\n').at(-1)).toBe(
			'**Files not attached (an incoming webhook takes no files):** cv.pdf (3 KB), me.png (1 KB)',
		);
		expect(jsonOfOne(output)).toMatchObject({ posted: true, filesNotAttached: ['cv.pdf', 'me.png'] });
		expect(uploads()).toEqual([]);
		expect(emulator.requests.filter((r) => r.path.startsWith('/api/'))).toEqual([]);
		expect(jsonOfOne((await run(through, { ...creds, mode: 'retry' })).output)).toMatchObject({ posted: true, alreadyPosted: true });
		const other = { ...through, items: [{ ...SUBMISSION, Message: 'again' }] };
		expect(jsonOfOne((await run(other, creds)).output)).toMatchObject({ posted: false, reason: 'rateLimited' });
		expect(emulator.hookMessages).toHaveLength(1);
	});

	it('fails the item with a clear error when Form Fields is not an object', async () => {
		const { status, error } = await run({ parameters: { formFields: '={{ "just text" }}' } });
		expect(status).toBe('error');
		expect(error?.message).toBe('Form Fields is not an object');
		expect(cards()).toEqual([]);
	});
});
