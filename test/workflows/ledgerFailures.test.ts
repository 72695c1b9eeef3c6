/**
 * The PostgreSQL ledger failing, through n8n's engine against a private PostgreSQL and the
 * sandbox over mTLS: credential mistakes and a server that cannot take the ledger before the first
 * send (each: the error names the Postgres credential field and the item, says what to do, nothing
 * reaches MNotify, every item carries it under Continue On Fail), and the connection lost mid-run
 * (nobody notified twice, every accepted id reported). The Postgres password is in every
 * credential used and must appear in no error, output or log line.
 */
import { randomBytes } from 'node:crypto';

import type { IDataObject, INode, INodeExecutionData, IRun } from 'n8n-workflow';
import { Client } from 'pg';

import { nodeOutput } from '../../dev/harness/engine';
import { postgresCredential, startPostgres, type PostgresServer } from '../../dev/harness/postgres';
import { SecretWatch } from '../reliability/support/secrets';
import { ledgerWorkflow, newPeople } from '../support/ledger';
import { useSandbox } from '../support/sandbox';
import { engine } from '../support/workflows';

// The scan below reads what n8n's logger prints (captured, not shown), so the logger stays on.
process.env.N8N_LOG_LEVEL = 'info';

jest.setTimeout(90_000);

const TABLE = 'mnotify_sent_ledger';
/** A role that must log in with its password (the others are trusted). */
const PASSWORD_ROLE = 'ledger_login';
const password = `pg-${randomBytes(12).toString('base64url')}`;
const wrongPassword = `typo-${randomBytes(12).toString('base64url')}`;

