#!/usr/bin/env node
// `npm run bench:n8n`: the MNotify node inside a real n8n 2.x (the one the e2e installs), against
// n8n's HTTP Request node, n8n's Set node (the engine's floor for the same expressions) and raw
// undici from a plain Node process, all sending the same N notifications over mTLS to the sandbox.
// See dev/bench/README.md ("Inside a real n8n") for what is measured and how.
//
//   npm run bench:n8n                       # build, then N=1000, 3 rounds
//   npm run bench:n8n -- --count 2000 --runs 5 --skip-install
//   npm run bench:n8n -- --cpu-prof         # also write a CPU profile of the n8n process
//
// Results: bench-results/real-n8n/<timestamp>.json, latest.json, latest.md (git-ignored).
import { fork } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { N8nServer, freePort } from '../../e2e/lib/n8n.mjs';
import { installPackage } from '../../e2e/lib/package.mjs';
import { startSandbox } from '../../e2e/lib/sandbox.mjs';
import { E2E_DIR, REPO_DIR, readEnvFile, run } from '../../e2e/lib/util.mjs';
import { HeapProbe, startProbeEndpoint } from './heapProbe.mjs';
import { evaluateTargets, markdownReport, summarize, VARIANT_LABELS } from './report.mjs';
import { benchWorkflow, flushWorkflow, MEASURED, MNOTIFY_NODE_TYPE } from './workflows.mjs';
import { idnpFor, requestBody, subjectFor } from './workload.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
/** Requests in flight: the MNotify node's default concurrency, and raw undici's sockets. */
const CONCURRENCY = 8;

function readOptions(argv) {
	const options = { count: 1000, runs: 3, skipInstall: false, cpuProf: false };
	for (let k = 0; k < argv.length; k++) {
		const arg = argv[k];
		if (arg === '--count') options.count = Number(argv[++k]);
		else if (arg === '--runs') options.runs = Number(argv[++k]);
		else if (arg === '--skip-install') options.skipInstall = true;
		else if (arg === '--cpu-prof') options.cpuProf = true;
		else
			throw new Error(
				`unknown argument ${arg} (see the top of ${path.relative(REPO_DIR, new URL(import.meta.url).pathname)})`,
			);
	}
	if (!(options.count >= 8 && options.runs >= 1))
		throw new Error('--count must be ≥ 8 and --runs ≥ 1');
	return { ...options, concurrency: CONCURRENCY };
}

/** CPU time (user + system) of a process so far, from /proc. */
function processCpuMs(pid) {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
	return ticks * 10; // USER_HZ is 100 on Linux
}

/**
 * Live heap, in this process, of n8n items rebuilt from their JSON: what the items themselves
 * weigh (n8n holds them as {json, pairedItem} objects much like these). Needs --expose-gc.
 */
let beingWeighed; // module scope: alive across the collection that weighs it
function weighItems(items) {
	if (typeof global.gc !== 'function') return Number.NaN;
	const text = JSON.stringify(items);
	global.gc();
	const before = process.memoryUsage().heapUsed;
	beingWeighed = JSON.parse(text);
	global.gc();
	const bytes = process.memoryUsage().heapUsed - before;
	beingWeighed = undefined;
	return bytes;
}

/** Rotates the order every round, so no variant always runs first (or after the slow one). */
const rotated = (list, by) => [...list.slice(by % list.length), ...list.slice(0, by % list.length)];

