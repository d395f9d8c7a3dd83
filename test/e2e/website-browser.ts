/**
 * Headless Chromium (Debian's /usr/bin/chromium via puppeteer-core, never a downloaded browser)
 * for the Website chat: a visitor is a browser context (its own localStorage and cookies), the
 * company's page is opened in it, and the widget is driven as a person drives it (click, type,
 * Enter, the file picker) and read back from its shadow DOM. Shared by
 * test/e2e/website-chat.e2e.test.ts and scripts/bench/website.ts.
 *
 * The widget lives in a shadow root (open or closed): a script installed before the page's own
 * keeps every shadow root the page attaches in `window.__tsShadowRoots`, the only way into a
 * closed one; the widget itself is not changed for the test.
 *
 * Every step waits for what it needs to see, never for a fixed time.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Browser, BrowserContext, ElementHandle, Page, PuppeteerNode } from 'puppeteer-core';

/** Browser-side globals, for the functions that run in the page (this project's tsconfig has no DOM lib). */
declare const window: any;
declare const document: any;
declare const Element: any;
declare const MutationObserver: any;

/**
 * puppeteer-core, loaded by Node's own require: under jest through the test environment's
 * `__loadPuppeteer` (test/editor/environment.js), elsewhere (the bench) directly.
 */
function loadPuppeteer(): PuppeteerNode {
	type Loaded = { default?: PuppeteerNode } & PuppeteerNode;
	const viaJest = (globalThis as { __loadPuppeteer?: () => Loaded }).__loadPuppeteer;
	const mod = viaJest ? viaJest() : (require('puppeteer-core') as Loaded);
	return mod.default ?? mod;
}

export const CHROMIUM = process.env.TS_CHROMIUM ?? '/usr/bin/chromium';
/** Long enough for a loaded 2-core machine; steps normally take well under a second. */
export const WAIT = 60_000;

export interface Visitors {
	browser: Browser;
	/** A new visitor: a fresh browser context (no localStorage, no cookies) and a page in it. */
	visitor(viewport?: { width: number; height: number; isMobile?: boolean }): Promise<Visitor>;
	close(): Promise<void>;
}

export async function launchVisitors(): Promise<Visitors> {
	if (!fs.existsSync(CHROMIUM))
		throw new Error(`${CHROMIUM} is missing: run the suite with scripts/e2e.sh (it installs Debian's chromium)`);
	const profile = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'teamspirit-website-chromium-'));
	const browser = await loadPuppeteer().launch({
		executablePath: CHROMIUM,
		headless: true,
		ignoreDefaultArgs: ['--enable-automation'],
		args: [
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-dev-shm-usage',
			// a page in the background keeps its timers (the widget's long poll) at full speed
			'--disable-background-timer-throttling',
			'--disable-renderer-backgrounding',
			'--disable-backgrounding-occluded-windows',
			`--user-data-dir=${profile}`,
		],
		defaultViewport: { width: 1280, height: 800, deviceScaleFactor: 1 },
		protocolTimeout: 90_000,
	});
	const contexts: BrowserContext[] = [];
	return {
		browser,
		async visitor(viewport) {
			const context = await browser.createBrowserContext();
			contexts.push(context);
			const page = await context.newPage();
			page.setDefaultTimeout(WAIT);
			page.setDefaultNavigationTimeout(WAIT);
			if (viewport)
				await page.setViewport({
					width: viewport.width,
					height: viewport.height,
					isMobile: viewport.isMobile ?? false,
					hasTouch: viewport.isMobile ?? false,
					deviceScaleFactor: viewport.isMobile ? 2 : 1,
				});
			return new Visitor(page);
		},
		async close() {
			for (const context of contexts) await context.close().catch(() => undefined);
			await browser.close().catch(() => undefined);
			await fs.promises.rm(profile, { recursive: true, force: true, maxRetries: 3 });
		},
	};
}

/** Keeps the page's shadow roots reachable (before any script of the page runs). */
function keepShadowRoots(): void {
	const roots: unknown[] = [];
	window.__tsShadowRoots = roots;
	const attach = Element.prototype.attachShadow;
	Element.prototype.attachShadow = function (this: unknown, init: unknown) {
		const root = attach.call(this, init);
		roots.push(root);
		return root;
	};
}

