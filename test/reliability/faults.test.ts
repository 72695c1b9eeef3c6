/**
 * Faults on every path, through n8n's engine and over real mTLS: reads are retried until they
 * succeed, sends are never repeated once they may have reached MNotify, and no item is ever
 * stored twice. Each item's notification has its own subject, so the sandbox's copies of it
 * can be counted.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { SandboxFault } from '../../dev/sandbox/server';
import { POOL_CONNECTIONS } from '../../nodes/MNotify/transport/client';
import { templateParameters } from '../support/workflows';
import {
	closingChecks,
	markedItems,
	markedSendParameters,
	RefuseFirstGate,
	reliabilitySuite,
	type Execution,
} from './support/harness';

const suite = reliabilitySuite('faults');
const main = suite.sandbox();

const SEND_PATH = '/api/notification';
/** What a send error must say when the notification may exist: that, and how to check. */
const MAYBE_ACCEPTED =
	/may (or may not )?have (reached MNotify and )?been accepted[\s\S]*Notification → Get Many/;

const existing = { notificationId: '', templateId: '' };

function templateLocator(id: string): IDataObject {
	return { __rl: true, mode: 'id', value: id };
}

function idsOf(output: INodeExecutionData[]): unknown[] {
	return output.map((item) => item.json.id);
}

function errorText(run: Execution): string {
	return `${run.error?.message ?? ''} ${run.error?.description ?? ''}`;
}

async function sendMarked(
	overrides: IDataObject = {},
	credentials = main.credentials,
): Promise<{ run: Execution; subject: string; received: number }> {
	const items = markedItems(suite, 1);
	const before = main.sandbox.stats.notificationSendsReceived;
	const run = await suite.execute(markedSendParameters(overrides), credentials, { items });
	return {
		run,
		subject: items[0].json.subject as string,
		received: main.sandbox.stats.notificationSendsReceived - before,
	};
}

beforeAll(async () => {
	const { run } = await sendMarked();
	existing.notificationId = run.output[0].json.id as string;
	const created = await suite.execute(
		templateParameters({ name: 'Reliability' }),
		main.credentials,
	);
	existing.templateId = created.output[0].json.id as string;
});

beforeEach(() => main.sandbox.clearFaults());

interface Read {
	name: string;
	path: () => string;
	parameters: () => IDataObject;
	id: () => string;
}

/** Every GET path of the node; each is faulted on its own path, so they can run side by side. */
const READS: Read[] = [
	{
		name: 'Notification → Get',
		path: () => `/api/notification/${existing.notificationId}`,
		parameters: () => ({
			resource: 'notification',
			operation: 'get',
			notificationId: existing.notificationId,
		}),
		id: () => existing.notificationId,
	},
	{
		name: 'Notification → Get Many',
		path: () => '/api/notification',
		parameters: () => ({
			resource: 'notification',
			operation: 'getMany',
			returnAll: true,
			options: { searchById: existing.notificationId },
		}),
		id: () => existing.notificationId,
	},
	{
		name: 'Template → Get',
		path: () => `/api/template/${existing.templateId}`,
		parameters: () => ({
			resource: 'template',
			operation: 'get',
			templateId: templateLocator(existing.templateId),
		}),
		id: () => existing.templateId,
	},
	{
		name: 'Template → Get Many',
		path: () => '/api/template',
		parameters: () => ({
			resource: 'template',
			operation: 'getMany',
			returnAll: true,
			options: { searchById: existing.templateId },
		}),
		id: () => existing.templateId,
	},
];

/** Runs every read at once with the same fault on its own path; returns what each saw. */
async function readAllUnder(fault: SandboxFault | undefined) {
	return await Promise.all(
		READS.map(async (read) => {
			const before = main.requestsTo('GET', read.path());
			if (fault) main.injectFault(fault, { method: 'GET', path: read.path() });
			const run = await suite.execute(read.parameters(), main.credentials);
			return { read, run, requests: main.requestsTo('GET', read.path()) - before };
		}),
	);
}

