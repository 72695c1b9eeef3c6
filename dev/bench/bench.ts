/**
 * `npm run bench`: throughput, TLS handshakes, latency and memory of the MNotify node (inside
 * n8n's engine) against raw undici and a naive one-connection-per-request client, all over mTLS
 * to the local sandbox; then Get Many → Return All over many stored notifications.
 */
import os from 'node:os';

import { loadNodeClientCache, loadNodePoolSize } from '../harness/builtNode';
import { WorkflowEngine } from '../harness/engine';
import { SandboxClient } from '../harness/sandboxClient';
import { sandboxCredentials } from '../harness/sandboxCredentials';
import { gcAvailable, megabytes } from './measure';
import { readBenchOptions, UsageError, type BenchOptions } from './options';
import { machineFacts, markdownReport, writeResults, type BenchResults } from './report';
import {
	measureReturnAll,
	seedNotifications,
	traceReturnAllHeap,
	type ListContext,
	type ListRun,
} from './returnAll';
import { startBenchSandbox, type BenchSandbox } from './sandboxHost';
import {
	LATENCY_SOURCES,
	measureSend,
	type SendContext,
	type SendPlan,
	type SendRun,
} from './sendVariants';
import { evaluateTargets, round, summarizeList, summarizeSend } from './summary';
import { threadCpuSource } from './threadCpu';

/** Rotates the order every round, so no variant always runs first (or after the slow one). */
function rotated<T>(values: readonly T[], by: number): T[] {
	const shift = by % values.length;
	return [...values.slice(shift), ...values.slice(0, shift)];
}

function logSendRun(label: string, run: SendRun): void {
	const loads = run.certificateLoads === undefined ? '' : `, ${run.certificateLoads} PFX parses`;
	const problems = run.problems.length > 0 ? `  PROBLEMS: ${run.problems.join('; ')}` : '';
	console.log(
		`  ${label.padEnd(10)} ${run.variant.padEnd(5)} N=${String(run.count).padEnd(5)} ` +
			`${String(round(run.requestsPerSecond)).padStart(5)} req/s, ` +
			`${run.tlsHandshakes} handshakes (${run.resumedHandshakes} resumed), ` +
			`p50 ${round(run.latency.p50Ms, 2)} ms, p95 ${round(run.latency.p95Ms, 2)} ms, ` +
			`CPU client ${round(run.clientCpuMs)} ms / sandbox ${round(run.sandboxCpuMs)} ms, ` +
			`heap ${megabytes(run.heapBeforeBytes)} → ${megabytes(run.heapAfterBytes)} MB${loads}${problems}`,
	);
}

function logListRun(label: string, run: ListRun): void {
	const problems = run.problems.length > 0 ? `  PROBLEMS: ${run.problems.join('; ')}` : '';
	console.log(
		`  ${label.padEnd(10)} ${run.variant.padEnd(5)} ${run.itemsReturned} items in ${round(run.durationMs)} ms, ` +
			`${run.pageRequests} pages (max ${run.maxPagesInFlight} in flight), ` +
			`CPU client ${round(run.clientCpuMs)} ms / sandbox ${round(run.sandboxCpuMs)} ms, heap ${megabytes(run.heapBeforeBytes)} → ` +
			`peak ${megabytes(run.heapPeakBytes)} → ${megabytes(run.heapAfterBytes)} MB${problems}`,
	);
}

async function runPlans(
	context: SendContext,
	plans: SendPlan[],
	rounds: number,
): Promise<SendRun[]> {
	const runs: SendRun[] = [];
	for (let round = 0; round < rounds; round++) {
		for (const plan of rotated(plans, round)) {
			const run = await measureSend(context, plan);
			logSendRun(`run ${round + 1}/${rounds}`, run);
			runs.push(run);
		}
	}
	return runs;
}

