/**
 * Sending to thousands, through n8n's engine against the sandbox over mTLS: dedupe across runs
 * (n8n's own processed-data store on PostgreSQL, a run SIGKILLed between POST and answer), dry run,
 * Send Only To, Max Sends per Minute and 429.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { nodeOutput } from '../../dev/harness/engine';
import { sandboxCredentials } from '../../dev/harness/sandboxCredentials';
import { startPostgres, type PostgresServer } from '../../dev/harness/postgres';
import {
	useN8nProcessedDataStore,
	type ProcessedDataStore,
} from '../../dev/harness/processedDataStore';
import { useSandbox } from '../support/sandbox';
import { startWorkflowProcess } from '../support/workflowProcess';
import {
	engine,
	items,
	linearWorkflow,
	runNode,
	sendParameters,
	templateParameters,
} from '../support/workflows';

jest.setTimeout(60_000);

const people = (first: number, count: number) =>
	items(count, (index) => ({ idnp: String(2_003_000_000_000 + first + index) }));

const dedupeOptions = (extra: IDataObject = {}) => ({
	options: { dedupe: true, dedupeKey: '={{ $json.idnp }}', concurrency: 2, ...extra },
});
const perPerson = (extra: IDataObject = {}) =>
	sendParameters([{ type: 'IDNP', value: '={{ $json.idnp }}' }], dedupeOptions(extra));

describe("Send to thousands (n8n's engine, n8n's processed-data store on PostgreSQL, mTLS sandbox)", () => {
	const fixture = useSandbox({ statusStepMs: 0 });
	let postgres: PostgresServer;
	let store: ProcessedDataStore;

	beforeAll(async () => {
		postgres = await startPostgres({ database: 'bulk_test' });
		store = await useN8nProcessedDataStore(postgres);
	}, 120_000);
	afterAll(async () => {
		await store?.close();
		await postgres?.stop();
	});

	/** Runs one MNotify node in a workflow of its own id (each test its own dedupe row). */
	async function send(
		workflowId: string,
		parameters: IDataObject,
		startItems: INodeExecutionData[],
	) {
		const workflow = { ...linearWorkflow([{ name: 'MNotify', parameters }]), id: workflowId };
		const run = await engine().run(workflow, {
			credentials: { mNotifyApi: fixture.credentials },
			startItems,
		});
		return nodeOutput(run, 'MNotify').map((item) => item.json);
	}

	/** Runs `run` until n8n's store no longer refuses it for another live run (a dead one's lease). */
	async function untilLeaseLapses<T>(run: () => Promise<T>): Promise<T> {
		for (const deadline = Date.now() + 45_000; ;) {
			try {
				return await run();
			} catch (error) {
				if (!/Another run of/.test((error as Error).message) || Date.now() > deadline) throw error;
				await new Promise((resolve) => setTimeout(resolve, 1000));
			}
		}
	}

	/** How many notifications the sandbox holds for each of these recipients. */
	function ledger(recipients: INodeExecutionData[]): number[] {
		const all = fixture.sandbox.notifications().flatMap((n) => n.recipients.map((r) => r.value));
		return recipients.map(({ json }) => all.filter((value) => value === json.idnp).length);
	}

	it('makes the default dedupe key of a template send from its Mapped Automatically variables', async () => {
		const [template] = await runNode(
			templateParameters({
				subject: 'Plata {{amount}} lei',
				body: '<p>Aveți de plată {{amount}} lei.</p>',
				shortBody: 'Plata {{amount}} lei',
			}),
			fixture.credentials,
		);
		const parameters = {
			resource: 'notification',
			operation: 'send',
			recipientsMode: 'fields',
			recipientFields: { field: [{ type: 'IDNP', name: 'idnp' }] },
			contentSource: 'template',
			templateId: { __rl: true, mode: 'id', value: template.json.id },
			variablesMode: 'mapper',
			variablesMapping: {
				mappingMode: 'autoMapInputData',
				value: null,
				matchingColumns: [],
				schema: [],
			},
			options: { dedupe: true },
		};
		const idnp = String(2_003_000_000_900);
		const bill = (amount: number) => ({ json: { idnp, amount } });
		const run1 = await send('bulk-mapped', parameters, [bill(100), bill(200)]);
		expect(run1.map((json) => typeof json.id)).toEqual(['string', 'string']);
		expect(run1[0].dedupeKey).not.toBe(run1[1].dedupeKey);
		const run2 = await send('bulk-mapped', parameters, [bill(200), bill(300)]);
		expect(run2[0]).toMatchObject({ skipped: true, reason: 'alreadySent' });
		expect(typeof run2[1].id).toBe('string');
	});

	it('skips recipients an earlier run notified, once per key within a run, keys in processed_data', async () => {
		const first = people(0, 4);
		const run1 = await send('bulk-dedupe', perPerson(), [...first, first[1]]);
		expect(run1.slice(0, 4).every((json) => typeof json.id === 'string')).toBe(true);
		expect(run1[4]).toMatchObject({ skipped: true, reason: 'duplicateInThisRun' });
		expect(run1[0].dedupeKey).toBe(first[0].json.idnp);

		const second = [...first, ...people(4, 2)];
		const run2 = await send('bulk-dedupe', perPerson(), second);
		expect(run2.slice(0, 4).map((json) => json.reason)).toEqual(Array(4).fill('alreadySent'));
		expect(run2.slice(0, 4).every((json) => json.skipped === true && !json.id)).toBe(true);
		expect(run2.slice(4).every((json) => typeof json.id === 'string')).toBe(true);
		expect(ledger(second)).toEqual([1, 1, 1, 1, 1, 1]);

		// n8n keeps them in its own table, in this node's row: one "claimed" value per key (the
		// "pending" ones went when MNotify accepted the sends).
		expect(await store.rows('bulk-dedupe')).toEqual([{ context: 'n:step-0', count: 6 }]);
	});

	it('a run killed between POST and answer: its lease refuses runs until it lapses; then sent skipped, in flight "outcome unknown", re-sent only on request', async () => {
		const campaign = people(100, 4);
		// Run A sends the first two.
		await send('bulk-kill', perPerson({ concurrency: 1 }), campaign.slice(0, 2));

		// Run B (own process) skips them; MNotify stores the third but answers only after 60 s,
		// and the process is killed while it waits, as a dying worker would be.
		fixture.sandbox.injectFault({ kind: 'delay-answer', ms: 60_000 }, { method: 'POST', times: 1 });
		const workflow = {
			...linearWorkflow([{ name: 'MNotify', parameters: perPerson({ concurrency: 1 }) }]),
			id: 'bulk-kill',
		};
		const child = startWorkflowProcess({
			workflow,
			credentials: { mNotifyApi: fixture.credentials },
			startItems: campaign,
			postgres,
		});
		for (const deadline = Date.now() + 45_000; ledger([campaign[2]])[0] === 0;) {
			if (Date.now() > deadline || !child.running())
				throw new Error(`the third send never reached MNotify:\n${child.output()}`);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		child.kill();
		await child.exited;
		fixture.sandbox.clearFaults();

		// The dead run's lease on n8n's store refuses a new run until it lapses (30 s at most).
		const received = fixture.sandbox.stats.notificationSendsReceived;
		await expect(send('bulk-kill', perPerson(), campaign)).rejects.toMatchObject({
			message: expect.stringMatching(/Another run of this node is sending on this dedupe scope/),
		});
		expect(fixture.sandbox.stats.notificationSendsReceived).toBe(received);
		const probe = await untilLeaseLapses(
			async () => await send('bulk-kill', perPerson(), campaign.slice(0, 1)),
		);
		expect(probe[0]).toMatchObject({ skipped: true, reason: 'alreadySent' });

		// Run C, as an analyst re-runs the campaign.
		const run3 = await send('bulk-kill', perPerson(), campaign);
		expect(run3.map((json) => json.reason)).toEqual([
			'alreadySent',
			'alreadySent',
			'outcomeUnknown', // MNotify has it, the answer was lost with the process
			'outcomeUnknown', // claimed ahead by the killed run, never posted
		]);
		expect(run3[2]).toMatchObject({ skipped: true, outcomeUnknown: true });
		expect(String(run3[2].whatToCheck)).toMatch(/Get Many.*Re-send Outcome Unknown/);
		expect(ledger(campaign)).toEqual([1, 1, 1, 0]);

		// The analyst finds the third in MNotify, not the fourth, and re-sends only that one.
		const run4 = await send('bulk-kill', perPerson({ resendOutcomeUnknown: true }), [campaign[3]]);
		expect(typeof run4[0].id).toBe('string');
		expect(ledger(campaign)).toEqual([1, 1, 1, 1]);
		const run5 = await send('bulk-kill', perPerson(), campaign);
		expect(run5.map((json) => json.reason)).toEqual([
			'alreadySent',
			'alreadySent',
			'outcomeUnknown',
			'alreadySent',
		]);
		expect(ledger(campaign)).toEqual([1, 1, 1, 1]);
		// Only key values stay in the row: four "claimed" and the third's "pending". The killed
		// run's lease values were removed by the first run after it lapsed.
		expect(await store.rows('bulk-kill')).toEqual([{ context: 'n:step-0', count: 5 }]);
	}, 120_000);

	it('dry run: renders the template with the variables, sends nothing, marks nothing', async () => {
		const [template] = await runNode(
			{
				resource: 'template',
				operation: 'create',
				name: 'Memento plată',
				description: 'Test',
				subject: 'Plata {{amount}} lei',
				body: '<p>{{RecipientFirstName}}, aveți de plată {{amount}} lei până la {{dueDate}}.</p>',
				shortBody: 'De plată: {{amount}} lei',
			},
			fixture.credentials,
		);
		const before = fixture.sandbox.stats.notificationSendsReceived;
		const parameters = {
			...sendParameters(
				[{ type: 'IDNP', value: '={{ $json.idnp }}' }],
				dedupeOptions({ dryRun: true }),
			),
			contentSource: 'template',
			templateId: { __rl: true, mode: 'id', value: template.json.id },
			variablesMode: 'keyValue',
			variables: {
				variable: [
					{ name: 'amount', value: '={{ $json.amount }}' },
					{ name: 'dueDate', value: '2026-12-31' },
				],
			},
		};
		const input = people(200, 2).map((item, index) => ({
			json: { ...item.json, amount: 100 + index } as IDataObject,
		}));
		const output = await send('bulk-dry', parameters, input);
		expect(fixture.sandbox.stats.notificationSendsReceived).toBe(before);
		expect(output[1]).toMatchObject({
			dryRun: true,
			sent: false,
			request: { recipients: [{ type: 'IDNP', value: input[1].json.idnp }] },
			rendered: {
				subject: { ro: 'Plata 101 lei' },
				body: { ro: '<p>{{RecipientFirstName}}, aveți de plată 101 lei până la 2026-12-31.</p>' },
			},
			dedupeKey: input[1].json.idnp,
		});
		expect(await store.rows('bulk-dry')).toEqual([]);

		// A placeholder left unfilled is an error naming it, before anything could be sent.
		const missing = { ...parameters, variables: { variable: [{ name: 'amount', value: '1' }] } };
		await expect(send('bulk-dry', missing, input.slice(0, 1))).rejects.toMatchObject({
			message: expect.stringMatching(/\{\{dueDate\}\}.*\[item 0\]/),
		});
	});

	it('Send Only To replaces every recipient and marks nobody as notified', async () => {
		const input = people(300, 3);
		const output = await send(
			'bulk-test-recipient',
			perPerson({ sendOnlyTo: 'analyst@example.md', sendOnlyToType: 'Email' }),
			input,
		);
		for (const json of output) {
			expect(json.recipients).toEqual([{ type: 'Email', value: 'analyst@example.md' }]);
			expect(json.sentOnlyTo).toEqual({ type: 'Email', value: 'analyst@example.md' });
		}
		expect(ledger(input)).toEqual([0, 0, 0]);
		expect(await store.rows('bulk-test-recipient')).toEqual([]);
		// The real run afterwards sends to everyone.
		const real = await send('bulk-test-recipient', perPerson(), input);
		expect(real.every((json) => typeof json.id === 'string')).toBe(true);
	});

	it('Max Sends per Minute spaces the sends of the whole run, whatever the concurrency', async () => {
		const input = people(400, 6);
		await send('bulk-pace', perPerson({ maxSendsPerMinute: 300, concurrency: 6 }), input);
		const times = fixture.sandbox
			.notifications()
			.filter((n) => input.some(({ json }) => json.idnp === n.recipients[0].value))
			.map((n) => n.createdAt.getTime())
			.sort((a, b) => a - b);
		expect(times).toHaveLength(6);
		// 300 per minute = one every 200 ms: the six take at least a second from first to last.
		expect(times[5] - times[0]).toBeGreaterThanOrEqual(950);
	});

	it('429 with Retry-After: that item fails (key released), the rest waits and slows, nothing is re-sent', async () => {
		const input = people(500, 4);
		const received = fixture.sandbox.stats.notificationSendsReceived;
		fixture.sandbox.injectFault(
			{ kind: 'status', status: 429, retryAfterSeconds: 1 },
			{ method: 'POST', times: 1 },
		);
		const startedAt = Date.now();
		const workflow = {
			...linearWorkflow([
				{
					name: 'MNotify',
					parameters: perPerson({ concurrency: 1 }),
					onError: 'continueRegularOutput',
				},
			]),
			id: 'bulk-429',
		};
		const run = await engine().run(workflow, {
			credentials: { mNotifyApi: fixture.credentials },
			startItems: input,
		});
		const output = nodeOutput(run, 'MNotify').map((item) => item.json);
		// The three others wait for Retry-After (1 s) and go on at half the pace seen so far.
		expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1000);
		expect(output[0]).toMatchObject({ httpCode: '429' });
		expect(output.slice(1).every((json) => typeof json.id === 'string')).toBe(true);
		expect(fixture.sandbox.stats.notificationSendsReceived - received).toBe(4);
		expect(ledger(input)).toEqual([0, 1, 1, 1]);
		// Its dedupe claim was released: the next run sends it and skips the others.
		const again = await send('bulk-429', perPerson(), input);
		expect(again.map((json) => json.reason ?? 'sent')).toEqual([
			'sent',
			'alreadySent',
			'alreadySent',
			'alreadySent',
		]);
		expect(ledger(input)).toEqual([1, 1, 1, 1]);
	});
	it('a run with more keys than its retention is refused before anything is sent, naming the number to set', async () => {
		const input = people(600, 150);
		const before = fixture.sandbox.stats.notificationSendsReceived;
		const workflow = {
			...linearWorkflow([
				{
					name: 'MNotify',
					parameters: perPerson({ dedupeRetention: 'entries', dedupeRetentionKeys: 100 }),
				},
			]),
			id: 'bulk-too-big',
		};
		const run = await engine().run(workflow, {
			credentials: { mNotifyApi: fixture.credentials },
			startItems: input,
		});
		expect(run.data.resultData.error?.message).toMatch(
			/150 different dedupe keys, more than Dedupe Retention \(Keys\) \(100\).*at least 150/,
		);
		expect(fixture.sandbox.stats.notificationSendsReceived).toBe(before);
		expect(await store.rows('bulk-too-big')).toEqual([]);
	});

	it("This Workflow scope: another node's smaller retention never trims the keys the nodes share", async () => {
		const campaign = people(1000, 120);
		const shared = (extra: IDataObject = {}) =>
			perPerson({ dedupeScope: 'workflow', concurrency: 4, ...extra });
		await send('bulk-shared', shared(), campaign);
		// A second Send node of the same workflow, with a retention of 50 keys, sends to others.
		const other = {
			...linearWorkflow([
				{
					name: 'MNotify',
					parameters: shared({ dedupeRetention: 'entries', dedupeRetentionKeys: 50 }),
				},
			]),
			id: 'bulk-shared',
		};
		other.nodes[1].id = 'other-send-node';
		await engine().run(other, {
			credentials: { mNotifyApi: fixture.credentials },
			startItems: people(1200, 10),
		});
		// The first node's campaign again: nobody is notified twice.
		const again = await send('bulk-shared', shared(), campaign);
		expect(again.every((json) => json.reason === 'alreadySent')).toBe(true);
		expect(ledger(campaign)).toEqual(Array(120).fill(1));
	}, 120_000); // after the 429 case this credential's pace is still slowed for a while

	it('Stop on a paced run gives its unsent keys back at once: a re-run right after sends them, once', async () => {
		const campaign = people(1300, 6);
		const workflow = {
			...linearWorkflow([{ name: 'MNotify', parameters: perPerson({ maxSendsPerMinute: 6 }) }]),
			id: 'bulk-stop',
		};
		// A certificate of its own: a send pace no earlier test of this file has used or slowed
		// (the pace is shared per credential in the process), so the first send goes out at once.
		const ownCertificate = fixture.sandbox.issueClientCertificate();
		const execution = await engine().start(workflow, {
			credentials: { mNotifyApi: sandboxCredentials(fixture.sandbox.url, ownCertificate) },
			startItems: campaign,
		});
		for (const deadline = Date.now() + 20_000; ledger([campaign[0]])[0] === 0;) {
			if (Date.now() > deadline) throw new Error('the first send never reached MNotify');
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		execution.stop();
		// The stopped run's next pacing slot is 10 s away (so a loaded machine still stops it first);
		// its keys are free well before.
		await new Promise((resolve) => setTimeout(resolve, 1000));
		const rerun = await send('bulk-stop', perPerson({ concurrency: 6 }), campaign);
		expect(rerun.map((json) => json.reason ?? 'sent')).toEqual([
			'alreadySent',
			...Array(5).fill('sent'),
		]);
		await execution.settled;
		expect(ledger(campaign)).toEqual(Array(6).fill(1));
	});
});
