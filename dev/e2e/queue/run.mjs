#!/usr/bin/env node
// Bulk sending in n8n's queue mode, end to end (`npm run e2e:queue`, after `npm run build`).
//
// n8n 2.41.1 (the cached install of dev/e2e/install-n8n.sh) as a main and TWO workers (`n8n worker`),
// with Redis and PostgreSQL (Debian packages, private instances on 127.0.0.1), the packed package
// installed in every process's user folder, the sandbox as MNotify. Then, as a campaign would:
//   1. 10,000 reminders over 25 executions of a webhook-triggered workflow (Webhook → Split Out →
//      MNotify Send with a Dedupe Key); one worker is SIGKILLed while sends are in flight.
//   2. The killed worker comes back (as an orchestrator restarts it) and the analyst runs the whole
//      campaign again: the dedupe keys in n8n's database decide, on whichever worker, what was sent.
//   3. The analyst looks up the items reported "outcome unknown" in MNotify (here: the sandbox's
//      ledger) and re-sends those that never arrived, with "Re-send Outcome Unknown" on.
// Prints and checks: notifications per recipient in the sandbox (each exactly once; outcome
// unknown never means twice), executions per worker (both worked), TLS handshakes ≤ workers ×
// pool size, keys recorded by one worker and honoured by the other, wall time.
// The last line is `e2e:queue: N passed, N failed`; exit code 1 on any failure.
//
// Options: --skip-install (trust the cache), --keep-logs (print where the logs are; they are kept
// in E2E_WORK_DIR, default <repo>/.e2e/queue, in any case).
// Env: MNOTIFY_E2E_CACHE (see install-n8n.sh), E2E_WORK_DIR, PG_BIN, REDIS_SERVER, N8N_LOG_LEVEL,
//      QUEUE_E2E_RECIPIENTS (10000), QUEUE_E2E_EXECUTIONS (25).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { bindCredentials, N8nServer } from '../lib/n8n.mjs';
import { installPackage, packPackage } from '../lib/package.mjs';
import { startRedis } from '../lib/redis.mjs';
import { startSandbox } from '../lib/sandbox.mjs';
import { E2E_DIR, REPO_DIR, readEnvFile, run } from '../lib/util.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
for (const a of args) {
	if (!['--skip-install'].includes(a)) {
		console.error(`unknown argument ${a}`);
		process.exit(2);
	}
}

const RECIPIENTS = Number(process.env.QUEUE_E2E_RECIPIENTS ?? 10_000);
const EXECUTIONS = Number(process.env.QUEUE_E2E_EXECUTIONS ?? 25);
const WORKER_CONCURRENCY = 10; // n8n's default for `n8n worker`
/** Kill a worker once this share of the sends has reached the sandbox. */
const KILL_AFTER_SHARE = 0.3;
const CACHE =
	process.env.MNOTIFY_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-mnotify-e2e');
const workDir = path.resolve(process.env.E2E_WORK_DIR || path.join(REPO_DIR, '.e2e'), 'queue');
const { POOL_CONNECTIONS } = require(
	path.join(REPO_DIR, 'dist/nodes/MNotify/transport/client.js'),
);

