/**
 * npm run bench (scripts/bench.sh): the customer-conversation bridge (examples/<channel>-conversations.json)
 * through n8n-core's engine (WorkflowExecute, test/harness), against the emulators, set up exactly as
 * the engine tests set it up (test/nodes/conversations/setup.ts). Not a jest test: it measures.
 *
 *   1. customer → TeamSpirit latency, per channel: from the moment the channel's update / webhook
 *      starts (Telegram update pushed, Twilio or Meta webhook sent) to the message's `createdAt` in
 *      TeamSpirit (the emulator's clock is this process' clock). One message at a time.
 *   2. operator → customer latency, per channel: from the operator's message being created in
 *      TeamSpirit (its delivery leaves at once) to the channel emulator receiving the send (Telegram:
 *      the sendMessage request; Twilio: the message's dateCreated; Graph: the send's time). One
 *      message at a time, 1.1 s apart (see OPERATOR_GAP_MS).
 *   3. a TeamSpirit outage: every TeamSpirit request answered 503 for BENCH_OUTAGE_S seconds
 *      (default 60) while 5 messages per channel arrive (all three channels at once); then the time
 *      from the recovery to the first and to the last held message arriving in TeamSpirit, and
 *      whether all arrived once, in order.
 *
 *   4. the steady state with TeamSpirit 50 ms away (BENCH_TS_LATENCY_MS): every TeamSpirit answer
 *      held back 50 ms; per message (a known customer writes text, an operator answers text), the
 *      requests the bridge made to TeamSpirit and to the channel, the key writes, and the median
 *      latency (measured as in 1 and 2).
 *
 * BENCH_CONVERSATION_SAMPLES (default 50) messages per channel and direction (20 for part 4,
 * BENCH_STEADY_SAMPLES). BENCH_CONVERSATION_PARTS (default `latency,steady,outage`) picks the parts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

import { GraphEmulator } from '../../test/emulators/graph';
import { TelegramEmulator } from '../../test/emulators/telegram';
import { TwilioEmulator } from '../../test/emulators/twilio';
import {
	CHANNELS,
	startBridge,
	type Bridge,
	type Channel,
	type Customer,
} from '../../test/nodes/conversations/setup';

const SAMPLES = Number(process.env.BENCH_CONVERSATION_SAMPLES ?? 50);
const OUTAGE_MS = Number(process.env.BENCH_OUTAGE_S ?? 60) * 1000;
/**
 * Operator messages go out this far apart (a person's pace): Telegram allows about one message per
 * second into one chat and the node paces itself to that, so back-to-back answers would measure
 * the pacing (about 1 s each), not the bridge.
 */
const OPERATOR_GAP_MS = 1100;
const HELD_PER_CHANNEL = 5;
const STEADY_SAMPLES = Number(process.env.BENCH_STEADY_SAMPLES ?? 20);
const TS_LATENCY_MS = Number(process.env.BENCH_TS_LATENCY_MS ?? 50);
const PARTS = (process.env.BENCH_CONVERSATION_PARTS ?? 'latency,steady,outage').split(',');
/** How long after the recovery the held messages may take before the bench gives up on them. */
const RECOVERY_LIMIT_MS = 180_000;

const log = (text: string) => console.error(`[bench] ${text}`);
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
	const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(values: number[]) {
	const finite = values.filter(Number.isFinite);
	return {
		samples: finite.length,
		medianMs: percentile(finite, 50),
		p95Ms: percentile(finite, 95),
		minMs: Math.min(...finite),
		maxMs: Math.max(...finite),
	};
}

/** The TeamSpirit message a customer message became (found by its key), or undefined. */
function inTeamSpirit(bridge: Bridge, customer: Customer, channelId: string) {
	const key = `${bridge.keyOf(customer)}#${channelId}`;
	return bridge.messagesOf(customer).find((m) => m.externalKey === key);
}

/** When the channel emulator received the send that carries `text` (ms since epoch). */
function receivedAt(bridge: Bridge, customer: Customer, text: string): number | undefined {
	const emulator = bridge.driver.emulator;
	if (emulator instanceof TelegramEmulator) {
		const call = emulator
			.calls('sendMessage')
			.find((c) => c.status === 200 && String(c.params.text ?? '').includes(text));
		return call?.receivedAt;
	}
	if (emulator instanceof TwilioEmulator)
		return emulator
			.messagesTo(customer.conversationId)
			.find((m) => m.body.includes(text))
			?.dateCreated.getTime();
	if (emulator instanceof GraphEmulator)
		return emulator.messagesTo(customer.part).find((m) => (m.text ?? '').includes(text))?.at;
	// another channel's emulator: its receive times are not read here (the latency is missing)
	return undefined;
}