/** The raw-undici process: one per benchmark, its agent kept between runs as the node keeps its pool. */
async function startRawClient(nodeBin, sandbox) {
	const client = sandbox.goodClient;
	const child = fork(path.join(HERE, 'rawUndiciChild.mjs'), [], {
		execPath: nodeBin,
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const ready = new Promise((resolve, reject) => {
		child.once('message', resolve);
		child.once('exit', (code) => reject(new Error(`raw undici process exited ${code}`)));
	});
	child.send({
		configure: {
			url: sandbox.url,
			pfxBase64: client.pfx.toString('base64'),
			passphrase: client.passphrase,
			caPem: client.caPem,
			connections: CONCURRENCY,
		},
	});
	await ready;
	return {
		send: (count) =>
			new Promise((resolve, reject) => {
				child.once('message', (m) => (m.ok ? resolve(m) : reject(new Error(m.error))));
				child.send({ send: { first: 0, count } });
			}),
		close: async () => {
			child.send('close');
			await new Promise((resolve) => child.once('exit', resolve));
		},
	};
}

/** The same request, item for item, canonically (key order ignored). */
function canonical(value) {
	if (Array.isArray(value)) return value.map(canonical);
	if (value && typeof value === 'object')
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((k) => [k, canonical(value[k])]),
		);
	return value;
}

/** Ids per item and what is wrong with the node's output items, by variant. */
const READ_OUTPUT = {
	mnotify: (item, k) => ({
		id: item.json.id,
		wrong: item.json.recipients?.[0]?.value !== idnpFor(k) ? 'recipient' : undefined,
	}),
	httpRequest: (item) => ({ id: String(item.json.data ?? '').replace(/^"|"$/g, '') }),
	setFloor: (item, k) => ({
		wrong:
			item.json.idnp !== idnpFor(k) || item.json.subject !== subjectFor(k) ? 'fields' : undefined,
	}),
};

function checkOutput(variant, items, count) {
	const problems = [];
	if (items.length !== count) problems.push(`${items.length} output items for ${count}`);
	const read = READ_OUTPUT[variant] ?? READ_OUTPUT.mnotify;
	const ids = items.map((item, k) => {
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		const { id, wrong } = read(item, k);
		if ((paired?.item ?? 0) !== k || wrong)
			problems.push(`output item ${k} is not input item ${k} (${wrong ?? 'pairedItem'})`);
		return id;
	});
	return { ids, problems: problems.slice(0, 3) };
}

/** Exactly N accepted, each id stored with the request item k's workflow would send. */
function checkStored(sandbox, ids, count) {
	const problems = [];
	const stats = sandbox.sandbox.stats;
	if (stats.notificationsAccepted !== count)
		problems.push(`sandbox accepted ${stats.notificationsAccepted} notifications, not ${count}`);
	const stored = new Map(sandbox.sandbox.notifications().map((n) => [n.id, n.request]));
	const wrong = ids.findIndex(
		(id, k) =>
			JSON.stringify(canonical(stored.get(id))) !== JSON.stringify(canonical(requestBody(k))),
	);
	if (wrong >= 0)
		problems.push(
			`notification of item ${wrong} is not the expected request: ${JSON.stringify(stored.get(ids[wrong]))}`,
		);
	return problems;
}

async function main() {
	const options = readOptions(process.argv.slice(2));
	const quarter = Math.floor(options.count / 4);
	const cache =
		process.env.MNOTIFY_E2E_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-mnotify-e2e');
	const workDir = path.join(REPO_DIR, '.e2e', 'bench-n8n');
	const startedAt = new Date();

	if (!options.skipInstall)
		await run('bash', [path.join(E2E_DIR, 'install-n8n.sh'), '--n8n2'], { prefix: '  ' });
	const install = readEnvFile(path.join(cache, 'n8n2.env'));
	const n8nVersion = JSON.parse(
		readFileSync(path.join(install.N8N_DIR, 'node_modules/n8n/package.json'), 'utf8'),
	).version;
	rmSync(workDir, { recursive: true, force: true });
	const userFolder = path.join(workDir, 'user');
	mkdirSync(userFolder, { recursive: true });
	await installPackage({ userFolder, workDir });

	const sandbox = await startSandbox({ logDir: workDir, statusStepMs: 0, logRequests: false });
	const inspectPort = await freePort();
	const profileDir = path.join(workDir, 'cpu-profiles');
	const n8n = new N8nServer({
		n8nDir: install.N8N_DIR,
		nodeBin: install.NODE_BIN,
		userFolder,
		nodeArgs: [
			`--inspect=127.0.0.1:${inspectPort}`,
			...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
		],
		env: { N8N_LOG_LEVEL: 'warn' },
	});
	let probe;
	let endpoint;
	let rawClient;
	try {
		await n8n.start();
		await n8n.setupOwner();
		await n8n.login();
		await n8n.createApiKey();
		probe = await HeapProbe.connect(inspectPort);
		endpoint = await startProbeEndpoint(probe, () => processCpuMs(n8n.proc.pid));
		rawClient = await startRawClient(install.NODE_BIN, sandbox);
		const nodeVersion = (await run(install.NODE_BIN, ['--version'], { quiet: true })).trim();

		const client = sandbox.goodClient;
		const credentials = {
			mNotifyApi: await n8n.createCredential({
				name: 'MNotify sandbox',
				type: 'mNotifyApi',
				data: sandbox.credentialData(),
			}),
			httpSslAuth: await n8n.createCredential({
				name: 'Sandbox client certificate',
				type: 'httpSslAuth',
				data: {
					ca: client.caPem,
					cert: client.certPem,
					key: client.encryptedKeyPem,
					passphrase: client.passphrase,
				},
			}),
		};
		const mnotifyProperties = (await n8n.nodeTypeDetails(MNOTIFY_NODE_TYPE, 1)).properties.map(
			(p) => p.name,
		);
		const variants = Object.keys(VARIANT_LABELS).filter(
			(v) => v !== 'mapped' || mnotifyProperties.includes('recipientsMode'),
		);
		const memoryVariant = variants.includes('mapped') ? 'mapped' : 'expressions';

		const flushId = await n8n.createWorkflow(flushWorkflow());
		const workflowIds = new Map();
		const workflowFor = async (variant, count) => {
			const key = `${variant}@${count}`;
			if (!workflowIds.has(key)) {
				const workflow = benchWorkflow({
					variant,
					count,
					credentials,
					sandboxUrl: sandbox.url,
					probeUrl: endpoint.url,
				});
				workflowIds.set(key, await n8n.createWorkflow(workflow));
			}
			return workflowIds.get(key);
		};

		/** One run, from a fresh sandbox state: no open connection, no notification, counters at 0. */
		const measure = async ({ variant, count, warmUp = false }) => {
			sandbox.sandbox.closeIdleConnections();
			await sleep(100);
			sandbox.sandbox.clearNotifications();
			sandbox.sandbox.resetStats();
			let result;
			if (variant === 'raw') {
				const sent = await rawClient.send(count);
				result = { timeMs: sent.durationMs, clientCpuMs: sent.cpuMs, ids: sent.ids, problems: [] };
			} else {
				const workflowId = await workflowFor(variant, count);
				const baselineBytes = await probe.liveBytes();
				const stopSampling = probe.samplePeak();
				const execution = await n8n.runManually(workflowId, { timeoutMs: 600_000 });
				const peakBytes = await stopSampling();
				const { before, after } = endpoint.take();
				await n8n.runManually(flushId);
				const afterBytes = await probe.liveBytes();
				const task = execution.runData[MEASURED]?.[0];
				if (execution.status !== 'success' || !task)
					throw new Error(
						`${variant}: execution ${execution.id} ${execution.status}: ${execution.errorMessage || task?.error?.message}`,
					);
				const outputItems = task.data?.main?.[0] ?? [];
				const output = checkOutput(variant, outputItems, count);
				result = {
					timeMs: task.executionTime,
					// n8n's CPU from the first probe's answer to the second's arrival: the measured node.
					clientCpuMs: after.cpuAtArrival - before.cpuAtAnswer,
					ids: output.ids,
					problems: output.problems,
					heap: {
						baselineBytes,
						// What the measured node added to the live heap and n8n holds after it.
						heldBytes: after.liveBytes - before.liveBytes,
						// ... of which its output items, weighed here.
						itemsBytes: weighItems(outputItems),
						peakBytes: peakBytes - before.liveBytes,
						// Once the execution is over (and n8n has let go of it, see flushWorkflow).
						retainedBytes: afterBytes - baselineBytes,
					},
				};
			}
			const stats = sandbox.sandbox.stats;
			const problems = [
				...result.problems,
				...(variant === 'setFloor' ? [] : checkStored(sandbox, result.ids, count)),
			];
			const runResult = {
				variant,
				count,
				warmUp,
				timeMs: result.timeMs,
				perSecond: (count / result.timeMs) * 1000,
				tlsHandshakes: stats.tlsHandshakes,
				resumedHandshakes: stats.resumedHandshakes,
				clientCpuMs: result.clientCpuMs,
				heap: result.heap,
				problems,
			};
			const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);
			console.log(
				`  ${warmUp ? 'warm-up' : 'run    '} ${variant.padEnd(11)} N=${String(count).padEnd(5)} ${result.timeMs.toFixed(0).padStart(6)} ms ` +
					`${runResult.perSecond.toFixed(0).padStart(5)}/s  ${String(stats.tlsHandshakes).padStart(4)} handshakes  CPU ${result.clientCpuMs.toFixed(0)} ms` +
					(result.heap
						? `  heap held ${mb(result.heap.heldBytes)} MB (output items ${mb(result.heap.itemsBytes)} MB), peak +${mb(result.heap.peakBytes)} MB, left after ${mb(result.heap.retainedBytes)} MB`
						: '') +
					(problems.length ? `  PROBLEMS: ${problems.join('; ')}` : ''),
			);
			return runResult;
		};

		console.log(
			`n8n ${n8nVersion} (${nodeVersion}) at ${n8n.baseUrl}; sandbox ${sandbox.url}; variants: ${variants.join(', ')}`,
		);
		const runs = [];
		// Warm-up: compiles the hot paths, fills the node's client cache and n8n's caches; not reported.
		for (const variant of variants)
			runs.push(await measure({ variant, count: quarter, warmUp: true }));
		// 4N for the MNotify node and the Set node: bytes per item held, and handshakes, as N grows.
		const plans = [
			...variants.map((variant) => ({ variant, count: options.count })),
			{ variant: memoryVariant, count: 4 * options.count },
			{ variant: 'setFloor', count: 4 * options.count },
		];
		for (let round = 0; round < options.runs; round++) {
			console.log(`round ${round + 1}/${options.runs}`);
			for (const plan of rotated(plans, round)) runs.push(await measure(plan));
		}

		const s = {};
		for (const plan of plans) {
			(s[plan.variant] ??= {})[plan.count] = summarize(runs, plan.variant, plan.count);
		}
		const machine = `${os.cpus()[0]?.model ?? 'cpu'}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(2)} at the end`;
		const targets = evaluateTargets({ s, count: options.count, poolSize: CONCURRENCY });
		const markdown = markdownReport({ machine, options, s, targets, nodeVersion, n8nVersion });
		console.log(`\n${markdown}`);
		const directory = path.join(REPO_DIR, 'bench-results', 'real-n8n');
		mkdirSync(directory, { recursive: true });
		const json = JSON.stringify(
			{ startedAt, n8nVersion, nodeVersion, machine, options, summaries: s, targets, runs },
			null,
			2,
		);
		writeFileSync(
			path.join(directory, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`),
			json,
		);
		writeFileSync(path.join(directory, 'latest.json'), json);
		writeFileSync(path.join(directory, 'latest.md'), markdown);
		console.log(`Results: ${path.relative(REPO_DIR, directory)}/latest.json and latest.md`);
		if (targets.at(-1).pass === false) process.exitCode = 1;
	} finally {
		await rawClient?.close();
		await endpoint?.close();
		probe?.close();
		await n8n.stop();
		await sandbox.close();
		if (options.cpuProf) {
			const profiles = readdirSync(profileDir, { withFileTypes: true }).map((f) =>
				path.join(profileDir, f.name),
			);
			console.log(
				`CPU profiles of n8n (open in Chrome DevTools → Performance):\n  ${profiles.join('\n  ')}`,
			);
		}
	}
}

main().catch((error) => {
	console.error(error?.stack ?? error);
	process.exitCode = 1;
});
