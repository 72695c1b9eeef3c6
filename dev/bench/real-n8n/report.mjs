// Medians, ratios and targets of the real-n8n benchmark, and its Markdown table.
import { kit } from '../../real-n8n/kit.mjs';

const { median } = kit;

export const VARIANT_LABELS = {
	mapped: '(a) MNotify, mapped from input fields',
	expressions: '(b) MNotify, per-item expressions',
	httpRequest: '(c) HTTP Request + SSL Certificates',
	setFloor: "(d) Set node, same expressions (engine's floor)",
	raw: '(e) raw undici keep-alive, plain Node',
};

const MB = 1024 * 1024;
const fixed = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

/** Median figures of the measured (not warm-up) runs of one variant at one N. */
export function summarize(runs, variant, count) {
	const mine = runs.filter((r) => r.variant === variant && r.count === count && !r.warmUp);
	if (mine.length === 0) return undefined;
	const pick = (f) => median(mine.map(f));
	const timeMs = pick((r) => r.timeMs);
	return {
		variant,
		count,
		runs: mine.length,
		timeMs,
		perSecond: (count / timeMs) * 1000,
		firstRequestMs: pick((r) => r.firstRequestMs),
		tlsHandshakes: pick((r) => r.tlsHandshakes),
		maxTlsHandshakes: Math.max(...mine.map((r) => r.tlsHandshakes ?? 0)),
		cpuMs: pick((r) => r.cpuMs),
		heldBytes: pick((r) => r.heap?.heldBytes),
		itemsBytes: pick((r) => r.heap?.itemsBytes),
		beyondItemsBytes: pick((r) => r.heap?.heldBytes - r.heap?.itemsBytes),
		peakBytes: pick((r) => r.heap?.peakBytes),
		retainedBytes: pick((r) => r.heap?.retainedBytes),
		problems: mine.flatMap((r) => r.problems),
	};
}

/** The benchmark's targets at N (dev/bench/README.md), each {name, value, target, pass}. */
export function evaluateTargets({ s, count, poolSize }) {
	const targets = [];
	const add = (name, value, target, pass) => targets.push({ name, value, target, pass });
	const a = s.mapped?.[count];
	const b = s.expressions?.[count];
	const c = s.httpRequest?.[count];
	const d = s.setFloor?.[count];
	const e = s.raw?.[count];
	const throughput = (name, x, y, goal) => {
		const ratio = x.perSecond / y.perSecond;
		add(`${name} throughput`, `${fixed(ratio, 2)}×`, `≥ ${goal}×`, ratio >= goal);
	};
	if (a && e) throughput('(a) / (e)', a, e, 0.9);
	if (a && c) throughput('(a) / (c)', a, c, 15);
	if (b && d && e) {
		const limit = 1.1 * (d.timeMs + e.timeMs);
		add(
			'(b) time vs 1.1 × ((d) + (e))',
			`${fixed(b.timeMs)} ms vs ${fixed(limit)} ms (${fixed(b.timeMs / (d.timeMs + e.timeMs), 2)}×)`,
			'≤ 1.1×',
			b.timeMs <= limit,
		);
	}
	for (const variant of ['mapped', 'expressions']) {
		const all = Object.values(s[variant] ?? {});
		if (all.length === 0) continue;
		const most = Math.max(...all.map((x) => x.maxTlsHandshakes));
		const counts = all.map((x) => x.count).join(', ');
		add(
			`${variant}: TLS handshakes per run (most, N = ${counts})`,
			String(most),
			`≤ ${poolSize}`,
			most <= poolSize,
		);
	}
	// Memory: beyond its output items (weighed apart), the node holds a fixed amount, the same at N
	// and at 4N; once the execution is over, nothing of it stays.
	for (const variant of ['mapped', 'expressions']) {
		const atN = s[variant]?.[count];
		const at4N = s[variant]?.[4 * count];
		if (!atN || !at4N) continue;
		const growth = at4N.beyondItemsBytes - atN.beyondItemsBytes;
		add(
			`${variant}: heap held beyond the output items, N → 4N`,
			`${fixed(atN.beyondItemsBytes / MB, 1)} → ${fixed(at4N.beyondItemsBytes / MB, 1)} MB`,
			'grows < 2 MB',
			growth < 2 * MB,
		);
		add(
			`${variant}: heap left after the execution, 4N`,
			`${fixed(at4N.retainedBytes / MB, 2)} MB`,
			'< 2 MB',
			at4N.retainedBytes < 2 * MB,
		);
	}
	const problems = Object.values(s)
		.flatMap((byCount) => Object.values(byCount))
		.flatMap((x) => x.problems);
	add(
		'correctness (every run)',
		problems.length === 0 ? 'ok' : problems.slice(0, 3).join('; '),
		'no problems',
		problems.length === 0,
	);
	return targets;
}

