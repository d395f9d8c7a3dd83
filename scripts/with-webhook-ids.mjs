#!/usr/bin/env node
// Gives every trigger node of a workflow export a webhookId of its own, so that a workflow
// imported with n8n's CLI (`n8n import:workflow`) gets working webhook URLs. The editor assigns
// one when it imports a file; the CLI does not, and n8n 2.41 then registers the trigger under its
// node name (percent-encoded) and answers 404 to every delivery.
//
//   node scripts/with-webhook-ids.mjs examples/telegram-conversations.json > /tmp/wf.json
//   n8n import:workflow --input=/tmp/wf.json
//
// Takes one workflow or an array of them (as `n8n export:workflow` writes), from a file or stdin;
// writes JSON to stdout. Nodes that already have a webhookId keep it; nothing else changes. Plain
// Node.js (>= 18), no dependencies: it runs wherever n8n runs, also inside n8n's Docker image.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Trigger nodes (n8n names them ...Trigger) and n8n's Webhook node get webhook URLs. */
const getsWebhook = (type) => /Trigger$/.test(type) || type === 'n8n-nodes-base.webhook';

const input = process.argv[2];
if (process.argv.length > 3 || input === '-h' || input === '--help') {
	console.error('usage: node scripts/with-webhook-ids.mjs [workflow.json] > out.json');
	process.exit(2);
}
let data;
try {
	data = JSON.parse(readFileSync(input ?? 0, 'utf8'));
} catch (error) {
	console.error(`with-webhook-ids: cannot read a workflow from ${input ?? 'stdin'}: ${error.message}`);
	process.exit(1);
}
const workflows = Array.isArray(data) ? data : [data];
let assigned = 0;
for (const workflow of workflows) {
	if (!Array.isArray(workflow?.nodes)) {
		console.error('with-webhook-ids: not an n8n workflow (no "nodes" list)');
		process.exit(1);
	}
	for (const node of workflow.nodes) {
		if (node && typeof node.type === 'string' && getsWebhook(node.type) && !node.webhookId) {
			node.webhookId = randomUUID();
			assigned++;
		}
	}
}
process.stdout.write(`${JSON.stringify(data, null, '\t')}\n`);
console.error(`with-webhook-ids: ${assigned} webhookId(s) assigned`);
