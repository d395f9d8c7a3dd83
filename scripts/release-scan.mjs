// Runs n8n's community-package scanner (@n8n/scan-community-package) on a local build instead
// of a published version. Called by scripts/release-check.sh; not meant to be run alone.
//
//   node scripts/release-scan.mjs <scanner-install-dir> <source-dir> <package-dir>
//
// The scanner's CLI only takes a package name: it downloads the version from the registry, checks
// its npm provenance, fetches the GitHub commit the provenance names, and lints two things with
// `analyzePackage()`:
//   1. the source checkout: `SOURCE_FILE_PATTERNS` (package.json, {nodes,credentials}/**/*.{js,ts,json})
//      in the folder whose package.json has the package's name (`findPackageRoot()`);
//   2. the tarball: every `**/*.js` plus the published package.json.
// Both with `buildScanConfig()` and `allowInlineConfig: false` (eslint-disable comments ignored).
// Here <source-dir> is a copy of the work tree's git-visible files (what a commit would hold) and
// <package-dir> the extracted `npm pack` tarball; the functions called are the scanner's own
// exports, so the rules, globs and pass/fail decision are exactly the scanner's. Only the
// provenance check and the downloads are left out (they need a published version).
//
// Exit code: 0 passed, 1 the scanner failed the package, 2 the scan itself could not run.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [scannerInstallDir, sourceDir, packageDir] = process.argv.slice(2);
if (!scannerInstallDir || !sourceDir || !packageDir) {
	console.error('usage: release-scan.mjs <scanner-install-dir> <source-dir> <package-dir>');
	process.exit(2);
}

const scannerRoot = path.join(scannerInstallDir, 'node_modules/@n8n/scan-community-package');
const scanner = await import(pathToFileURL(path.join(scannerRoot, 'scanner/scanner.mjs')).href);
const { analyzePackage, buildScanConfig, findPackageRoot, SOURCE_FILE_PATTERNS } = scanner;
for (const [name, value] of Object.entries({ analyzePackage, buildScanConfig, findPackageRoot, SOURCE_FILE_PATTERNS })) {
	if (value === undefined) {
		console.error(`scanner: this version of @n8n/scan-community-package does not export ${name}`);
		process.exit(2);
	}
}

// The versions that actually lint (the scanner's own dependencies use caret ranges for some).
const requireFromScanner = createRequire(path.join(scannerRoot, 'package.json'));
const versionOf = (name) => {
	try {
		let dir = path.dirname(requireFromScanner.resolve(name));
		while (!fs.existsSync(path.join(dir, 'package.json')) || JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name !== name) {
			dir = path.dirname(dir);
		}
		return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
	} catch {
		return '?';
	}
};
const scannerVersion = JSON.parse(fs.readFileSync(path.join(scannerRoot, 'package.json'), 'utf8')).version;
console.log(
	`scanner: @n8n/scan-community-package ${scannerVersion} (eslint ${versionOf('eslint')}, ` +
		`@n8n/eslint-plugin-community-nodes ${versionOf('@n8n/eslint-plugin-community-nodes')}, ` +
		`eslint-plugin-n8n-nodes-base ${versionOf('eslint-plugin-n8n-nodes-base')}, ` +
		`@typescript-eslint/parser ${versionOf('@typescript-eslint/parser')})`,
);

const packageName = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).name;

// The scanner lints the folder of the source checkout whose package.json carries the package name.
const foundRoot = findPackageRoot(sourceDir, packageName);
if (!foundRoot || path.resolve(foundRoot) !== path.resolve(sourceDir)) {
	const where = foundRoot ? path.relative(sourceDir, foundRoot) : 'nowhere';
	console.log(`❌ scanner would look for the source of ${packageName} in ${where}, not in the repository root`);
	process.exit(1);
}

const legs = [
	{ label: `source (${SOURCE_FILE_PATTERNS.join(', ')})`, dir: sourceDir, patterns: SOURCE_FILE_PATTERNS },
	{ label: 'tarball (**/*.js, package.json)', dir: packageDir, patterns: ['**/*.js', 'package.json'] },
];

let failed = false;
for (const leg of legs) {
	const started = Date.now();
	const result = await analyzePackage(leg.dir, leg.patterns);
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	if (result.passed) {
		console.log(`✅ scanner, ${leg.label}: passed (${seconds} s)`);
		continue;
	}
	failed = true;
	console.log(`❌ scanner, ${leg.label}: ${result.message} (${seconds} s)`);
	if (result.details) console.log(result.details.replaceAll(leg.dir + path.sep, ''));
	if (result.error && !result.details) process.exitCode = 2;
}

// The scanner lets warnings pass and prints them only beside an error. Show them anyway: they are
// the rules n8n's reviewers look at next. Same config, same files, so the numbers match the scan.
if (!failed) {
	const { ESLint } = await import(pathToFileURL(requireFromScanner.resolve('eslint')).href);
	const { default: glob } = await import(pathToFileURL(requireFromScanner.resolve('fast-glob')).href);
	const overrideConfig = await buildScanConfig();
	for (const leg of legs) {
		const eslint = new ESLint({ cwd: leg.dir, allowInlineConfig: false, overrideConfigFile: true, overrideConfig });
		const files = glob.sync(leg.patterns, { cwd: leg.dir, absolute: true, ignore: ['node_modules/**', '**/package-lock.json'] });
		const results = await eslint.lintFiles(files);
		const warnings = results.reduce((n, r) => n + r.warningCount, 0);
		if (warnings === 0) continue;
		const formatter = await eslint.loadFormatter('stylish');
		console.log(`⚠️  scanner, ${leg.label}: ${warnings} warning(s) (do not fail the scan)`);
		console.log((await formatter.format(results)).replaceAll(leg.dir + path.sep, ''));
	}
}

console.log('skipped: provenance check (n8n checks it on the published version: publish with `npm publish --provenance`)');
if (failed && !process.exitCode) process.exitCode = 1;
