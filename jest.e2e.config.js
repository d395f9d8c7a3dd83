/**
 * End-to-end tests against a real n8n (scripts/e2e.sh builds and packs the package, sets
 * TS_PACKAGE_TARBALL and puts n8n / Node 24 on PATH). Jest itself may run on an older Node;
 * the n8n processes it starts run on Node 24 (TS_NODE24_BIN).
 *
 *   npm run test:e2e
 */
/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	rootDir: __dirname,
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
	testPathIgnorePatterns: ['/node_modules/', '/dist/'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
	// n8n CLI calls take seconds each; a first `n8n-env.sh` install takes minutes
	testTimeout: 10 * 60 * 1000,
	// one n8n at a time: suites share the machine's CPU and the emulator ports
	maxWorkers: 1,
	// the n8n that suites may share (test/e2e/shared-n8n.ts): a state file named before, the process
	// stopped after all suites
	globalSetup: '<rootDir>/test/e2e/global-setup.js',
	globalTeardown: '<rootDir>/test/e2e/global-teardown.js',
	verbose: true,
};