async function latencies(channel: Channel) {
	const bridge = await startBridge(channel);
	try {
		const customer = bridge.newCustomer('Anna', 'Petrova');
		// the first message also creates the customer's chat: measured, but apart
		let started = Date.now();
		const first = await bridge.write(customer, 'Hello, my parcel did not arrive');
		const firstMessage = inTeamSpirit(bridge, customer, first.id);
		const firstMs = firstMessage ? Date.parse(firstMessage.createdAt) - started : NaN;

		const toTeamSpirit: number[] = [];
		let missingIn = 0;
		for (let i = 0; i < SAMPLES; i++) {
			started = Date.now();
			const sent = await bridge.driver.write(bridge.customerHook.url, customer, {
				text: `customer message ${i}`,
			});
			await bridge.settle();
			const message = inTeamSpirit(bridge, customer, sent.id);
			if (!message) missingIn++;
			toTeamSpirit.push(message ? Date.parse(message.createdAt) - started : NaN);
		}

		const chat = bridge.chatOf(customer)!;
		const toCustomer: number[] = [];
		let missingOut = 0;
		for (let i = 0; i < SAMPLES; i++) {
			await sleep(OPERATOR_GAP_MS - (Date.now() - started));
			started = Date.now();
			const text = `operator answer ${i}`;
			const { message } = await bridge.ts.postAsUser(chat.id, bridge.operator.id, {
				text,
				format: 'plain',
			});
			await bridge.settle();
			const at = receivedAt(bridge, customer, text);
			if (at === undefined) missingOut++;
			toCustomer.push(at === undefined ? NaN : at - Date.parse(message.createdAt));
		}
		const failed = Object.values(bridge.started())
			.flat()
			.filter((c) => c.run?.status !== 'success').length;
		return {
			firstMessageWithChatMs: firstMs,
			customerToTeamSpirit: { ...summary(toTeamSpirit), missing: missingIn },
			operatorToCustomer: { ...summary(toCustomer), missing: missingOut },
			failedExecutions: failed,
		};
	} finally {
		await bridge.stop();
	}
}

/** The channel API's recorded requests (the emulator of the bridge's channel). */
function channelRequests(
	bridge: Bridge,
): Array<{ method?: string; httpMethod?: string; path?: string }> {
	const { requests } = bridge.driver.emulator as { requests?: unknown[] };
	return (requests ?? []) as never;
}

/** What one message cost: TeamSpirit requests (and which), channel requests, key writes. */
function costOf(bridge: Bridge, tsFrom: number, channelFrom: number) {
	const ts = bridge.ts.requests.slice(tsFrom);
	const channel = channelRequests(bridge).slice(channelFrom);
	return {
		teamSpirit: ts.length,
		channel: channel.length,
		keyWrites: ts.filter((r) => r.method === 'PATCH' || r.method === 'PUT').length,
		calls: [
			...ts.map((r) => `TS ${r.method} ${r.path.replace(/[0-9a-f-]{8,}/g, ':id')}`),
			...channel.map((r) => `channel ${r.method ?? r.httpMethod} ${r.path ?? ''}`.trim()),
		],
	};
}

const median = (values: number[]) => percentile(values, 50);

/**
 * The steady state, TeamSpirit `TS_LATENCY_MS` away: a customer whose chat exists writes text, an
 * operator answers text. Requests per message and median latency.
 */
async function steady(channel: Channel) {
	const bridge = await startBridge(channel);
	try {
		const customer = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(customer, 'Hello, my parcel did not arrive');
		bridge.ts.latencyMs = TS_LATENCY_MS;
		const inbound: Array<ReturnType<typeof costOf>> = [];
		const inMs: number[] = [];
		let started = Date.now();
		for (let i = 0; i < STEADY_SAMPLES; i++) {
			const [tsFrom, chFrom] = [bridge.ts.requests.length, channelRequests(bridge).length];
			started = Date.now();
			const sent = await bridge.driver.write(bridge.customerHook.url, customer, {
				text: `customer message ${i}`,
			});
			await bridge.settle();
			const message = inTeamSpirit(bridge, customer, sent.id);
			inMs.push(message ? Date.parse(message.createdAt) - started : NaN);
			inbound.push(costOf(bridge, tsFrom, chFrom));
		}
		const chat = bridge.chatOf(customer)!;
		const outbound: Array<ReturnType<typeof costOf>> = [];
		const outMs: number[] = [];
		for (let i = 0; i < STEADY_SAMPLES; i++) {
			await sleep(OPERATOR_GAP_MS - (Date.now() - started));
			const text = `operator answer ${i}`;
			// the operator's own post (in-process) is not a recorded request
			const [tsFrom, chFrom] = [bridge.ts.requests.length, channelRequests(bridge).length];
			started = Date.now();
			const { message } = await bridge.ts.postAsUser(chat.id, bridge.operator.id, {
				text,
				format: 'plain',
			});
			await bridge.settle();
			const at = receivedAt(bridge, customer, text);
			outMs.push(at === undefined ? NaN : at - Date.parse(message.createdAt));
			outbound.push(costOf(bridge, tsFrom, chFrom));
		}
		const per = (costs: typeof inbound, k: 'teamSpirit' | 'channel' | 'keyWrites') =>
			costs.reduce((sum, c) => sum + c[k], 0) / costs.length;
		return {
			teamSpiritLatencyMs: TS_LATENCY_MS,
			customerToTeamSpirit: {
				medianMs: median(inMs),
				teamSpiritRequests: per(inbound, 'teamSpirit'),
				channelRequests: per(inbound, 'channel'),
				example: inbound.at(-1)!.calls,
			},
			operatorToCustomer: {
				medianMs: median(outMs),
				teamSpiritRequests: per(outbound, 'teamSpirit'),
				channelRequests: per(outbound, 'channel'),
				keyWrites: per(outbound, 'keyWrites'),
				example: outbound.at(-1)!.calls,
			},
		};
	} finally {
		await bridge.stop();
	}
}

