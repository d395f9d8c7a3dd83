/**
 * Every channel in a real n8n, by its conversation driver (test/nodes/conversations/drivers/): for
 * each channel of the registry whose driver declares `e2e`, the channel's emulator and the
 * TeamSpirit emulator (delivering its outgoing webhooks to n8n), credentials pointing at them,
 * examples/<channel>-conversations.json published with an operator chosen, and then:
 *
 * 1. a customer with a name writes a text and then a file: one TeamSpirit chat titled with the
 *    customer's name holds both, the file's bytes intact;
 * 2. the operator answers in that chat with a text and a file: the customer receives both;
 * 3. a delivery the platform did not sign (`Driver.forge`) is refused with 401 / 403 and starts no
 *    execution;
 * 4. the same delivery again (`write(...).again()`) posts nothing new in TeamSpirit.
 *
 * One n8n for the whole suite (test/e2e/shared-n8n.ts), credentials and workflows through the REST
 * API (no n8n CLI boot), waits on conditions only. A channel joins by `e2e: true` and `forge` in its
 * driver (README "Adding a channel"); run one channel with
 *   bash scripts/e2e.sh test/e2e/channels.e2e.test.ts -t '<displayName>'
 */
import { createHash, randomBytes } from 'node:crypto';

import { adapters } from '../../nodes/channels';
import { TeamSpiritEmulator, type Message, type User } from '../emulators/teamspirit';
import { withoutContactCentre } from '../helpers/examples';
import { CHANNELS, theDriver } from '../nodes/conversations/drivers';
import type { Customer, Driver, Received } from '../nodes/conversations/drivers/types';
import { customerWebhookUrl, OPERATOR, readExample, triggerWebhookIds } from './conversation-setup';
import { executionsSettled, signedKey, waitUntil } from './conversation-view';
import { formatTimings, timings, type WorkflowJson } from './n8n';
import { sharedN8n, type SharedN8n } from './shared-n8n';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const pdf = (title: string) =>
	Buffer.from(`%PDF-1.7\n% ${title}\n${randomBytes(6_000).toString('base64')}\n%%EOF\n`);

/** The channels with e2e support, in the registry's order. */
const E2E_CHANNELS = CHANNELS.filter((name) => theDriver(name).e2e);

