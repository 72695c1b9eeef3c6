import { useSandbox } from '../support/sandbox';
import { runNode, runNodeExpectingError, sendParameters } from '../support/workflows';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const templateTexts = {
	name: 'Aviz impozit',
	description: 'Notificare anuală',
	subject: 'Impozit {{year}}',
	body: '<p>Stimate {{RecipientFirstName}}, aveți de plată {{amount}} lei.</p>',
	shortBody: 'De plată: {{amount}} lei',
	translations: {
		translation: [{ language: 'ru', subject: 'Налог {{year}}', body: 'К оплате {{amount}} лей' }],
	},
};

describe('Template operations over mTLS', () => {
	const fixture = useSandbox({ statusStepMs: 1000 });

	async function createTemplate(overrides = {}): Promise<string> {
		const [created] = await runNode(
			{ resource: 'template', operation: 'create', ...templateTexts, ...overrides },
			fixture.credentials,
		);
		expect(created.json.id).toMatch(UUID);
		return created.json.id as string;
	}

	const byId = (id: string) => ({ __rl: true, mode: 'id', value: id });

	async function readTemplate(id: string) {
		const [template] = await runNode(
			{ resource: 'template', operation: 'get', templateId: byId(id) },
			fixture.credentials,
		);
		return template;
	}

	it('creates (quoted id answer), gets and lists templates', async () => {
		const id = await createTemplate();
		const template = await readTemplate(id);
		expect(template.json).toMatchObject({
			id,
			name: 'Aviz impozit',
			subject: { ro: 'Impozit {{year}}', ru: 'Налог {{year}}' },
			bodyShort: { ro: 'De plată: {{amount}} lei' },
		});
		const listed = await runNode(
			{ resource: 'template', operation: 'getMany', returnAll: true },
			fixture.credentials,
		);
		expect(listed.map((item) => item.json.id)).toContain(id);
	});

	it('updates only the fields given and keeps the rest', async () => {
		const id = await createTemplate();
		const [updated] = await runNode(
			{
				resource: 'template',
				operation: 'update',
				templateId: byId(id),
				updateFields: { name: 'Aviz impozit 2027' },
			},
			fixture.credentials,
		);
		expect(updated.json).toMatchObject({ id, name: 'Aviz impozit 2027' });
		const stored = await readTemplate(id);
		expect(stored.json).toMatchObject({
			name: 'Aviz impozit 2027',
			description: 'Notificare anuală',
			subject: { ro: 'Impozit {{year}}', ru: 'Налог {{year}}' },
			body: { ro: templateTexts.body, ru: 'К оплате {{amount}} лей' },
		});
	});

	it('changes every field on update, translations included, keeping what is not given', async () => {
		const id = await createTemplate();
		await runNode(
			{
				resource: 'template',
				operation: 'update',
				templateId: byId(id),
				updateFields: {
					description: 'Notificare anuală, actualizată',
					shortBody: 'Plătiți {{amount}} lei',
					translations: {
						translation: [
							{ language: 'en', subject: 'Tax {{year}}', body: 'Pay {{amount}}', shortBody: 'Pay' },
							{ language: 'ru', shortBody: 'К оплате' },
						],
					},
				},
			},
			fixture.credentials,
		);
		const stored = await readTemplate(id);
		expect(stored.json).toMatchObject({
			name: 'Aviz impozit',
			description: 'Notificare anuală, actualizată',
			subject: { ro: 'Impozit {{year}}', ru: 'Налог {{year}}', en: 'Tax {{year}}' },
			body: { ro: templateTexts.body, ru: 'К оплате {{amount}} лей', en: 'Pay {{amount}}' },
			bodyShort: { ro: 'Plătiți {{amount}} lei', ru: 'К оплате', en: 'Pay' },
		});
	});

	it('requires every field of a new template before any call (the strictest reading)', async () => {
		const before = fixture.sandbox.stats.requests;
		for (const [missing, field] of [
			['description', 'Description'],
			['shortBody', 'Short Body'],
			['body', 'Body'],
		]) {
			// Mapped from an item (n8n itself refuses a required field left empty in the panel).
			const error = await runNodeExpectingError(
				{
					resource: 'template',
					operation: 'create',
					...templateTexts,
					[missing]: '={{ $json.x }}',
				},
				fixture.credentials,
			);
			expect(error.message).toBe(`${field} is empty [item 0]`);
		}
		expect(fixture.sandbox.stats.requests).toBe(before);
	});

	it('previews with variables and the built-in recipient placeholders, sending nothing', async () => {
		const id = await createTemplate();
		const before = fixture.sandbox.stats.notificationsAccepted;
		const [preview] = await runNode(
			{
				resource: 'template',
				operation: 'preview',
				templateId: byId(id),
				variablesMode: 'json',
				variablesJson: '{"year": 2027, "amount": "1 250"}',
				userId: '2000000000000',
			},
			fixture.credentials,
		);
		expect(preview.json.subject).toMatchObject({ ro: 'Impozit 2027', ru: 'Налог 2027' });
		expect((preview.json.body as { ro: string }).ro).toMatch(
			/^<p>Stimate \S+, aveți de plată 1 250 lei.<\/p>$/,
		);
		expect((preview.json.body as { ro: string }).ro).not.toContain('{{RecipientFirstName}}');
		expect(fixture.sandbox.stats.notificationsAccepted).toBe(before);
	});

	it('refuses to delete a template in use (409, explained), then deletes it once delivered', async () => {
		const id = await createTemplate();
		await runNode(
			sendParameters([{ type: 'IDNP', value: '2000000000000' }], {
				contentSource: 'template',
				templateId: byId(id),
				variables: {
					variable: [
						{ name: 'amount', value: '10' },
						{ name: 'year', value: '2027' },
					],
				},
			}),
			fixture.credentials,
		);
		const inUse = await runNodeExpectingError(
			{ resource: 'template', operation: 'delete', templateId: byId(id) },
			fixture.credentials,
		);
		expect(inUse.httpCode).toBe('409');
		expect(inUse.description).toMatch(/still used by notifications/);

		fixture.sandbox.advanceClock(10_000);
		const [deleted] = await runNode(
			{ resource: 'template', operation: 'delete', templateId: byId(id) },
			fixture.credentials,
		);
		expect(deleted.json).toEqual({ id, deleted: true });
	});

	it('checks the name length and the variables before any call', async () => {
		const before = fixture.sandbox.stats.requests;
		const tooLong = await runNodeExpectingError(
			{ resource: 'template', operation: 'create', ...templateTexts, name: 'N'.repeat(51) },
			fixture.credentials,
		);
		expect(tooLong.message).toMatch(
			/^Name has 51 characters; MNotify allows at most 50 \[item 0\]/,
		);
		const badVariables = await runNodeExpectingError(
			{
				resource: 'template',
				operation: 'preview',
				templateId: byId('9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d'),
				variablesMode: 'json',
				variablesJson: '{year: 2027}',
			},
			fixture.credentials,
		);
		expect(badVariables.message).toMatch(/^Variables \(JSON\) is not valid JSON/);
		expect(fixture.sandbox.stats.requests).toBe(before);
	});
});
