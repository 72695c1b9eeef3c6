/**
 * The layers of the package, checked by `npm run lint` (dependency-cruiser).
 * Product: credentials/ and nodes/. Inside the node: helpers/ (no I/O: pure functions, and the
 * send pace) ← transport/ (the only code that talks to MNotify) ← actions/, methods/ and the node
 * files. dev/ never ships.
 */
const node = '^nodes/MNotify/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
	forbidden: [
		{
			name: 'product-never-imports-dev',
			comment: 'The published package must not depend on the sandbox, harness or benchmarks.',
			severity: 'error',
			from: { path: '^(nodes|credentials)/' },
			to: { path: '^dev/' },
		},
		{
			name: 'sandbox-independent-of-node',
			comment: 'The sandbox checks the node; sharing code with it would make the tests circular.',
			severity: 'error',
			from: { path: '^dev/sandbox/' },
			to: { path: '^(nodes|credentials)/' },
		},
		{
			name: 'transport-below-actions',
			comment: 'The transport knows nothing of operations or panel methods.',
			severity: 'error',
			from: { path: `${node}transport/` },
			to: { path: `${node}(actions|methods)/|${node}[^/]+\\.node\\.ts$` },
		},
		{
			name: 'helpers-are-pure',
			comment:
				'helpers/ holds code without I/O: pure functions, and the waits and send pace (pacing.ts). No transport, no operations, no network.',
			severity: 'error',
			from: { path: `${node}helpers/` },
			to: {
				path: `${node}(transport|actions|methods)/|^(undici|n8n-core)$|^node:(tls|net|http|https|dns)$|^(tls|net|http|https|dns)$`,
			},
		},
		{
			name: 'transport-through-its-index',
			comment: 'Outside transport/, the transport is imported from transport/index.ts only.',
			severity: 'error',
			from: { path: node, pathNot: `${node}transport/` },
			to: { path: `${node}transport/`, pathNot: `${node}transport/index\\.ts$` },
		},
		{
			name: 'no-circular',
			severity: 'error',
			from: {},
			to: { circular: true },
		},
		{
			name: 'not-to-unresolvable',
			severity: 'error',
			from: {},
			to: { couldNotResolve: true },
		},
	],
	options: {
		doNotFollow: { path: 'node_modules' },
		exclude: { path: '(^|/)dist/' },
		tsPreCompilationDeps: true,
		tsConfig: { fileName: 'tsconfig.json' },
		enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.json'] },
	},
};
