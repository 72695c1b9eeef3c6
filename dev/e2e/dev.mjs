#!/usr/bin/env node
// `npm run dev`: a local n8n to click through the node in, in one command. Builds (the npm
// script), installs the e2e's n8n 2.41.1 if the cache lacks it, starts the sandbox, installs the
// packed package into the n8n user folder as n8n installs community packages, starts n8n with an
// owner, a ready "MNotify sandbox" credential and the quick-start example workflow, and prints the
// address and login. Ctrl-C stops n8n and the sandbox. Workflows stay in the user folder
// (.e2e/dev) between runs; the sandbox makes a new CA at every start, so the credential's
// certificate is renewed in place each time.
//
//   npm run dev                 # until Ctrl-C
//   npm run dev -- --check      # start, check n8n's health and the package, run the example, stop
//
// No live reload: after an edit, Ctrl-C and `npm run dev` again (it rebuilds and reinstalls).
// Env: MNOTIFY_E2E_CACHE, E2E_WORK_DIR (default <repo>/.e2e), N8N_LOG_LEVEL.
import { mkdirSync } from 'node:fs';
import path from 'node:path';

import { installedN8n } from '../real-n8n/install.mjs';
import { bindCredentials, HttpError, OWNER, readWorkflow, serverOf } from '../real-n8n/n8n.mjs';
import { installPackage } from '../real-n8n/package.mjs';
import { startSandbox } from '../real-n8n/sandbox.mjs';
import { REPO_DIR, workDirOf } from '../real-n8n/util.mjs';

const CREDENTIAL_NAME = 'MNotify sandbox';
const EXAMPLE = 'examples/send-notification.json';
const checkOnly = process.argv.includes('--check');
const example = readWorkflow(path.join(REPO_DIR, EXAMPLE));
const workDir = workDirOf('dev');
const userFolder = path.join(workDir, 'user');

const install = await installedN8n('n8n2');
mkdirSync(workDir, { recursive: true });
await installPackage({ userFolder, workDir });

const sandbox = await startSandbox({ logDir: workDir });
const n8n = serverOf(install, { userFolder });
let stopping;
function stop() {
	stopping ??= (async () => {
		await n8n.stop();
		await sandbox.close();
	})();
	return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM'])
	process.on(signal, () => stop().then(() => process.exit(0)));

let exampleId;
try {
	await n8n.start();
	// A kept user folder already has its owner.
	await n8n.setupOwner().catch((error) => {
		if (!(error instanceof HttpError)) throw error;
	});
	await n8n.login();
	// Updated in place, so workflows made with it in earlier runs keep working.
	const credential = { name: CREDENTIAL_NAME, type: 'mNotifyApi', data: sandbox.credentialData() };
	const kept = (await n8n.rest('GET', '/credentials')).find((c) => c.name === CREDENTIAL_NAME);
	if (kept) await n8n.rest('PATCH', `/credentials/${kept.id}`, credential);
	const { id } = kept ?? (await n8n.createCredential(credential));
	// The first run also gets the quick-start example, bound to that credential.
	await n8n.createApiKey();
	const workflows = (await n8n.api('GET', '/workflows')).data ?? [];
	exampleId =
		workflows.find((workflow) => workflow.name === example.name)?.id ??
		(await n8n.createWorkflow(
			bindCredentials(example, { mNotifyApi: { id, name: CREDENTIAL_NAME } }),
		));
} catch (error) {
	console.error(`npm run dev: n8n did not come up: ${error.message}\n${n8n.logTail(30)}`);
	await stop();
	process.exit(1);
}

const health = await fetch(`${n8n.baseUrl}/healthz`);
const registered = (await n8n.nodeTypes()).filter((type) =>
	type.name.startsWith('n8n-nodes-mnotify.'),
);
console.log(`
n8n with n8n-nodes-mnotify: ${n8n.baseUrl}  (healthz ${health.status}; ${registered.map((t) => t.name).join(', ')})
  login     ${OWNER.email} / ${OWNER.password}
  sandbox   ${sandbox.url} (credential "${CREDENTIAL_NAME}" is ready; 2000000000999 and fail@example.md fail on purpose)
  workflow  "${example.name}" (${EXAMPLE}): open it and Execute
  logs      ${path.relative(REPO_DIR, n8n.logFile)}, ${path.relative(REPO_DIR, sandbox.logFile)}
${checkOnly ? '--check: stopping' : 'Ctrl-C stops n8n and the sandbox.'}`);

if (checkOnly) {
	// The example, run as the editor's button does: the package, the credential and the sandbox
	// working together.
	const execution = await n8n.runManually(exampleId).catch((error) => ({ status: error.message }));
	await stop();
	const expected = ['n8n-nodes-mnotify.mNotify', 'n8n-nodes-mnotify.mNotifyTrigger'];
	const names = registered.map((type) => type.name);
	const checks = {
		'healthz 200': health.ok,
		'node and trigger registered': expected.every((name) => names.includes(name)),
		[`"${example.name}" ran: ${execution.status}`]: execution.status === 'success',
	};
	for (const [name, ok] of Object.entries(checks)) console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}`);
	const failed = Object.values(checks).filter((ok) => !ok).length;
	console.log(`dev-check: ${Object.keys(checks).length - failed} passed, ${failed} failed`);
	process.exit(failed > 0 ? 1 : 0);
}