describe('The PostgreSQL ledger failing (n8n engine, private PostgreSQL, mTLS sandbox)', () => {
	const fixture = useSandbox({ statusStepMs: 0 });
	const secrets = new SecretWatch();
	secrets.protectText('Postgres password', password);
	secrets.protectText('wrong Postgres password', wrongPassword);
	let postgres: PostgresServer;

	beforeAll(async () => {
		postgres = await startPostgres({ database: 'ledger_failures', passwordRoles: [PASSWORD_ROLE] });
		postgres.query(`CREATE ROLE ${PASSWORD_ROLE} LOGIN PASSWORD '${password}'`);
		postgres.query('CREATE ROLE ledger_reader LOGIN');
		postgres.query('CREATE ROLE ledger_writer LOGIN');
		// The ledger table, created by a first run, readable by the reader and writable by the writer.
		await send('ledger-setup', people(1));
		postgres.query(`GRANT SELECT ON ${TABLE} TO ledger_reader`);
		postgres.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${TABLE} TO ledger_writer`);
		secrets.startCapture();
	}, 120_000);
	afterAll(async () => {
		secrets.stopCapture();
		await engine().closeConnections();
		await postgres?.stop();
	});
	afterEach(() => fixture.sandbox.clearFaults());

	/** People no other test uses. */
	const people = newPeople(2_007_000_000_000);

	async function execute(
		workflowId: string,
		startItems: INodeExecutionData[],
		{ options = {}, credential = {}, onError }: Run = {},
	): Promise<IRun> {
		const run = await engine().run(ledgerWorkflow(workflowId, options, onError), {
			credentials: {
				mNotifyApi: fixture.credentials,
				postgres: postgresCredential(postgres, { password, ...credential }),
			},
			startItems,
		});
		secrets.record(`run of ${workflowId}`, run);
		return run;
	}

	async function send(workflowId: string, startItems: INodeExecutionData[], run: Run = {}) {
		const result = await execute(workflowId, startItems, run);
		const error = result.data.resultData.error;
		if (error) throw Object.assign(new Error(error.message), error);
		return nodeOutput(result, 'MNotify').map((item) => item.json);
	}

	/** How many notifications the sandbox holds for each of these people. */
	function received(recipients: INodeExecutionData[]): number[] {
		const all = fixture.sandbox.notifications().flatMap((n) => n.recipients.map((r) => r.value));
		return recipients.map(({ json }) => all.filter((value) => value === json.idnp).length);
	}

	/** The ids of the notifications the sandbox holds for these people. */
	function storedIds(recipients: INodeExecutionData[]): string[] {
		const wanted = new Set(recipients.map(({ json }) => String(json.idnp)));
		return fixture.sandbox
			.notifications()
			.filter((notification) => wanted.has(notification.recipients[0].value))
			.map((notification) => notification.id)
			.sort();
	}

	async function until(what: string, done: () => boolean, timeoutMs = 20_000) {
		for (const deadline = Date.now() + timeoutMs; !done();) {
			if (Date.now() > deadline) throw new Error(`${what}: not after ${timeoutMs} ms`);
			await new Promise((resolve) => setTimeout(resolve, 20));
		}
	}

	it.each<[string, IDataObject, IDataObject, RegExp]>([
		[
			'a wrong password',
			{ user: PASSWORD_ROLE, password: wrongPassword },
			{},
			/refused the user name or password \(Postgres credential › User, Password\)/,
		],
		[
			'a database that does not exist',
			{ database: 'no_such_db' },
			{},
			/database does not exist.*\(Postgres credential › Database\)/,
		],
		[
			'a read-only role and no ledger table yet (it may not create one)',
			{ user: 'ledger_reader' },
			{ ledgerTable: 'ledger_nobody_may_create' },
			/may not write the ledger table.*CREATE on the schema.*\(Postgres credential › User\)/,
		],
		[
			'a read-only role on the existing table',
			{ user: 'ledger_reader' },
			{},
			/may not write the ledger table.*Grant it SELECT, INSERT, UPDATE and DELETE.*\(Postgres credential › User\)/,
		],
		[
			'SSL required by the credential, a server without SSL',
			{ ssl: 'require' },
			{},
			/SSL connection to PostgreSQL failed \(Postgres credential › SSL, Ignore SSL Issues\)/,
		],
		[
			'a port nothing listens on',
			{ port: 1 },
			{},
			/cannot be reached at this address \(Postgres credential › Host, Port\)/,
		],
	])(
		'%s: the error names the field, the item and what to do; nothing is sent; with Continue On Fail every item has it; no password shown',
		async (_label, credential, options, explanation) => {
			const before = fixture.sandbox.stats.notificationSendsReceived;

			const stopped = await execute('ledger-wrong', people(3), { credential, options });
			const error = stopped.data.resultData.error;
			expect(error?.message).toMatch(/in the PostgreSQL ledger .*\[item 0\]$/);
			expect(error?.message.match(/item \d/g)).toHaveLength(1);
			expect(error?.description).toMatch(explanation);
			expect(error?.description).toMatch(/Nothing was sent for this item/);

			const batch = people(3);
			const continued = await execute('ledger-wrong', batch, {
				credential,
				options,
				onError: 'continueRegularOutput',
			});
			const output = nodeOutput(continued, 'MNotify');
			expect(output.map((item) => item.pairedItem)).toEqual(batch.map((_, item) => ({ item })));
			for (const [index, { json }] of output.entries()) {
				expect(json.idnp).toBe(batch[index].json.idnp);
				expect(json.error).toMatch(new RegExp(`PostgreSQL ledger .*\\[item ${index}\\]$`));
				expect(String(json.error).match(/item \d/g)).toHaveLength(1);
				expect(json.description).toMatch(explanation);
				expect(json.id).toBeUndefined();
			}

			expect(fixture.sandbox.stats.notificationSendsReceived).toBe(before);
			await new Promise((resolve) => setTimeout(resolve, 200)); // the logger writes a moment later
			expect(secrets.leaks()).toEqual([]);
		},
	);

	it('a server shutting down (SQLSTATE 57P03): the error says PostgreSQL takes no connections now and to wait, nothing is sent', async () => {
		const closing = await startPostgres({ database: 'ledger_closing' });
		// An open session keeps a "smart" shutdown waiting, refusing every new session meanwhile.
		const { host, port, user, database } = closing;
		const session = new Client({ host, port, user, database });
		try {
			await session.connect();
			closing.beginShutdown();
			const before = fixture.sandbox.stats.notificationSendsReceived;
			const run = await engine().run(ledgerWorkflow('ledger-closing', {}), {
				credentials: {
					mNotifyApi: fixture.credentials,
					postgres: postgresCredential(closing, { password }),
				},
				startItems: people(2),
			});
			secrets.record('run on a server shutting down', run);
			const error = run.data.resultData.error;
			expect(error?.message).toMatch(/in the PostgreSQL ledger .*\[item 0\]$/);
			expect(error?.description).toMatch(
				/PostgreSQL is starting up, shutting down or recovering and takes no connections now: wait until it is up and run again \(Postgres credential › Host\)\. PostgreSQL said: the database system is shutting down/,
			);
			expect(fixture.sandbox.stats.notificationSendsReceived).toBe(before);
		} finally {
			await session.end().catch(() => undefined);
			await closing.stop();
		}
	});

	it('connections terminated again and again mid-run: each statement is repeated on a new connection, everybody notified once, every id in the output and the ledger', async () => {
		const campaign = people(64);
		fixture.sandbox.injectFault({ kind: 'delay-answer', ms: 30 }, { method: 'POST', times: 64 });
		const running = send('ledger-terminated', campaign, { options: { concurrency: 2 } });
		let terminated = 0;
		let finished = false;
		void running.finally(() => (finished = true)).catch(() => undefined);
		while (!finished) {
			terminated += Number(
				postgres.query(
					`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'n8n-nodes-mnotify ledger'`,
				),
			);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		const output = await running;
		expect(terminated).toBeGreaterThan(2);
		expect(received(campaign)).toEqual(Array(64).fill(1));
		expect(output.map((json) => json.id).sort()).toEqual(storedIds(campaign));
		const ledgerIds = postgres
			.query(
				`SELECT notification_id FROM ${TABLE} WHERE scope = 'workflow:ledger-terminated/node:step-0' AND state = 'accepted' ORDER BY 1`,
			)
			.split('\n');
		expect(ledgerIds).toEqual(storedIds(campaign));
		const rerun = await send('ledger-terminated', campaign);
		expect(rerun.every((json) => json.reason === 'alreadySent')).toBe(true);
	});

	it('the server refusing connections from mid-run on: the unclaimed items fail unsent, every accepted id is in the output, a later run notifies nobody twice', async () => {
		const campaign = people(64);
		const user = { user: 'ledger_writer' };
		fixture.sandbox.injectFault({ kind: 'delay-answer', ms: 50 }, { method: 'POST', times: 64 });
		// Chunks of 16 keys, claimed one ahead: the third chunk is claimed after about 16 sends.
		const running = send('ledger-cut', campaign, {
			credential: user,
			options: { concurrency: 2 },
			onError: 'continueRegularOutput',
		});
		await until('five sends at MNotify', () => storedIds(campaign).length >= 5);
		postgres.query(`ALTER DATABASE ${postgres.database} ALLOW_CONNECTIONS false`, 'postgres');
		postgres.query(
			`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'n8n-nodes-mnotify ledger'`,
			'postgres',
		);
		const output = await running.finally(() =>
			postgres.query(`ALTER DATABASE ${postgres.database} ALLOW_CONNECTIONS true`, 'postgres'),
		);

		const sent = output.filter((json) => typeof json.id === 'string');
		const failed = output.filter((json) => json.error !== undefined);
		expect(sent.map((json) => json.id).sort()).toEqual(storedIds(campaign));
		expect(sent.length + failed.length).toBe(64);
		expect(failed.length).toBeGreaterThan(0);
		for (const json of failed) {
			expect(json.error).toMatch(/in the PostgreSQL ledger/);
			expect(json.description).toMatch(/Nothing was sent for this item/);
			expect(received([{ json }])).toEqual([0]);
		}

		const rerun = await send('ledger-cut', campaign, { credential: user });
		expect(received(campaign)).toEqual(Array(64).fill(1));
		for (const [index, json] of rerun.entries()) {
			const wasSent = typeof output[index].id === 'string';
			// Sent before the cut: skipped (its acceptance may not have been written: outcome unknown).
			if (wasSent) expect(['alreadySent', 'outcomeUnknown']).toContain(json.reason);
			else expect(typeof json.id).toBe('string');
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(secrets.leaks()).toEqual([]);
	});
});

interface Run {
	options?: IDataObject;
	credential?: IDataObject;
	onError?: INode['onError'];
}
