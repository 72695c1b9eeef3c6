import { startPostgres, type PostgresServer } from '../../dev/harness/postgres';
import {
	useN8nProcessedDataStore,
	type ProcessedDataStore,
} from '../../dev/harness/processedDataStore';

/**
 * n8n's own processed-data store ("Skip Already Notified") on a private PostgreSQL for the test
 * file, stopped at its end. The returned object is filled in beforeAll.
 */
export function useProcessedDataStore(database: string): {
	postgres: PostgresServer;
	store: ProcessedDataStore;
} {
	const fixture = {} as { postgres: PostgresServer; store: ProcessedDataStore };
	beforeAll(async () => {
		fixture.postgres = await startPostgres({ database });
		fixture.store = await useN8nProcessedDataStore(fixture.postgres);
	}, 120_000);
	afterAll(async () => {
		await fixture.store?.close();
		await fixture.postgres?.stop();
	});
	return fixture;
}
