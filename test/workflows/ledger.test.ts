/**
 * The PostgreSQL sent-ledger of "Skip Already Notified", through n8n's engine against the sandbox
 * over mTLS, on a private PostgreSQL reached with n8n's `postgres` credential: runs racing on the
 * same batch, Stop, the ledger failing after the sends, Get Sent (failures before a send and a
 * connection lost mid-run: ledgerFailures.test.ts). Every count is taken at the sandbox (what
 * MNotify stored) and in the ledger table.
 */
import { createHash } from 'node:crypto';

import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { nodeOutput } from '../../dev/harness/engine';
import { sandboxCredentials } from '../../dev/harness/sandboxCredentials';
import { postgresCredential, startPostgres, type PostgresServer } from '../../dev/harness/postgres';
import { ledgerWorkflow, newPeople } from '../support/ledger';
import { useSandbox } from '../support/sandbox';
import { engine, linearWorkflow } from '../support/workflows';

jest.setTimeout(90_000);

const TABLE = 'mnotify_sent_ledger';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('The PostgreSQL sent-ledger (n8n engine, private PostgreSQL, mTLS sandbox)', () => {
	const fixture = useSandbox({ statusStepMs: 0 });
	let postgres: PostgresServer;

	beforeAll(async () => {
		postgres = await startPostgres({ database: 'ledger_test' });
	}, 120_000);
	afterAll(async () => {
		await engine().closeConnections();
		await postgres?.stop();
	});
	afterEach(() => fixture.sandbox.clearFaults());

	/** People no other test uses. */
	const people = newPeople(2_004_000_000_000);

	const ledgerCredential = (overrides: IDataObject = {}) =>
		postgresCredential(postgres, overrides as ICredentialDataDecryptedObject);

	async function send(
		workflowId: string,
		startItems: INodeExecutionData[],
		options: IDataObject = {},
		credential: IDataObject = {},
	) {
		const run = await engine().run(ledgerWorkflow(workflowId, options), {
			credentials: { mNotifyApi: fixture.credentials, postgres: ledgerCredential(credential) },
			startItems,
		});
		const error = run.data.resultData.error;
		if (error) throw Object.assign(new Error(error.message), error);
		return nodeOutput(run, 'MNotify').map((item) => item.json);
	}

	/** How many notifications the sandbox holds for each of these people. */
	function received(recipients: INodeExecutionData[]): number[] {
		const counts = new Map<string, number>();
		for (const notification of fixture.sandbox.notifications())
			for (const { value } of notification.recipients)
				counts.set(value, (counts.get(value) ?? 0) + 1);
		return recipients.map(({ json }) => counts.get(String(json.idnp)) ?? 0);
	}

	/** The ledger table, as the first run creates it (for the roles below). */
	async function ledgerTableCreated() {
		if (postgres.query(`SELECT to_regclass('${TABLE}') IS NOT NULL`) !== 't')
			await send('ledger-setup', people(1));
	}

	const rows = (where: string) =>
		postgres
			.query(
				`SELECT key_hash, state, coalesce(notification_id, '') FROM ${TABLE} WHERE ${where} ORDER BY 1`,
			)
			.split('\n')
			.filter(Boolean)
			.map((line) => line.split('|'));

	it('keeps one row per key, the key as its SHA-256, with the notification id; a re-run skips them', async () => {
		const campaign = people(5);
		const run1 = await send('ledger-basic', campaign);
		expect(run1.every((json) => typeof json.id === 'string')).toBe(true);
		const scope = "scope = 'workflow:ledger-basic/node:step-0'";
		const stored = rows(scope);
		expect(stored).toEqual(
			campaign
				.map(({ json }, index) => [sha256(String(json.idnp)), 'accepted', String(run1[index].id)])
				.sort((a, b) => a[0].localeCompare(b[0])),
		);
		// No IDNP in plain anywhere in the table.
		const everything = postgres.query(`SELECT string_agg(t::text, ' ') FROM ${TABLE} t`);
		for (const { json } of campaign) expect(everything).not.toContain(String(json.idnp));

		const more = [...campaign, ...people(2)];
		const run2 = await send('ledger-basic', more);
		expect(run2.map((json) => json.reason ?? 'sent')).toEqual([
			...Array(5).fill('alreadySent'),
			'sent',
			'sent',
		]);
		expect(received(more)).toEqual(Array(7).fill(1));
	});

	it.each([
		['at the same instant', 0],
		['10 ms apart', 10],
		['20 ms apart', 20],
		['1 s apart, the first still sending', 1000],
	])('two runs of the same batch %s: every recipient exactly once', async (_label, offsetMs) => {
		const campaign = people(240);
		// MNotify answers in 20 ms: 240 sends at concurrency 4 take more than a second.
		fixture.sandbox.injectFault({ kind: 'delay-answer', ms: 20 }, { method: 'POST', times: 1000 });
		let firstEndedAt = 0;
		// At the same instant on a table nobody created yet: both runs create it, one waits.
		const options = offsetMs === 0 ? { ledgerTable: 'ledger_created_by_racers' } : {};
		const first = send(`ledger-race-${offsetMs}`, campaign, options).finally(
			() => (firstEndedAt = Date.now()),
		);
		await new Promise((resolve) => setTimeout(resolve, offsetMs));
		const secondStartedAt = Date.now();
		const second = send(`ledger-race-${offsetMs}`, campaign, options);
		const [run1, run2] = await Promise.all([first, second]);
		expect(firstEndedAt).toBeGreaterThan(secondStartedAt + 100); // they did overlap
		expect(received(campaign)).toEqual(Array(240).fill(1));
		const sent = [...run1, ...run2].filter((json) => typeof json.id === 'string').length;
		expect(sent).toBe(240);
		// What the other run holds is skipped: sent, or still being sent (outcome unknown).
		for (const json of [...run1, ...run2].filter((output) => output.skipped))
			expect(['alreadySent', 'outcomeUnknown']).toContain(json.reason);
	});

	it('Stop gives back the unsent keys at once, and a later run sends them; the stopped run never takes back its claims', async () => {
		const campaign = people(12);
		// A certificate of its own: a send pace no earlier test of this file has used (the pace is
		// shared per credential in the process). On the file's credential the first send would wait
		// 3 s after the previous test's last one, items 0 and 1 waiting for the same turn, and the
		// turn goes to whichever timer fires first, not to item 0: then item 0 reached MNotify only
		// after item 1 (or later still), and fewer keys were left to give back at Stop.
		const ownCertificate = fixture.sandbox.issueClientCertificate();
		const execution = await engine().start(
			ledgerWorkflow('ledger-stop', { maxSendsPerMinute: 20, concurrency: 2 }),
			{
				credentials: {
					mNotifyApi: sandboxCredentials(fixture.sandbox.url, ownCertificate),
					postgres: ledgerCredential(),
				},
				startItems: campaign,
			},
		);
		for (const deadline = Date.now() + 20_000; received(campaign)[0] === 0;) {
			if (Date.now() > deadline) throw new Error('the first send never reached MNotify');
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		execution.stop();
		const stoppedAt = Date.now();
		const scope = "scope = 'workflow:ledger-stop/node:step-0'";
		// On a fresh pace the first send goes at once and the next slot is 3 s later: the other 11
		// keys (claimed up front, their sends waiting for that slot or not started) are back well
		// before that.
		for (;;) {
			const released = rows(`${scope} AND state = 'released'`).length;
			if (released === 11) break;
			if (Date.now() - stoppedAt > 1500) {
				throw new Error(
					`only ${released} of 11 keys given back 1.5 s after Stop; MNotify received ${JSON.stringify(received(campaign))}`,
				);
			}
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		// The keys given back are those MNotify never received.
		expect(received(campaign)).toEqual([1, ...Array(11).fill(0)]);
		const rerun = await send('ledger-stop', campaign, { concurrency: 4 });
		expect(rerun.map((json) => json.reason ?? 'sent')).toEqual([
			'alreadySent',
			...Array(11).fill('sent'),
		]);
		// The stopped run's waiting sends come due: they send nothing and change no key.
		await execution.settled;
		await new Promise((resolve) => setTimeout(resolve, 1500));
		expect(received(campaign)).toEqual(Array(12).fill(1));
		expect(rows(`${scope} AND state <> 'accepted'`)).toEqual([]);
	});

	it('the ledger failing after the sends: every notification id stays in the output, and a re-run sends nobody again', async () => {
		await ledgerTableCreated();
		postgres.query(
			`DO $$ BEGIN CREATE ROLE ledger_writer LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
		);
		postgres.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${TABLE} TO ledger_writer`);
		const campaign = people(6);
		fixture.sandbox.injectFault({ kind: 'delay-answer', ms: 1500 }, { method: 'POST', times: 6 });
		const running = send('ledger-broken', campaign, { concurrency: 6 }, { user: 'ledger_writer' });
		for (const deadline = Date.now() + 20_000; received(campaign).some((count) => count === 0);) {
			if (Date.now() > deadline) throw new Error('the sends never reached MNotify');
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
		// While MNotify's answers are on their way, the ledger becomes read-only for this user.
		postgres.query(`REVOKE UPDATE ON ${TABLE} FROM ledger_writer`);
		const output = await running;
		const ids = fixture.sandbox
			.notifications()
			.filter((notification) =>
				campaign.some(({ json }) => json.idnp === notification.recipients[0].value),
			)
			.map((notification) => notification.id)
			.sort();
		expect(output.map((json) => json.id).sort()).toEqual(ids);
		postgres.query(`GRANT UPDATE ON ${TABLE} TO ledger_writer`);
		const rerun = await send('ledger-broken', campaign, {}, { user: 'ledger_writer' });
		expect(rerun.map((json) => json.reason)).toEqual(Array(6).fill('outcomeUnknown'));
		expect(received(campaign)).toEqual(Array(6).fill(1));
	});

	it('a Ledger Table that is not a plain identifier is refused, naming the option, nothing sent', async () => {
		const before = fixture.sandbox.stats.notificationSendsReceived;
		const failure = await send('ledger-bad-table', people(2), {
			ledgerTable: 'x; DROP TABLE y',
		}).then(
			() => undefined,
			(error: { message: string }) => error,
		);
		expect(failure?.message).toMatch(/Options › Ledger Table: .* is not a valid table name/);
		expect(fixture.sandbox.stats.notificationSendsReceived).toBe(before);
	});

	it("Re-Send Outcome Unknown takes over a dead run's claims only while the ledger still shows them unanswered, one run at a time", async () => {
		await ledgerTableCreated();
		const campaign = people(4);
		const scope = 'workflow:ledger-resend/node:step-0';
		const hashes = campaign.map(({ json }) => sha256(String(json.idnp)));
		// A run that died a minute ago after claiming all four; the fourth was accepted after all.
		postgres.query(
			`INSERT INTO ${TABLE} (scope, key_hash, state, run_id, claimed_at, updated_at) SELECT '${scope}', h, 'claimed', 'dead-run', now() - interval '1 minute', now() - interval '1 minute' FROM unnest(ARRAY['${hashes.join("','")}']) AS h`,
		);
		postgres.query(
			`UPDATE ${TABLE} SET state = 'accepted', notification_id = 'n-4' WHERE key_hash = '${hashes[3]}'`,
		);
		const plain = await send('ledger-resend', campaign);
		expect(plain.map((json) => json.reason)).toEqual([
			...Array(3).fill('outcomeUnknown'),
			'alreadySent',
		]);
		// Two analysts re-send at the same moment: each key goes to one of them.
		const [run1, run2] = await Promise.all([
			send('ledger-resend', campaign, { resendOutcomeUnknown: true }),
			send('ledger-resend', campaign, { resendOutcomeUnknown: true }),
		]);
		expect(received(campaign)).toEqual([1, 1, 1, 0]);
		expect([...run1, ...run2].filter((json) => typeof json.id === 'string')).toHaveLength(3);
		expect(rows(`scope = '${scope}'`).map(([, state]) => state)).toEqual(Array(4).fill('accepted'));

		// A claim touched seconds ago may be a live run's (sending, or waiting for its pace): kept.
		const fresh = people(1);
		postgres.query(
			`INSERT INTO ${TABLE} (scope, key_hash, state, run_id) VALUES ('${scope}', '${sha256(String(fresh[0].json.idnp))}', 'claimed', 'live-run')`,
		);
		const notYet = await send('ledger-resend', fresh, { resendOutcomeUnknown: true });
		expect(notYet[0]).toMatchObject({ skipped: true, reason: 'outcomeUnknown' });
		expect(received(fresh)).toEqual([0]);
	});

	it('retention by number of keys keeps exactly the newest keys of the scope', async () => {
		const retention = { dedupeRetention: 'entries', dedupeRetentionKeys: 3 };
		const older = people(3);
		const newer = people(3);
		await send('ledger-retention', older, retention);
		await send('ledger-retention', newer, retention);
		const kept = rows("scope = 'workflow:ledger-retention/node:step-0'").map(([hash]) => hash);
		expect(kept).toEqual(newer.map(({ json }) => sha256(String(json.idnp))).sort());
	});

	it('Get Sent lists the key hashes, states, ids and times of a workflow, in a time window', async () => {
		const campaign = people(3);
		const startedAt = new Date(Date.now() - 1000).toISOString();
		const sent = await send('ledger-list', campaign);
		const list = async (parameters: IDataObject) => {
			const json = linearWorkflow([
				{
					name: 'MNotify',
					parameters: {
						resource: 'notification',
						operation: 'getSent',
						ledger: 'postgres',
						...parameters,
					},
				},
			]);
			json.nodes[1].credentials = {
				...json.nodes[1].credentials,
				postgres: { id: 'ledger-db', name: 'Ledger DB' },
			};
			const run = await engine().run(json, {
				credentials: { mNotifyApi: fixture.credentials, postgres: ledgerCredential() },
			});
			return nodeOutput(run, 'MNotify').map((item) => item.json);
		};
		const listed = await list({ workflowId: 'ledger-list', since: startedAt });
		expect(listed.map((json) => json.notificationId).sort()).toEqual(
			sent.map((json) => json.id).sort(),
		);
		expect(listed[0]).toMatchObject({
			scope: 'workflow:ledger-list/node:step-0',
			state: 'accepted',
			keyHash: expect.stringMatching(/^[0-9a-f]{64}$/),
			updatedAt: expect.any(String),
		});
		expect(await list({ workflowId: 'ledger-list', until: startedAt })).toEqual([]);
	});
});
