import { startSandbox } from '../../dev/sandbox/server';
import { sandboxCredentials } from '../../dev/harness/sandboxCredentials';
import { useSandbox } from '../support/sandbox';
import { runNode, runNodeExpectingError, sendParameters } from '../support/workflows';

const IDNP = '2000000000000';

describe('Notification → Get, Get Many and Cancel over mTLS', () => {
	const fixture = useSandbox({ statusStepMs: 1000 });

	async function send(overrides = {}): Promise<string> {
		const [sent] = await runNode(
			sendParameters([{ type: 'IDNP', value: IDNP }], overrides),
			fixture.credentials,
		);
		return sent.json.id as string;
	}

	it('gets the status with per-recipient, per-channel messages, passing unknown fields through', async () => {
		const id = await send();
		fixture.sandbox.advanceClock(10_000);
		const [details] = await runNode(
			{ resource: 'notification', operation: 'get', notificationId: id },
			fixture.credentials,
		);
		expect(details.json).toMatchObject({ id, status: 'Delivered', priority: 'Low' });
		const [recipient] = details.json.recipients as Array<Record<string, unknown>>;
		expect(recipient).toMatchObject({ type: 'IDNP', value: IDNP, isLegal: false });
		expect(
			(recipient.messages as Array<{ channel: string }>).map((message) => message.channel).sort(),
		).toEqual(['Email', 'MCabinet']);
	});

	it('outputs one item per message when asked, with a failed channel visible', async () => {
		const id = await send({
			recipients: {
				recipient: [
					{ type: 'IDNP', value: IDNP },
					{ type: 'Email', value: 'fail@example.md' },
				],
			},
		});
		fixture.sandbox.advanceClock(10_000);
		const rows = await runNode(
			{ resource: 'notification', operation: 'get', notificationId: id, output: 'messages' },
			fixture.credentials,
		);
		expect(
			rows.map((row) => [row.json.recipientValue, row.json.channel, row.json.messageStatus]),
		).toEqual(
			expect.arrayContaining([
				[IDNP, 'MCabinet', 'Delivered'],
				[IDNP, 'Email', 'Delivered'],
				['fail@example.md', 'Email', 'Failed'],
			]),
		);
		expect(
			rows.every(
				(row) => row.json.notificationId === id && row.json.notificationStatus === 'Failed',
			),
		).toBe(true);
		expect(rows.every((row) => (row.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it("says 404 for an unknown id and 403 for another sender's", async () => {
		const unknown = await runNodeExpectingError(
			{
				resource: 'notification',
				operation: 'get',
				notificationId: '9d87c5a4-3b6e-4f0a-9c2d-1e5f7a8b9c0d',
			},
			fixture.credentials,
		);
		expect(unknown).toMatchObject({
			httpCode: '404',
			message: expect.stringMatching(/Nothing found to get notification/),
		});

		const otherSender = sandboxCredentials(
			fixture.sandbox.url,
			fixture.sandbox.issueClientCertificate({ senderName: 'Other' }),
		);
		const id = await send();
		const forbidden = await runNodeExpectingError(
			{ resource: 'notification', operation: 'get', notificationId: id },
			otherSender,
		);
		expect(forbidden).toMatchObject({
			httpCode: '403',
			description: expect.stringMatching(/belongs to another information system/),
		});
	});

	it('cancels a pending notification, and explains 409 once it was sent', async () => {
		const pending = await send();
		const [cancelled] = await runNode(
			{ resource: 'notification', operation: 'cancel', notificationId: pending },
			fixture.credentials,
		);
		expect(cancelled.json).toEqual({ id: pending, cancelled: true });
		expect(fixture.sandbox.notifications().find((record) => record.id === pending)?.status).toBe(
			'Cancelled',
		);

		const sent = await send();
		fixture.sandbox.advanceClock(10_000);
		const conflict = await runNodeExpectingError(
			{ resource: 'notification', operation: 'cancel', notificationId: sent },
			fixture.credentials,
		);
		expect(conflict.httpCode).toBe('409');
		expect(conflict.description).toMatch(
			/already sent on to its channels .* can no longer be cancelled/,
		);
	});
});

describe('Notification → Get Many', () => {
	it('walks every page with Return All, honours Limit, order and search by id', async () => {
		const sandbox = await startSandbox({ statusStepMs: 0 });
		try {
			const credentials = sandboxCredentials(sandbox.url, sandbox.issueClientCertificate());
			const ids: string[] = [];
			for (let index = 0; index < 23; index++) {
				const [sent] = await runNode(sendParameters([{ type: 'IDNP', value: IDNP }]), credentials);
				ids.push(sent.json.id as string);
				sandbox.advanceClock(1000); // distinct creation times for ordering
			}
			const list = (extra: Record<string, unknown>) =>
				runNode({ resource: 'notification', operation: 'getMany', ...extra }, credentials);

			const all = await list({ returnAll: true, options: { itemsPerPage: 5 } });
			expect(all.map((item) => item.json.id)).toEqual([...ids].reverse());
			expect(sandbox.stats.requests).toBeGreaterThanOrEqual(23 + 5);

			const oldestFirst = await list({
				returnAll: false,
				limit: 7,
				options: { itemsPerPage: 5, descending: false },
			});
			expect(oldestFirst.map((item) => item.json.id)).toEqual(ids.slice(0, 7));

			const found = await list({ returnAll: true, options: { searchById: ids[4] } });
			expect(found.map((item) => item.json.id)).toEqual([ids[4]]);
			expect(Object.keys(found[0].json).sort()).toEqual(
				['createdAt', 'createdBy', 'id', 'lastUpdatedAt', 'lastUpdatedBy', 'status'].sort(),
			);
		} finally {
			await sandbox.close();
		}
	});
});
