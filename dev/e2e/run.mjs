#!/usr/bin/env node
// End-to-end run: our package inside a real, headless n8n server.
//
//   npm run build && node dev/e2e/run.mjs              # n8n 2.x (Node 24 from the cache) + our package
//   node dev/e2e/run.mjs --builtin-only                 # only n8n's built-in nodes (machinery check)
//   node dev/e2e/run.mjs --n8n1                         # n8n 1.x on the machine's Node 20 instead
//   node dev/e2e/run.mjs --all                          # both, one after the other, and a joint summary
//
// Options: --skip-install (trust the cache), --only=<text> (cases whose name contains it),
//          --keep (leave n8n running at the end until Ctrl-C; prints URL + login).
// Env: MNOTIFY_E2E_CACHE (install cache, see dev/real-n8n/install-n8n.sh), E2E_WORK_DIR (default <repo>/.e2e;
//      wiped per run, kept afterwards for logs), N8N_LOG_LEVEL.
//
// Steps: install (cached) -> npm pack + install into <user folder>/.n8n/nodes -> n8n start ->
// owner, login, API key -> cases -> stop. Prints a table and `e2e (<target>): N passed, N failed`;
// exits 1 on failure.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

import { installedN8n, N8N_CACHE } from '../real-n8n/install.mjs';
import { OWNER, serverOf } from '../real-n8n/n8n.mjs';
import { installPackage } from '../real-n8n/package.mjs';
import { REPO_DIR, workDirOf } from '../real-n8n/util.mjs';
import { builtinCases } from './cases/builtin.mjs';

/**
 * @typedef {object} Context
 * @property {N8nServer} n8n
 * @property {any} sandbox     dev/real-n8n/sandbox.mjs handle (package runs only)
 * @property {string} target    'n8n2' | 'n8n1'
 * @property {string} workDir
 * @property {Record<string, any>} state  shared between cases (e.g. imported credentials)
 * @typedef {{name: string, run: (ctx: Context) => Promise<string|void>}} Case
 */

const args = process.argv.slice(2);
const flag = (f) => args.includes(f);
const opt = (name) =>
	args
		.find((a) => a.startsWith(`--${name}=`))
		?.split('=')
		.slice(1)
		.join('=');
for (const a of args) {
	if (!/^--(n8n1|all|builtin-only|skip-install|keep|only=.*)$/.test(a)) {
		console.error(
			`unknown argument ${a}\n` +
				readFileSync(new URL(import.meta.url), 'utf8')
					.split('\n')
					.slice(1, 14)
					.join('\n'),
		);
		process.exit(2);
	}
}

