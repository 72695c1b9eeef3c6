/**
 * The ledger in PostgreSQL, through n8n's `postgres` credential: exact. A table of our own
 * (created on first use), one row per scope and key, the key stored as its SHA-256. A claim is
 * `INSERT … ON CONFLICT DO NOTHING`-like (it only takes back rows given back), so of two runs
 * claiming one key exactly one wins, whatever the timing; every write names the run, so a run
 * never changes a key another run holds. One statement per chunk of keys.
 */
import { randomUUID } from 'node:crypto';
import type { IExecuteFunctions } from 'n8n-workflow';
import type { Pool } from 'pg';

import {
	keyHash,
	LedgerError,
	scopeName,
	type Acceptance,
	type ClaimResult,
	type LedgerSettings,
	type SentLedger,
	type TakenState,
} from './ledger';
import { ledgerFailure, retryable } from './postgresErrors';
import { lendPool, type PoolLease } from './postgresPool';

export const POSTGRES_CREDENTIAL_TYPE = 'postgres';
export const DEFAULT_LEDGER_TABLE = 'mnotify_sent_ledger';
const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** A live run touches its open claims this often… */
const HEARTBEAT_MS = 10_000;
/** …so a claim untouched this long is a dead run's, which Re-Send Outcome Unknown may take over. */
export const CLAIM_ALIVE_SECONDS = 30;

/** The table name option, checked: it is written into SQL. */
export function ledgerTable(name: string | undefined, field = 'Options › Ledger Table'): string {
	const table = (name ?? '').trim() || DEFAULT_LEDGER_TABLE;
	if (!TABLE_NAME.test(table)) {
		throw new LedgerError(
			`${field}: "${table}" is not a valid table name`,
			'Use lower-case letters, digits and underscores only, starting with a letter or underscore (at most 63), e.g. mnotify_sent_ledger.',
		);
	}
	return table;
}

/** Tables known to exist, per pool, so a run asks only once per process. */
const readyTables = new WeakMap<Pool, Set<string>>();

export class PostgresLedger implements SentLedger {
	private readonly runId = randomUUID();

	private readonly scope: string;

	private lease: PoolLease | undefined;

	private opening: Promise<PoolLease> | undefined;

	/** Keeps this run's claims fresh, so no Re-Send takes them over while it runs. */
	private heartbeat: NodeJS.Timeout | undefined;

