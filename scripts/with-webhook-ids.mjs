#!/usr/bin/env node
// Makes a workflow export (examples/*.json) ready for n8n's CLI (`n8n import:workflow`): every
// trigger node gets a webhookId of its own, and a workflow without an id gets one. The editor does
// both when it imports a file; the CLI does neither: without an id `import:workflow --input=<file>`
// fails, and a trigger without a webhookId is registered under its node name (percent-encoded),
// which n8n 2.41 answers with 404 for every delivery.
//
//   node scripts/with-webhook-ids.mjs examples/telegram-conversations.json > /tmp/wf.json
//   n8n import:workflow --input=/tmp/wf.json
//   n8n publish:workflow --id=<the id it printed>
//
// Takes one workflow or an array of them (as `n8n export:workflow` writes), from a file or stdin;
// writes JSON to stdout and each workflow's id to stderr. Ids and webhookIds already there are kept;
// nothing else changes. Every run gives fresh ones, so one example can be provisioned twice. Plain
// Node.js (>= 18), no dependencies: it runs wherever n8n runs, also inside n8n's Docker image.
import { randomInt, randomUUID } from 'node:crypto';
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
/** A workflow id of the shape n8n generates: 16 letters and digits. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const workflowId = () => Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');

const workflows = Array.isArray(data) ? data : [data];
const report = [];
for (const workflow of workflows) {
	if (!Array.isArray(workflow?.nodes)) {
		console.error('with-webhook-ids: not an n8n workflow (no "nodes" list)');
		process.exit(1);
	}
	workflow.id ||= workflowId();
	let assigned = 0;
	for (const node of workflow.nodes) {
		if (node && typeof node.type === 'string' && getsWebhook(node.type) && !node.webhookId) {
			node.webhookId = randomUUID();
			assigned++;
		}
	}
	report.push(`id ${workflow.id}: "${workflow.name ?? ''}" (${assigned} webhookId(s) assigned)`);
}
process.stdout.write(`${JSON.stringify(data, null, '\t')}\n`);
for (const line of report) console.error(`with-webhook-ids: ${line}`);
