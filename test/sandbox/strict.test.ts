/**
 * The sandbox in its strict form: where the docs and the .NET client disagree, whatever either
 * marks required is required (docs/contract.md §9, §12), answered as ASP.NET's 400 with field
 * errors; and its answers carry every field either source declares.
 */
import type { Agent } from 'undici';

import { type MNotifySandbox, startSandbox } from '../../dev/sandbox/server';
import { call, notificationRequest, pfxIdentity, sandboxAgent } from './helpers';

let sandbox: MNotifySandbox;
let agent: Agent;

beforeAll(async () => {
	sandbox = await startSandbox({ statusStepMs: 60_000 });
	agent = sandboxAgent(sandbox, pfxIdentity(sandbox.issueClientCertificate()));
});

afterAll(async () => {
	await agent.destroy();
	await sandbox.close();
});

async function fieldErrors(path: string, body: unknown): Promise<Record<string, string[]>> {
	const response = await call(agent, sandbox, 'POST', path, { body });
	expect(response.status).toBe(400);
	expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
	expect(response.json()).toMatchObject({
		title: 'One or more validation errors occurred.',
		status: 400,
	});
	return response.json().errors;
}

const completeTemplate = {
	name: 'Aviz',
	description: 'Aviz anual',
	subject: { ro: 'Aviz {{year}}' },
	body: { ro: 'Corp' },
	bodyShort: { ro: 'Scurt' },
};

describe('the strict contract', () => {
	it('wants subject, body and short body in Romanian on every send, with a template too', async () => {
		const created = await call(agent, sandbox, 'POST', '/api/template', { body: completeTemplate });
		const templateOnly = {
			priority: 'Low',
			recipients: [{ type: 'IDNP', value: '2000000000000' }],
			template: { id: created.json(), variables: '{"year":"2027"}' },
		};
		expect(await fieldErrors('/api/notification', templateOnly)).toEqual({
			Subject: ['The Subject field is required.'],
			Body: ['The Body field is required.'],
			BodyShort: ['The BodyShort field is required.'],
		});
		expect(
			Object.keys(
				await fieldErrors(
					'/api/notification',
					notificationRequest({ bodyShort: { ru: 'Кратко' }, body: { ro: ' ' } }),
				),
			).sort(),
		).toEqual(['Body.Ro', 'BodyShort.Ro']);
	});

	it('wants a resolution policy with its parameters and a direction', async () => {
		const withPolicy = (resolutionPolicy: unknown) => notificationRequest({ resolutionPolicy });
		expect(
			await fieldErrors('/api/notification', withPolicy({ type: 'IDNP', parameters: null })),
		).toEqual({ 'ResolutionPolicy.Parameters': ['The Parameters field is required.'] });
		expect(
			Object.keys(
				await fieldErrors('/api/notification', withPolicy({ type: 'IDNP', parameters: {} })),
			),
		).toEqual(['ResolutionPolicy.Parameters.Direction']);
		expect(
			Object.keys(
				await fieldErrors(
					'/api/notification',
					withPolicy({ parameters: { direction: 'Administrator' } }),
				),
			),
		).toEqual(['ResolutionPolicy.Type']);
	});

	it('takes enums as strings only, and recipients as { type, value } objects', async () => {
		const errors = await fieldErrors(
			'/api/notification',
			notificationRequest({
				priority: 2,
				recipients: [{ type: 0, value: '2000000000000' }, 'ion@example.md', { type: 'IDNP' }],
			}),
		);
		expect(Object.keys(errors).sort()).toEqual([
			'Priority',
			'Recipients[0].Type',
			'Recipients[1]',
			'Recipients[2].Value',
		]);
	});

	it('wants every field of a template, within the limits of the texts it will be sent with', async () => {
		const errors = await fieldErrors('/api/template', {
			...completeTemplate,
			description: undefined,
			subject: { ro: 's'.repeat(42) },
			bodyShort: { ro: 'b'.repeat(161) },
		});
		expect(Object.keys(errors).sort()).toEqual(['BodyShort.Ro', 'Description', 'Subject.Ro']);
	});

	it('answers with every field the docs or the .NET client declare', async () => {
		const sent = await call(agent, sandbox, 'POST', '/api/notification', {
			body: notificationRequest({ recipients: [{ type: 'IDNO', value: '1010600034203' }] }),
		});
		const details = (await call(agent, sandbox, 'GET', `/api/notification/${sent.text}`)).json();
		const [recipient] = details.recipients;
		// The docs: type, value, isLegal, messages; the client: audit fields, required.
		expect(Object.keys(recipient).sort()).toEqual(
			[
				'type',
				'value',
				'isLegal',
				'messages',
				'createdAt',
				'lastUpdatedAt',
				'createdBy',
				'lastUpdatedBy',
			].sort(),
		);
		expect(Object.keys(recipient.messages[0]).sort()).toEqual(
			[
				'messageId',
				'subject',
				'status',
				'channel',
				'createdAt',
				'lastUpdatedAt',
				'createdBy',
				'lastUpdatedBy',
			].sort(),
		);
		const template = (
			await call(
				agent,
				sandbox,
				'GET',
				`/api/template/${(await call(agent, sandbox, 'POST', '/api/template', { body: completeTemplate })).json()}`,
			)
		).json();
		expect(Object.keys(template)).toEqual(
			expect.arrayContaining([
				'id',
				'senderId',
				'name',
				'description',
				'subject',
				'body',
				'bodyShort',
			]),
		);
	});
});