// --all: this script once per target (each in its own process, whatever the other's result), then
// one summary of both.
if (flag('--all')) {
	const rest = args.filter((a) => a !== '--all' && a !== '--n8n1');
	const totals = [];
	for (const t of ['n8n2', 'n8n1']) {
		const t0 = performance.now();
		const child = spawn(
			process.execPath,
			[new URL(import.meta.url).pathname, ...rest, ...(t === 'n8n1' ? ['--n8n1'] : [])],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		let last = '';
		child.stdout.on('data', (d) => {
			process.stdout.write(d);
			const lines = String(d).trim().split('\n');
			for (const l of lines) if (l.startsWith('e2e (')) last = l;
		});
		const code = await new Promise((resolve) => child.on('close', resolve));
		totals.push({
			t,
			code,
			secs: (performance.now() - t0) / 1000,
			last: last || `e2e (${t}): no summary`,
		});
	}
	console.log('\n==== e2e summary (both n8n versions)');
	for (const r of totals)
		console.log(`${r.code === 0 ? 'PASS' : 'FAIL'}  ${r.last}  (${r.secs.toFixed(0)} s)`);
	const secs = totals.reduce((s, r) => s + r.secs, 0);
	console.log(`total ${secs.toFixed(0)} s`);
	process.exit(totals.some((r) => r.code !== 0) ? 1 : 0);
}

const target = flag('--n8n1') ? 'n8n1' : 'n8n2';
const withPackage = !flag('--builtin-only');
const only = opt('only');

const workDir = workDirOf(target);
const userFolder = path.join(workDir, 'user');

// ---- step bookkeeping ------------------------------------------------------------------------
const results = [];
async function step(name, fn, { critical = false } = {}) {
	const t0 = performance.now();
	console.log(`\n=== ${name}`);
	try {
		const detail = (await fn()) ?? '';
		const secs = (performance.now() - t0) / 1000;
		results.push({ name, result: 'PASS', secs, detail: String(detail) });
		console.log(`--- PASS (${secs.toFixed(1)}s) ${detail}`);
		return true;
	} catch (e) {
		const secs = (performance.now() - t0) / 1000;
		const msg = e?.stack && !(e?.message ?? '').includes('\n') ? e.stack : String(e?.message ?? e);
		results.push({ name, result: 'FAIL', secs, detail: String(e?.message ?? e).split('\n')[0] });
		console.log(`--- FAIL (${secs.toFixed(1)}s)\n${msg}`);
		if (critical) throw new Abort();
		return false;
	}
}
class Abort extends Error {}

function summary() {
	const w = Math.max(...results.map((r) => r.name.length), 4);
	console.log(`\n${'step'.padEnd(w)}  result  seconds  detail`);
	console.log(`${'-'.repeat(w)}  ------  -------  ------`);
	for (const r of results) {
		const detail = r.detail.length > 110 ? r.detail.slice(0, 107) + '...' : r.detail;
		console.log(
			`${r.name.padEnd(w)}  ${r.result.padEnd(6)}  ${r.secs.toFixed(1).padStart(7)}  ${detail}`,
		);
	}
	const total = results.reduce((s, r) => s + r.secs, 0);
	console.log(`${'total'.padEnd(w)}          ${total.toFixed(1).padStart(7)}`);
	const passed = results.filter((r) => r.result === 'PASS').length;
	const failed = results.filter((r) => r.result === 'FAIL').length;
	console.log(`\ne2e (${target}): ${passed} passed, ${failed} failed`);
	return failed;
}

// ---- main ------------------------------------------------------------------------------------
let n8n;
let sandbox;
let ctx;
let stopping = false;
async function main() {
	console.log(
		`e2e target ${target}, package ${withPackage ? 'yes' : 'no (--builtin-only)'}, work dir ${workDir}`,
	);

	let install;
	await step(
		`install ${target} (cache ${N8N_CACHE})`,
		async () => {
			install = await installedN8n(target, { skipInstall: flag('--skip-install') });
			return `n8n ${install.version} in ${install.N8N_DIR} on ${install.NODE_BIN}`;
		},
		{ critical: true },
	);

	rmSync(workDir, { recursive: true, force: true });
	mkdirSync(userFolder, { recursive: true });

	let packageCases = [];
	if (withPackage) {
		await step(
			'npm pack + install into .n8n/nodes',
			async () => {
				const { tgz, installed } = await installPackage({ userFolder, workDir });
				return `${path.basename(tgz)} -> ${path.relative(workDir, installed)}`;
			},
			{ critical: true },
		);
		({ packageCases } = await import('./cases/package.mjs'));
		await step(
			'sandbox start (in-process, mTLS)',
			async () => {
				const { startSandbox } = await import('../real-n8n/sandbox.mjs');
				sandbox = await startSandbox({ logDir: workDir });
				return `${sandbox.url}, log ${path.relative(REPO_DIR, sandbox.logFile)}`;
			},
			{ critical: true },
		);
	}

	n8n = serverOf(install, { userFolder });
	await step(
		'n8n start (ready on /healthz/readiness)',
		async () => {
			await n8n.start();
			return `n8n ${install.version} at ${n8n.baseUrl} (broker ${n8n.brokerPort}), log ${path.relative(REPO_DIR, n8n.logFile)}`;
		},
		{ critical: true },
	);
	await step(
		'owner setup, login, API key',
		async () => {
			await n8n.setupOwner();
			await n8n.login();
			await n8n.createApiKey();
			return 'ok';
		},
		{ critical: true },
	);

	ctx = { n8n, sandbox, target, workDir, state: {} };
	const cases = [...builtinCases, ...packageCases].filter((c) => !only || c.name.includes(only));
	for (const c of cases) await step(c.name, () => c.run(ctx));

	if (flag('--keep')) {
		console.log(
			`\nn8n is running at ${n8n.baseUrl} (login ${OWNER.email} / ${OWNER.password}). Ctrl-C stops it.`,
		);
		await new Promise((resolve) => (keepResolve = resolve));
	}
}

async function shutdown() {
	if (stopping) return;
	stopping = true;
	if (n8n?.proc) {
		await step('n8n stop', async () => {
			await n8n.stop();
			return `exit ${JSON.stringify(await n8n.exited)}`;
		});
	}
	if (sandbox) await sandbox.close().catch((e) => console.error('sandbox close:', e));
	await ctx?.state.fixtures?.close(); // the examples' data server (dev/e2e/fixtures.mjs)
}

// Ctrl-C ends a --keep wait; otherwise (and on SIGTERM) n8n is stopped before exiting, whatever
// the runner was doing, so no server is left behind.
let keepResolve;
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, async () => {
		if (keepResolve && sig === 'SIGINT') return keepResolve();
		console.log(`\n${sig}: stopping`);
		await shutdown();
		summary();
		process.exit(130);
	});
}

let failedHard = false;
try {
	await main();
} catch (e) {
	if (!(e instanceof Abort)) {
		console.error(e);
		results.push({ name: 'runner', result: 'FAIL', secs: 0, detail: String(e?.message ?? e) });
	}
	failedHard = true;
	if (n8n?.proc) console.log(`\nn8n log tail (${n8n.logFile}):\n${n8n.logTail(60)}`);
} finally {
	await shutdown();
}
const failed = summary();
process.exit(failed || failedHard ? 1 : 0);
