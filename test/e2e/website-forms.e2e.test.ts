/**
 * Website forms → TeamSpirit (README "Website forms") in a real n8n 2.41.1: both examples as
 * shipped, published, against the TeamSpirit emulator.
 *
 * - examples/html-form-to-teamspirit.json: a browser's multipart POST (fields and a file, as
 *   examples/html-form-to-teamspirit.html sends it) to the Webhook → the card in the chat with the
 *   file attached and the thank-you page; a filled honeypot → the same page, nothing posted; the
 *   sixth submission of an address in the hour → 429 with Retry-After, nothing posted.
 * - examples/html-form-to-teamspirit.html itself: its fields, read from the file, filled and
 *   posted → the card; its honeypot filled → nothing (its names are what the workflow reads).
 * - The same workflow with *Post To* switched to Incoming Webhook: the card arrives through the
 *   hook and names the file it could not attach.
 * - examples/form-trigger-to-teamspirit.json: n8n's own form, fetched and submitted with a file;
 *   its honeypot (a text field hidden by the form's CSS) filled → nothing posted, pre-filled by
 *   the page's link only → posted; a robot's User-Agent → 401 (Ignore Bots).
 *
 * Run with `npm run test:e2e` (scripts/e2e.sh), which builds, packs and sets TS_PACKAGE_TARBALL.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { TeamSpiritEmulator } from '../emulators/teamspirit';
import { credentialFor, formatTimings, N8nEditor, REPO_ROOT, timings, type WorkflowJson } from './n8n';
import { sharedN8n, type SharedN8n } from './shared-n8n';

const tarball = process.env.TS_PACKAGE_TARBALL;
const CHAT = 'c_support';
const HOOK_CHAT = 'c_hooked';
/** A browser's User-Agent: the Form Trigger example ignores bots, and Node's fetch says "node". */
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36' };

/**
 * The example as n8n's editor imports it: its Webhook / Form Trigger (which the examples ship
 * without a webhook id and with an empty path) gets a webhook id, and the id as its path.
 */
function example(name: string): WorkflowJson {
	const workflow = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', `${name}.json`), 'utf8')) as WorkflowJson;
	for (const node of workflow.nodes) {
		if (!['n8n-nodes-base.webhook', 'n8n-nodes-base.formTrigger'].includes(node.type)) continue;
		expect({ webhookId: node.webhookId, path: node.parameters.path }).toEqual({ webhookId: undefined, path: '' });
		node.webhookId = randomUUID();
		node.parameters.path = node.webhookId;
	}
	return workflow;
}
const pathOf = (workflow: WorkflowJson, type: string) => String(workflow.nodes.find((n) => n.type === type)!.parameters.path);

