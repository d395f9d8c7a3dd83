// Writes dist/<node>.node.json for the nodes whose codex is in their description (the two Chat
// Channel nodes: nodes/channels/codex.ts builds it from the channel registry). n8n takes a
// community package's codex from the description; its custom-nodes folder (~/.n8n/custom) reads
// only the file. Run by `npm run build` after tsc.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const pkg = require(join(root, 'package.json'));

for (const file of pkg.n8n.nodes) {
	const module = require(join(root, file));
	for (const NodeClass of Object.values(module)) {
		if (typeof NodeClass !== 'function') continue;
		const { description } = new NodeClass();
		if (!description?.codex) continue;
		const codex = {
			node: `${pkg.name}.${description.name}`,
			nodeVersion: '1.0',
			codexVersion: '1.0',
			...description.codex,
		};
		writeFileSync(join(root, file.replace(/\.js$/, '.json')), `${JSON.stringify(codex, null, '\t')}\n`);
	}
}
