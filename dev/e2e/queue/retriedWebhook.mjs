// The retried-webhook case of `npm run e2e:queue`, on the PostgreSQL sent-ledger: an upstream
// system that calls the webhook again after a timeout. The same batches are fired twice at the
// same instant (the two copies land on both workers) and a third time 1 s later, while one worker
// is SIGKILLed mid-way; it comes back, the campaign is run again, and the items reported "outcome
// unknown" that never reached MNotify are re-sent with "Re-send Outcome Unknown" (once their
// claims are more than 30 s old: the dead worker no longer keeps them fresh). Every recipient
// must be notified exactly once ({"1": N} in the sandbox's count).
import { setTimeout as sleep } from 'node:timers/promises';

import { bindCredentials } from '../../real-n8n/n8n.mjs';
import { readQueueWorkflow } from './batchWorkflows.mjs';
import { killWorkerMidSend } from './killWorker.mjs';

const WEBHOOK_PATH = 'bulk-send-ledger';
/** The PostgreSQL ledger gives a claim to a Re-Send once nobody kept it fresh this long. */
const CLAIM_ALIVE_MS = 30_000;

/** The queue workflow, sending through the PostgreSQL ledger on its own webhook path. */
function ledgerWorkflow(credentials) {
	const workflow = readQueueWorkflow();
	workflow.name = 'e2e queue: bulk reminders, PostgreSQL ledger, retried webhook';
	for (const node of workflow.nodes) {
		node.id = node.id.replace(/0b1c5e2a/, '1c2d6f3b');
		if (node.type === 'n8n-nodes-base.webhook') {
			node.parameters.path = WEBHOOK_PATH;
			node.webhookId = '1c2d6f3b-7d5e-4c47-9a43-3f1e0c9b00ff';
		}
		if (node.type === 'n8n-nodes-mnotify.mNotify') {
			node.parameters.ledger = 'postgres';
			node.parameters.options.dedupeKey = '={{ $json.idnp }}-2026-tax-ledger';
			node.credentials.postgres = { id: 'bound-at-run-time', name: 'Ledger' };
		}
	}
	return bindCredentials(workflow, credentials);
}

export async function retriedWebhookCase(context) {
	const { n8n, services, sandbox, check, section, countValues, ledgerCounts, fireBatch } = context;
	const { recipients, executions, killAfterShare, workerExecutions } = context;
	const idnpOf = (index) => String(2_005_000_000_000 + index);
	const size = Math.ceil(recipients / executions);
	const batches = Array.from({ length: executions }, (_, batch) => ({
		batch,
		people: Array.from(
			{ length: Math.max(0, Math.min(size, recipients - batch * size)) },
			(_, i) => ({ idnp: idnpOf(batch * size + i) }),
		),
	}));
	const fire = (body) => fireBatch(n8n.main, body, { path: WEBHOOK_PATH });

	section(
		`4. retried webhook, PostgreSQL ledger: ${recipients} recipients in ${executions} batches, each fired twice at once and again 1 s later; SIGKILL a worker`,
	);
	const ledgerCredential = await n8n.main.importCredentialExport({
		name: 'Ledger',
		type: 'postgres',
		data: {
			host: services.postgres.host,
			port: services.postgres.port,
			database: services.postgres.database,
			user: services.postgres.user,
			password: '',
			ssl: 'disable',
			allowUnauthorizedCerts: false,
			maxConnections: 20,
			sshTunnel: false,
		},
	});
	const workflowId = await n8n.main.createWorkflow(
		ledgerWorkflow({ ...context.credential, ...ledgerCredential }),
	);
	await n8n.main.activateWorkflow(workflowId);
	for (let i = 0; ; i++) {
		const probe = await fetch(`${n8n.main.baseUrl}/webhook/${WEBHOOK_PATH}`);
		if (/POST request/.test(await probe.text())) break;
		if (i > 120) throw new Error('the ledger webhook was not registered within 30 s');
		await sleep(250);
	}

	const campaign = new Set(batches.flatMap((b) => b.people.map(({ idnp }) => idnp)));
	// Counted from here on: this phase's sends only.
	const reached = () => sandbox.sandbox.stats.notificationSendsReceived;
	sandbox.sandbox.resetStats();
	const started = performance.now();
	const calls = [...batches.map(fire), ...batches.map(fire)];
	const late = sleep(1000).then(() => Promise.all(batches.map(fire)));

	const { killed } = await killWorkerMidSend({
		workers: n8n.workers,
		sandbox,
		workerExecutions,
		received: reached,
		killAtReceived: recipients * killAfterShare,
		poolConnections: context.poolConnections,
		phase: 'phase 4',
	});
	const killedAt = performance.now();
	const results = [...(await Promise.all(calls)), ...(await late)];
	const handshakes = sandbox.sandbox.stats.tlsHandshakes;
	console.log(
		`phase 4: ${results.filter((r) => !r.error).length} of ${results.length} calls answered; ${reached()} notifications stored after the kill at ${Math.round(killedAt - started)} ms`,
	);

	await killed.start({ timeoutMs: 120_000 });
	const rerun = await Promise.all(batches.map(fire));
	const failedRerun = rerun.filter((r) => r.error);
	if (failedRerun.length) throw new Error(`phase 4 re-run: ${failedRerun[0].error}`);
	const outcome = new Map();
	for (const r of rerun)
		r.items.forEach((json, i) =>
			outcome.set(batches[r.batch].people[i].idnp, json.reason ?? (json.id ? 'sent' : 'error')),
		);
	console.log(`phase 4 re-run outputs per recipient: ${JSON.stringify(countValues(outcome))}`);

	const before = ledgerCounts(sandbox);
	const missing = [...outcome]
		.filter(([idnp, what]) => what === 'outcomeUnknown' && !before.has(idnp))
		.map(([idnp]) => idnp);
	if (missing.length > 0) {
		const wait = CLAIM_ALIVE_MS + 5000 - (performance.now() - killedAt);
		if (wait > 0) await sleep(wait);
		const r = await fire({
			batch: 'resend',
			resendUnknown: true,
			people: missing.map((idnp) => ({ idnp })),
		});
		if (r.error) throw new Error(`phase 4 re-send: ${r.error}`);
		console.log(
			`${missing.length} outcome unknown and not in MNotify: re-sent ${r.items.filter((json) => typeof json.id === 'string').length}`,
		);
	}

	const counts = ledgerCounts(sandbox);
	const perRecipient = countValues(
		new Map([...campaign].map((idnp) => [idnp, counts.get(idnp) ?? 0])),
	);
	const ledgerStates = services.postgres.query(
		"SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) AS n FROM mnotify_sent_ledger GROUP BY state) s",
	);
	console.log(
		`notifications per recipient: ${JSON.stringify(perRecipient)}; ledger rows: ${ledgerStates}`,
	);
	check(
		'retried webhook, PostgreSQL ledger: every recipient notified exactly once',
		perRecipient['1'] === recipients,
		JSON.stringify(perRecipient),
	);
	const pool = context.poolConnections;
	check(
		'retried webhook: TLS handshakes ≤ workers × pool size',
		handshakes <= 2 * pool,
		`${handshakes} ≤ ${2 * pool}`,
	);
}
