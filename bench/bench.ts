/**
 * `npm run bench`: throughput, TLS handshakes, latency and memory of the MNotify node (inside
 * n8n's engine) against raw undici and a naive one-connection-per-request client, all over mTLS
 * to the local sandbox; then Get Many → Return All over many stored notifications.
 */
import { WorkflowEngine } from '../tools/engine';
import { sandboxCredentials } from '../tools/sandboxCredentials';
import { RawUndiciClient } from './clients';
import { gcAvailable, megabytes } from './measure';
import { loadNodeClientCache, loadNodePoolSize } from './nodeModule';
import { readBenchOptions, type BenchOptions } from './options';
import { markdownReport, machineFacts, writeResults, type BenchResults } from './report';
import { measureReturnAll, seedNotifications, type ListContext, type ListRun } from './returnAll';
import { startBenchSandbox, type BenchSandbox } from './sandboxHost';
import {
	LATENCY_SOURCES,
	measureSend,
	type SendContext,
	type SendRun,
	type SendVariant,
} from './sendVariants';
import { evaluateTargets, round, summarizeList, summarizeSend } from './summary';

/** A measured run: a variant and how many notifications it sends. */
interface SendPlan {
	variant: SendVariant;
	count: number;
}

/** Rotates the order every round, so no variant always runs first (or after the slow one). */
function rotated<T>(values: T[], by: number): T[] {
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
			`heap ${megabytes(run.heapBeforeBytes)} → ${megabytes(run.heapAfterBytes)} MB${loads}${problems}`,
	);
}

function logListRun(label: string, run: ListRun): void {
	const problems = run.problems.length > 0 ? `  PROBLEMS: ${run.problems.join('; ')}` : '';
	console.log(
		`  ${label.padEnd(10)} ${run.variant.padEnd(5)} ${run.itemsReturned} items in ${round(run.durationMs)} ms, ` +
			`${run.pageRequests} pages (max ${run.maxPagesInFlight} in flight), heap ${megabytes(run.heapBeforeBytes)} → ` +
			`peak ${megabytes(run.heapPeakBytes)} → ${megabytes(run.heapAfterBytes)} MB${problems}`,
	);
}

async function runSendRounds(context: SendContext, options: BenchOptions): Promise<SendRun[]> {
	const quarter = Math.floor(options.count / 4);
	const plans: SendPlan[] = [
		{ variant: 'node', count: options.count },
		{ variant: 'node', count: quarter },
		{ variant: 'raw', count: options.count },
		{ variant: 'naive', count: options.count },
	];
	const runs: SendRun[] = [];
	console.log(`Sends (N=${options.count}, N/4=${quarter}, concurrency ${options.concurrency}):`);
	// The warm-up compiles the hot paths and fills the node's client cache; it is not reported.
	for (const variant of ['node', 'raw', 'naive'] as const) {
		const run = await measureSend(context, variant, quarter, true);
		logSendRun('warm-up', run);
		runs.push(run);
	}
	for (let round = 0; round < options.runs; round++) {
		for (const plan of rotated(plans, round)) {
			const run = await measureSend(context, plan.variant, plan.count);
			logSendRun(`run ${round + 1}/${options.runs}`, run);
			runs.push(run);
		}
	}
	return runs;
}

