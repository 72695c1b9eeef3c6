/**
 * One measured run of sending N notifications, three ways: the MNotify node in n8n's engine, raw
 * undici with a keep-alive pool, and a naive client with a new TLS connection per request.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { ClientCertificate, SandboxStats } from '../sandbox/server';
import { nodeOutput, type WorkflowEngine } from '../harness/engine';
import { SandboxClient } from '../harness/sandboxClient';
import { naiveSend, runPool } from './clients';
import {
	liveHeapBytes,
	settle,
	summarizeLatencies,
	UndiciLatencyRecorder,
	weighRunHeap,
	type HeapAfterRun,
	type LatencySummary,
} from './measure';
import type { NodeClientCache } from '../harness/builtNode';
import { allOutputItems } from './runData';
import type { BenchSandbox } from './sandboxHost';
import { threadCpuMs } from './threadCpu';
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

/** What to run: a variant, how many notifications, and in which conditions. */
export interface SendPlan {
	variant: SendVariant;
	count: number;
	warmUp?: boolean;
	/** Delay the sandbox adds to every answer during this run (set by the caller). */
	responseDelayMs?: number;
}

export interface SendRun extends HeapAfterRun {
	/** Live heap before the run's input was made. */
	heapBaselineBytes: number;
	variant: SendVariant;
	count: number;
	warmUp: boolean;
	responseDelayMs: number;
	durationMs: number;
	requestsPerSecond: number;
	/** Server side, this run only (stats are reset before it). */
	tlsHandshakes: number;
	resumedHandshakes: number;
	connections: number;
	requests: number;
	notificationsAccepted: number;
	latency: LatencySummary;
	/**
	 * From the start of the run to the first request (undici variants): for the node, the
	 * engine's start plus the node validating every item before it sends anything.
	 */
	firstRequestAfterMs?: number;
	/** CPU time of the client's thread and of the sandbox's thread during the run. */
	clientCpuMs: number;
	sandboxCpuMs: number;
	/** Live heap (after a full GC) before the run, its input made; then see HeapAfterRun. */
	heapBeforeBytes: number;
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
	rawClient: SandboxClient;
	concurrency: number;
	/** Every notification gets its own IDNP, across all runs. */
	nextSequence: number;
}

/** The same notifications, as the node's input items and as the raw clients' request bodies. */
interface SendInput {
	idnps: string[];
	items: INodeExecutionData[];
	bodies: string[];
}

/** What a variant produced: ids in input order (and its own latencies for the naive client). */
interface SendResult {
	ids: Array<string | undefined>;
	/** What the caller gets back: every node's output items (n8n's run data), or the ids. */
	outputItems: unknown;
	/** Everything the run returned (the node: n8n's whole run data), held until weighed. */
	retained: unknown;
	problems: string[];
	latenciesMs?: number[];
}

/** The run's input and, once it ran, its result; emptied step by step to weigh the heap. */
interface SendBox {
	input?: SendInput;
	result?: SendResult;
}

export async function measureSend(context: SendContext, plan: SendPlan): Promise<SendRun> {
	await startFromNoConnections(context.sandbox);
	const heapBaselineBytes = liveHeapBytes();
	const box = boxWithInput(context, plan.count);
	const measured = await runAndVerify(context, plan, box);
	// Weighed here, in a frame that never held the input or the result: see runAndVerify.
	return { ...measured, heapBaselineBytes, ...(await weighRunHeap(box)) };
}

/**
 * Runs the variant and checks it. Input and result live in `box` only: a suspended async frame
 * can keep stale references to what it handled, which would hide whether they are freed.
 */
