// The project's MNotify sandbox (built into dist-tools/ by `npm run build`), run inside the e2e
// runner's own process so cases can issue client certificates and look at what it received.
// n8n (a separate process) reaches it over mTLS on 127.0.0.1.
import { createWriteStream } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { REPO_DIR } from './util.mjs';

const require = createRequire(import.meta.url);

export const SANDBOX_MODULES = {
	server: 'dist-tools/sandbox/server.js',
	cliFiles: 'dist-tools/sandbox/cliFiles.js',
	credentials: 'dist-tools/tools/sandboxCredentials.js',
};

/**
 * Starts a sandbox on a free port. Returns {sandbox, url, logFile, goodClient, cliExport(client),
 * credentialData(client, format), close()}.
 */
export async function startSandbox({ logDir, statusStepMs = 200 } = {}) {
	const load = (rel) => require(path.join(REPO_DIR, rel));
	const { startSandbox: start } = load(SANDBOX_MODULES.server);
	const { credentialExport } = load(SANDBOX_MODULES.cliFiles);
	const { sandboxCredentials } = load(SANDBOX_MODULES.credentials);
	const logFile = path.join(logDir, 'sandbox.log');
	const log = createWriteStream(logFile);
	const sandbox = await start({
		port: 0,
		statusStepMs,
		log: (line) => log.write(`${new Date().toISOString()} ${line}\n`),
	});
	const goodClient = sandbox.issueClientCertificate({ senderName: 'n8n e2e' });
	return {
		sandbox,
		url: sandbox.url,
		logFile,
		goodClient,
		/** What `node dist-tools/sandbox/cli.js` writes to .sandbox/credential.json for this client. */
		cliExport: (client = goodClient) => credentialExport(sandbox.url, client),
		/** mNotifyApi credential data as a user fills the dialog (tools/sandboxCredentials). */
		credentialData: (client = goodClient, format = 'pfx') =>
			sandboxCredentials(sandbox.url, client, format),
		async close() {
			await sandbox.close();
			log.end();
		},
	};
}
