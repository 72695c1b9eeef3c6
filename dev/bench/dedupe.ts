/**
 * What "Skip Already Notified" costs: N notifications (one per item, the default dedupe key) sent
 * through n8n's engine to the sandbox (in a worker thread) with no dedupe, with n8n's
 * processed-data store (n8n's own DeduplicationHelper on a private PostgreSQL, as a queue-mode n8n
 * has it) and with the PostgreSQL ledger (the same server), then the same N again (all skipped).
 *
 *   npm run bench:dedupe                       # N = 1000, 5000, 8000, 20000
 *   npm run bench:dedupe -- --counts 1000,4000 --concurrency 8 --runs 3
 *
 * Each figure is the median of --runs rounds; the variants take turns within a round, so load
 * from elsewhere on the machine falls on all of them alike.
 */
import os from 'node:os';

import type { IDataObject, INodeExecutionData, IWorkflowBase } from 'n8n-workflow';

import { nodeOutput, WorkflowEngine } from '../harness/engine';
import { postgresCredential, startPostgres } from '../harness/postgres';
import { useN8nProcessedDataStore } from '../harness/processedDataStore';
import { sandboxCredentials } from '../harness/sandboxCredentials';
import { median } from './measure';
import { startBenchSandbox } from './sandboxHost';
import { threadCpuMs } from './threadCpu';
import { MNOTIFY_NODE_NAME, recipientItems, sendWorkflow } from './workloads';

