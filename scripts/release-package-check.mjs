// What publishing needs beyond the scanner's lint: package.json fields n8n and npm look at, and
// what the tarball holds. Called by scripts/release-check.sh; not meant to be run alone.
//
//   node scripts/release-package-check.mjs <repo-root> <package-dir> <npm-pack-json>
//
// <package-dir> is the extracted tarball, <npm-pack-json> the output of `npm pack --json`.
// Prints one line per problem ("❌ …") and per warning ("⚠️  …"), then the tarball's size and
// file count. Exit code 1 when there is a problem.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

const [repoRoot, packageDir, packJsonPath] = process.argv.slice(2);
if (!repoRoot || !packageDir || !packJsonPath) {
	console.error('usage: release-package-check.mjs <repo-root> <package-dir> <npm-pack-json>');
	process.exit(2);
}

const problems = [];
const warnings = [];
const problem = (message) => problems.push(message);
const warn = (message) => warnings.push(message);

const pack = JSON.parse(fs.readFileSync(packJsonPath, 'utf8'))[0];
const files = pack.files.map((f) => f.path);
const inTarball = new Set(files);
const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
const read = (file) => fs.readFileSync(path.join(packageDir, file), 'utf8');

// --- package.json -------------------------------------------------------------------------------

// n8n installs community packages by name and only lists names that follow the convention.
if (!/^(@[a-z0-9][a-z0-9._~-]*\/)?n8n-nodes-[a-z0-9._~-]+$/.test(pkg.name ?? '')) {
	problem(`package.json name "${pkg.name}" must be n8n-nodes-<name> or @<scope>/n8n-nodes-<name>`);
}
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(pkg.version ?? '')) {
	problem(`package.json version "${pkg.version}" is not a semantic version`);
}
if (!Array.isArray(pkg.keywords) || !pkg.keywords.includes('n8n-community-node-package')) {
	problem('package.json keywords must include "n8n-community-node-package" (n8n and npm search find community nodes by it)');
}
if (!pkg.license) problem('package.json has no "license"');
if (!files.some((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f))) {
	warn(`the tarball has no LICENSE file (package.json says "${pkg.license}"; MIT asks for the notice to ship with the code)`);
}

// npm provenance needs repository.url to be the GitHub repository the publishing workflow runs in,
// and n8n's scanner fetches the source from the GitHub repository the provenance names.
const repoUrl = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
if (!repoUrl) {
	problem('package.json has no "repository": npm provenance and n8n\'s source scan need the GitHub repository URL');
} else if (!/^(git\+)?https:\/\/github\.com\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+?(\.git)?$/.test(repoUrl)) {
	problem(`package.json repository.url "${repoUrl}" must be https://github.com/<owner>/<repo>(.git): n8n only fetches sources from GitHub`);
}
if (!pkg.homepage) warn('package.json has no "homepage"');
if (!pkg.author?.name && typeof pkg.author !== 'string') problem('package.json has no "author" name');
if (!pkg.description) problem('package.json has no "description"');

// n8n Cloud and verified nodes: no runtime dependencies; everything ships in the package.
for (const field of ['dependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']) {
	const value = pkg[field];
	const names = Array.isArray(value) ? value : Object.keys(value ?? {});
	if (names.length > 0) problem(`package.json "${field}" lists ${names.join(', ')}: verified community nodes have no runtime dependencies`);
}
for (const script of ['preinstall', 'install', 'postinstall', 'prepare']) {
	if (pkg.scripts?.[script]) problem(`package.json scripts.${script} runs on the user's n8n at install: remove it`);
}

// --- the n8n block: every listed file is in the tarball and exports the class n8n loads --------

