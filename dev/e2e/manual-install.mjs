#!/usr/bin/env node
// The README's manual install, as an administrator does it: the packed package installed with a
// plain `npm install <tarball>` (install scripts on, peer dependencies as npm treats them) into an
// empty n8n nodes folder, on the machine's Node (20 in CI), then loaded by a real n8n.
//
//   npm run build && node dev/e2e/manual-install.mjs    # n8n 2.x of the e2e cache
//   node dev/e2e/manual-install.mjs --n8n1               # n8n 1.x instead
//
// Checks: no n8n-workflow and no isolated-vm in the folder (n8n-workflow is an optional peer:
// n8n brings its own), undici there (and pg when package.json lists it), the node, the trigger and
// the credential registered in n8n, and n8n's own credential test passing against the sandbox
// (the node's undici, loaded from the nodes folder, doing mutual TLS). Prints what the install
// brought (packages, size, seconds) and `manual-install: N passed, N failed`; exits 1 on failure.
// Env: MNOTIFY_E2E_CACHE, E2E_WORK_DIR (default <repo>/.e2e).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { installedN8n } from '../real-n8n/install.mjs';
import { serverOf } from '../real-n8n/n8n.mjs';
import { packPackage } from '../real-n8n/package.mjs';
import { startSandbox } from '../real-n8n/sandbox.mjs';
import { REPO_DIR, run, workDirOf } from '../real-n8n/util.mjs';

const target = process.argv.includes('--n8n1') ? 'n8n1' : 'n8n2';
const workDir = workDirOf('manual-install');
const userFolder = path.join(workDir, 'user');
const nodesDir = path.join(userFolder, '.n8n', 'nodes');
const pkg = JSON.parse(readFileSync(path.join(REPO_DIR, 'package.json'), 'utf8'));

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
	if (ok) passed++;
	else failed++;
	console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `  (${detail})` : ''}`);
}

/** Package folders under node_modules (scoped ones counted one by one). */
function installedPackages(dir) {
	const names = [];
	const walk = (modules) => {
		if (!existsSync(modules)) return;
		for (const entry of readdirSync(modules)) {
			if (entry.startsWith('.')) continue;
			if (entry.startsWith('@')) {
				for (const scoped of readdirSync(path.join(modules, entry)))
					names.push(`${entry}/${scoped}`);
			} else {
				names.push(entry);
				walk(path.join(modules, entry, 'node_modules'));
			}
		}
	};
	walk(path.join(dir, 'node_modules'));
	return names;
}

const has = (name) => existsSync(path.join(nodesDir, 'node_modules', name, 'package.json'));

rmSync(workDir, { recursive: true, force: true });
mkdirSync(nodesDir, { recursive: true });
// What the README's command writes (what n8n writes into a new nodes folder, less the empty
// dependencies).
writeFileSync(
	path.join(nodesDir, 'package.json'),
	'{"name": "installed-nodes", "private": true}\n',
);

const tgz = await packPackage(workDir);
const started = performance.now();
// Plain npm: the machine's own settings aside (this one turns install scripts off), as a
// server's npm runs it.
await run('npm', ['install', tgz, '--no-audit', '--no-fund'], {
	cwd: nodesDir,
	env: { ...process.env, npm_config_ignore_scripts: 'false' },
	prefix: '  npm: ',
});
const seconds = (performance.now() - started) / 1000;
const packages = installedPackages(nodesDir);
const size = execFileSync('du', ['-sh', path.join(nodesDir, 'node_modules')], { encoding: 'utf8' })
	.split('\t')[0]
	.trim();
console.log(
	`npm install ${path.basename(tgz)} on Node ${process.version}: ${packages.length} packages, ${size}, ${seconds.toFixed(1)} s: ${packages.join(', ')}`,
);

check(`${pkg.name} installed`, has(pkg.name));
check('no n8n-workflow (an optional peer dependency: n8n brings its own)', !has('n8n-workflow'));
check('no isolated-vm (a native module of n8n-workflow)', !has('isolated-vm'));
for (const dependency of Object.keys(pkg.dependencies ?? {})) {
	check(`${dependency} installed (a runtime dependency)`, has(dependency));
}

// The e2e's install, not installed here: this run checks the package's install, not n8n's.
const install = await installedN8n(target, { skipInstall: true }).catch((error) => {
	check(`real n8n (${target}) in the e2e cache`, false, error.message);
});
if (install) {
	const sandbox = await startSandbox({ logDir: workDir });
	const n8n = serverOf(install, { userFolder });
	try {
		await n8n.start();
		await n8n.setupOwner();
		await n8n.login();
		const nodeTypes = (await n8n.nodeTypes()).map((type) => type.name);
		for (const file of pkg.n8n.nodes) {
			const name = `${pkg.name}.${path.basename(file, '.node.js').replace(/^./, (c) => c.toLowerCase())}`;
			check(`n8n registered ${name}`, nodeTypes.includes(name));
		}
		const credentialTypes = (await n8n.credentialTypes()).map((type) => type.name);
		check('n8n registered the mNotifyApi credential', credentialTypes.includes('mNotifyApi'));
		const test = await n8n.testCredential({
			type: 'mNotifyApi',
			data: sandbox.credentialData(),
		});
		check("n8n's credential test against the sandbox", test?.status === 'OK', test?.message);
	} catch (error) {
		check(`n8n (${target}) loads the package`, false, `${error.message}\n${n8n.logTail(30)}`);
	} finally {
		await n8n.stop();
		await sandbox.close();
	}
}

console.log(`manual-install: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