describe('reads (GET) under faults', () => {
	const transientFaults: Array<[string, SandboxFault]> = [
		['a reset before the request is read', { kind: 'reset', when: 'before-body' }],
		['a reset while the request is read', { kind: 'reset', when: 'during-body' }],
		['a reset after the request was processed', { kind: 'reset', when: 'after-body' }],
		['an answer cut off half-way', { kind: 'truncated-body' }],
		['429 with Retry-After: 0', { kind: 'status', status: 429, retryAfterSeconds: 0 }],
		['500 with Retry-After: 0', { kind: 'status', status: 500, retryAfterSeconds: 0 }],
		['502 in plain text without Retry-After', { kind: 'status', status: 502, plainText: true }],
		// Retry-After is honoured: the second request waits the second it asks for.
		['503 with Retry-After: 1', { kind: 'status', status: 503, retryAfterSeconds: 1 }],
	];

	it.each(transientFaults)(
		'every read is retried once after %s, then succeeds',
		async (_, fault) => {
			for (const { read, run, requests } of await readAllUnder(fault)) {
				expect({ read: read.name, error: run.error }).toEqual({
					read: read.name,
					error: undefined,
				});
				expect(idsOf(run.output)).toEqual([read.id()]);
				expect({ read: read.name, requests }).toEqual({ read: read.name, requests: 2 });
				if (fault.kind === 'status' && fault.retryAfterSeconds) {
					expect(run.elapsedMs).toBeGreaterThanOrEqual(fault.retryAfterSeconds * 1000);
				}
			}
		},
	);

	it('every read succeeds in one request when the server closes the connection after answering', async () => {
		for (const { read, run, requests } of await readAllUnder({ kind: 'close-keepalive' })) {
			expect(idsOf(run.output)).toEqual([read.id()]);
			expect({ read: read.name, requests }).toEqual({ read: read.name, requests: 1 });
		}
	});

	// A proxy in between can answer 200 with an HTML page of its own: that is not MNotify's data.
	it('never outputs a 200 HTML page (a proxy error) as the data read', async () => {
		for (const { read, run } of await readAllUnder({ kind: 'non-json' })) {
			expect({ read: read.name, output: JSON.stringify(run.output) }).not.toEqual({
				read: read.name,
				output: expect.stringContaining('<!DOCTYPE html>'),
			});
			if (!run.error) expect(idsOf(run.output)).toEqual([read.id()]);
		}
	});

	it('gives up after two retries when the server keeps failing, with a clear error', async () => {
		const [read] = READS;
		main.injectFault(
			{ kind: 'status', status: 503, retryAfterSeconds: 0 },
			{ method: 'GET', path: read.path(), times: Infinity },
		);
		const before = main.requestsTo('GET', read.path());
		const run = await suite.execute(read.parameters(), main.credentials);
		expect(run.error).toMatchObject({ httpCode: '503', itemIndex: 0 });
		expect(run.error?.message).toMatch(/server error \(503\)/);
		expect(main.requestsTo('GET', read.path()) - before).toBe(3);
	});
});

