// The project's MNotify sandbox (built into dev/dist/ by `npm run build`), run inside the e2e
// runner's own process so cases can issue client certificates and look at what it received.
// n8n (a separate process) reaches it over mTLS on 127.0.0.1.
import { createWriteStream } from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';

import { REPO_DIR } from './util.mjs';

const require = createRequire(import.meta.url);

export const SANDBOX_MODULES = {
	server: 'dev/dist/sandbox/server.js',
	cliFiles: 'dev/dist/sandbox/cliFiles.js',
	credentials: 'dev/dist/harness/sandboxCredentials.js',
};

/**
 * Starts a sandbox on a free port. Returns {sandbox, url, logFile, goodClient, cliExport(client),
 * credentialData(client, format), close()}. `logRequests: false` keeps only refused handshakes in
 * the log (benchmarks: thousands of sends would be logged otherwise).
 */
export async function startSandbox({ logDir, statusStepMs = 200, logRequests = true } = {}) {
	const load = (rel) => require(path.join(REPO_DIR, rel));
	const { startSandbox: start } = load(SANDBOX_MODULES.server);
	const { credentialExport } = load(SANDBOX_MODULES.cliFiles);
	const { sandboxCredentials } = load(SANDBOX_MODULES.credentials);
	const logFile = path.join(logDir, 'sandbox.log');
	const log = createWriteStream(logFile);
	/** Every log line (one per request), to see what n8n asked the sandbox and when. */
	const requestLog = [];
	const sandbox = await start({
		port: 0,
		statusStepMs,
		log: (line) => {
			if (!logRequests && !line.startsWith('TLS handshake refused')) return;
			requestLog.push(line);
			log.write(`${new Date().toISOString()} ${line}\n`);
		},
	});
	const goodClient = sandbox.issueClientCertificate({ senderName: 'n8n e2e' });
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
		cliExport: (client = goodClient) => credentialExport(sandbox.url, client),
		/** mNotifyApi credential data as a user fills the dialog (tools/sandboxCredentials). */
		credentialData: (client = goodClient, format = 'pfx') =>
			sandboxCredentials(sandbox.url, client, format),
		/**
		 * Calls the sandbox API directly over mTLS as `client` (default: the examples' certificate),
		 * e.g. to send notifications that a trigger should notice. Returns {status, json}.
		 */
		api: (method, apiPath, body, client = goodClient) =>
			new Promise((resolve, reject) => {
				const payload = body === undefined ? undefined : JSON.stringify(body);
				const req = https.request(
					`${sandbox.url}${apiPath}`,
					{
						method,
						pfx: client.pfx,
						passphrase: client.passphrase,
						ca: client.caPem,
						headers: payload ? { 'content-type': 'application/json' } : {},
					},
					(res) => {
						let text = '';
						res.setEncoding('utf8');
						res.on('data', (d) => (text += d));
						res.on('end', () => {
							let json;
							try {
								json = JSON.parse(text);
							} catch {
								json = text;
							}
							resolve({ status: res.statusCode, json });
						});
					},
				);
				req.on('error', reject);
				req.end(payload);
			}),
		async close() {
			await sandbox.close();
			log.end();
		},
	};
}
