// The project's MNotify sandbox, run inside the runner's own process so a run can issue client
// certificates and look at what it received. n8n (a separate process) reaches it over mTLS on
// 127.0.0.1.
import { createWriteStream } from 'node:fs';
import path from 'node:path';

import { kit } from './kit.mjs';

/**
 * Starts a sandbox on a free port. Returns {sandbox, url, logFile, goodClient, cliExport(client),
 * credentialData(client, format), close()}. `logRequests: false` keeps only refused handshakes in
 * the log (benchmarks: thousands of sends would be logged otherwise).
 */
export async function startSandbox({ logDir, statusStepMs = 200, logRequests = true } = {}) {
	const logFile = path.join(logDir, 'sandbox.log');
	const log = createWriteStream(logFile);
	/** Every log line (one per request), to see what n8n asked the sandbox and when. */
	const requestLog = [];
	const sandbox = await kit.startSandbox({
		port: 0,
		statusStepMs,
		log: (line) => {
			if (!logRequests && !line.startsWith('TLS handshake refused')) return;
			requestLog.push(line);
			log.write(`${new Date().toISOString()} ${line}\n`);
		},
	});
	const goodClient = sandbox.issueClientCertificate({ senderName: 'n8n e2e' });
	/** One keep-alive client per certificate that called the API directly. */
	const apiClients = new Map();
	return {
		sandbox,
		url: sandbox.url,
		logFile,
		goodClient,
		requestLog,
		/** Waits for a log line matching `pattern` at or after index `from` of requestLog; returns it. */
		async waitForRequest(pattern, { from = 0, timeoutMs = 20_000 } = {}) {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const line = requestLog.slice(from).find((l) => pattern.test(l));
				if (line) return line;
				if (Date.now() > deadline)
					throw new Error(`no sandbox request matching ${pattern} within ${timeoutMs / 1000}s`);
				await new Promise((resolve) => setTimeout(resolve, 100));
			}
		},
		/** What `node dev/dist/sandbox/cli.js` writes to .sandbox/credential.json for this client. */
		cliExport: (client = goodClient) => kit.credentialExport(sandbox.url, client),
		/** mNotifyApi credential data as a user fills the dialog (dev/harness/sandboxCredentials.ts). */
		credentialData: (client = goodClient, format = 'pfx') =>
			kit.sandboxCredentials(sandbox.url, client, format),
		/**
		 * Calls the sandbox API directly over mTLS as `client` (default: the examples' certificate),
		 * e.g. to send notifications that a trigger should notice. Returns {status, json}.
		 */
		async api(method, apiPath, body, client = goodClient) {
			if (!apiClients.has(client))
				apiClients.set(client, new kit.SandboxClient(sandbox.url, client, 1));
			const { status, json } = await apiClients.get(client).request(method, apiPath, body);
			return { status, json };
		},
		async close() {
			for (const client of apiClients.values()) await client.close();
			await sandbox.close();
			log.end();
		},
	};
}
