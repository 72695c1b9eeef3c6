#!/usr/bin/env node
// Bulk sending in n8n's queue mode, end to end (`npm run e2e:queue`, after `npm run build`).
//
// n8n 2.41.1 (the cached install of dev/real-n8n/install-n8n.sh) as a main and TWO workers (`n8n worker`),
// with Redis and PostgreSQL (Debian packages, private instances on 127.0.0.1), the packed package
// installed in every process's user folder, the sandbox as MNotify. Then, as a campaign would:
//   1. 10,000 reminders over 25 parallel executions of a webhook-triggered workflow (Webhook →
//      Split Out → MNotify Send with a Dedupe Key, n8n's processed-data store), one copy of the
//      workflow per batch (batchWorkflows.mjs: the store takes one live run per dedupe scope); one
//      worker is SIGKILLed while sends are in flight (killWorker.mjs: the sandbox holds its answers
//      a moment so some are provably lost).
//   2. The killed worker comes back (as an orchestrator restarts it), the dead runs' leases lapse,
//      and the analyst runs the whole campaign again, each batch on its workflow: the dedupe keys in
//      n8n's database decide, on whichever worker, what was sent.
//   3. The analyst looks up the items reported "outcome unknown" in MNotify (here: the sandbox's
//      ledger) and re-sends those that never arrived, per batch, with "Re-send Outcome Unknown" on.
//   Then one batch fired twice at the same instant on n8n's store (sameBatchTwice.mjs): one run
//   sends, the other is refused by the live-run lease.
//   4. The retried webhook on the PostgreSQL ledger (retriedWebhook.mjs): the same batches fired
//      twice at once and again 1 s later, a worker SIGKILLed, the campaign re-run.
// Prints and checks: notifications per recipient in the sandbox (each exactly once; outcome
// unknown never means twice), executions per worker (both worked), TLS handshakes ≤ workers ×
// pool size, keys recorded by one worker and honoured by the other, wall time.
// The last line is `e2e:queue: N passed, N failed`; exit code 1 on any failure.
//
// Options: --skip-install (trust the cache). Logs stay in E2E_WORK_DIR (default <repo>/.e2e)/queue.
// Env: MNOTIFY_E2E_CACHE (see dev/real-n8n/install-n8n.sh), E2E_WORK_DIR, PG_BIN, REDIS_SERVER, N8N_LOG_LEVEL,
//      QUEUE_E2E_RECIPIENTS (10000), QUEUE_E2E_EXECUTIONS (25), QUEUE_E2E_LEDGER_RECIPIENTS (5000).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { installedN8n } from '../../real-n8n/install.mjs';
import { kit } from '../../real-n8n/kit.mjs';
import { serverOf } from '../../real-n8n/n8n.mjs';
import { installPackage, packPackage } from '../../real-n8n/package.mjs';
import { startSandbox } from '../../real-n8n/sandbox.mjs';
import { workDirOf } from '../../real-n8n/util.mjs';
import { batchPath, createBatchWorkflows } from './batchWorkflows.mjs';
import { killWorkerMidSend } from './killWorker.mjs';
import { startRedis } from './redis.mjs';
import { retriedWebhookCase } from './retriedWebhook.mjs';
import { sameBatchTwiceCase } from './sameBatchTwice.mjs';

const args = process.argv.slice(2);
for (const a of args) {
	if (!['--skip-install'].includes(a)) {
		console.error(`unknown argument ${a}`);
		process.exit(2);
	}
}