/**
 * One channel through the outage: Anna (her chat exists) writes messages 1, 3, 5 and Boris (new:
 * his first message must also create his chat) writes 2 and 4, spread over the outage.
 */
async function heldThroughOutage(
	bridge: Bridge,
	anna: Customer,
	outageStarted: number,
	recovered: Promise<number>,
) {
	const boris = bridge.newCustomer('Boris', 'Ivanov');
	const writers = [anna, boris, anna, boris, anna];
	const sent: Array<{ customer: Customer; id: string; text: string }> = [];
	for (let i = 0; i < HELD_PER_CHANNEL; i++) {
		// spread over the first 80 % of the outage
		const at = outageStarted + Math.round((i * 0.8 * OUTAGE_MS) / HELD_PER_CHANNEL);
		await sleep(Math.max(0, at - Date.now()));
		const text = `held message ${i + 1}`;
		const customer = writers[i];
		const { id } = await bridge.driver.write(bridge.customerHook.url, customer, { text });
		sent.push({ customer, id, text });
	}
	const recoveredAt = await recovered;
	const arrived = () => sent.filter((s) => inTeamSpirit(bridge, s.customer, s.id));
	while (arrived().length < sent.length && Date.now() - recoveredAt < RECOVERY_LIMIT_MS)
		await sleep(10);
	await bridge.settle();

	const times = sent
		.map((s) => inTeamSpirit(bridge, s.customer, s.id))
		.filter((m) => m !== undefined)
		.map((m) => Date.parse(m.createdAt));
	const held = (customer: Customer) =>
		bridge
			.messagesOf(customer)
			.map((m) => m.text)
			.filter((t) => t.startsWith('held message'));
	const inOrder = [anna, boris].every((customer) => {
		const expected = sent.filter((s) => s.customer === customer).map((s) => s.text);
		return JSON.stringify(held(customer)) === JSON.stringify(expected);
	});
	const total = held(anna).length + held(boris).length;
	const unique = new Set([...held(anna), ...held(boris)]).size;
	return {
		held: sent.length,
		delivered: times.length,
		duplicates: total - unique,
		inOrder,
		answered503: bridge.ts.requests.filter((r) => r.injected).length,
		recoveryToFirstMs: times.length ? Math.min(...times) - recoveredAt : NaN,
		recoveryToLastMs: times.length === sent.length ? Math.max(...times) - recoveredAt : NaN,
		failedExecutions: bridge.started().customer.filter((c) => c.run?.status !== 'success').length,
	};
}

/** All three channels at once (one process, as one n8n runs the three example workflows). */
async function outage() {
	const bridges: Bridge[] = [];
	try {
		for (const channel of CHANNELS) bridges.push(await startBridge(channel));
		const annas: Customer[] = [];
		for (const bridge of bridges) {
			const anna = bridge.newCustomer('Anna', 'Petrova');
			await bridge.write(anna, 'Before the outage');
			annas.push(anna);
		}
		let recover: (at: number) => void = () => undefined;
		const recovered = new Promise<number>((resolve) => (recover = resolve));
		const outageStarted = Date.now();
		for (const bridge of bridges)
			bridge.ts.failNext({ status: 503, count: Number.MAX_SAFE_INTEGER });
		log(`TeamSpirit answers 503 for ${OUTAGE_MS / 1000} s`);
		const runs = bridges.map(
			async (bridge, i) => await heldThroughOutage(bridge, annas[i], outageStarted, recovered),
		);
		await sleep(outageStarted + OUTAGE_MS - Date.now());
		for (const bridge of bridges) bridge.ts.clearFaults();
		recover(Date.now());
		log('TeamSpirit is back');
		const results = await Promise.all(runs);
		return Object.fromEntries(CHANNELS.map((channel, i) => [channel, results[i]]));
	} finally {
		for (const bridge of bridges) await bridge.stop();
	}
}

