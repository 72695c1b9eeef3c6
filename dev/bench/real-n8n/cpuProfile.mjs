// Where the n8n process spends the measured node's time: a V8 CPU profile (taken through the
// inspector from the first probe to the second, see probeEndpoint.mjs) summed by self time, per area
// of code and per function.

/** Areas of code, by where the function's script lives; the first match wins. */
const AREAS = [
	['our node (n8n-nodes-mnotify)', /n8n-nodes-mnotify\//],
	['undici, the node’s HTTP client (with its WebAssembly parser)', /undici\//],
	[
		'expressions (n8n-workflow, @n8n/expression-runtime, isolated-vm)',
		/n8n-workflow\/.*(expression|workflow-data-proxy|extensions)|@n8n\/(expression-runtime|tmpl)|isolated-vm|esprima|acorn|recast|ast-types/,
	],
	['n8n-workflow (other)', /n8n-workflow\//],
	['n8n-core (execution engine, node context)', /n8n-core\//],
	[
		'n8n (server, database, HTTP helpers)',
		/node_modules\/(n8n|@n8n|typeorm|sqlite3|express|axios)\//,
	],
	[
		'Node.js TLS, crypto, net',
		/^node:(tls|_tls|crypto|net|https|internal\/(tls|crypto|net|stream_base))/,
	],
	['Node.js (other)', /^node:/],
];

/** Native functions without a script, by what they serve. */
const NATIVE_AREAS = [
	['expressions (n8n-workflow, @n8n/expression-runtime, isolated-vm)', /^evalClosureSync$/],
	['undici, the node’s HTTP client (with its WebAssembly parser)', /^wasm-to-js$/],
	[
		'Node.js TLS, crypto, net',
		/^(getPeerCertificate|setKey|setCert|init|start|connect|setSession|CipherBase|HKDFJob|getEphemeralKeyInfo|setCipherSuites|setECDHCurve|addCACert|loadPKCS12|TCP|WriteWrap|writev|write|setNoDelay|Hash|digest|final)$/,
	],
	['garbage collection', /^\(garbage collector\)$/],
	['idle (waiting for the network)', /^\(idle\)$/],
	['V8 and native code', /^\(program\)$/],
];

function areaOf({ url, functionName }) {
	const areas = url ? AREAS : NATIVE_AREAS;
	return areas.find(([, pattern]) => pattern.test(url || functionName))?.[0] ?? 'other';
}

/** {totalMs, areas: [{area, ms, share}], functions: [{name, where, ms}]} sorted by time. */
export function summarizeProfile(profile, { top = 15 } = {}) {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	// Only the samples inside the profile's window (see probeEndpoint.mjs), when it has one.
	const { fromMicros = -Infinity, toMicros = Infinity } = profile.window ?? {};
	const selfUs = new Map();
	let at = profile.startTime;
	profile.samples.forEach((id, index) => {
		const delta = profile.timeDeltas[index] ?? 0;
		at += delta;
		if (at < fromMicros || at > toMicros) return;
		selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
	});
	const areas = new Map();
	const functions = new Map();
	let totalUs = 0;
	for (const [id, us] of selfUs) {
		const { callFrame } = byId.get(id);
		totalUs += us;
		const area = areaOf(callFrame);
		areas.set(area, (areas.get(area) ?? 0) + us);
		const where = callFrame.url
			? `${callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '')}:${callFrame.lineNumber + 1}`
			: '';
		const key = `${callFrame.functionName || '(anonymous)'} ${where}`;
		const entry = functions.get(key) ?? {
			name: callFrame.functionName || '(anonymous)',
			where,
			area,
			us: 0,
		};
		entry.us += us;
		functions.set(key, entry);
	}
	const ms = (us) => us / 1000;
	return {
		totalMs: ms(totalUs),
		areas: [...areas]
			.map(([area, us]) => ({ area, ms: ms(us), share: us / totalUs }))
			.sort((a, b) => (a.area === 'other') - (b.area === 'other') || b.ms - a.ms),
		functions: [...functions.values()]
			.map(({ us, ...rest }) => ({ ...rest, ms: ms(us) }))
			.sort((a, b) => b.ms - a.ms)
			.slice(0, top),
	};
}

export function profileMarkdown(label, summary) {
	const lines = [
		`#### ${label}: ${summary.totalMs.toFixed(0)} ms profiled`,
		'',
		'| area | ms | share |',
		'|---|---:|---:|',
		...summary.areas.map(
			(a) => `| ${a.area} | ${a.ms.toFixed(0)} | ${(a.share * 100).toFixed(1)} % |`,
		),
		'',
		'| function (self time) | where | ms |',
		'|---|---|---:|',
		...summary.functions.map((f) => `| ${f.name} | ${f.where} | ${f.ms.toFixed(1)} |`),
	];
	return lines.join('\n') + '\n';
}
