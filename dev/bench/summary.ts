/** Medians over the measured runs, and the benchmark's targets, as PASS/MISS verdicts. */
import type { HeapAfterRun, PageHeapTrace } from './measure';
import { median, megabytes } from './measure';
import type { ListRun, ListVariant } from './returnAll';
import type { SendRun, SendVariant } from './sendVariants';

export interface SendSummary {
	variant: SendVariant;
	count: number;
	responseDelayMs: number;
	runs: number;
	requestsPerSecond: number;
	durationMs: number;
	tlsHandshakes: number;
	tlsHandshakesMax: number;
	resumedHandshakes: number;
	connections: number;
	p50Ms: number;
	p95Ms: number;
	/** Until the first request left (node: the engine starting and every item validated). */
	firstRequestAfterMs?: number;
	/** CPU per request on the client's thread and on the sandbox's thread. */
	clientCpuUsPerRequest: number;
	sandboxCpuUsPerRequest: number;
	/** Share of the run's wall time each thread spent on the CPU (1 = saturated). */
	clientThreadBusy: number;
	sandboxThreadBusy: number;
	heapBeforeMB: number;
	heapAfterMB: number;
	heap: HeapSummary;
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
	clientCpuMs: number;
	sandboxCpuMs: number;
	heapBeforeMB: number;
	heapPeakMB: number;
	heapAfterMB: number;
	/** Peak above the final heap (garbage included): churn while listing. */
	heapOvershootMB: number;
	heap: HeapSummary;
	problems: string[];
}

/** Medians over runs of what a run leaves on the live heap (after a full GC). */
export interface HeapSummary {
	/** After the run, input and everything it returned held, minus before it. */
	heldMB: number;
	/** The output items alone (every node's, for n8n runs). */
	outputMB: number;
	/** Held beyond the output items: whatever else the run keeps, per item or not. */
	beyondOutputMB: number;
	/** Live once the run and its input are dropped, minus before the input was made. */
	leftMB: number;
	/** Watched objects of the run still alive once it was dropped (all runs together). */
	survivingObjects: number;
	watchedObjects: number;
}

interface HeapReadings extends HeapAfterRun {
	heapBeforeBytes: number;
	/** Before the input was made; the listing has no input. */
	heapBaselineBytes?: number;
}

function summarizeHeap(runs: HeapReadings[]): HeapSummary {
	const of = (read: (run: HeapReadings) => number) => megabytes(median(runs.map(read)));
	const sum = (read: (run: HeapReadings) => number) =>
		runs.reduce((total, run) => total + read(run), 0);
	const outputBytes = (run: HeapReadings) => run.heapOutputOnlyBytes - run.heapReleasedBytes;
	return {
		heldMB: of((run) => run.heapAfterBytes - run.heapBeforeBytes),
		outputMB: of(outputBytes),
		beyondOutputMB: of((run) => run.heapAfterBytes - run.heapBeforeBytes - outputBytes(run)),
		leftMB: of((run) => run.heapReleasedBytes - (run.heapBaselineBytes ?? run.heapBeforeBytes)),
		survivingObjects: sum((run) => run.survivingObjects),
		watchedObjects: sum((run) => run.watchedObjects),
	};
}

