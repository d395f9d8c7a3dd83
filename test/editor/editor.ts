/**
 * Helpers for the editor smoke test (test/editor/editor.test.ts): headless Chromium from Debian
 * (puppeteer-core, never a downloaded browser), n8n's editor found by its data-test-id
 * attributes (n8n 2.41.1), what the node descriptions in dist/ say the editor should offer
 * (n8n-workflow's own NodeHelpers), and size-checked screenshots for docs/images/.
 *
 * Every step waits for what it needs to see (selectors, responses), never for a fixed time: the
 * test must hold on a busy 2-core machine.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import {
	NodeHelpers,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyOptions,
	type INodeTypeDescription,
} from 'n8n-workflow';
import type { Browser, ElementHandle, Page, PuppeteerNode } from 'puppeteer-core';

import { REPO_ROOT } from '../e2e/n8n';

/** puppeteer-core 25 is ES modules only: test/editor/environment.js loads it with Node's require. */
function loadPuppeteer(): PuppeteerNode {
	const load = (globalThis as { __loadPuppeteer?: () => { default?: PuppeteerNode } & PuppeteerNode }).__loadPuppeteer;
	if (!load) throw new Error('run with jest.editor.config.js (its test environment loads puppeteer-core)');
	const mod = load();
	return mod.default ?? mod;
}
const puppeteer = loadPuppeteer();

export const CHROMIUM = process.env.TS_CHROMIUM ?? '/usr/bin/chromium';
/** Long enough for a cold editor bundle on a loaded machine; steps normally take well under a second. */
export const WAIT = 60_000;

// ---------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------

export interface EditorBrowser {
	browser: Browser;
	page: Page;
	close(): Promise<void>;
}

export async function launchBrowser(): Promise<EditorBrowser> {
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run the test with npm run test:editor (it installs Debian's chromium)`);
	const profile = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'teamspirit-editor-chromium-'));
	const browser = await puppeteer.launch({
		executablePath: CHROMIUM,
		headless: true,
		// the one we launch, with our own flags only (no sandbox: CI runs as root)
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
			'--window-size=1280,800',
			`--user-data-dir=${profile}`,
		],
		defaultViewport: { width: 1280, height: 800, deviceScaleFactor: 1 },
		protocolTimeout: 90_000,
	});
	const page = (await browser.pages())[0] ?? (await browser.newPage());
	// leaving a workflow with unsaved changes asks "leave the page?" (beforeunload): leave
	page.on('dialog', (d) => void d.accept().catch(() => undefined));
	page.setDefaultTimeout(WAIT);
	page.setDefaultNavigationTimeout(120_000);
	return {
		browser,
		page,
		async close() {
			await browser.close().catch(() => undefined);
			await fs.promises.rm(profile, { recursive: true, force: true, maxRetries: 3 });
		},
	};
}

// ---------------------------------------------------------------------------
// Finding things in n8n's editor
// ---------------------------------------------------------------------------

export const tid = (id: string) => `[data-test-id="${id}"]`;
export const NDV = tid('ndv');

/** Visible elements matching `selector` whose text (first line, trimmed) is exactly `text`. */
async function findByText(page: Page, selector: string, text: string): Promise<ElementHandle<Element> | undefined> {
	const handles = await page.$$(selector);
	for (const h of handles) {
		const match = await h.evaluate(
			(el, t) => (el as HTMLElement).offsetParent !== null && ((el as HTMLElement).innerText ?? '').split('\n')[0].trim() === t,
			text,
		);
		if (match) return h;
	}
	return undefined;
}

export async function waitForText(page: Page, selector: string, text: string, timeout = WAIT): Promise<ElementHandle<Element>> {
	const until = Date.now() + timeout;
	for (;;) {
		const el = await findByText(page, selector, text);
		if (el) return el;
		if (Date.now() > until) throw new Error(`no visible ${selector} with text "${text}" after ${timeout} ms`);
		await page.waitForNetworkIdle({ idleTime: 100, timeout: 1000 }).catch(() => undefined);
	}
}

/** Clicks an element once it stopped moving (n8n's panels slide in). */
export async function stableClick(page: Page, el: ElementHandle<Element>): Promise<void> {
	let last: { x: number; y: number } | null = null;
	for (let i = 0; i < 200; i++) {
		const box = await el.boundingBox();
		if (box && last && box.x === last.x && box.y === last.y) break;
		last = box;
		await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
	}
	await el.click();
}

