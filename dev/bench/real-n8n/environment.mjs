// What the real-n8n benchmark runs in: the n8n 2.x the e2e installs (our package installed as a
// community package, n8n's inspector open to the runner), the sandbox in this process, the raw
// undici process, and the credentials the workflows use.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { installedN8n } from '../../real-n8n/install.mjs';
import { kit } from '../../real-n8n/kit.mjs';
import { serverOf } from '../../real-n8n/n8n.mjs';
import { installPackage } from '../../real-n8n/package.mjs';
import { startSandbox } from '../../real-n8n/sandbox.mjs';
import { run, workDirOf } from '../../real-n8n/util.mjs';
import { N8nInspector } from './inspector.mjs';
import { startProbeEndpoint } from './probeEndpoint.mjs';
import { startRawClient } from './rawClient.mjs';

/** CPU time (user + system) of a process so far, from /proc. */
function processCpuMs(pid) {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
	return ticks * 10; // USER_HZ is 100 on Linux
}

/** Everything started so far is stopped by close(), also when a later step fails. */
export async function startEnvironment({ skipInstall, concurrency }) {
	const install = await installedN8n('n8n2', { skipInstall });
	const workDir = workDirOf('bench-n8n');
	rmSync(workDir, { recursive: true, force: true });
	const userFolder = path.join(workDir, 'user');
	mkdirSync(userFolder, { recursive: true });
	await installPackage({ userFolder, workDir });

	const closers = [];
	const env = {
		n8nVersion: install.version,
		nodeVersion: (await run(install.NODE_BIN, ['--version'], { quiet: true })).trim(),
		async close() {
			for (const close of closers.reverse()) await close();
		},
	};
	try {
		env.sandbox = await startSandbox({ logDir: workDir, statusStepMs: 0, logRequests: false });
		closers.push(() => env.sandbox.close());
		const inspectPort = await kit.freePort();
		env.n8n = serverOf(install, {
			userFolder,
			nodeArgs: [`--inspect=127.0.0.1:${inspectPort}`],
			env: { N8N_LOG_LEVEL: 'warn' },
		});
		closers.push(() => env.n8n.stop());
		await env.n8n.start();
		await env.n8n.setupOwner();
		await env.n8n.login();
		await env.n8n.createApiKey();
		env.n8nCpuMs = () => processCpuMs(env.n8n.proc.pid);
		env.inspector = await N8nInspector.connect(inspectPort);
		closers.push(() => env.inspector.close());
		env.endpoint = await startProbeEndpoint(env.inspector, env.n8nCpuMs);
		closers.push(() => env.endpoint.close());
		env.rawClient = await startRawClient({
			nodeBin: install.NODE_BIN,
			url: env.sandbox.url,
			client: env.sandbox.goodClient,
			connections: concurrency,
		});
		closers.push(() => env.rawClient.close());
		env.credentials = await createCredentials(env.n8n, env.sandbox);
		return env;
	} catch (error) {
		await env.close();
		throw error;
	}
}

/** The MNotify credential, and n8n's SSL Certificates credential with the same certificate. */
async function createCredentials(n8n, sandbox) {
	const { caPem, certPem, encryptedKeyPem, passphrase } = sandbox.goodClient;
	return {
		mNotifyApi: await n8n.createCredential({
			name: 'MNotify sandbox',
			type: 'mNotifyApi',
			data: sandbox.credentialData(),
		}),
		httpSslAuth: await n8n.createCredential({
			name: 'Sandbox client certificate',
			type: 'httpSslAuth',
			data: { ca: caPem, cert: certPem, key: encryptedKeyPem, passphrase },
		}),
	};
}
