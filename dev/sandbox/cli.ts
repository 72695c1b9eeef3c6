/**
 * `node dev/dist/sandbox/cli.js`: runs the MNotify sandbox for manual testing with n8n.
 * MNOTIFY_SANDBOX_PORT (default 8443) and MNOTIFY_SANDBOX_STEP_MS (default 2000) configure it.
 */
import { resolve } from 'node:path';
import { credentialInstructions, writeSandboxFiles } from './cliFiles';
import { startSandbox } from './server';

function numberFromEnvironment(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 0) {
		throw new Error(`${name} must be a non-negative whole number, got "${raw}"`);
	}
	return value;
}

async function main(): Promise<void> {
	const sandbox = await startSandbox({
		port: numberFromEnvironment('MNOTIFY_SANDBOX_PORT', 8443),
		statusStepMs: numberFromEnvironment('MNOTIFY_SANDBOX_STEP_MS', 2000),
		log: (line) => console.log(`${new Date().toISOString()} ${line}`),
	});
	const client = sandbox.issueClientCertificate({ senderName: 'n8n (sandbox CLI)' });
	const files = await writeSandboxFiles(resolve('.sandbox'), sandbox.url, client);
	console.log(credentialInstructions(sandbox.url, files, process.cwd()));
	console.log('');

	let stopping = false;
	const stop = (signal: NodeJS.Signals) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal} received, stopping the MNotify sandbox.`);
		sandbox.close().then(
			() => process.exit(0),
			(error: unknown) => {
				console.error(error);
				process.exit(1);
			},
		);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
	console.error(
		`MNotify sandbox failed to start: ${error instanceof Error ? error.message : error}`,
	);
	process.exit(1);
});
