/**
 * The conversation examples (examples/<channel>-conversations.json) ship with a contact centre:
 * a queue in Forward to TeamSpirit (routing, business hours, greeting, away reply, closing
 * message, rating) and a Schedule Trigger → Process Due Conversations. The bridge's own suites
 * (engine, e2e, queue mode, the sandbox) prove what they proved before on the examples without
 * them, whatever the time of day: `withoutContactCentre`. The contact centre as shipped is run by
 * test/nodes/ChatChannel/conversation-ops-examples.test.ts.
 */
type Node = { name?: unknown; type?: unknown; parameters?: unknown };

interface ExampleWorkflow {
	nodes: Node[];
	connections: object;
}

const parametersOf = (node: Node) => (node.parameters ?? {}) as Record<string, unknown>;

const SCHEDULED = (node: Node) =>
	node.type === 'n8n-nodes-base.scheduleTrigger' || parametersOf(node).operation === 'processDue';

/** The example without its queue and its scheduled Process Due Conversations (in place). */
export function withoutContactCentre<W extends ExampleWorkflow>(workflow: W): W {
	const dropped = new Set(workflow.nodes.filter(SCHEDULED).map((node) => String(node.name)));
	workflow.nodes = workflow.nodes.filter((node) => !dropped.has(String(node.name)));
	const connections = workflow.connections as Record<string, unknown>;
	for (const name of dropped) delete connections[name];
	for (const node of workflow.nodes) delete parametersOf(node).contactCentre;
	return workflow;
}