describe('Website forms → TeamSpirit in a real n8n', () => {
	let shared: SharedN8n | undefined;
	let emulator: TeamSpiritEmulator;
	let n8n: SharedN8n['n8n'] | undefined;
	const editor = new N8nEditor(() => n8n!.url);
	const htmlForm = example('html-form-to-teamspirit');
	const formTrigger = example('form-trigger-to-teamspirit');
	// the README's switch: Post To → Incoming Webhook, the hook's URL as the credential
	const hookForm = example('html-form-to-teamspirit');
	hookForm.name += ' (incoming webhook)';
	const hookPost = hookForm.nodes.find((n) => n.type === 'n8n-nodes-teamspirit.teamSpirit')!;
	hookPost.parameters.postTo = 'incomingWebhook';
	hookPost.credentials = { teamSpiritIncomingWebhookApi: { id: 'support-hook', name: 'Support hook' } };
	const suiteStarted = Date.now();

	const cards = () => emulator.messagesIn(CHAT);
	const showN8n = () => `--- n8n output ---\n${n8n?.output().slice(-4000)}`;
	async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const value = probe();
			if (value) return value;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${showN8n()}`);
			await new Promise((r) => setTimeout(r, 200));
		}
	}

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run with `npm run test:e2e` (scripts/e2e.sh)');
		emulator = await TeamSpiritEmulator.start();
		emulator.addChat({ id: CHAT, title: 'Support desk' });
		emulator.addChat({ id: HOOK_CHAT, title: 'Support desk (hook)' });
		const hook = emulator.addIncomingHook({ chatId: HOOK_CHAT });
		// the n8n the suites share (test/e2e/shared-n8n.ts): the examples published into it
		shared = await sharedN8n();
		n8n = shared.n8n;
		await shared.useCredentials(
			[
				credentialFor.teamSpirit('teamspirit-example', emulator, 'TeamSpirit account'),
				{ id: 'support-hook', name: 'Support hook', type: 'teamSpiritIncomingWebhookApi', data: { webhookUrl: hook.url } },
			],
			[htmlForm, formTrigger, hookForm],
		);
		await shared.publishWorkflows([htmlForm, formTrigger, hookForm]);
		editor.useSession(shared!.editor.session);
	});

	afterAll(async () => {
		await shared?.release();
		await emulator?.stop();
		timings.push({ label: 'website-forms suite total', ms: Date.now() - suiteStarted });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	/** What examples/html-form-to-teamspirit.html posts, from the address the proxy reports. */
	async function submit(
		fields: Record<string, string>,
		address: string,
		file?: { name: string; type: string; content: string },
		workflow: WorkflowJson = htmlForm,
	) {
		const form = new FormData();
		for (const [name, value] of Object.entries(fields)) form.append(name, value);
		// no file chosen: a browser still sends the part, empty and without a name
		form.append('Attachment', file ? new Blob([file.content], { type: file.type }) : new Blob([]), file?.name ?? '');
		form.append('website', fields.website ?? '');
		return await postTo(workflow, form, address);
	}

	async function postTo(workflow: WorkflowJson, form: FormData, address: string) {
		const url = `${n8n!.url}/webhook/${pathOf(workflow, 'n8n-nodes-base.webhook')}`;
		for (let attempt = 0; ; attempt++) {
			const res = await fetch(url, { method: 'POST', headers: { 'x-forwarded-for': `10.0.0.1, ${address}` }, body: form });
			// right after publishing n8n may not have registered the webhook yet
			if (res.status === 404 && attempt < 50) {
				await new Promise((r) => setTimeout(r, 200));
				continue;
			}
			return { status: res.status, headers: res.headers, body: await res.text() };
		}
	}

	const ADA = { Name: 'Ada Lovelace', 'E-mail': 'ada@example.com', Message: 'Please call me *today*.\nThanks!' };

	it('a multipart POST with a file: the card in the chat, the file attached, and the thank-you page', async () => {
		const res = await submit(ADA, '203.0.113.10', { name: 'notes.txt', type: 'text/plain', content: 'the notes' });
		expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({ status: 200, type: 'text/html; charset=utf-8' });
		expect(res.body).toContain('<h1>Thank you! We have your message.</h1>');
		const [card] = cards();
		if (!card) throw new Error(`no card\n${showN8n()}`);
		expect(card.text).toBe(
			[
				'**New message from the website**',
				'**Name:** Ada Lovelace',
				'**E-mail:** ada@example.com',
				'**Message:**',
				'> Please call me \\*today\\*.',
				'> Thanks!',
			].join('\n'),
		);
		expect(card.format).toBe('markdown');
		expect(card.files).toEqual([expect.objectContaining({ name: 'notes.txt', mimeType: 'text/plain', size: 9 })]);
		expect(emulator.files.get(card.files[0].id)?.sha256).toBe(createHash('sha256').update('the notes').digest('hex'));
	});

	it('a filled honeypot: the robot gets the same page, nothing is posted', async () => {
		const before = cards().length;
		const res = await submit({ ...ADA, Message: 'Buy now', website: 'https://spam.example' }, '203.0.113.11');
		expect(res.status).toBe(200);
		expect(res.body).toContain('<h1>Thank you! We have your message.</h1>');
		expect(cards()).toHaveLength(before);
	});

	it('the sixth submission of an address in the hour is refused with 429 and a page saying so, and not posted', async () => {
		const before = cards().length;
		const statuses: number[] = [];
		for (let n = 1; n <= 5; n++) statuses.push((await submit({ ...ADA, Message: `spam ${n}` }, '198.51.100.20')).status);
		expect(statuses).toEqual([200, 200, 200, 200, 200]);
		const sixth = await submit({ ...ADA, Message: 'spam 6' }, '198.51.100.20');
		expect(sixth.status).toBe(429);
		// the seconds to the next clock hour (the item's retryAfter)
		expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
		expect(Number(sixth.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
		expect(sixth.headers.get('retry-after')).toMatch(/^\d+$/);
		expect(sixth.body).toContain('<h1>Too many messages from your address. Please try again in an hour.</h1>');
		expect(cards().map((c) => c.text.split('\n').at(-1)).slice(before)).toEqual([1, 2, 3, 4, 5].map((n) => `> spam ${n}`.replace('> ', '**Message:** ')));
		// another address is not affected, and a thank-you page says nothing of retrying
		const other = await submit({ ...ADA, Message: 'hello' }, '198.51.100.21');
		expect({ status: other.status, retryAfter: other.headers.get('retry-after') }).toEqual({ status: 200, retryAfter: null });
	});

	it('examples/html-form-to-teamspirit.html itself: its fields filled and posted give the card; its honeypot filled gives nothing', async () => {
		const html = readFileSync(path.join(REPO_ROOT, 'examples', 'html-form-to-teamspirit.html'), 'utf8');
		const formTag = /<form\b[^>]*>/.exec(html)![0];
		expect(formTag).toMatch(/method="post"/);
		expect(formTag).toMatch(/enctype="multipart\/form-data"/);
		// every field of the page, as a browser sends them: name, and whether it takes a file
		const fields = [...html.matchAll(/<(input|textarea)\b([^>]*)>/g)].map(([, tag, attrs]) => ({
			name: /\bname="([^"]+)"/.exec(attrs)![1],
			file: tag === 'input' && /\btype="file"/.test(attrs),
		}));
		const honeypotBlock = /<div class="hp"[\s\S]*?<\/div>/.exec(html)![0];
		const honeypot = /\bname="([^"]+)"/.exec(honeypotBlock)![1];
		const typed = fields.filter((f) => !f.file && f.name !== honeypot).map((f) => f.name);
		const page = (robot: boolean) => {
			const form = new FormData();
			for (const f of fields) {
				if (f.file) form.append(f.name, new Blob(['page notes'], { type: 'text/plain' }), 'page.txt');
				else if (f.name === honeypot) form.append(f.name, robot ? 'https://spam.example' : '');
				else form.append(f.name, `the page's ${f.name}`);
			}
			return form;
		};
		const before = cards().length;
		const res = await postTo(htmlForm, page(false), '203.0.113.40');
		expect(res.status).toBe(200);
		const card = await waitFor('the card', () => cards().slice(before)[0]);
		expect(card.text).toBe(['**New message from the website**', ...typed.map((name) => `**${name}:** the page's ${name}`)].join('\n'));
		expect(card.files).toEqual([expect.objectContaining({ name: 'page.txt', size: 10 })]);

		const robot = await postTo(htmlForm, page(true), '203.0.113.41');
		expect(robot.status).toBe(200);
		expect(cards()).toHaveLength(before + 1);
	});

	it('Post To switched to Incoming Webhook: the card arrives through the hook and names the file it could not attach', async () => {
		const res = await submit(ADA, '203.0.113.50', { name: 'cv.pdf', type: 'application/pdf', content: '%PDF-1.4 cv' }, hookForm);
		expect(res.status).toBe(200);
		expect(res.body).toContain('<h1>Thank you! We have your message.</h1>');
		const [message] = emulator.hookMessages;
		if (!message) throw new Error(`nothing came through the hook\n${showN8n()}`);
		expect({ chatId: message.chatId, format: message.format }).toEqual({ chatId: HOOK_CHAT, format: 'markdown' });
		expect(message.text).toBe(
			[
				'**New message from the website**',
				'**Name:** Ada Lovelace',
				'**E-mail:** ada@example.com',
				'**Message:**',
				'> Please call me \\*today\\*.',
				'> Thanks!',
				'**Files not attached (an incoming webhook takes no files):** cv.pdf (11 B)',
			].join('\n'),
		);
		expect(emulator.messagesIn(HOOK_CHAT).map((m) => m.text)).toEqual([message.text]);
	});

	it('n8n’s Form Trigger example: the form is served, and a submission with a file arrives as the card', async () => {
		const url = `${n8n!.url}/form/${pathOf(formTrigger, 'n8n-nodes-base.formTrigger')}`;
		const page = await fetch(url, { headers: BROWSER });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('Contact us');
		const form = new FormData();
		form.append('field-0', 'Grace Hopper');
		form.append('field-1', 'grace@example.com');
		form.append('field-2', 'A bug in relay #70');
		form.append('field-3', new Blob(['%PDF-1.4 moth'], { type: 'application/pdf' }), 'moth.pdf');
		form.append('field-4', '');
		const res = await fetch(url, { method: 'POST', headers: { ...BROWSER, 'x-forwarded-for': '192.0.2.30' }, body: form });
		expect(res.status).toBe(200);
		// the form answers when it has the submission; the card follows
		const card = await waitFor('the card', () => cards().find((c) => c.text.includes('Grace Hopper')));
		expect(card.text).toBe(
			[
				'**New message from the website**',
				'**Name:** Grace Hopper',
				'**E-mail:** grace@example.com',
				'**Message:** A bug in relay #70',
				'**Attachment:** moth.pdf',
			].join('\n'),
		);
		expect(card.files).toEqual([expect.objectContaining({ name: 'moth.pdf', mimeType: 'application/pdf', size: 13 })]);
	});

	it('n8n’s Form Trigger example: its honeypot is a text field its CSS hides; filled, nothing is posted; pre-filled by the link, it is; a robot’s User-Agent gets 401', async () => {
		const url = `${n8n!.url}/form/${pathOf(formTrigger, 'n8n-nodes-base.formTrigger')}`;
		const html = await (await fetch(url, { headers: BROWSER })).text();
		// a text box a robot fills (not type="hidden", which robots send back as it came), hidden by the form's CSS
		expect(html).toMatch(/<input\s+class='form-input '\s+type='text'\s+id='field-4'/);
		expect(html).not.toMatch(/type="hidden" id="field-4"/);
		expect(html).toContain('#field-4,');
		// Ignore Bots: a client saying it is a robot gets no form (Node's fetch says "node")
		expect((await fetch(url)).status).toBe(401);

		const workflowId = String(formTrigger.id);
		const done = async () => (await editor.executions(100, workflowId)).filter((e) => !['new', 'running', 'waiting'].includes(e.status));
		const send = async (query: string, website: string, name: string, address: string) => {
			const form = new FormData();
			form.append('field-0', name);
			form.append('field-1', 'robot@example.com');
			form.append('field-2', 'Cheap watches');
			form.append('field-3', new Blob([]), '');
			form.append('field-4', website);
			const ran = (await done()).length;
			const res = await fetch(`${url}${query}`, { method: 'POST', headers: { ...BROWSER, 'x-forwarded-for': address }, body: form });
			expect(res.status).toBe(200);
			// the form answers on receipt: wait for its execution to end
			const deadline = Date.now() + 30_000;
			while ((await done()).length <= ran) {
				if (Date.now() > deadline) throw new Error(`the execution did not end\n${showN8n()}`);
				await new Promise((r) => setTimeout(r, 250));
			}
		};
		const before = cards().length;
		await send('', 'https://spam.example', 'Robot', '192.0.2.40');
		expect((await done())[0].status).toBe('success');
		expect(cards()).toHaveLength(before);

		// a link that pre-fills the honeypot (?Website=…) does not silence the person who follows it
		await send('?Website=https%3A%2F%2Fa.example', 'https://a.example', 'Linked Person', '192.0.2.41');
		const card = await waitFor('the card', () => cards().find((c) => c.text.includes('Linked Person')));
		expect(card.text).not.toContain('a.example');
	});
});
