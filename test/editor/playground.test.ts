/**
 * The playground of `npm run dev` in headless Chromium, against a started sandbox
 * (scripts/sandbox/sandbox.ts: a real n8n 2.41.1 with the packed package, the conversation examples
 * published, the emulators): a Telegram customer writes with a photo, the message and the photo
 * appear in the operator's TeamSpirit chat; the operator answers with a file, the customer's phone
 * shows it. Each step links to the n8n execution that carried it.
 *
 *   npm run test:editor                 (scripts/editor-test.sh runs every test/editor/*.test.ts)
 *   npm run screenshots                 (also writes docs/images/playground*.png)
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';

import type { ElementHandle, Page } from 'puppeteer-core';

import { sandboxPorts, startSandbox, type Sandbox } from '../../scripts/sandbox/sandbox';
import { createN8nHome, formatTimings, freePort, installPackageTarball, REPO_ROOT, timings, type N8nHome } from '../e2e/n8n';
import { failureShot, launchBrowser, screenshot, type EditorBrowser } from './editor';

const tarball = process.env.TS_PACKAGE_TARBALL;
const SHOTS = process.env.TS_EDITOR_SCREENSHOTS;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A small PNG of a parcel (a brown box with tape), made here: the customer's photo. */
function parcelPng(width = 240, height = 160): Buffer {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf: Buffer) => {
		let c = 0xffffffff;
		for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const head = Buffer.alloc(4);
		head.writeUInt32BE(data.length);
		const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const tail = Buffer.alloc(4);
		tail.writeUInt32BE(crc(body));
		return Buffer.concat([head, body, tail]);
	};
	const rows: Buffer[] = [];
	for (let y = 0; y < height; y++) {
		const row = Buffer.alloc(1 + width * 3);
		for (let x = 0; x < width; x++) {
			const inBox = x > 40 && x < 200 && y > 30 && y < 140;
			const tape = inBox && x > 110 && x < 130;
			const dent = inBox && (x - 170) ** 2 + (y - 60) ** 2 < 180;
			const [r, g, b] = dent ? [120, 80, 40] : tape ? [230, 215, 160] : inBox ? [181, 130, 78] : [225, 235, 245];
			row.set([r, g, b], 1 + x * 3);
		}
		rows.push(row);
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(Buffer.concat(rows))),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

