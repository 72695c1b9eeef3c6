/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// reflect-metadata for n8n-core's dependency injection; n8n's logger kept quiet.
	setupFiles: ['<rootDir>/test/quiet.setup.ts'],
	// Builds dist/ (workflow tests load it as n8n does); prints the reliability counts (faults, sends, duplicates, leaks, rejected inputs) at the end.
	globalSetup: '<rootDir>/test/global.setup.ts',
	globalTeardown: '<rootDir>/test/reliability/summary.teardown.ts',
	testTimeout: 30_000,
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }],
	},
};
