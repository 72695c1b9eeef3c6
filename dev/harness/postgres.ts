/**
 * A private, throwaway PostgreSQL server (Debian's `postgresql` package) on 127.0.0.1: a fresh
 * cluster in a temporary folder, trust authentication, no durability (fsync off), removed on stop.
 * n8n keeps its processed-data (dedupe) store in its database; the queue-mode e2e runs n8n on it,
 * and workflow tests give the engine n8n's own store on it.
 *
 * PostgreSQL refuses to run as root: as root the server runs as the `postgres` OS user that the
 * Debian package creates (`setpriv` starts it directly, so its pid is the server's).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
	chownSync,
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { freePort } from './freePort';

export interface PostgresServer {
	host: '127.0.0.1';
	port: number;
	user: 'postgres';
	database: string;
	/** Runs SQL with psql (in `database`, the server's own by default); returns its unaligned, tuples-only output. */
	query(sql: string, database?: string): string;
	/**
	 * PostgreSQL's "smart" shutdown (SIGTERM): new sessions are refused (SQLSTATE 57P03, "the
	 * database system is shutting down") while the open ones go on; it exits when they have ended.
	 */
	beginShutdown(): void;
	stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/** n8n's `postgres` credential (decrypted) for this server, as a user would fill it. */
export function postgresCredential(
	server: Pick<PostgresServer, 'host' | 'port' | 'database' | 'user'>,
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return {
		host: server.host,
		port: server.port,
		database: server.database,
		user: server.user,
		password: '',
		ssl: 'disable',
		...overrides,
	};
}

/** PG_BIN, or the newest /usr/lib/postgresql/<version>/bin (where Debian puts the server). */
export function findPostgresBin(): string {
	const fromEnv = process.env.PG_BIN;
	if (fromEnv) return fromEnv;
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root)
				.filter((version) => existsSync(path.join(root, version, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (versions.length === 0) {
		throw new Error(
			'PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb). Install it with `apt-get install -y postgresql`, or set PG_BIN.',
		);
	}
	return path.join(root, versions[0], 'bin');
}

/** As root, commands run as the `postgres` OS user; otherwise as the current user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
	if (process.getuid?.() !== 0) return [command, args];
	return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--clear-groups', command, ...args]];
}

function serverUserIds(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	try {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		return { uid, gid };
	} catch {
		throw new Error(
			'Running as root, but there is no `postgres` OS user to run PostgreSQL as (PostgreSQL refuses root). Install the Debian package `postgresql`, which creates it.',
		);
	}
}

export interface PostgresOptions {
	database?: string;
	log?: (line: string) => void;
	/** Roles that must log in over TCP with their password (SCRAM); every other role is trusted. */
	passwordRoles?: string[];
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
	const bin = findPostgresBin();
	const ids = serverUserIds();
	const folder = mkdtempSync(path.join(tmpdir(), 'mnotify-postgres-'));
	if (ids) chownSync(folder, ids.uid, ids.gid);
	const dataDirectory = path.join(folder, 'data');
	const run = (tool: string, args: string[]) => {
		const [command, fullArgs] = asServerUser(path.join(bin, tool), args);
		return execFileSync(command, fullArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	};

	let server: ChildProcess | undefined;
	const stop = async () => {
		if (server && server.exitCode === null && server.signalCode === null) {
			const exited = new Promise((resolve) => server?.once('exit', resolve));
			server.kill('SIGINT'); // "fast" shutdown: ends sessions, no checkpoint wait
			await Promise.race([exited, sleep(10_000)]);
			if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
		}
		rmSync(folder, { recursive: true, force: true });
	};

	try {
		run('initdb', [
			'-D',
			dataDirectory,
			'-U',
			SUPERUSER,
			'--auth=trust',
			'--encoding=UTF8',
			'--no-locale',
			'--no-sync',
		]);
		requirePasswords(dataDirectory, options.passwordRoles ?? []);
		const port = await freePort();
		const [command, args] = asServerUser(path.join(bin, 'postgres'), [
			'-D',
			dataDirectory,
			'-p',
			String(port),
			'-k',
			folder, // the Unix socket stays in our folder, not /var/run/postgresql
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=200',
		]);
		server = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		const output: string[] = [];
		const collect = (chunk: Buffer) => {
			for (const line of chunk.toString().split('\n')) {
				if (!line.trim()) continue;
				output.push(line);
				options.log?.(line);
			}
		};
		server.stdout?.on('data', collect);
		server.stderr?.on('data', collect);

		const deadline = Date.now() + 30_000;
		for (;;) {
			if (server.exitCode !== null) {
				throw new Error(`postgres exited with ${server.exitCode}:\n${output.join('\n')}`);
			}
			try {
				run('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER]);
				break;
			} catch {
				if (Date.now() > deadline)
					throw new Error(`postgres not ready after 30 s:\n${output.join('\n')}`);
				await sleep(100);
			}
		}
		const database = options.database ?? 'n8n';
		const psql = (sql: string, db = database) =>
			run('psql', [
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				SUPERUSER,
				'-d',
				db,
				'-v',
				'ON_ERROR_STOP=1',
				'-At',
				'-c',
				sql,
			]).trim();
		psql(`CREATE DATABASE "${database}"`, 'postgres');
		const beginShutdown = () => void server?.kill('SIGTERM');
		return { host: '127.0.0.1', port, user: SUPERUSER, database, query: psql, beginShutdown, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/** pg_hba.conf takes the first matching line: these roles' password lines go before initdb's trust. */
function requirePasswords(dataDirectory: string, roles: string[]): void {
	if (roles.length === 0) return;
	const file = path.join(dataDirectory, 'pg_hba.conf');
	const lines = roles.map((role) => `host all ${role} 127.0.0.1/32 scram-sha-256`);
	writeFileSync(file, `${lines.join('\n')}\n${readFileSync(file, 'utf8')}`);
}
