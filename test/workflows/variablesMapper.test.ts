/**
 * Send with a template whose variables come from n8n's resource mapper: the mapper's fields are the
 * template's own placeholders; "Map Automatically" reads the input fields of the same names,
 * without an expression per item; per-field mapping takes what the user maps. Through n8n's
 * engine, over mTLS, against the strict sandbox.
 */
import { WorkflowExpression, type IDataObject } from 'n8n-workflow';

import { useSandbox } from '../support/sandbox';
import {
	engine,
	items,
	linearWorkflow,
	runNode,
	runNodeExpectingError,
	templateParameters,
} from '../support/workflows';

const requestLog: string[] = [];
const fixture = useSandbox({ statusStepMs: 50, log: (line) => requestLog.push(line) });

const reminder = {
	name: 'Payment reminder',
	description: 'A payment due, with amount and due date',
	subject: 'Plată scadentă la {{dueDate}}',
	body: '<p>Stimate {{RecipientFirstName}}, plata de {{amount}} lei pentru {{ service }} este scadentă la {{dueDate}}.</p>',
	shortBody: 'Plata de {{amount}} lei: {{dueDate}} ({{IDNP}}).',
};

async function createTemplate(overrides: IDataObject = {}): Promise<string> {
	const [created] = await runNode(
		templateParameters({ ...reminder, ...overrides }),
		fixture.credentials,
	);
	return created.json.id as string;
}

/** The template as the list picker stores it. */
const picked = (id: string) => ({ __rl: true, mode: 'list', value: id, cachedResultName: 'x' });

/** Send to each item's IDNP (from its field) with the template and the mapper's variables. */
function mappedSend(templateId: string, variablesMapping: IDataObject): IDataObject {
	return {
		resource: 'notification',
		operation: 'send',
		recipientsMode: 'fields',
		recipientFields: { field: [{ type: 'IDNP', name: 'idnp' }] },
		contentSource: 'template',
		templateId: picked(templateId),
		variablesMode: 'mapper',
		variablesMapping,
	};
}

/** What the editor saves for "Map Automatically", schema as the mapper listed it. */
const automatic = (fields: string[]) => ({
	mappingMode: 'autoMapInputData',
	value: null,
	matchingColumns: [],
	schema: fields.map((id) => ({
		id,
		displayName: id,
		type: 'string',
		required: true,
		display: true,
	})),
});

const citizen = (index: number, extra: IDataObject = {}) => ({
	idnp: String(2_000_000_000_200 + index),
	amount: 100 + index,
	dueDate: `0${index + 1}.12.2026`,
	service: 'impozitul funciar',
	email: `person${index}@example.md`,
	...extra,
});

const storedVariables = (id: unknown) => {
	const request = fixture.sandbox.notifications().find((n) => n.id === id)?.request as
		{ template?: { variables?: string } } | undefined;
	return JSON.parse(request?.template?.variables ?? '{}') as IDataObject;
};

