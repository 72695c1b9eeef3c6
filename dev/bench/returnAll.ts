/**
 * Notification → Get Many with Return All over many stored notifications, against the same
 * page-by-page listing done with raw undici.
 */
import type { ClientCertificate } from '../sandbox/server';
import { nodeOutput, type WorkflowEngine } from '../harness/engine';
import { SandboxClient } from '../harness/sandboxClient';
import { runPool } from './clients';
import {
	HeapSampler,
	liveHeapBytes,
	PageHeapTracer,
	settle,
	UndiciLatencyRecorder,
	weighRunHeap,
	type HeapAfterRun,
	type PageHeapTrace,
	type RunBox,
} from './measure';
import { allOutputItems } from './runData';
import type { BenchSandbox } from './sandboxHost';
import { threadCpuMs } from './threadCpu';
import {
	idnpFor,
	MNOTIFY_NODE_NAME,
	notificationRequestBody,
	returnAllWorkflow,
} from './workloads';

export type ListVariant = 'node' | 'raw';

export interface ListRun extends HeapAfterRun {
	variant: ListVariant;
	warmUp: boolean;
	durationMs: number;
	itemsReturned: number;
	/** GET requests the sandbox answered (pages). */
	pageRequests: number;
	/** Most list requests in flight at once (client side, undici diagnostics channels). */
	maxPagesInFlight: number;
	clientCpuMs: number;
	sandboxCpuMs: number;
	heapBeforeBytes: number;
	/** Highest heapUsed sampled every 5 ms during the run (garbage included). */
	heapPeakBytes: number;
	problems: string[];
}

export interface ListContext {
	sandbox: BenchSandbox;
	engine: WorkflowEngine;
	credentials: Record<string, string>;
	rawClient: SandboxClient;
	pageSize: number;
	expectedItems: number;
}

const SEED_CONCURRENCY = 16;

/** Stores `count` notifications for the listing sender, fast, with a raw keep-alive client. */
export async function seedNotifications(
	sandbox: BenchSandbox,
	certificate: ClientCertificate,
	count: number,
	firstSequence: number,
): Promise<{ durationMs: number; accepted: number }> {
	const seeder = new SandboxClient(sandbox.url, certificate, SEED_CONCURRENCY);
	await sandbox.resetStats();
	const startedAt = performance.now();
	try {
		await runPool(count, SEED_CONCURRENCY, async (index) => {
			await seeder.send(notificationRequestBody(idnpFor(firstSequence + index)));
		});
	} finally {
		await seeder.close();
	}
	const durationMs = performance.now() - startedAt;
	return { durationMs, accepted: (await sandbox.stats()).notificationsAccepted };
}

interface ListResult {
	items: Array<{ id?: unknown }>;
	/** What the caller gets back: every node's output items (n8n's run data), or the list. */
	outputItems: unknown;
	/** Everything the listing returned (the node: n8n's whole run data), held until weighed. */
	retained: unknown;
}

const LISTERS: Record<ListVariant, (context: ListContext) => Promise<ListResult>> = {
	node: async (context) => {
		const run = await context.engine.run(returnAllWorkflow(context.pageSize), {
			credentials: { mNotifyApi: context.credentials },
		});
		const output = nodeOutput(run, MNOTIFY_NODE_NAME);
		return {
			items: output.map((item) => item.json),
			outputItems: allOutputItems(run),
			retained: run,
		};
	},
	raw: async (context) => {
		const items = (await context.rawClient.listAll(context.pageSize)) as Array<{ id?: unknown }>;
		return { items, outputItems: items, retained: items };
	},
};

export async function measureReturnAll(
	context: ListContext,
	variant: ListVariant,
	warmUp = false,
): Promise<ListRun> {
	await context.sandbox.closeIdleConnections();
	await settle();
	await context.sandbox.resetStats();
	const box: RunBox & { result?: ListResult } = {};
	const measured = await listAndCheck(context, variant, box);
	// Weighed here, in a frame that never held the result: see listAndCheck.
	return { ...measured, warmUp, ...(await weighRunHeap(box)) };
}

/** Lists and checks; the result goes into `box` only (see runAndVerify in sendVariants). */
async function listAndCheck(
	context: ListContext,
	variant: ListVariant,
	box: { result?: ListResult },
): Promise<Omit<ListRun, keyof HeapAfterRun | 'warmUp'>> {
	const recorder = new UndiciLatencyRecorder(context.sandbox.url);
	const heapBeforeBytes = liveHeapBytes();
	const sandboxCpuBefore = await context.sandbox.cpuMs();
	const clientCpuBefore = threadCpuMs();
	const sampler = new HeapSampler();

	const startedAt = performance.now();
	box.result = await LISTERS[variant](context);
	const durationMs = performance.now() - startedAt;
	sampler.stop();
	const clientCpuMs = threadCpuMs() - clientCpuBefore;
	const sandboxCpuMs = (await context.sandbox.cpuMs()) - sandboxCpuBefore;
	recorder.stop();

	return {
		variant,
		durationMs,
		itemsReturned: box.result.items.length,
		pageRequests: (await context.sandbox.stats()).requests,
		maxPagesInFlight: recorder.maxInFlight,
		clientCpuMs,
		sandboxCpuMs,
		heapBeforeBytes,
		heapPeakBytes: sampler.peakBytes,
		problems: checkListing(box.result.items, context.expectedItems),
	};
}

function checkListing(items: Array<{ id?: unknown }>, expected: number): string[] {
	const problems: string[] = [];
	if (items.length !== expected) problems.push(`listed ${items.length} items, not ${expected}`);
	const distinct = new Set(items.map((item) => item.id)).size;
	if (distinct !== items.length) problems.push(`${items.length - distinct} duplicate ids listed`);
	return problems;
}

/**
 * An untimed run with a full GC at every page request (see PageHeapTracer); it also serves as
 * the warm-up. Only meaningful with --expose-gc.
 */
export async function traceReturnAllHeap(
	context: ListContext,
	variant: ListVariant,
): Promise<PageHeapTrace & { variant: ListVariant }> {
	await context.sandbox.resetStats();
	const tracer = new PageHeapTracer(context.sandbox.url);
	// While the listing runs it holds its own results; that is what the trace measures.
	await LISTERS[variant](context);
	return { variant, ...tracer.stop() };
}
