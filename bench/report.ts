/** Machine facts, the Markdown table, and the files in bench-results/. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PACKAGE_DIRECTORY } from '../tools/engine';
import type { BenchOptions } from './options';
import type { ListRun } from './returnAll';
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
}

export function machineFacts(): MachineFacts {
	const cpus = os.cpus();
	return {
		cpuModel: cpus[0]?.model.trim() ?? 'unknown',
		cores: os.availableParallelism?.() ?? cpus.length,
		nodeVersion: process.version,
		totalMemoryGB: round(os.totalmem() / 1024 ** 3, 1),
		platform: `${os.platform()} ${os.release()} ${os.arch()}`,
		undiciVersion: packageVersion('undici'),
		n8nCoreVersion: packageVersion('n8n-core'),
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

export interface BenchResults {
	startedAt: string;
	durationSeconds: number;
	machine: MachineFacts;
	options: BenchOptions;
	gcExposed: boolean;
	latencySources: Record<string, string>;
	send: {
		summaries: { node: SendSummary; nodeQuarter: SendSummary; raw: SendSummary; naive: SendSummary };
		nodeToRaw: number;
		nodeToNaive: number;
		runs: SendRun[];
	};
	returnAll: {
		seeded: { count: number; durationMs: number; accepted: number };
		summaries: { node: ListSummary; raw: ListSummary };
		nodeToRawTime: number;
		runs: ListRun[];
	};
	certificateLoads: { total: number; credentialsUsed: number };
	targets: Target[];
}

const VARIANT_LABELS = {
	node: 'MNotify node (n8n engine)',
	raw: 'raw undici keep-alive',
	naive: 'naive, new TLS per request',
};

function sendRow(summary: SendSummary, nodeRequestsPerSecond: number): string {
	const label =
		summary.variant === 'node' ? `${VARIANT_LABELS.node}, N=${summary.count}` : VARIANT_LABELS[summary.variant];
	const ratio = summary.variant === 'node' ? '—' : (nodeRequestsPerSecond / summary.requestsPerSecond).toFixed(2);
	return [
		label,
		round(summary.requestsPerSecond),
		ratio,
		`${summary.tlsHandshakes} (${summary.resumedHandshakes})`,
		round(summary.p50Ms, 2),
		round(summary.p95Ms, 2),
		`${summary.heapBeforeMB} → ${summary.heapAfterMB} (${summary.heapRetainedMB})`,
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
		`${summary.heapBeforeMB} → ${summary.heapPeakMB} → ${summary.heapAfterMB} (${summary.heapRetainedMB})`,
	].join(' | ');
}

export function markdownReport(results: BenchResults): string {
	const { machine, options, send, returnAll } = results;
	const { node, nodeQuarter, raw, naive } = send.summaries;
	const lines = [
		`# MNotify node benchmark — ${results.startedAt}`,
		'',
		`Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemoryGB} GB, Node ${machine.nodeVersion} (${machine.platform}); undici ${machine.undiciVersion}, n8n-core ${machine.n8nCoreVersion}.`,
		`Sends: N=${options.count}, concurrency ${options.concurrency}, median of ${options.runs} runs after a warm-up; sandbox in the ${results.options.sandboxThread === 'worker' ? 'worker thread' : 'main thread'}, statuses frozen${results.gcExposed ? '' : '; heap without --expose-gc (includes garbage)'}.`,
		'',
		'| Variant | req/s | node ÷ this | TLS handshakes (resumed) | p50 ms | p95 ms | heap MB before → after (retained) | PFX parses |',
		'| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
		...[node, nodeQuarter, raw, naive].map((summary) => `| ${sendRow(summary, node.requestsPerSecond)} |`),
		'',
		`Latency: node and raw undici from ${results.latencySources.node}; naive from ${results.latencySources.naive}.`,
		'',
		`Return All over ${returnAll.seeded.count} stored notifications (pages of ${options.listPageSize}, seeded in ${round(returnAll.seeded.durationMs)} ms):`,
		'',
		'| Variant | ms | items | pages | max pages in flight | heap MB before → peak → after (retained) |',
		'| --- | ---: | ---: | ---: | ---: | ---: |',
		`| ${listRow(returnAll.summaries.node)} |`,
		`| ${listRow(returnAll.summaries.raw)} |`,
		'',
		`Node ÷ raw: sends ${send.nodeToRaw.toFixed(2)}× raw undici, ${send.nodeToNaive.toFixed(2)}× naive; Return All takes ${returnAll.nodeToRawTime.toFixed(2)}× the raw listing's time.`,
		'',
		'## Targets',
		'',
		...results.targets.map((target) => `- **${target.pass ? 'PASS' : 'MISS'}** ${target.name}: ${target.detail}`),
		'',
	];
	return lines.join('\n');
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
