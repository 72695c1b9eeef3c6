/**
 * One measured run of sending N notifications, three ways: the MNotify node in n8n's engine, raw
 * undici with a keep-alive pool, and a naive client with a new TLS connection per request.
 */
import type { ClientCertificate, SandboxStats } from '../sandbox/server';
import { nodeOutput, type WorkflowEngine } from '../tools/engine';
import { naiveSend, RawUndiciClient, runPool } from './clients';
import {
	liveHeapBytes,
	settle,
	summarizeLatencies,
	UndiciLatencyRecorder,
	type LatencySummary,
} from './measure';
import type { NodeClientCache } from './nodeModule';
import type { BenchSandbox } from './sandboxHost';
import {
	idnpFor,
	MNOTIFY_NODE_NAME,
	notificationRequestBody,
	recipientItems,
	sendWorkflow,
} from './workloads';

export type SendVariant = 'node' | 'raw' | 'naive';

export const LATENCY_SOURCES: Record<SendVariant, string> = {
	node: 'undici diagnostics channels, undici:request:create → undici:request:headers',
	raw: 'undici diagnostics channels, undici:request:create → undici:request:headers',
	naive: 'https.request() call → response event (includes the TCP and TLS handshake)',
};

export interface SendRun {
	variant: SendVariant;
	count: number;
	warmUp: boolean;
	durationMs: number;
	requestsPerSecond: number;
	/** Server side, this run only (stats are reset before it). */
	tlsHandshakes: number;
	resumedHandshakes: number;
	connections: number;
	requests: number;
	notificationsAccepted: number;
	latency: LatencySummary;
	/** Live heap (after a full GC) before the run, after it with its output held, and released. */
	heapBeforeBytes: number;
	heapAfterBytes: number;
	heapReleasedBytes: number;
	/** PFX parses during the run (node only). */
	certificateLoads?: number;
	/** Why the run is not correct; empty when the sandbox and the output agree with the input. */
	problems: string[];
}

export interface SendContext {
	sandbox: BenchSandbox;
	engine: WorkflowEngine;
	clientCache: NodeClientCache;
	certificate: ClientCertificate;
	credentials: Record<string, string>;
	rawClient: RawUndiciClient;
	concurrency: number;
	/** Every notification gets its own IDNP, across all runs. */
	nextSequence: number;
}

/** What a variant produced: ids in input order (and its own latencies for the naive client). */
interface SendResult {
	ids: Array<string | undefined>;
	/** Output items as the node returned them, held until the heap is measured. */
	output?: unknown;
	problems: string[];
	latenciesMs?: number[];
}

export async function measureSend(
	context: SendContext,
	variant: SendVariant,
	count: number,
	warmUp = false,
): Promise<SendRun> {
	const firstSequence = context.nextSequence;
	context.nextSequence += count;
	const idnps = Array.from({ length: count }, (_, index) => idnpFor(firstSequence + index));

	await startFromNoConnections(context.sandbox);
	const recorder = new UndiciLatencyRecorder(context.sandbox.url);
	const loadsBefore = context.clientCache.clientCacheStatistics.certificateLoads;
	const heapBeforeBytes = liveHeapBytes();

	const startedAt = performance.now();
	let result: SendResult | undefined = await SENDERS[variant](context, firstSequence, idnps);
	const durationMs = performance.now() - startedAt;
	recorder.stop();

	const stats = await context.sandbox.stats();
	const heapAfterBytes = liveHeapBytes();
	const problems = [
		...result.problems,
		...(await verifyStored(context.sandbox, stats, result.ids, idnps)),
	];
	const latenciesMs = result.latenciesMs ?? recorder.latenciesMs;
	result = undefined;
	const heapReleasedBytes = liveHeapBytes();

	return {
		variant,
		count,
		warmUp,
		durationMs,
		requestsPerSecond: (count / durationMs) * 1000,
		tlsHandshakes: stats.tlsHandshakes,
		resumedHandshakes: stats.resumedHandshakes,
		connections: stats.connections,
		requests: stats.requests,
		notificationsAccepted: stats.notificationsAccepted,
		latency: summarizeLatencies(latenciesMs),
		heapBeforeBytes,
		heapAfterBytes,
		heapReleasedBytes,
		...(variant === 'node'
			? { certificateLoads: context.clientCache.clientCacheStatistics.certificateLoads - loadsBefore }
			: {}),
		problems,
	};
}

