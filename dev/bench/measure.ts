/** Clocks, latency and heap probes shared by every measurement. */
import diagnosticsChannel from 'node:diagnostics_channel';

interface UndiciRequestMessage {
	request: { origin?: string | URL; method?: string; path?: string };
}

/**
 * Client-side latency of undici requests: from `undici:request:create` (the request enters the
 * dispatcher) to `undici:request:headers` (its response headers arrived). Works for the node and
 * for raw undici alike, since both publish on these process-wide channels. Also counts how many
 * requests were in flight at once.
 */
export class UndiciLatencyRecorder {
	readonly latenciesMs: number[] = [];

	maxInFlight = 0;

	/** performance.now() of the first request created, if any. */
	firstRequestAt: number | undefined;

	private readonly startedAt = new WeakMap<object, number>();

	private inFlight = 0;

	private readonly onCreate = (message: unknown) => {
		const { request } = message as UndiciRequestMessage;
		if (!this.matches(request)) return;
		const now = performance.now();
		this.firstRequestAt ??= now;
		this.startedAt.set(request, now);
		this.inFlight += 1;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
	};

	private readonly onHeaders = (message: unknown) => {
		const { request } = message as UndiciRequestMessage;
		const startedAt = this.startedAt.get(request);
		if (startedAt === undefined) return;
		this.startedAt.delete(request);
		this.inFlight -= 1;
		this.latenciesMs.push(performance.now() - startedAt);
	};

	private readonly onError = (message: unknown) => {
		const { request } = message as UndiciRequestMessage;
		if (this.startedAt.delete(request)) this.inFlight -= 1;
	};

	constructor(private readonly origin: string) {
		diagnosticsChannel.subscribe('undici:request:create', this.onCreate);
		diagnosticsChannel.subscribe('undici:request:headers', this.onHeaders);
		diagnosticsChannel.subscribe('undici:request:error', this.onError);
	}

	stop(): void {
		diagnosticsChannel.unsubscribe('undici:request:create', this.onCreate);
		diagnosticsChannel.unsubscribe('undici:request:headers', this.onHeaders);
		diagnosticsChannel.unsubscribe('undici:request:error', this.onError);
	}

	private matches(request: UndiciRequestMessage['request']): boolean {
		return String(request.origin ?? '').replace(/\/$/, '') === this.origin;
	}
}

export interface LatencySummary {
	p50Ms: number;
	p95Ms: number;
	samples: number;
}

export function summarizeLatencies(latenciesMs: number[]): LatencySummary {
	const sorted = [...latenciesMs].sort((left, right) => left - right);
	return {
		p50Ms: percentile(sorted, 50),
		p95Ms: percentile(sorted, 95),
		samples: sorted.length,
	};
}

/** Nearest-rank percentile of ascending values. */
function percentile(sorted: number[], rank: number): number {
	if (sorted.length === 0) return Number.NaN;
	const index = Math.min(sorted.length - 1, Math.ceil((rank / 100) * sorted.length) - 1);
	return sorted[Math.max(0, index)];
}

