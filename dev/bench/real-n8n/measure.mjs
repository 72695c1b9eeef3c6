// One measured run of the real-n8n benchmark: a variant sends N notifications from a fresh sandbox
// state; its time, handshakes, CPU and heap are read, and its output and the stored notifications
// checked.
import { setTimeout as sleep } from 'node:timers/promises';

import { checkOutput, checkStored } from './checks.mjs';
import { benchWorkflow, flushWorkflow, MEASURED } from './workflows.mjs';

/**
 * Live heap, in this process, of n8n items rebuilt from their JSON: what the items themselves
 * weigh (n8n holds them as {json, pairedItem} objects much like these). Needs --expose-gc.
 */
let beingWeighed; // module scope: alive across the collection that weighs it
function weighItems(items) {
	if (typeof global.gc !== 'function') return Number.NaN;
	const text = JSON.stringify(items);
	global.gc();
	const before = process.memoryUsage().heapUsed;
	beingWeighed = JSON.parse(text);
	global.gc();
	const bytes = process.memoryUsage().heapUsed - before;
	beingWeighed = undefined;
	return bytes;
}

/** Resolves when n8n reports the execution over; looks every 3 s, without its data. */
async function executionEnded(n8n, executionId) {
	for (;;) {
		await sleep(3000);
		const execution = await n8n.api('GET', `/executions/${executionId}`).catch(() => undefined);
		if (execution && !['new', 'running', 'waiting'].includes(execution.status)) return;
	}
}

/** Returns measure({variant, count, warmUp?, profile?}) for this environment. */
export async function createMeasure(env) {
	const { n8n, sandbox, inspector, endpoint, rawClient, credentials } = env;
	const flushId = await n8n.createWorkflow(flushWorkflow());
	const workflowIds = new Map();
	const workflowFor = async (variant, count) => {
		const key = `${variant}@${count}`;
		if (!workflowIds.has(key)) {
			const workflow = benchWorkflow({
				variant,
				count,
				credentials,
				sandboxUrl: sandbox.url,
				probeUrl: endpoint.url,
			});
			workflowIds.set(key, await n8n.createWorkflow(workflow));
		}
		return workflowIds.get(key);
	};

	/** A run of an n8n variant: the measured node's own figures, between the two probes. */
	const runInN8n = async (variant, count, profile) => {
		const workflowId = await workflowFor(variant, count);
		const baselineBytes = await inspector.liveBytes();
		if (profile) endpoint.profileNextRun();
		const stopSampling = inspector.samplePeak();
		const measuredNodeDone = endpoint.nextAfter();
		const executionId = await n8n.startManually(workflowId);
		// No polling of n8n's API while the measured node runs (it would take n8n's CPU), only a
		// glance every few seconds in case the execution failed before the second probe.
		await Promise.race([measuredNodeDone, executionEnded(n8n, executionId)]);
		const peakBytes = await stopSampling();
		const execution = await n8n.waitForExecution(executionId, { timeoutMs: 600_000 });
		const { before, after } = endpoint.take();
		await n8n.runManually(flushId);
		const afterBytes = await inspector.liveBytes();
		const task = execution.runData[MEASURED]?.[0];
		if (execution.status !== 'success' || !task || !before || !after)
			throw new Error(
				`${variant}: execution ${execution.id} ${execution.status}: ${execution.errorMessage || task?.error?.message || 'no probe readings'}`,
			);
		const outputItems = task.data?.main?.[0] ?? [];
		const { ids, problems } = checkOutput(variant, outputItems, count);
		return {
			timeMs: task.executionTime,
			// n8n's CPU from the first probe's answer to the second's arrival: the measured node.
			cpuMs: after.cpuAtArrival - before.cpuAtAnswer,
			// The MNotify node validates every item before its first request.
			firstRequestMs: after.firstRequestAt && after.firstRequestAt - task.startTime,
			ids,
			problems,
			profile: after.profile,
			heap: {
				baselineBytes,
				// What the measured node added to the live heap and n8n holds after it ...
				heldBytes: after.liveBytes - before.liveBytes,
				// ... of which its output items, weighed here.
				itemsBytes: weighItems(outputItems),
				peakBytes: peakBytes - before.liveBytes,
				// Once the execution is over (and n8n has let go of it, see flushWorkflow).
				retainedBytes: afterBytes - baselineBytes,
			},
		};
	};

	const runRaw = async (count) => {
		const sent = await rawClient.send(count);
		return { timeMs: sent.durationMs, cpuMs: sent.cpuMs, ids: sent.ids, problems: [] };
	};

	return async function measure({ variant, count, warmUp = false, profile = false }) {
		// A fresh sandbox: no open connection, no notification, counters at zero.
		sandbox.sandbox.closeIdleConnections();
		await sleep(100);
		sandbox.sandbox.clearNotifications();
		sandbox.sandbox.resetStats();
		const result =
			variant === 'raw' ? await runRaw(count) : await runInN8n(variant, count, profile);
		const stats = sandbox.sandbox.stats;
		const sends = variant !== 'setFloor';
		return {
			variant,
			count,
			warmUp,
			profiled: profile,
			timeMs: result.timeMs,
			perSecond: (count / result.timeMs) * 1000,
			tlsHandshakes: stats.tlsHandshakes,
			resumedHandshakes: stats.resumedHandshakes,
			cpuMs: result.cpuMs,
			firstRequestMs: result.firstRequestMs,
			heap: result.heap,
			profile: result.profile,
			problems: [
				...result.problems,
				...(sends ? checkStored(sandbox.sandbox, result.ids, count) : []),
			],
		};
	};
}

/** One line per run, as it happens. */
export function logRun(run) {
	const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
	const label = run.warmUp ? 'warm-up' : run.profiled ? 'profile' : 'run    ';
	const heap = run.heap
		? `  heap held ${mb(run.heap.heldBytes)} MB (output items ${mb(run.heap.itemsBytes)} MB), peak +${mb(run.heap.peakBytes)} MB, left after ${mb(run.heap.retainedBytes)} MB`
		: '';
	console.log(
		`  ${label} ${run.variant.padEnd(11)} N=${String(run.count).padEnd(5)} ${run.timeMs.toFixed(0).padStart(6)} ms ` +
			(run.firstRequestMs === undefined
				? ''
				: `(first request +${run.firstRequestMs.toFixed(0)} ms) `) +
			`${run.perSecond.toFixed(0).padStart(5)}/s  ${String(run.tlsHandshakes).padStart(4)} handshakes  CPU ${run.cpuMs.toFixed(0)} ms` +
			heap +
			(run.problems.length ? `  PROBLEMS: ${run.problems.join('; ')}` : ''),
	);
}
