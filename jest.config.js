/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test', '<rootDir>/nodes', '<rootDir>/credentials'],
	testMatch: ['**/*.test.ts'],
	// *.memory.test.ts measure live memory with forced GC: `npm test` runs them in a process of
	// their own afterwards, where a small heap keeps each GC quick.
	testPathIgnorePatterns: ['/node_modules/', '/dist/', '/test/e2e/', '/test/editor/', '\\.memory\\.test\\.ts$'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }] },
	testTimeout: 60000,
};
