/**
 * Sends that stop when told and never go out twice, through n8n's engine over real
 * mTLS against the sandbox. Each guarantee has its block; every test here failed on
 * 0.1.0. What the wire saw comes from undici's diagnostics (support/sendWatch.ts) and the
 * sandbox's own store, never from the node's word.
 */
// The node tells n8n's log what it sent before a Stop: keep the logger on (captured, not shown).
process.env.N8N_LOG_LEVEL = 'warn';

import { connect, createServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IDataObject } from 'n8n-workflow';

import { testCredentials } from '../../nodes/MNotify/methods/credentialTest';
import { startConnectProxy, useProxyEnvironment, type ConnectProxy } from '../support/connectProxy';
import type { MNotifyCredentials } from '../../nodes/MNotify/transport/clientCertificate';
import {
	closingChecks,
	markedItems,
	markedSendParameters,
	MAYBE_ACCEPTED,
	reliabilitySuite,
	SEND_PATH,
} from './support/harness';

const suite = reliabilitySuite('sendSafety');
const main = suite.sandbox();
/** Statuses frozen at Pending: a wait for delivery never ends by itself. */
const frozen = suite.sandbox({ statusStepMs: 0 });

const STATUS_PATH = /^\/api\/notification\/[0-9a-f-]{36}$/i;

beforeEach(() => {
	main.sandbox.clearFaults();
	frozen.sandbox.clearFaults();
});

function errorText(run: { error?: { message: string; description: string } }): string {
	return `${run.error?.message ?? ''} ${run.error?.description ?? ''}`;
}

describe('1. Stop stops', () => {
	it('starts no send after Stop, and records the ids sent before it in the custom data and the log', async () => {
		// Each send takes 150 ms in MNotify, so the run is stopped part-way.
		main.injectFault({ kind: 'delay', ms: 150 }, { method: 'POST', path: SEND_PATH, times: 40 });
		const items = markedItems(suite, 40);
		const before = main.sandbox.stats.notificationSendsReceived;
		const stopped = await suite.executeAndStop(
			markedSendParameters({ options: { concurrency: 2 } }),
			main.credentials,
			{ items, stopWhen: () => main.sandbox.stats.notificationSendsReceived - before >= 4 },
		);
		await main.settled();
		const received = main.sandbox.stats.notificationSendsReceived - before;
		// The 4 seen, and at most the 2 already under way when Stop was pressed.
		expect(received).toBeLessThanOrEqual(6);
		expect(suite.sends.startedAfterStop).toBe(0);

		const stored = items.flatMap((item) =>
			main.sandbox
				.notifications()
				.filter((record) => record.subject === item.json.subject)
				.map((record) => record.id),
		);
		expect(stored.length).toBeGreaterThanOrEqual(4);
		// n8n keeps no output of a stopped execution: every id is in its custom data or log.
		const recorded = `${JSON.stringify(stopped.customData)} ${stopped.log}`;
		for (const id of stored) expect(recorded).toContain(id);
		expect(stopped.customData.mnotify_stopped).toMatch(/stopped; \d+ sent/);
		expect(
			suite.checkOutcomesNamed(main, items, {
				texts: [JSON.stringify(stopped.customData), stopped.log],
			}),
		).toEqual([]);
	});

	it('stops waiting for delivery at once', async () => {
		const items = markedItems(suite, 2);
		const polls = () =>
			frozen.log.filter((line) => /^GET \/api\/notification\/[0-9a-f-]{36} /.test(line)).length;
		const stopped = await suite.executeAndStop(
			markedSendParameters({
				options: { waitForDelivery: true, pollIntervalSeconds: 1, waitTimeoutSeconds: 60 },
			}),
			frozen.credentials,
			{ items, stopWhen: () => polls() >= 2 },
		);
		const pollsAtStop = polls();
		await sleep(1_500);
		expect(stopped.settledAfterStopMs).toBeLessThan(500);
		expect(polls()).toBe(pollsAtStop);
	});
});

