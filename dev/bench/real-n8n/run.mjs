#!/usr/bin/env node
// `npm run bench:n8n`: the MNotify node inside a real n8n 2.x (the one the e2e installs), against
// n8n's HTTP Request node, n8n's Set node (the engine's floor for the same expressions) and raw
// undici from a plain Node process, all sending the same N notifications over mTLS to the sandbox.
// See dev/bench/README.md ("Inside a real n8n") for what is measured and how.
//
//   npm run bench:n8n                                   # build, then N=1000, 3 rounds
//   npm run bench:n8n -- --count 2000 --runs 5 --skip-install
//   npm run bench:n8n -- --profile                      # and where the node's time goes
//
// Results: bench-results/real-n8n/<timestamp>.json, latest.json, latest.md (git-ignored), and
// with --profile one <variant>.cpuprofile per n8n variant (open in Chrome DevTools).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { REPO_DIR } from '../../real-n8n/util.mjs';
import { profileMarkdown, summarizeProfile } from './cpuProfile.mjs';
import { startEnvironment } from './environment.mjs';
import { createMeasure, logRun } from './measure.mjs';
import { evaluateTargets, markdownReport, summarize, VARIANT_LABELS } from './report.mjs';
import { MNOTIFY_NODE_TYPE } from './workflows.mjs';

/** Requests in flight: the MNotify node's default concurrency, and raw undici's sockets. */
const CONCURRENCY = 8;
const RESULTS_DIR = path.join(REPO_DIR, 'bench-results', 'real-n8n');

function readOptions(argv) {
	const options = { count: 1000, runs: 3, skipInstall: false, profile: false };
	for (let k = 0; k < argv.length; k++) {
		const arg = argv[k];
		if (arg === '--count') options.count = Number(argv[++k]);
		else if (arg === '--runs') options.runs = Number(argv[++k]);
		else if (arg === '--skip-install') options.skipInstall = true;
		else if (arg === '--profile') options.profile = true;
		else throw new Error(`unknown argument ${arg} (see the top of dev/bench/real-n8n/run.mjs)`);
	}
	if (!(options.count >= 8 && options.runs >= 1))
		throw new Error('--count must be ≥ 8 and --runs ≥ 1');
	return { ...options, concurrency: CONCURRENCY };
}

/** Rotates the order every round, so no variant always runs first (or after the slow one). */
const rotated = (list, by) => [...list.slice(by % list.length), ...list.slice(0, by % list.length)];

/** The variants this build of the node supports: (a) needs the "From Input Fields" mode. */
async function availableVariants(n8n) {
	const details = await n8n.nodeTypeDetails(MNOTIFY_NODE_TYPE, 1);
	const hasFieldMapping = details.properties.some((p) => p.name === 'recipientsMode');
	return Object.keys(VARIANT_LABELS).filter((v) => v !== 'mapped' || hasFieldMapping);
}

/** One profiled run per n8n variant at N (not counted): where the measured node's time goes. */
async function profileVariants(measure, variants, count) {
	const sections = [];
	for (const variant of variants.filter((v) => v !== 'raw')) {
		const run = await measure({ variant, count, profile: true });
		logRun(run);
		writeFileSync(path.join(RESULTS_DIR, `${variant}.cpuprofile`), JSON.stringify(run.profile));
		sections.push(profileMarkdown(VARIANT_LABELS[variant], summarizeProfile(run.profile)));
	}
	return sections.join('\n');
}

async function main() {
	const options = readOptions(process.argv.slice(2));
	const startedAt = new Date();
	const env = await startEnvironment(options);
	// Ctrl-C or a kill stops n8n (its own process group) and the raw client too.
	for (const signal of ['SIGINT', 'SIGTERM'])
		process.once(signal, () => void env.close().finally(() => process.exit(130)));
	try {
		const variants = await availableVariants(env.n8n);
		const measure = await createMeasure(env);
		console.log(
			`n8n ${env.n8nVersion} (${env.nodeVersion}) at ${env.n8n.baseUrl}; sandbox ${env.sandbox.url}; variants: ${variants.join(', ')}`,
		);
		const runs = [];
		const record = (run) => {
			logRun(run);
			runs.push(run);
		};
		// Warm-up: compiles the hot paths, fills the node's client cache and n8n's caches; not reported.
		for (const variant of variants)
			record(await measure({ variant, count: Math.floor(options.count / 4), warmUp: true }));
		// 4N for the MNotify node and the Set node: heap held and handshakes as N grows.
		const plans = [
			...variants.map((variant) => ({ variant, count: options.count })),
			{ variant: variants.includes('mapped') ? 'mapped' : 'expressions', count: 4 * options.count },
			{ variant: 'setFloor', count: 4 * options.count },
		];
		for (let round = 0; round < options.runs; round++) {
			console.log(`round ${round + 1}/${options.runs}`);
			for (const plan of rotated(plans, round)) record(await measure(plan));
		}
		mkdirSync(RESULTS_DIR, { recursive: true });
		const profiles = options.profile ? await profileVariants(measure, variants, options.count) : '';

		const summaries = {};
		for (const { variant, count } of plans)
			(summaries[variant] ??= {})[count] = summarize(runs, variant, count);
		const machine = `${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)} at the end`;
		const targets = evaluateTargets({ s: summaries, count: options.count, poolSize: CONCURRENCY });
		const markdown =
			markdownReport({ machine, options, s: summaries, targets, ...env }) +
			(profiles ? `\n### Where the time goes (one profiled run each)\n\n${profiles}` : '');
		console.log(`\n${markdown}`);
		const json = JSON.stringify(
			{
				startedAt,
				n8nVersion: env.n8nVersion,
				nodeVersion: env.nodeVersion,
				machine,
				options,
				summaries,
				targets,
				runs: runs.map(({ profile: _profile, ...run }) => run),
			},
			null,
			2,
		);
		const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
		writeFileSync(path.join(RESULTS_DIR, `${stamp}.json`), json);
		writeFileSync(path.join(RESULTS_DIR, 'latest.json'), json);
		writeFileSync(path.join(RESULTS_DIR, 'latest.md'), markdown);
		console.log(`Results: ${path.relative(REPO_DIR, RESULTS_DIR)}/latest.json and latest.md`);
		if (targets.at(-1).pass === false) process.exitCode = 1;
	} finally {
		await env.close();
	}
}

main().catch((error) => {
	console.error(error?.stack ?? error);
	process.exitCode = 1;
});
