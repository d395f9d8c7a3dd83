/**
 * The website chat widget as the trigger serves it (nodes/channels/website/widget/assets.ts,
 * generated from widget/ by scripts/build-widget.mjs): up to date with its sources, small, plain
 * ES2019 that only uses the browser APIs listed here, and free of the ways a page gets injected
 * (eval, innerHTML and friends).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

import { Linter } from 'eslint';

import {
	WIDGET_SCRIPT,
	WIDGET_STYLE,
	WIDGET_VERSION,
} from '../../nodes/channels/website/widget/assets';

const ROOT = path.join(__dirname, '../..');

/** Every global the widget may touch besides the language's own (ES2019). */
const BROWSER_GLOBALS = [
	'window',
	'document',
	'console',
	'fetch',
	'FormData',
	'URL',
	'setTimeout',
	'crypto',
].reduce<Record<string, 'readonly'>>((all, name) => ({ ...all, [name]: 'readonly' }), {});

function lint(code: string) {
	return new Linter({ configType: 'flat' }).verify(code, [
		{
			languageOptions: {
				ecmaVersion: 2019,
				sourceType: 'script',
				globals: {
					...BROWSER_GLOBALS,
					Map: 'readonly',
					Set: 'readonly',
					Promise: 'readonly',
					Uint8Array: 'readonly',
				},
			},
			rules: {
				'no-undef': 'error',
				'no-eval': 'error',
				'no-implied-eval': 'error',
				'no-new-func': 'error',
				'no-restricted-properties': [
					'error',
					...[
						'innerHTML',
						'outerHTML',
						'insertAdjacentHTML',
						'write',
						'writeln',
						'srcdoc',
						'createContextualFragment',
					].map((property) => ({ property, message: `${property} builds markup from strings` })),
				],
			},
		},
	]);
}

describe('website chat widget assets', () => {
	it('are generated from widget/chat.js and widget/chat.css as committed (not stale)', () => {
		let output = '';
		try {
			output = execFileSync(process.execPath, ['scripts/build-widget.mjs', '--check'], {
				cwd: ROOT,
				encoding: 'utf8',
				stdio: 'pipe',
			});
		} catch (error) {
			throw new Error(
				`assets.ts is stale: run npm run build\n${(error as { stderr?: string }).stderr ?? error}`,
			);
		}
		expect(output).toContain(WIDGET_VERSION);
	});

	it('stay under 40 KB together, in plain ASCII (no charset surprises when served)', () => {
		expect(Buffer.byteLength(WIDGET_SCRIPT) + Buffer.byteLength(WIDGET_STYLE)).toBeLessThan(
			40 * 1024,
		);
		expect(WIDGET_SCRIPT).toMatch(/^[\x00-\x7f]*$/);
		expect(WIDGET_STYLE).toMatch(/^[\x00-\x7f]*$/);
		expect(WIDGET_VERSION).toMatch(/^[0-9a-f]{16}$/);
	});

	it('is an ES2019 script using only the listed browser globals, without eval or markup from strings', () => {
		expect(lint(WIDGET_SCRIPT).map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual([]);
	});

	it('the checks above catch what they forbid', () => {
		const rules = (code: string) => lint(code).map((m) => m.ruleId ?? 'parse');
		expect(rules('var a = b?.c;')).toEqual(['parse']);
		expect(rules('document.body.innerHTML = "x";')).toEqual(['no-restricted-properties']);
		expect(rules('eval("1");')).toEqual(['no-eval']);
		expect(rules('localStorageX.get();')).toEqual(['no-undef']);
		expect(rules('new XMLHttpRequest();')).toEqual(['no-undef']);
	});

	it('requests only the folder it was loaded from (one fetch, to base + path)', () => {
		expect(WIDGET_SCRIPT.match(/\bfetch\(/g)).toEqual(['fetch(']);
		expect(WIDGET_SCRIPT).toContain('fetch(base + path');
		expect(WIDGET_SCRIPT).toContain("new URL('.', script.src)");
		expect(WIDGET_SCRIPT).not.toMatch(/XMLHttpRequest|sendBeacon|WebSocket|importScripts/);
	});
});