describe('sends (POST) under faults', () => {
	interface SendFault {
		label: string;
		fault: SandboxFault;
		/** Whether the sandbox stored the notification before the fault hit. */
		stored: 0 | 1;
		says: RegExp;
	}

	/** A fault after which the notification may exist: the error must say so and how to check. */
	const maybeAccepted = (label: string, fault: SandboxFault, stored: 0 | 1 = 0): SendFault => ({
		label,
		fault,
		stored,
		says: MAYBE_ACCEPTED,
	});

	const sendFaults: SendFault[] = [
		maybeAccepted('a reset before the body is read', { kind: 'reset', when: 'before-body' }),
		maybeAccepted('a reset while the body is read', { kind: 'reset', when: 'during-body' }),
		maybeAccepted('a reset after it was stored', { kind: 'reset', when: 'after-body' }, 1),
		maybeAccepted('an answer cut off half-way', { kind: 'truncated-body' }, 1),
		maybeAccepted('500', { kind: 'status', status: 500 }),
		maybeAccepted('502 in plain text', { kind: 'status', status: 502, plainText: true }),
		maybeAccepted('503 with Retry-After: 0', { kind: 'status', status: 503, retryAfterSeconds: 0 }),
		{
			// A 429 is a refusal before processing: "not sent, slow down" is the truthful message.
			label: '429 with Retry-After: 0',
			fault: { kind: 'status', status: 429, retryAfterSeconds: 0 },
			stored: 0,
			says: /limiting the request rate \(429\)/,
		},
	];

	it.each(sendFaults)(
		'is not repeated after $label; the item fails saying so and how to check',
		async ({ fault, stored, says }) => {
			main.injectFault(fault, { method: 'POST', path: SEND_PATH });
			const { run, subject, received } = await sendMarked();
			expect(run.output).toEqual([]);
			expect(run.error?.itemIndex).toBe(0);
			expect(errorText(run)).toMatch(says);
			expect(received).toBe(1);
			expect(main.acceptedWith(subject)).toBe(stored);
		},
	);

	it('is sent once when the server closes the connection after answering', async () => {
		main.injectFault({ kind: 'close-keepalive' }, { method: 'POST', path: SEND_PATH });
		const { run, subject, received } = await sendMarked();
		expect(run.error).toBeUndefined();
		expect(received).toBe(1);
		expect(main.acceptedWith(subject)).toBe(1);
	});

	// The next send must not go out, and be lost, on a connection the server already closed.
	it('is sent once per item when the server dropped the idle connections between runs', async () => {
		// The same credential saved again with a trailing newline: same certificate, a fresh pool.
		const credentials = {
			...main.credentials,
			caCertificates: `${main.credentials.caCertificates}\n`,
		};
		const runs: Execution[] = [];
		const items = [markedItems(suite, 2), markedItems(suite, 2)];
		for (const batch of items) {
			runs.push(await suite.execute(markedSendParameters(), credentials, { items: batch }));
			main.sandbox.closeIdleConnections();
		}
		// Let every pool notice the closed connections before the next test uses them.
		await sleep(50);
		for (const item of items.flat()) {
			expect(main.acceptedWith(item.json.subject as string)).toBeLessThanOrEqual(1);
		}
		expect(runs.map((run) => run.error)).toEqual([undefined, undefined]);
	});

	it('keeps one handshake per pooled connection when the server drops the idle ones as a batch starts', async () => {
		// A certificate of its own: its own pool, and a send pace no earlier 429 has slowed.
		const { credentials } = main.issue();
		await sendMarked({}, credentials); // leaves a kept-alive connection in the pool
		// The server's idle timeout runs out just as the batch's first send is made, so the pool
		// learns of the closed connections with sends already queued in it.
		let dropped = false;
		const dropIdleOnFirstSend = () => {
			if (dropped) return;
			dropped = true;
			main.sandbox.closeIdleConnections();
		};
		const items = markedItems(suite, 8 * POOL_CONNECTIONS);
		const handshakesBefore = main.sandbox.stats.tlsHandshakes;
		diagnosticsChannel.subscribe('undici:request:create', dropIdleOnFirstSend);
		let run: Execution;
		try {
			run = await suite.execute(markedSendParameters(), credentials, { items });
		} finally {
			diagnosticsChannel.unsubscribe('undici:request:create', dropIdleOnFirstSend);
		}
		expect(dropped).toBe(true);
		expect(run.error).toBeUndefined();
		for (const item of items) expect(main.acceptedWith(item.json.subject as string)).toBe(1);
		// New connections replace the dropped ones once, not once per send.
		expect(main.sandbox.stats.tlsHandshakes - handshakesBefore).toBeLessThanOrEqual(
			POOL_CONNECTIONS,
		);
	});

	it('fails with a clear timeout, without hanging or repeating, when the answer is late', async () => {
		main.injectFault({ kind: 'delay', ms: 2_500 }, { method: 'POST', path: SEND_PATH });
		// The panel's smallest Timeout (1 s); the deadline is a timer, not undici's ~0.5 s tick.
		const { run, subject, received } = await sendMarked({ options: { timeoutSeconds: 1 } });
		expect(run.error?.message).toMatch(/did not answer within 1 seconds/);
		expect(run.error?.description).toMatch(MAYBE_ACCEPTED);
		expect(run.elapsedMs).toBeLessThan(2_000);
		expect(received).toBe(1);
		// Whatever the late request becomes, the closing check counts it once the delay is over.
		expect(main.acceptedWith(subject)).toBeLessThanOrEqual(1);
	});

	// A proxy's HTML page must not be taken for the notification id, making the item "succeed".
	it('a 200 HTML page (a proxy error) is not reported as a sent notification', async () => {
		main.injectFault({ kind: 'non-json' }, { method: 'POST', path: SEND_PATH });
		const { run, subject, received } = await sendMarked();
		expect(received).toBe(1);
		expect(main.acceptedWith(subject)).toBe(0);
		expect(run.output).toEqual([]);
		expect(errorText(run)).toMatch(/Notification → Get Many/);
	});
});