function steadyTable(results: Record<string, any>): string[] {
	const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '—');
	const n = (v: number) => String(Math.round(v * 100) / 100);
	const lines = [
		'',
		`Steady state, every TeamSpirit answer ${TS_LATENCY_MS} ms late (${STEADY_SAMPLES} text messages per channel and direction, known customer)`,
		'| Channel | customer → TeamSpirit: TeamSpirit requests / median | operator → customer: TeamSpirit requests (key writes) + channel requests / median |',
		'|---|---:|---:|',
	];
	for (const channel of CHANNELS) {
		const r = results[`steady.${channel}`];
		if (!r) continue;
		const i = r.customerToTeamSpirit;
		const o = r.operatorToCustomer;
		lines.push(
			`| ${channel} | ${n(i.teamSpiritRequests)} / ${ms(i.medianMs)} | ${n(o.teamSpiritRequests)} (${n(o.keyWrites)}) + ${n(o.channelRequests)} / ${ms(o.medianMs)} |`,
		);
	}
	return lines;
}

function table(results: Record<string, any>): string {
	const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '—');
	const s = (v: number) => (Number.isFinite(v) ? `${(v / 1000).toFixed(1)} s` : '—');
	if (!results[`latency.${CHANNELS[0]}`])
		return [...steadyTable(results), ...outageTable(results, s)].join('\n');
	const lines = [
		`Conversation bridge, engine + emulators (${SAMPLES} messages per channel and direction)`,
		'| Channel | customer → TeamSpirit median / p95 | operator → customer median / p95 | first message (creates the chat) |',
		'|---|---:|---:|---:|',
	];
	for (const channel of CHANNELS) {
		const r = results[`latency.${channel}`];
		lines.push(
			`| ${channel} | ${ms(r.customerToTeamSpirit.medianMs)} / ${ms(r.customerToTeamSpirit.p95Ms)} | ${ms(r.operatorToCustomer.medianMs)} / ${ms(r.operatorToCustomer.p95Ms)} | ${ms(r.firstMessageWithChatMs)} |`,
		);
	}
	return [...lines, ...steadyTable(results), ...outageTable(results, s)].join('\n');
}

function outageTable(results: Record<string, any>, s: (v: number) => string): string[] {
	if (!results.outage) return [];
	const lines: string[] = [];
	lines.push(
		'',
		`TeamSpirit answering 503 for ${OUTAGE_MS / 1000} s while ${HELD_PER_CHANNEL} messages per channel arrived`,
		'| Channel | Delivered | Duplicates | In order | 503 answers | Recovery → first | Recovery → last |',
		'|---|---:|---:|---|---:|---:|---:|',
	);
	for (const channel of CHANNELS) {
		const r = results.outage[channel];
		lines.push(
			`| ${channel} | ${r.delivered}/${r.held} | ${r.duplicates} | ${r.inOrder ? 'yes' : 'NO'} | ${r.answered503} | ${s(r.recoveryToFirstMs)} | ${s(r.recoveryToLastMs)} |`,
		);
	}
	return lines;
}

async function main() {
	const results: Record<string, any> = {};
	for (const channel of PARTS.includes('latency') ? CHANNELS : []) {
		log(`conversation latency: ${channel}`);
		results[`latency.${channel}`] = await latencies(channel);
		log(`${channel}: ${JSON.stringify(results[`latency.${channel}`])}`);
	}
	for (const channel of PARTS.includes('steady') ? CHANNELS : []) {
		log(`steady state, TeamSpirit ${TS_LATENCY_MS} ms away: ${channel}`);
		results[`steady.${channel}`] = await steady(channel);
		log(`${channel}: ${JSON.stringify(results[`steady.${channel}`])}`);
	}
	if (PARTS.includes('outage')) {
		log(`TeamSpirit outage (${OUTAGE_MS / 1000} s), ${HELD_PER_CHANNEL} messages per channel`);
		results.outage = await outage();
		log(`outage: ${JSON.stringify(results.outage)}`);
	}

	console.log(table(results));
	console.log(JSON.stringify({ conversations: results }, null, 2));
	if (process.env.BENCH_JSON) {
		// scripts/bench/telegram.ts may have written the file first: add to it
		const file = process.env.BENCH_JSON;
		const earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as object) : {};
		writeFileSync(file, JSON.stringify({ ...earlier, conversations: results }, null, 2));
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
