import type { Agent } from 'undici';
import { type MNotifySandbox, startSandbox } from '../../dev/sandbox/server';
import { call, notificationRequest, pfxIdentity, sandboxAgent, UUID } from './helpers';

const STEP_MS = 60_000;

let sandbox: MNotifySandbox;
let agent: Agent;
let otherSenderAgent: Agent;
let senderId: string;

beforeAll(async () => {
	sandbox = await startSandbox({ statusStepMs: STEP_MS });
	const client = sandbox.issueClientCertificate();
	senderId = client.senderId;
	agent = sandboxAgent(sandbox, pfxIdentity(client));
	otherSenderAgent = sandboxAgent(sandbox, pfxIdentity(sandbox.issueClientCertificate()));
});

afterAll(async () => {
	await Promise.all([agent.destroy(), otherSenderAgent.destroy()]);
	await sandbox.close();
});

function templateRequest(overrides: Record<string, unknown> = {}) {
	return {
		name: 'Factura lunară',
		description: 'Monthly invoice',
		subject: { ro: 'Factura {{Month}}', en: 'Invoice {{Month}}' },
		body: { ro: '<p>Stimate {{RecipientFirstName}} {{RecipientLastName}}, suma: {{Amount}}</p>' },
		bodyShort: { ro: 'IDNP {{IDNP}}, {{Date}} {{Time}}, {{Unknown}}' },
		...overrides,
	};
}

/** Creates a template and returns its id, checking the JSON-quoted answer on the way. */
async function createTemplate(body: unknown = templateRequest()): Promise<string> {
	const response = await call(agent, sandbox, 'POST', '/api/template', { body });
	expect(response.status).toBe(200);
	expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
	const id = response.json();
	expect(id).toMatch(UUID);
	expect(response.text).toBe(`"${id}"`);
	return id;
}

async function getTemplate(id: string) {
	const response = await call(agent, sandbox, 'GET', `/api/template/${id}`);
	expect(response.status).toBe(200);
	return response.json();
}

describe('template CRUD', () => {
	it('creates and reads a template with its sender and audit fields', async () => {
		const id = await createTemplate();
		const template = await getTemplate(id);
		expect(template).toEqual({
			id,
			senderId,
			createdAt: expect.stringMatching(/\.\d{7}Z$/),
			lastUpdatedAt: template.createdAt,
			createdBy: senderId,
			lastUpdatedBy: senderId,
			...templateRequest(),
		});
	});

	it('replaces a template with PUT and answers with the quoted id', async () => {
		const id = await createTemplate();
		sandbox.advanceClock(1000);
		const update = {
			name: 'Renamed',
			description: 'Renamed invoice',
			subject: { ro: 'Nou' },
			body: { ro: 'Corp nou' },
			bodyShort: { ro: 'Scurt nou' },
		};
		const response = await call(agent, sandbox, 'PUT', `/api/template/${id}`, { body: update });
		expect(response).toMatchObject({ status: 200, text: `"${id}"` });

		const template = await getTemplate(id);
		// Replaced, not merged: the English subject is gone.
		expect(template).toMatchObject(update);
		expect(template.subject).toEqual({ ro: 'Nou' });
		expect(
			Date.parse(template.lastUpdatedAt) - Date.parse(template.createdAt),
		).toBeGreaterThanOrEqual(1000);
	});

	it('validates names and texts, every field required (the strictest reading)', async () => {
		const invalid = { name: 'n'.repeat(51), subject: { en: 'no ro' }, bodyShort: { ro: '' } };
		const response = await call(agent, sandbox, 'POST', '/api/template', { body: invalid });
		expect(response.status).toBe(400);
		expect(Object.keys(response.json().errors).sort()).toEqual([
			'Body',
			'BodyShort.Ro',
			'Description',
			'Name',
			'Subject.Ro',
		]);
		const partialUpdate = { name: 'Renamed', subject: { ro: 'Nou' }, body: { ro: 'Corp nou' } };
		const id = await createTemplate();
		const refused = await call(agent, sandbox, 'PUT', `/api/template/${id}`, {
			body: partialUpdate,
		});
		expect(Object.keys(refused.json().errors).sort()).toEqual(['BodyShort', 'Description']);
	});

	it('lists the caller’s templates as TemplateShort, with paging', async () => {
		// The other sender owns no templates yet, so its list holds exactly these.
		for (const name of ['b', 'c', 'a']) {
			const body = templateRequest({ name });
			expect(
				(await call(otherSenderAgent, sandbox, 'POST', '/api/template', { body })).status,
			).toBe(200);
		}
		const list = (query: string) =>
			call(
				otherSenderAgent,
				sandbox,
				'GET',
				`/api/template?OrderField=name&ItemsPerPage=2${query}`,
			);
		const firstPage = (await list('')).json();
		expect(firstPage.map((item: any) => item.name)).toEqual(['a', 'b']);
		expect(Object.keys(firstPage[0]).sort()).toEqual(
			['createdAt', 'createdBy', 'id', 'lastUpdatedAt', 'lastUpdatedBy', 'name'].sort(),
		);
		expect((await list('&Page=2')).json().map((item: any) => item.name)).toEqual(['c']);
	});
});

