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

	private readonly startedAt = new WeakMap<object, number>();

	private inFlight = 0;

	private readonly onCreate = (message: unknown) => {
		const { request } = message as UndiciRequestMessage;
		if (!this.matches(request)) return;
		this.startedAt.set(request, performance.now());
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
