import { useSandbox } from '../support/sandbox';
import {
	items,
	runNode,
	runNodeExpectingError,
	runSteps,
	sendParameters,
} from '../support/workflows';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("Notification → Send, through n8n's workflow engine over mTLS", () => {
	const fixture = useSandbox();

	it('sends to an IDNP and an e-mail and outputs the id and what was sent', async () => {
		const [output] = await runNode(
			sendParameters(
				[
					{ type: 'IDNP', value: '2000000000000' },
					{ type: 'Email', value: 'ion.popescu@example.md' },
				],
				{
					translations: {
						translation: [
							{ language: 'en', subject: 'Payment notice', body: 'Due', shortBody: 'Due' },
						],
					},
					priority: 'High',
				},
			),
			fixture.credentials,
		);
		expect(output.json.id).toMatch(UUID);
		expect(output.pairedItem).toEqual({ item: 0 });

		const stored = fixture.sandbox.notifications().find((record) => record.id === output.json.id);
		expect(stored?.request).toEqual({
			priority: 'High',
			recipients: [
				{ type: 'IDNP', value: '2000000000000' },
				{ type: 'Email', value: 'ion.popescu@example.md' },
			],
			subject: { ro: 'Aviz de plată', en: 'Payment notice' },
			body: { ro: '<p>Aveți o plată scadentă.</p>', en: 'Due' },
			bodyShort: { ro: 'Aveți o plată scadentă.', en: 'Due' },
		});
		expect(output.json).toMatchObject({
			priority: 'High',
			recipients: stored?.recipients.map(({ type, value }) => ({ type, value })),
		});
		expect(JSON.stringify(output.json)).not.toContain(fixture.credentials.passphrase);
	});

	it("maps each item's recipient from expressions, keeping order and paired items", async () => {
		const people = items(12, (index) => ({ idnp: `20000000001${String(index).padStart(2, '0')}` }));
		const output = await runNode(
			sendParameters([{ type: 'IDNP', value: '={{ $json.idnp }}' }], {
				options: { concurrency: 4 },
			}),
			fixture.credentials,
			{ startItems: people },
		);
		expect(output).toHaveLength(12);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.recipients).toEqual([{ type: 'IDNP', value: people[index].json.idnp }]);
			const stored = fixture.sandbox.notifications().find((record) => record.id === item.json.id);
			expect(stored?.recipients[0].value).toBe(people[index].json.idnp);
		});
	});

	it('stops on an invalid IDNP before anything is sent, naming the field and the item', async () => {
		const before = fixture.sandbox.stats.notificationSendsReceived;
		const error = await runNodeExpectingError(
			sendParameters([{ type: 'IDNP', value: '={{ $json.idnp }}' }]),
			fixture.credentials,
			items(3, (index) => ({ idnp: index === 2 ? '200000000000' : '2000000000000' })),
		);
		expect(error.message).toMatch(
			/Recipients › Recipient 1 › Value "200000000000" is not a valid IDNP.*\[item 2\]/,
		);
		expect(error.description).toMatch(/13 digits/);
		expect(error.itemIndex).toBe(2);
		// Validation runs for every item first: the two valid items were not sent either.
		expect(fixture.sandbox.stats.notificationSendsReceived).toBe(before);
	});

	it('with Continue On Fail, outputs an error item for the bad one and sends the others', async () => {
		const before = fixture.sandbox.stats.notificationsAccepted;
		const output = await runNode(
			sendParameters([{ type: '={{ $json.type }}', value: '={{ $json.value }}' }]),
			fixture.credentials,
			{
				onError: 'continueRegularOutput',
				startItems: [
					{ json: { type: 'Email', value: 'a@example.md' } },
					{ json: { type: 'Email', value: 'not-an-email' } },
					{ json: { type: 'Telephone', value: '+37369123456' } },
				],
			},
		);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.id).toMatch(UUID);
		expect(output[1].json.error).toMatch(/"not-an-email" is not a valid e-mail address \[item 1\]/);
		expect(output[2].json.id).toMatch(UUID);
		expect(fixture.sandbox.stats.notificationsAccepted).toBe(before + 2);
	});

	it('rejects a subject longer than 41 characters before sending', async () => {
		const error = await runNodeExpectingError(
			sendParameters([{ type: 'IDNP', value: '2000000000000' }], {
				subject: 'Aviz privind plata impozitului pe bunurile imobiliare',
			}),
			fixture.credentials,
		);
		expect(error.message).toMatch(
			/Subject \(Romanian\) has 53 characters; MNotify allows at most 41/,
		);
	});

	it("passes MNotify's 400 through with its field names, and sends nothing", async () => {
		const before = fixture.sandbox.stats.notificationsAccepted;
		// Resolve To is free text for the node (the docs disagree on its values); MNotify decides.
		const error = await runNodeExpectingError(
			sendParameters([{ type: 'IDNO', value: '1010600034203' }], {
				resolutionPolicy: { policy: { resolveTo: '={{ "Passport" }}', direction: 'Owner' } },
			}),
			fixture.credentials,
		);
		expect(error.httpCode).toBe('400');
		expect(error.message).toBe(
			'MNotify rejected the request to send the notification as invalid (400) [item 0]',
		);
		expect(error.description).toMatch(
			/ResolutionPolicy\.Type: "Passport" is not a resolution type/,
		);
		expect(fixture.sandbox.stats.notificationsAccepted).toBe(before);
	});

	it('routes failed items to the error output when the node is set to use it', async () => {
		const run = await runSteps(
			[
				{
					name: 'MNotify',
					parameters: sendParameters([{ type: 'Email', value: '={{ $json.email }}' }]),
					onError: 'continueErrorOutput',
				},
			],
			fixture.credentials,
			[{ json: { email: 'a@example.md' } }, { json: { email: 'broken' } }],
		);
		const [success, failure] = run.data.resultData.runData.MNotify[0].data!.main;
		expect(success!.map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
		expect(success![0].json.id).toMatch(UUID);
		expect(failure!.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
		expect(failure![0].json.error).toMatch(/"broken" is not a valid e-mail address \[item 1\]/);
	});

	it('waits for delivery and can output one item per recipient message', async () => {
		const rows = await runNode(
			sendParameters(
				[
					{ type: 'IDNP', value: '2000000000000' },
					{ type: 'Email', value: 'fail@example.md' },
				],
				{ options: { waitForDelivery: true, pollIntervalSeconds: 1, output: 'messages' } },
			),
			fixture.credentials,
		);
		expect(
			rows.map((row) => [row.json.recipientValue, row.json.channel, row.json.messageStatus]),
		).toEqual(
			expect.arrayContaining([
				['2000000000000', 'MCabinet', 'Delivered'],
				['2000000000000', 'Email', 'Delivered'],
				['fail@example.md', 'Email', 'Failed'],
			]),
		);
		expect(rows).toHaveLength(3);
		expect(rows.every((row) => row.json.notificationStatus === 'Failed')).toBe(true);
		expect(rows.every((row) => row.json.waitTimedOut === false)).toBe(true);
		expect(rows.map((row) => row.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
	});
});
