/**
 * One live Send run at a time per dedupe scope in n8n's processed-data store: a second run of the
 * same batch, in this n8n process or another, is refused before it sends anything, instead of
 * racing the first chunk by chunk. Through n8n's engine, on n8n's own store on PostgreSQL, against
 * the sandbox over mTLS. (A killed run's lease lapsing: bulk.test.ts, the run killed mid-send.)
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { nodeOutput } from '../../dev/harness/engine';
import { useProcessedDataStore } from '../support/processedData';
import { useSandbox } from '../support/sandbox';
import { startWorkflowProcess } from '../support/workflowProcess';
import { engine, items, linearWorkflow, sendParameters } from '../support/workflows';

jest.setTimeout(90_000);

const LEASE_REFUSAL = /Another run of this node is sending on this dedupe scope/;

const people = (first: number, count: number) =>
	items(count, (index) => ({ idnp: String(2_006_000_000_000 + first + index) }));

function workflow(id: string, options: IDataObject = {}, continueOnFail = false) {
	const parameters = sendParameters([{ type: 'IDNP', value: '={{ $json.idnp }}' }], {
		options: { dedupe: true, dedupeKey: '={{ $json.idnp }}', concurrency: 2, ...options },
	});
	const onError = continueOnFail ? ('continueRegularOutput' as const) : undefined;
	return { ...linearWorkflow([{ name: 'MNotify', parameters, onError }]), id };
}

describe("A second live run on n8n's processed-data store is refused, not raced", () => {
	const fixture = useSandbox({ statusStepMs: 0 });
	const processed = useProcessedDataStore('live_lease_test');

	async function send(json: ReturnType<typeof workflow>, startItems: INodeExecutionData[]) {
		const run = await engine().run(json, {
			credentials: { mNotifyApi: fixture.credentials },
			startItems,
		});
		return nodeOutput(run, 'MNotify').map((item) => item.json);
	}

	/** How many notifications the sandbox holds for each of these recipients. */
	function notified(recipients: INodeExecutionData[]): number[] {
		const all = fixture.sandbox.notifications().flatMap((n) => n.recipients.map((r) => r.value));
		return recipients.map(({ json }) => all.filter((value) => value === json.idnp).length);
	}

	it('two runs of one batch started together: one sends to everybody, the other fails on every item, sending nothing', async () => {
		const batch = people(0, 6);
		const json = workflow('lease-together', {}, true);
		const outputs = await Promise.all([send(json, batch), send(json, batch)]);
		const refused = outputs.filter((output) =>
			output.every((item) => LEASE_REFUSAL.test(String(item.error))),
		);
		const sent = outputs.filter((output) => output.every((item) => typeof item.id === 'string'));
		expect(refused).toHaveLength(1);
		expect(sent).toHaveLength(1);
		expect(String(refused[0][0].description)).toMatch(
			/cannot take two runs at once.*Wait for the other run to finish \(or up to 30 s.*PostgreSQL/,
		);
		expect(notified(batch)).toEqual(Array(6).fill(1));
	});

	it('a run here 1 s after a run in another process started sending is refused; once that run finished, the next is not', async () => {
		const batch = people(100, 5);
		// One send a second: the run in the other process lasts about five seconds.
		const json = workflow('lease-apart', { maxSendsPerMinute: 60, concurrency: 1 });
		const other = startWorkflowProcess({
			workflow: json,
			credentials: { mNotifyApi: fixture.credentials },
			startItems: batch,
			postgres: processed.postgres,
		});
		for (const deadline = Date.now() + 45_000; notified(batch.slice(0, 1))[0] === 0;) {
			if (Date.now() > deadline || !other.running())
				throw new Error(`the other process never sent:\n${other.output()}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
		await expect(send(json, batch)).rejects.toMatchObject({
			message: expect.stringMatching(
				/Another run of this node is sending on this dedupe scope in n8n's processed-data store \(since about \d\d:\d\d:\d\d /,
			),
		});
		expect(await other.exited).toBe(0);
		expect(notified(batch)).toEqual(Array(5).fill(1));

		const after = await send(json, batch);
		expect(after.map((item) => item.reason)).toEqual(Array(5).fill('alreadySent'));
		// The lease values are gone with the runs: the row holds one value per key.
		expect(await processed.store.rows('lease-apart')).toEqual([{ context: 'n:step-0', count: 5 }]);
	});
});
