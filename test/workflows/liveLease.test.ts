/**
 * One live Send run at a time per dedupe scope in n8n's processed-data store: a second run of the
 * same batch, in this n8n process or another, is refused before it sends anything, instead of
 * racing the first chunk by chunk. Through n8n's engine, on n8n's own store on PostgreSQL, against
 * the sandbox over mTLS. (A killed run's lease lapsing: bulk.test.ts, the run killed mid-send.)
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { nodeOutput } from '../../dev/harness/engine';
import {
	LEASE_SLOT_MS,
	RENEWAL_MARGIN_MS,
} from '../../nodes/MNotify/actions/notification/ledger/processedDataLease';
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

		// Nobody is sent to again. The refused run's two writes (its probe, then its removal) can
		// land inside a read-change-write of the live run: n8n's store has no lock, so that undoes
		// the live run's latest removals ("pending" values, the key then looks outcome unknown,
		// never free) or brings the probe's own value back. So: each key taken, one value per key,
		// at most that one probe value besides.
		const after = await send(json, batch);
		for (const item of after) expect(['alreadySent', 'outcomeUnknown']).toContain(item.reason);
		expect(notified(batch)).toEqual(Array(5).fill(1));
		const [row] = await processed.store.rows('lease-apart');
		expect(row.context).toBe('n:step-0');
		expect(row.count).toBeGreaterThanOrEqual(5);
		expect(row.count).toBeLessThanOrEqual(6);
	});

	it("n8n's store failing under a live run: once the lease cannot be renewed the run starts no more sends, and every item left fails saying why", async () => {
		const batch = people(200, 40);
		// One send a second: the run would last 40 s, longer than the lease lives unrenewed.
		const json = workflow('lease-renewal-fails', { maxSendsPerMinute: 60, concurrency: 1 }, true);
		const running = send(json, batch);
		for (const deadline = Date.now() + 45_000; notified(batch.slice(0, 1))[0] === 0;) {
			if (Date.now() > deadline) throw new Error('the first send never reached MNotify');
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		// Every call to n8n's store fails from now on, the next renewal included.
		processed.postgres.query('ALTER TABLE processed_data RENAME TO processed_data_away');
		const renewalAt = (Math.floor(Date.now() / LEASE_SLOT_MS) + 1) * LEASE_SLOT_MS;
		const output = await running.finally(() =>
			processed.postgres.query('ALTER TABLE processed_data_away RENAME TO processed_data'),
		);

		const sent = output.filter((item) => typeof item.id === 'string');
		const failed = output.filter((item) => item.error !== undefined);
		expect(sent.length + failed.length).toBe(40);
		expect(failed.length).toBeGreaterThan(0);
		for (const item of failed) {
			expect(item.error).toMatch(
				/lost its live-run lease in n8n's processed-data store: it could not renew it \((it failed|its renewal has not been written in time; n8n's store last failed with): .*"processed_data" does not exist.*\), so it starts no more sends \[item \d+\]$/,
			);
			expect(item.description).toMatch(
				/another run on this dedupe scope could start sending to the same people.*Nothing was sent for this item/,
			);
			expect(notified([{ json: item }])).toEqual([0]);
		}
		// The sent ones are the items before the failure, each with the id MNotify gave it.
		expect(output.slice(0, sent.length)).toEqual(sent);
		const ids = fixture.sandbox
			.notifications()
			.filter((n) => batch.some(({ json }) => json.idnp === n.recipients[0].value))
			.map((n) => n.id);
		expect(sent.map((item) => item.id).sort()).toEqual(ids.sort());
		// No send started once the renewal had failed, or was so late that the lease could lapse
		// (the store's failing calls queue up before the renewal).
		const stopBy = renewalAt + LEASE_SLOT_MS - RENEWAL_MARGIN_MS;
		const late = fixture.sandbox.sendArrivals().filter((a) => a.receivedAtMs > stopBy + 1000);
		expect(late).toEqual([]);
	});
});
