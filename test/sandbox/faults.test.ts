import type { Agent } from 'undici';
import {
	type ClientCertificate,
	type MNotifySandbox,
	startSandbox,
} from '../../dev/sandbox/server';
import { call, notificationRequest, pfxIdentity, sandboxAgent, UUID } from './helpers';

let sandbox: MNotifySandbox;
let client: ClientCertificate;
let agent: Agent;

beforeAll(async () => {
	// Status clock off: list answers compared across requests must not change status in between.
	sandbox = await startSandbox({ statusStepMs: 0 });
	client = sandbox.issueClientCertificate();
});

afterAll(() => sandbox.close());

// A fresh single-connection agent per test: resets leave broken sockets behind.
beforeEach(() => {
	sandbox.clearFaults();
	agent = sandboxAgent(sandbox, pfxIdentity(client), { connections: 1 });
});

afterEach(() => agent.destroy());

function sendNotification(subject: string) {
	return call(agent, sandbox, 'POST', '/api/notification', {
		body: notificationRequest({ subject: { ro: subject } }),
	});
}

function storedWithSubject(subject: string): number {
	return sandbox.notifications().filter((item) => item.subject === subject).length;
}

describe('status faults', () => {
	it('answers 503 with Retry-After and a JSON message, then recovers', async () => {
		sandbox.injectFault(
			{ kind: 'status', status: 503, retryAfterSeconds: 7 },
			{ method: 'post', path: '/API/Notification/' },
		);
		const faulted = await sendNotification('status-503');
		expect(faulted.status).toBe(503);
		expect(faulted.headers['retry-after']).toBe('7');
		expect(faulted.json().message).toMatch(/503 Service Unavailable/);
		expect(storedWithSubject('status-503')).toBe(0);

		expect((await sendNotification('status-503')).status).toBe(200);
		expect(storedWithSubject('status-503')).toBe(1);
	});

	it('answers in plain text when asked, as many times as asked', async () => {
		sandbox.injectFault({ kind: 'status', status: 500, plainText: true }, { times: 2 });
		for (let attempt = 0; attempt < 2; attempt += 1) {
			const response = await call(agent, sandbox, 'GET', '/api/template');
			expect(response.status).toBe(500);
			expect(response.headers['content-type']).toMatch(/^text\/plain/);
			expect(response.text).toMatch(/^500 Internal Server Error/);
		}
		expect((await call(agent, sandbox, 'GET', '/api/template')).status).toBe(200);
	});

	it('applies only to matching requests, and counts what it injected', async () => {
		sandbox.resetStats();
		sandbox.injectFault({ kind: 'status', status: 429 }, { method: 'GET', path: /\/check$/ });
		sandbox.injectFault({ kind: 'status', status: 502 }, { method: 'DELETE' });
		expect((await call(agent, sandbox, 'GET', '/api/notification')).status).toBe(200);
		const check = await call(
			agent,
			sandbox,
			'GET',
			'/api/template/00000000-0000-4000-8000-000000000000/check',
		);
		expect(check.status).toBe(429);
		expect(sandbox.stats.faultsInjected).toBe(1);

		sandbox.clearFaults();
		const deleted = await call(
			agent,
			sandbox,
			'DELETE',
			'/api/template/00000000-0000-4000-8000-000000000000',
		);
		expect(deleted.status).toBe(404);
	});
});

describe('delay', () => {
	it('holds the response back, then answers normally', async () => {
		sandbox.injectFault({ kind: 'delay', ms: 300 });
		const startedAt = Date.now();
		const response = await sendNotification('delayed');
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
		expect(response.status).toBe(200);
		expect(storedWithSubject('delayed')).toBe(1);
	});
});

describe('connection resets', () => {
	it.each([
		['before-body', 0],
		['during-body', 0],
		['after-body', 1],
	] as const)('%s: the request fails; %i notification(s) stored', async (when, stored) => {
		const subject = `reset-${when}`;
		const before = sandbox.stats;
		sandbox.injectFault({ kind: 'reset', when }, { method: 'POST', path: '/api/notification' });

		await expect(sendNotification(subject)).rejects.toThrow();
		expect(storedWithSubject(subject)).toBe(stored);
		expect(sandbox.stats.notificationSendsReceived).toBe(before.notificationSendsReceived + 1);
		expect(sandbox.stats.notificationsAccepted).toBe(before.notificationsAccepted + stored);
	});
});

