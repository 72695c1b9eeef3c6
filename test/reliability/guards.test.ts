/**
 * Send pace and AI-agent guard, through n8n's engine over real mTLS against the sandbox. The
 * spacing of sends is measured where each send starts (undici's request creation), Retry-After at
 * the server (the sandbox's arrival time of every send), the Production guard at the CONNECT proxy
 * every connection toward the Production host goes through.
 */
// The node tells n8n's log what it sent before a Stop: keep the logger on (captured, not shown).
process.env.N8N_LOG_LEVEL = 'warn';

import type { IDataObject } from 'n8n-workflow';

import { useProductionTunnel } from '../support/connectProxy';
import { templateParameters } from '../support/workflows';
import {
	closingChecks,
	markedItems,
	markedSendParameters,
	reliabilitySuite,
	SEND_PATH,
	type SandboxHandle,
} from './support/harness';

const suite = reliabilitySuite('guards');
const main = suite.sandbox();

beforeEach(() => main.sandbox.clearFaults());

/** Arrival times at the sandbox of the sends received since `sinceMs`, in order. */
function arrivalsSince(handle: SandboxHandle, sinceMs: number): number[] {
	return handle.sandbox
		.sendArrivals()
		.map((send) => send.receivedAtMs)
		.filter((at) => at >= sinceMs);
}

/**
 * When the sends created since `sinceMs` started, in order: undici's `undici:request:create`, a
 * moment after the pace let each go (the client first waits one event-loop turn). The pace is kept
 * at the start, so its spacing is measured there: on the way to the sandbox, TLS, the socket and
 * the server's parser can hold one send tens of ms and not the next (on a loaded machine, arrivals
 * 68 ms apart were seen for sends let go 105 ms apart).
 */
function sendStartsSince(sinceMs: number): number[] {
	return suite.sends.sends.map((send) => send.createdAt).filter((at) => at >= sinceMs);
}

function smallestGap(times: number[]): number {
	return Math.min(...times.slice(1).map((at, index) => at - times[index]));
}

/**
 * All `count` sends since `sinceMs` arrived, and started at least 80 ms apart (600 per minute is
 * one every 100 ms; 80 allows for the event-loop turn between the let-go and undici's request,
 * which a loaded loop can stretch for one send and not the next).
 */
function expectSpacedSends(sinceMs: number, count: number): void {
	expect(arrivalsSince(main, sinceMs)).toHaveLength(count);
	const starts = sendStartsSince(sinceMs);
	expect(starts).toHaveLength(count);
	expect(smallestGap(starts)).toBeGreaterThanOrEqual(80);
}

/**
 * A credential of its own (another certificate) for one test, so the pace that earlier tests
 * left for the main credential does not carry over; its connections are opened beforehand.
 */
async function freshCredential(): Promise<{
	credentials: Record<string, string>;
	credentialId: string;
}> {
	const { credentials } = main.issue();
	const credential = {
		credentials: { ...credentials, caCertificates: main.sandbox.caPem },
		credentialId: suite.marker(),
	};
	const warmUp = await suite.execute(
		{ resource: 'notification', operation: 'getMany', limit: 1 },
		credential.credentials,
		{ credentialId: credential.credentialId },
	);
	expect(warmUp.error).toBeUndefined();
	return credential;
}

const paced = (maxSendsPerMinute: number, concurrency = 8) =>
	markedSendParameters({ options: { maxSendsPerMinute, concurrency } });

describe('Max Sends per Minute: one pace per credential in the process', () => {
	it('holds across node runs: a second Send node (as each Loop Over Items batch is) waits its turn', async () => {
		const { credentials, credentialId } = await freshCredential();
		const since = Date.now();
		const first = await suite.execute(paced(600), credentials, {
			credentialId,
			items: markedItems(suite, 3),
		});
		const second = await suite.execute(paced(600), credentials, {
			credentialId,
			items: markedItems(suite, 3),
		});
		expect([first.error, second.error]).toEqual([undefined, undefined]);
		// 600 per minute: one every 100 ms, the first send of the second run included.
		expectSpacedSends(since, 6);
	});

	it("sends a run's items in their order, whatever the concurrency", async () => {
		const { credentials, credentialId } = await freshCredential();
		// Twelve sends asking at once: each interval, eleven of them wait for the same turn.
		const items = markedItems(suite, 12);
		const run = await suite.execute(paced(600, 12), credentials, { credentialId, items });
		expect(run.error).toBeUndefined();
		const subjects = new Set(items.map((item) => item.json.subject));
		// The sandbox keeps notifications in the order they arrived: 100 ms apart, so as sent.
		const received = main.sandbox
			.notifications()
			.map((notification) => notification.subject)
			.filter((subject) => subjects.has(subject));
		expect(received).toEqual(items.map((item) => item.json.subject));
	});

	it('holds across executions running at the same time', async () => {
		const { credentials, credentialId } = await freshCredential();
		const since = Date.now();
		const runs = await Promise.all(
			[0, 1].map(
				async () =>
					await suite.execute(paced(600), credentials, {
						credentialId,
						items: markedItems(suite, 4),
					}),
			),
		);
		expect(runs.map((run) => run.error)).toEqual([undefined, undefined]);
		expectSpacedSends(since, 8);
	});

	it('n8n Stop ends a wait for the next slot at once, and the waiting send does not start', async () => {
		const { credentials, credentialId } = await freshCredential();
		const since = Date.now();
		// 6 per minute: the second send would wait 10 s.
		const stopped = await suite.executeAndStop(paced(6, 2), credentials, {
			credentialId,
			items: markedItems(suite, 3),
			stopWhen: () => arrivalsSince(main, since).length >= 1,
		});
		expect(stopped.settledAfterStopMs).toBeLessThan(1000);
		expect(suite.sends.startedAfterStop).toBe(0);
		expect(arrivalsSince(main, since)).toHaveLength(1);
	});

	it('a tiny limit (one a month) waits rather than overflowing the timer', async () => {
		const { credentials, credentialId } = await freshCredential();
		const since = Date.now();
		const stopped = await suite.executeAndStop(paced(0.00002, 2), credentials, {
			credentialId,
			items: markedItems(suite, 3),
			stopWhen: () => {
				const times = arrivalsSince(main, since);
				return times.length > 1 || (times.length === 1 && Date.now() - times[0] > 500);
			},
		});
		expect(arrivalsSince(main, since)).toHaveLength(1);
		expect(stopped.settledAfterStopMs).toBeLessThan(1000);
	});
});

