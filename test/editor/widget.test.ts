/**
 * The website chat widget itself in headless Chromium (Debian's, puppeteer-core), embedded by a
 * page on another origin, against test/editor/widget-fake-api.ts (the trigger's endpoints as the
 * brief defines them, in memory): what a visitor does with keyboard and mouse, what a screen reader
 * is given, and how the widget deals with the API's answers (pending bubbles, retries with the same
 * clientId, errors by code, typing, offline, contact form, texts from the configuration). The
 * widget with the real trigger in a real n8n: test/e2e/website-chat.e2e.test.ts.
 *
 *   npx jest -c jest.editor.config.js test/editor/widget.test.ts   (no n8n needed)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ElementHandle, Page } from 'puppeteer-core';

import { launchBrowser, type EditorBrowser } from './editor';
import { startFakeApi, type FakeApi } from './widget-fake-api';

const W = (selector: string) => `#teamspirit-chat >>> ${selector}`;

let ui: EditorBrowser;
let fake: FakeApi;
let page: Page;
const outside: string[] = [];

async function shadowText(selector: string): Promise<string[]> {
	return page.$$eval(W(selector), (els) => els.map((e) => (e as HTMLElement).innerText.trim()));
}
async function visible(selector: string): Promise<boolean> {
	const el = await page.$(W(selector));
	return (
		!!el &&
		(await el.evaluate(
			(e) => !(e as HTMLElement).hidden && (e as HTMLElement).getClientRects().length > 0,
		))
	);
}
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
	const deadline = Date.now() + 30_000;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}
/** The element that has focus, inside the widget's shadow root: its class or id. */
async function focused(): Promise<string> {
	return page.evaluate(() => {
		const a = document.activeElement?.shadowRoot?.activeElement as HTMLElement | null | undefined;
		return a ? a.id || a.className : (document.activeElement?.id ?? '');
	});
}
/** puppeteer's waitForSelector does not see changes inside a shadow root (its observer watches the document): poll. */
async function waitFor(selector: string): Promise<void> {
	await until(selector, () => visible(selector));
}
const posts = () => fake.requests.filter((r) => r.route === 'POST messages');

async function openPage(): Promise<void> {
	await page.goto(fake.pageUrl);
	await waitFor('.launcher');
}
async function openChat(): Promise<void> {
	if (!(await visible('.panel'))) await (await page.$(W('.launcher')))!.click();
	await waitFor('.panel');
}
async function type(text: string): Promise<void> {
	await (await page.$(W('textarea')))!.focus();
	await page.keyboard.type(text);
}

beforeAll(async () => {
	fake = await startFakeApi();
	ui = await launchBrowser();
	page = ui.page;
	if (process.env.WIDGET_DEBUG) page.on('console', (m) => console.log('page:', m.text()));
	if (process.env.WIDGET_DEBUG) page.on('pageerror', (e) => console.log('page error:', e));
	page.on('request', (r) => {
		if (!r.url().startsWith(fake.base) && !r.url().startsWith(fake.pageUrl)) outside.push(r.url());
	});
});
afterEach(() => {
	// nothing but the page and the trigger's own folder, in every case
	expect(outside).toEqual([]);
});
afterAll(async () => {
	await ui?.close();
	await fake?.close();
});
beforeEach(async () => {
	fake.visitors.clear();
	fake.tokens.clear();
	fake.requests.length = 0;
	fake.offline = false;
	fake.refuseOrigin = false;
	fake.config.askContact = 'off';
	fake.config.texts = {};
	fake.config.maxFileSize = 10 * 1024 * 1024;
	fake.config.maxFiles = 5;
	await page.setViewport({ width: 1280, height: 800 });
	await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'no-preference' }]);
	await page.goto(`${fake.pageUrl}blank`);
	await page.evaluate(() => localStorage.clear());
});