describe('broken responses', () => {
	it('truncated-body: processes the request, then cuts the response short', async () => {
		sandbox.injectFault({ kind: 'truncated-body' });
		await expect(sendNotification('truncated')).rejects.toThrow();
		expect(storedWithSubject('truncated')).toBe(1);
	});

	it('non-json: answers 200 with an HTML page instead of MNotify', async () => {
		sandbox.injectFault({ kind: 'non-json' });
		const response = await sendNotification('html');
		expect(response.status).toBe(200);
		expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
		expect(response.text).toMatch(/^<!DOCTYPE html>/);
		expect(response.text).not.toMatch(UUID);
		expect(storedWithSubject('html')).toBe(0);
	});
});

describe('keep-alive', () => {
	it('close-keepalive: answers with Connection: close, so the next request reconnects', async () => {
		await call(agent, sandbox, 'GET', '/api/notification');
		sandbox.resetStats();
		sandbox.injectFault({ kind: 'close-keepalive' });

		const closing = await call(agent, sandbox, 'GET', '/api/notification');
		expect(closing.status).toBe(200);
		expect(closing.headers.connection).toBe('close');
		await call(agent, sandbox, 'GET', '/api/notification');
		expect(sandbox.stats).toMatchObject({ tlsHandshakes: 1, connections: 1, requests: 2 });
	});

	it('closeIdleConnections drops idle keep-alive sockets', async () => {
		await call(agent, sandbox, 'GET', '/api/notification');
		sandbox.resetStats();
		sandbox.closeIdleConnections();
		await new Promise((resolve) => setTimeout(resolve, 50)); // let the client see the close
		expect((await call(agent, sandbox, 'GET', '/api/notification')).status).toBe(200);
		expect(sandbox.stats).toMatchObject({ tlsHandshakes: 1, connections: 1 });
	});
});

describe('faults for the send-safety suites', () => {
	it('after-read: the whole request is read, nothing is stored, the connection is reset', async () => {
		sandbox.injectFault({ kind: 'reset', when: 'after-read' }, { method: 'POST' });
		await expect(sendNotification('after-read')).rejects.toThrow();
		expect(storedWithSubject('after-read')).toBe(0);
	});

	it('body: any answer, with its status, after processing unless told otherwise', async () => {
		sandbox.injectFault({ kind: 'body', body: 'null' }, { method: 'POST' });
		const answered = await sendNotification('body-processed');
		expect({ status: answered.status, text: answered.text }).toEqual({ status: 200, text: 'null' });
		expect(storedWithSubject('body-processed')).toBe(1);

		sandbox.injectFault(
			{ kind: 'body', body: '{"x":1}', status: 502, process: false },
			{ method: 'POST' },
		);
		expect((await sendNotification('body-not-processed')).status).toBe(502);
		expect(storedWithSubject('body-not-processed')).toBe(0);
	});

	it('oversized: processed, then answered with about the given number of bytes', async () => {
		sandbox.injectFault({ kind: 'oversized', bytes: 100_000 }, { method: 'POST' });
		const answered = await sendNotification('oversized');
		expect(answered.text.length).toBeGreaterThanOrEqual(99_990);
		expect(storedWithSubject('oversized')).toBe(1);
	});

	it('drip: the answer arrives one byte per interval', async () => {
		sandbox.injectFault({ kind: 'drip', intervalMs: 20 }, { method: 'POST' });
		const started = Date.now();
		const answered = await sendNotification('drip');
		expect(answered.text).toMatch(UUID);
		expect(Date.now() - started).toBeGreaterThanOrEqual(36 * 20 - 20);
	});

	it('ignore-page and page-size-cap change what a list endpoint sees', async () => {
		for (let index = 0; index < 3; index++) await sendNotification(`page-${index}`);
		const page = (number: number) =>
			call(agent, sandbox, 'GET', `/api/notification?Page=${number}&ItemsPerPage=2`);
		const first = (await page(1)).json();
		expect((await page(2)).json()).not.toEqual(first);
		sandbox.injectFault({ kind: 'ignore-page' }, { method: 'GET' });
		expect((await page(2)).json()).toEqual(first);

		sandbox.injectFault({ kind: 'page-size-cap', max: 1 }, { method: 'GET' });
		expect(
			(await call(agent, sandbox, 'GET', '/api/notification?Page=1&ItemsPerPage=2')).json(),
		).toHaveLength(1);
	});
});
