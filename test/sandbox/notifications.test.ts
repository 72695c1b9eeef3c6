import type { Agent } from 'undici';
import { type MNotifySandbox, startSandbox } from '../../dev/sandbox/server';
import { call, notificationRequest, pfxIdentity, sandboxAgent, UUID } from './helpers';

/** Long steps: real time never moves a status during a test, only advanceClock does. */
const STEP_MS = 60_000;

let sandbox: MNotifySandbox;
let agent: Agent;
let otherSenderAgent: Agent;

beforeAll(async () => {
	sandbox = await startSandbox({ statusStepMs: STEP_MS });
	agent = sandboxAgent(sandbox, pfxIdentity(sandbox.issueClientCertificate()));
	otherSenderAgent = sandboxAgent(sandbox, pfxIdentity(sandbox.issueClientCertificate()));
});

afterAll(async () => {
	await Promise.all([agent.destroy(), otherSenderAgent.destroy()]);
	await sandbox.close();
});

async function send(body: unknown = notificationRequest(), sender = agent): Promise<string> {
	const response = await call(sender, sandbox, 'POST', '/api/notification', { body });
	expect(response.status).toBe(200);
	return response.text;
}

async function details(id: string, sender = agent) {
	const response = await call(sender, sandbox, 'GET', `/api/notification/${id}`);
	expect(response.status).toBe(200);
	return response.json();
}

function errorFields(response: { status: number; json: () => any }): string[] {
	expect(response.status).toBe(400);
	return Object.keys(response.json().errors).sort();
}

