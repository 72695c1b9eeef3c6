/**
 * Connection pools to the PostgreSQL ledger: one per credential content per n8n process, lent to
 * each execution and kept for the next ones (like the mTLS pools in transport/clientCache.ts). An
 * edited credential retires its old pool, which ends once no execution uses it; idle connections
 * close by themselves and never keep a process alive.
 */
import { createHash } from 'node:crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { Pool, type PoolConfig } from 'pg';

import { LedgerError } from './ledger';

/** n8n's `postgres` credential, as the ledger reads it. */
export interface PostgresCredential {
	host?: string;
	port?: number;
	database?: string;
	user?: string;
	password?: string;
	ssl?: string;
	allowUnauthorizedCerts?: boolean;
	sshTunnel?: boolean;
}

interface PoolEntry {
	pool: Pool;
	users: number;
	retired: boolean;
}

export interface PoolLease {
	pool: Pool;
	/** Host, port and database, for error messages (never the password). */
	where: string;
	release(): void;
}

const MAX_CACHED_POOLS = 8;
/** A run needs one connection at a time; a few cover the executions of a busy worker. */
const CONNECTIONS_PER_POOL = 4;

const pools = new Map<string, PoolEntry>();
const fingerprintByCredentialId = new Map<string, string>();

/** The settings n8n's own Postgres node derives from the credential (ssl as it reads it). */
function poolConfig(credential: PostgresCredential): PoolConfig {
	const ssl =
		credential.allowUnauthorizedCerts === true
			? { rejectUnauthorized: false }
			: !['disable', undefined, ''].includes(credential.ssl);
	return {
		host: credential.host || 'localhost',
		port: Number(credential.port) || 5432,
		database: credential.database || 'postgres',
		user: credential.user || 'postgres',
		password: credential.password ?? '',
		ssl,
		max: CONNECTIONS_PER_POOL,
		idleTimeoutMillis: 10_000,
		connectionTimeoutMillis: 10_000,
		allowExitOnIdle: true,
		application_name: 'n8n-nodes-mnotify ledger',
	};
}

export function lendPool(
	data: ICredentialDataDecryptedObject,
	credentialId: string | undefined,
): PoolLease {
	const credential = data as PostgresCredential;
	if (credential.sshTunnel === true) {
		throw new LedgerError(
			'The Postgres credential uses an SSH tunnel, which the MNotify ledger does not support',
			'Use a Postgres credential that reaches the database directly (Host and Port), e.g. the database n8n itself runs on.',
		);
	}
	const config = poolConfig(credential);
	const fingerprint = createHash('sha256').update(JSON.stringify(config)).digest('hex');
	if (credentialId) {
		const previous = fingerprintByCredentialId.get(credentialId);
		if (previous && previous !== fingerprint) retire(previous);
		fingerprintByCredentialId.set(credentialId, fingerprint);
	}
	let entry = pools.get(fingerprint);
	if (entry) {
		pools.delete(fingerprint);
	} else {
		const pool = new Pool(config);
		// A connection that dies while idle (server restart) must not crash n8n; the next query reconnects.
		pool.on('error', () => undefined);
		entry = { pool, users: 0, retired: false };
		if (pools.size >= MAX_CACHED_POOLS) retire(pools.keys().next().value as string);
	}
	pools.set(fingerprint, entry);
	entry.users++;
	const lent = entry;
	let released = false;
	return {
		pool: entry.pool,
		where: `${config.host}:${config.port}, database "${config.database}", user "${config.user}"`,
		release: () => {
			if (released) return;
			released = true;
			lent.users--;
			endIfUnused(lent);
		},
	};
}

function retire(fingerprint: string): void {
	const entry = pools.get(fingerprint);
	if (!entry) return;
	pools.delete(fingerprint);
	entry.retired = true;
	endIfUnused(entry);
}

function endIfUnused(entry: PoolEntry): void {
	if (entry.retired && entry.users === 0) void entry.pool.end().catch(() => undefined);
}

/** Ends every pool (tests, benchmarks and shutdown). */
export async function closeAllLedgerPools(): Promise<void> {
	const entries = [...pools.values()];
	pools.clear();
	fingerprintByCredentialId.clear();
	await Promise.all(entries.map(async (entry) => await entry.pool.end().catch(() => undefined)));
}
