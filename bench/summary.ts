/** Medians over the measured runs, and the targets the issue sets, as PASS/MISS verdicts. */
import type { ListRun, ListVariant } from './returnAll';
import type { SendRun, SendVariant } from './sendVariants';
import { median, megabytes } from './measure';

export interface SendSummary {
	variant: SendVariant;
	count: number;
	runs: number;
	requestsPerSecond: number;
	durationMs: number;
	tlsHandshakes: number;
	tlsHandshakesMax: number;
	resumedHandshakes: number;
	connections: number;
	p50Ms: number;
	p95Ms: number;
	heapBeforeMB: number;
	heapAfterMB: number;
	/** Heap still live after the run's output was dropped, minus the heap before it. */
	heapRetainedMB: number;
	certificateLoads?: number;
	problems: string[];
}

export interface ListSummary {
	variant: ListVariant;
	runs: number;
	durationMs: number;
	itemsReturned: number;
	pageRequests: number;
	maxPagesInFlight: number;
	heapBeforeMB: number;
	heapPeakMB: number;
	heapAfterMB: number;
	/** Peak above the final heap: what the listing held besides its result. */
	heapOvershootMB: number;
	heapRetainedMB: number;
	problems: string[];
}

export function summarizeSend(runs: SendRun[], variant: SendVariant, count: number): SendSummary {
	const measured = runs.filter((run) => run.variant === variant && run.count === count && !run.warmUp);
	const of = (read: (run: SendRun) => number) => median(measured.map(read));
	const summary: SendSummary = {
		variant,
		count,
		runs: measured.length,
		requestsPerSecond: of((run) => run.requestsPerSecond),
		durationMs: of((run) => run.durationMs),
		tlsHandshakes: of((run) => run.tlsHandshakes),
		tlsHandshakesMax: Math.max(...measured.map((run) => run.tlsHandshakes)),
		resumedHandshakes: of((run) => run.resumedHandshakes),
		connections: of((run) => run.connections),
		p50Ms: of((run) => run.latency.p50Ms),
		p95Ms: of((run) => run.latency.p95Ms),
		heapBeforeMB: megabytes(of((run) => run.heapBeforeBytes)),
		heapAfterMB: megabytes(of((run) => run.heapAfterBytes)),
		heapRetainedMB: megabytes(of((run) => run.heapReleasedBytes - run.heapBeforeBytes)),
		problems: measured.flatMap((run) => run.problems),
	};
	if (variant === 'node') {
		summary.certificateLoads = measured.reduce((sum, run) => sum + (run.certificateLoads ?? 0), 0);
	}
	return summary;
}

export function summarizeList(runs: ListRun[], variant: ListVariant): ListSummary {
	const measured = runs.filter((run) => run.variant === variant && !run.warmUp);
	const of = (read: (run: ListRun) => number) => median(measured.map(read));
	return {
		variant,
		runs: measured.length,
		durationMs: of((run) => run.durationMs),
		itemsReturned: of((run) => run.itemsReturned),
		pageRequests: of((run) => run.pageRequests),
		maxPagesInFlight: Math.max(...measured.map((run) => run.maxPagesInFlight)),
		heapBeforeMB: megabytes(of((run) => run.heapBeforeBytes)),
		heapPeakMB: megabytes(of((run) => run.heapPeakBytes)),
		heapAfterMB: megabytes(of((run) => run.heapAfterBytes)),
		heapOvershootMB: megabytes(of((run) => run.heapPeakBytes - run.heapAfterBytes)),
		heapRetainedMB: megabytes(of((run) => run.heapReleasedBytes - run.heapBeforeBytes)),
		problems: measured.flatMap((run) => run.problems),
	};
}

export interface Target {
	name: string;
	pass: boolean;
	detail: string;
}

export interface TargetInputs {
	node: SendSummary;
	nodeQuarter: SendSummary;
	raw: SendSummary;
	naive: SendSummary;
	listNode: ListSummary;
	listRaw: ListSummary;
	poolSize: number;
	/** PFX parses in the whole process, and how many credentials it used. */
	certificateLoadsTotal: number;
	credentialsUsed: number;
	pageSize: number;
	gcExposed: boolean;
}

