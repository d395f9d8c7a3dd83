#!/usr/bin/env node
// Fails when a name exported from nodes/ or credentials/ is used nowhere else in the repository
// (nodes, credentials, tests, scripts): dead exports hide what a module really offers.
// Values only (types may be exported for the signatures that use them). Node and credential classes are used by n8n through package.json, so they count as used.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const walk = (dir) =>
	readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
		return statSync(path).isDirectory() ? walk(path) : /\.(ts|mjs|js)$/.test(name) ? [path] : [];
	});
const sources = [...walk(join(root, 'nodes')), ...walk(join(root, 'credentials'))];
const everything = [...sources, ...walk(join(root, 'test')), ...walk(join(root, 'scripts'))];
const texts = new Map(everything.map((file) => [file, readFileSync(file, 'utf8')]));

const unused = [];
for (const file of sources) {
	if (/\.(node|credentials)\.ts$/.test(file)) continue;
	const text = texts.get(file);
	const names = [...text.matchAll(/^export (?:async )?(?:const|let|function|class|enum) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
	for (const name of names) {
		const word = new RegExp(`\\b${name.replace(/\$/g, '\\$')}\\b`);
		// a file that declares a namesake of its own does not use this one
		const own = new RegExp(`(?:function|const|let|class|enum)\\s+${name.replace(/\$/g, '\\$')}\\b`);
		const usedElsewhere = [...texts].some(([other, body]) => other !== file && word.test(body) && !own.test(body));
		if (!usedElsewhere) unused.push(`${relative(root, file)}: ${name}`);
	}
}
if (unused.length) {
	console.error(`Exported but used nowhere else (remove the export or the code):\n  ${unused.join('\n  ')}`);
	process.exit(1);
}
console.log(`unused exports: none (${sources.length} files)`);