describe("MNotify's 429: Retry-After for every send not yet started, one slow-down per overload", () => {
	it('no send arrives during Retry-After, those already waiting for a slot included', async () => {
		const { credentials, credentialId } = await freshCredential();
		const since = Date.now();
		main.injectFault(
			{ kind: 'status', status: 429, retryAfterSeconds: 2 },
			{ method: 'POST', path: SEND_PATH },
		);
		const run = await suite.execute(paced(600), credentials, {
			credentialId,
			items: markedItems(suite, 12),
			continueOnFail: true,
		});
		expect(run.output.filter((item) => item.json.httpCode === '429')).toHaveLength(1);
		const times = arrivalsSince(main, since);
		expect(times).toHaveLength(12);
		// Nothing for the 2 s after the 429 (it was answered within a few ms of its arrival).
		expect(times[1] - times[0]).toBeGreaterThanOrEqual(2000);
		expect(main.retryAfterViolations(since)).toBe(0);
	});

	it('a burst of 429s for sends under way at once halves the pace once, then it recovers', async () => {
		const { credentials, credentialId } = await freshCredential();
		const since = Date.now();
		// The first 8 sends (one every 100 ms, Concurrency 8) are all held, then refused at once.
		main.injectFault(
			{ kind: 'status', status: 429, retryAfterSeconds: 1, delayMs: 1000 },
			{ method: 'POST', path: SEND_PATH, times: 8 },
		);
		const run = await suite.execute(paced(600), credentials, {
			credentialId,
			items: markedItems(suite, 30),
			continueOnFail: true,
		});
		const arrivals = main.sandbox.sendArrivals().filter((send) => send.receivedAtMs >= since);
		expect(run.output.filter((item) => item.json.httpCode === '429')).toHaveLength(8);
		const lastRefusal = Math.max(
			...arrivals.filter((send) => send.retryAfterMs).map((send) => send.answeredAtMs ?? 0),
		);
		const after = arrivals.map((send) => send.receivedAtMs).filter((at) => at > lastRefusal);
		expect(after).toHaveLength(22);
		// Retry-After (1 s), then about half the pace before (8 sends in 1 s): 4 a second, faster
		// as it recovers. Were it halved for every 429 of the burst, one send in 25 s.
		expect(after.filter((at) => at <= lastRefusal + 6000).length).toBeGreaterThanOrEqual(15);
		expect(after[0] - lastRefusal).toBeGreaterThanOrEqual(1000 - 50);
		expect(main.retryAfterViolations(since)).toBe(0);
	});
});

describe('"Allow AI Agents in Production" guards every write, and only writes', () => {
	const { tunnelsToProduction } = useProductionTunnel(() => main.sandbox.port);
	const production = () => ({ ...main.credentials, environment: 'production' });
	const notificationId = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
	const templateId = '6a1f2c3d-4b5e-4f60-8a7b-9c0d1e2f3a4b';

	const writes: Array<[string, IDataObject]> = [
		['Send', markedSendParameters()],
		['Cancel', { resource: 'notification', operation: 'cancel', notificationId }],
		['Template Create', templateParameters()],
		[
			'Template Update',
			{ resource: 'template', operation: 'update', templateId, updateFields: { name: 'Nou' } },
		],
		['Template Delete', { resource: 'template', operation: 'delete', templateId }],
	];

	it.each(writes)(
		'%s by an agent with a Production credential is refused before any connection',
		async (operation, parameters) => {
			const before = tunnelsToProduction();
			const run = await suite.execute(parameters, production(), {
				items: markedItems(suite, 1),
				asAgentTool: true,
			});
			const opened = tunnelsToProduction() - before;
			suite.agentProductionWrites += opened;
			expect(run.error?.message).toMatch(/^An AI agent tried to .* with a Production credential$/);
			expect(run.error?.description).toMatch(/Allow AI Agents in Production/);
			expect({ operation, opened }).toEqual({ operation, opened: 0 });
		},
	);

	it('a write the author allowed, and a read, do go to Production', async () => {
		const before = tunnelsToProduction();
		await suite.execute(
			{
				resource: 'template',
				operation: 'delete',
				templateId,
				options: { allowProductionFromAgents: true },
			},
			production(),
			{ asAgentTool: true },
		);
		const afterAllowedWrite = tunnelsToProduction();
		const read = await suite.execute(
			{ resource: 'notification', operation: 'getMany', limit: 1 },
			production(),
			{ asAgentTool: true },
		);
		expect(afterAllowedWrite).toBeGreaterThan(before);
		expect(tunnelsToProduction()).toBeGreaterThan(afterAllowedWrite);
		// The sandbox's certificate is not Production's: the connection fails, but not on the guard.
		expect(read.error?.message).not.toMatch(/AI agent/);
	});
});

closingChecks(suite);