const n8n = pkg.n8n;
if (!n8n || typeof n8n !== 'object') {
	problem('package.json has no "n8n" block');
} else {
	if (n8n.n8nNodesApiVersion !== 1) problem(`package.json n8n.n8nNodesApiVersion is ${n8n.n8nNodesApiVersion}, expected 1`);
	if (!Array.isArray(n8n.nodes) || n8n.nodes.length === 0) problem('package.json n8n.nodes lists no node');
	const listed = [
		...(n8n.nodes ?? []).map((file) => ({ file, kind: 'nodes', suffix: '.node.js' })),
		...(n8n.credentials ?? []).map((file) => ({ file, kind: 'credentials', suffix: '.credentials.js' })),
	];
	const seen = new Set();
	for (const { file, kind, suffix } of listed) {
		const normalized = path.posix.normalize(file);
		if (seen.has(normalized)) problem(`package.json n8n.${kind} lists ${file} twice`);
		seen.add(normalized);
		if (!file.endsWith(suffix)) problem(`package.json n8n.${kind}: ${file} does not end in ${suffix}`);
		if (!inTarball.has(normalized)) {
			problem(`package.json n8n.${kind}: ${file} is not in the tarball`);
			continue;
		}
		// n8n's loader takes the class name from the file name (Foo.node.js -> class Foo).
		const className = path.posix.basename(normalized).split('.')[0];
		const code = read(normalized);
		if (!new RegExp(`exports\\.${className}\\s*=\\s*${className}\\b`).test(code)) {
			problem(`${file} does not export class ${className}: n8n loads the class named like the file`);
		}
		// Icons referenced as file:… are resolved next to the compiled file.
		for (const [, icon] of code.matchAll(/['"]file:([^'"]+)['"]/g)) {
			const iconPath = path.posix.join(path.posix.dirname(normalized), icon);
			if (!inTarball.has(iconPath)) problem(`${file} uses icon file:${icon}, but ${iconPath} is not in the tarball`);
		}
		if (kind === 'nodes') {
			const codex = normalized.replace(/\.js$/, '.json');
			if (!inTarball.has(codex)) warn(`${file} has no codex file ${codex} (categories and docs links in n8n's node panel)`);
		}
	}
	// A node or credential in dist/ that package.json does not list is never loaded.
	for (const file of files) {
		if (/\.(node|credentials)\.js$/.test(file) && !seen.has(file)) {
			problem(`${file} is in the tarball but not listed in package.json's n8n block`);
		}
	}
}
if (pkg.main && !inTarball.has(path.posix.normalize(pkg.main))) problem(`package.json main "${pkg.main}" is not in the tarball`);

// --- tarball contents ---------------------------------------------------------------------------

const readme = files.find((f) => /^readme(\.md)?$/i.test(f));
if (!readme) problem('the tarball has no README.md (npm and n8n show it as the package page)');
else if (read(readme).trim().length < 200) problem(`${readme} is nearly empty`);

