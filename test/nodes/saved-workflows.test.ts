/**
 * Workflows saved with version 1 of the nodes keep working (README, "Versions and saved workflows").
 *
 * test/fixtures/saved-workflows/ holds the examples as they were when this test was written, frozen
 * (never regenerated from examples/): `<example>.json` as shipped, and `editor/<example>.json` as
 * n8n's editor stores the same nodes, which keeps only the values that differ from a parameter's
 * default (`NodeHelpers.getNodeParameters(…, returnDefaults false)`), so a changed default shows.
 *
 * Each is loaded as n8n loads a workflow (`new Workflow()` resolves every node's parameters with
 * `NodeHelpers.getNodeParameters(properties, parameters, true, false, node, description)` of the
 * node's current description) and must resolve, for every node of this package:
 * - to every parameter and value it resolved to when frozen (`resolved.json`); parameters added
 *   since may appear (an addition whose default keeps the old behaviour is the safe change);
 * - keeping every value the workflow sets (n8n silently drops a value whose parameter is unknown or
 *   no longer shown), each option value one the node still offers, and no parameter issues (what
 *   n8n refuses to execute).
 * Two of them (WhatsApp and Messenger echo bots, both forms) also run through the engine against
 * the emulators and must answer as they did.
 *
 * A safe change (README) passes as it is; a failure here asks for a new node version, not a new
 * snapshot. `resolved.json` and the editor/ copies were written by this test with
 * SAVED_WORKFLOWS=write, which is for freezing more workflows (their diff may only add files).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import {
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodeProperties,
	type INodePropertyCollection,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { adapterFor } from '../../nodes/channels';
import { seenEvents } from '../../nodes/channels/memory';
import { ChatChannel } from '../../nodes/ChatChannel/ChatChannel.node';
import { ChatChannelTrigger } from '../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TeamSpirit } from '../../nodes/TeamSpirit/TeamSpirit.node';
import { TeamSpiritTrigger } from '../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { startWebhookTrigger, type WebhookTrigger, type WorkflowJson } from '../harness';
import { kitOf, type ChannelKit, type Emulator } from './conformance/kit';

const DIR = path.join(__dirname, '..', 'fixtures', 'saved-workflows');
const SNAPSHOT = path.join(DIR, 'resolved.json');

const NODE_TYPES: Record<string, INodeType> = {
	'n8n-nodes-teamspirit.chatChannel': new ChatChannel(),
	'n8n-nodes-teamspirit.chatChannelTrigger': new ChatChannelTrigger(),
	'n8n-nodes-teamspirit.teamSpirit': new TeamSpirit(),
	'n8n-nodes-teamspirit.teamSpiritTrigger': new TeamSpiritTrigger(),
};

/** Every frozen workflow, as a path below DIR: the examples as shipped, then as the editor saves them. */
const FILES = ['', 'editor/'].flatMap((folder) =>
	fs
		.readdirSync(path.join(DIR, folder))
		.filter((file) => file.endsWith('.json') && file !== 'resolved.json')
		.sort()
		.map((file) => `${folder}${file}`),
);

const load = (file: string) => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as WorkflowJson;

/** The nodes of this package in a workflow, with their current description. */
function ours(workflow: WorkflowJson): Array<{ node: INode; description: INodeTypeDescription }> {
	return (workflow.nodes as INode[])
		.filter((node) => NODE_TYPES[node.type])
		.map((node) => ({ node, description: NODE_TYPES[node.type].description }));
}

/** The parameters as n8n's `Workflow` resolves them when it loads the workflow. */
function resolve(node: INode, description: INodeTypeDescription): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {};
}

/** Where a value the workflow sets did not survive resolution (unknown, hidden, or changed), as paths. */
function lostValues(saved: unknown, resolved: unknown, at: string): string[] {
	if (saved && typeof saved === 'object' && !Array.isArray(saved)) {
		if (!resolved || typeof resolved !== 'object' || Array.isArray(resolved)) return [`${at}: dropped`];
		return Object.entries(saved).flatMap(([key, value]) =>
			lostValues(value, (resolved as Record<string, unknown>)[key], at ? `${at}.${key}` : key),
		);
	}
	if (resolved === undefined) return [`${at}: dropped (not a parameter, or not shown any more)`];
	return JSON.stringify(saved) === JSON.stringify(resolved) ? [] : [`${at}: ${JSON.stringify(saved)} became ${JSON.stringify(resolved)}`];
}

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

/** Option values the workflow sets that the node no longer offers (fixed options only), as paths. */
function optionProblems(
	properties: INodeProperties[],
	values: INodeParameters,
	at: string,
	shown: (property: INodeProperties) => boolean,
): string[] {
	const problems: string[] = [];
	for (const [name, value] of Object.entries(values)) {
		const where = at ? `${at}.${name}` : name;
		const candidates = properties.filter((property) => property.name === name && shown(property));
		const type = candidates[0]?.type;
		if (type === 'options' || type === 'multiOptions') {
			if (candidates.some((p) => p.typeOptions?.loadOptionsMethod || p.typeOptions?.loadOptions)) continue;
			const offered = candidates.flatMap((p) => (p.options ?? []).map((option) => (option as { value?: unknown }).value));
			for (const one of Array.isArray(value) ? value : [value])
				if (!isExpression(one) && !offered.includes(one as never)) problems.push(`${where}: ${JSON.stringify(one)} is not offered`);
		} else if (type === 'collection' && value && typeof value === 'object') {
			const children = candidates.flatMap((p) => (p.options ?? []) as INodeProperties[]);
			for (const entry of Array.isArray(value) ? value : [value]) problems.push(...optionProblems(children, entry as INodeParameters, where, () => true));
		} else if (type === 'fixedCollection' && value && typeof value === 'object') {
			const groups = candidates.flatMap((p) => (p.options ?? []) as INodePropertyCollection[]);
			for (const [group, entries] of Object.entries(value as INodeParameters)) {
				const children = groups.filter((g) => g.name === group).flatMap((g) => g.values);
				for (const entry of Array.isArray(entries) ? entries : [entries]) problems.push(...optionProblems(children, entry as INodeParameters, `${where}.${group}`, () => true));
			}
		}
	}
	return problems;
}

