/**
 * Editor smoke test: n8n 2.41.1's real editor in headless Chromium, with this package installed
 * from its packed tarball (as an admin installs it) and the TeamSpirit, Telegram, Twilio and Graph
 * emulators on 127.0.0.1. It clicks through what a user does first: find the nodes, open them,
 * pick a channel, create and test a credential, import and publish the examples.
 *
 * What the editor should offer (operations per channel, credential types) is computed from the
 * node descriptions in dist/ with n8n-workflow's NodeHelpers, so the test follows the nodes.
 *
 *   npm run test:editor      (scripts/editor-test.sh: installs, builds, packs, runs this)
 *   npm run screenshots      (the same, and it writes docs/images/*.png)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { INodeParameters, INodeTypeDescription } from 'n8n-workflow';
import type { ElementHandle, Page } from 'puppeteer-core';

import { GraphEmulator } from '../emulators/graph';
import { VkEmulator } from '../emulators/vk';
import { ViberEmulator } from '../emulators/viber';
import { TeamSpiritEmulator } from '../emulators/teamspirit';
import { TelegramEmulator } from '../emulators/telegram';
import { TwilioEmulator } from '../emulators/twilio';
import {
	createN8nHome,
	formatTimings,
	importCredentials,
	installPackageTarball,
	REPO_ROOT,
	startN8n,
	timings,
	type N8nHome,
	type RunningN8n,
} from '../e2e/n8n';
import {
	boxOf,
	panelClip,
	failureShot,
	isVisible,
	launchBrowser,
	loadCredentialDisplayNames,
	loadNode,
	NDV,
	openDropdownItems,
	openSelect,
	rest,
	stableClick,
	screenshot,
	subtitleProblem,
	tid,
	visibleCredentials,
	visibleOptions,
	waitForText,
	WAIT,
	type Clip,
	type EditorBrowser,
} from './editor';

const tarball = process.env.TS_PACKAGE_TARBALL;
/** Set by `npm run screenshots` (scripts/editor-test.sh --screenshots): where the PNGs go. */
const SHOTS = process.env.TS_EDITOR_SCREENSHOTS;

const PKG = 'n8n-nodes-teamspirit';
const TYPES = {
	teamSpirit: `${PKG}.teamSpirit`,
	teamSpiritTrigger: `${PKG}.teamSpiritTrigger`,
	chatChannel: `${PKG}.chatChannel`,
	chatChannelTrigger: `${PKG}.chatChannelTrigger`,
};
const OWNER = { email: 'owner@example.com', firstName: 'Ada', lastName: 'Owner', password: 'Editor-Test-2024' };

const EXAMPLES = fs
	.readdirSync(path.join(REPO_ROOT, 'examples'))
	.filter((f) => f.endsWith('.json'))
	.sort();

