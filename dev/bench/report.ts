/** Machine facts, the Markdown report, and the files in bench-results/. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PACKAGE_DIRECTORY } from '../harness/engine';
import type { PageHeapTrace } from './measure';
import type { BenchOptions } from './options';
import type { ListRun, ListVariant } from './returnAll';
import type { SendRun } from './sendVariants';
import { round, type ListSummary, type SendSummary, type Target } from './summary';

export interface MachineFacts {
	cpuModel: string;
	cores: number;
	nodeVersion: string;
	totalMemoryGB: number;
	platform: string;
	undiciVersion: string;
	n8nCoreVersion: string;
	/** 1-minute load averages: other work on the machine skews wall-clock figures. */
	loadAverageAtStart: number;
	loadAverageAtEnd?: number;
}

export function machineFacts(loadAverageAtStart: number): MachineFacts {
	const cpus = os.cpus();
	return {
		cpuModel: cpus[0]?.model.trim() ?? 'unknown',
		cores: os.availableParallelism?.() ?? cpus.length,
		nodeVersion: process.version,
		totalMemoryGB: round(os.totalmem() / 1024 ** 3, 1),
		platform: `${os.platform()} ${os.release()} ${os.arch()}`,
		undiciVersion: packageVersion('undici'),
		n8nCoreVersion: packageVersion('n8n-core'),
		loadAverageAtStart: round(loadAverageAtStart, 2),
	};
}

function packageVersion(name: string): string {
	try {
		const file = path.join(PACKAGE_DIRECTORY, 'node_modules', name, 'package.json');
		return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
	} catch {
		return 'unknown';
	}
}

interface SendSummaries {
	node: SendSummary;
	nodeQuarter: SendSummary;
	raw: SendSummary;
	naive: SendSummary;
}

export interface BenchResults {
	startedAt: string;
	durationSeconds: number;
	machine: MachineFacts;
	options: BenchOptions;
	gcExposed: boolean;
	latencySources: Record<string, string>;
	cpuSource: string;
	send: { summaries: SendSummaries; nodeToRaw: number; nodeToNaive: number; runs: SendRun[] };
	delayedSend?: {
		responseDelayMs: number;
		summaries: { node: SendSummary; raw: SendSummary };
		nodeToRaw: number;
	};
	returnAll: {
		summaries: { node: ListSummary; raw: ListSummary };
		nodeToRawTime: number;
		measured: {
			seeded: { count: number; durationMs: number; accepted: number };
			traces: Record<'nodeTrace' | 'rawTrace', PageHeapTrace & { variant: ListVariant }>;
			runs: ListRun[];
		};
	};
	certificateLoads: { total: number; credentialsUsed: number };
	targets: Target[];
}

const VARIANT_LABELS = {
	node: 'MNotify node (n8n engine)',
	raw: 'raw undici keep-alive',
	naive: 'naive, new TLS per request',
};

function percent(share: number): string {
	return `${Math.round(share * 100)}%`;
}

function sendRow(summary: SendSummary, nodeRequestsPerSecond: number): string {
	const isNode = summary.variant === 'node';
	return [
		isNode ? `${VARIANT_LABELS.node}, N=${summary.count}` : VARIANT_LABELS[summary.variant],
		round(summary.requestsPerSecond),
		isNode ? '—' : (nodeRequestsPerSecond / summary.requestsPerSecond).toFixed(2),
		`${summary.tlsHandshakes} (${summary.resumedHandshakes})`,
		round(summary.p50Ms, 2),
		round(summary.p95Ms, 2),
		round(summary.clientCpuUsPerRequest),
		round(summary.sandboxCpuUsPerRequest),
		`${summary.heapBeforeMB} → ${summary.heapAfterMB}`,
		`${summary.heap.outputMB} + ${summary.heap.beyondOutputMB} (${summary.heap.leftMB})`,
		summary.certificateLoads ?? '—',
	].join(' | ');
}

function listRow(summary: ListSummary): string {
	return [
		summary.variant === 'node' ? 'MNotify node, Return All' : 'raw undici, page by page',
		round(summary.durationMs),
		summary.itemsReturned,
		summary.pageRequests,
		summary.maxPagesInFlight,
		`${round(summary.clientCpuMs)} / ${round(summary.sandboxCpuMs)}`,
		`${summary.heapBeforeMB} → ${summary.heapPeakMB} → ${summary.heapAfterMB}`,
		`${summary.heap.outputMB} + ${summary.heap.beyondOutputMB} (${summary.heap.leftMB})`,
	].join(' | ');
}

function sendSection(results: BenchResults): string[] {
	const { node, nodeQuarter, raw, naive } = results.send.summaries;
	return [
		'| Variant | req/s | node ÷ this | TLS handshakes (resumed) | p50 ms | p95 ms | client CPU µs/req | sandbox CPU µs/req | heap MB before → after | held MB: output + beyond (left) | PFX parses |',
		'| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
		...[node, nodeQuarter, raw, naive].map(
			(summary) => `| ${sendRow(summary, node.requestsPerSecond)} |`,
		),
		'',
		`Latency: node and raw undici from ${results.latencySources.node}; naive from ${results.latencySources.naive}. CPU: ${results.cpuSource}${results.options.sandboxThread === 'main' ? '; the sandbox runs in the client thread, so client CPU includes it' : ''}.`,
	];
}