describe('the playground of npm run dev', () => {
	let home: N8nHome;
	let sandbox: Sandbox | undefined;
	let ui: EditorBrowser | undefined;
	let page: Page;
	let files: string;
	const photo = parcelPng();
	const label = Buffer.from(`%PDF-1.4\n% return label for order 4711\n${'0'.repeat(2000)}\n%%EOF\n`);
	const started = Date.now();

	async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
		try {
			return await fn();
		} catch (err) {
			const file = page ? await failureShot(page, `playground ${name}`) : '(no page)';
			(err as Error).message = `${(err as Error).message}\n  [playground] screenshot of the page: ${file}`;
			throw err;
		}
	}

	/** The bytes behind a link of the page, as the browser gets them. */
	async function bytesOf(href: string): Promise<Buffer> {
		const res = await fetch(new URL(href, sandbox!.playground.url));
		expect(res.status).toBe(200);
		return Buffer.from(await res.arrayBuffer());
	}

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:editor` (scripts/editor-test.sh)');
		home = await createN8nHome({ prefix: 'n8n-playground-' });
		await installPackageTarball(home, tarball);
		const free = async () => String(await freePort());
		// five consecutive ports for the emulators are not guaranteed free: take one, then check the rest
		const ports = sandboxPorts({ N8N_PORT: await free(), TS_PLAYGROUND_PORT: await free(), TS_EMULATOR_PORT: await free() });
		for (const name of ['telegram', 'twilio', 'twilioCdn', 'graph'] as const) ports[name] = await freePort();
		sandbox = await startSandbox({ home, ports });
		files = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'playground-files-'));
		await fs.promises.writeFile(path.join(files, 'parcel.png'), photo);
		await fs.promises.writeFile(path.join(files, 'return-label.pdf'), label);
		ui = await launchBrowser();
		page = ui.page;
		timings.push({ label: 'playground: sandbox started', ms: Date.now() - started });
	}, 15 * 60_000);

	afterAll(async () => {
		await ui?.close();
		await sandbox?.stop();
		await home?.cleanup();
		if (files) await fs.promises.rm(files, { recursive: true, force: true });
		timings.push({ label: 'playground suite total', ms: Date.now() - started });
		console.log(`[playground] timings\n${formatTimings()}`);
	});

	it('a Telegram customer writes with a photo: the message and the photo appear in the operator’s TeamSpirit chat, linked to the n8n execution', async () => {
		await step('customer writes', async () => {
			await page.goto(sandbox!.playground.url, { waitUntil: 'domcontentloaded' });
			await page.waitForFunction(() => document.querySelectorAll('#customer option').length > 0);
			await page.type('#phone-text', 'Hello, my parcel arrived damaged');
			const input = (await page.$('#phone-file')) as ElementHandle<HTMLInputElement>;
			await input!.uploadFile(path.join(files, 'parcel.png'));
			await page.keyboard.press('Enter');
			await page.waitForFunction(() => (document.getElementById('phone-text') as HTMLInputElement).value === '');
		});
		const image = await step('the operator sees it', async () => {
			await page.waitForSelector('#chat-thread li[data-from="customer"] img', { visible: true });
			return await page.$eval('#chat-thread li[data-from="customer"]', (li) => ({
				text: li.querySelector('.text')?.textContent,
				src: li.querySelector('img')!.getAttribute('src')!,
				chat: document.querySelector('#chat-list button[aria-current="true"]')?.textContent,
			}));
		});
		expect(image.text).toBe('Hello, my parcel arrived damaged');
		expect(image.chat).toBe('Telegram · Anna Petrova');
		expect(sha256(await bytesOf(image.src))).toBe(sha256(photo));
		// TeamSpirit holds it so (the page only shows what the emulator has)
		const { ts } = sandbox!.emulators;
		const chat = [...ts.chats.values()].find((c) => c.title === 'Telegram · Anna Petrova')!;
		expect(ts.messagesIn(chat.id).map((m) => [m.text, m.files.map((f) => sha256(ts.fileContent(f.id)))])).toEqual([
			['Hello, my parcel arrived damaged', [sha256(photo)]],
		]);

		const link = await step('the execution link', async () => {
			await page.waitForSelector('#phone-thread li[data-side="customer"] a.exec[data-execution]', { visible: true });
			return await page.$eval('#phone-thread li[data-side="customer"] a.exec', (a) => ({ href: a.getAttribute('href')!, id: a.getAttribute('data-execution')! }));
		});
		expect(link.href).toBe(`${sandbox!.n8n.url}/workflow/${sandbox!.workflows.telegram.id}/executions/${link.id}`);
		const execution = await sandbox!.editor.call('GET', `/executions/${link.id}`);
		expect(execution.json.data).toMatchObject({ workflowId: sandbox!.workflows.telegram.id, status: 'success' });
	});

	it('the operator answers with a file: the customer’s phone shows the answer and the file, linked to the n8n execution', async () => {
		await step('operator answers', async () => {
			await page.type('#chat-text', 'Sorry about that! Here is a return label.');
			const input = (await page.$('#chat-file')) as ElementHandle<HTMLInputElement>;
			await input!.uploadFile(path.join(files, 'return-label.pdf'));
			await page.click('#chat-send');
			await page.waitForSelector('#chat-thread li[data-from="operator"] a.file', { visible: true });
		});
		const answer = await step('the customer sees it', async () => {
			await page.waitForFunction(
				() => [...document.querySelectorAll('#phone-thread li[data-side="bot"] a.file')].some((a) => a.textContent?.includes('return-label.pdf')),
			);
			return await page.$$eval('#phone-thread li[data-side="bot"]', (items) =>
				items.map((li) => ({ text: li.querySelector('.text')?.textContent ?? '', file: li.querySelector('a.file')?.getAttribute('href') ?? '' })),
			);
		});
		expect(answer.map((m) => m.text)).toContain('Sorry about that! Here is a return label.');
		const file = answer.find((m) => m.file)!;
		expect(sha256(await bytesOf(file.file))).toBe(sha256(label));
		// what the Telegram emulator says the bot sent into Anna's chat
		const sent = sandbox!.emulators.tg.sentMessages(7001);
		expect(sent.map((m) => m.text ?? m.document?.file_name)).toEqual(['Sorry about that! Here is a return label.', 'return-label.pdf']);

		const link = await step('the execution link', async () => {
			await page.waitForSelector('#chat-thread li[data-from="operator"] a.exec[data-execution]', { visible: true });
			return await page.$eval('#chat-thread li[data-from="operator"] a.exec', (a) => ({ href: a.getAttribute('href')!, id: a.getAttribute('data-execution')! }));
		});
		expect(link.href).toBe(`${sandbox!.n8n.url}/workflow/${sandbox!.workflows.telegram.id}/executions/${link.id}`);
		const execution = await sandbox!.editor.call('GET', `/executions/${link.id}`);
		expect(execution.json.data).toMatchObject({ workflowId: sandbox!.workflows.telegram.id, status: 'success', mode: 'webhook' });

		if (SHOTS) {
			await page.waitForSelector('#phone-thread li[data-side="bot"] a.exec, #step-list a.exec', { visible: true });
			await page.evaluate(() => window.scrollTo(0, 0));
			const desktop = path.join(SHOTS, 'playground.png');
			await screenshot(page, desktop, { x: 0, y: 0, width: 1280, height: 800 });
			await page.setViewport({ width: 390, height: 844, deviceScaleFactor: 1 });
			await page.evaluate(() => window.scrollTo(0, 0));
			const phone = path.join(SHOTS, 'playground-phone.png');
			await screenshot(page, phone, { x: 0, y: 0, width: 390, height: 844 });
			await page.setViewport({ width: 1280, height: 800, deviceScaleFactor: 1 });
			console.log(`[playground] screenshots: ${[desktop, phone].map((f) => path.relative(REPO_ROOT, f)).join(', ')}`);
		}
	});
});