/** First lines (the option names) of the visible items of the open dropdown. */
export async function openDropdownItems(page: Page, itemSelector = 'li.el-select-dropdown__item'): Promise<string[][]> {
	// (closed dropdowns keep their items in the page, hidden: look for visible ones)
	const read = (sel: string) =>
		[...document.querySelectorAll(sel)]
			.filter((e) => {
				const popper = e.closest('.el-popper') as HTMLElement | null;
				const open = !popper || (popper.style.display !== 'none' && popper.getAttribute('aria-hidden') !== 'true' && !popper.className.includes('leave'));
				return open && (e as HTMLElement).offsetParent !== null && e.getClientRects().length > 0;
			})
			.map((e) => ((e as HTMLElement).innerText ?? '').split('\n').map((s) => s.trim()).filter(Boolean));
	await page.waitForFunction((sel, fn) => (new Function(`return (${fn})`)() as (s: string) => unknown[])(sel).length > 0, {}, itemSelector, read.toString());
	return await page.evaluate((sel, fn) => (new Function(`return (${fn})`)() as (s: string) => string[][])(sel), itemSelector, read.toString());
}

/** Opens an Element Plus select inside `container` (a click on its input box). */
export async function openSelect(page: Page, container: string): Promise<void> {
	const box = await page.waitForSelector(`${container} .el-select__wrapper, ${container} .el-input__wrapper, ${container} input`, { visible: true });
	await stableClick(page, box!);
}

/** Browser-side REST call with the editor's session (cookie + browser-id), as the editor makes it. */
export async function rest<T = any>(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; json: T }> {
	return await page.evaluate(
		async (method, url, body) => {
			const res = await fetch(url, {
				method,
				headers: { 'content-type': 'application/json', 'browser-id': localStorage.getItem('n8n-browserId') ?? '' },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await res.text();
			let json: any = text;
			try {
				json = JSON.parse(text);
			} catch {
				/* not JSON */
			}
			return { status: res.status, json };
		},
		method,
		url,
		body as any,
	);
}

// ---------------------------------------------------------------------------
// Screenshots
// ---------------------------------------------------------------------------

export const MAX_SCREENSHOT_BYTES = 200 * 1024;

export interface Clip {
	x: number;
	y: number;
	width: number;
	height: number;
}

export async function boxOf(page: Page, selector: string): Promise<Clip> {
	const el = await page.waitForSelector(selector, { visible: true });
	const box = await el!.boundingBox();
	if (!box) throw new Error(`${selector} has no box`);
	return { x: Math.max(0, Math.floor(box.x)), y: Math.max(0, Math.floor(box.y)), width: Math.ceil(box.width), height: Math.ceil(box.height) };
}

/**
 * The box of the panel around `selector`: its nearest ancestor at least `minWidth` x `minHeight`
 * (e.g. the NDV's parameter column around its parameters), at most `maxHeight` tall from its top.
 */
export async function panelClip(page: Page, selector: string, minWidth: number, minHeight: number, maxHeight = 800): Promise<Clip> {
	await page.waitForSelector(selector, { visible: true });
	const box = await page.$eval(
		selector,
		(el, minWidth, minHeight) => {
			let e: Element | null = el;
			while (e && e.parentElement) {
				const r = e.getBoundingClientRect();
				if (r.width >= minWidth && r.height >= minHeight) break;
				e = e.parentElement;
			}
			const r = (e ?? el).getBoundingClientRect();
			return { x: r.x, y: r.y, width: r.width, height: r.height };
		},
		minWidth,
		minHeight,
	);
	const x = Math.max(0, Math.floor(box.x));
	const y = Math.max(0, Math.floor(box.y));
	return { x, y, width: Math.min(Math.ceil(box.width), 1280 - x), height: Math.min(Math.ceil(box.height), maxHeight, 800 - y) };
}

/**
 * A PNG of `clip` into `dir/name`, at most MAX_SCREENSHOT_BYTES: retaken at a smaller scale
 * (deviceScaleFactor via CSS zoom of the capture) while too big. Returns the size in bytes.
 */
export async function screenshot(page: Page, file: string, clip: Clip): Promise<number> {
	await fs.promises.mkdir(path.dirname(file), { recursive: true });
	for (const scale of [1, 0.85, 0.7, 0.55]) {
		const data = await page.screenshot({ type: 'png', clip: { ...clip, scale }, captureBeyondViewport: false });
		if (data.length <= MAX_SCREENSHOT_BYTES) {
			await fs.promises.writeFile(file, data);
			return data.length;
		}
	}
	throw new Error(`${file}: still larger than ${MAX_SCREENSHOT_BYTES} bytes at scale 0.55; clip tighter`);
}

/** Where a failing step leaves its picture (kept; printed in the failure). */
export const FAILURE_DIR = path.join(os.tmpdir(), 'teamspirit-editor-failures');

export async function failureShot(page: Page, name: string): Promise<string> {
	await fs.promises.mkdir(FAILURE_DIR, { recursive: true });
	const file = path.join(FAILURE_DIR, `${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}.png`);
	await page.screenshot({ path: file as `${string}.png` }).catch(() => undefined);
	return file;
}

// ---------------------------------------------------------------------------
// What the node descriptions in dist/ say
// ---------------------------------------------------------------------------

export interface Described {
	description: INodeTypeDescription;
}

const isClass = (v: unknown): v is new () => any => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));