describe("Send with the template's placeholders in n8n's resource mapper", () => {
	it("lists the template's own placeholders as the mapper's fields, built-ins left out", async () => {
		const templateId = await createTemplate();
		const workflow = linearWorkflow([
			{ name: 'Send', parameters: mappedSend(templateId, automatic([])) },
		]);
		const { fields } = await engine().resourceMapping(workflow, 'Send', 'getTemplatePlaceholders', {
			credentials: { mNotifyApi: fixture.credentials },
		});
		expect(fields.map((field) => field.id)).toEqual(['dueDate', 'amount', 'service']);
		expect(fields.every((field) => field.required && field.display)).toBe(true);

		const noTemplate = linearWorkflow([
			{
				name: 'Send',
				parameters: { ...mappedSend(templateId, automatic([])), templateId: picked('') },
			},
		]);
		const empty = await engine().resourceMapping(noTemplate, 'Send', 'getTemplatePlaceholders', {
			credentials: { mNotifyApi: fixture.credentials },
		});
		expect(empty.fields).toEqual([]);
		expect(empty.emptyFieldsNotice).toMatch(/Pick a template first/);
	});

	it('"Map Automatically" sends the input fields named like the placeholders, and only those', async () => {
		const templateId = await createTemplate();
		const people = items(5, (index) => citizen(index));
		const output = await runNode(
			mappedSend(templateId, automatic(['dueDate', 'amount', 'service'])),
			fixture.credentials,
			{ startItems: people },
		);
		expect(output).toHaveLength(5);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			const { amount, dueDate, service } = people[index].json;
			expect(storedVariables(item.json.id)).toEqual({ dueDate, amount, service });
		});
		const rendered = fixture.sandbox.notifications().find((n) => n.id === output[2].json.id);
		expect(rendered?.subject).toBe('Plată scadentă la 03.12.2026');
	});

	it('"Map Automatically" evaluates no expression per item', async () => {
		const templateId = await createTemplate();
		const spy = jest.spyOn(WorkflowExpression.prototype, 'resolveSimpleParameterValue');
		try {
			await runNode(
				mappedSend(templateId, automatic(['dueDate', 'amount', 'service'])),
				fixture.credentials,
				{ startItems: items(30, (index) => citizen(index)) },
			);
			expect(spy.mock.calls.filter(([value]) => String(value).startsWith('='))).toEqual([]);
		} finally {
			spy.mockRestore();
		}
	});

	it('per-field mapping takes fixed values and expressions', async () => {
		const templateId = await createTemplate();
		const people = items(2, (index) => citizen(index));
		const output = await runNode(
			mappedSend(templateId, {
				mappingMode: 'defineBelow',
				value: {
					dueDate: '={{ $json.dueDate }}',
					amount: '={{ $json.amount * 2 }}',
					service: 'taxa de salubrizare',
				},
				matchingColumns: [],
				schema: automatic(['dueDate', 'amount', 'service']).schema,
			}),
			fixture.credentials,
			{ startItems: people },
		);
		expect(storedVariables(output[1].json.id)).toEqual({
			dueDate: '02.12.2026',
			amount: 202,
			service: 'taxa de salubrizare',
		});
	});

	it('refuses an item that lacks a placeholder field, naming it and the item, before sending', async () => {
		const templateId = await createTemplate();
		const before = fixture.sandbox.stats.notificationSendsReceived;
		const error = await runNodeExpectingError(
			mappedSend(templateId, automatic(['dueDate', 'amount', 'service'])),
			fixture.credentials,
			[{ json: citizen(0) }, { json: citizen(1, { service: undefined }) }],
		);
		expect(error.message).toMatch(/unfilled: \{\{service\}\} \(no variable\) \[item 1\]/);
		expect(error.itemIndex).toBe(1);
		expect(fixture.sandbox.stats.notificationSendsReceived).toBe(before);
	});

	it('reads the template once for all items, and sends nothing while an item is invalid', async () => {
		const templateId = await createTemplate();
		const templateReads = () =>
			requestLog.filter((line) => line.startsWith(`GET /api/template/${templateId}`)).length;
		const before = fixture.sandbox.stats.notificationSendsReceived;
		const readsBefore = templateReads();
		const error = await runNodeExpectingError(
			mappedSend(templateId, automatic(['dueDate', 'amount', 'service'])),
			fixture.credentials,
			[...items(20, (index) => citizen(index)), { json: citizen(20, { idnp: '200000000000' }) }],
		);
		expect(error.message).toMatch(
			/Input field "idnp" "200000000000" is not a valid IDNP.*\[item 20\]/,
		);
		expect(fixture.sandbox.stats.notificationSendsReceived).toBe(before);
		expect(templateReads() - readsBefore).toBe(1);
	});

	it('refuses a placeholder field holding an object, naming the placeholder', async () => {
		const templateId = await createTemplate();
		const error = await runNodeExpectingError(
			mappedSend(templateId, automatic(['dueDate', 'amount', 'service'])),
			fixture.credentials,
			[{ json: citizen(0, { amount: { lei: 100 } }) }],
		);
		expect(error.message).toMatch(
			/The value for the placeholder \{\{amount\}\} is an object, not text \[item 0\]/,
		);
	});
});