// ---- bookkeeping -------------------------------------------------------------------------------
const t0 = performance.now();
const seconds = (since = t0) => ((performance.now() - since) / 1000).toFixed(1);
const checks = [];
function check(name, ok, detail) {
	checks.push({ name, ok: Boolean(ok), detail });
	console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `: ${detail}` : ''}`);
}
function section(title) {
	console.log(`\n=== ${title} (${seconds()} s)`);
}

/** The campaign: RECIPIENTS citizens in EXECUTIONS batches. */
const idnpOf = (index) => String(2_001_000_000_000 + index);
const batches = Array.from({ length: EXECUTIONS }, (_, batch) => {
	const size = Math.ceil(RECIPIENTS / EXECUTIONS);
	const people = [];
	for (let i = batch * size; i < Math.min(RECIPIENTS, (batch + 1) * size); i++)
		people.push({ idnp: idnpOf(i) });
	return { batch, people };
});

// ---- the n8n processes -------------------------------------------------------------------------
const services = { postgres: undefined, redis: undefined, sandbox: undefined };
const n8n = { main: undefined, workers: [] };

function queueEnv({ postgres, redis }) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		// A dead worker's jobs are noticed in seconds, not minutes (n8n never retries them).
		QUEUE_WORKER_LOCK_DURATION: '10000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
		QUEUE_WORKER_STALLED_INTERVAL: '5000',
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: postgres.host,
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL || 'info',
	};
}

function worker(name, install, env) {
	return new N8nServer({
		n8nDir: install.N8N_DIR,
		nodeBin: install.NODE_BIN,
		userFolder: path.join(workDir, name),
		command: ['worker', `--concurrency=${WORKER_CONCURRENCY}`],
		logName: `${name}.log`,
		env,
	});
}

/** Execution ids a worker's log says it started and finished. */
function workerExecutions(server) {
	const log = existsSync(server.logFile) ? readFileSync(server.logFile, 'utf8') : '';
	const ids = (re) => new Set([...log.matchAll(re)].map((m) => m[1]));
	return {
		started: ids(/Worker started execution (\d+)/g),
		finished: ids(/Worker finished execution (\d+)/g),
	};
}

async function stopAll() {
	for (const server of [...n8n.workers, n8n.main].filter(Boolean)) {
		await server.stop().catch((e) => console.error(`stop ${server.logFile}: ${e.message}`));
	}
	await services.sandbox?.close().catch((e) => console.error(`sandbox: ${e.message}`));
	await services.redis?.stop().catch((e) => console.error(`redis: ${e.message}`));
	await services.postgres?.stop().catch((e) => console.error(`postgres: ${e.message}`));
}

for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, async () => {
		console.log(`\n${sig}: stopping n8n, Redis, PostgreSQL`);
		await stopAll();
		process.exit(130);
	});
}

// ---- the campaign ------------------------------------------------------------------------------

/** POSTs one batch to the workflow's webhook; resolves with the Send node's items or an error. */
async function fireBatch(main, body, { signal } = {}) {
	try {
		const res = await fetch(`${main.baseUrl}/webhook/bulk-send`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			signal,
		});
		const text = await res.text();
		if (!res.ok) return { batch: body.batch, error: `HTTP ${res.status}: ${text.slice(0, 200)}` };
		return { batch: body.batch, items: JSON.parse(text) };
	} catch (error) {
		return { batch: body.batch, error: String(error?.message ?? error) };
	}
}

function ledgerCounts(sandbox) {
	const counts = new Map();
	for (const record of sandbox.sandbox.notifications())
		for (const r of record.recipients) counts.set(r.value, (counts.get(r.value) ?? 0) + 1);
	return counts;
}

async function main() {
	console.log(
		`e2e:queue: ${RECIPIENTS} recipients over ${EXECUTIONS} executions, 1 main + 2 workers, work dir ${workDir}`,
	);
	section('install n8n (cached)');
	if (!args.includes('--skip-install'))
		await run('bash', [path.join(E2E_DIR, 'install-n8n.sh'), '--n8n2'], { prefix: '  ' });
	const install = readEnvFile(path.join(CACHE, 'n8n2.env'));

	rmSync(workDir, { recursive: true, force: true });
	mkdirSync(workDir, { recursive: true });

	section('PostgreSQL, Redis, sandbox');
	const { startPostgres } = require(path.join(REPO_DIR, 'dev/dist/harness/postgres.js'));
	services.postgres = await startPostgres({ database: 'n8n' });
	services.redis = await startRedis();
	// Statuses frozen at Pending: this run counts sends, it does not wait for delivery.
	services.sandbox = await startSandbox({ logDir: workDir, statusStepMs: 0 });
	const { sandbox } = services;
	console.log(
		`postgres 127.0.0.1:${services.postgres.port}, redis 127.0.0.1:${services.redis.port}, sandbox ${sandbox.url}`,
	);

	section('pack once, install into the user folder of every n8n process');
	const tgz = await packPackage(workDir);
	for (const name of ['main', 'worker-1', 'worker-2'])
		await installPackage({ userFolder: path.join(workDir, name), workDir, tgz });

	section('n8n main (queue mode), then two workers');
	const env = queueEnv(services);
	n8n.main = new N8nServer({
		n8nDir: install.N8N_DIR,
		nodeBin: install.NODE_BIN,
		userFolder: path.join(workDir, 'main'),
		logName: 'main.log',
		env,
	});
	await n8n.main.start({ timeoutMs: 240_000 }); // migrations on a fresh PostgreSQL
	await n8n.main.setupOwner();
	await n8n.main.login();
	await n8n.main.createApiKey();
	n8n.workers = [worker('worker-1', install, env), worker('worker-2', install, env)];
	await Promise.all(n8n.workers.map((w) => w.start({ timeoutMs: 120_000 })));
	console.log(`main ${n8n.main.baseUrl}; workers ready (health ports ${n8n.workers.map((w) => w.port)})`);

	const credential = await n8n.main.importCredentialExport({
		name: 'MNotify sandbox',
		type: 'mNotifyApi',
		data: sandbox.credentialData(),
	});
	const workflow = bindCredentials(
		JSON.parse(readFileSync(path.join(E2E_DIR, 'queue', 'bulk-send.workflow.json'), 'utf8')),
		credential,
	);
	const workflowId = await n8n.main.createWorkflow(workflow);
	await n8n.main.activateWorkflow(workflowId);
	// Activation returns before the webhook is registered; a GET says "Did you mean POST?" once it is.
	for (let i = 0; ; i++) {
		const probe = await fetch(`${n8n.main.baseUrl}/webhook/bulk-send`);
		if (/POST request/.test(await probe.text())) break;
		if (i > 120) throw new Error('the webhook was not registered within 30 s');
		await sleep(250);
	}

	// ---- 1. the campaign, with a worker killed mid-way ---------------------------------------
	section(`1. ${RECIPIENTS} reminders over ${EXECUTIONS} executions; SIGKILL a worker mid-way`);
	const phase1Start = performance.now();
	sandbox.sandbox.resetStats();
	const controller = new AbortController();
	const phase1 = batches.map((b) => fireBatch(n8n.main, b, { signal: controller.signal }));

	let killed;
	let atKill;
	for (;;) {
		const stats = sandbox.sandbox.stats;
		const running = n8n.workers.map((w) => {
			const { started, finished } = workerExecutions(w);
			return [...started].filter((id) => !finished.has(id)).length;
		});
		if (stats.notificationSendsReceived >= RECIPIENTS * KILL_AFTER_SHARE && running.every((r) => r > 0)) {
			const victim = running[0] >= running[1] ? 0 : 1;
			killed = n8n.workers[victim];
			atKill = {
				received: stats.notificationSendsReceived,
				accepted: stats.notificationsAccepted,
				runningOnVictim: running[victim],
				victim: `worker-${victim + 1}`,
			};
			await killed.killHard();
			break;
		}
		if (performance.now() - phase1Start > 300_000) throw new Error('phase 1: no moment to kill a worker');
		await sleep(20);
	}
	const afterKill = sandbox.sandbox.stats;
	console.log(
		`SIGKILL ${atKill.victim} with ${atKill.runningOnVictim} executions running, after ${atKill.received} sends received ` +
			`(${atKill.received - atKill.accepted} received but not yet answered at that moment; ${afterKill.notificationsAccepted - atKill.accepted} more completed as it died)`,
	);

	const results1 = await Promise.race([
		Promise.all(phase1),
		sleep(240_000).then(() => {
			controller.abort();
			return Promise.all(phase1);
		}),
	]);
	const failed1 = results1.filter((r) => r.error);
	const handshakes1 = sandbox.sandbox.stats.tlsHandshakes;
	console.log(
		`phase 1: ${results1.length - failed1.length} executions answered, ${failed1.length} interrupted; ` +
			`${sandbox.sandbox.stats.notificationsAccepted} notifications stored; ${seconds(phase1Start)} s`,
	);
	for (const f of failed1.slice(0, 3)) console.log(`  batch ${f.batch}: ${f.error}`);

	return { sandbox, workflowId, results1, handshakes1, atKill, killed };
}

let failedHard = false;
try {
	const outcome = await main();
	const counts = ledgerCounts(outcome.sandbox);
	const twice = [...counts.values()].filter((c) => c > 1).length;
	check('nobody notified twice', twice === 0, `${counts.size} recipients in the ledger, ${twice} twice`);
} catch (error) {
	failedHard = true;
	console.error(error);
	for (const server of [n8n.main, ...n8n.workers].filter(Boolean))
		console.log(`\n--- ${server.logFile} (tail)\n${server.logTail(30)}`);
} finally {
	await stopAll();
}
const passed = checks.filter((c) => c.ok).length;
const failed = checks.length - passed + (failedHard ? 1 : 0);
console.log(`\nwall time ${seconds()} s`);
console.log(`e2e:queue: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