describe('connections refused before anything was written', () => {
	it('a read is retried once the port accepts', async () => {
		const gate = await RefuseFirstGate.open(main.sandbox.port);
		try {
			const [read] = READS;
			const before = main.requestsTo('GET', read.path());
			const run = await suite.execute(read.parameters(), {
				...main.credentials,
				baseUrl: gate.url,
			});
			expect(idsOf(run.output)).toEqual([read.id()]);
			expect({ refusals: gate.refusals, retried: gate.attempts >= 2 }).toEqual({
				refusals: 1,
				retried: true,
			});
			expect(main.requestsTo('GET', read.path()) - before).toBe(1);
		} finally {
			await gate.close();
		}
	});

	it('a send is retried once the port accepts, and goes out once', async () => {
		const gate = await RefuseFirstGate.open(main.sandbox.port);
		try {
			const { run, subject, received } = await sendMarked(
				{},
				{ ...main.credentials, baseUrl: gate.url },
			);
			expect(run.error).toBeUndefined();
			expect({ refusals: gate.refusals, retried: gate.attempts >= 2 }).toEqual({
				refusals: 1,
				retried: true,
			});
			expect(received).toBe(1);
			expect(main.acceptedWith(subject)).toBe(1);
			expect(idsOf(run.output)).toEqual([
				main.sandbox.notifications().find((record) => record.subject === subject)?.id,
			]);
		} finally {
			await gate.close();
		}
	});
});

