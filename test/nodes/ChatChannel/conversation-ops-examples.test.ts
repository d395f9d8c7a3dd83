/**
 * The contact centre's examples: every example is built from nodes, never code (no Code or Function
 * node, no expression beyond `{{ $json.field }}`, so an If compares fields and nothing more); the conversation examples' queue as
 * shipped (hours, greeting, away reply) and their scheduled Process Due Conversations run; the
 * daily statistics report runs through the engine: Schedule Trigger → Get Statistics → the report
 * posted in the supervisors' chat, with the numbers of the seeded conversations.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { TeamSpiritApi } from '../../../credentials/TeamSpiritApi.credentials';
import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { isOpen, parseHours } from '../../../nodes/shared/hours';
import { TeamSpiritTrigger } from '../../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { startBridge, type Bridge } from '../conversations/setup';
import { TeamSpiritTelegramApi } from '../../../credentials/TeamSpiritTelegramApi.credentials';
import { ChatChannel } from '../../../nodes/ChatChannel/ChatChannel.node';
import { TeamSpirit } from '../../../nodes/TeamSpirit/TeamSpirit.node';
import { runWorkflow, type WorkflowJson } from '../../harness';
import { startCentre, type Centre } from './conversation-ops-setup';

const DIR = path.join(__dirname, '..', '..', '..', 'examples');
const EXAMPLES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json'));
const load = (name: string) =>
	JSON.parse(fs.readFileSync(path.join(DIR, name), 'utf8')) as WorkflowJson;

/** Every string parameter of a node, with its path. */
function strings(value: unknown, at: string): Array<[string, string]> {
	if (typeof value === 'string') return [[at, value]];
	if (!value || typeof value !== 'object') return [];
	return Object.entries(value).flatMap(([key, v]) => strings(v, `${at}.${key}`));
}

/** The type of the node a parameter path (`<node name>.<parameter>…`) belongs to. */
function nodeType(workflow: WorkflowJson, at: string): string {
	return workflow.nodes.find((n) => at.startsWith(`${n.name}.`))?.type ?? '';
}

describe('the examples', () => {
	it.each(EXAMPLES)('%s: no code, expressions only fields ({{ $json.field }}) and $fromAI in tools', (name) => {
		const workflow = load(name);
		const coded = workflow.nodes.filter((n) =>
			/\.(code|function|functionItem)$/i.test(n.type),
		);
		expect(coded.map((n) => n.name)).toEqual([]);
		const expressions = workflow.nodes.flatMap((n) =>
			strings(n.parameters, n.name)
				.filter(([, v]) => v.startsWith('='))
				.flatMap(([at, v]) => [...v.matchAll(/{{(.*?)}}/gs)].map((m) => [at, m[1].trim()])),
		);
		// no JavaScript: a field, or a field of a field ($json.raw.To); the same of an earlier node's
		// paired item ($('Forward to TeamSpirit').item.json.conversation.chatId, after an AI Agent
		// whose output has only its answer); and, in an AI tool, n8n's $fromAI('name', 'what', 'type')
		const field = String.raw`(\.[A-Za-z_][A-Za-z0-9_]*)+`;
		const allowed = [
			new RegExp(`^\\$json${field}$`),
			new RegExp(`^\\$\\('[^']+'\\)\\.item\\.json${field}$`),
			/^\$fromAI\('[A-Za-z_]+', '[^']*', '(string|number|boolean)'\)$/,
		];
		const beyond = expressions.filter(([at, e]) => {
			const tool = /^\$fromAI/.test(e) && /Tool$/.test(nodeType(workflow, at));
			return !allowed.some((rule) => rule.test(e)) || (/^\$fromAI/.test(e) && !tool);
		});
		expect(beyond).toEqual([]);
	});
});

describe('the conversation examples', () => {
	it.each(['telegram', 'whatsapp', 'messenger', 'website'])(
		'%s-conversations.json has a queue with business hours and a rating, and a Schedule Trigger → Process Due Conversations',
		(channel) => {
			const workflow = load(`${channel}-conversations.json`);
			const forward = workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!;
			expect(forward.parameters.contactCentre).toMatchObject({
				queues: [{ name: 'Support', weeklyHours: expect.any(String), askRating: true }],
			});
			const due = workflow.nodes.find((n) => n.parameters.operation === 'processDue')!;
			expect(due.parameters.channel).toBe(channel);
			const schedule = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.scheduleTrigger')!;
			expect(workflow.connections[schedule.name]).toEqual({
				main: [[{ node: due.name, type: 'main', index: 0 }]],
			});
		},
	);
});