const RECIPIENTS = Number(process.env.QUEUE_E2E_RECIPIENTS ?? 10_000);
/** The retried-webhook case on the PostgreSQL ledger (each batch is fired three times). */
const LEDGER_RECIPIENTS = Number(process.env.QUEUE_E2E_LEDGER_RECIPIENTS ?? 5_000);
const EXECUTIONS = Number(process.env.QUEUE_E2E_EXECUTIONS ?? 25);
const WORKER_CONCURRENCY = 10; // n8n's default for `n8n worker`
/** Kill a worker once this share of the sends has reached the sandbox. */
const KILL_AFTER_SHARE = 0.3;
const workDir = workDirOf('queue');
const POOL_CONNECTIONS = await kit.loadNodePoolSize();
const LEASE_SLOT_MS = await kit.loadLeaseSlotMs();

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
		// A dead worker's jobs are noticed in half a minute, not a minute and a half (n8n never
		// retries them); still long enough for a busy worker on a loaded machine to renew its locks.
		QUEUE_WORKER_LOCK_DURATION: '30000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '5000',
		QUEUE_WORKER_STALLED_INTERVAL: '10000',
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
	return serverOf(install, {
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
async function fireBatch(main, body, { signal, path: webhookPath = 'bulk-send' } = {}) {
	try {
		const res = await fetch(`${main.baseUrl}/webhook/${webhookPath}`, {
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
	const install = await installedN8n('n8n2', { skipInstall: args.includes('--skip-install') });

	rmSync(workDir, { recursive: true, force: true });
	mkdirSync(workDir, { recursive: true });

	section('PostgreSQL, Redis, sandbox');
	services.postgres = await kit.startPostgres({ database: 'n8n' });
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
	n8n.main = serverOf(install, {
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
	console.log(
		`main ${n8n.main.baseUrl}; workers ready (health ports ${n8n.workers.map((w) => w.port)})`,
	);

	const credential = await n8n.main.importCredentialExport({
		name: 'MNotify sandbox',
		type: 'mNotifyApi',
		data: sandbox.credentialData(),
	});
	const workflowIds = await createBatchWorkflows(
		n8n.main,
		credential,
		batches.map((b) => b.batch),
	);
	const fireAtItsWorkflow = (body, options = {}) =>
		fireBatch(n8n.main, body, { ...options, path: batchPath(body.batch) });

	// ---- 1. the campaign, with a worker killed mid-way ---------------------------------------
	section(`1. ${RECIPIENTS} reminders over ${EXECUTIONS} executions; SIGKILL a worker mid-way`);
	const phase1Start = performance.now();
	sandbox.sandbox.resetStats();
	const controller = new AbortController();
	const phase1 = batches.map((b) => fireAtItsWorkflow(b, { signal: controller.signal }));

	const atKill = await killWorkerMidSend({
		workers: n8n.workers,
		sandbox,
		workerExecutions,
		received: () => sandbox.sandbox.stats.notificationSendsReceived,
		killAtReceived: RECIPIENTS * KILL_AFTER_SHARE,
		poolConnections: POOL_CONNECTIONS,
		phase: 'phase 1',
	});
	const { killed } = atKill;
	const killedAt = performance.now();
	console.log(
		`SIGKILL ${atKill.victim} with ${atKill.runningOnVictim} executions running, after ${atKill.received} sends had reached MNotify, ${atKill.awaitingAnswer} of them still awaiting their answer`,
	);

	const results1 = await Promise.race([
		Promise.all(phase1),
		sleep(600_000).then(() => {
			controller.abort();
			return Promise.all(phase1);
		}),
	]);
	const interrupted = results1.filter((r) => r.error);
	const figures = {
		handshakes1: sandbox.sandbox.stats.tlsHandshakes,
		phase1Secs: seconds(phase1Start),
	};
	console.log(
		`phase 1: ${results1.length - interrupted.length} executions answered, ${interrupted.length} interrupted ` +
			`(e.g. batch ${interrupted[0]?.batch}: ${interrupted[0]?.error}); ${sandbox.sandbox.stats.notificationsAccepted} notifications stored; ${figures.phase1Secs} s`,
	);
	const executions1 = n8n.workers.map((w) => workerExecutions(w).started);
	const survivorFailures = interrupted.length - atKill.runningOnVictim;
	if (survivorFailures > 0) console.log(await failedExecutionErrors(n8n.main, workflowIds));

	// ---- 2. the worker comes back; the analyst re-runs the whole campaign ------------------------
	section('2. the killed worker restarts; the analyst runs the whole campaign again');
	const phase2Start = performance.now();
	await killed.start({ timeoutMs: 120_000 });
	// The runs killed with the worker held their batches' leases in n8n's store: two slots at most.
	const leaseLapse = killedAt + 2 * LEASE_SLOT_MS + 2000 - performance.now();
	if (leaseLapse > 0) await sleep(leaseLapse);
	sandbox.sandbox.resetStats();
	const results2 = await Promise.all(batches.map((b) => fireAtItsWorkflow(b)));
	const failed2 = results2.filter((r) => r.error);
	if (failed2.length)
		throw new Error(`phase 2: ${failed2.length} executions failed: ${failed2[0].error}`);
	const outcome2 = new Map(); // idnp -> what the re-run did
	results2.forEach((r) =>
		r.items.forEach((json, i) =>
			outcome2.set(batches[r.batch].people[i].idnp, json.reason ?? (json.id ? 'sent' : 'error')),
		),
	);
	const tally2 = countValues(outcome2);
	console.log(
		`phase 2 outputs per recipient: ${JSON.stringify(tally2)}; ${seconds(phase2Start)} s`,
	);

	// ---- 3. the analyst checks the unknown ones in MNotify and re-sends those that never arrived --
	section('3. outcome unknown: look each up in MNotify, re-send the ones not there');
	const ledgerBefore3 = ledgerCounts(sandbox);
	const unknown = [...outcome2]
		.filter(([, what]) => what === 'outcomeUnknown')
		.map(([idnp]) => idnp);
	const unknownArrived = unknown.filter((idnp) => ledgerBefore3.get(idnp) === 1);
	const unknownMissing = unknown.filter((idnp) => !ledgerBefore3.has(idnp));
	console.log(
		`${unknown.length} outcome unknown: ${unknownArrived.length} had reached MNotify (sent, answer lost with the worker), ${unknownMissing.length} had not`,
	);
	// Each batch's unknown ones go back to its own workflow (its own dedupe row).
	const batchOf = new Map(batches.flatMap((b) => b.people.map(({ idnp }) => [idnp, b.batch])));
	const missingByBatch = new Map();
	for (const idnp of unknownMissing) {
		const batch = batchOf.get(idnp);
		missingByBatch.set(batch, [...(missingByBatch.get(batch) ?? []), idnp]);
	}
	const resendResults = await Promise.all(
		[...missingByBatch].map(([batch, idnps]) =>
			fireAtItsWorkflow({
				batch,
				resendUnknown: true,
				people: idnps.map((idnp) => ({ idnp })),
			}),
		),
	);
	const failedResend = resendResults.find((r) => r.error);
	if (failedResend) throw new Error(`phase 3, batch ${failedResend.batch}: ${failedResend.error}`);
	const resendItems = resendResults.flatMap((r) => r.items);
	const resent = resendItems.filter((json) => typeof json.id === 'string');
	const notResent = resendItems.filter((json) => typeof json.id !== 'string');
	if (notResent.length)
		console.log(
			`not re-sent: ${JSON.stringify(countValues(new Map(notResent.map((j, i) => [i, j.reason ?? j.error]))))}`,
		);
	const handshakes23 = sandbox.sandbox.stats.tlsHandshakes;

	// ---- figures and checks -----------------------------------------------------------------------
	section('figures');
	const counts = ledgerCounts(sandbox);
	const perRecipient = countValues(
		new Map(batches.flatMap((b) => b.people).map(({ idnp }) => [idnp, counts.get(idnp) ?? 0])),
	);
	const executionsPerWorker = n8n.workers.map((w, i) => {
		const all = workerExecutions(w).started;
		return { worker: `worker-${i + 1}`, phase1: executions1[i].size, total: all.size };
	});
	const batchWorker1 = await batchesByWorker(n8n.main, n8n.workers, executions1);
	const allExecutions = n8n.workers.map((w) => workerExecutions(w).started);
	const executions2 = allExecutions.map(
		(ids, i) => new Set([...ids].filter((id) => !executions1[i].has(id))),
	);
	const batchWorker2 = await batchesByWorker(n8n.main, n8n.workers, executions2);
	let honouredAcross = 0;
	for (const b of batches) {
		const w1 = batchWorker1.get(b.batch);
		const w2 = batchWorker2.get(b.batch);
		if (w1 === undefined || w2 === undefined || w1 === w2) continue;
		honouredAcross += b.people.filter(({ idnp }) => outcome2.get(idnp) !== 'sent').length;
	}
	const keysInDatabase = services.postgres.query(
		`SELECT coalesce(sum(json_array_length((value::json)->'data')), 0) FROM processed_data`,
	);
	const pool = POOL_CONNECTIONS;
	console.log(`notifications per recipient (count: recipients): ${JSON.stringify(perRecipient)}`);
	console.log(`executions per worker: ${JSON.stringify(executionsPerWorker)}`);
	console.log(
		`TLS handshakes: phase 1 ${figures.handshakes1} (2 workers × pool ${pool} = ${2 * pool}); phases 2-3 ${handshakes23} (${2 * pool})`,
	);
	console.log(
		`dedupe keys: ${keysInDatabase} values in n8n's processed_data (${RECIPIENTS} claimed, ${Number(keysInDatabase) - RECIPIENTS} more: still pending (outcome unknown, ${unknownArrived.length} of them found in MNotify by the check) and the leases of the runs killed with the worker); re-run on the other worker honoured ${honouredAcross} keys recorded by the first; ${resent.length} re-sent after the check`,
	);

	check(
		'phase 1: 10,000 sends over at least 20 executions',
		EXECUTIONS >= 20 && RECIPIENTS >= 10_000,
		`${RECIPIENTS} over ${EXECUTIONS}`,
	);
	check(
		'phase 1: every execution not on the killed worker succeeded',
		survivorFailures <= 0,
		`${interrupted.length} interrupted, ${atKill.runningOnVictim} of them running on ${atKill.victim} when it died`,
	);
	check(
		'a worker was SIGKILLed with sends in flight',
		unknownArrived.length > 0,
		`${unknownArrived.length} reached MNotify without their answer being recorded`,
	);
	check(
		'every recipient notified exactly once',
		perRecipient['1'] === RECIPIENTS,
		JSON.stringify(perRecipient),
	);
	check(
		'phase 2 re-sent nobody MNotify already had',
		[...outcome2].every(([idnp, what]) => what !== 'sent' || ledgerBefore3.get(idnp) === 1) &&
			unknown.every((idnp) => (ledgerBefore3.get(idnp) ?? 0) <= 1),
		JSON.stringify(tally2),
	);
	check(
		'both workers ran executions in phase 1',
		executionsPerWorker.every((w) => w.phase1 > 0),
		JSON.stringify(executionsPerWorker),
	);
	check(
		'both workers ran executions of the re-run',
		executions2.every((ids) => ids.size > 0),
		executions2.map((ids) => ids.size).join(' + '),
	);
	check(
		`TLS handshakes ≤ workers × pool size`,
		figures.handshakes1 <= 2 * pool && handshakes23 <= 2 * pool,
		`${figures.handshakes1}, ${handshakes23} ≤ ${2 * pool}`,
	);
	check(
		'keys recorded on one worker honoured on the other',
		honouredAcross > 0,
		`${honouredAcross}`,
	);

	const cases = {
		n8n,
		services,
		sandbox,
		credential,
		check,
		section,
		countValues,
		ledgerCounts,
		fireBatch,
		workerExecutions,
	};
	await sameBatchTwiceCase(cases);
	await retriedWebhookCase({
		...cases,
		recipients: LEDGER_RECIPIENTS,
		executions: EXECUTIONS,
		killAfterShare: KILL_AFTER_SHARE,
		poolConnections: POOL_CONNECTIONS,
	});
	return { sandbox };
}

/** The node errors of the batch workflows' failed executions, for the log. */
async function failedExecutionErrors(main, workflowIds) {
	const lines = [];
	const failed = [];
	for (const workflowId of workflowIds.values()) {
		for (const status of ['error', 'crashed']) {
			const list = await main.api(
				'GET',
				`/executions?workflowId=${workflowId}&status=${status}&limit=5`,
			);
			failed.push(...(list.data ?? []));
		}
	}
	for (const { id } of failed) {
		const ex = await main.api('GET', `/executions/${id}?includeData=true`);
		const error = ex.data?.resultData?.error;
		const nodeError = ex.data?.resultData?.runData?.['Send Reminder']?.[0]?.error;
		lines.push(
			`  execution ${id} (${ex.status}): ${error?.message} ${nodeError ? `| Send Reminder: ${nodeError.message} ${nodeError.description ?? ''}` : ''}`,
		);
	}
	// The public API may not list crashed runs: read n8n's own tables too.
	const rows = services.postgres.query(
		`SELECT e.id || ' ' || e.status || ' ' || substring(d.data from '(Could not[^"]{0,300}|Another run of[^"]{0,300}|Deduplication[^"]{0,300}|stopped[^"]{0,200}|duplicate key[^"]{0,200})') FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e.status IN ('error', 'crashed') LIMIT 10`,
	);
	return [...lines, rows].join('\n');
}

function countValues(map) {
	const tally = {};
	for (const value of map.values()) tally[value] = (tally[value] ?? 0) + 1;
	return tally;
}

/** batch number -> index of the worker that ran it, for the given execution ids per worker. */
async function batchesByWorker(main, workers, idsPerWorker) {
	const byBatch = new Map();
	for (const [worker, ids] of idsPerWorker.entries()) {
		for (const id of ids) {
			const ex = await main.api('GET', `/executions/${id}?includeData=true`).catch(() => undefined);
			const body = ex?.data?.resultData?.runData?.Webhook?.[0]?.data?.main?.[0]?.[0]?.json?.body;
			// The re-sends of phase 3 name their batch too; they are not the re-run.
			if (typeof body?.batch === 'number' && body.resendUnknown !== true)
				byBatch.set(body.batch, worker);
		}
	}
	return byBatch;
}

let failedHard = false;
try {
	await main();
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
