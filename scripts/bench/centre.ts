/**
 * npm run bench -- centre (scripts/bench.sh): the contact centre through n8n-core's engine
 * (test/harness) against the emulators. Not a jest test: it measures.
 *
 *   1. Get Statistics over BENCH_STATS_CONVERSATIONS (default 10,000) conversation chats in the
 *      TeamSpirit emulator (plus 1,000 other chats): wall time of the node's run and the requests
 *      it made, with TeamSpirit answering at once and BENCH_TS_LATENCY_MS (50) ms late.
 *
 *   2. the added cost per customer message: 10 new customers write their first message (the chat is
 *      made; with a queue it is routed and greeted), then a known customer writes BENCH_CENTRE_SAMPLES (20) texts
 *      per channel, TeamSpirit answering BENCH_TS_LATENCY_MS (50) ms late, once without a queue
 *      and once with the Contact Centre on (a queue with least-busy routing, a limit, business
 *      hours that are open now, a greeting); per message: TeamSpirit requests and the median
 *      latency (delivered → the message in TeamSpirit, and → the execution's end). An operator
 *      then answers as many times: the same for operator → customer.
 *
 * BENCH_CENTRE_PARTS (default `stats,message`) picks the parts.
 */
import { writeFileSync, existsSync, readFileSync } from 'node:fs';

import { startCentre, type Centre } from '../../test/nodes/ChatChannel/conversation-ops-setup';
import {
	CHANNELS,
	startBridge,
	type Bridge,
	type Channel,
	type Customer,
} from '../../test/nodes/conversations/setup';
import { seededRandom } from '../../test/helpers/random';

const CONVERSATIONS = Number(process.env.BENCH_STATS_CONVERSATIONS ?? 10_000);
const OTHER_CHATS = 1_000;
const TS_LATENCY_MS = Number(process.env.BENCH_TS_LATENCY_MS ?? 50);
const PARTS = (process.env.BENCH_CENTRE_PARTS ?? 'stats,message').split(',');
const SAMPLES = Number(process.env.BENCH_CENTRE_SAMPLES ?? 20);
/** New customers whose first message is measured apart (the first of all also publishes the queue). */
const NEW_CUSTOMERS = 10;
/** Operator answers go out this far apart (a person's pace; Telegram paces a chat to ~1/s). */
const OPERATOR_GAP_MS = 1100;
const DAY = 86_400_000;

const log = (text: string) => console.error(`[bench] ${text}`);
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