const forbidden = [
	[/(^|\/)(test|tests|__tests__|__mocks__|e2e)\//, 'a test folder'],
	[/\.(test|spec)\.[cm]?[jt]s$/, 'a test file'],
	[/(^|\/)\.env(\..*)?$/, 'an .env file'],
	[/(^|\/)\.npmrc$/, 'an .npmrc file'],
	[/(^|\/)node_modules\//, 'node_modules'],
	[/\.tgz$/, 'a tarball'],
	[/(^|\/)\.(git|github|vscode|idea|n8n|n8n-dev)\//, 'a tool folder'],
	[/\.(pem|key|p12|pfx)$/, 'a key file'],
	[/(^|\/)(coverage|\.tmp|tmp)\//, 'a build or coverage leftover'],
];
for (const file of files) {
	for (const [pattern, what] of forbidden) {
		if (pattern.test(file)) problem(`the tarball contains ${what}: ${file}`);
	}
}
const allowedOutsideDist = new Set(['package.json', 'index.js', readme, ...files.filter((f) => /^(licen[cs]e|copying|changelog)/i.test(f))]);
for (const file of files) {
	if (!file.startsWith('dist/') && !allowedOutsideDist.has(file)) problem(`the tarball contains ${file}, outside dist/ (check "files" in package.json)`);
}

// dist/ is not emptied by `npm run build`: compiled files of renamed or deleted sources stay and ship.
for (const file of files.filter((f) => f.startsWith('dist/'))) {
	const rel = file.slice('dist/'.length);
	const candidates = /\.d\.ts$/.test(rel)
		? [rel.replace(/\.d\.ts$/, '.ts')]
		: /\.js\.map$/.test(rel)
			? [rel.replace(/\.js\.map$/, '.ts')]
			: /\.js$/.test(rel)
				? [rel.replace(/\.js$/, '.ts'), rel]
				: // a node's codex written by scripts/build-codex.mjs from its description
					/\.node\.json$/.test(rel)
					? [rel, rel.replace(/\.json$/, '.ts')]
					: [rel];
	if (!candidates.some((c) => fs.existsSync(path.join(repoRoot, c)))) {
		problem(`${file} has no source (${candidates[0]}) any more: a stale build output; run \`rm -rf dist && npm run build\``);
	}
}

// Source maps: each must exist where a .js points to it, and each source it names must either ship
// in the tarball or be embedded (sourcesContent); otherwise debuggers and stack traces point nowhere.
const mapsMissingSources = [];
for (const file of files.filter((f) => f.endsWith('.js'))) {
	const match = read(file).match(/\/\/# sourceMappingURL=(\S+)\s*$/);
	if (!match || match[1].startsWith('data:')) continue;
	const mapPath = path.posix.join(path.posix.dirname(file), match[1]);
	if (!inTarball.has(mapPath)) problem(`${file} points to source map ${match[1]}, which is not in the tarball`);
}
for (const file of files.filter((f) => f.endsWith('.map'))) {
	let map;
	try {
		map = JSON.parse(read(file));
	} catch {
		problem(`${file} is not valid JSON`);
		continue;
	}
	const missing = (map.sources ?? []).filter((source, i) => {
		if (map.sourcesContent?.[i] != null) return false;
		const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), map.sourceRoot ?? '', source));
		return !inTarball.has(resolved);
	});
	if (missing.length > 0) mapsMissingSources.push({ file, missing });
}
if (mapsMissingSources.length > 0) {
	const [first] = mapsMissingSources;
	problem(
		`${mapsMissingSources.length} source map(s) name sources that are not in the tarball and not embedded, ` +
			`e.g. ${first.file} -> ${first.missing[0]}: set "inlineSources": true (or "sourceMap": false) in tsconfig.build.json`,
	);
}

// --- the registry: a version can be published once ----------------------------------------------

const view = spawnSync('npm', ['view', `${pkg.name}@${pkg.version}`, 'version', '--json'], { encoding: 'utf8', timeout: 60_000 });
const viewOutput = `${view.stdout ?? ''}${view.stderr ?? ''}`;
if (view.status === 0 && view.stdout.trim() !== '') {
	problem(`${pkg.name}@${pkg.version} is already on npm: bump the version`);
} else if (view.status !== 0 && !/E404|404 Not Found/.test(viewOutput)) {
	warn(`could not ask npm whether ${pkg.name}@${pkg.version} is already published: ${viewOutput.trim().split('\n')[0] ?? 'no answer'}`);
}

// --- report -------------------------------------------------------------------------------------

const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`tarball: ${pack.filename}, ${kib(pack.size)} packed, ${kib(pack.unpackedSize)} unpacked, ${pack.entryCount} files`);
if (pack.size > 5 * 1024 * 1024) warn(`the tarball is ${kib(pack.size)}: more than 5 MiB, check what it ships`);
for (const message of warnings) console.log(`⚠️  ${message}`);
for (const message of problems) console.log(`❌ ${message}`);
if (problems.length === 0) console.log('✅ package checks passed');
process.exitCode = problems.length > 0 ? 1 : 0;
