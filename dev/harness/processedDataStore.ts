/**
 * n8n's own processed-data (dedupe) store for the engine harness, wired the way n8n's server does
 * it (n8n's BaseCommand: `DataDeduplicationService.init(getDataDeduplicationService())`):
 *   - n8n-core's DataDeduplicationService, which `this.helpers.checkProcessedAndRecord` & co. call;
 *   - behind it n8n's DeduplicationHelper, which lives in the `n8n` package itself (packages/cli),
 *     not in n8n-core: its two files are taken from the `n8n` tarball of the same version as our
 *     n8n-core (`npm pack`, cached under node_modules/.cache/), not copied into this repository;
 *   - its ProcessedDataRepository and ProcessedData entity from @n8n/db, on a PostgreSQL database
 *     (postgres.ts), as in a queue-mode n8n. The table comes from the entity (TypeORM synchronize),
 *     without the foreign key to workflow_entity that n8n's migration adds.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded at run time: @n8n/db reads the
   database settings from process.env when first loaded, and n8n's files are fetched first. */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { PACKAGE_DIRECTORY } from './engine';
import type { PostgresServer } from './postgres';

const N8N_FILES = ['package/dist/deduplication', 'package/dist/errors/deduplication.error.js'];

/** The folder holding n8n's dist/deduplication for the version of our n8n-core. */
function n8nDeduplicationFiles(): string {
	const version = (require('n8n-core/package.json') as { version: string }).version;
	const target = path.join(PACKAGE_DIRECTORY, 'node_modules', '.cache', `n8n-${version}`);
	if (existsSync(path.join(target, 'dist', 'deduplication', 'deduplication-helper.js')))
		return target;
	const work = mkdtempSync(path.join(tmpdir(), 'n8n-pack-'));
	try {
		const tarball = execFileSync(
			'npm',
			['pack', `n8n@${version}`, '--pack-destination', work, '--silent'],
			{ cwd: work, encoding: 'utf8' },
		)
			.trim()
			.split('\n')
			.pop() as string;
		execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', work, ...N8N_FILES]);
		cpSync(path.join(work, 'package'), target, { recursive: true });
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
	if (!readdirSync(path.join(target, 'dist', 'deduplication')).includes('deduplication-helper.js'))
		throw new Error(`n8n@${version} has no dist/deduplication/deduplication-helper.js`);
	return target;
}

export interface ProcessedDataStore {
	/** The values n8n keeps for a workflow (md5 hashes), by context ('' = workflow, 'n:<node id>'). */
	rows(workflowId: string): Promise<Array<{ context: string; count: number }>>;
	close(): Promise<void>;
}

/**
 * Gives n8n-core's engine (in this process) n8n's processed-data store on the given database.
 * Call once per process, before the first workflow run that uses it.
 */
export async function useN8nProcessedDataStore(
	postgres: Pick<PostgresServer, 'host' | 'port' | 'user' | 'database'>,
): Promise<ProcessedDataStore> {
	// @n8n/db picks its column types from n8n's configuration when first loaded.
	Object.assign(process.env, {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
	});
	const helperDirectory = n8nDeduplicationFiles();
	const { Container } = require('@n8n/di') as typeof import('@n8n/di');
	const { DataSource } = require('@n8n/typeorm') as typeof import('@n8n/typeorm');
	const { ProcessedData } = require('@n8n/db') as typeof import('@n8n/db');
	const { DataDeduplicationService } = require('n8n-core') as typeof import('n8n-core');
	const { DeduplicationHelper } = require(
		path.join(helperDirectory, 'dist', 'deduplication', 'deduplication-helper.js'),
	) as { DeduplicationHelper: new () => import('n8n-workflow').IDataDeduplicator };

	// TypeORM loads its driver with import(), which jest's module sandbox only allows with
	// --experimental-vm-modules; require() gives it the same PostgreSQL driver class.
	const typeormDist = path.dirname(require.resolve('@n8n/typeorm'));
	const { DriverFactory } = require(path.join(typeormDist, 'driver/DriverFactory.js')) as {
		DriverFactory: { create: (connection: unknown) => Promise<unknown> };
	};
	const { PostgresDriver } = require(
		path.join(typeormDist, 'driver/postgres/PostgresDriver.js'),
	) as {
		PostgresDriver: new (connection: unknown) => unknown;
	};
	DriverFactory.create = async (connection) => new PostgresDriver(connection);

	const dataSource = new DataSource({
		type: 'postgres',
		host: postgres.host,
		port: postgres.port,
		username: postgres.user,
		password: '',
		database: postgres.database,
		entities: [ProcessedData],
		synchronize: true,
		logging: false,
	});
	await dataSource.initialize();
	Container.set(DataSource, dataSource);
	await DataDeduplicationService.init(new DeduplicationHelper());

	return {
		async rows(workflowId) {
			const found = (await dataSource.query(
				'SELECT context, value FROM processed_data WHERE "workflowId" = $1',
				[workflowId],
			)) as Array<{ context: string; value: string | { data?: unknown[] } }>;
			return found.map(({ context, value }) => {
				const parsed =
					typeof value === 'string' ? (JSON.parse(value) as { data?: unknown[] }) : value;
				return { context, count: parsed?.data?.length ?? 0 };
			});
		},
		close: async () => await dataSource.destroy(),
	};
}