describe('Every channel ⇄ TeamSpirit in a real n8n (the conversation examples, by their drivers)', () => {
	let shared: SharedN8n | undefined;
	let ts: TeamSpiritEmulator;
	let operator: User;
	/** The TeamSpirit credential every example names, as n8n stored it. */
	let teamSpirit: { id: string; name: string };
	const started = Date.now();

	const showN8n = () => `--- n8n output ---\n${shared?.n8n.output().slice(-5000) ?? '(no n8n)'}`;
	const showTeamSpirit = () =>
		`--- TeamSpirit saw (last 30) ---\n${ts.requests
			.slice(-30)
			.map((r) => `${r.method} ${r.path} ${r.status}`)
			.join('\n')}`;
	const diagnostics = () => `${showTeamSpirit()}\n${showN8n()}`;
	const waitFor = <T>(what: string, probe: () => T | undefined | false | null, timeoutMs = 60_000) =>
		waitUntil(what, probe, timeoutMs, diagnostics);

	beforeAll(async () => {
		expect(E2E_CHANNELS.length).toBeGreaterThanOrEqual(1);
		ts = await TeamSpiritEmulator.start({ autoDeliver: true });
		operator = ts.addUser(OPERATOR);
		shared = await sharedN8n();
		const name = 'Channels e2e: TeamSpirit';
		const [id] = await shared.createCredentials([
			{ name, type: 'teamSpiritApi', data: { serverUrl: ts.url, apiKey: ts.apiKey } },
		]);
		teamSpirit = { id, name };
	});

	afterAll(async () => {
		await shared?.release();
		await ts?.stop();
		timings.push({ label: `channels suite total (${E2E_CHANNELS.join(', ')})`, ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	describe.each(E2E_CHANNELS.map((name) => [adapters[name].displayName, name] as const))('%s', (displayName, name) => {
		const channel = theDriver(name);
		let driver: Driver;
		let workflowId: string;
		/** The Chat Channel Trigger's production URL. */
		let url: string;
		let customer: Customer;
		let key: string;
		let firstWrite: { id: string; again: () => Promise<void> };

		const chat = () => [...ts.chats.values()].find((c) => c.externalKey === key);
		const messages = (): Message[] => {
			const found = chat();
			return found ? ts.messagesIn(found.id) : [];
		};
		const fromBridge = () => messages().filter((m) => m.senderId === ts.bot.id);
		const notices = () => fromBridge().filter((m) => m.text.startsWith('⚠️'));
		/** This workflow's executions once none of them is new, running or waiting. */
		const executions = async () => await executionsSettled(shared!.editor, diagnostics, 60_000, [workflowId]);
		const bytesOf = async (received: Received): Promise<string | undefined> => {
			if (received.fileSha256) return received.fileSha256;
			if (!received.fileUrl) return undefined;
			const res = await fetch(received.fileUrl);
			return res.ok ? sha256(Buffer.from(await res.arrayBuffer())) : `HTTP ${res.status}`;
		};

		beforeAll(async () => {
			if (!channel.e2e) throw new Error(`${name}: its driver has no e2e support`);
			driver = await channel.start();
			if (!driver.forge) throw new Error(`${name}: an e2e driver needs forge()`);
			// the example as a user imports it: its credentials created for the emulators (the
			// channel's from the driver, TeamSpirit's above), the operator chosen, no contact centre
			const workflow = withoutContactCentre(readExample(`${name}-conversations.json`)) as WorkflowJson;
			workflow.name = `${workflow.name} (channels e2e)`;
			const refs = new Map<string, { id: string; name: string }>([['teamSpiritApi', teamSpirit]]);
			for (const node of workflow.nodes)
				for (const type of Object.keys(node.credentials ?? {})) {
					if (refs.has(type)) continue;
					const data = driver.credentials[type];
					if (!data) throw new Error(`${name}: the example names a ${type} credential the driver has no data for`);
					const credentialName = `Channels e2e: ${displayName}`;
					const [id] = await shared!.createCredentials([{ name: credentialName, type, data }]);
					refs.set(type, { id, name: credentialName });
				}
			for (const node of workflow.nodes)
				for (const type of Object.keys(node.credentials ?? {})) node.credentials![type] = refs.get(type)!;
			workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!.parameters.operators = [operator.id];
			driver.adapt(workflow as unknown as Parameters<Driver['adapt']>[0]);
			[workflowId] = await shared!.publishWorkflows([workflow]);
			const hooks = triggerWebhookIds(workflow);
			url = customerWebhookUrl(shared!.url, hooks.customer);
			// live: TeamSpirit has the operator trigger's webhook, and n8n the customer trigger's URL
			// (a probe without a signature is refused and starts nothing)
			await waitFor('the TeamSpirit trigger registered', () =>
				[...ts.webhooks.values()].some((w) => w.url.includes(hooks.operator)),
			);
			const deadline = Date.now() + 60_000;
			for (;;) {
				const probe = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
				await probe.text();
				if (probe.status !== 404) break;
				if (Date.now() > deadline) throw new Error(`${url} never registered\n${showN8n()}`);
				await new Promise((r) => setTimeout(r, 250));
			}
			customer = driver.newCustomer('Amira', 'Haddad');
			key = signedKey(`${name}:${driver.account}:${customer.part}`, ts);
		});

		afterAll(async () => {
			await driver?.stop();
		});

		it(`${displayName}: a customer writes a text and then a file: one TeamSpirit chat titled with their name holds both, the file intact`, async () => {
			const receipt = pdf(`${name} receipt`);
			firstWrite = await driver.write(url, customer, { text: 'Hello, my parcel did not arrive' });
			await waitFor('the text in TeamSpirit', () => fromBridge().length >= 1);
			await driver.write(url, customer, {
				document: { bytes: receipt, name: 'receipt.pdf', mimeType: 'application/pdf' },
			});
			await waitFor('the file in TeamSpirit', () => fromBridge().length >= 2);

			expect([...ts.chats.values()].filter((c) => c.externalKey === key)).toHaveLength(1);
			expect(chat()).toMatchObject({ title: `${channel.title} · ${customer.name}` });
			expect(new Set(chat()!.memberIds)).toEqual(new Set([ts.bot.id, operator.id]));
			const [text, file] = fromBridge();
			expect(text).toMatchObject({ text: 'Hello, my parcel did not arrive', files: [] });
			expect(file.files.map((f) => sha256(ts.fileContent(f.id)))).toEqual([sha256(receipt)]);
			expect(notices()).toEqual([]);
		});

		it(`${displayName}: the operator answers with a text and a file: the customer receives both`, async () => {
			const label = pdf(`${name} return label`);
			const post = async (fields: { text: string; fileIds?: string[] }) => {
				const { deliveries } = await ts.postAsUser(chat()!.id, operator.id, { format: 'plain', ...fields });
				expect(deliveries.filter((d) => d.status !== 200)).toEqual([]);
			};
			await post({ text: 'Hi, we are on it: order 4711 ships today' });
			const file = ts.uploadAsUser(operator.id, { name: 'return-label.pdf', mimeType: 'application/pdf', content: label });
			await post({ text: 'Here is your return label', fileIds: [file.id] });

			const received = await waitFor(
				'the text and the file at the customer',
				() => {
					const all = driver.received(customer);
					return all.some((m) => m.text === 'Hi, we are on it: order 4711 ships today') &&
						all.some((m) => m.fileSha256 || m.fileUrl)
						? all
						: undefined;
				},
			);
			const files = received.filter((m) => m.fileSha256 || m.fileUrl);
			expect(files).toHaveLength(1);
			expect(await bytesOf(files[0])).toBe(sha256(label));
			expect(received.map((m) => m.text).join('\n')).toContain('Here is your return label');
			expect(notices()).toEqual([]);
		});

		it(`${displayName}: a delivery the platform did not sign is refused (401/403) and starts no execution`, async () => {
			const before = (await executions()).length;
			const status = await driver.forge!(url, customer);
			expect([401, 403]).toContain(status);
			expect(await executions()).toHaveLength(before);
			expect(fromBridge()).toHaveLength(2);
		});

		it(`${displayName}: the same delivery again posts nothing new in TeamSpirit`, async () => {
			const count = messages().length;
			const sent = driver.received(customer).length;
			await firstWrite.again();
			await driver.delivered();
			const runs = await executions();
			expect(runs.filter((e) => e.status !== 'success')).toEqual([]);
			await ts.settled();
			expect(messages()).toHaveLength(count);
			expect(driver.received(customer)).toHaveLength(sent);
		});
	});
});
