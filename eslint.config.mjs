// n8n's own community-node lint setup, in the variant without the n8n-Cloud restrictions.
// Those forbid importing anything but a short allow-list (so no `undici`) and forbid runtime
// dependencies. This package targets self-hosted n8n — MNotify only answers registered IP
// addresses, which n8n Cloud cannot have — and needs undici for pooled keep-alive mTLS
// (see README, "Why self-hosted n8n only").
import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

/** The sandbox, tools, benchmarks and tests are not n8n nodes: node-authoring rules do not apply. */
const notNodeCode = ['dev/**/*.ts', 'dev/**/*.mjs', 'test/**/*.ts'];

function nodeAuthoringRulesOff(configs) {
	const rules = {};
	for (const config of configs) {
		for (const name of Object.keys(config.rules ?? {})) {
			if (name.startsWith('@n8n/community-nodes/') || name.startsWith('n8n-nodes-base/')) {
				rules[name] = 'off';
			}
		}
	}
	return rules;
}

export default [
	...configWithoutCloudSupport,
	{
		ignores: ['dist', 'dev/dist', 'coverage', '.e2e', '.sandbox', 'node_modules', 'bench-results'],
	},
	{
		files: ['package.json'],
		rules: {
			// undici is our one runtime dependency, deliberately: see the comment at the top.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
	{
		files: notNodeCode,
		rules: {
			...nodeAuthoringRulesOff(configWithoutCloudSupport),
			// Command-line tools report to the terminal.
			'no-console': 'off',
		},
	},
	{
		files: ['test/**/*.ts'],
		rules: {
			// Tests read API answers as loose JSON.
			'@typescript-eslint/no-explicit-any': 'off',
		},
	},
];