async function runSendRounds(context: SendContext, options: BenchOptions): Promise<SendRun[]> {
	const quarter = Math.floor(options.count / 4);
	console.log(`Sends (N=${options.count}, N/4=${quarter}, concurrency ${options.concurrency}):`);
	const runs: SendRun[] = [];
	// The warm-up compiles the hot paths and fills the node's client cache; it is not reported.
	for (const variant of ['node', 'raw', 'naive'] as const) {
		const run = await measureSend(context, { variant, count: quarter, warmUp: true });
		logSendRun('warm-up', run);
		runs.push(run);
	}
	const plans: SendPlan[] = [
		{ variant: 'node', count: options.count },
		{ variant: 'node', count: quarter },
		{ variant: 'raw', count: options.count },
		{ variant: 'naive', count: options.count },
	];
	return [...runs, ...(await runPlans(context, plans, options.runs))];
}

/** Node against raw undici again, with the sandbox answering after a delay like a real server. */
async function runDelayedRounds(context: SendContext, options: BenchOptions): Promise<SendRun[]> {
	const responseDelayMs = options.responseDelayMs;
	if (responseDelayMs === 0) return [];
	console.log(`Sends with ${responseDelayMs} ms added to every answer:`);
	await context.sandbox.setResponseDelay(responseDelayMs);
	try {
		const plans: SendPlan[] = (['node', 'raw'] as const).map((variant) => ({
			variant,
			count: options.count,
			responseDelayMs,
		}));
		return await runPlans(context, plans, options.runs);
	} finally {
		await context.sandbox.setResponseDelay(0);
	}
}

async function runListing(
	sandbox: BenchSandbox,
	engine: WorkflowEngine,
	options: BenchOptions,
	firstSequence: number,
): Promise<BenchResults['returnAll']['measured']> {
	// A sender of its own, so the list holds exactly the seeded notifications.
	const certificate = await sandbox.issueClientCertificate('Bench list sender');
	const seeded = await seedNotifications(sandbox, certificate, options.listCount, firstSequence);
	console.log(
		`Return All: seeded ${seeded.accepted} notifications in ${round(seeded.durationMs)} ms (raw undici, 16 connections)`,
	);
	const rawClient = new SandboxClient(sandbox.url, certificate, options.concurrency);
	const context: ListContext = {
		sandbox,
		engine,
		credentials: sandboxCredentials(sandbox.url, certificate),
		rawClient,
		pageSize: options.listPageSize,
		expectedItems: options.listCount,
	};
	try {
		// Untimed, a full GC at every page request; they also warm up both listings.
		const nodeTrace = await traceReturnAllHeap(context, 'node');
		const rawTrace = await traceReturnAllHeap(context, 'raw');
		for (const trace of [nodeTrace, rawTrace]) {
			console.log(
				`  heap trace ${trace.variant.padEnd(5)} ${round(trace.growthPerPageBytes / 1024)} KB per page, at most ${round(trace.maxExcessBytes / 1024)} KB above that line`,
			);
		}
		const runs: ListRun[] = [];
		for (let round = 0; round < options.runs; round++) {
			for (const variant of rotated(['node', 'raw'] as const, round)) {
				const run = await measureReturnAll(context, variant);
				logListRun(`run ${round + 1}/${options.runs}`, run);
				runs.push(run);
			}
		}
		return {
			seeded: { count: options.listCount, ...seeded },
			traces: { nodeTrace, rawTrace },
			runs,
		};
	} finally {
		await rawClient.close();
	}
}

function summarize(
	options: BenchOptions,
	sendRuns: SendRun[],
	listing: BenchResults['returnAll']['measured'],
) {
	const { count, responseDelayMs } = options;
	const send = {
		node: summarizeSend(sendRuns, { variant: 'node', count }),
		nodeQuarter: summarizeSend(sendRuns, { variant: 'node', count: Math.floor(count / 4) }),
		raw: summarizeSend(sendRuns, { variant: 'raw', count }),
		naive: summarizeSend(sendRuns, { variant: 'naive', count }),
	};
	const delayed =
		responseDelayMs === 0
			? undefined
			: {
					node: summarizeSend(sendRuns, { variant: 'node', count, responseDelayMs }),
					raw: summarizeSend(sendRuns, { variant: 'raw', count, responseDelayMs }),
				};
	const list = {
		node: summarizeList(listing.runs, 'node'),
		raw: summarizeList(listing.runs, 'raw'),
	};
	return { send, delayed, list };
}