export function markdownReport({ machine, options, s, targets, nodeVersion, n8nVersion }) {
	const lines = [
		`Real n8n ${n8nVersion} on Node ${nodeVersion}, ${machine}; N=${options.count}, median of ${options.runs} interleaved runs, ${options.concurrency} requests in flight (raw undici: ${options.concurrency} sockets).`,
		'',
		'| variant | N | time (ms) | first request after (ms) | items/s | TLS handshakes | CPU (ms) | heap held (MB) | output items (MB) | held beyond them (MB) | peak (MB) | left after (MB) |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const [variant, label] of Object.entries(VARIANT_LABELS)) {
		for (const x of Object.values(s[variant] ?? {}).sort((p, q) => q.count - p.count)) {
			const heap = variant !== 'raw';
			lines.push(
				`| ${label} | ${x.count} | ${fixed(x.timeMs)} | ${fixed(x.firstRequestMs)} | ${fixed(x.perSecond)} | ${variant === 'setFloor' ? '–' : fixed(x.tlsHandshakes)} | ` +
					`${fixed(x.cpuMs)} | ${heap ? fixed(x.heldBytes / MB, 1) : '–'} | ${heap ? fixed(x.itemsBytes / MB, 1) : '–'} | ` +
					`${heap ? fixed(x.beyondItemsBytes / MB, 1) : '–'} | ${heap ? fixed(x.peakBytes / MB, 1) : '–'} | ${heap ? fixed(x.retainedBytes / MB, 2) : '–'} |`,
			);
		}
	}
	const perNotification = Object.entries(VARIANT_LABELS)
		.map(([variant]) => s[variant]?.[options.count])
		.filter(Boolean)
		.map((x) => `${x.variant} ${fixed((x.cpuMs / x.count) * 1000)} µs`);
	lines.push(
		'',
		`CPU per item at N=${options.count} (steadier than time on a shared machine): ${perNotification.join(', ')}.`,
		'',
		"Time: the node's own `executionTime` in n8n's run data ((e): the client process's wall time). " +
			"First request after: from the node's start (n8n's run data) to its first request (MNotify: " +
			'n8n handing it the parameters and credential, the node validating every item; the rest of ' +
			'the time is the sends). ' +
			'CPU: the n8n process while the node ran ((e): the client process). Heap, in the n8n process, ' +
			'after full collections: held = live heap right after the node minus right before it; output ' +
			"items = the node's output items rebuilt from their JSON and weighed apart; peak = heap in use " +
			'(garbage included, sampled every 25 ms) above the live heap before the node; left after = live ' +
			'heap once the execution is over minus before it.',
		'',
		'| target | value | goal | result |',
		'|---|---|---|---|',
	);
	for (const t of targets)
		lines.push(`| ${t.name} | ${t.value} | ${t.target} | ${t.pass ? 'PASS' : 'MISS'} |`);
	if (!s.mapped)
		lines.push('', '(a) is not measured: the installed node has no "From Input Fields" mapping.');
	return lines.join('\n') + '\n';
}
