/**
 * Notification → Get Many with Return All over many stored notifications, against the same
 * page-by-page listing done with raw undici.
 */
import type { ClientCertificate } from '../sandbox/server';
import { nodeOutput, type WorkflowEngine } from '../tools/engine';
import { RawUndiciClient, runPool } from './clients';
import { HeapSampler, liveHeapBytes, settle, UndiciLatencyRecorder } from './measure';
import type { BenchSandbox } from './sandboxHost';
import { idnpFor, MNOTIFY_NODE_NAME, notificationRequestBody, returnAllWorkflow } from './workloads';

export type ListVariant = 'node' | 'raw';

export interface ListRun {
	variant: ListVariant;
	warmUp: boolean;
	durationMs: number;
	itemsReturned: number;
	/** GET requests the sandbox answered (pages). */
	pageRequests: number;
	/** Most list requests in flight at once (client side, undici diagnostics channels). */
	maxPagesInFlight: number;
	heapBeforeBytes: number;
	/** Highest heapUsed sampled every 5 ms during the run (garbage included). */
	heapPeakBytes: number;
	heapAfterBytes: number;
	heapReleasedBytes: number;
	problems: string[];
}

export interface ListContext {
	sandbox: BenchSandbox;
	engine: WorkflowEngine;
	credentials: Record<string, string>;
	rawClient: RawUndiciClient;
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
	const seeder = new RawUndiciClient(sandbox.url, certificate, SEED_CONCURRENCY);
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
	/** The node's whole run data, held until the heap is measured. */
	run?: unknown;
}

const LISTERS: Record<ListVariant, (context: ListContext) => Promise<ListResult>> = {
	node: async (context) => {
		const run = await context.engine.run(returnAllWorkflow(context.pageSize), {
			credentials: { mNotifyApi: context.credentials },
		});
		return { items: nodeOutput(run, MNOTIFY_NODE_NAME).map((item) => item.json), run };
	},
	raw: async (context) => ({
		items: (await context.rawClient.listAll(context.pageSize)) as Array<{ id?: unknown }>,
	}),
};

export async function measureReturnAll(
	context: ListContext,
	variant: ListVariant,
	warmUp = false,
): Promise<ListRun> {
	await context.sandbox.closeIdleConnections();
	await settle();
	await context.sandbox.resetStats();
	const recorder = new UndiciLatencyRecorder(context.sandbox.url);
	const heapBeforeBytes = liveHeapBytes();
	const sampler = new HeapSampler();

	const startedAt = performance.now();
	let result: ListResult | undefined = await LISTERS[variant](context);
	const durationMs = performance.now() - startedAt;
	sampler.stop();
	recorder.stop();

	const heapAfterBytes = liveHeapBytes();
	const itemsReturned = result.items.length;
	const problems = checkListing(result.items, context.expectedItems);
	result = undefined;
	const heapReleasedBytes = liveHeapBytes();

	return {
		variant,
		warmUp,
		durationMs,
		itemsReturned,
		pageRequests: (await context.sandbox.stats()).requests,
		maxPagesInFlight: recorder.maxInFlight,
		heapBeforeBytes,
		heapPeakBytes: sampler.peakBytes,
		heapAfterBytes,
		heapReleasedBytes,
		problems,
	};
}

function checkListing(items: Array<{ id?: unknown }>, expected: number): string[] {
	const problems: string[] = [];
	if (items.length !== expected) problems.push(`listed ${items.length} items, not ${expected}`);
	const distinct = new Set(items.map((item) => item.id)).size;
	if (distinct !== items.length) problems.push(`${items.length - distinct} duplicate ids listed`);
	return problems;
}