function argument(name: string, fallback: string): string {
	const index = process.argv.indexOf(`--${name}`);
	return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

type Variant = 'off' | 'n8n' | 'postgres';
const ALL_VARIANTS: Variant[] = ['off', 'n8n', 'postgres'];
/** --variants off,n8n: measure some only (the ratios need 'off'). */
const VARIANTS = (argument('variants', ALL_VARIANTS.join(',')).split(',') as Variant[]).filter(
	(variant) => ALL_VARIANTS.includes(variant),
);
const LABELS: Record<Variant, string> = {
	off: 'no dedupe',
	n8n: "n8n's store",
	postgres: 'PostgreSQL',
};

/** A workflow of its own per variant, size and repetition: each run starts on an empty scope. */
function workflowFor(
	variant: Variant,
	count: number,
	round: number,
	concurrency: number,
): IWorkflowBase {
	const workflow = sendWorkflow(concurrency);
	workflow.id = `bench-dedupe-${variant}-${count}-${round}`;
	const node = workflow.nodes.find((candidate) => candidate.name === MNOTIFY_NODE_NAME)!;
	if (variant === 'off') return workflow;
	const options = node.parameters.options as IDataObject;
	Object.assign(options, {
		dedupe: true, // the default key (a hash of recipients and texts): no expression per item
		dedupeRetention: 'entries',
		dedupeRetentionKeys: Math.max(10_000, count),
	});
	if (variant === 'postgres') {
		node.parameters.ledger = 'postgres';
		node.credentials = { ...node.credentials, postgres: { id: 'bench-ledger', name: 'ledger' } };
	}
	return workflow;
}

async function main(): Promise<void> {
	const counts = argument('counts', '1000,5000,8000,20000').split(',').map(Number);
	const concurrency = Number(argument('concurrency', '8'));
	const rounds = Number(argument('runs', '3'));
	const postgres = await startPostgres({ database: 'bench_dedupe' });
	const store = await useN8nProcessedDataStore(postgres);
	const sandbox = await startBenchSandbox('worker');
	const engine = new WorkflowEngine();
	const certificate = await sandbox.issueClientCertificate('Bench dedupe sender');
	const credentials = {
		mNotifyApi: sandboxCredentials(sandbox.url, certificate),
		postgres: postgresCredential(postgres),
	};
	const stop = async () => {
		await engine.closeConnections();
		await sandbox.close();
		await store.close();
		await postgres.stop();
	};
	// Ctrl-C: the private PostgreSQL and its folder go too.
	for (const signal of ['SIGINT', 'SIGTERM'] as const)
		process.once(signal, () => void stop().finally(() => process.exit(130)));
	let sequence = 0;
	const samples: Record<string, number[]> = {};
	const seconds: Record<string, number> = {};
	const cpuSamples: Record<string, number[]> = {};
	const cpuSeconds: Record<string, number> = {};
	/** The most TLS handshakes one run made, per variant: the pool's size, not one per send. */
	const handshakes: Partial<Record<Variant, number>> = {};
	const record = (key: string, measured: { took: number; cpu: number }) => {
		(samples[key] ??= []).push(measured.took);
		(cpuSamples[key] ??= []).push(measured.cpu);
	};

	async function timedRun(
		variant: Variant,
		count: number,
		items: INodeExecutionData[],
		round: 1 | 2,
		repetition: number,
	) {
		const before = await sandbox.stats();
		const startedAt = process.hrtime.bigint();
		const cpuAtStart = threadCpuMs();
		const run = await engine.run(workflowFor(variant, count, repetition, concurrency), {
			credentials,
			startItems: items,
		});
		const took = Number(process.hrtime.bigint() - startedAt) / 1e9;
		const cpu = (threadCpuMs() - cpuAtStart) / 1000;
		const error = run.data.resultData.error;
		if (error) throw new Error(`${LABELS[variant]}, N=${count}, run ${round}: ${error.message}`);
		const output = nodeOutput(run, MNOTIFY_NODE_NAME).map((item) => item.json);
		const after = await sandbox.stats();
		const sent = after.notificationSendsReceived - before.notificationSendsReceived;
		handshakes[variant] = Math.max(
			handshakes[variant] ?? 0,
			after.tlsHandshakes - before.tlsHandshakes,
		);
		const expected = round === 1 ? count : 0;
		const skipped = output.filter((json) => json.reason === 'alreadySent').length;
		if (sent !== expected || (round === 2 && skipped !== count))
			throw new Error(
				`${LABELS[variant]}, N=${count}, run ${round}: ${sent} sent, ${skipped} skipped`,
			);
		return { took, cpu };
	}

	try {
		// A warm-up, so the first measured run pays no loading or first handshakes.
		for (const variant of VARIANTS) {
			const warm = recipientItems((sequence += 200), 200);
			await timedRun(variant, 200, warm, 1, -1);
		}
		for (const count of counts) {
			for (let round = 0; round < rounds; round++) {
				const order = VARIANTS.map((_, index) => VARIANTS[(index + round) % VARIANTS.length]);
				for (const variant of order) {
					const items = recipientItems(sequence, count);
					sequence += count;
					await sandbox.closeIdleConnections();
					record(`${variant}:${count}:1`, await timedRun(variant, count, items, 1, round));
					if (variant !== 'off')
						record(`${variant}:${count}:2`, await timedRun(variant, count, items, 2, round));
				}
				// Wall times follow other work on the machine: say how busy it was, round by round.
				console.log(`N=${count}, round ${round + 1}: load average ${os.loadavg()[0].toFixed(1)}`);
			}
			for (const variant of VARIANTS) {
				for (const run of [1, 2]) {
					const values = samples[`${variant}:${count}:${run}`];
					if (values) seconds[`${variant}:${count}:${run}`] = median(values);
					const cpu = cpuSamples[`${variant}:${count}:${run}`];
					if (cpu) cpuSeconds[`${variant}:${count}:${run}`] = median(cpu);
				}
				const figures = [1, 2]
					.map((run) => samples[`${variant}:${count}:${run}`])
					.filter((values) => values !== undefined)
					.map((values) => values.map((value) => value.toFixed(2)).join(' / '));
				console.log(
					`N=${count} ${LABELS[variant]}: ${figures.join(' s (all sent); ')} s${figures.length > 1 ? ' (all skipped)' : ''}`,
				);
			}
		}
	} finally {
		await stop();
	}

	console.log(
		`\nDedupe cost through n8n's engine, concurrency ${concurrency}, median of ${rounds} rounds (× = dedupe run 1 / no dedupe); load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
	);
	report('Wall time, seconds', seconds, counts);
	report(
		"CPU time of n8n's thread, seconds (the database server's not included)",
		cpuSeconds,
		counts,
	);
	console.log(
		`\nTLS handshakes, the most in one run: ${VARIANTS.map((variant) => `${LABELS[variant]} ${handshakes[variant]}`).join(', ')} (concurrency ${concurrency})`,
	);
}

function report(title: string, figures: Record<string, number>, counts: number[]): void {
	const s = (variant: Variant, count: number, run = 1) => figures[`${variant}:${count}:${run}`];
	const f = (value: number | undefined) =>
		value === undefined || Number.isNaN(value) ? '–' : value.toFixed(2);
	console.log(`\n${title}\n`);
	console.log(
		"| N | no dedupe | n8n's store, run 1 (all sent) | run 2 (all skipped) | PostgreSQL, run 1 | run 2 |",
	);
	console.log('|---:|---:|---:|---:|---:|---:|');
	for (const count of counts) {
		const ratio = (variant: Variant) =>
			`${f(s(variant, count))} (${f(s(variant, count) / s('off', count))}×)`;
		console.log(
			`| ${count} | ${f(s('off', count))} | ${ratio('n8n')} | ${f(s('n8n', count, 2))} | ${ratio('postgres')} | ${f(s('postgres', count, 2))} |`,
		);
	}
	const target = (label: string, value: number, limit: number) =>
		Number.isNaN(value)
			? `${label}: not measured`
			: `${value <= limit ? 'PASS' : 'MISS'} ${label}: ${value.toFixed(2)} (target ≤ ${limit})`;
	const largest = Math.max(...counts);
	const quarter = counts.find((count) => count * 4 === largest);
	console.log('');
	console.log(
		target(
			`PostgreSQL ÷ no dedupe at N=${largest}`,
			s('postgres', largest) / s('off', largest),
			1.5,
		),
	);
	if (counts.includes(8000))
		console.log(target("n8n's store ÷ no dedupe at N=8000", s('n8n', 8000) / s('off', 8000), 3));
	if (quarter) {
		for (const variant of ['n8n', 'postgres'] as Variant[])
			console.log(
				target(
					`${LABELS[variant]} growth N=${quarter} → ${largest}`,
					s(variant, largest) / s(variant, quarter),
					4.5,
				),
			);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
