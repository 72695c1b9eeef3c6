// n8n's own community-node lint setup (what `n8n-node lint` runs), in its variant for packages
// that do not support n8n Cloud. This package targets self-hosted n8n only — MNotify answers
// registered IP addresses alone, which n8n Cloud cannot have (README, "Why self-hosted n8n
// only") — so n8n's three Cloud-only rules are off. With n8n's default (Cloud) config they report
// errors in nodes/ and package.json, each one deliberate:
//
// - no-restricted-imports: undici (transport/client.ts, proxy.ts, proxyTunnel.ts) for pooled
//   keep-alive mutual TLS and for telling when a write reached a connection; node:tls
//   (client.ts, clientCertificate.ts, handshakeProbe.ts, proxy.ts, proxyTunnel.ts) to build the
//   client certificate's secure context and probe the handshake; node:timers/promises (client.ts)
//   to yield the event loop; pg (notification/ledger/) for the PostgreSQL sent-ledger; node:net
//   (transport/proxyTunnel.ts) for the CONNECT tunnel through a corporate proxy.
// - no-restricted-globals: setTimeout/clearTimeout (helpers/pacing.ts, transport/client.ts,
//   credentialCheck.ts, handshakeProbe.ts, proxyTunnel.ts, send/dedupe.ts,
//   ledger/processedDataLease.ts) for deadlines and waits that a stop or an answer cancels;
//   process (transport/clientCache.ts, credentialCheck.ts) to read HTTPS_PROXY / NO_PROXY;
//   setInterval/clearInterval (ledger/postgresLedger.ts) for the PostgreSQL ledger's heartbeat.
// - no-runtime-dependencies (package.json): undici and pg are runtime dependencies (docs/dependencies.md).
//
// Two node-authoring rules are disabled in place, with their reasons: credential-password-field
// on Extra CA Certificates (public certificates), node-param-default-missing on the Send option
// groups (defaults taken from their definitions).
//
// `npm run scan` runs n8n's scanner with the same rules and fails on any finding beyond these
// (by rule and by module or global, whatever the file), so the deviations cannot grow unnoticed.
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
			// Runtime dependencies on purpose (see the top and docs/dependencies.md).
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
