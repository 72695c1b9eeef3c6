/**
 * The quick-start demo: starts the local MNotify sandbox (real HTTPS, client certificates
 * required), issues a client certificate, and runs examples/send-notification.json through
 * n8n's execution engine with the MNotify node over mutual TLS. Exits 0 when the notification
 * was delivered.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { IWorkflowBase } from 'n8n-workflow';

import { startSandbox } from './sandbox/server';
import { nodeOutput, PACKAGE_DIRECTORY, WorkflowEngine } from './harness/engine';
import { sandboxCredentials } from './harness/sandboxCredentials';

async function main(): Promise<void> {
	const sandbox = await startSandbox({ statusStepMs: 250 });
	const certificate = sandbox.issueClientCertificate({ senderName: 'Demo information system' });
	console.log(`MNotify sandbox listening at ${sandbox.url} (client certificates required)`);
	console.log(`Client certificate serial ${certificate.serialNumber}, registered with the sandbox`);

	const engine = new WorkflowEngine(PACKAGE_DIRECTORY);
	try {
		const workflow = JSON.parse(
			readFileSync(path.join(PACKAGE_DIRECTORY, 'examples', 'send-notification.json'), 'utf8'),
		) as IWorkflowBase;
		const run = await engine.run(workflow, {
			credentials: { mNotifyApi: sandboxCredentials(sandbox.url, certificate) },
		});
		if (run.data.resultData.error) throw run.data.resultData.error;

		const [sent] = nodeOutput(run, 'Send Notification');
		const messages = nodeOutput(run, 'Read Back Status');
		const stored = sandbox.notifications().find((record) => record.id === sent.json.id);
		console.log(`\nNotification id: ${String(sent.json.id)}`);
		console.log(
			`Status after waiting: ${String(sent.json.status)} (${String(sent.json.waitedSeconds)} s)`,
		);
		for (const { json } of messages) {
			console.log(
				`  ${String(json.recipientType)} ${String(json.recipientValue)} via ${String(json.channel)}: ${String(json.messageStatus)}`,
			);
		}
		console.log(`Final status read back from the sandbox: ${stored?.status ?? 'not found'}`);
		console.log(`TLS handshakes seen by the sandbox: ${sandbox.stats.tlsHandshakes}`);
		if (stored?.status !== 'Delivered') process.exitCode = 1;
	} finally {
		await sandbox.close();
		await engine.closeConnections();
	}
}

main().catch((error: unknown) => {
	console.error(
		error instanceof Error
			? `${error.message}\n${(error as { description?: string }).description ?? ''}`
			: error,
	);
	process.exitCode = 1;
});