describe('Continue On Fail and stopping under faults', () => {
	it('gives every item exactly one output, in order and paired, and stores none twice', async () => {
		const faults: Array<[SandboxFault, RegExp]> = [
			[{ kind: 'status', status: 500 }, /server error \(500\)/],
			[{ kind: 'status', status: 429 }, /request rate \(429\)/],
			[{ kind: 'reset', when: 'before-body' }, /broke before an answer arrived/],
			[{ kind: 'reset', when: 'after-body' }, /broke before an answer arrived/],
			[{ kind: 'truncated-body' }, /broke before an answer arrived/],
		];
		for (const [fault] of faults) main.injectFault(fault, { method: 'POST', path: SEND_PATH });
		const items = markedItems(suite, 10);
		const before = main.sandbox.stats.notificationSendsReceived;

		const run = await suite.execute(
			markedSendParameters({ options: { concurrency: 4 } }),
			main.credentials,
			{ items, continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.output.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		expect(main.sandbox.stats.notificationSendsReceived - before).toBe(items.length);

		const errors = run.output.flatMap((item) => (item.json.error ? [String(item.json.error)] : []));
		const unexplained = faults.reduce(
			(left, [, says]) => {
				const match = left.findIndex((message) => says.test(message));
				return match === -1 ? left : left.filter((_, index) => index !== match);
			},
			[...errors],
		);
		expect({ errors: errors.length, unexplained }).toEqual({
			errors: faults.length,
			unexplained: [],
		});

		run.output.forEach((item, index) => {
			const subject = items[index].json.subject as string;
			if (item.json.error) {
				expect(main.acceptedWith(subject)).toBeLessThanOrEqual(1);
			} else {
				const stored = main.sandbox.notifications().filter((record) => record.subject === subject);
				expect(stored.map((record) => record.id)).toEqual([item.json.id]);
			}
		});
	});

	// Items carrying `error` have their JSON reduced by n8n's engine to { error: message }: the
	// description (how to check for a maybe-sent one) and the code must survive it.
	it('error items keep their description and HTTP code in the output JSON', async () => {
		main.injectFault({ kind: 'status', status: 500 }, { method: 'POST', path: SEND_PATH });
		main.injectFault({ kind: 'reset', when: 'after-body' }, { method: 'POST', path: SEND_PATH });
		const run = await suite.execute(
			markedSendParameters({ options: { concurrency: 1 } }),
			main.credentials,
			{ items: markedItems(suite, 2), continueOnFail: true },
		);
		expect(run.output.map((item) => item.json)).toEqual([
			expect.objectContaining({
				httpCode: '500',
				description: expect.stringMatching(MAYBE_ACCEPTED),
			}),
			expect.objectContaining({ description: expect.stringMatching(MAYBE_ACCEPTED) }),
		]);
	});

	it('without it, a failed send stops further sends and names those already sent', async () => {
		// The first two sends pass (answered, then the connection closes); the third meets a 500.
		main.injectFault({ kind: 'close-keepalive' }, { method: 'POST', path: SEND_PATH, times: 2 });
		main.injectFault({ kind: 'status', status: 500 }, { method: 'POST', path: SEND_PATH });
		const items = markedItems(suite, 5);
		const before = main.sandbox.stats.notificationSendsReceived;

		const run = await suite.execute(
			markedSendParameters({ options: { concurrency: 1 } }),
			main.credentials,
			{ items },
		);
		const accepted = items.map((item) => main.acceptedWith(item.json.subject as string));
		expect(run.error?.itemIndex).toBe(2);
		expect(run.error?.description).toMatch(MAYBE_ACCEPTED);
		expect(accepted).toEqual([1, 1, 0, 0, 0]);
		expect(main.sandbox.stats.notificationSendsReceived - before).toBe(3);
		for (const subject of items.slice(0, 2).map((item) => item.json.subject)) {
			const id = main.sandbox.notifications().find((record) => record.subject === subject)?.id;
			expect(run.error?.description).toContain(String(id));
		}
	});
});

describe('other writes (DELETE, PUT, the preview POST) under faults', () => {
	interface Write {
		method: 'DELETE' | 'PUT' | 'POST';
		/** Creates what the write needs; returns its path and the node's parameters. */
		prepare: () => Promise<{ path: string; parameters: IDataObject }>;
	}

	const createTemplate = async () =>
		(await suite.execute(templateParameters({ name: suite.marker() }), main.credentials)).output[0]
			.json.id as string;

	const writes: Array<[string, Write]> = [
		[
			'Notification → Cancel',
			{
				method: 'DELETE',
				prepare: async () => {
					const id = (await sendMarked()).run.output[0].json.id as string;
					const parameters = { resource: 'notification', operation: 'cancel', notificationId: id };
					return { path: `/api/notification/${id}`, parameters };
				},
			},
		],
		[
			'Template → Update',
			{
				method: 'PUT',
				prepare: async () => ({
					path: `/api/template/${existing.templateId}`,
					parameters: {
						resource: 'template',
						operation: 'update',
						templateId: templateLocator(existing.templateId),
						updateFields: { description: 'Updated under a fault' },
					},
				}),
			},
		],
		[
			'Template → Delete',
			{
				method: 'DELETE',
				prepare: async () => {
					const id = await createTemplate();
					const parameters = {
						resource: 'template',
						operation: 'delete',
						templateId: templateLocator(id),
					};
					return { path: `/api/template/${id}`, parameters };
				},
			},
		],
		[
			'Template → Preview',
			{
				method: 'POST',
				prepare: async () => ({
					path: `/api/template/${existing.templateId}/check`,
					parameters: {
						resource: 'template',
						operation: 'preview',
						templateId: templateLocator(existing.templateId),
					},
				}),
			},
		],
	];

	it.each(writes)(
		'%s is sent once and fails clearly after a reset once it was processed',
		async (_, { method, prepare }) => {
			const { path, parameters } = await prepare();
			main.injectFault({ kind: 'reset', when: 'after-body' }, { method, path });
			const before = main.requestsTo(method, path);
			const run = await suite.execute(parameters, main.credentials);
			expect(run.output).toEqual([]);
			expect(run.error?.itemIndex).toBe(0);
			expect(run.error?.message).toMatch(/broke before an answer arrived/);
			expect(main.requestsTo(method, path) - before).toBe(1);
		},
	);
});

describe('template create (a POST that is not a send) under faults', () => {
	// A template create that may have been stored is not sent again, and the hint says to look in
	// Template → Get Many (not at notifications, nor "try again later").
	it.each<[string, SandboxFault]>([
		['a reset after it was stored', { kind: 'reset', when: 'after-body' }],
		['500', { kind: 'status', status: 500 }],
	])('is not repeated after %s, and says to check the templates', async (_, fault) => {
		const name = suite.marker();
		main.injectFault(fault, { method: 'POST', path: '/api/template' });
		const before = main.requestsTo('POST', '/api/template');
		const run = await suite.execute(templateParameters({ name }), main.credentials);
		const templates = await suite.execute(
			{ resource: 'template', operation: 'getMany', returnAll: true },
			main.credentials,
		);
		expect(main.requestsTo('POST', '/api/template') - before).toBe(1);
		expect(templates.output.filter((item) => item.json.name === name).length).toBeLessThanOrEqual(
			1,
		);
		expect(run.error?.itemIndex).toBe(0);
		expect(errorText(run)).toMatch(/Template → Get Many/);
	});
});

describe.each([
	['for another host name', 'wrong-host' as const, /not valid for the host name 127\.0\.0\.1/],
	['that has expired', 'expired' as const, /server certificate at 127\.0\.0\.1:\d+ has expired/],
])('a server certificate %s', (_, serverCertificate, says) => {
	const other = suite.sandbox({ serverCertificate, statusStepMs: 50 }, main);

	it('is refused with a clear error on a send and on a read; nothing reaches MNotify', async () => {
		const items = markedItems(suite, 1);
		const send = await suite.execute(markedSendParameters(), other.credentials, { items });
		const read = await suite.execute(
			{ resource: 'notification', operation: 'get', notificationId: existing.notificationId },
			other.credentials,
		);
		for (const run of [send, read]) {
			expect(run.output).toEqual([]);
			expect(run.error?.message).toMatch(says);
			expect(run.error?.itemIndex).toBe(0);
			// Nothing was sent, so the error must not send the user hunting for a maybe-sent one.
			expect(run.error?.description).not.toMatch(/may have reached/);
		}
		expect(other.sandbox.stats.requests).toBe(0);
		expect(other.sandbox.notifications()).toEqual([]);
	});
});

closingChecks(suite);