async function runListing(
	sandbox: BenchSandbox,
	engine: WorkflowEngine,
	options: BenchOptions,
	firstSequence: number,
): Promise<{ seeded: BenchResults['returnAll']['seeded']; runs: ListRun[] }> {
	// A sender of its own, so the list holds exactly the seeded notifications.
	const certificate = await sandbox.issueClientCertificate('Bench list sender');
	const seeded = await seedNotifications(sandbox, certificate, options.listCount, firstSequence);
	console.log(
		`Return All: seeded ${seeded.accepted} notifications in ${round(seeded.durationMs)} ms (raw undici, 16 connections)`,
	);
	const rawClient = new RawUndiciClient(sandbox.url, certificate, options.concurrency);
	const context: ListContext = {
		sandbox,
		engine,
		credentials: sandboxCredentials(sandbox.url, certificate),
		rawClient,
		pageSize: options.listPageSize,
		expectedItems: options.listCount,
	};
	const runs: ListRun[] = [];
	try {
		for (const variant of ['node', 'raw'] as const) {
			const run = await measureReturnAll(context, variant, true);
			logListRun('warm-up', run);
			runs.push(run);
		}
		for (let round = 0; round < options.runs; round++) {
			for (const variant of rotated(['node', 'raw'] as const, round)) {
				const run = await measureReturnAll(context, variant);
				logListRun(`run ${round + 1}/${options.runs}`, run);
				runs.push(run);
			}
		}
	} finally {
		await rawClient.close();
	}
	return { seeded: { count: options.listCount, ...seeded }, runs };
}

async function main(): Promise<void> {
	const options = readBenchOptions();
	const startedAt = new Date();
	if (!gcAvailable) {
		console.warn('Run with node --expose-gc (npm run bench does) for heap figures without garbage.');
	}
	const machine = machineFacts();
	console.log(
		`${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGB} GB, Node ${machine.nodeVersion}; sandbox in the ${options.sandboxThread} thread`,
	);

	const clientCache = await loadNodeClientCache();
	const poolSize = await loadNodePoolSize();
	const loadsAtStart = clientCache.clientCacheStatistics.certificateLoads;
	const sandbox = await startBenchSandbox(options.sandboxThread);
	const engine = new WorkflowEngine();
	const certificate = await sandbox.issueClientCertificate('Bench sender');
	const rawClient = new RawUndiciClient(sandbox.url, certificate, options.concurrency);

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
		const listing = await runListing(sandbox, engine, options, sendContext.nextSequence);

		const summaries = {
			node: summarizeSend(sendRuns, 'node', options.count),
			nodeQuarter: summarizeSend(sendRuns, 'node', Math.floor(options.count / 4)),
			raw: summarizeSend(sendRuns, 'raw', options.count),
			naive: summarizeSend(sendRuns, 'naive', options.count),
		};
		const listSummaries = {
			node: summarizeList(listing.runs, 'node'),
			raw: summarizeList(listing.runs, 'raw'),
		};
		const certificateLoads = {
			total: clientCache.clientCacheStatistics.certificateLoads - loadsAtStart,
			// One for the sends, one for the listing sender.
			credentialsUsed: 2,
		};
		const results: BenchResults = {
			startedAt: startedAt.toISOString(),
			durationSeconds: round((Date.now() - startedAt.getTime()) / 1000, 1),
			machine,
			options,
			gcExposed: gcAvailable,
			latencySources: LATENCY_SOURCES,
			send: {
				summaries,
				nodeToRaw: summaries.node.requestsPerSecond / summaries.raw.requestsPerSecond,
				nodeToNaive: summaries.node.requestsPerSecond / summaries.naive.requestsPerSecond,
				runs: sendRuns,
			},
			returnAll: {
				seeded: listing.seeded,
				summaries: listSummaries,
				nodeToRawTime: listSummaries.node.durationMs / listSummaries.raw.durationMs,
				runs: listing.runs,
			},
			certificateLoads,
			targets: evaluateTargets({
				...summaries,
				listNode: listSummaries.node,
				listRaw: listSummaries.raw,
				poolSize,
				certificateLoadsTotal: certificateLoads.total,
				credentialsUsed: certificateLoads.credentialsUsed,
				pageSize: options.listPageSize,
				gcExposed: gcAvailable,
			}),
		};
		const markdown = markdownReport(results);
		const directory = writeResults(results, markdown);
		console.log(`\n${markdown}`);
		console.log(`Results: ${directory}/latest.json, latest.md (${results.durationSeconds} s)`);
	} finally {
		await rawClient.close();
		await engine.closeConnections();
		await sandbox.close();
	}
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? (error.stack ?? error.message) : error);
	process.exitCode = 1;
});