async function runAndVerify(
	context: SendContext,
	plan: SendPlan,
	box: SendBox,
): Promise<Omit<SendRun, keyof HeapAfterRun | 'heapBaselineBytes'>> {
	const input = box.input as SendInput;
	const { variant, count } = plan;
	const recorder = new UndiciLatencyRecorder(context.sandbox.url);
	const loadsBefore = context.clientCache.clientCacheStatistics.certificateLoads;
	const heapBeforeBytes = liveHeapBytes();
	const sandboxCpuBefore = await context.sandbox.cpuMs();
	const clientCpuBefore = threadCpuMs();

	const startedAt = performance.now();
	box.result = await SENDERS[variant](context, input);
	const durationMs = performance.now() - startedAt;
	const clientCpuMs = threadCpuMs() - clientCpuBefore;
	const sandboxCpuMs = (await context.sandbox.cpuMs()) - sandboxCpuBefore;
	recorder.stop();

	const stats = await context.sandbox.stats();
	const problems = [
		...box.result.problems,
		...(await verifyStored(context.sandbox, stats, box.result.ids, input.idnps)),
	];
	return {
		variant,
		count,
		warmUp: plan.warmUp ?? false,
		responseDelayMs: plan.responseDelayMs ?? 0,
		durationMs,
		requestsPerSecond: (count / durationMs) * 1000,
		tlsHandshakes: stats.tlsHandshakes,
		resumedHandshakes: stats.resumedHandshakes,
		connections: stats.connections,
		requests: stats.requests,
		notificationsAccepted: stats.notificationsAccepted,
		latency: summarizeLatencies(box.result.latenciesMs ?? recorder.latenciesMs),
		...(recorder.firstRequestAt === undefined
			? {}
			: { firstRequestAfterMs: recorder.firstRequestAt - startedAt }),
		clientCpuMs,
		sandboxCpuMs,
		heapBeforeBytes,
		...(variant === 'node'
			? {
					certificateLoads:
						context.clientCache.clientCacheStatistics.certificateLoads - loadsBefore,
				}
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

/** Every notification gets its own IDNP, across all runs; built before the heap is measured. */
function boxWithInput(context: SendContext, count: number): SendBox {
	return { input: sendInput(context, count) };
}

function sendInput(context: SendContext, count: number): SendInput {
	const firstSequence = context.nextSequence;
	context.nextSequence += count;
	const idnps = Array.from({ length: count }, (_, index) => idnpFor(firstSequence + index));
	return {
		idnps,
		items: recipientItems(firstSequence, count),
		bodies: idnps.map((idnp) => notificationRequestBody(idnp)),
	};
}

const SENDERS: Record<
	SendVariant,
	(context: SendContext, input: SendInput) => Promise<SendResult>
> = { node: sendWithNode, raw: sendWithRawUndici, naive: sendNaively };

async function sendWithNode(context: SendContext, input: SendInput): Promise<SendResult> {
	const run = await context.engine.run(sendWorkflow(context.concurrency), {
		credentials: { mNotifyApi: context.credentials },
		startItems: input.items,
	});
	const output = nodeOutput(run, MNOTIFY_NODE_NAME);
	const ids = output.map((item) => (typeof item.json.id === 'string' ? item.json.id : undefined));
	const problems = checkNodeOutput(output, input.idnps);
	return { ids, outputItems: allOutputItems(run), retained: run, problems };
}

/** One output item per input item, in input order, pointing back at it, for its recipient. */
function checkNodeOutput(output: INodeExecutionData[], idnps: string[]): string[] {
	if (output.length !== idnps.length) {
		return [`node output ${output.length} items for ${idnps.length} input items`];
	}
	const outOfOrder = output.findIndex((item, index) => {
		const pairedItem = item.pairedItem as { item?: number } | undefined;
		const recipients = item.json.recipients as Array<{ value?: string }> | undefined;
		return pairedItem?.item !== index || recipients?.[0]?.value !== idnps[index];
	});
	return outOfOrder < 0 ? [] : [`node output item ${outOfOrder} is not input item ${outOfOrder}`];
}

async function sendWithRawUndici(context: SendContext, input: SendInput): Promise<SendResult> {
	const ids: Array<string | undefined> = new Array(input.bodies.length);
	await runPool(input.bodies.length, context.concurrency, async (index) => {
		ids[index] = await context.rawClient.send(input.bodies[index]);
	});
	return { ids, outputItems: ids, retained: ids, problems: [] };
}

async function sendNaively(context: SendContext, input: SendInput): Promise<SendResult> {
	const url = new URL(context.sandbox.url);
	const ids: Array<string | undefined> = new Array(input.bodies.length);
	const latenciesMs: number[] = [];
	await runPool(input.bodies.length, context.concurrency, async (index) => {
		const timing = await naiveSend(url, context.certificate, input.bodies[index]);
		ids[index] = timing.id;
		latenciesMs.push(timing.latencyMs);
	});
	return { ids, outputItems: ids, retained: ids, problems: [], latenciesMs };
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
		problems.push(
			`sandbox accepted ${stats.notificationsAccepted} notifications, not ${idnps.length}`,
		);
	}
	const storedValues = await sandbox.firstRecipientValues(ids.map((id) => id ?? ''));
	const mismatch = storedValues.findIndex((value, index) => value !== idnps[index]);
	if (mismatch >= 0) {
		problems.push(`notification for item ${mismatch} is stored for ${storedValues[mismatch]}`);
	}
	return problems;
}
