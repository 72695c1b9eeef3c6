/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// n8n-core's dependency injection reads decorator metadata.
	setupFiles: ['reflect-metadata'],
	// Prints the reliability counts (faults, sends, duplicates, leaks, rejected inputs) at the end.
	globalSetup: '<rootDir>/test/reliability/ledger.setup.ts',
	globalTeardown: '<rootDir>/test/reliability/summary.teardown.ts',
	testTimeout: 30_000,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
};
