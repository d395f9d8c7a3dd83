/**
 * npm run bench -- website (scripts/bench.sh): operator → browser latency of the Website chat, in
 * one real n8n with the packed package, against the TeamSpirit emulator, a visitor in Debian's
 * Chromium on the company's page (another origin) and, as the same run's baseline, a Telegram
 * customer of examples/telegram-conversations.json in the same n8n (the same TeamSpirit Trigger →
 * Send to Customer path, delivered by a push to the Telegram emulator instead of the widget's long
 * poll). Not a jest test: it measures.
 *
 * Per sample the operator posts in TeamSpirit (the emulator delivers message.created to the
 * TeamSpirit Triggers); the clock starts just before the post, and stops when the text appears in
 * the widget's message list (a MutationObserver in the page, Date.now() of the same machine) or
 * when the Telegram emulator receives sendMessage with it. Samples alternate between the two
 * channels, with a random pause of 0–1.5 s before each so the widget's long poll (TeamSpirit read
 * about once a second) is met at any phase.
 *
 *   BENCH_WEBSITE_SAMPLES=30   samples per channel
 *   BENCH_TS_LATENCY_MS=0      ms every TeamSpirit answer is held back (a server farther away)
 *   BENCH_JSON=path            also writes the figures as JSON
 */
import { writeFileSync } from 'node:fs';

import { TelegramEmulator } from '../../test/emulators/telegram';
import { withoutContactCentre } from '../../test/helpers/examples';
import { readExample } from '../../test/e2e/conversation-setup';
import {
	createN8nHome,
	credentialFor,
	importCredentials,
	importWorkflows,
	installPackageTarball,
	N8nEditor,
	startN8n,
	type RunningN8n,
} from '../../test/e2e/n8n';
import { launchVisitors } from '../../test/e2e/website-browser';
import {
	startHostSite,
	startWebsiteEmulators,
	websiteCredentials,
	websiteExample,
	websiteWebhookIds,
	widgetUrl,
} from '../../test/e2e/website-setup';

const SAMPLES = Number(process.env.BENCH_WEBSITE_SAMPLES ?? 30);
const TS_LATENCY_MS = Number(process.env.BENCH_TS_LATENCY_MS ?? 0);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function percentile(values: number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const summary = (values: number[]) => ({
	samples: values.length,
	medianMs: percentile(values, 50),
	p95Ms: percentile(values, 95),
	minMs: Math.min(...values),
	maxMs: Math.max(...values),
});

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
		await sleep(5);
	}
}

async function main() {
	const tarball = process.env.TS_PACKAGE_TARBALL!;
	const { ts, operator, stop: stopTeamSpirit } = await startWebsiteEmulators({ latencyMs: TS_LATENCY_MS });
	const tg = await TelegramEmulator.start({ rateLimits: false });
	const site = await startHostSite();
	const visitors = await launchVisitors();
	const home = await createN8nHome({ prefix: 'n8n-bench-website-', env: { N8N_LOG_LEVEL: 'error' } });
	let n8n: RunningN8n | undefined;
	try {
		await installPackageTarball(home, tarball);
		const website = websiteExample(operator.id, { allowedOrigins: site.origin });
		const telegram = withoutContactCentre(readExample('telegram-conversations.json'));
		telegram.nodes.find((n) => n.name === 'Forward to TeamSpirit')!.parameters.operators = [operator.id];
		await importCredentials(home, [...websiteCredentials(ts, website), credentialFor.telegram('telegram-bot', tg, 'Telegram bot')]);
		const ids = await importWorkflows(home, [website, telegram]);
		n8n = await startN8n(home);
		const editor = new N8nEditor(() => n8n!.url);
		await editor.setUpOwner();
		for (const id of ids) await editor.publish(id);
		await until('two TeamSpirit Triggers registered', () => ts.webhooks.size >= 2 && tg.polling);
		const script = widgetUrl(n8n.url, websiteWebhookIds(website).visitor);
		for (;;) {
			const r = await fetch(script);
			await r.text();
			if (r.status === 200) break;
			await sleep(250);
		}

		// a visitor and a Telegram customer each start a conversation
		const visitor = await visitors.visitor();
		await visitor.open(site.pageUrl(script));
		await visitor.openChat();
		await visitor.send('Hello from the website');
		const visitorId = (await visitor.token())!.split('.')[1];
		tg.pushMessage({ chatId: 9001, from: { id: 9001, first_name: 'Tom' }, text: 'Hello from Telegram' });
		const webChat = await until('the visitor’s conversation chat', () => ts.chatsWhere({ channel: 'website', conversationId: visitorId })[0]);
		const tgChat = await until('the Telegram conversation chat', () =>
			[...ts.chats.values()].find((c) => c.externalKey?.startsWith('telegram:') && c.memberIds.includes(operator.id)),
		);
		await visitor.recordArrivals();

		const latency = { website: [] as number[], telegram: [] as number[] };
		for (let i = 0; i < SAMPLES * 2; i++) {
			await sleep(Math.random() * 1500);
			const channel = i % 2 === 0 ? 'website' : 'telegram';
			const text = `Answer ${i} (${channel})`;
			const sent = Date.now();
			const posting = ts.postAsUser(channel === 'website' ? webChat.id : tgChat.id, operator.id, { text, format: 'plain' });
			let arrived: number;
			if (channel === 'website') arrived = await visitor.arrivalOf(text);
			else arrived = (await until(`“${text}” on Telegram`, () => tg.requests.find((r) => r.method === 'sendMessage' && r.params.text === text))).receivedAt;
			await posting;
			latency[channel].push(arrived - sent);
		}
		const figures = {
			teamSpiritLatencyMs: TS_LATENCY_MS,
			website: summary(latency.website),
			telegramBaseline: summary(latency.telegram),
			ratioMedian: Math.round((percentile(latency.website, 50) / percentile(latency.telegram, 50)) * 100) / 100,
			ratioP95: Math.round((percentile(latency.website, 95) / percentile(latency.telegram, 95)) * 100) / 100,
		};
		console.log('\nWebsite chat: operator → browser (TeamSpirit post → text shown in the widget)');
		console.log('| path | samples | median | p95 | min | max |');
		console.log('| --- | --- | --- | --- | --- | --- |');
		for (const [label, s] of [
			['Website widget (long poll, Chromium)', figures.website],
			['Telegram customer (baseline, same n8n)', figures.telegramBaseline],
		] as const)
			console.log(`| ${label} | ${s.samples} | ${s.medianMs} ms | ${s.p95Ms} ms | ${s.minMs} ms | ${s.maxMs} ms |`);
		console.log(`website / baseline: median ×${figures.ratioMedian}, p95 ×${figures.ratioP95}`);
		if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ website: figures }, null, 2));
	} finally {
		await visitors.close();
		await n8n?.stop();
		await site.stop();
		await tg.stop();
		await stopTeamSpirit();
		await home.cleanup();
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
