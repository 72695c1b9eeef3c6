// The moment the queue e2e kills a worker: both workers running executions, a share of the sends
// done, and the victim provably with sends MNotify has stored but not yet answered.
//
// Waiting for "running" alone is not enough: on two loaded cores the victim may be between sends
// (claiming keys, mapping items) at the instant it dies, and then no answer is lost at all. So the
// sandbox holds its answers for a moment (the notification is stored, the answer comes later);
// once more sends are waiting for their answer than one worker's pool can carry, both workers
// have some in flight, and the kill loses the answers of the victim's.
import { setTimeout as sleep } from 'node:timers/promises';

const HOLD_ANSWERS_MS = 4000;
const GIVE_UP_MS = 300_000;

/** Sends the sandbox received and has not answered yet. */
function sendsAwaitingAnswer(sandbox) {
	return sandbox.sandbox.sendArrivals().filter((arrival) => arrival.answeredAtMs === undefined)
		.length;
}

/**
 * Waits for the moment (see above), SIGKILLs the busier worker, and lets the sandbox answer
 * normally again. Returns { killed, victim, runningOnVictim, received, awaitingAnswer }.
 */
export async function killWorkerMidSend({
	workers,
	sandbox,
	workerExecutions,
	received,
	killAtReceived,
	poolConnections,
	phase,
}) {
	const started = performance.now();
	const running = () =>
		workers.map((w) => {
			const { started: ids, finished } = workerExecutions(w);
			return [...ids].filter((id) => !finished.has(id)).length;
		});
	for (;;) {
		if (received() >= killAtReceived && running().every((r) => r > 0)) break;
		if (performance.now() - started > GIVE_UP_MS)
			throw new Error(`${phase}: no moment to kill a worker`);
		await sleep(20);
	}
	sandbox.sandbox.injectFault(
		{ kind: 'delay-answer', ms: HOLD_ANSWERS_MS },
		{ method: 'POST', path: '/api/notification', times: Infinity },
	);
	try {
		const holdStarted = performance.now();
		while (sendsAwaitingAnswer(sandbox) <= poolConnections) {
			if (performance.now() - holdStarted > GIVE_UP_MS)
				throw new Error(`${phase}: the workers never had more than one pool of sends in flight`);
			await sleep(20);
		}
		const runningNow = running();
		const victimIndex = runningNow[0] >= runningNow[1] ? 0 : 1;
		const awaitingAnswer = sendsAwaitingAnswer(sandbox);
		const killed = workers[victimIndex];
		await killed.killHard();
		return {
			killed,
			victim: `worker-${victimIndex + 1}`,
			runningOnVictim: runningNow[victimIndex],
			received: received(),
			awaitingAnswer,
		};
	} finally {
		sandbox.sandbox.clearFaults();
	}
}