export function loadNode(file: string): INodeTypeDescription {
	const mod = require(path.join(REPO_ROOT, 'dist', file)) as Record<string, new () => Described>;
	const cls = Object.values(mod).find(isClass);
	if (!cls) throw new Error(`no node class in dist/${file}`);
	return new cls().description;
}

export function loadCredentialDisplayNames(): Record<string, string> {
	const dir = path.join(REPO_ROOT, 'dist', 'credentials');
	const out: Record<string, string> = {};
	for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.credentials.js'))) {
		const mod = require(path.join(dir, f)) as Record<string, new () => { name: string; displayName: string }>;
		for (const cls of Object.values(mod)) {
			if (!isClass(cls)) continue;
			const c = new cls();
			out[c.name] = c.displayName;
		}
	}
	return out;
}

/** All parameter values the editor would hold for `values` (defaults filled in, as n8n does). */
export function fullParameters(desc: INodeTypeDescription, values: INodeParameters): INodeParameters {
	return NodeHelpers.getNodeParameters(desc.properties, values, true, false, { typeVersion: 1 }, desc) ?? values;
}

/** The options of parameter `name` that the editor shows for these values (n8n-workflow's displayParameter). */
export function visibleOptions(desc: INodeTypeDescription, name: string, values: INodeParameters): INodePropertyOptions[] {
	const full = fullParameters(desc, values);
	const node = { typeVersion: Array.isArray(desc.version) ? Math.max(...desc.version) : desc.version };
	const out: INodePropertyOptions[] = [];
	for (const p of desc.properties) {
		if (p.name !== name || !NodeHelpers.displayParameter(full, p, node, desc, full)) continue;
		for (const o of (p.options ?? []) as INodePropertyOptions[]) {
			if (!o.displayOptions || NodeHelpers.displayParameter(full, o, node, desc, full)) out.push(o);
		}
	}
	return out;
}

export function isVisible(desc: INodeTypeDescription, prop: INodeProperties, values: INodeParameters): boolean {
	const full = fullParameters(desc, values);
	return NodeHelpers.displayParameter(full, prop, { typeVersion: 1 }, desc, full);
}

/** Credential types the node asks for with these parameter values. */
export function visibleCredentials(desc: INodeTypeDescription, values: INodeParameters): string[] {
	const full = fullParameters(desc, values);
	return (desc.credentials ?? []).filter((c) => NodeHelpers.displayParameter(full, c, { typeVersion: 1 }, desc, full)).map((c) => c.name);
}

/**
 * Why a canvas subtitle does not read well, or undefined: "undefined"/"null"/"[object Object]",
 * a camelCase identifier, or an option value shown where its display name belongs (e.g.
 * "telegram: send" for "Telegram: Send Text", "message.created" for "Message Created").
 */
export function subtitleProblem(subtitle: string, desc: INodeTypeDescription): string | undefined {
	if (/\bundefined\b|\bnull\b|\[object Object\]|\{\{|\$parameter/.test(subtitle)) return 'shows an unresolved or empty value';
	const camel = /\b[a-z]+[A-Z][A-Za-z]*\b/.exec(subtitle);
	if (camel) return `shows the raw value "${camel[0]}"`;
	const words = new Set<string>();
	const values = new Set<string>();
	for (const p of desc.properties) {
		if (p.type !== 'options' && p.type !== 'multiOptions') continue;
		for (const o of (p.options ?? []) as INodePropertyOptions[]) {
			for (const w of `${o.name} ${o.action ?? ''}`.split(/[^A-Za-z0-9]+/)) if (w) words.add(w);
			if (typeof o.value === 'string' && o.value !== o.name) values.add(o.value);
		}
	}
	void words;
	const segments = subtitle.split(/\s*(?:[:·,|(\)–—-])\s*/).filter(Boolean);
	for (const v of values) {
		if (/[^A-Za-z0-9]/.test(v)) {
			// an identifier like "message.created" or "chat_member" anywhere
			if (subtitle.includes(v)) return `shows the raw value "${v}"`;
			continue;
		}
		// a lower-case value where the subtitle starts with a display name: "telegram: send"
		if (/^[a-z]/.test(v) && segments.length > 0 && (segments[0] === v || segments[0].startsWith(`${v} `))) return `shows the raw value "${v}"`;
	}
	return undefined;
}
