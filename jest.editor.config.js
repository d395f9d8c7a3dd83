/**
 * Editor smoke test: headless Chromium (puppeteer-core, Debian's /usr/bin/chromium) drives a real
 * n8n 2.41.1 editor with the packed package installed. scripts/editor-test.sh installs what is
 * missing, builds, packs, sets TS_PACKAGE_TARBALL and runs this config.
 *
 *   npm run test:editor        npm run screenshots
 */
/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: '<rootDir>/test/editor/environment.js',
	rootDir: __dirname,
	roots: ['<rootDir>/test/editor'],
	testMatch: ['<rootDir>/test/editor/**/*.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/dist/'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'test/editor/tsconfig.json', diagnostics: { warnOnly: false } }] },
	// one browser and one n8n on a 2-core machine that may be busy: steps wait for the editor,
	// never for a fixed time, and may take long under load
	testTimeout: 5 * 60 * 1000,
	maxWorkers: 1,
	verbose: true,
};
