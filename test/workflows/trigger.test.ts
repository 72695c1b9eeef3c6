import type { IDataObject } from 'n8n-workflow';

import { useSandbox } from '../support/sandbox';
import { engine, runNode, sendParameters, triggerWorkflow } from '../support/workflows';

const workflow = triggerWorkflow({ statuses: ['Delivered', 'Failed'], onlyNewNotifications: true });

describe('MNotify Trigger (polling) with the sandbox clock', () => {
	const fixture = useSandbox({ statusStepMs: 1000 });

	const send = async (recipient: { type: string; value: string }, subject: string) => {
		const [sent] = await runNode(sendParameters([recipient], { subject }), fixture.credentials);
		return sent.json.id as string;
	};
	const poll = async (staticData?: IDataObject, mode?: 'manual') =>
		await engine().poll(workflow, 'MNotify Trigger', {
			credentials: { mNotifyApi: fixture.credentials },
			staticData,
			mode,
		});

	it('emits each wanted transition once, only for new notifications, across polls and restarts', async () => {
		const before = await send({ type: 'IDNP', value: '2000000000000' }, 'Before activation');
		fixture.sandbox.advanceClock(10_000);

		const activation = await poll();
		expect(activation.items).toEqual([]);

		const delivered = await send({ type: 'IDNP', value: '2000000000000' }, 'Will be delivered');
		fixture.sandbox.advanceClock(50);
		const failed = await send({ type: 'Email', value: 'fail@example.md' }, 'Will fail');
		fixture.sandbox.advanceClock(2_000);
		const inProgress = await poll(activation.staticData);
		expect(inProgress.items).toEqual([]);

		// One step later the failing one is Failed, the other only Sent.
		fixture.sandbox.advanceClock(1_000);
		const failedFirst = await poll(inProgress.staticData);
		expect(failedFirst.items.map((item) => [item.json.id, item.json.status])).toEqual([
			[failed, 'Failed'],
		]);

		// Then the other is Delivered, while the failed one is updated again but stays Failed:
		// it must not be emitted a second time.
		fixture.sandbox.advanceClock(10_000);
		const finished = await poll(failedFirst.staticData);
		expect(finished.items.map((item) => [item.json.id, item.json.status])).toEqual([
			[delivered, 'Delivered'],
		]);
		expect([...failedFirst.items, ...finished.items].map((item) => item.json.id)).not.toContain(
			before,
		);

		const again = await poll(finished.staticData);
		expect(again.items).toEqual([]);

		// A restart: only the saved static data survives (as JSON, like n8n's database).
		const savedStaticData = JSON.parse(JSON.stringify(again.staticData)) as IDataObject;
		const afterRestart = await poll(savedStaticData);
		expect(afterRestart.items).toEqual([]);
		const later = await send({ type: 'IDNP', value: '2000000000000' }, 'After restart');
		fixture.sandbox.advanceClock(10_000);
		const next = await poll(afterRestart.staticData);
		expect(next.items.map((item) => item.json.id)).toEqual([later]);
	});

	it('"Fetch Test Event" returns the latest notification in a wanted status', async () => {
		const id = await send({ type: 'IDNP', value: '2000000000000' }, 'Sample');
		fixture.sandbox.advanceClock(10_000);
		const { items } = await poll(undefined, 'manual');
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ id, status: 'Delivered' });
	});
});