/** Heap a run may keep after its output is released before it counts as a leak (GC noise). */
const RETAINED_HEAP_TOLERANCE_MB = 2;

export function evaluateTargets(inputs: TargetInputs): Target[] {
	const { node, nodeQuarter, raw, naive, listNode, listRaw, poolSize } = inputs;
	const toRaw = node.requestsPerSecond / raw.requestsPerSecond;
	const toNaive = node.requestsPerSecond / naive.requestsPerSecond;
	const correctness = [node, nodeQuarter, raw, naive, listNode, listRaw].flatMap(
		(summary) => summary.problems,
	);
	const retained = [node.heapRetainedMB, nodeQuarter.heapRetainedMB, listNode.heapRetainedMB];
	const perItemKB = (summary: SendSummary) =>
		Math.round(((summary.heapAfterMB - summary.heapBeforeMB) * 1024 * 10) / summary.count) / 10;
	const pageMB = megabytes(
		((listNode.heapAfterMB - listNode.heapBeforeMB) * 1024 * 1024 * inputs.pageSize) /
			Math.max(1, listNode.itemsReturned),
	);
	return [
		{
			name: 'Node throughput ≥ 0.9× raw undici (same concurrency)',
			pass: toRaw >= 0.9,
			detail: `${round(node.requestsPerSecond)} vs ${round(raw.requestsPerSecond)} req/s = ${toRaw.toFixed(2)}×`,
		},
		{
			name: 'Node throughput ≥ 3× naive (new TLS connection per request)',
			pass: toNaive >= 3,
			detail: `${round(node.requestsPerSecond)} vs ${round(naive.requestsPerSecond)} req/s = ${toNaive.toFixed(2)}×`,
		},
		{
			name: `Node TLS handshakes ≤ pool size (${poolSize}), independent of N`,
			pass: node.tlsHandshakesMax <= poolSize && nodeQuarter.tlsHandshakesMax <= poolSize,
			detail:
				`N=${node.count}: at most ${node.tlsHandshakesMax} per run (median ${node.resumedHandshakes} resumed); ` +
				`N=${nodeQuarter.count}: at most ${nodeQuarter.tlsHandshakesMax} per run (median ${nodeQuarter.resumedHandshakes} resumed)`,
		},
		{
			name: 'PFX parsed once per credential per process',
			pass: inputs.certificateLoadsTotal === inputs.credentialsUsed,
			detail: `${inputs.certificateLoadsTotal} parses for ${inputs.credentialsUsed} credentials over every node run (${node.certificateLoads} in the measured N runs)`,
		},
		{
			name: 'Heap after the run not proportional to N beyond the output items',
			pass:
				inputs.gcExposed && retained.every((megabytes) => megabytes <= RETAINED_HEAP_TOLERANCE_MB),
			detail:
				`output held: ${perItemKB(node)} KB/item at N=${node.count}, ${perItemKB(nodeQuarter)} KB/item at N=${nodeQuarter.count}; ` +
				`retained once released: ${node.heapRetainedMB} MB (N), ${nodeQuarter.heapRetainedMB} MB (N/4), ` +
				`${listNode.heapRetainedMB} MB (Return All of ${listNode.itemsReturned}); tolerance ${RETAINED_HEAP_TOLERANCE_MB} MB` +
				(inputs.gcExposed ? '' : ' (run without --expose-gc: heap readings include garbage)'),
		},
		{
			name: 'Return All keeps at most a page or two in flight',
			pass: listNode.maxPagesInFlight <= 2,
			detail: `at most ${listNode.maxPagesInFlight} page request(s) in flight; peak heap ${listNode.heapOvershootMB} MB above the final heap holding ${listNode.itemsReturned} items (one page of output ≈ ${pageMB} MB)`,
		},
		{
			name: 'Correct: exactly N accepted per run, output in input order, every item listed',
			pass: correctness.length === 0,
			detail: correctness.length === 0 ? 'all runs verified' : correctness.slice(0, 5).join('; '),
		},
	];
}

export function round(value: number, digits = 0): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