describe('website chat widget in Chromium', () => {
	it('opens from the keyboard, sends with Enter (Shift+Enter a new line), shows the stored message, closes with Escape back to the launcher', async () => {
		await openPage();
		const launcher = (await page.$(W('.launcher')))!;
		expect(
			await launcher.evaluate((e) => [
				e.getAttribute('aria-label'),
				e.getAttribute('aria-expanded'),
			]),
		).toEqual(['Open chat', 'false']);
		await launcher.focus();
		await page.keyboard.press('Enter');
		await waitFor('.panel');
		expect(await focused()).toBe('ts-input');
		expect(await launcher.evaluate((e) => e.getAttribute('aria-expanded'))).toBe('true');
		const log = (await page.$(W('.log')))!;
		expect(
			await log.evaluate((e) => [e.getAttribute('role'), e.getAttribute('aria-live')]),
		).toEqual(['log', 'polite']);

		await page.keyboard.type('Hello');
		await page.keyboard.down('Shift');
		await page.keyboard.press('Enter');
		await page.keyboard.up('Shift');
		await page.keyboard.type('there');
		await page.keyboard.press('Enter');
		await waitFor('.msg.mine[data-id]');
		expect(await shadowText('.msg.mine .text')).toEqual(['Hello\nthere']);
		expect(await shadowText('.msg.mine .sr')).toEqual(['You:']);
		expect(await page.$eval(W('textarea'), (e) => (e as HTMLTextAreaElement).value)).toBe('');
		expect(posts()).toHaveLength(1);
		expect(posts()[0].body).toEqual({
			token: fake.visitor().token,
			clientId: expect.stringMatching(/^[0-9a-f-]{36}$/),
			text: 'Hello\nthere',
		});
		expect(posts()[0].origin).toBe(new URL(fake.pageUrl).origin);

		await page.keyboard.press('Escape');
		await until('the panel closes', async () => !(await visible('.panel')));
		expect(await focused()).toBe('launcher');
	});

	it("shows the operator's messages from the long poll, their edits and deletions, typing both ways, and counts unread ones while closed", async () => {
		await openPage();
		await openChat();
		await type('Is anyone there?\n');
		await waitFor('.msg.mine[data-id]');
		// the visitor typing: told to the operators, not once per key
		await type('abcdefghij');
		await until('a typing request', async () => fake.visitor().typingPosts > 0);
		expect(fake.visitor().typingPosts).toBeLessThan(10);
		fake.setTyping(true);
		await until('the typing line', () => visible('.typing'));
		expect(await shadowText('.typing')).toEqual(['Support is typing\u2026']);
		const answer = fake.agentSays('Yes, see https://example.com/help. And javascript:alert(1)');
		await waitFor(`.msg.theirs[data-id="${answer.id}"]`);
		fake.setTyping(false);
		await until('the typing line goes', async () => !(await visible('.typing')));
		const links = await page.$$eval(W('.msg.theirs a'), (as) =>
			as.map((a) => [a.getAttribute('href'), a.textContent]),
		);
		expect(links).toEqual([['https://example.com/help', 'https://example.com/help']]);

		fake.edit(answer.id, 'Yes, I am here.');
		await until(
			'the edit',
			async () => (await shadowText(`.msg[data-id="${answer.id}"] .text`))[0] === 'Yes, I am here.',
		);
		expect((await shadowText(`.msg[data-id="${answer.id}"] .meta`))[0]).toContain('edited');
		fake.remove(answer.id);
		await until('the deletion', async () => !(await page.$(W(`.msg[data-id="${answer.id}"]`))));

		await page.keyboard.press('Escape');
		fake.agentSays('One more thing');
		await until('the badge', async () => (await shadowText('.badge'))[0] === '1');
		expect(await page.$eval(W('.launcher'), (e) => e.getAttribute('aria-label'))).toBe(
			'Open chat, 1 new',
		);
		await openChat();
		await until('the badge goes', async () => !(await visible('.badge')));
	});

	it('retries a message the server could not store (503, 404 while n8n starts, 429) with the same clientId, and shows it once', async () => {
		await openPage();
		await openChat();
		await type('x');
		await page.keyboard.press('Backspace');
		fake.failNextPosts.push(
			{ status: 503, code: 'unavailable' },
			{ status: 404, code: 'not_found' },
			{ status: 429, code: 'rate_limited', retryAfter: 1 },
		);
		await type('Please keep this\n');
		expect(await shadowText('.msg.pending .meta')).toEqual(['Sending\u2026']);
		await until(
			'the rate limit message',
			async () =>
				(await shadowText('.error'))[0] ===
				"You're sending messages too fast. Please wait a moment.",
		);
		await waitFor('.msg.mine[data-id]');
		expect(posts().map((p) => (p.body as { clientId: string }).clientId)).toEqual(
			Array(4).fill((posts()[0].body as { clientId: string }).clientId),
		);
		expect(fake.visitor().messages).toHaveLength(1);
		expect(await shadowText('.msg.mine .text')).toEqual(['Please keep this']);
		expect(await page.$(W('.msg.pending'))).toBeNull();
	});

	it('gives a refused message back to the composer with the reason from its code', async () => {
		await openPage();
		await openChat();
		fake.failNextPosts.push({ status: 413, code: 'text_too_long' });
		await type('Too long for the server\n');
		await until('the error', async () => visible('.error'));
		expect(
			await page.$eval(W('.error'), (e) => [e.getAttribute('role'), (e as HTMLElement).innerText]),
		).toEqual(['alert', 'This message is too long (at most 4000 characters).']);
		expect(await page.$eval(W('textarea'), (e) => (e as HTMLTextAreaElement).value)).toBe(
			'Too long for the server',
		);
		expect(await page.$(W('.msg.mine'))).toBeNull();

		await page.$eval(W('textarea'), (e) => ((e as HTMLTextAreaElement).value = 'a'.repeat(4001)));
		await type('\n');
		expect(await shadowText('.error')).toEqual([
			'This message is too long (at most 4000 characters).',
		]);
		expect(posts()).toHaveLength(1);
	});

	it('refuses a file too large or one too many before sending, and a 413 file_too_large or too_many_files with the reason from its code', async () => {
		fake.config.maxFileSize = 1024;
		fake.config.maxFiles = 2;
		const dir = mkdtempSync(join(tmpdir(), 'widget-files-'));
		const file = (name: string, size: number) => {
			writeFileSync(join(dir, name), 'x'.repeat(size));
			return join(dir, name);
		};
		const choose = async (paths: string[]) => {
			const [chooser] = await Promise.all([
				page.waitForFileChooser(),
				(await page.$(W('[aria-label="Attach files"]')))!.click(),
			]);
			await chooser.accept(paths);
		};
		const chips = async () => (await page.$$(W('.chip'))).length;
		const error = async () =>
			page.$eval(W('.error'), (e) => [e.getAttribute('role'), (e as HTMLElement).innerText]);
		try {
			await openPage();
			await openChat();
			// checked in the browser against the limits the session gave: nothing is sent
			await choose([file('big.pdf', 2048)]);
			await until('the error', () => visible('.error'));
			expect(await error()).toEqual(['alert', 'big.pdf: A file is too large (at most 1 KB).']);
			expect(await chips()).toBe(0);
			await choose([file('a.txt', 10), file('b.txt', 10), file('c.txt', 10)]);
			await until('two chips', async () => (await chips()) === 2);
			expect(await error()).toEqual(['alert', 'Too many files (at most 2 per message).']);
			expect(posts()).toHaveLength(0);

			// refused by the server: the message and its files go back to the composer
			fake.failNextPosts.push(
				{ status: 413, code: 'file_too_large' },
				{ status: 413, code: 'too_many_files' },
			);
			await type('Two files\n');
			const says = (text: string) => async () =>
				(await visible('.error')) && (await error())[1] === text;
			await until("the server's file_too_large", says('A file is too large (at most 1 KB).'));
			expect(posts()).toHaveLength(1);
			expect(await error()).toEqual(['alert', 'A file is too large (at most 1 KB).']);
			expect(await page.$eval(W('textarea'), (e) => (e as HTMLTextAreaElement).value)).toBe(
				'Two files',
			);
			expect(await chips()).toBe(2);
			expect(await page.$(W('.msg.mine'))).toBeNull();
			await type('\n');
			await until(
				"the server's too_many_files",
				async () =>
					posts().length === 2 && (await says('Too many files (at most 2 per message).')()),
			);
			expect(await error()).toEqual(['alert', 'Too many files (at most 2 per message).']);
			expect(await chips()).toBe(2);
			expect(await page.$(W('.msg.mine'))).toBeNull();
			expect(fake.visitor().messages).toHaveLength(0);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('attaches files from the keyboard-reachable picker, sends them as multipart, and links them back through the API', async () => {
		await openPage();
		await openChat();
		// from the text box, Tab reaches the paperclip; Enter opens the picker
		await (await page.$(W('textarea')))!.focus();
		await page.keyboard.press('Tab');
		expect(
			await page.evaluate(() =>
				document.activeElement?.shadowRoot?.activeElement?.getAttribute('aria-label'),
			),
		).toBe('Attach files');
		const [chooser] = await Promise.all([page.waitForFileChooser(), page.keyboard.press('Enter')]);
		const file = require('node:path').join(__dirname, 'widget-fake-api.ts');
		await chooser.accept([file]);
		await waitFor('.chip');
		expect(await page.$eval(W('.chip button'), (b) => b.getAttribute('aria-label'))).toBe(
			'Remove widget-fake-api.ts',
		);
		await type('My file\n');
		await waitFor('.msg.mine[data-id] a.file');
		const post = posts()[0].body as Record<string, string>;
		expect(post).toEqual({
			token: fake.visitor().token,
			clientId: expect.any(String),
			text: 'My file',
		});
		const stored = fake.visitor().messages[0].files[0];
		expect(stored.name).toBe('widget-fake-api.ts');
		const href = await page.$eval(W('a.file'), (a) => a.getAttribute('href'));
		expect(href).toBe(
			`${fake.base}files?token=${encodeURIComponent(fake.visitor().token)}&id=${stored.id}`,
		);
		expect(await page.$(W('.chip'))).toBeNull();
	});

	it('asks for name and e-mail first when required, with labelled fields, then sends them with the session', async () => {
		fake.config.askContact = 'required';
		await openPage();
		await openChat();
		expect(await visible('form.contact')).toBe(true);
		expect(await visible('form.composer')).toBe(false);
		expect(await focused()).toBe('ts-name');
		expect(
			await page.$$eval(W('form.contact label'), (ls) =>
				ls.map((l) => [l.getAttribute('for'), l.textContent]),
			),
		).toEqual([
			['ts-name', 'Name'],
			['ts-email', 'E-mail'],
		]);
		// no longer than the server takes (a longer name would be refused with a 400)
		expect(
			await page.$$eval(W('form.contact input'), (inputs) =>
				inputs.map((i) => [i.id, (i as HTMLInputElement).maxLength]),
			),
		).toEqual([
			['ts-name', 200],
			['ts-email', 254],
		]);
		await page.keyboard.type('Ann');
		await page.keyboard.press('Enter');
		expect(await shadowText('.error')).toEqual([
			'Please enter your name and a valid e-mail address.',
		]);
		await (await page.$(W('#ts-email')))!.type('ann@example.com');
		await page.keyboard.press('Enter');
		await until('the composer', () => visible('form.composer'));
		expect(fake.visitor().contact).toEqual({ name: 'Ann', email: 'ann@example.com' });
		expect(await focused()).toBe('ts-input');
	});

	it('takes its texts and colours from the configuration, says when nobody is online, and keeps the history over a reload', async () => {
		fake.config.texts = {
			title: 'Schreiben Sie uns',
			placeholder: 'Ihre Nachricht',
			open: 'Chat \u00f6ffnen',
		};
		fake.offline = true;
		await openPage();
		expect(await page.$eval(W('.launcher'), (e) => e.getAttribute('aria-label'))).toBe(
			'Chat \u00f6ffnen',
		);
		await openChat();
		expect(await shadowText('h2')).toEqual(['Schreiben Sie uns']);
		expect(await page.$eval(W('textarea'), (e) => e.getAttribute('placeholder'))).toBe(
			'Ihre Nachricht',
		);
		expect(await visible('.banner[role="status"]')).toBe(true);
		await type('Hallo\n');
		await waitFor('.msg.mine[data-id]');
		fake.agentSays('Guten Tag');
		await waitFor('.msg.theirs[data-id]');

		await page.reload();
		await waitFor('.launcher');
		expect(fake.visitors.size).toBe(1);
		fake.agentSays('Noch etwas');
		// what the visitor saw before the reload is not new
		await until('the badge', async () => (await shadowText('.badge'))[0] === '1');
		await openChat();
		await until('the history', async () => (await shadowText('.msg[data-id] .text')).length === 3);
		expect(await shadowText('.msg[data-id] .text')).toEqual(['Hallo', 'Guten Tag', 'Noch etwas']);
	});

	it('stops for good on origin_not_allowed: no launcher on a refused site, and gone when refused later', async () => {
		const host = async () => (await page.$('#teamspirit-chat')) !== null;
		fake.refuseOrigin = true;
		await page.goto(fake.pageUrl);
		await until('one refused session', async () => fake.requests.some((r) => r.route === 'POST session'));
		await until('the widget removes itself', async () => !(await host()));
		expect(fake.requests.map((r) => r.route).filter((r) => !r.startsWith('GET widget'))).toEqual(['POST session']);

		// allowed at first, then the site is taken out of Allowed Origins while the chat is open
		fake.refuseOrigin = false;
		fake.requests.length = 0;
		await openPage();
		await openChat();
		await until('a long poll is waiting', async () => fake.requests.some((r) => r.route === 'GET messages'));
		fake.refuseOrigin = true;
		fake.agentSays('the last answer');
		await until('the widget removes itself', async () => !(await host()));
	});

	it('fills the screen at phone width, keeps Tab inside, without motion when the visitor asks for less', async () => {
		await page.setViewport({ width: 375, height: 700 });
		await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
		await openPage();
		await openChat();
		const box = await page.$eval(W('.panel'), (e) => {
			const r = e.getBoundingClientRect();
			return [r.left, r.top, r.width, r.height];
		});
		expect(box).toEqual([0, 0, 375, 700]);
		expect(await visible('.launcher')).toBe(false);
		// the panel covers the page: Tab stays in it
		await (await page.$(W('.close')))!.focus();
		await page.keyboard.down('Shift');
		await page.keyboard.press('Tab');
		await page.keyboard.up('Shift');
		expect(await focused()).toBe('icon send');
		await page.keyboard.press('Tab');
		expect(await focused()).toBe('close');
		await (await page.$(W('.close')))!.click();
		expect(await visible('.launcher')).toBe(true);
	});
});
