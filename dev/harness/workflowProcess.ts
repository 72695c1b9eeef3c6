/**
 * Runs one workflow through the engine in a process of its own, so a test can SIGKILL it mid-run
 * as a crash or a dying queue-mode worker would. Reads a job as JSON from the file named by its
 * argument; prints `started` when the run begins and the run's result as JSON at the end.
 *
 *   node dev/dist/harness/workflowProcess.js job.json
 *   job: { workflow, credentials, startItems?, postgres: {host, port, user, database} }
 */
import { readFileSync } from 'node:fs';

import type {
	ICredentialDataDecryptedObject,
	INodeExecutionData,
	IWorkflowBase,
} from 'n8n-workflow';

import { WorkflowEngine } from './engine';
import type { PostgresServer } from './postgres';
import { useN8nProcessedDataStore } from './processedDataStore';

interface Job {
	workflow: IWorkflowBase;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	startItems?: INodeExecutionData[];
	postgres: Pick<PostgresServer, 'host' | 'port' | 'user' | 'database'>;
}

async function main(): Promise<void> {
	const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Job;
	const store = await useN8nProcessedDataStore(job.postgres);
	const engine = new WorkflowEngine();
	process.stdout.write('started\n');
	const run = await engine.run(job.workflow, {
		credentials: job.credentials,
		startItems: job.startItems,
	});
	process.stdout.write(`${JSON.stringify(run.data.resultData)}\n`);
	await engine.closeConnections();
	await store.close();
}

main().catch((error: unknown) => {
	process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
	process.exit(1);
});