	/** The run holding each key `claim` found claimed, for a take-over that races nobody. */
	private readonly holders = new Map<string, string | null>();

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly settings: LedgerSettings,
		private readonly table: string,
	) {
		this.scope = scopeName(context, settings.scope);
	}

	async claim(keys: string[]): Promise<ClaimResult> {
		let claimed: ClaimResult | undefined;
		try {
			claimed = await this.claimRows(keys);
			return claimed;
		} finally {
			// A claim that failed may have landed without its answer: give back what may be this run's.
			if (!claimed) await this.release(keys).catch(() => undefined);
		}
	}

	private async claimRows(keys: string[]): Promise<ClaimResult> {
		const hashes = keys.map(keyHash);
		const result = await this.query<{
			key_hash: string;
			won: boolean;
			state: string | null;
			run_id: string | null;
		}>(
			'claim the dedupe keys',
			`WITH input AS (SELECT DISTINCT unnest($2::text[]) AS key_hash),
			claimed AS (
				INSERT INTO ${this.table} AS l (scope, key_hash, state, run_id)
				SELECT $1, key_hash, 'claimed', $3 FROM input ORDER BY key_hash
				ON CONFLICT (scope, key_hash) DO UPDATE
					SET state = 'claimed', run_id = EXCLUDED.run_id, notification_id = NULL,
						claimed_at = now(), updated_at = now()
					WHERE l.state = 'released'
				RETURNING l.key_hash)
			SELECT i.key_hash, c.key_hash IS NOT NULL AS won, l.state, l.run_id
			FROM input i
			LEFT JOIN claimed c ON c.key_hash = i.key_hash
			LEFT JOIN ${this.table} l ON l.scope = $1 AND l.key_hash = i.key_hash`,
			[this.scope, hashes, this.runId],
		);
		this.heartbeat ??= setInterval(() => void this.touch(), HEARTBEAT_MS).unref();
		const byHash = new Map(result.map((row) => [row.key_hash, row]));
		const ours = new Set<string>();
		const taken = new Map<string, TakenState>();
		for (const [index, key] of keys.entries()) {
			const row = byHash.get(hashes[index]);
			// Claimed by this run already: a repeated statement after a lost answer.
			if (row?.won || (row?.state === 'claimed' && row.run_id === this.runId)) {
				ours.add(key);
				continue;
			}
			// No row in the statement's snapshot: a concurrent run claimed it a moment ago.
			taken.set(key, row?.state === 'accepted' ? 'accepted' : 'claimed');
			this.holders.set(key, row?.state === 'claimed' ? row.run_id : null);
		}
		return { ours, taken };
	}

	/**
	 * Only claims nobody has kept fresh for CLAIM_ALIVE_SECONDS: a run that is alive (sending, or
	 * waiting for its pace) touches its claims every HEARTBEAT_MS.
	 */
	async takeOver(keys: string[]): Promise<Set<string>> {
		const candidates = keys.filter((key) => this.holders.get(key));
		if (candidates.length === 0) return new Set();
		const rows = await this.query<{ key_hash: string }>(
			'take over the outcome-unknown keys',
			`UPDATE ${this.table} AS l SET run_id = $3, claimed_at = now(), updated_at = now()
			FROM unnest($2::text[], $4::text[]) AS v(key_hash, holder)
			WHERE l.scope = $1 AND l.key_hash = v.key_hash AND l.state = 'claimed' AND l.run_id = v.holder
				AND l.updated_at < now() - make_interval(secs => $5)
			RETURNING l.key_hash`,
			[
				this.scope,
				candidates.map(keyHash),
				this.runId,
				candidates.map((key) => this.holders.get(key)),
				CLAIM_ALIVE_SECONDS,
			],
		);
		const won = new Set(rows.map((row) => row.key_hash));
		return new Set(candidates.filter((key) => won.has(keyHash(key))));
	}

	async accept(acceptances: Acceptance[]): Promise<void> {
		if (acceptances.length === 0) return;
		await this.query(
			'record the accepted sends',
			`UPDATE ${this.table} AS l SET state = 'accepted', notification_id = v.id, updated_at = now()
			FROM unnest($2::text[], $3::text[]) AS v(key_hash, id)
			WHERE l.scope = $1 AND l.key_hash = v.key_hash AND l.run_id = $4`,
			[
				this.scope,
				acceptances.map(({ key }) => keyHash(key)),
				acceptances.map(({ notificationId }) => notificationId ?? null),
				this.runId,
			],
		);
	}

	async release(keys: string[]): Promise<void> {
		if (keys.length === 0 || !this.opening) return;
		await this.query(
			'give back the unsent keys',
			`UPDATE ${this.table} SET state = 'released', updated_at = now()
			WHERE scope = $1 AND key_hash = ANY($2::text[]) AND run_id = $3 AND state = 'claimed'`,
			[this.scope, keys.map(keyHash), this.runId],
		);
	}

	async close(): Promise<void> {
		clearInterval(this.heartbeat);
		try {
			if (this.opening && this.settings.retention.kind === 'entries') {
				// Number of Keys: exactly the newest are kept (ties broken by hash), in one pass.
				await this.query(
					'apply the retention',
					`DELETE FROM ${this.table} WHERE scope = $1 AND (updated_at, key_hash) <= (
						SELECT updated_at, key_hash FROM ${this.table} WHERE scope = $1
						ORDER BY updated_at DESC, key_hash DESC OFFSET $2 LIMIT 1)`,
					[this.scope, this.settings.retention.keys],
				);
			}
		} finally {
			this.lease?.release();
		}
	}

	private async touch(): Promise<void> {
		await this.query(
			'keep the claims fresh',
			`UPDATE ${this.table} SET updated_at = now() WHERE scope = $1 AND run_id = $2 AND state = 'claimed'`,
			[this.scope, this.runId],
		).catch(() => undefined); // a missed beat only makes the claims look older
	}

	private async query<Row>(doing: string, sql: string, values: unknown[]): Promise<Row[]> {
		const lease = await this.open();
		for (let attempt = 1; ; attempt++) {
			try {
				return (await lease.pool.query(sql, values)).rows as Row[];
			} catch (error) {
				if (attempt < 3 && retryable(error)) continue;
				throw ledgerFailure(error, lease.where, doing);
			}
		}
	}

	private async open(): Promise<PoolLease> {
		this.opening ??= (async () => {
			const credential = await this.context.getCredentials(POSTGRES_CREDENTIAL_TYPE);
			const credentialId = this.context.getNode().credentials?.[POSTGRES_CREDENTIAL_TYPE]?.id;
			this.lease = lendPool(credential, credentialId ?? undefined);
			try {
				await ensureTable(this.lease.pool, this.table);
				if (this.settings.retention.kind === 'days') {
					await this.lease.pool.query(
						`DELETE FROM ${this.table} WHERE scope = $1 AND updated_at < now() - make_interval(days => $2)`,
						[this.scope, this.settings.retention.days],
					);
				}
			} catch (error) {
				throw ledgerFailure(error, this.lease.where, 'open the ledger table');
			}
			return this.lease;
		})();
		return await this.opening;
	}
}

/**
 * Creates the table on first use. Asked first, so a role that may only write the table (no CREATE
 * on the schema) works once it exists; creators wait for each other on an advisory lock.
 */
async function ensureTable(pool: Pool, table: string): Promise<void> {
	const ready = readyTables.get(pool) ?? new Set<string>();
	readyTables.set(pool, ready);
	if (ready.has(table)) return;
	const { rows } = await pool.query<{ present: boolean }>(
		'SELECT to_regclass($1) IS NOT NULL AS present',
		[table],
	);
	if (!rows[0]?.present) {
		await pool.query(`BEGIN;
			SELECT pg_advisory_xact_lock(hashtext('n8n-nodes-mnotify ledger ${table}'));
			CREATE TABLE IF NOT EXISTS ${table} (
				scope text NOT NULL,
				key_hash text NOT NULL,
				state text NOT NULL CHECK (state IN ('claimed', 'accepted', 'released')),
				run_id text NOT NULL,
				notification_id text,
				claimed_at timestamptz NOT NULL DEFAULT now(),
				updated_at timestamptz NOT NULL DEFAULT now(),
				PRIMARY KEY (scope, key_hash));
			CREATE INDEX IF NOT EXISTS ${table}_by_time ON ${table} (scope, updated_at);
			COMMIT;`);
	}
	ready.add(table);
}