describe('sending', () => {
	it('answers with the bare id as text/plain and stores the request as sent', async () => {
		const request = notificationRequest({ subject: { ro: 'Factura nr. 1' } });
		const response = await call(agent, sandbox, 'POST', '/api/notification', { body: request });

		expect(response.status).toBe(200);
		expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
		expect(response.text).toMatch(UUID);
		const record = sandbox.notifications().find((item) => item.id === response.text);
		expect(record).toMatchObject({ subject: 'Factura nr. 1', status: 'Pending', request });
	});

	it('reports every recipient with its channels, isLegal and fields beyond the contract', async () => {
		const id = await send(
			notificationRequest({
				priority: 'high',
				recipients: [
					{ type: 'idnp', value: '2000000000000' },
					{ type: 'IDNO', value: '1010600034203' },
					{ type: 'EMAIL', value: 'ion@example.md' },
					{ type: 'Telephone', value: '+37369123456' },
				],
			}),
		);
		const notification = await details(id);

		expect(notification).toMatchObject({ id, status: 'Pending', priority: 'High' });
		const summary = notification.recipients.map((recipient: any) => ({
			type: recipient.type,
			isLegal: recipient.isLegal,
			channels: recipient.messages.map((message: any) => message.channel),
		}));
		expect(summary).toEqual([
			{ type: 'IDNP', isLegal: false, channels: ['MCabinet', 'Email'] },
			{ type: 'IDNO', isLegal: true, channels: ['MCabinet'] },
			{ type: 'Email', isLegal: false, channels: ['Email'] },
			{ type: 'Telephone', isLegal: false, channels: ['SMS'] },
		]);
		const message = notification.recipients[0].messages[0];
		expect(message).toMatchObject({ messageId: expect.stringMatching(UUID), subject: 'Titlu' });
		expect(message.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
	});

	it('walks Pending → Resolving → Sending → Sent → Delivered on the clock', async () => {
		const id = await send();
		const seen: string[] = [];
		for (let step = 0; step < 6; step += 1) {
			const notification = await details(id);
			seen.push(`${notification.status}/${notification.recipients[0].messages[0].status}`);
			sandbox.advanceClock(STEP_MS);
		}
		expect(seen).toEqual([
			'Pending/Pending',
			'Resolving/Resolving',
			'Sending/Sending',
			'Sent/Sent',
			'Delivered/Delivered',
			'Delivered/Delivered',
		]);
		const delivered = await details(id);
		const message = delivered.recipients[0].messages[0];
		expect(Date.parse(message.lastUpdatedAt) - Date.parse(message.createdAt)).toBe(4 * STEP_MS);
		expect(message.lastUpdatedBy).toBe('MNotify');
	});

	it('fails the messages of failing recipients, and with them the notification', async () => {
		sandbox.failRecipient('+37360000000');
		const id = await send(
			notificationRequest({
				recipients: [
					{ type: 'IDNP', value: '2000000000001' },
					{ type: 'IDNP', value: '2000000000999' },
					{ type: 'Telephone', value: '+37360000000' },
				],
			}),
		);
		sandbox.advanceClock(2 * STEP_MS);
		expect((await details(id)).status).toBe('Sending');

		sandbox.advanceClock(2 * STEP_MS);
		const notification = await details(id);
		expect(notification.status).toBe('Failed');
		const statuses = notification.recipients.map((recipient: any) =>
			recipient.messages.map((message: any) => message.status),
		);
		expect(statuses).toEqual([['Delivered', 'Delivered'], ['Failed', 'Failed'], ['Failed']]);
		expect(notification.recipients[1].messages[0].failureReason).toEqual(expect.any(String));
	});
});

describe('validation', () => {
	it('answers 400 ProblemDetails naming every missing field', async () => {
		const response = await call(agent, sandbox, 'POST', '/api/notification', { body: {} });
		expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
		expect(response.json()).toMatchObject({
			type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
			title: 'One or more validation errors occurred.',
			status: 400,
		});
		expect(errorFields(response)).toEqual([
			'Body',
			'BodyShort',
			'Priority',
			'Recipients',
			'Subject',
		]);
	});

	it('checks values against the documented rules, field by field', async () => {
		const body = notificationRequest({
			subject: { ro: 'ok', en: 'x'.repeat(42) },
			bodyShort: { ro: 'y'.repeat(161) },
			body: { ru: 'нет ro' },
			priority: 'Urgent',
			recipients: [
				{ type: 'IDNP', value: '200000000000' },
				{ type: 'IDNO', value: '10106000342AB' },
				{ type: 'Email', value: 'not-an-address' },
				{ type: 'Telephone', value: '12-34' },
				{ type: 'Fax', value: '123' },
			],
			attachments: [
				{ fileName: 'virus.exe', base64: 'AAAA' },
				{ fileName: 'act.pdf', base64: 'not base64!' },
			],
			resolutionPolicy: { type: 'IDNP', parameters: { direction: 'Boss' } },
		});
		const response = await call(agent, sandbox, 'POST', '/api/notification', { body });
		expect(errorFields(response)).toEqual([
			'Attachments[0].FileName',
			'Attachments[1].Base64',
			'Body.Ro',
			'BodyShort.Ro',
			'Priority',
			'Recipients[0].Value',
			'Recipients[1].Value',
			'Recipients[2].Value',
			'Recipients[3].Value',
			'Recipients[4].Type',
			'ResolutionPolicy.Parameters.Direction',
			'Subject.En',
		]);
	});

	it('accepts the edge of every rule', async () => {
		await send(
			notificationRequest({
				subject: { ro: 's'.repeat(41) },
				bodyShort: { ro: 'b'.repeat(160) },
				recipients: [
					{ type: 'Telephone', value: '37369123' },
					{ type: 'Telephone', value: '+123456789012345' },
				],
				attachments: [{ fileName: 'TABEL.XLS', base64: Buffer.from('a,b').toString('base64') }],
				resolutionPolicy: { type: 'idno', parameters: { direction: 'founder' } },
			}),
		);
	});

	it('limits attachments to 10 MB in total and request bodies to 20 MB', async () => {
		const fiveMegabytes = Buffer.alloc(5 * 1024 * 1024 + 1).toString('base64');
		const tooMuch = notificationRequest({
			attachments: [
				{ fileName: 'a.pdf', base64: fiveMegabytes },
				{ fileName: 'b.pdf', base64: fiveMegabytes },
			],
		});
		const response = await call(agent, sandbox, 'POST', '/api/notification', { body: tooMuch });
		expect(errorFields(response)).toEqual(['Attachments']);

		const huge = notificationRequest({ padding: 'x'.repeat(20 * 1024 * 1024) });
		const tooLarge = await call(agent, sandbox, 'POST', '/api/notification', { body: huge });
		expect(tooLarge.status).toBe(413);
		expect(tooLarge.json().message).toMatch(/20 MB/);
	});

	it('wants template variables as a JSON-encoded string of an object', async () => {
		const template = (variables: unknown) =>
			notificationRequest({ template: { id: '00000000-0000-4000-8000-000000000000', variables } });
		for (const variables of [{ Name: 'Ion' }, '["Ion"]', '{broken']) {
			const response = await call(agent, sandbox, 'POST', '/api/notification', {
				body: template(variables),
			});
			expect(errorFields(response)).toEqual(['Template.Variables']);
		}
	});

	it('answers 415 without a JSON content type and 400 for malformed JSON', async () => {
		const withoutType = await call(agent, sandbox, 'POST', '/api/notification', {
			body: notificationRequest(),
			contentType: 'text/plain',
		});
		expect(withoutType.status).toBe(415);

		const malformed = await call(agent, sandbox, 'POST', '/api/notification', {
			rawBody: '{"subject": ',
		});
		expect(errorFields(malformed)).toEqual(['$']);
	});
});

describe('listing', () => {
	// The other sender owns nothing else, so its list holds exactly these.
	const ids: string[] = [];

	beforeAll(async () => {
		for (let index = 0; index < 5; index += 1) {
			ids.push(await send(notificationRequest(), otherSenderAgent));
			sandbox.advanceClock(1); // distinct createdAt values
		}
	});

	async function list(query: string, path = '/api/notification'): Promise<any[]> {
		const response = await call(otherSenderAgent, sandbox, 'GET', `${path}${query}`);
		expect(response.status).toBe(200);
		return response.json();
	}

	it('returns a bare array of the caller’s own notifications, ordered by id', async () => {
		const items = await list('');
		expect(items.map((item) => item.id)).toEqual([...ids].sort());
		expect(Object.keys(items[0]).sort()).toEqual(
			['createdAt', 'createdBy', 'id', 'lastUpdatedAt', 'lastUpdatedBy', 'status'].sort(),
		);
	});

	it('pages from 1 with ItemsPerPage', async () => {
		const pages = await Promise.all(
			[1, 2, 3, 4].map((page) => list(`?Page=${page}&ItemsPerPage=2`)),
		);
		expect(pages.map((page) => page.length)).toEqual([2, 2, 1, 0]);
		expect(pages.flat().map((item) => item.id)).toEqual([...ids].sort());
	});

	it('orders by any response property, optionally descending, with case-insensitive names', async () => {
		const newestFirst = await list('?orderfield=CreatedAt%20desc');
		expect(newestFirst.map((item) => item.id)).toEqual([...ids].reverse());
		const oldestFirst = await list('?OrderField=createdAt');
		expect(oldestFirst.map((item) => item.id)).toEqual(ids);
	});

	it('searches by exact id; anything that is not a UUID finds nothing', async () => {
		expect((await list(`?SearchBy=${ids[2].toUpperCase()}`)).map((item) => item.id)).toEqual([
			ids[2],
		]);
		expect(await list('?SearchBy=Factura')).toEqual([]);
	});

	it('also answers on the reference’s /api/Notifications/ spelling', async () => {
		expect(await list('?ItemsPerPage=100', '/api/Notifications/')).toHaveLength(5);
	});

	it('rejects paging it cannot honour', async () => {
		const response = await call(
			otherSenderAgent,
			sandbox,
			'GET',
			'/api/notification?Page=0&ItemsPerPage=101&OrderField=colour',
		);
		expect(errorFields(response)).toEqual(['ItemsPerPage', 'OrderField', 'Page']);
	});
});

describe('cancelling', () => {
	it('cancels a notification that was not sent yet', async () => {
		const id = await send();
		sandbox.advanceClock(2 * STEP_MS); // Sending
		const response = await call(agent, sandbox, 'DELETE', `/api/notification/${id}`);
		expect(response).toMatchObject({ status: 200, text: id });

		const notification = await details(id);
		expect(notification.status).toBe('Cancelled');
		expect(notification.recipients[0].messages[0].status).toBe('Cancelled');
		sandbox.advanceClock(5 * STEP_MS);
		expect((await details(id)).status).toBe('Cancelled');

		const again = await call(agent, sandbox, 'DELETE', `/api/notification/${id}`);
		expect(again.status).toBe(409);
		expect(again.json().message).toMatch(/already cancelled/);
	});

	it('answers 409 once the notification was sent', async () => {
		const id = await send();
		sandbox.advanceClock(3 * STEP_MS); // Sent
		const response = await call(agent, sandbox, 'DELETE', `/api/notification/${id}`);
		expect(response.status).toBe(409);
		expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
		expect(response.json()).toEqual({ message: expect.stringMatching(/already sent/) });
		expect((await details(id)).status).toBe('Sent');
	});
});

describe('routing and ownership', () => {
	let id: string;

	beforeAll(async () => {
		id = await send();
	});

	it('matches paths case-insensitively, with or without a trailing slash', async () => {
		const response = await call(agent, sandbox, 'GET', `/API/Notification/${id.toUpperCase()}/`);
		expect(response.status).toBe(200);
		expect(response.json().id).toBe(id);
	});

	it('answers 403 for another sender’s notification', async () => {
		for (const method of ['GET', 'DELETE'] as const) {
			const response = await call(otherSenderAgent, sandbox, method, `/api/notification/${id}`);
			expect(response.status).toBe(403);
			expect(response.json().message).toEqual(expect.any(String));
		}
		expect((await details(id)).status).not.toBe('Cancelled');
	});

	it('answers 404 for an unknown id, a malformed id and an unknown route', async () => {
		const unknown = await call(
			agent,
			sandbox,
			'GET',
			'/api/notification/00000000-0000-4000-8000-000000000000',
		);
		expect(unknown.status).toBe(404);
		expect(unknown.json().message).toMatch(/not found/);

		const malformed = await call(agent, sandbox, 'GET', '/api/notification/12345');
		expect(malformed).toMatchObject({ status: 404, text: '' });
		expect((await call(agent, sandbox, 'GET', '/api/notify')).status).toBe(404);
	});

	it('answers 405 with Allow for a method the route does not have', async () => {
		const response = await call(agent, sandbox, 'PUT', `/api/notification/${id}`, { body: {} });
		expect(response.status).toBe(405);
		expect(response.headers.allow).toBe('GET, DELETE');
	});
});

describe('with statusStepMs 0', () => {
	it('keeps every notification Pending, for benchmarks', async () => {
		const frozen = await startSandbox({ statusStepMs: 0 });
		const frozenAgent = sandboxAgent(frozen, pfxIdentity(frozen.issueClientCertificate()));
		try {
			const sent = await call(frozenAgent, frozen, 'POST', '/api/notification', {
				body: notificationRequest(),
			});
			frozen.advanceClock(24 * 60 * 60 * 1000);
			const response = await call(frozenAgent, frozen, 'GET', `/api/notification/${sent.text}`);
			expect(response.json().status).toBe('Pending');
			expect(frozen.stats).toMatchObject({
				notificationSendsReceived: 1,
				notificationsAccepted: 1,
			});
		} finally {
			await frozenAgent.destroy();
			await frozen.close();
		}
	});
});