/** A TCP relay to the sandbox whose first connection is cut during the TLS handshake. */
class HandshakeCutter {
	cut = 0;
	private readonly sockets = new Set<Socket>();
	private readonly server = createServer((socket) => this.relay(socket));

	private constructor(private readonly targetPort: number) {}

	static async open(targetPort: number): Promise<HandshakeCutter> {
		const cutter = new HandshakeCutter(targetPort);
		await new Promise<void>((resolve) => cutter.server.listen(0, '127.0.0.1', resolve));
		return cutter;
	}

	private relay(socket: Socket): void {
		this.sockets.add(socket);
		socket.on('error', () => undefined);
		if (this.cut === 0) {
			this.cut++;
			// The client's hello arrives; the connection is reset before the server answers it.
			socket.once('data', () => socket.resetAndDestroy());
			return;
		}
		const target = connect(this.targetPort, '127.0.0.1');
		this.sockets.add(target);
		target.on('error', () => undefined);
		socket.pipe(target).pipe(socket);
		socket.on('close', () => target.destroy());
		target.on('close', () => socket.destroy());
	}

	get url(): string {
		const address = this.server.address();
		return `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
	}

	async close(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise((resolve) => this.server.close(resolve));
	}
}

describe('2. A send is retried only when it provably never reached the server', () => {
	// The kernel reports these on a connection that has already carried the request too. The
	// sandbox stores the notification and keeps the connection open; the test then breaks the
	// client's socket with the error, as the kernel would.
	it.each(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'])(
		'is not repeated after %s on a connection that carried it',
		async (code) => {
			const [item] = markedItems(suite, 1);
			const subject = item.json.subject as string;
			main.injectFault({ kind: 'hold' }, { method: 'POST', path: SEND_PATH });
			const running = suite.execute(markedSendParameters(), main.credentials, { items: [item] });
			while (main.acceptedWith(subject) === 0) await sleep(5);
			const socket = suite.sends.socketOf(subject);
			socket?.destroy(Object.assign(new Error(`read ${code}`), { code, syscall: 'read' }));
			const run = await running;

			expect(socket).toBeDefined();
			expect(suite.sends.attemptsFor(subject)).toBe(1);
			expect(main.acceptedWith(subject)).toBe(1);
			expect(run.error?.itemIndex).toBe(0);
			expect(errorText(run)).toMatch(MAYBE_ACCEPTED);
		},
	);

	it('is retried, and sent once, when the connection broke during the TLS handshake', async () => {
		const cutter = await HandshakeCutter.open(main.sandbox.port);
		try {
			const [item] = markedItems(suite, 1);
			const subject = item.json.subject as string;
			const run = await suite.execute(
				markedSendParameters(),
				{ ...main.credentials, baseUrl: cutter.url },
				{ items: [item], credentialId: 'handshake-cutter' },
			);
			expect(run.error).toBeUndefined();
			expect(cutter.cut).toBe(1);
			expect(suite.sends.attemptsFor(subject)).toBe(2);
			expect(main.acceptedWith(subject)).toBe(1);
		} finally {
			await cutter.close();
		}
	});
});

describe('2. … also through a corporate proxy (HTTPS_PROXY)', () => {
	const savedEnvironment = { ...process.env };
	let proxy: ConnectProxy;
	afterEach(async () => {
		await useProxyEnvironment({});
		Object.assign(process.env, savedEnvironment);
		await proxy.close();
	});

	it('a send is not repeated after EHOSTUNREACH on the tunnel that carried it', async () => {
		proxy = await startConnectProxy();
		await useProxyEnvironment({ HTTPS_PROXY: proxy.url });
		const [item] = markedItems(suite, 1);
		const subject = item.json.subject as string;
		main.injectFault({ kind: 'hold' }, { method: 'POST', path: SEND_PATH });
		const running = suite.execute(markedSendParameters(), main.credentials, { items: [item] });
		while (main.acceptedWith(subject) === 0) await sleep(5);
		const socket = suite.sends.socketOf(subject);
		const code = 'EHOSTUNREACH';
		socket?.destroy(Object.assign(new Error(`read ${code}`), { code, syscall: 'read' }));
		const run = await running;

		expect(proxy.tunnels.length).toBeGreaterThan(0);
		expect(suite.sends.attemptsFor(subject)).toBe(1);
		expect(main.acceptedWith(subject)).toBe(1);
		expect(errorText(run)).toMatch(MAYBE_ACCEPTED);
	});

	it('a send is retried, and goes out once, when the proxy could not open the tunnel', async () => {
		proxy = await startConnectProxy({ refuseFirst: { status: 502, times: 1 } });
		await useProxyEnvironment({ HTTPS_PROXY: proxy.url });
		const [item] = markedItems(suite, 1);
		const run = await suite.execute(markedSendParameters(), main.credentials, { items: [item] });
		expect(run.error).toBeUndefined();
		expect(suite.sends.attemptsFor(item.json.subject as string)).toBe(2);
		expect(main.acceptedWith(item.json.subject as string)).toBe(1);
	});
});

describe('3. Every unknown outcome is named', () => {
	// Three sends at once: one is stored but its answer lost, one meets a 500, one is slow and
	// fine. The run stops on the first failure; the error must name all of them.
	const faults = () => {
		main.injectFault({ kind: 'reset', when: 'after-body' }, { method: 'POST', path: SEND_PATH });
		main.injectFault({ kind: 'status', status: 500 }, { method: 'POST', path: SEND_PATH });
		main.injectFault({ kind: 'delay', ms: 200 }, { method: 'POST', path: SEND_PATH });
	};

	it('without Continue On Fail, the error names every item sent or of unknown outcome', async () => {
		faults();
		const items = markedItems(suite, 6);
		const run = await suite.execute(
			markedSendParameters({ options: { concurrency: 3 } }),
			main.credentials,
			{ items },
		);
		await main.settled();
		expect(run.error).toBeDefined();
		expect(suite.checkOutcomesNamed(main, items, { run })).toEqual([]);
		// Nothing that may have gone out is called safe to send again.
		const notSent = /Not sent: (items? [\d–, ]+)\./.exec(run.error!.description)?.[1] ?? '';
		items.forEach((item, index) => {
			if (main.acceptedWith(item.json.subject as string) > 0) {
				expect(notSent).not.toMatch(new RegExp(`\\b${index}\\b`));
			}
		});
		expect(run.error!.description).toMatch(/Outcome unknown, they may have been accepted: items? /);
	});

	it('with Continue On Fail and with the error output, each item says what became of it', async () => {
		for (const onError of ['continueRegularOutput', 'continueErrorOutput'] as const) {
			faults();
			const items = markedItems(suite, 6);
			const run = await suite.execute(
				markedSendParameters({ options: { concurrency: 3 } }),
				main.credentials,
				{ items, onError },
			);
			await main.settled();
			expect(run.error).toBeUndefined();
			expect({ onError, unnamed: suite.checkOutcomesNamed(main, items, { run }) }).toEqual({
				onError,
				unnamed: [],
			});
		}
	});
});

describe('4. Wait for Delivery never loses ids', () => {
	const shapes: Array<[string, string]> = [
		['recipients that are a number', '{"status":"Sent","recipients":7}'],
		[
			'messages that are a number',
			'{"status":"Sent","recipients":[{"type":"IDNP","value":"2000000000000","messages":5}]}',
		],
		['a recipient that is text', '{"status":"Sent","recipients":["x"]}'],
		['null', 'null'],
		['a list of numbers', '[1,2]'],
		['a status that is an object', '{"status":{"name":"Sent"}}'],
	];

	it.each(shapes)('an answer with %s is an error on the item, with its id', async (_, body) => {
		for (const output of ['notification', 'messages']) {
			main.injectFault({ kind: 'body', body }, { method: 'GET', path: STATUS_PATH });
			const [item] = markedItems(suite, 1);
			const run = await suite.execute(
				markedSendParameters({
					options: { waitForDelivery: true, pollIntervalSeconds: 1, waitTimeoutSeconds: 5, output },
				}),
				main.credentials,
				{ items: [item] },
			);
			const stored = main.sandbox
				.notifications()
				.find((record) => record.subject === item.json.subject);
			expect({ output, error: run.error }).toEqual({ output, error: undefined });
			expect(run.output).toHaveLength(1);
			expect(run.output[0].json).toMatchObject({
				id: stored?.id,
				waitError: expect.stringMatching(/could not be read/),
			});
		}
	});
});

describe('5. Deadlines are deadlines', () => {
	it('a 2 s Timeout holds against a server dripping one byte every 1.5 s', async () => {
		main.injectFault({ kind: 'drip', intervalMs: 1_500 }, { method: 'POST', path: SEND_PATH });
		const [item] = markedItems(suite, 1);
		const run = await suite.execute(
			markedSendParameters({ options: { timeoutSeconds: 2 } }),
			main.credentials,
			{ items: [item] },
		);
		expect(run.error?.message).toMatch(/did not answer within 2 seconds/);
		expect(errorText(run)).toMatch(MAYBE_ACCEPTED);
		expect(run.elapsedMs).toBeLessThan(3_000);
		expect(suite.sends.attemptsFor(item.json.subject as string)).toBe(1);
	}, 15_000);

	it('a read under the same drip gives up at its deadline, once per attempt', async () => {
		// Something to list, so the answer is long enough to drip for a while.
		await suite.execute(markedSendParameters(), main.credentials, { items: markedItems(suite, 1) });
		main.injectFault(
			{ kind: 'drip', intervalMs: 1_500 },
			{ method: 'GET', path: SEND_PATH, times: 3 },
		);
		const before = main.sandbox.stats.requests;
		const run = await suite.execute(
			{ resource: 'notification', operation: 'getMany', limit: 5, options: { timeoutSeconds: 2 } },
			main.credentials,
		);
		// Three attempts of at most 2 s each, with the backoff (≈0.5 s, ≈1 s) between them.
		expect(run.error?.message).toMatch(/did not answer within 2 seconds/);
		expect(run.elapsedMs).toBeLessThan(10_000);
		expect(main.sandbox.stats.requests - before).toBe(3);
	}, 30_000);

	it('Wait Timeout is honoured to the second', async () => {
		const started = Date.now();
		const run = await suite.execute(
			markedSendParameters({
				options: { waitForDelivery: true, pollIntervalSeconds: 2, waitTimeoutSeconds: 3 },
			}),
			frozen.credentials,
			{ items: markedItems(suite, 1) },
		);
		const elapsed = Date.now() - started;
		expect(run.output[0].json).toMatchObject({ status: 'Pending', waitTimedOut: true });
		expect(run.output[0].json.waitedSeconds).toBeGreaterThanOrEqual(2.9);
		expect(run.output[0].json.waitedSeconds).toBeLessThan(4);
		expect(elapsed).toBeLessThan(4_500);
	});

	it('the credential test ends at its deadline against a dripping server', async () => {
		main.injectFault({ kind: 'drip', intervalMs: 1_500 }, { method: 'GET', path: SEND_PATH });
		const started = Date.now();
		const result = await testCredentials(
			main.credentials as unknown as MNotifyCredentials,
			new Date(),
			2,
		);
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringMatching(/did not answer within 2 seconds/),
		});
		expect(Date.now() - started).toBeLessThan(3_000);
	}, 15_000);
});

describe('9. A pool is closed only when nothing uses it', () => {
	it('editing the credential or using more credentials than the cache holds does not cut off a running batch', async () => {
		main.injectFault({ kind: 'delay', ms: 100 }, { method: 'POST', path: SEND_PATH, times: 12 });
		const items = markedItems(suite, 12);
		const batch = suite.execute(
			markedSendParameters({ options: { concurrency: 2 } }),
			main.credentials,
			{ items, credentialId: 'edited-during-batch' },
		);
		while (main.acceptedWith(items[0].json.subject as string) === 0) await sleep(5);

		// The same saved credential, edited to another certificate; then 17 other credentials.
		const replacement = main.issue();
		const edited = { ...replacement.credentials, caCertificates: main.sandbox.caPem };
		const [editedItem] = markedItems(suite, 1);
		const others = Array.from({ length: 17 }, (_, k) => ({
			...main.credentials,
			caCertificates: `${main.credentials.caCertificates}${'\n'.repeat(k + 2)}`,
		}));
		const meanwhile = [
			await suite.execute(markedSendParameters(), edited, {
				items: [editedItem],
				credentialId: 'edited-during-batch',
			}),
		];
		for (const [k, credentials] of others.entries()) {
			meanwhile.push(
				await suite.execute(
					{ resource: 'notification', operation: 'getMany', limit: 1 },
					credentials,
					{ credentialId: `other-${k}` },
				),
			);
		}
		const run = await batch;
		expect(meanwhile.map((each) => each.error)).toEqual(meanwhile.map(() => undefined));
		expect(run.error).toBeUndefined();
		expect(run.output).toHaveLength(12);
		for (const item of items) expect(main.acceptedWith(item.json.subject as string)).toBe(1);
		// The run after the edit used the edited credential (a new pool), the batch the old one.
		const senderOf = (subject: unknown) =>
			main.sandbox.notifications().find((record) => record.subject === subject)?.senderId;
		expect(senderOf(editedItem.json.subject)).toBe(replacement.certificate.senderId);
		expect(senderOf(items[11].json.subject)).toBe(main.certificate.senderId);
	});
});

describe('14. Clear words', () => {
	it('a certificate refused in the handshake is "refused, nothing was sent", without "may have been accepted"', async () => {
		const { credentials } = main.issue({ untrustedCa: true });
		const before = main.sandbox.stats.notificationSendsReceived;
		const run = await suite.execute(
			markedSendParameters(),
			{ ...credentials, caCertificates: main.sandbox.caPem },
			{ items: markedItems(suite, 1), credentialId: 'untrusted-ca' },
		);
		expect(run.error?.message).toMatch(/refused the client certificate/);
		expect(run.error?.description).toMatch(/^Nothing was sent/);
		expect(errorText(run)).not.toMatch(MAYBE_ACCEPTED);
		expect(main.sandbox.stats.notificationSendsReceived - before).toBe(0);
	});

	it('an empty passphrase for an encrypted key is missing, not wrong', async () => {
		for (const format of ['pfx', 'pem'] as const) {
			const { credentials } = main.issue({}, format);
			const result = await testCredentials({
				...(credentials as unknown as MNotifyCredentials),
				passphrase: '',
			});
			expect({ format, message: result.message }).toEqual({
				format,
				message: expect.stringMatching(/^The certificate passphrase is missing/),
			});
		}
	});
});

/** Parameters of the run in `describe('12.8 …')`, kept apart for reading. */
const errorOutputItems = (): IDataObject[] => [
	{ person: 'Ion Popescu', idnp: '2000000000000', subject: suite.marker() },
	{ person: 'Maria Rusu', idnp: '200000000000', subject: suite.marker() },
];

describe('12.8 The error output keeps the context', () => {
	it("holds the input item's fields, the error, its explanation and the HTTP code", async () => {
		main.injectFault({ kind: 'status', status: 503 }, { method: 'POST', path: SEND_PATH });
		const inputs = errorOutputItems();
		const run = await suite.execute(
			markedSendParameters({
				recipients: { recipient: [{ type: 'IDNP', value: '={{ $json.idnp }}' }] },
				options: { concurrency: 1 },
			}),
			main.credentials,
			{ items: inputs.map((json) => ({ json })), onError: 'continueErrorOutput' },
		);
		expect(run.output).toEqual([]);
		expect(run.errorOutput.map((item) => item.json)).toEqual([
			{
				...inputs[0],
				error: 'MNotify had a server error (503) [item 0]',
				message: expect.stringMatching(/may or may not have been accepted[\s\S]*HTTP status 503\./),
			},
			{
				...inputs[1],
				error: expect.stringMatching(/is not a valid IDNP.*\[item 1\]/),
				message: expect.stringMatching(/13 digits/),
			},
		]);
	});
});

closingChecks(suite);