class ScheduleTriggerStandIn implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Schedule Trigger (harness)',
		name: 'n8n-nodes-base.scheduleTrigger',
		group: ['trigger', 'schedule'],
		version: [1, 1.1, 1.2],
		description: 'Starts the workflow as a schedule would: one empty item',
		defaults: { name: 'Schedule Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

describe('examples/contact-centre-daily-report.json', () => {
	let centre: Centre;
	beforeAll(async () => {
		centre = await startCentre();
	});
	afterAll(async () => {
		await centre?.stop();
	});

	it('posts the last 24 hours in the supervisors’ chat', async () => {
		const { ts, seed, alice } = centre;
		const supervisors = ts.addChat({ title: 'Supervisors', memberIds: [alice.id] });
		const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
		seed({
			conversationId: '2001',
			name: 'Anna',
			state: {
				status: 'resolved',
				assigneeId: alice.id,
				queue: 'Support',
				times: {
					createdAt: ago(180),
					firstCustomerMessageAt: ago(180),
					firstResponseAt: ago(178),
					resolvedAt: ago(60),
				},
				rating: { score: 5, at: ago(59) },
			},
		});
		seed({
			channel: 'whatsapp',
			conversationId: 'whatsapp:+4915100002002',
			name: 'Boris',
			state: { status: 'pending', queue: 'Support', times: { createdAt: ago(30) } },
		});
		const workflow = load('contact-centre-daily-report.json');
		const post = workflow.nodes.find((n) => n.name === 'Post to the supervisors')!;
		(post.parameters.chatId as { value: string }).value = supervisors.id;

		const result = await runWorkflow({
			workflow,
			nodeTypes: {
				'n8n-nodes-base.scheduleTrigger': new ScheduleTriggerStandIn(),
				'n8n-nodes-teamspirit.chatChannel': new ChatChannel(),
				'n8n-nodes-teamspirit.teamSpirit': new TeamSpirit(),
			},
			credentialTypes: [new TeamSpiritApi(), new TeamSpiritTelegramApi()],
			credentials: {
				teamSpiritApi: { serverUrl: ts.url, apiKey: ts.apiKey },
				teamSpiritTelegramApi: { accessToken: '1:unused', baseUrl: 'http://127.0.0.1:9' },
			},
			startNode: 'Every morning at 8',
		});
		expect(result.status).toBe('success');
		const posted = ts.messagesIn(supervisors.id);
		expect(posted).toHaveLength(1);
		const text = posted[0].text;
		expect(posted[0].format).toBe('markdown');
		expect(text).toContain('**Contact centre, the last 24 hours**');
		expect(text).toContain('Conversations: 2 (0 open, 1 pending, 0 snoozed, 1 resolved)');
		expect(text).toContain('New: 2 · resolved: 1');
		expect(text).toContain('Median first response: 2 min');
		expect(text).toContain('Median resolution: 2 h');
		expect(text).toContain('Rating: 5 of 5 (1)');
		expect(text).toContain('By queue: Support 2 (0 open)');
		expect(text).toContain('By operator: Alice Martin 1 (0 open), Unassigned 1 (0 open)');
		expect(text).not.toMatch(/{{|undefined|null/);
	});
});

describe('examples/telegram-conversations.json as shipped', () => {
	let bridge: Bridge | undefined;
	afterEach(async () => {
		await bridge?.stop();
	});

	it('routes a new customer in its queue Support, greets them, outside its hours says when it opens; the schedule processes what is due', async () => {
		const shipped = load('telegram-conversations.json');
		const forward = shipped.nodes.find((n) => n.name === 'Forward to TeamSpirit')!;
		const [queue] = (forward.parameters.contactCentre as { queues: IDataObject[] }).queues;
		// the operators the user picks
		bridge = await startBridge('telegram', {
			forwardParameters: (operators) => ({
				contactCentre: { queues: [{ ...queue, operators: operators.map((o) => o.id) }] },
			}),
		});
		for (const operator of bridge.operators) bridge.ts.setStatus(operator.id, { status: 'online' });
		const hours = parseHours({
			weekly: String(queue.weeklyHours),
			timeZone: String(queue.timeZone),
			holidays: String(queue.holidays),
		});
		const open = isOpen(hours, new Date());
		const anna = bridge.newCustomer('Anna', 'Petrova');
		await bridge.write(anna, 'Hello, my parcel did not arrive');

		const metadata = bridge.ts.chat(bridge.chatOf(anna)!.id)!.metadata;
		expect(metadata).toMatchObject({ queue: 'Support', status: open ? 'open' : 'pending' });
		if (open) expect(bridge.operators.map((o) => o.id)).toContain(metadata.assigneeId);
		const received = bridge.received(anna).map((m) => m.text);
		expect(received[0]).toBe(
			'Hi Anna Petrova! Thanks for your message: an operator will answer shortly.',
		);
		if (open) expect(received).toHaveLength(1);
		else
			expect(received[1]).toMatch(/^Thanks for your message! We're closed now and answer from \S/);

		// the example's own Schedule Trigger → Process Due Conversations
		const result = await runWorkflow({
			workflow: shipped,
			nodeTypes: {
				'n8n-nodes-base.scheduleTrigger': new ScheduleTriggerStandIn(),
				'n8n-nodes-teamspirit.chatChannel': new ChatChannel(),
				'n8n-nodes-teamspirit.chatChannelTrigger': new ChatChannelTrigger(),
				'n8n-nodes-teamspirit.teamSpiritTrigger': new TeamSpiritTrigger(),
			},
			credentialTypes: [new TeamSpiritApi(), new TeamSpiritTelegramApi()],
			credentials: bridge.credentials,
			startNode: 'Every minute',
		});
		expect(result.status).toBe('success');
		expect(result.nodeOutput('Process Due Conversations').map((i) => i.json)).toMatchObject([
			{ woke: [], routed: [], waiting: open ? 0 : 1 },
		]);
	});
});