/** Where the time goes, from the CPU each thread used and when the node's first request left. */
function diagnosisSection(results: BenchResults): string[] {
	const { node, raw } = results.send.summaries;
	const validationUs = ((node.firstRequestAfterMs ?? Number.NaN) * 1000) / node.count;
	const lines = [
		`- Node: first request ${round(node.firstRequestAfterMs ?? Number.NaN)} ms after the run started (engine start and every item read and validated before any send: ${round(validationUs)} µs/item); client thread on CPU ${percent(node.clientThreadBusy)} of the run, sandbox thread ${percent(node.sandboxThreadBusy)}.`,
		`- Raw undici: client thread on CPU ${percent(raw.clientThreadBusy)}, sandbox thread ${percent(raw.sandboxThreadBusy)}.`,
		`- Client CPU per request: node ${round(node.clientCpuUsPerRequest)} µs, raw undici ${round(raw.clientCpuUsPerRequest)} µs (+${round(node.clientCpuUsPerRequest - raw.clientCpuUsPerRequest)} µs in n8n's engine and the node).`,
	];
	const delayed = results.delayedSend;
	if (delayed) {
		lines.push(
			`- With ${delayed.responseDelayMs} ms added to every answer: node ${round(delayed.summaries.node.requestsPerSecond)} req/s, raw undici ${round(delayed.summaries.raw.requestsPerSecond)} req/s = ${delayed.nodeToRaw.toFixed(2)}× (p50 ${round(delayed.summaries.node.p50Ms, 2)} vs ${round(delayed.summaries.raw.p50Ms, 2)} ms).`,
		);
	}
	return lines;
}

function returnAllSection(results: BenchResults): string[] {
	const { measured, summaries } = results.returnAll;
	const traceLine = (trace: PageHeapTrace & { variant: ListVariant }) =>
		`${trace.variant} ${round(trace.growthPerPageBytes / 1024)} KB/page, at most ${round(trace.maxExcessBytes / 1024)} KB above`;
	return [
		`Return All over ${measured.seeded.count} stored notifications (pages of ${results.options.listPageSize}, seeded in ${round(measured.seeded.durationMs)} ms):`,
		'',
		'| Variant | ms | items | pages | max pages in flight | CPU ms client / sandbox | heap MB before → peak → after | held MB: output + beyond (left) |',
		'| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
		`| ${listRow(summaries.node)} |`,
		`| ${listRow(summaries.raw)} |`,
		'',
		`Live heap traced with a GC at every page request: ${traceLine(measured.traces.nodeTrace)}; ${traceLine(measured.traces.rawTrace)}. Node ÷ raw time: ${results.returnAll.nodeToRawTime.toFixed(2)}×.`,
	];
}

export function markdownReport(results: BenchResults): string {
	const { machine, options } = results;
	const load = `load average ${machine.loadAverageAtStart} → ${machine.loadAverageAtEnd ?? '?'}`;
	return [
		`# MNotify node benchmark — ${results.startedAt}`,
		'',
		`Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGB} GB, Node ${machine.nodeVersion} (${machine.platform}); undici ${machine.undiciVersion}, n8n-core ${machine.n8nCoreVersion}; ${load}.`,
		`Sends: N=${options.count}, concurrency ${options.concurrency}, median of ${options.runs} runs after a warm-up, in rotating order; sandbox in the ${options.sandboxThread === 'worker' ? 'worker' : 'main'} thread, statuses frozen, no added delay${results.gcExposed ? '' : '; heap without --expose-gc (includes garbage)'}.`,
		'',
		...sendSection(results),
		'',
		'Where the time goes:',
		'',
		...diagnosisSection(results),
		'',
		...returnAllSection(results),
		'',
		'## Targets',
		'',
		...results.targets.map(
			(target) => `- **${target.pass ? 'PASS' : 'MISS'}** ${target.name}: ${target.detail}`,
		),
		'',
	].join('\n');
}

/** bench-results/<timestamp>.json, latest.json and latest.md; returns the directory. */
export function writeResults(results: BenchResults, markdown: string): string {
	const directory = path.join(PACKAGE_DIRECTORY, 'bench-results');
	mkdirSync(directory, { recursive: true });
	const json = `${JSON.stringify(results, null, '\t')}\n`;
	const stamp = results.startedAt.replace(/[:.]/g, '-');
	writeFileSync(path.join(directory, `${stamp}.json`), json);
	writeFileSync(path.join(directory, 'latest.json'), json);
	writeFileSync(path.join(directory, 'latest.md'), markdown);
	return directory;
}