/** A message as the visitor sees it in the widget. */
export interface SeenMessage {
	from: 'visitor' | 'agent' | 'unknown';
	text: string;
	files: Array<{ name: string; href: string }>;
	pending: boolean;
}

/** The widget's parts (widget/chat.js builds them; the welcome line is not a message). */
export const PARTS = {
	launcher: 'button.launcher',
	panel: 'section.panel',
	log: '[role="log"]',
	message: '.msg:not(.welcome)',
	text: 'p.text',
	file: 'a.file',
	fileName: '.file-name',
	input: 'textarea',
	fileInput: 'input[type="file"]',
	typing: 'p.typing',
	offline: 'p.banner:not(.warn)',
	reconnecting: 'p.banner.warn',
	error: 'p.error',
	contactForm: 'form.contact',
};

/** One visitor's page on the company's site. */
export class Visitor {
	/**
	 * What the widget asked of n8n and what came back (URL, status), in order; a request the
	 * browser failed (refused by CORS, n8n down) has `failure` instead of a status.
	 */
	readonly requests: Array<{ method: string; url: string; status?: number; origin?: string; acao?: string; failure?: string }> = [];

	constructor(readonly page: Page) {
		page.on('response', (response) => {
			const request = response.request();
			if (!/\/webhook\//.test(request.url())) return;
			this.requests.push({
				method: request.method(),
				url: request.url(),
				status: response.status(),
				origin: request.headers().origin,
				acao: response.headers()['access-control-allow-origin'],
			});
		});
		page.on('requestfailed', (request) => {
			if (!/\/webhook\//.test(request.url())) return;
			this.requests.push({
				method: request.method(),
				url: request.url(),
				origin: request.headers().origin,
				failure: request.failure()?.errorText ?? 'failed',
			});
		});
	}

	/** Opens the site's page and waits for the widget's launcher (unless `launcher: false`). */
	async open(url: string, opts: { launcher?: boolean } = {}): Promise<void> {
		await this.page.evaluateOnNewDocument(keepShadowRoots);
		await this.page.goto(url, { waitUntil: 'load' });
		if (opts.launcher ?? true) await this.part(PARTS.launcher);
	}

	async reload(): Promise<void> {
		await this.page.reload({ waitUntil: 'load' });
		await this.part(PARTS.launcher);
	}

	/** The first element matching `selector` in the widget's shadow root, once there (and visible unless `hidden`). */
	async part(selector: string, opts: { visible?: boolean; timeout?: number } = {}): Promise<ElementHandle> {
		const visible = opts.visible ?? true;
		const handle = await this.page.waitForFunction(
			(sel: string, visible: boolean) => {
				for (const root of window.__tsShadowRoots ?? []) {
					const el = root.querySelector(sel);
					if (!el) continue;
					if (!visible) return el;
					const r = el.getBoundingClientRect();
					const style = root.host.ownerDocument.defaultView.getComputedStyle(el);
					if (r.width > 0 && r.height > 0 && style.visibility !== 'hidden') return el;
				}
				return false;
			},
			{ timeout: opts.timeout ?? WAIT, polling: 100 },
			selector,
			visible,
		);
		return handle as ElementHandle;
	}

	/** Whether `selector` is shown in the widget now. */
	async shows(selector: string): Promise<boolean> {
		return await this.page.evaluate((sel: string) => {
			for (const root of window.__tsShadowRoots ?? []) {
				const el = root.querySelector(sel);
				if (!el) continue;
				const r = el.getBoundingClientRect();
				if (r.width > 0 && r.height > 0 && !el.hidden) return true;
			}
			return false;
		}, selector);
	}

	/** Clicks the launcher when the panel is closed; waits for the message box. */
	async openChat(): Promise<void> {
		if (!(await this.shows(PARTS.input))) await (await this.part(PARTS.launcher)).click();
		await this.part(PARTS.input);
	}

	/** Types `text` into the message box and presses Enter (as a person sends it). */
	async send(text: string): Promise<void> {
		const input = await this.part(PARTS.input);
		await input.click();
		await input.type(text);
		await this.page.keyboard.press('Enter');
	}

	/** Picks files in the widget's file picker and sends them (with `text` when given) by Enter. */
	async sendFiles(files: string[], text = ''): Promise<void> {
		const picker = (await this.part(PARTS.fileInput, { visible: false })) as ElementHandle<any>;
		await picker.uploadFile(...files);
		const input = await this.part(PARTS.input);
		await input.click();
		if (text) await input.type(text);
		await this.page.keyboard.press('Enter');
	}

	/** The messages the widget shows, oldest first. */
	async messages(): Promise<SeenMessage[]> {
		return await this.page.evaluate((parts: typeof PARTS) => {
			const root = (window.__tsShadowRoots ?? []).find((r: any) => r.querySelector(parts.log));
			if (!root) return [];
			return [...root.querySelector(parts.log).querySelectorAll(parts.message)].map((m: any) => ({
				from: (m.classList.contains('mine') ? 'visitor' : m.classList.contains('theirs') ? 'agent' : 'unknown') as SeenMessage['from'],
				text: (m.querySelector(parts.text)?.textContent ?? '').trim(),
				files: [...m.querySelectorAll(parts.file)].map((a: any) => ({
					name: (a.querySelector(parts.fileName)?.textContent ?? a.textContent ?? '').trim(),
					href: a.href ?? '',
				})),
				pending: m.classList.contains('pending') || m.getAttribute('aria-busy') === 'true',
			}));
		}, PARTS);
	}

	/** Waits until the widget shows messages for which `test` holds; returns them. */
	async waitForMessages(what: string, test: (seen: SeenMessage[]) => boolean, timeoutMs = WAIT): Promise<SeenMessage[]> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const seen = await this.messages();
			if (test(seen)) return seen;
			if (Date.now() > deadline)
				throw new Error(`the widget never showed ${what}; it shows:\n${JSON.stringify(seen, null, 1)}`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}

	/** The visitor's session as the widget keeps it in the site's localStorage. */
	async storage(): Promise<Record<string, string>> {
		return await this.page.evaluate(() => {
			const out: Record<string, string> = {};
			for (let i = 0; i < window.localStorage.length; i++) {
				const key = window.localStorage.key(i);
				out[key] = window.localStorage.getItem(key);
			}
			return out;
		});
	}

	/** The session token the widget stored (the value that looks like `v1.<visitorId>.…`). */
	async token(): Promise<string | undefined> {
		const values = Object.values(await this.storage());
		for (const value of values) {
			const match = /v1\.v_[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]+/.exec(value);
			if (match) return match[0];
		}
		return undefined;
	}

	/** Replaces the stored token in the site's localStorage (a visitor tampering with it). */
	async replaceToken(from: string, to: string): Promise<void> {
		await this.page.evaluate(
			(from: string, to: string) => {
				for (let i = 0; i < window.localStorage.length; i++) {
					const key = window.localStorage.key(i);
					const value = window.localStorage.getItem(key);
					if (value.includes(from)) window.localStorage.setItem(key, value.split(from).join(to));
				}
			},
			from,
			to,
		);
	}

	/**
	 * Records, in the page, when each message text first appears in the widget (Date.now() of the
	 * page, the same clock as this process on one machine): for the bench's latency.
	 */
	async recordArrivals(): Promise<void> {
		await this.page.evaluate((parts: typeof PARTS) => {
			const root = (window.__tsShadowRoots ?? []).find((r: any) => r.querySelector(parts.log));
			const seen: Record<string, number> = (window.__tsArrivals = {});
			const note = () => {
				const now = Date.now();
				for (const m of root.querySelectorAll(`${parts.log} ${parts.message}`)) {
					const text = (m.querySelector(parts.text)?.textContent ?? '').trim();
					if (text && !(text in seen)) seen[text] = now;
				}
			};
			note();
			new MutationObserver(note).observe(root, { childList: true, subtree: true, characterData: true });
		}, PARTS);
	}

	/** When `text` appeared (page's Date.now()), once it did. */
	async arrivalOf(text: string, timeoutMs = WAIT): Promise<number> {
		const handle = await this.page.waitForFunction((t: string) => window.__tsArrivals?.[t], { timeout: timeoutMs, polling: 50 }, text);
		return (await handle.jsonValue()) as number;
	}

	async close(): Promise<void> {
		await this.page.close().catch(() => undefined);
	}
}