async function main(): Promise<void> {
	const options = readBenchOptions();
	const startedAt = new Date();
	if (!gcAvailable) {
		console.warn(
			'Run with node --expose-gc (npm run bench does) for heap figures without garbage.',
		);
	}
	const loadAverageAtStart = os.loadavg()[0];
	const clientCache = await loadNodeClientCache();
	const poolSize = await loadNodePoolSize();
	const loadsAtStart = clientCache.clientCacheStatistics.certificateLoads;
	const sandbox = await startBenchSandbox(options.sandboxThread);
	const engine = new WorkflowEngine();
	const certificate = await sandbox.issueClientCertificate('Bench sender');
	const rawClient = new SandboxClient(sandbox.url, certificate, options.concurrency);
	const machine = machineFacts(loadAverageAtStart);
	console.log(
		`${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGB} GB, Node ${machine.nodeVersion}; ` +
			`load average ${machine.loadAverageAtStart}; sandbox in the ${options.sandboxThread} thread`,
	);

	try {
		const sendContext: SendContext = {
			sandbox,
			engine,
			clientCache,
			certificate,
			credentials: sandboxCredentials(sandbox.url, certificate),
			rawClient,
			concurrency: options.concurrency,
			nextSequence: 0,
		};
		const sendRuns = await runSendRounds(sendContext, options);
		sendRuns.push(...(await runDelayedRounds(sendContext, options)));
		const listing = await runListing(sandbox, engine, options, sendContext.nextSequence);

		const summaries = summarize(options, sendRuns, listing);
		// One credential for the sends, one for the listing sender.
		const certificateLoads = {
			total: clientCache.clientCacheStatistics.certificateLoads - loadsAtStart,
			credentialsUsed: 2,
		};
		machine.loadAverageAtEnd = round(os.loadavg()[0], 2);
		const results: BenchResults = {
			startedAt: startedAt.toISOString(),
			durationSeconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
			machine,
			options,
			gcExposed: gcAvailable,
			latencySources: LATENCY_SOURCES,
			cpuSource: threadCpuSource(),
			send: {
				summaries: summaries.send,
				nodeToRaw: summaries.send.node.requestsPerSecond / summaries.send.raw.requestsPerSecond,
				nodeToNaive: summaries.send.node.requestsPerSecond / summaries.send.naive.requestsPerSecond,
				runs: sendRuns,
			},
			...(summaries.delayed
				? {
						delayedSend: {
							responseDelayMs: options.responseDelayMs,
							summaries: summaries.delayed,
							nodeToRaw:
								summaries.delayed.node.requestsPerSecond / summaries.delayed.raw.requestsPerSecond,
						},
					}
				: {}),
			returnAll: {
				summaries: summaries.list,
				nodeToRawTime: summaries.list.node.durationMs / summaries.list.raw.durationMs,
				measured: listing,
			},
			certificateLoads,
			targets: evaluateTargets({
				...summaries.send,
				listNode: summaries.list.node,
				listRaw: summaries.list.raw,
				listTraces: { node: listing.traces.nodeTrace, raw: listing.traces.rawTrace },
				poolSize,
				certificateLoadsTotal: certificateLoads.total,
				credentialsUsed: certificateLoads.credentialsUsed,
				gcExposed: gcAvailable,
				sandboxInMainThread: options.sandboxThread === 'main',
			}),
		};
		const markdown = markdownReport(results);
		const directory = writeResults(results, markdown);
		console.log(`\n${markdown}`);
		console.log(`Results: ${directory}/latest.json and latest.md (${results.durationSeconds} s)`);
		const correctness = results.targets[results.targets.length - 1];
		if (!correctness.pass) process.exitCode = 1;
	} finally {
		await rawClient.close();
		await engine.closeConnections();
		await sandbox.close();
	}
}

main().catch((error: unknown) => {
	if (error instanceof UsageError) console.error(error.message);
	else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
	process.exitCode = 1;
});
