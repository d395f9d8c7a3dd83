/**
 * The examples' own rules: no Code (or Function) node anywhere (a site owner reads and changes them
 * without JavaScript), and the webhook triggers ship without a webhook id and with an empty path,
 * so n8n's editor gives every import its own URL (README "Examples").
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.join(__dirname, '..', '..', 'examples');
const examples = readdirSync(DIR)
	.filter((f) => f.endsWith('.json'))
	.map((f) => [f, JSON.parse(readFileSync(path.join(DIR, f), 'utf8'))] as const);

describe.each(examples)('examples/%s', (_name, workflow) => {
	const nodes = workflow.nodes as Array<{ type: string; webhookId?: string; parameters: { path?: string } }>;
	it('has no Code node', () => {
		expect(nodes.filter((n) => /^n8n-nodes-base\.(code|function|functionItem)$/.test(n.type)).map((n) => n.type)).toEqual([]);
	});
	it('leaves webhook ids and paths to the editor', () => {
		const hooks = nodes.filter((n) => ['n8n-nodes-base.webhook', 'n8n-nodes-base.formTrigger'].includes(n.type));
		expect(hooks.map((n) => ({ webhookId: n.webhookId, path: n.parameters.path ?? '' }))).toEqual(hooks.map(() => ({ webhookId: undefined, path: '' })));
		expect(nodes.filter((n) => n.webhookId)).toEqual([]);
	});
});