export function median(values: number[]): number {
	const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
	if (sorted.length === 0) return Number.NaN;
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const gcAvailable = typeof global.gc === 'function';

/**
 * Heap in use after a full collection (two passes: the first may only queue finalizers), so
 * before/after numbers count live objects, not garbage. Without --expose-gc: a raw reading.
 */
export function liveHeapBytes(): number {
	global.gc?.();
	global.gc?.();
	return process.memoryUsage().heapUsed;
}

/** What a run leaves on the live heap, each after a full GC. */
export interface HeapAfterRun {
	/** With the run's input and everything it returned. */
	heapAfterBytes: number;
	/** With only the output items (every node's, for n8n runs). */
	heapOutputOnlyBytes: number;
	/** With nothing of the run. */
	heapReleasedBytes: number;
	/** Objects of the run watched through WeakRefs: the output array, sample items, run data. */
	watchedObjects: number;
	/** Watched objects still alive once the run was dropped: 0 when none leaks. */
	survivingObjects: number;
}

/** What a measured run hands over to be weighed; emptied by weighRunHeap. */
export interface RunBox {
	input?: unknown;
	result?: { outputItems: unknown; retained: unknown };
}

/** Module-level, so no suspended frame decides what stays alive while things are weighed. */
const heldWhileWeighing: unknown[] = [];

const WATCHED_ITEM_SAMPLES = 100;
/** A little over one tick of undici's coarse timers (lib/util/timers.js, TICK_MS = 499). */
const UNDICI_TIMER_TICK_MS = 550;

/**
 * Weighs what a run left: everything, then the output items alone, then nothing, and checks
 * through WeakRefs that the run was collected. Only small synchronous helpers touch the result,
 * and each reading comes after a new macrotask, so no stale reference of an async frame or of
 * the current job is counted.
 */
export async function weighRunHeap(box: RunBox): Promise<HeapAfterRun> {
	// undici drops the timers of finished requests on its next tick; until then every request's
	// timer is live and would be counted as heap that grows with N.
	await new Promise((resolve) => setTimeout(resolve, UNDICI_TIMER_TICK_MS));
	const heapAfterBytes = liveHeapBytes();
	const watched = watchRun(box);
	keepOnlyOutput(box);
	await nextMacrotask();
	const heapOutputOnlyBytes = liveHeapBytes();
	heldWhileWeighing.length = 0;
	await nextMacrotask();
	const heapReleasedBytes = liveHeapBytes();
	return {
		heapAfterBytes,
		heapOutputOnlyBytes,
		heapReleasedBytes,
		watchedObjects: watched.length,
		survivingObjects: watched.filter((reference) => reference.deref() !== undefined).length,
	};
}

function nextMacrotask(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

function keepOnlyOutput(box: RunBox): void {
	heldWhileWeighing.push(box.result?.outputItems);
	box.result = undefined;
	box.input = undefined;
}

function watchRun(box: RunBox): Array<WeakRef<object>> {
	const { outputItems, retained } = box.result ?? {};
	const items = Array.isArray(outputItems) ? outputItems : [];
	const step = Math.max(1, Math.floor(items.length / WATCHED_ITEM_SAMPLES));
	const sample = items.filter((_, index) => index % step === 0);
	return [outputItems, retained, ...sample]
		.filter((value): value is object => typeof value === 'object' && value !== null)
		.map((value) => new WeakRef(value));
}

/** Samples heapUsed on an interval while something runs, to find its peak. */
export class HeapSampler {
	peakBytes = 0;

	samples = 0;

	private readonly timer: NodeJS.Timeout;

	constructor(intervalMs = 5) {
		this.sample();
		this.timer = setInterval(() => this.sample(), intervalMs);
	}

	stop(): void {
		clearInterval(this.timer);
		this.sample();
	}

	private sample(): void {
		this.samples += 1;
		this.peakBytes = Math.max(this.peakBytes, process.memoryUsage().heapUsed);
	}
}

export function megabytes(bytes: number): number {
	return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

/** Lets sockets the server closed be noticed by the client before the next run starts. */
export async function settle(ms = 100): Promise<void> {
	await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Live heap at the start of every list page request (a full GC first): by then the pages before
 * it are in the results and nothing else of theirs should be alive. Growth per page is what the
 * listing keeps; the largest excess over a straight line is what it holds besides (in flight).
 */
export class PageHeapTracer {
	private readonly samples: number[] = [];

	private readonly onCreate = (message: unknown) => {
		const { request } = message as UndiciRequestMessage;
		if (String(request.origin ?? '').replace(/\/$/, '') !== this.origin) return;
		global.gc?.();
		this.samples.push(process.memoryUsage().heapUsed);
	};

	constructor(private readonly origin: string) {
		diagnosticsChannel.subscribe('undici:request:create', this.onCreate);
	}

	stop(): PageHeapTrace {
		diagnosticsChannel.unsubscribe('undici:request:create', this.onCreate);
		return fitLine(this.samples.slice(SETTLING_PAGES));
	}
}

/** The first pages also carry the run's start-up (engine, connection, lazily compiled code). */
const SETTLING_PAGES = 3;

export interface PageHeapTrace {
	pages: number;
	/** Live heap added per page listed (least-squares slope). */
	growthPerPageBytes: number;
	/** The largest live heap above that line: memory held besides the accumulated results. */
	maxExcessBytes: number;
}

function fitLine(values: number[]): PageHeapTrace {
	const count = values.length;
	if (count < 2)
		return { pages: count, growthPerPageBytes: Number.NaN, maxExcessBytes: Number.NaN };
	const meanX = (count - 1) / 2;
	const meanY = values.reduce((sum, value) => sum + value, 0) / count;
	let covariance = 0;
	let variance = 0;
	values.forEach((value, index) => {
		covariance += (index - meanX) * (value - meanY);
		variance += (index - meanX) ** 2;
	});
	const slope = covariance / variance;
	const intercept = meanY - slope * meanX;
	const excess = Math.max(...values.map((value, index) => value - (intercept + slope * index)));
	return { pages: count, growthPerPageBytes: slope, maxExcessBytes: excess };
}