describe('template check', () => {
	let id: string;

	beforeAll(async () => {
		id = await createTemplate();
	});

	it('fills variables and built-ins with POST, leaving unknown placeholders', async () => {
		const response = await call(agent, sandbox, 'POST', `/api/template/${id}/check`, {
			body: { variables: JSON.stringify({ Month: 'mai', Amount: 125.5 }), userId: '2000000000000' },
		});
		expect(response.status).toBe(200);
		const preview = response.json();
		expect(preview).toMatchObject({ id, senderId, name: 'Factura lunară' });
		expect(preview.subject).toEqual({ ro: 'Factura mai', en: 'Invoice mai' });
		expect(preview.body.ro).toBe('<p>Stimate Maria Ceban, suma: 125.5</p>');
		expect(preview.bodyShort.ro).toMatch(
			/^IDNP 2000000000000, \d\d\.\d\d\.\d{4} \d\d:\d\d, \{\{Unknown\}\}$/,
		);
		expect((await getTemplate(id)).subject.ro).toBe('Factura {{Month}}');
	});

	it('answers the documented GET form with variables and userId in the query', async () => {
		const variables = encodeURIComponent(JSON.stringify({ Month: 'iunie' }));
		const response = await call(
			agent,
			sandbox,
			'GET',
			`/api/template/${id}/check?variables=${variables}&userId=1010600034203`,
		);
		expect(response.status).toBe(200);
		const preview = response.json();
		expect(preview.subject.ro).toBe('Factura iunie');
		// An IDNO is a company: no IDNP, and the register's default person.
		expect(preview.bodyShort.ro).toMatch(/^IDNP \{\{IDNP\}\}, /);
		expect(preview.body.ro).toBe('<p>Stimate Ion Popescu, suma: {{Amount}}</p>');
	});

	it('answers 400 on Variables that are not a JSON object string', async () => {
		for (const variables of [{ Month: 'mai' }, 'not json', '[1,2]']) {
			const response = await call(agent, sandbox, 'POST', `/api/template/${id}/check`, {
				body: { variables },
			});
			expect(response.status).toBe(400);
			expect(Object.keys(response.json().errors)).toEqual(['Variables']);
		}
	});
});

describe('notifications from templates', () => {
	it('renders the texts sent with the caller’s variables and the built-ins, per recipient', async () => {
		const id = await createTemplate();
		const body = notificationRequest({
			priority: 'Medium',
			recipients: [
				{ type: 'IDNP', value: '2000000000001' },
				{ type: 'Email', value: 'ion@example.md' },
			],
			template: { id, variables: JSON.stringify({ Month: 'iulie' }) },
			subject: { ro: 'Factura {{Month}}' },
			body: { ro: 'Stimate {{RecipientFirstName}}' },
		});
		const sent = await call(agent, sandbox, 'POST', '/api/notification', { body });
		expect(sent.status).toBe(200);
		const record = sandbox.notifications().find((item) => item.id === sent.text);
		expect(record).toMatchObject({ templateId: id, subject: 'Factura iulie' });
		expect(record?.content?.body.ro).toMatch(/^Stimate \S+$/);
	});

	it('sends the texts given, not the template’s (the default reading)', async () => {
		const id = await createTemplate();
		const body = notificationRequest({ template: { id }, subject: { ro: 'Explicit' } });
		const sent = await call(agent, sandbox, 'POST', '/api/notification', { body });
		expect(sandbox.notifications().find((item) => item.id === sent.text)?.subject).toBe('Explicit');
	});

	it('answers 404 for an unknown template and 403 for another sender’s', async () => {
		const unknown = notificationRequest({
			template: { id: '00000000-0000-4000-8000-000000000000' },
		});
		expect(
			(await call(agent, sandbox, 'POST', '/api/notification', { body: unknown })).status,
		).toBe(404);
		const foreign = notificationRequest({ template: { id: await createTemplate() } });
		const response = await call(otherSenderAgent, sandbox, 'POST', '/api/notification', {
			body: foreign,
		});
		expect(response.status).toBe(403);
	});
});

describe('template deletion and ownership', () => {
	it('refuses to delete a template while a notification using it is in flight', async () => {
		const id = await createTemplate();
		const body = notificationRequest({ template: { id } });
		expect((await call(agent, sandbox, 'POST', '/api/notification', { body })).status).toBe(200);

		const refused = await call(agent, sandbox, 'DELETE', `/api/template/${id}`);
		expect(refused.status).toBe(409);
		expect(refused.json().message).toMatch(/cannot be deleted/);

		sandbox.advanceClock(4 * STEP_MS); // Delivered: final
		const deleted = await call(agent, sandbox, 'DELETE', `/api/template/${id}`);
		expect(deleted).toMatchObject({ status: 200, text: `"${id}"` });
		expect((await call(agent, sandbox, 'GET', `/api/template/${id}`)).status).toBe(404);
	});

	it('answers 403 for every operation on another sender’s template', async () => {
		const id = await createTemplate();
		const operations = [
			['GET', `/api/template/${id}`],
			['PUT', `/api/template/${id}`],
			['DELETE', `/api/template/${id}`],
			['POST', `/api/template/${id}/check`],
			['GET', `/api/template/${id}/check`],
		] as const;
		for (const [method, path] of operations) {
			const body = method === 'PUT' ? templateRequest() : method === 'POST' ? {} : undefined;
			const response = await call(otherSenderAgent, sandbox, method, path, { body });
			expect([method, path, response.status]).toEqual([method, path, 403]);
		}
		expect((await getTemplate(id)).name).toBe('Factura lunară');
	});
});