export function summarizeSend(
	runs: SendRun[],
	plan: { variant: SendVariant; count: number; responseDelayMs?: number },
): SendSummary {
	const responseDelayMs = plan.responseDelayMs ?? 0;
	const measured = runs.filter(
		(run) =>
			run.variant === plan.variant &&
			run.count === plan.count &&
			run.responseDelayMs === responseDelayMs &&
			!run.warmUp,
	);
	const of = (read: (run: SendRun) => number) => median(measured.map(read));
	const firstRequestAfterMs = of((run) => run.firstRequestAfterMs ?? Number.NaN);
	const summary: SendSummary = {
		variant: plan.variant,
		count: plan.count,
		responseDelayMs,
		runs: measured.length,
		requestsPerSecond: of((run) => run.requestsPerSecond),
		durationMs: of((run) => run.durationMs),
		tlsHandshakes: of((run) => run.tlsHandshakes),
		tlsHandshakesMax: Math.max(...measured.map((run) => run.tlsHandshakes)),
		resumedHandshakes: of((run) => run.resumedHandshakes),
		connections: of((run) => run.connections),
		p50Ms: of((run) => run.latency.p50Ms),
		p95Ms: of((run) => run.latency.p95Ms),
		...(Number.isNaN(firstRequestAfterMs) ? {} : { firstRequestAfterMs }),
		clientCpuUsPerRequest: of((run) => (run.clientCpuMs * 1000) / run.count),
		sandboxCpuUsPerRequest: of((run) => (run.sandboxCpuMs * 1000) / run.count),
		clientThreadBusy: of((run) => run.clientCpuMs / run.durationMs),
		sandboxThreadBusy: of((run) => run.sandboxCpuMs / run.durationMs),
		heapBeforeMB: megabytes(of((run) => run.heapBeforeBytes)),
		heapAfterMB: megabytes(of((run) => run.heapAfterBytes)),
		heap: summarizeHeap(measured),
		problems: measured.flatMap((run) => run.problems),
	};
	if (plan.variant === 'node') {
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
		clientCpuMs: of((run) => run.clientCpuMs),
		sandboxCpuMs: of((run) => run.sandboxCpuMs),
		heapBeforeMB: megabytes(of((run) => run.heapBeforeBytes)),
		heapPeakMB: megabytes(of((run) => run.heapPeakBytes)),
		heapAfterMB: megabytes(of((run) => run.heapAfterBytes)),
		heapOvershootMB: megabytes(of((run) => run.heapPeakBytes - run.heapAfterBytes)),
		heap: summarizeHeap(measured),
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
	listTraces: { node: PageHeapTrace; raw: PageHeapTrace };
	poolSize: number;
	/** PFX parses in the whole process, and how many credentials it used. */
	certificateLoadsTotal: number;
	credentialsUsed: number;
	gcExposed: boolean;
	/** With the sandbox in this thread, its store of notifications is part of the heap. */
	sandboxInMainThread: boolean;
}

/**
 * Heap a run may hold beyond its output items, or leave behind (pooled connections, compiled
 * code, GC noise), before it counts as growing with N.
 */
const HEAP_TOLERANCE_MB = 2;
/** "A page or two" of list requests in flight at once. */
const PAGES_IN_FLIGHT_ALLOWED = 2;
/** Live heap growth per page may exceed raw undici's by this factor (GC noise). */
const PAGE_GROWTH_TOLERANCE = 1.5;

export function evaluateTargets(inputs: TargetInputs): Target[] {
	return [
		throughputTarget(inputs.node, inputs.raw, 0.9, 'raw undici (same concurrency)'),
		throughputTarget(inputs.node, inputs.naive, 3, 'naive (new TLS connection per request)'),
		handshakeTarget(inputs),
		{
			name: 'PFX parsed once per credential per process',
			pass: inputs.certificateLoadsTotal === inputs.credentialsUsed,
			detail: `${inputs.certificateLoadsTotal} parses for ${inputs.credentialsUsed} credentials over every node run (${inputs.node.certificateLoads} during the measured N runs)`,
		},
		heapTarget(inputs),
		pagesInFlightTarget(inputs),
		correctnessTarget(inputs),
	];
}

function throughputTarget(
	node: SendSummary,
	other: SendSummary,
	factor: number,
	label: string,
): Target {
	const ratio = node.requestsPerSecond / other.requestsPerSecond;
	return {
		name: `Node throughput ≥ ${factor}× ${label}`,
		pass: ratio >= factor,
		detail: `${round(node.requestsPerSecond)} vs ${round(other.requestsPerSecond)} req/s = ${ratio.toFixed(2)}×`,
	};
}

function handshakeTarget({ node, nodeQuarter, poolSize }: TargetInputs): Target {
	const describe = (summary: SendSummary) =>
		`N=${summary.count}: at most ${summary.tlsHandshakesMax} per run (median ${summary.tlsHandshakes}, ${summary.resumedHandshakes} of them resumed)`;
	return {
		name: `Node TLS handshakes ≤ pool size (${poolSize}), independent of N`,
		pass: node.tlsHandshakesMax <= poolSize && nodeQuarter.tlsHandshakesMax <= poolSize,
		detail: `${describe(node)}; ${describe(nodeQuarter)}; each run starts with no open connection`,
	};
}

/**
 * Beyond its output items (every node's, as n8n's run data holds them) a run may hold only a
 * fixed amount, whatever N; once dropped, nothing of it may stay alive.
 */
function heapTarget({
	node,
	nodeQuarter,
	listNode,
	gcExposed,
	sandboxInMainThread,
}: TargetInputs): Target {
	const judged = gcExposed && !sandboxInMainThread;
	const heaps = [node.heap, nodeQuarter.heap, listNode.heap];
	const surviving = heaps.reduce((total, heap) => total + heap.survivingObjects, 0);
	const watched = heaps.reduce((total, heap) => total + heap.watchedObjects, 0);
	const growthWithN = node.heap.beyondOutputMB - nodeQuarter.heap.beyondOutputMB;
	const pass =
		judged &&
		surviving === 0 &&
		growthWithN <= HEAP_TOLERANCE_MB &&
		heaps.every(
			(heap) => heap.beyondOutputMB <= HEAP_TOLERANCE_MB && heap.leftMB <= HEAP_TOLERANCE_MB,
		);
	const describe = (label: string, heap: HeapSummary, items: number) =>
		`${label}: held ${heap.heldMB} MB = output items ${heap.outputMB} MB (${round((heap.outputMB * 1024 * 1024) / items)} B/item) + ${heap.beyondOutputMB} MB, ${heap.leftMB} MB left after release`;
	return {
		name: 'Heap after the run not proportional to N beyond the output items',
		pass,
		detail:
			[
				describe(`Send N=${node.count}`, node.heap, node.count),
				describe(`Send N=${nodeQuarter.count}`, nodeQuarter.heap, nodeQuarter.count),
				describe(`Return All of ${listNode.itemsReturned}`, listNode.heap, listNode.itemsReturned),
			].join('; ') +
			`; ${surviving} of ${watched} watched objects (output arrays, sample items, run data) alive after release; tolerance ${HEAP_TOLERANCE_MB} MB` +
			(gcExposed ? '' : ' — not judged: run with --expose-gc') +
			(sandboxInMainThread
				? " — not judged: the sandbox's stored notifications share this heap (use --sandbox-thread worker)"
				: ''),
	};
}

/**
 * Requests in flight say how many pages are fetched at once; the traced live heap says whether
 * anything of a page outlives it: the node's growth per page must match raw undici's, which
 * keeps nothing but the results.
 */
function pagesInFlightTarget({ listNode, listTraces, gcExposed }: TargetInputs): Target {
	const { node, raw } = listTraces;
	const growthRatio = node.growthPerPageBytes / raw.growthPerPageBytes;
	const heapHeld = !gcExposed || growthRatio <= PAGE_GROWTH_TOLERANCE;
	const kilobytes = (bytes: number) => round(bytes / 1024);
	return {
		name: 'Return All keeps at most a page or two in flight',
		pass: listNode.maxPagesInFlight <= PAGES_IN_FLIGHT_ALLOWED && heapHeld,
		detail:
			`at most ${listNode.maxPagesInFlight} page request(s) in flight; ` +
			(gcExposed
				? `live heap (GC at every page) grows ${kilobytes(node.growthPerPageBytes)} KB per page for the node, ` +
					`${kilobytes(raw.growthPerPageBytes)} KB for raw undici (${growthRatio.toFixed(2)}×, tolerance ${PAGE_GROWTH_TOLERANCE}×); ` +
					`largest excursion above that line ${kilobytes(node.maxExcessBytes)} KB (raw ${kilobytes(raw.maxExcessBytes)} KB)`
				: 'heap per page not traced without --expose-gc'),
	};
}

function correctnessTarget(inputs: TargetInputs): Target {
	const summaries = [inputs.node, inputs.nodeQuarter, inputs.raw, inputs.naive];
	const problems = [
		...summaries.flatMap((summary) => summary.problems),
		...inputs.listNode.problems,
		...inputs.listRaw.problems,
	];
	return {
		name: 'Correct: exactly N accepted per run, output in input order, every item listed once',
		pass: problems.length === 0,
		detail: problems.length === 0 ? 'every run verified' : problems.slice(0, 5).join('; '),
	};
}

export function round(value: number, digits = 0): number {
	const factor = 10 ** digits;
	return Math.round(value * factor) / factor;
}
