import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { INodeExecutionData, IWorkflowBase } from 'n8n-workflow';

import { PACKAGE_DIRECTORY } from '../../dev/harness/engine';
import type { PostgresServer } from '../../dev/harness/postgres';

export interface WorkflowProcess {
	/** What the process printed so far (stdout and stderr), for a failure message. */
	output(): string;
	/** Resolves with the exit code (null after a signal). */
	exited: Promise<number | null>;
	kill(): void;
	running(): boolean;
}

/**
 * Runs a workflow in an n8n engine process of its own (dev/harness/workflowProcess.ts), on n8n's
 * processed-data store in the given PostgreSQL, as a second worker, or one a test can SIGKILL.
 */
export function startWorkflowProcess(job: {
	workflow: IWorkflowBase;
	credentials: Record<string, Record<string, string>>;
	startItems: INodeExecutionData[];
	postgres: PostgresServer;
}): WorkflowProcess {
	const jobFile = path.join(mkdtempSync(path.join(tmpdir(), 'mnotify-process-')), 'job.json');
	const { host, port, user, database } = job.postgres;
	writeFileSync(jobFile, JSON.stringify({ ...job, postgres: { host, port, user, database } }));
	const child = spawn(
		process.execPath,
		[path.join(PACKAGE_DIRECTORY, 'dev/dist/harness/workflowProcess.js'), jobFile],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let output = '';
	child.stdout.on('data', (chunk) => (output += String(chunk)));
	child.stderr.on('data', (chunk) => (output += String(chunk)));
	const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
	return {
		output: () => output,
		exited,
		kill: () => child.kill('SIGKILL'),
		running: () => child.exitCode === null && child.signalCode === null,
	};
}