/** The resolved parameters that hold a value (not a notice's text or the credential box's place). */
function values(node: INode, description: INodeTypeDescription): INodeParameters {
	const displayOnly = new Set(description.properties.filter((p) => p.type === 'notice' || p.type === 'credentials').map((p) => p.name));
	return Object.fromEntries(Object.entries(resolve(node, description)).filter(([name]) => !displayOnly.has(name)));
}

/** Every frozen workflow's nodes of this package, resolved now: file → node name → parameters. */
function resolvedNow(): Record<string, Record<string, INodeParameters>> {
	return Object.fromEntries(
		FILES.map((file) => [file, Object.fromEntries(ours(load(file)).map(({ node, description }) => [node.name, values(node, description)]))]),
	);
}

/**
 * SAVED_WORKFLOWS=write: freezes a workflow newly copied into DIR (its editor/ form, as n8n's editor
 * stores it: only values that differ from the defaults) and writes resolved.json. Existing editor/
 * copies are never rewritten.
 */
function writeSnapshot(): void {
	for (const file of FILES.filter((f) => !f.startsWith('editor/') && !FILES.includes(`editor/${f}`))) {
		const workflow = load(file);
		for (const { node, description } of ours(workflow))
			node.parameters = NodeHelpers.getNodeParameters(description.properties, node.parameters, false, false, node, description) ?? {};
		fs.writeFileSync(path.join(DIR, 'editor', file), `${JSON.stringify(workflow, null, 2)}\n`);
		FILES.push(`editor/${file}`);
	}
	fs.writeFileSync(SNAPSHOT, `${JSON.stringify(resolvedNow(), null, '\t')}\n`);
}

if (process.env.SAVED_WORKFLOWS === 'write') writeSnapshot();
const snapshot = JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8')) as Record<string, Record<string, INodeParameters>>;

describe('workflows saved with version 1 resolve as they did', () => {
	it('the snapshot covers every frozen workflow', () => {
		expect(Object.keys(snapshot).sort()).toEqual([...FILES].sort());
	});

	it.each(FILES)('%s: every node resolves to every parameter and value it resolved to', (file) => {
		const now = resolvedNow()[file];
		for (const [name, parameters] of Object.entries(snapshot[file] ?? {})) {
			expect({ node: name, parameters: now[name] }).toMatchObject({ node: name, parameters });
		}
	});

	it.each(FILES)('%s: every value it sets is kept, every option value is offered, no parameter issues', (file) => {
		for (const { node, description } of ours(load(file))) {
			const resolved = resolve(node, description);
			const shown = (property: INodeProperties) => NodeHelpers.displayParameter(resolved, property, node, description);
			const issues = NodeHelpers.getNodeParametersIssues(description.properties, { ...node, parameters: resolved }, description);
			expect({
				node: node.name,
				lost: lostValues(node.parameters, resolved, ''),
				notOffered: optionProblems(description.properties, resolved, '', shown),
				issues,
			}).toEqual({ node: node.name, lost: [], notOffered: [], issues: null });
		}
	});
});

describe.each(['whatsapp-echo-bot.json', 'editor/whatsapp-echo-bot.json', 'messenger-echo-bot.json', 'editor/messenger-echo-bot.json'])(
	'%s through the engine against the emulator',
	(file) => {
		const channel = path.basename(file).split('-')[0];
		const kit = kitOf(channel) as ChannelKit;
		const adapter = adapterFor(channel)!;
		let emu: Emulator;
		let hook: WebhookTrigger | undefined;

		beforeEach(async () => {
			seenEvents.clear();
			emu = await kit.emulator.start();
		});
		afterEach(async () => {
			await hook?.close();
			await emu.stop();
		});

		it('answers the customer as it did: "You said: …", once', async () => {
			const workflow = load(file);
			workflow.id = `wf-saved-${randomUUID().slice(0, 8)}`;
			// what the editor gives a trigger when the workflow is imported
			for (const node of workflow.nodes) if (node.type.endsWith('Trigger')) (node as INode).webhookId = randomUUID();
			hook = await startWebhookTrigger({
				workflow,
				nodeTypes: { 'n8n-nodes-teamspirit.chatChannelTrigger': new ChatChannelTrigger(), 'n8n-nodes-teamspirit.chatChannel': new ChatChannel() },
				credentialTypes: [kit.credentialType],
				credentials: { [adapter.credentialType]: kit.credentials(emu) },
				listen: true,
				runWorkflow: true,
			});
			await hook.activate();
			expect(await kit.deliver(emu, hook, { key: 1 })).toBe(200);
			await hook.settled();
			const calls = hook.calls.filter((call) => call.started);
			expect(calls).toHaveLength(1);
			expect(calls[0].run?.status).toBe('success');
			const conversationId = String(calls[0].workflowData![0][0].json.conversationId);
			expect(kit.sent(emu, conversationId).map((m) => m.text)).toEqual(['You said: hi 1']);
		});
	},
);
