/**
 * What the AI first line's engine tests share: the conversation example with a bot-first queue
 * (Support: First Line "AI Agent First", least busy, both operators online), Forward to
 * TeamSpirit's Output "Only Messages the AI Agent Should Answer", and the two operations the AI
 * Agent uses, Reply as Bot and Hand Over to Operator, as nodes of the workflow that a test runs
 * with the item the agent got (the agent itself is E's e2e: here its answer is a fixed text).
 */
import type { IDataObject, INodeType } from 'n8n-workflow';

import { ChatChannelTrigger } from '../../../nodes/ChatChannelTrigger/ChatChannelTrigger.node';
import { TeamSpiritTrigger } from '../../../nodes/TeamSpiritTrigger/TeamSpiritTrigger.node';
import { runWorkflow } from '../../harness';
import { startCommands } from './commands-setup';
import { runNode, type Bridge, type BridgeOptions, type Channel, type Customer } from './setup';

export const BOT_FIRST = {
	firstLine: 'bot',
	routing: 'leastBusy',
	greeting: 'Hi {customer}, an operator will be with you shortly.',
	handoverMessage: 'A colleague will answer you in a minute.',
};

/** The bridge with a bot-first Support queue (or `support` instead) and the agent's two nodes. */
export async function startAi(
	support: IDataObject = BOT_FIRST,
	options: BridgeOptions = {},
	channel: Channel = 'telegram',
) {
	const started = await startCommands(channel, support, {
		forwardOptions: { output: 'botOwned' },
		...options,
	});
	addAgentNodes(started.bridge, channel);
	return started;
}

/** Reply as Bot and Hand Over to Operator beside the example's nodes (run by the tests). */
function addAgentNodes(b: Bridge, channel: Channel): void {
	const forward = b.workflow.nodes.find((n) => n.name === 'Forward to TeamSpirit')!;
	const node = (name: string, parameters: IDataObject, y: number) => ({
		...forward,
		id: `${name}-id`,
		name,
		position: [forward.position[0] + 400, y] as [number, number],
		parameters: { channel, resource: 'conversation', ...parameters },
	});
	b.workflow.nodes.push(
		node('Reply as Bot', { operation: 'replyAsBot', text: "={{ 'Bot: ' + $json.text }}" }, 600),
		node('Hand Over', { operation: 'handOver', reason: 'The customer asks for a refund' }, 800),
	);
}

/** What Forward to TeamSpirit gave the next node for the customer's last message. */
export function forwarded(b: Bridge): IDataObject[] {
	const calls = b.started().customer;
	const run = calls[calls.length - 1]?.run;
	return (run?.nodeOutput('Forward to TeamSpirit') ?? []).map((item) => item.json);
}

/** Runs one of the agent's nodes with `item` (the item the agent got) in this process. */
export async function agentRuns(b: Bridge, node: string, item: IDataObject): Promise<IDataObject> {
	const run = await runNode(b, node, [item]);
	expect(run.status).toBe('success');
	await b.settle();
	return run.nodeOutput(node)[0].json;
}

/** Runs one of the agent's nodes in another n8n process (a fresh copy of the package's modules). */
export async function agentRunsIn(
	b: Bridge,
	chatChannel: INodeType,
	node: string,
	item: IDataObject,
): Promise<IDataObject> {
	const run = await runWorkflow({
		workflow: b.workflow,
		nodeTypes: {
			'n8n-nodes-teamspirit.chatChannelTrigger': new ChatChannelTrigger(),
			'n8n-nodes-teamspirit.chatChannel': chatChannel,
			'n8n-nodes-teamspirit.teamSpiritTrigger': new TeamSpiritTrigger(),
		},
		credentialTypes: b.credentialTypes,
		credentials: b.credentials,
		startNode: node,
		startItems: [{ json: item }],
		mode: 'webhook',
	});
	expect(run.status).toBe('success');
	return run.nodeOutput(node)[0].json;
}

/** The customer writes; the item the AI Agent gets (one: the filter let it through). */
export async function customerAsks(b: Bridge, customer: Customer, text: string) {
	await b.write(customer, text);
	const items = forwarded(b);
	expect(items).toHaveLength(1);
	return items[0];
}

/** The chat's messages as the operators read them: who (bot / operator name) and the text. */
export function chatLines(b: Bridge, customer: Customer): string[] {
	const names = new Map(b.operators.map((o) => [o.id, o.name]));
	return b.messagesOf(customer).map((m) => `${names.get(m.senderId) ?? 'bot'}: ${m.text}`);
}