describe('the n8n editor with n8n-nodes-teamspirit', () => {
	let home: N8nHome;
	let n8n: RunningN8n | undefined;
	let ts: TeamSpiritEmulator;
	let tg: TelegramEmulator;
	let tw: TwilioEmulator;
	let fb: GraphEmulator;
	let vk: VkEmulator;
	let vb: ViberEmulator;
	let ui: EditorBrowser | undefined;
	let page: Page;
	const written: Array<{ file: string; bytes: number }> = [];
	const started = Date.now();

	const desc: Record<keyof typeof TYPES, INodeTypeDescription> = {
		teamSpirit: loadNode('nodes/TeamSpirit/TeamSpirit.node.js'),
		teamSpiritTrigger: loadNode('nodes/TeamSpiritTrigger/TeamSpiritTrigger.node.js'),
		chatChannel: loadNode('nodes/ChatChannel/ChatChannel.node.js'),
		chatChannelTrigger: loadNode('nodes/ChatChannelTrigger/ChatChannelTrigger.node.js'),
	};
	const credentialNames = loadCredentialDisplayNames();
	const channels = (desc.chatChannel.properties.find((p) => p.name === 'channel')?.options ?? []) as Array<{ name: string; value: string }>;

	/** Runs a step; on failure leaves a screenshot of the page and says where. */
	async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
		try {
			return await fn();
		} catch (err) {
			const file = page ? await failureShot(page, name) : '(no page)';
			(err as Error).message = `${(err as Error).message}\n  [editor] screenshot of the page: ${file}`;
			throw err;
		}
	}

	async function shot(name: string, clip: Clip): Promise<void> {
		if (!SHOTS) return;
		const file = path.join(SHOTS, name);
		const bytes = await screenshot(page, file, clip);
		written.push({ file: path.relative(REPO_ROOT, file), bytes });
	}

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:editor` (scripts/editor-test.sh)');
		ts = await TeamSpiritEmulator.start();
		ts.addUser({ id: 'u_alice', name: 'Alice Archer', username: 'alice' });
		ts.addUser({ id: 'u_bob', name: 'Bob Baker', username: 'bob' });
		ts.addChat({ id: 'c_support', title: 'Support desk', memberIds: ['u_alice'] });
		ts.addChat({ id: 'c_general', title: 'General', memberIds: ['u_alice', 'u_bob'] });
		tg = await TelegramEmulator.start();
		tw = await TwilioEmulator.start();
		fb = await GraphEmulator.start();
		vk = await VkEmulator.start();
		vb = await ViberEmulator.start();

		home = await createN8nHome({ prefix: 'n8n-editor-' });
		await installPackageTarball(home, tarball);
		// the credentials the examples refer to (by id), pointing at the emulators
		await importCredentials(home, [
			{ id: 'teamspirit', name: 'TeamSpirit account', type: 'teamSpiritApi', data: { serverUrl: ts.url, apiKey: ts.apiKey } },
			{ id: 'teamspirit-example', name: 'TeamSpirit example account', type: 'teamSpiritApi', data: { serverUrl: ts.url, apiKey: ts.apiKey } },
			{ id: 'telegram-bot', name: 'Telegram bot', type: 'teamSpiritTelegramApi', data: { accessToken: tg.token, baseUrl: tg.url } },
			{ id: 'twilio-account', name: 'Twilio account', type: 'teamSpiritTwilioApi', data: { accountSid: tw.accountSid, authToken: tw.authToken, baseUrl: tw.url } },
			{
				id: 'messenger-page',
				name: 'Messenger page',
				type: 'teamSpiritMessengerApi',
				data: { pageId: fb.pageId, accessToken: fb.pageAccessToken, appSecret: fb.appSecret, verifyToken: fb.verifyToken, graphVersion: fb.version, baseUrl: fb.url },
			},
			// examples/instagram-conversations.json's Instagram credential (the Messenger emulator's page stands in)
			{
				id: 'instagram-account',
				name: 'Instagram account',
				type: 'teamSpiritInstagramApi',
				data: { pageId: fb.pageId, instagramAccountId: '17841400000000001', accessToken: fb.pageAccessToken, appSecret: fb.appSecret, verifyToken: fb.verifyToken, graphVersion: fb.version, baseUrl: fb.url },
			},
			// examples/whatsappcloud-conversations.json's credential (publishing calls no Graph API: Subscribe App is off)
			{
				id: 'whatsappcloud-number',
				name: 'WhatsApp Cloud number',
				type: 'teamSpiritWhatsAppCloudApi',
				data: { accessToken: 'EAAGeditortest', phoneNumberId: '106540352242922', appSecret: 'editor-test-app-secret', verifyToken: 'editor-test-verify', graphVersion: 'v23.0', baseUrl: 'http://127.0.0.1:9' },
			},
			// examples/vk-conversations.json's VK community
			{ id: 'vk-community', name: 'VK community', type: 'teamSpiritVkApi', data: vk.credentialData() },
			// examples/viber-conversations.json's Viber credential (publishing sets the emulator's webhook)
			{ id: 'viber-bot', name: 'Viber bot', type: 'teamSpiritViberApi', data: { accessToken: vb.authToken, botName: 'TeamSpirit Shop', avatarUrl: '', baseUrl: vb.apiUrl } },
			// examples/website-conversations.json's Website Chat credential
			{ id: 'website-chat', name: 'Website chat', type: 'teamSpiritWebsiteApi', data: { serverUrl: ts.url, apiKey: ts.apiKey, sessionSecret: 'editor-test-session-secret-0123456789' } },
			// examples/ai-first-line.json's OpenAI Chat Model (publishing calls no model: no emulator needed)
			{ id: 'openai', name: 'OpenAI account', type: 'openAiApi', data: { apiKey: 'sk-editor-test', url: 'http://127.0.0.1:9/v1' } },
		]);
		n8n = await startN8n(home, { timeoutMs: 240_000 });

		// the owner account, as the first visit's set-up form posts it
		const setup = await fetch(`${n8n.url}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(OWNER),
		});
		if (setup.status !== 200) throw new Error(`owner setup: ${setup.status} ${await setup.text()}`);

		ui = await launchBrowser();
		page = ui.page;
		const t0 = Date.now();
		await step('sign in', async () => {
			await page.goto(`${n8n!.url}/signin`, { waitUntil: 'domcontentloaded' });
			await page.waitForSelector(`${tid('emailOrLdapLoginId')} input`, { visible: true });
			await page.type(`${tid('emailOrLdapLoginId')} input`, OWNER.email);
			await page.type(`${tid('password')} input`, OWNER.password);
			await Promise.all([
				page.waitForResponse((r) => r.url().endsWith('/rest/login') && r.request().method() === 'POST'),
				page.click(tid('form-submit-button')),
			]);
			await page.waitForFunction(() => !location.pathname.startsWith('/signin'));
		});
		timings.push({ label: 'editor: sign in', ms: Date.now() - t0 });
	}, 15 * 60_000);

	afterAll(async () => {
		await ui?.close();
		await n8n?.stop();
		await Promise.all([ts?.stop(), tg?.stop(), tw?.stop(), fb?.stop(), vk?.stop(), vb?.stop()]);
		await home?.cleanup();
		timings.push({ label: 'editor suite total', ms: Date.now() - started });
		console.log(`[editor] timings\n${formatTimings()}`);
		if (written.length) console.log(`[editor] screenshots\n${written.map((w) => `${String(Math.round(w.bytes / 1024)).padStart(5)} KB  ${w.file}`).join('\n')}`);
	});

	// ----- small editor actions ---------------------------------------------------------------

	async function newWorkflow(): Promise<void> {
		await page.goto(`${n8n!.url}/workflow/new`, { waitUntil: 'domcontentloaded' });
		await page.waitForSelector(tid('canvas-wrapper'), { visible: true });
		await page.waitForSelector(tid('workflow-menu'), { visible: true });
	}

	async function openWorkflow(id: string): Promise<void> {
		await page.goto(`${n8n!.url}/workflow/${id}`, { waitUntil: 'domcontentloaded' });
		await page.waitForSelector(tid('canvas-node'), { visible: true });
	}

	async function closeNdv(): Promise<void> {
		if (!(await page.$(NDV))) return;
		await page.click(tid('ndv-close-button'));
		await page.waitForSelector(NDV, { hidden: true });
	}

	async function openNode(name: string): Promise<void> {
		const node = await page.waitForSelector(`${tid('canvas-node')}[data-node-name="${name}"]`, { visible: true });
		await node!.click({ count: 2 });
		await page.waitForSelector(`${NDV} ${tid('node-parameters')}`, { visible: true });
	}

	/** Opens the node panel and searches; returns the visible result names. */
	async function searchNodePanel(text: string): Promise<string[]> {
		// the big plus on an empty canvas, else the one in the canvas controls; a click while the
		// editor is still busy closing a panel can be lost: then try again
		const opener = (await page.$(tid('canvas-node'))) ? tid('node-creator-plus-button') : tid('canvas-plus-button');
		let search: ElementHandle<Element> | null = null;
		for (let attempt = 1; !search; attempt++) {
			const button = await page.waitForSelector(opener, { visible: true });
			await stableClick(page, button!);
			search = await page.waitForSelector(tid('node-creator-search-bar'), { visible: true, timeout: attempt < 3 ? 10_000 : WAIT }).catch((e) => {
				if (attempt >= 3) throw e;
				return null;
			});
		}
		// (it slides in: focus it rather than click at a moving target)
		await search!.evaluate((e) => {
			(e as HTMLInputElement).focus();
			(e as HTMLInputElement).select();
		});
		await page.keyboard.type(text);
		await page.waitForFunction(
			(t) => [...document.querySelectorAll('[data-test-id="node-creator-item-name"]')].some((e) => (e as HTMLElement).innerText.includes(t)),
			{},
			text,
		);
		return await page.$$eval(tid('node-creator-item-name'), (els) => els.filter((e) => (e as HTMLElement).offsetParent).map((e) => (e as HTMLElement).innerText.trim()));
	}

	/**
	 * Adds a node from the node panel: search, click the app, then (in its panel of actions and
	 * triggers) the given entry. Resolves when the new node's panel (NDV) is open.
	 */
	async function addNode(search: string, item: string, entry: string | RegExp, type: string): Promise<string> {
		const before = new Set(await page.$$eval(tid('canvas-node'), (els) => els.map((e) => e.getAttribute('data-node-name'))));
		await searchNodePanel(search);
		await stableClick(page, await waitForText(page, tid('node-creator-item-name'), item));
		await page.waitForFunction(
			(re, flags) => {
				const r = new RegExp(re, flags);
				return [...document.querySelectorAll('[data-test-id="node-creator-item-name"]')].some((e) => r.test((e as HTMLElement).innerText.trim()));
			},
			{},
			typeof entry === 'string' ? `^${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$` : entry.source,
			typeof entry === 'string' ? '' : entry.flags,
		);
		const entries = await page.$$(tid('node-creator-item-name'));
		for (const e of entries) {
			const text = await e.evaluate((el) => (el as HTMLElement).innerText.trim());
			if (typeof entry === 'string' ? text === entry : entry.test(text)) {
				await stableClick(page, e);
				break;
			}
		}
		await page.waitForSelector(`${NDV} ${tid('node-parameters')}`, { visible: true });
		const added = await page.waitForFunction(
			(t, seen) =>
				[...document.querySelectorAll(`[data-test-id="canvas-node"][data-node-type="${t}"]`)]
					.map((e) => e.getAttribute('data-node-name'))
					.find((n) => !seen.includes(n)),
			{},
			type,
			[...before],
		);
		return (await added.jsonValue()) as string;
	}

	/** The option names of a parameter's dropdown in the open NDV. */
	async function parameterOptions(name: string): Promise<string[]> {
		const sel = `${NDV} ${tid(`parameter-input-${name}`)}`;
		await openSelect(page, sel);
		const items = await openDropdownItems(page, `li.el-select-dropdown__item${tid('parameter-input-item')}`);
		await closeSelect(sel);
		return items.map((lines) => lines[0]);
	}

	/** Closes an open select by clicking its box again. */
	async function closeSelect(sel: string): Promise<void> {
		await openSelect(page, sel);
		await page.waitForFunction(() => ![...document.querySelectorAll('li.el-select-dropdown__item')].some((e) => (e as HTMLElement).offsetParent !== null));
	}

	async function selectParameter(name: string, option: string): Promise<void> {
		const sel = `${NDV} ${tid(`parameter-input-${name}`)}`;
		const current = await page.$eval(`${sel} input`, (e) => (e as HTMLInputElement).value).catch(() => undefined);
		if (current === option) return;
		await openSelect(page, sel);
		const item = await waitForText(page, `li.el-select-dropdown__item${tid('parameter-input-item')}`, option);
		await item.evaluate((e) => (e as HTMLElement).click());
		await page.waitForFunction((s, o) => (document.querySelector(`${s} input`) as HTMLInputElement | null)?.value === o, {}, sel, option);
	}

	/** The credential types the NDV's credential dropdown offers (second line of each entry). */
	async function offeredCredentialTypes(): Promise<string[]> {
		const sel = `${NDV} ${tid('node-credentials-select')}`;
		const empty = await page.$(`${NDV} ${tid('node-credentials-empty-state')}`);
		if (empty) {
			// no credential of the type yet: the button names it ("Connect to <type>")
			const text = await empty.evaluate((e) => (e as HTMLElement).innerText.trim());
			return [text.replace(/^Connect to\s+/, '')];
		}
		await openSelect(page, sel);
		const items = await openDropdownItems(page, 'li.el-select-dropdown__item[data-test-id^="node-credentials-select-item-"]');
		await closeSelect(sel);
		return [...new Set(items.filter((l) => l.length > 1).map((l) => l[1]))].sort();
	}

	// ----- the node panel -----------------------------------------------------------------------

	it('the node panel finds the TeamSpirit nodes when searching "TeamSpirit"', async () => {
		await step('node panel search', async () => {
			await newWorkflow();
			// first step: n8n shows triggers only
			const triggers = await searchNodePanel('TeamSpirit');
			expect(triggers).toEqual(expect.arrayContaining(['TeamSpirit', 'TeamSpirit Chat Channel']));
			await page.keyboard.press('Escape');
			await page.waitForSelector(tid('node-creator-search-bar'), { hidden: true });
		});
	});

	it('adds each of the four nodes from the node panel and opens its panel', async () => {
		await step('add four nodes', async () => {
			await newWorkflow();
			const trigger = await addNode('TeamSpirit', 'TeamSpirit', 'On message created', TYPES.teamSpiritTrigger);
			expect(trigger).toBeTruthy();
			await shot('node-teamspirit-trigger.png', await panelClip(page, `${NDV} ${tid('node-parameters')}`, 380, 600));
			await closeNdv();

			// the next step: action nodes and triggers of both apps
			const found = await searchNodePanel('TeamSpirit');
			expect(found).toEqual(expect.arrayContaining(['TeamSpirit', 'TeamSpirit Chat Channel']));
			await shot('node-panel-search.png', await panelClip(page, tid('node-creator-search-bar'), 300, 600, 420));
			await page.keyboard.press('Escape');
			await page.waitForSelector(tid('node-creator-search-bar'), { hidden: true });

			await addNode('TeamSpirit', 'TeamSpirit', /^Send a message to a chat$/i, TYPES.teamSpirit);
			await shot('node-teamspirit.png', await panelClip(page, `${NDV} ${tid('node-parameters')}`, 380, 600));
			await closeNdv();

			await addNode('TeamSpirit Chat Channel', 'TeamSpirit Chat Channel', /^Send a text message$/i, TYPES.chatChannel);
			await shot('node-chat-channel.png', await panelClip(page, `${NDV} ${tid('node-parameters')}`, 380, 600));
			await closeNdv();
		});
		await step('add the chat channel trigger', async () => {
			await newWorkflow();
			await addNode('TeamSpirit Chat Channel', 'TeamSpirit Chat Channel', /^On a new Telegram message$/, TYPES.chatChannelTrigger);
			await shot('node-chat-channel-trigger.png', await panelClip(page, `${NDV} ${tid('node-parameters')}`, 380, 600));
			await closeNdv();
		});
	});

	/** The entries of the node panel's view of an app (actions and triggers), in order, hidden ones too. */
	async function appEntries(): Promise<string[]> {
		return await page.$$eval(tid('node-creator-item-name'), (els) => els.map((e) => (e.textContent ?? '').trim()));
	}

	/** An operation's entry, named after the channels that have it (Send Template: "… on WhatsApp (Twilio) or …"). */
	const actionOf = (operation: string) => {
		const pickers = desc.chatChannel.properties.filter((p) => p.name === 'operation');
		const options = pickers.flatMap((p) => (p.options ?? []) as Array<{ value?: unknown; action?: string }>);
		return options.find((o) => o.value === operation)!.action!;
	};
	const templateAction = () => actionOf('sendTemplate');

	it('the node panel lists each Chat Channel action once (Send Template too, added on WhatsApp) and one event per channel', async () => {
		await step('chat channel events', async () => {
			// the first step: the app's triggers
			await newWorkflow();
			await searchNodePanel('TeamSpirit Chat Channel');
			await stableClick(page, await waitForText(page, tid('node-creator-item-name'), 'TeamSpirit Chat Channel'));
			await waitForText(page, tid('node-creator-item-name'), 'On a new Telegram message');
			const events = (await appEntries()).filter((e) => e !== 'TeamSpirit Chat Channel');
			console.log(`[editor] Chat Channel's events in the node panel\n${events.map((e) => `  ${e}`).join('\n')}`);
			expect(events).toEqual(expect.arrayContaining(channels.map((c) => `On a new ${c.name} message`)));
			// Telegram's own words for its updates are no events of every channel
			expect(events.filter((e) => /channel post|button press \(callback\)/i.test(e))).toEqual([]);
			await page.keyboard.press('Escape');
			await page.waitForSelector(tid('node-creator-search-bar'), { hidden: true });
		});
		await step('chat channel actions', async () => {
			await addNode('TeamSpirit Chat Channel', 'TeamSpirit Chat Channel', /^On a new Telegram message$/, TYPES.chatChannelTrigger);
			await closeNdv();
			await searchNodePanel('TeamSpirit Chat Channel');
			await stableClick(page, await waitForText(page, tid('node-creator-item-name'), 'TeamSpirit Chat Channel'));
			await waitForText(page, tid('node-creator-item-name'), 'Send a text message');
			const actions = (await appEntries()).filter((e) => e !== 'TeamSpirit Chat Channel');
			const panel = await page.$eval(tid('node-creator'), (e) => (e as HTMLElement).innerText);
			console.log(`[editor] Chat Channel's actions in the node panel\n${actions.map((e) => `  ${e}`).join('\n')}`);
			expect(actions).toEqual([...new Set(actions)]);
			expect(actions).toEqual(
				expect.arrayContaining([
					'Send a text message',
					'Send a file',
					templateAction(),
					actionOf('react'),
					actionOf('edit'),
					actionOf('delete'),
					'Forward a customer message to the operators',
					'Send an operator message to the customer',
					// the contact centre's (issue 21)
					'Get a conversation',
					'Get many conversations',
					'Assign a conversation to an operator',
					'Transfer a conversation',
					'Resolve a conversation',
					'Reopen a conversation',
					'Snooze a conversation',
					'Add a private note to a conversation',
					'Send a canned reply to the customer',
					'Get conversation statistics',
					'Process due conversations',
				]),
			);
			// the header: the trigger's description, which speaks of both nodes
			expect(panel.replace(/\s+/g, ' ')).toContain(desc.chatChannelTrigger.description);
			await shot('node-panel-chat-channel.png', await panelClip(page, tid('node-creator'), 300, 600, 800));
			// Send Template adds a node on WhatsApp, with Send Template chosen
			const item = await waitForText(page, tid('node-creator-item-name'), templateAction());
			await stableClick(page, item);
			await page.waitForSelector(`${NDV} ${tid('node-parameters')}`, { visible: true });
			const value = async (name: string) => await page.$eval(`${NDV} ${tid(`parameter-input-${name}`)} input`, (e) => (e as HTMLInputElement).value);
			await page.waitForFunction((s) => (document.querySelector(s) as HTMLInputElement | null)?.value === 'Send Template', {}, `${NDV} ${tid('parameter-input-operation')} input`);
			expect({ channel: await value('channel'), operation: await value('operation') }).toEqual({ channel: 'WhatsApp (Twilio)', operation: 'Send Template' });
			await closeNdv();
		});
	});

	it('Chat Channel and its trigger: Channel first, then the credential box, for every channel', async () => {
		await step('parameter order', async () => {
			const id = await createWorkflow('Order', [node('Chat Channel', TYPES.chatChannel, {}), node('Chat Channel Trigger', TYPES.chatChannelTrigger, {}, 300)]);
			await openWorkflow(id);
			const problems: string[] = [];
			for (const label of ['Chat Channel', 'Chat Channel Trigger']) {
				await openNode(label);
				for (const channel of channels) {
					await selectParameter('channel', channel.name);
					// document order of the parameter inputs and the credential box
					const order = await page.$$eval(`${NDV} [data-test-id^="parameter-input-"], ${NDV} ${tid('node-credentials-select')}, ${NDV} ${tid('node-credentials-empty-state')}`, (els) =>
						els
							.filter((e) => (e as HTMLElement).offsetParent !== null)
							.map((e) => e.getAttribute('data-test-id')!)
							.map((t) => (t.startsWith('node-credentials') ? 'credential' : t.replace('parameter-input-', '')))
							.filter((t, i, all) => all.indexOf(t) === i),
					);
					if (order[0] !== 'channel' || order[1] !== 'credential') problems.push(`${label} / ${channel.name}: ${order.slice(0, 3).join(', ')}`);
				}
				await closeNdv();
			}
			expect(problems).toEqual([]);
		});
	});

	it('Chat Channel: Send Text offers Inline Buttons on the channels whose adapter has buttons, not on WhatsApp', async () => {
		await step('inline buttons', async () => {
			const shown: Record<string, boolean> = {};
			for (const channel of channels) {
				const params = { channel: channel.value, resource: 'message', operation: 'send' };
				const id = await createWorkflow(`Buttons ${channel.value}`, [node('Send', TYPES.chatChannel, params)]);
				await openWorkflow(id);
				await openNode('Send');
				await waitForText(page, `${NDV} ${tid('parameter-input-operation')} input, ${NDV} [data-test-id="input-label"]`, 'Text').catch(() => undefined);
				const labels = await page.$$eval(`${NDV} [data-test-id="input-label"]`, (els) => els.map((e) => ((e as HTMLElement).innerText ?? '').split('\n')[0].trim()));
				shown[channel.value] = labels.includes('Inline Buttons');
				await closeNdv();
			}
			const expected = Object.fromEntries(channels.map((c) => [c.value, desc.chatChannel.properties.some((p) => p.name === 'buttons' && isVisible(desc.chatChannel, p, { channel: c.value, resource: 'message', operation: 'send' }))]));
			expect(expected.whatsapp).toBe(false);
			expect(shown).toEqual(expected);
		});
	});

	it('Website Chat trigger: the panel\'s notice says to open widget.js\'s Production URL in the browser for the tag', async () => {
		await step('website notice', async () => {
			const id = await createWorkflow('Website notice', [node('Website', TYPES.chatChannelTrigger, { channel: 'website' })]);
			await openWorkflow(id);
			await openNode('Website');
			// n8n shows a notice's text as written (its HTML sanitised to links and lists: the other tags' text stays)
			const written = desc.chatChannelTrigger.properties.find((p) => p.name === 'websiteNotice')!.displayName;
			const expected = written
				.replace(/<[^>]+>/g, '')
				.replace(/&lt;/g, '<')
				.replace(/&gt;/g, '>')
				.replace(/&amp;/g, '&');
			expect(expected).toMatch(/open the Production URL of widget\.js \(Webhook URLs above\) in your browser: it shows the tag to copy/);
			const shown = await page.waitForFunction(
				(ndv) =>
					[...document.querySelectorAll(`${ndv} .parameter-item`)]
						.filter((e) => (e as HTMLElement).offsetParent !== null)
						.map((e) => (e as HTMLElement).innerText.replace(/\s+/g, ' ').trim())
						.find((t) => t.includes('widget.js') && t.includes('in your browser')),
				{},
				NDV,
			);
			expect(await shown.jsonValue()).toBe(expected.replace(/\s+/g, ' ').trim());
			await closeNdv();
		});
	});

	it('Chat Channel: Operators without a TeamSpirit credential says "Choose a TeamSpirit API credential first"', async () => {
		await step('operators without credential', async () => {
			const id = await createWorkflow('Operators', [
				{
					...node('Forward to TeamSpirit', TYPES.chatChannel, { channel: 'telegram', resource: 'conversation', operation: 'toTeamSpirit' }),
					credentials: { teamSpiritTelegramApi: { id: 'telegram-bot', name: 'Telegram bot' } },
				},
			]);
			await openWorkflow(id);
			await openNode('Forward to TeamSpirit');
			const item = await page.waitForFunction(
				() =>
					[...document.querySelectorAll('[data-test-id="ndv"] [data-test-id="parameter-item"]')].find((e) =>
						/operator/i.test(((e.querySelector('[data-test-id="input-label"]') as HTMLElement | null)?.innerText ?? '').split('\n')[0]),
					) ?? null,
			);
			const el = item.asElement() as ElementHandle<Element>;
			// the editor loads the list when the field appears; a failed load shows as the field's issue
			const issues = await el.waitForSelector('[data-test-id="parameter-issues"]', { visible: true, timeout: WAIT });
			await issues!.hover();
			const text = await page.waitForFunction(
				() => /There was a problem loading the parameter options[^\n]*(\n[^\n]+)?/.exec(document.body.innerText)?.[0] ?? null,
				{ timeout: WAIT, polling: 250 },
			);
			const message = (await text.jsonValue()) as string;
			console.log(`[editor] Operators without a TeamSpirit credential: ${message}`);
			expect(message).toContain('Choose a TeamSpirit API credential first');
			await closeNdv();
		});
	});

	// ----- the Chat Channel nodes -------------------------------------------------------------

	/** A workflow made through the REST API as the editor saves one; returns its id. */
	async function createWorkflow(name: string, nodes: Array<Record<string, unknown>>): Promise<string> {
		const res = await rest(page, 'POST', '/rest/workflows', { name, nodes, connections: {}, settings: { executionOrder: 'v1' } });
		if (res.status !== 200) throw new Error(`POST /rest/workflows: ${res.status} ${JSON.stringify(res.json)}`);
		return res.json.data.id as string;
	}

	const node = (name: string, type: string, parameters: INodeParameters, x = 0, y = 0) => ({
		id: `n${Math.random().toString(36).slice(2, 10)}`,
		name,
		type,
		typeVersion: 1,
		position: [x, y],
		parameters,
	});

	for (const key of ['chatChannel', 'chatChannelTrigger'] as const) {
		const label = key === 'chatChannel' ? 'Chat Channel' : 'Chat Channel Trigger';

		it(`${label}: Channel is a normal parameter, and each channel offers its own credential type${key === 'chatChannel' ? ', resources and operations' : ''}`, async () => {
			const d = desc[key];
			await step(`${label} channels`, async () => {
				const id = await createWorkflow(`${label} channels`, [node(label, TYPES[key], {})]);
				await openWorkflow(id);
				await openNode(label);
				const channelInput = await page.$(`${NDV} ${tid('parameter-input-channel')}`);
				if (!channelInput) throw new Error('the Channel parameter is not shown in the node panel (n8n takes it for the hidden authentication selector)');
				expect(await parameterOptions('channel')).toEqual(channels.map((c) => c.name));

				const problems: string[] = [];
				for (const channel of channels) {
					await selectParameter('channel', channel.name);
					const expectedCredentials = visibleCredentials(d, { channel: channel.value }).map((c) => credentialNames[c]);
					const offered = await offeredCredentialTypes();
					if (JSON.stringify(offered) !== JSON.stringify(expectedCredentials.sort())) {
						problems.push(`${channel.name}: credential types offered ${JSON.stringify(offered)}, expected ${JSON.stringify(expectedCredentials)}`);
					}
					if (key !== 'chatChannel') continue;
					const resources = visibleOptions(d, 'resource', { channel: channel.value });
					const shownResources = await parameterOptions('resource');
					if (JSON.stringify(shownResources) !== JSON.stringify(resources.map((r) => r.name))) {
						problems.push(`${channel.name}: resources ${JSON.stringify(shownResources)}, expected ${JSON.stringify(resources.map((r) => r.name))}`);
					}
					for (const resource of resources) {
						await selectParameter('resource', resource.name);
						const expected = visibleOptions(d, 'operation', { channel: channel.value, resource: resource.value as string }).map((o) => o.name);
						const shown = await parameterOptions('operation');
						if (JSON.stringify(shown) !== JSON.stringify(expected)) {
							problems.push(`${channel.name} / ${resource.name}: operations ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);
						}
					}
				}
				expect(problems).toEqual([]);
				await closeNdv();
			});
		});
	}

	// ----- canvas subtitles ---------------------------------------------------------------------

	it('every node subtitle on the canvas reads well for every channel, resource and operation', async () => {
		const nodes: Array<Record<string, unknown>> = [];
		const add = (key: keyof typeof TYPES, label: string, params: INodeParameters) => {
			const i = nodes.length;
			nodes.push(node(label, TYPES[key], params, (i % 8) * 260, Math.floor(i / 8) * 220));
		};
		for (const r of visibleOptions(desc.teamSpirit, 'resource', {})) {
			for (const o of visibleOptions(desc.teamSpirit, 'operation', { resource: r.value as string })) {
				add('teamSpirit', `TS ${r.value} ${o.value}`, { resource: r.value as string, operation: o.value as string });
			}
		}
		for (const c of channels) {
			for (const r of visibleOptions(desc.chatChannel, 'resource', { channel: c.value })) {
				for (const o of visibleOptions(desc.chatChannel, 'operation', { channel: c.value, resource: r.value as string })) {
					add('chatChannel', `CC ${c.value} ${r.value} ${o.value}`, { channel: c.value, resource: r.value as string, operation: o.value as string });
				}
			}
			add('chatChannelTrigger', `CCT ${c.value}`, { channel: c.value });
			for (const mode of visibleOptions(desc.chatChannelTrigger, 'mode', { channel: c.value })) {
				add('chatChannelTrigger', `CCT ${c.value} ${mode.value}`, { channel: c.value, mode: mode.value as string });
			}
		}
		add('teamSpiritTrigger', 'TST default', {});
		add('teamSpiritTrigger', 'TST two events', { events: ['message.created', 'chat.member_joined'] });

		await step('subtitles', async () => {
			const id = await createWorkflow('Subtitles', nodes);
			await openWorkflow(id);
			await page.waitForFunction((n) => document.querySelectorAll('[data-test-id="canvas-node"]').length === n, {}, nodes.length);
			const subtitles = await page.$$eval(tid('canvas-node'), (els) =>
				els.map((e) => ({
					name: e.getAttribute('data-node-name') ?? '',
					type: e.getAttribute('data-node-type') ?? '',
					subtitle: (e.querySelector('[class*="_subtitle_"]') as HTMLElement | null)?.innerText.trim() ?? '',
				})),
			);
			const byType = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, desc[k as keyof typeof TYPES]]));
			const problems = subtitles
				.map((s) => ({ ...s, problem: subtitleProblem(s.subtitle, byType[s.type]) }))
				.filter((s) => s.problem)
				.map((s) => `${s.name}: "${s.subtitle}" ${s.problem}`);
			console.log(`[editor] subtitles\n${subtitles.map((s) => `  ${s.name.padEnd(40)} ${s.subtitle}`).join('\n')}`);
			expect(problems).toEqual([]);
		});
	});

	// ----- the TeamSpirit node ------------------------------------------------------------------

	it('TeamSpirit: the Resource dropdown has exactly one "Custom API Call" entry', async () => {
		await step('custom api call', async () => {
			const id = await createWorkflow('Resources', [node('TeamSpirit', TYPES.teamSpirit, {})]);
			await openWorkflow(id);
			await openNode('TeamSpirit');
			const resources = await parameterOptions('resource');
			expect(resources.filter((r) => r === 'Custom API Call')).toHaveLength(1);
			await closeNdv();
		});
	});

	it('TeamSpirit: Chat → Create offers a user picker for the members (the users of the server)', async () => {
		await step('user picker', async () => {
			const id = await createWorkflow('Create chat', [
				{ ...node('Create chat', TYPES.teamSpirit, { resource: 'chat', operation: 'create', type: 'group' }), credentials: { teamSpiritApi: { id: 'teamspirit', name: 'TeamSpirit account' } } },
			]);
			await openWorkflow(id);
			await openNode('Create chat');
			// the members parameter: found by its label
			const members = await page.waitForFunction(
				() =>
					[...document.querySelectorAll('[data-test-id="ndv"] [data-test-id="parameter-item"]')].find((e) =>
						/member/i.test(((e.querySelector('[data-test-id="input-label"]') as HTMLElement | null)?.innerText ?? '').split('\n')[0]),
					) ?? null,
			);
			const el = members.asElement() as ElementHandle<Element>;
			// a list of items to add (a fixed collection) first needs its "Add" button
			const add = await el.$(tid('fixed-collection-add'));
			if (add) await stableClick(page, add);
			const picker = await el.$('.el-select .el-input__wrapper, .el-select__wrapper, [data-test-id="rlc-input-container"], [data-test-id^="resource-locator"] input');
			const textbox = await el.$('input[type="text"]:not([readonly]), textarea');
			if (!picker) {
				throw new Error(`the members parameter is a ${textbox ? 'text box' : 'field'} without a picker`);
			}
			// the users of the TeamSpirit server (the emulator) appear in the list. A click before the
			// field is ready can be lost: click until its list (popper) opens, at most 5 times, and
			// only then wait for the users, which load from the server (no click while it is open:
			// a second click would close it)
			const listOpen = () =>
				[...document.querySelectorAll('.el-select-dropdown, [data-test-id="resource-locator-dropdown"], [data-test-id^="resource-locator-dropdown"]')].some((e) => {
					const popper = e.closest('.el-popper') as HTMLElement | null;
					const shown = !popper || (popper.style.display !== 'none' && popper.getAttribute('aria-hidden') !== 'true');
					return shown && (e as HTMLElement).offsetParent !== null && e.getClientRects().length > 0;
				});
			for (let attempt = 1; ; attempt++) {
				await stableClick(page, picker);
				const opened = await page
					.waitForFunction(listOpen, { timeout: 10_000, polling: 200 })
					.then(() => true)
					.catch(() => false);
				if (opened) break;
				if (attempt >= 5) throw new Error(`the members list did not open after ${attempt} clicks`);
			}
			await page.waitForFunction(
				() =>
					[...document.querySelectorAll('li.el-select-dropdown__item, [data-test-id="rlc-item"], [data-test-id^="resource-locator-dropdown"] li')].some(
						(e) => (e as HTMLElement).offsetParent !== null && (e as HTMLElement).innerText.trim().startsWith('Alice Archer'),
					),
				{ timeout: 80_000, polling: 250 },
			);
			await page.keyboard.press('Escape');
			await closeNdv();
		});
	});

	// ----- the TeamSpirit API credential --------------------------------------------------------

	it('TeamSpirit API credential: the connection test succeeds with the Server URL with and without /api/v1', async () => {
		await step('credential', async () => {
			// from a TeamSpirit node: Credential → Create new credential (the dialog for its type)
			const id = await createWorkflow('Credential', [node('TeamSpirit', TYPES.teamSpirit, {})]);
			await openWorkflow(id);
			await openNode('TeamSpirit');
			await openSelect(page, `${NDV} ${tid('node-credentials-select')}`);
			const create = await page.waitForSelector(tid('node-credentials-select-item-new'), { visible: true });
			await create!.evaluate((e) => (e as HTMLElement).click());
			await page.waitForSelector(`${tid('parameter-input-serverUrl')} input`, { visible: true });

			/**
			 * Types a value into a credential field. The editor re-renders a field on its first
			 * keystroke (its "required" hint goes away), and keystrokes typed into it one by one can
			 * then reach only the input box and not the form: the credential was saved with a Server
			 * URL of "h". So the whole value goes in as one input event (as a paste does), and the
			 * field is left with Tab like a user does before pressing Save.
			 */
			const fill = async (name: string, value: string) => {
				const sel = `${tid(`parameter-input-${name}`)} input`;
				const input = await page.waitForSelector(sel, { visible: true });
				await stableClick(page, input!);
				await input!.evaluate((e, v) => {
					const el = e as HTMLInputElement;
					el.focus();
					el.select();
					if (!document.execCommand('insertText', false, v)) {
						el.value = v;
						el.dispatchEvent(new Event('input', { bubbles: true }));
					}
				}, value);
				await page.keyboard.press('Tab');
				await page.waitForFunction((s, v) => (document.querySelector(s) as HTMLInputElement | null)?.value === v, {}, sel, value);
			};
			/** What the dialog saved (its POST/PATCH to /rest/credentials), for the failure message. */
			const saved: Array<Record<string, unknown>> = [];
			const onRequest = (r: import('puppeteer-core').HTTPRequest) => {
				if (/\/rest\/credentials(\/(?!test$)[A-Za-z0-9]+)?$/.test(new URL(r.url()).pathname) && ['POST', 'PATCH'].includes(r.method())) {
					try {
						const data = (JSON.parse(r.postData() ?? '{}') as { data?: Record<string, unknown> }).data ?? {};
						saved.push({ serverUrl: data.serverUrl, apiKey: data.apiKey === ts.apiKey ? '<the key>' : typeof data.apiKey === 'string' && data.apiKey.startsWith('__n8n_BLANK_VALUE') ? '<unchanged>' : data.apiKey });
					} catch {
						/* not JSON */
					}
				}
			};
			page.on('request', onRequest);
			/**
			 * Save stores the credential and then runs its connection test (POST /rest/credentials/test);
			 * the dialog's banner then says how it went: "success", or the error it shows.
			 */
			const saveAndTest = async (serverUrl: string): Promise<{ banner: string; test: unknown; emulator: string[] }> => {
				await fill('serverUrl', serverUrl);
				const seen = ts.requests.length;
				const [res] = await Promise.all([
					page.waitForResponse((r) => r.url().endsWith('/rest/credentials/test') && r.request().method() === 'POST', { timeout: 120_000 }),
					stableClick(page, (await page.waitForSelector(`${tid('credential-save-button')}:not([disabled])`, { visible: true }))!),
				]);
				const test = ((await res.json().catch(() => ({}))) as { data?: { status?: string; message?: string } }).data;
				// a new credential whose test succeeds: the dialog closes by itself; an existing one
				// stays open with the "Connection tested successfully" banner; a failure shows its error
				const outcome = await page.waitForFunction(
					() => {
						const save = document.querySelector('[data-test-id="credential-save-button"]') as HTMLElement | null;
						if (!save?.offsetParent) return 'success';
						if (/Saving|Testing/.test(save.innerText ?? '')) return null;
						const ok = document.querySelector('[data-test-id="credentials-config-container-test-success"]') as HTMLElement | null;
						if (ok?.offsetParent) return 'success';
						const dialog = document.querySelector('.el-dialog:has([data-test-id="credential-save-button"])') as HTMLElement | null;
						const failed = /Couldn.t connect[^\n]*/.exec(dialog?.innerText ?? '');
						return failed ? failed[0].trim() : null;
					},
					{ timeout: 80_000, polling: 250 },
				);
				const emulator = ts.requests.slice(seen).map((r) => `${r.method} ${r.path} ${r.status} ${r.headers.authorization === `Bearer ${ts.apiKey}` ? '(the key)' : (r.headers.authorization ?? '(no key)')}`);
				return { banner: (await outcome.jsonValue()) as string, test: test?.status ?? test, emulator };
			};
			/** The credential dialog of the node's credential, open (the pencil beside the credential). */
			const editCredential = async () => {
				if (await page.$(`${tid('credential-save-button')}`).then((e) => e?.isVisible())) return;
				for (let attempt = 1; ; attempt++) {
					const pen = await page.waitForSelector(`${NDV} ${tid('credential-edit-button')} .clickable, ${NDV} ${tid('credential-edit-button')} > *`, { visible: true });
					await stableClick(page, pen!);
					const open = await page
						.waitForSelector(`${tid('parameter-input-serverUrl')} input`, { visible: true, timeout: attempt < 3 ? 15_000 : WAIT })
						.then(() => true)
						.catch((e) => {
							if (attempt >= 3) throw e;
							return false;
						});
					if (open) break;
				}
			};
			await fill('apiKey', ts.apiKey);
			const plain = await saveAndTest(ts.url);
			await editCredential();
			const withApi = await saveAndTest(`${ts.url}/api/v1`);
			if (withApi.banner === 'success' && (await page.$(tid('credentials-config-container-test-success')).then((e) => e?.isVisible()))) {
				await shot('credential-teamspirit-api.png', await boxOf(page, '.el-dialog:has([data-test-id="credential-save-button"])'));
			}
			page.off('request', onRequest);
			const report = { 'http://127.0.0.1:<port>': plain, 'http://127.0.0.1:<port>/api/v1': withApi };
			console.log(`[editor] credential dialog: saved ${JSON.stringify(saved).replaceAll(ts.url, 'http://127.0.0.1:<port>')}; ${JSON.stringify(report).replaceAll(ts.url, 'http://127.0.0.1:<port>')}`);
			expect({ 'http://127.0.0.1:<port>': [plain.banner, plain.test], 'http://127.0.0.1:<port>/api/v1': [withApi.banner, withApi.test] }).toEqual({
				'http://127.0.0.1:<port>': ['success', 'OK'],
				'http://127.0.0.1:<port>/api/v1': ['success', 'OK'],
			});
			// the emulator saw the test's GET /api/v1/me with the key, both times
			expect([plain.emulator, withApi.emulator].map((e) => e.some((l) => l.startsWith('GET /api/v1/me 200 (the key)')))).toEqual([true, true]);
			await page.keyboard.press('Escape');
		});
	});

	// ----- the examples -------------------------------------------------------------------------

	/** Workflows → Import from file into a new workflow; returns the saved workflow's id. */
	async function importFromFile(file: string): Promise<string> {
		await newWorkflow();
		await page.click(tid('workflow-menu'));
		await page.waitForSelector(tid('workflow-menu-item-import'), { visible: true });
		await page.hover(tid('workflow-menu-item-import'));
		const item = await page.waitForSelector(tid('workflow-menu-item-import-from-file'), { visible: true });
		const [chooser] = await Promise.all([page.waitForFileChooser(), stableClick(page, item!)]);
		await chooser.accept([file]);
		const wf = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: unknown[] };
		await page.waitForFunction((n) => document.querySelectorAll('[data-test-id="canvas-node"]').length === n, {}, wf.nodes.length);
		// the editor saves the imported workflow (its URL gets the id)
		await page.waitForFunction(() => /\/workflow\/[A-Za-z0-9]+$/.test(location.pathname) && !location.search.includes('new'));
		return (await page.evaluate(() => location.pathname.split('/').pop())) as string;
	}

	async function publish(): Promise<{ status: number; message: string; active: boolean }> {
		const button = await page.waitForSelector(`${tid('workflow-open-publish-modal-button')}:not([disabled])`, { visible: true });
		await stableClick(page, button!);
		const confirm = await page.waitForSelector(tid('workflow-publish-button'), { visible: true });
		const [res] = await Promise.all([
			page.waitForResponse((r) => /\/rest\/workflows\/[^/]+\/activate$/.test(r.url()) && r.request().method() === 'POST', { timeout: 120_000 }),
			stableClick(page, confirm!),
		]);
		const body = await res.json().catch(() => ({}));
		return { status: res.status(), message: body?.message ?? '', active: body?.data?.active === true };
	}

	it.each(EXAMPLES)('examples/%s imports twice through the editor, and both copies publish', async (name) => {
		const file = path.join(REPO_ROOT, 'examples', name);
		const wf = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: Array<{ type: string }> };
		const hasTrigger = wf.nodes.some((n) => /trigger/i.test(n.type) && !/manualTrigger/.test(n.type));
		await step(`example ${name}`, async () => {
			const results: Array<{ status: number; message: string; active: boolean }> = [];
			for (const copy of [1, 2]) {
				await importFromFile(file);
				if (copy === 1) {
					await page.click(tid('zoom-to-fit'));
					await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
					await shot(`example-${name.replace(/\.json$/, '')}.png`, await boxOf(page, tid('canvas-wrapper')));
				}
				if (hasTrigger) results.push(await publish());
			}
			if (hasTrigger) {
				expect(results.map((r) => ({ status: r.status, active: r.active, message: r.message }))).toEqual([
					{ status: 200, active: true, message: '' },
					{ status: 200, active: true, message: '' },
				]);
			}
		});
	});
});
