/**
 * The admin's path for provisioning with n8n's CLI, end to end in a real n8n 2.41.1: an example
 * from examples/ given a workflow id and webhook ids by scripts/with-webhook-ids.mjs, imported with
 * `n8n import:workflow`, published with `n8n publish:workflow`, receives a delivery (the WhatsApp
 * echo bot, a signed Twilio message, its reply reaching the Twilio emulator). Without webhook ids
 * n8n 2.41 registers such a trigger under its percent-encoded node name and answers 404.
 *
 * Run with `npm run test:e2e` (scripts/e2e.sh) or `bash scripts/e2e.sh test/e2e/examples-cli.e2e.test.ts`.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { TwilioEmulator } from '../emulators/twilio';
import {
	credentialFor,
	createN8nHome,
	formatTimings,
	importCredentials,
	installPackageTarball,
	n8nCli,
	publishWorkflow,
	REPO_ROOT,
	startN8n,
	timings,
	type N8nHome,
	type RunningN8n,
} from './n8n';

const tarball = process.env.TS_PACKAGE_TARBALL;

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
	const until = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

describe('an example provisioned with the CLI (scripts/with-webhook-ids.mjs, n8n import:workflow, publish:workflow)', () => {
	let home: N8nHome;
	let n8n: RunningN8n | undefined;
	let tw: TwilioEmulator;
	let url: string;
	const started = Date.now();

	beforeAll(async () => {
		if (!tarball) throw new Error('TS_PACKAGE_TARBALL is not set: run `npm run test:e2e`');
		home = await createN8nHome({ prefix: 'n8n-e2e-cli-' });
		await installPackageTarball(home, tarball);
		tw = await TwilioEmulator.start();
		await importCredentials(home, [credentialFor.twilio('twilio-account', tw, 'Twilio account')]);

		// what the README tells the admin to run
		const file = path.join(home.dir, 'whatsapp-echo-bot.json');
		const prepared = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts/with-webhook-ids.mjs'), path.join(REPO_ROOT, 'examples/whatsapp-echo-bot.json')], {
			encoding: 'utf8',
		});
		fs.writeFileSync(file, prepared);
		const imported = await n8nCli(home, ['import:workflow', `--input=${file}`]);
		if (imported.code !== 0) throw new Error(`n8n import:workflow failed:\n${imported.stdout}\n${imported.stderr}`);
		const workflow = JSON.parse(prepared) as { id: string; nodes: Array<{ webhookId?: string }> };
		// by the id the script gave it (and printed)
		await publishWorkflow(home, workflow.id);
		const webhookId = workflow.nodes.find((n) => n.webhookId)!.webhookId!;
		n8n = await startN8n(home);
		url = `${n8n.url}/webhook/${webhookId}/webhook`;
	});

	afterAll(async () => {
		await n8n?.stop();
		await tw?.stop();
		await home?.cleanup();
		timings.push({ label: 'examples via CLI suite total', ms: Date.now() - started });
		console.log(`[e2e] timings\n${formatTimings()}`);
	});

	it('the script gives each trigger a webhook id and changes nothing else', () => {
		const original = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples/whatsapp-echo-bot.json'), 'utf8')) as { id?: string; nodes: Array<Record<string, unknown>> };
		const prepared = JSON.parse(fs.readFileSync(path.join(home.dir, 'whatsapp-echo-bot.json'), 'utf8')) as { id?: string; nodes: Array<Record<string, unknown>> };
		expect([original.id, prepared.id]).toEqual([undefined, expect.stringMatching(/^[A-Za-z0-9]{16}$/)]);
		const ids = prepared.nodes.map((n) => n.webhookId);
		expect(ids.filter(Boolean)).toHaveLength(original.nodes.filter((n) => /Trigger$/.test(String(n.type))).length);
		expect(prepared.nodes.map(({ webhookId: _, ...n }) => n)).toEqual(original.nodes);
	});

	it('the published workflow receives a signed WhatsApp message and its reply reaches Twilio', async () => {
		// a published workflow may activate just after n8n says it is ready
		const until = Date.now() + 30_000;
		let result = await tw.sendInbound(url, { From: 'whatsapp:+4915112345678', Body: 'hello from the CLI' });
		while (result.status === 404 && Date.now() < until) {
			await new Promise((r) => setTimeout(r, 250));
			result = await tw.sendInbound(url, { From: 'whatsapp:+4915112345678', Body: 'hello from the CLI' });
		}
		expect(result.status).toBe(200);
		await waitFor(() => tw.messages.length === 1, 20_000, 'the WhatsApp reply');
		expect(tw.messages[0]).toMatchObject({ to: 'whatsapp:+4915112345678', body: 'You said: hello from the CLI' });
	});
});
