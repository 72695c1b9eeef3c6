import { WorkflowExpression, type IDataObject } from 'n8n-workflow';

import { useSandbox } from '../support/sandbox';
import { items, runNode, runNodeExpectingError, sendParameters } from '../support/workflows';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Send with recipients (and optionally texts) read from the items' fields. */
function fromFields(
	fields: Array<{ type: string; name: string }>,
	overrides: IDataObject = {},
): IDataObject {
	const parameters = sendParameters([], {
		recipientsMode: 'fields',
		recipientFields: { field: fields },
		...overrides,
	});
	delete parameters.recipients;
	return parameters;
}

const idnp = (n: number) => String(2_000_000_000_000 + n);

describe('Send "From Input Fields", through n8n\'s workflow engine over mTLS', () => {
	const fixture = useSandbox();
	const stored = (id: unknown) => fixture.sandbox.notifications().find((n) => n.id === id);

	it("sends one notification per item to the IDNP in the item's field, in order", async () => {
		const people = items(10, (index) => ({ idnp: idnp(index), name: `Person ${index}` }));
		const output = await runNode(
			fromFields([{ type: 'IDNP', name: 'idnp' }]),
			fixture.credentials,
			{
				startItems: people,
			},
		);
		expect(output).toHaveLength(10);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.id).toMatch(UUID);
			expect(item.json.recipients).toEqual([{ type: 'IDNP', value: idnp(index) }]);
			expect(stored(item.json.id)?.recipients.map(({ type, value }) => ({ type, value }))).toEqual([
				{ type: 'IDNP', value: idnp(index) },
			]);
		});
	});

	it('sends one notification to every IDNP of a list field (300 recipients)', async () => {
		const list = Array.from({ length: 300 }, (_, index) => idnp(1000 + index));
		const [output] = await runNode(
			fromFields([{ type: 'IDNP', name: 'idnps' }]),
			fixture.credentials,
			{ startItems: [{ json: { idnps: list } }] },
		);
		const notification = stored(output.json.id);
		expect(notification?.recipients.map((recipient) => recipient.value)).toEqual(list);
		expect(notification?.recipients.every((recipient) => recipient.type === 'IDNP')).toBe(true);
	});

	it('combines several fields, nested ones too, and numbers as IDNPs', async () => {
		const [output] = await runNode(
			fromFields([
				{ type: 'IDNP', name: 'idnp' },
				{ type: 'Email', name: 'contact.email' },
				{ type: 'Telephone', name: 'phones' },
			]),
			fixture.credentials,
			{
				startItems: [
					{
						json: {
							idnp: 2000000000007,
							contact: { email: 'ion.popescu@example.md' },
							phones: ['+37369123456', '+373 22 123 456'],
						},
					},
				],
			},
		);
		expect(stored(output.json.id)?.request).toMatchObject({
			recipients: [
				{ type: 'IDNP', value: '2000000000007' },
				{ type: 'Email', value: 'ion.popescu@example.md' },
				{ type: 'Telephone', value: '+37369123456' },
				{ type: 'Telephone', value: '+37322123456' },
			],
		});
	});

	it('takes the subject, body and short body from fields of each item', async () => {
		const people = items(3, (index) => ({
			idnp: idnp(index),
			title: `Aviz ${index}`,
			html: `<p>Suma: ${index * 100} lei</p>`,
			sms: `Suma: ${index * 100} lei`,
		}));
		const output = await runNode(
			fromFields([{ type: 'IDNP', name: 'idnp' }], {
				contentSource: 'fields',
				subjectField: 'title',
				bodyField: 'html',
				shortBodyField: 'sms',
			}),
			fixture.credentials,
			{ startItems: people },
		);
		output.forEach((item, index) => {
			expect(stored(item.json.id)?.request).toMatchObject({
				subject: { ro: `Aviz ${index}` },
				body: { ro: `<p>Suma: ${index * 100} lei</p>` },
				bodyShort: { ro: `Suma: ${index * 100} lei` },
			});
		});
	});

	it('evaluates no expression per item (manual mapping evaluates one per item and field)', async () => {
		const people = items(40, (index) => ({
			idnp: idnp(index),
			subject: `Aviz ${index}`,
			body: 'Text',
			shortBody: 'Text',
		}));
		const expressionsEvaluated = async (parameters: IDataObject) => {
			const spy = jest.spyOn(WorkflowExpression.prototype, 'resolveSimpleParameterValue');
			try {
				await runNode(parameters, fixture.credentials, { startItems: people });
				return spy.mock.calls.filter(([value]) => String(value).startsWith('=')).length;
			} finally {
				spy.mockRestore();
			}
		};
		const fields = await expressionsEvaluated(
			fromFields([{ type: 'IDNP', name: 'idnp' }], { contentSource: 'fields' }),
		);
		const manual = await expressionsEvaluated(
			sendParameters([{ type: 'IDNP', value: '={{ $json.idnp }}' }], {
				subject: '={{ $json.subject }}',
			}),
		);
		expect(manual).toBe(80); // 40 items × (recipient + subject): the spy sees every evaluation
		expect(fields).toBe(0);
	});

	it('stops before sending anything when an item lacks the field, naming it and the item', async () => {
		const before = fixture.sandbox.stats.notificationSendsReceived;
		const error = await runNodeExpectingError(
			fromFields([{ type: 'IDNP', name: 'idnp' }]),
			fixture.credentials,
			[{ json: { idnp: idnp(1) } }, { json: { IDNP: idnp(2) } }],
		);
		expect(error.message).toBe(
			'The item has no field "idnp" (Recipient Fields › Field 1) [item 1]',
		);
		expect(error.description).toMatch(/Give every item the field "idnp"/);
		expect(error.itemIndex).toBe(1);
		expect(fixture.sandbox.stats.notificationSendsReceived).toBe(before);
	});

	it('names the position of a bad value in a list, and an empty list', async () => {
		const badInList = await runNodeExpectingError(
			fromFields([{ type: 'IDNP', name: 'idnps' }]),
			fixture.credentials,
			[{ json: { idnps: [idnp(1), idnp(2), '200000000000'] } }],
		);
		expect(badInList.message).toMatch(
			/^Input field "idnps\[2\]" "200000000000" is not a valid IDNP: it must be exactly 13 digits \[item 0\]$/,
		);

		const emptyList = await runNodeExpectingError(
			fromFields([{ type: 'IDNP', name: 'idnps' }]),
			fixture.credentials,
			[{ json: { idnps: [] } }],
		);
		expect(emptyList.message).toMatch(/The field "idnps" holds an empty list/);

		const notText = await runNodeExpectingError(
			fromFields([{ type: 'Email', name: 'email' }]),
			fixture.credentials,
			[{ json: { email: { address: 'a@example.md' } } }],
		);
		expect(notText.message).toMatch(/The field "email" holds an object, not text/);
	});

	it('with Continue On Fail, outputs an error item for the bad item and sends the others', async () => {
		const before = fixture.sandbox.stats.notificationsAccepted;
		const output = await runNode(
			fromFields([{ type: 'IDNP', name: 'idnp' }], { contentSource: 'fields' }),
			fixture.credentials,
			{
				onError: 'continueRegularOutput',
				startItems: [
					{ json: { idnp: idnp(1), subject: 'Aviz', body: 'Text', shortBody: 'Text' } },
					{
						json: {
							idnp: idnp(2),
							subject: 'Aviz privind plata impozitului pe bunurile imobiliare',
							body: 'Text',
							shortBody: 'Text',
						},
					},
					{ json: { idnp: idnp(3), subject: 'Aviz', body: 'Text', shortBody: 'Text' } },
				],
			},
		);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.id).toMatch(UUID);
		expect(output[1].json.error).toMatch(/Subject \(Romanian\) has 53 characters.*\[item 1\]/);
		expect(output[2].json.id).toMatch(UUID);
		expect(fixture.sandbox.stats.notificationsAccepted).toBe(before + 2);
	});
});