/**
 * The server drops idle keep-alive connections and its counters start at zero, so each run's
 * handshakes are its own (a client may still resume its TLS session: reported separately).
 */
async function startFromNoConnections(sandbox: BenchSandbox): Promise<void> {
	await sandbox.closeIdleConnections();
	await settle();
	await sandbox.resetStats();
}

const SENDERS: Record<
	SendVariant,
	(context: SendContext, firstSequence: number, idnps: string[]) => Promise<SendResult>
> = {
	node: sendWithNode,
	raw: sendWithRawUndici,
	naive: sendNaively,
};

async function sendWithNode(
	context: SendContext,
	firstSequence: number,
	idnps: string[],
): Promise<SendResult> {
	const run = await context.engine.run(sendWorkflow(context.concurrency), {
		credentials: { mNotifyApi: context.credentials },
		startItems: recipientItems(firstSequence, idnps.length),
	});
	const output = nodeOutput(run, MNOTIFY_NODE_NAME);
	const problems: string[] = [];
	if (output.length !== idnps.length) {
		problems.push(`node output ${output.length} items for ${idnps.length} input items`);
	}
	const outOfOrder = output.findIndex((item, index) => {
		const pairedItem = item.pairedItem as { item?: number } | undefined;
		const recipients = item.json.recipients as Array<{ value?: string }> | undefined;
		return pairedItem?.item !== index || recipients?.[0]?.value !== idnps[index];
	});
	if (outOfOrder >= 0) problems.push(`node output item ${outOfOrder} is not input item ${outOfOrder}`);
	const ids = output.map((item) => (typeof item.json.id === 'string' ? item.json.id : undefined));
	return { ids, output: run, problems };
}

async function sendWithRawUndici(context: SendContext, _: number, idnps: string[]) {
	const bodies = idnps.map(notificationRequestBody);
	const ids: Array<string | undefined> = new Array(idnps.length);
	await runPool(idnps.length, context.concurrency, async (index) => {
		ids[index] = await context.rawClient.send(bodies[index]);
	});
	return { ids, problems: [] };
}

async function sendNaively(context: SendContext, _: number, idnps: string[]) {
	const url = new URL(context.sandbox.url);
	const bodies = idnps.map(notificationRequestBody);
	const ids: Array<string | undefined> = new Array(idnps.length);
	const latenciesMs: number[] = [];
	await runPool(idnps.length, context.concurrency, async (index) => {
		const timing = await naiveSend(url, context.certificate, bodies[index]);
		ids[index] = timing.id;
		latenciesMs.push(timing.latencyMs);
	});
	return { ids, problems: [], latenciesMs };
}

/** Exactly N accepted, and each id stored with the IDNP of the item at its position. */
async function verifyStored(
	sandbox: BenchSandbox,
	stats: SandboxStats,
	ids: Array<string | undefined>,
	idnps: string[],
): Promise<string[]> {
	const problems: string[] = [];
	if (stats.notificationsAccepted !== idnps.length) {
		problems.push(`sandbox accepted ${stats.notificationsAccepted} notifications, not ${idnps.length}`);
	}
	const storedValues = await sandbox.firstRecipientValues(ids.map((id) => id ?? ''));
	const mismatch = storedValues.findIndex((value, index) => value !== idnps[index]);
	if (mismatch >= 0) {
		problems.push(`notification for item ${mismatch} is stored for ${storedValues[mismatch]}`);
	}
	return problems;
}
