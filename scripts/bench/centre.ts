/**
 * npm run bench -- centre (scripts/bench.sh): the contact centre through n8n-core's engine
 * (test/harness) against the emulators. Not a jest test: it measures.
 *
 *   1. Get Statistics over BENCH_STATS_CONVERSATIONS (default 10,000) conversation chats in the
 *      TeamSpirit emulator (plus 1,000 other chats): wall time of the node's run and the requests
 *      it made, with TeamSpirit answering at once and BENCH_TS_LATENCY_MS (50) ms late.
 *
 * BENCH_CENTRE_PARTS (default `stats`) picks the parts.
 */
import { writeFileSync, existsSync, readFileSync } from 'node:fs';

import { startCentre, type Centre } from '../../test/nodes/ChatChannel/conversation-ops-setup';
import { seededRandom } from '../../test/helpers/random';

const CONVERSATIONS = Number(process.env.BENCH_STATS_CONVERSATIONS ?? 10_000);
const OTHER_CHATS = 1_000;
const TS_LATENCY_MS = Number(process.env.BENCH_TS_LATENCY_MS ?? 50);
const PARTS = (process.env.BENCH_CENTRE_PARTS ?? 'stats').split(',');
const DAY = 86_400_000;

const log = (text: string) => console.error(`[bench] ${text}`);

/** `count` conversations over the last 30 days, in two queues, three operators, every status. */
function seedConversations(centre: Centre, count: number): void {
	const next = seededRandom(21);
	const now = Date.now();
	const operators = [centre.alice.id, centre.bob.id, null];
	const iso = (t: number) => new Date(t).toISOString();
	for (let i = 0; i < count; i++) {
		const created = now - next() * 30 * DAY;
		const answered = created + next() * 3_600_000;
		const resolved = answered + next() * 2 * DAY;
		const status = resolved < now ? 'resolved' : (['open', 'pending', 'snoozed'] as const)[i % 3];
		centre.seed({
			channel: ['telegram', 'whatsapp', 'messenger'][i % 3],
			conversationId:
				i % 3 === 1 ? `whatsapp:+4915${String(i).padStart(9, '0')}` : String(100_000 + i),
			name: `Customer ${i}`,
			state: {
				status,
				assigneeId: status === 'pending' ? null : operators[i % 3],
				queue: i % 2 ? 'Sales' : 'Support',
				times: {
					createdAt: iso(created),
					firstCustomerMessageAt: iso(created),
					...(answered < now ? { firstResponseAt: iso(answered) } : {}),
					...(status === 'resolved' ? { resolvedAt: iso(resolved) } : {}),
				},
				rating:
					status === 'resolved' && i % 4 === 0 ? { score: 1 + (i % 5), at: iso(resolved) } : null,
			},
		});
	}
	for (let i = 0; i < OTHER_CHATS; i++) centre.ts.addChat({ title: `Team chat ${i}` });
}

async function statisticsRun(centre: Centre, channels: 'this' | 'all', latencyMs: number) {
	centre.ts.latencyMs = latencyMs;
	const before = centre.ts.requests.length;
	const started = performance.now();
	const { output, status } = await centre.run({
		operation: 'getStatistics',
		period: 'last7Days',
		statisticsOptions: { channels },
	});
	const ms = performance.now() - started;
	const requests = centre.ts.requests.slice(before);
	if (status !== 'success') throw new Error(`Get Statistics failed: ${JSON.stringify(output)}`);
	return {
		channels,
		teamSpiritLatencyMs: latencyMs,
		wallMs: Math.round(ms),
		requests: requests.length,
		chatPages: requests.filter((r) => r.path === '/api/v1/chats').length,
		userReads: requests.filter((r) => r.path.startsWith('/api/v1/users/')).length,
		conversationsCounted: output?.[0]?.conversations,
	};
}

async function statistics() {
	const centre = await startCentre();
	try {
		log(`seeding ${CONVERSATIONS} conversations and ${OTHER_CHATS} other chats`);
		seedConversations(centre, CONVERSATIONS);
		const runs = [];
		for (const latency of [0, TS_LATENCY_MS])
			for (const channels of ['all', 'this'] as const) {
				const run = await statisticsRun(centre, channels, latency);
				log(`Get Statistics: ${JSON.stringify(run)}`);
				runs.push(run);
			}
		return runs;
	} finally {
		await centre.stop();
	}
}

function table(results: Record<string, any>): string {
	const lines: string[] = [];
	if (results.statistics) {
		lines.push(
			`Get Statistics over ${CONVERSATIONS} conversations (+${OTHER_CHATS} other chats), last 7 days`,
			'| Channels | TeamSpirit answers | Wall time | Requests (chat pages + user names) | Conversations counted |',
			'|---|---:|---:|---:|---:|',
		);
		for (const r of results.statistics) {
			lines.push(
				`| ${r.channels === 'all' ? 'all' : 'one (Telegram)'} | ${r.teamSpiritLatencyMs ? `${r.teamSpiritLatencyMs} ms late` : 'at once'} | ${r.wallMs} ms | ${r.requests} (${r.chatPages} + ${r.userReads}) | ${r.conversationsCounted} |`,
			);
		}
	}
	return lines.join('\n');
}

async function main() {
	const results: Record<string, any> = {};
	if (PARTS.includes('stats')) results.statistics = await statistics();
	console.log(table(results));
	console.log(JSON.stringify({ centre: results }, null, 2));
	if (process.env.BENCH_JSON) {
		const file = process.env.BENCH_JSON;
		const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as object) : {};
		writeFileSync(file, JSON.stringify({ ...earlier, centre: results }, null, 2));
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