function median(values: number[]): number {
	const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

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

/** A queue that routes (least busy, a limit not reached), keeps hours (open every day) and greets. */
const CENTRE = (operators: Array<{ id: string }>) => ({
	contactCentre: {
		queues: [
			{
				name: 'Support',
				operators: operators.map((o) => o.id),
				routing: 'leastBusy',
				maxOpen: 50,
				timeZone: 'Europe/Berlin',
				weeklyHours: 'Mon-Sun 00:00-24:00',
				holidays: '',
				greeting: 'Hi {customer}!',
				awayReply: 'We are closed and answer from {opening}.',
				closingMessage: 'Thanks!',
				askRating: true,
				ratingQuestion: 'How did we do?',
			},
		],
	},
});

/** The TeamSpirit message a customer message became (found by its key), or undefined. */
function inTeamSpirit(bridge: Bridge, customer: Customer, channelId: string) {
	const key = `${bridge.keyOf(customer)}#${channelId}`;
	return bridge.messagesOf(customer).find((m) => m.externalKey === key);
}

/** A known customer's texts, then an operator's answers: requests and latency per message. */
async function messageCost(channel: Channel, centre: boolean) {
	const bridge = await startBridge(channel, centre ? { forwardParameters: CENTRE } : {});
	try {
		for (const operator of bridge.operators) bridge.ts.setStatus(operator.id, { status: 'online' });
		bridge.ts.latencyMs = TS_LATENCY_MS;
		// new customers: their first message creates the chat (and, with a queue, routes and greets)
		const first = { requests: [] as number[], toEnd: [] as number[] };
		for (let i = 0; i < NEW_CUSTOMERS; i++) {
			const from = bridge.ts.requests.length;
			const started = Date.now();
			await bridge.write(bridge.newCustomer(`New${i}`, 'Customer'), 'Hello');
			first.toEnd.push(Date.now() - started);
			first.requests.push(bridge.ts.requests.length - from);
		}
		const customer = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(customer, 'Hello, my parcel did not arrive');
		const inbound = { requests: [] as number[], toMessage: [] as number[], toEnd: [] as number[] };
		for (let i = 0; i < SAMPLES; i++) {
			const from = bridge.ts.requests.length;
			const started = Date.now();
			const sent = await bridge.driver.write(bridge.customerHook.url, customer, {
				text: `customer message ${i}`,
			});
			await bridge.settle();
			inbound.toEnd.push(Date.now() - started);
			const message = inTeamSpirit(bridge, customer, sent.id);
			inbound.toMessage.push(message ? Date.parse(message.createdAt) - started : NaN);
			inbound.requests.push(bridge.ts.requests.length - from);
		}
		const chat = bridge.chatOf(customer)!;
		const outbound = { requests: [] as number[], toEnd: [] as number[] };
		for (let i = 0; i < SAMPLES; i++) {
			await sleep(OPERATOR_GAP_MS);
			const text = `operator answer ${i}`;
			const from = bridge.ts.requests.length;
			const started = Date.now();
			await bridge.ts.postAsUser(chat.id, bridge.operator.id, { text, format: 'plain' });
			await bridge.settle();
			const delivered = bridge.received(customer).some((m) => m.text.includes(text));
			outbound.toEnd.push(delivered ? Date.now() - started : NaN);
			outbound.requests.push(bridge.ts.requests.length - from);
		}
		const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
		const failed = Object.values(bridge.started())
			.flat()
			.filter((c) => c.run?.status !== 'success').length;
		return {
			channel,
			contactCentre: centre,
			teamSpiritLatencyMs: TS_LATENCY_MS,
			newCustomer: { teamSpiritRequests: mean(first.requests), medianToEndMs: median(first.toEnd) },
			customerToTeamSpirit: {
				teamSpiritRequests: mean(inbound.requests),
				medianToMessageMs: median(inbound.toMessage),
				medianToEndMs: median(inbound.toEnd),
			},
			operatorToCustomer: {
				teamSpiritRequests: mean(outbound.requests),
				medianToEndMs: median(outbound.toEnd),
			},
			failedExecutions: failed,
		};
	} finally {
		await bridge.stop();
	}
}

async function messages() {
	const runs = [];
	for (const channel of CHANNELS)
		for (const centre of [false, true]) {
			const run = await messageCost(channel, centre);
			log(`per message: ${JSON.stringify(run)}`);
			runs.push(run);
		}
	return runs;
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
	if (results.messages) {
		const n = (v: number) => String(Math.round(v * 100) / 100);
		const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '—');
		lines.push(
			'',
			`Per message, TeamSpirit ${TS_LATENCY_MS} ms away (${SAMPLES} texts per channel and direction, known customer)`,
			"| Channel | Contact centre | new customer's first message: requests / median to the end | known customer → TeamSpirit: requests / median to the message / to the end | operator → customer: requests / median to the end |",
			'|---|---|---:|---:|---:|',
		);
		for (const r of results.messages) {
			const i = r.customerToTeamSpirit;
			const o = r.operatorToCustomer;
			lines.push(
				`| ${r.channel} | ${r.contactCentre ? 'queue, routing, hours' : 'none'} | ${n(r.newCustomer.teamSpiritRequests)} / ${ms(r.newCustomer.medianToEndMs)} | ${n(i.teamSpiritRequests)} / ${ms(i.medianToMessageMs)} / ${ms(i.medianToEndMs)} | ${n(o.teamSpiritRequests)} / ${ms(o.medianToEndMs)} |`,
			);
		}
	}
	return lines.join('\n');
}

async function main() {
	const results: Record<string, any> = {};
	if (PARTS.includes('stats')) results.statistics = await statistics();
	if (PARTS.includes('message')) results.messages = await messages();
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
