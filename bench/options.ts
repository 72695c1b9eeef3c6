/** Command-line flags and environment variables of `npm run bench`. */
import type { SandboxThread } from './sandboxHost';

export interface BenchOptions {
	/** Notifications sent per measured run (N). */
	count: number;
	/** Requests in flight at once, for every variant (C). */
	concurrency: number;
	/** Measured repetitions of each variant (R); the median is reported. */
	runs: number;
	/** Notifications stored for the Get Many → Return All measurement. */
	listCount: number;
	/** Page size for Return All (the API allows at most 100). */
	listPageSize: number;
	sandboxThread: SandboxThread;
}

export const USAGE = `Usage: npm run bench -- [--count N] [--concurrency C] [--runs R]
                        [--list-count M] [--list-page-size P] [--sandbox-thread worker|main]
Environment: BENCH_COUNT, BENCH_CONCURRENCY, BENCH_RUNS, BENCH_LIST_COUNT.`;

const DEFAULTS: BenchOptions = {
	count: 2000,
	concurrency: 8,
	runs: 3,
	listCount: 10_000,
	listPageSize: 100,
	sandboxThread: 'worker',
};

function readFlags(argv: string[]): Map<string, string> {
	const flags = new Map<string, string>();
	for (let index = 0; index < argv.length; index++) {
		const [name, inlineValue] = argv[index].split('=', 2);
		if (!name.startsWith('--')) throw new Error(`Unexpected argument "${argv[index]}"\n${USAGE}`);
		const value = inlineValue ?? argv[++index];
		if (value === undefined) throw new Error(`${name} needs a value\n${USAGE}`);
		flags.set(name.slice(2), value);
	}
	return flags;
}

function positiveInteger(raw: string | undefined, name: string, fallback: number): number {
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 1) {
		throw new Error(`${name} must be a whole number of at least 1, not "${raw}"\n${USAGE}`);
	}
	return value;
}

export function readBenchOptions(
	argv: string[] = process.argv.slice(2),
	env: NodeJS.ProcessEnv = process.env,
): BenchOptions {
	if (argv.includes('--help') || argv.includes('-h')) {
		console.log(USAGE);
		process.exit(0);
	}
	const flags = readFlags(argv);
	const known = ['count', 'concurrency', 'runs', 'list-count', 'list-page-size', 'sandbox-thread'];
	const unknown = [...flags.keys()].filter((name) => !known.includes(name));
	if (unknown.length > 0) throw new Error(`Unknown option --${unknown[0]}\n${USAGE}`);

	const sandboxThread = flags.get('sandbox-thread') ?? DEFAULTS.sandboxThread;
	if (sandboxThread !== 'worker' && sandboxThread !== 'main') {
		throw new Error(`--sandbox-thread must be worker or main\n${USAGE}`);
	}
	const options: BenchOptions = {
		count: positiveInteger(flags.get('count') ?? env.BENCH_COUNT, '--count', DEFAULTS.count),
		concurrency: positiveInteger(
			flags.get('concurrency') ?? env.BENCH_CONCURRENCY,
			'--concurrency',
			DEFAULTS.concurrency,
		),
		runs: positiveInteger(flags.get('runs') ?? env.BENCH_RUNS, '--runs', DEFAULTS.runs),
		listCount: positiveInteger(
			flags.get('list-count') ?? env.BENCH_LIST_COUNT,
			'--list-count',
			DEFAULTS.listCount,
		),
		listPageSize: positiveInteger(
			flags.get('list-page-size'),
			'--list-page-size',
			DEFAULTS.listPageSize,
		),
		sandboxThread,
	};
	// The node's Concurrency option allows 1 to 32, and the API pages hold at most 100 items.
	if (options.concurrency > 32) throw new Error(`--concurrency is at most 32 (the node's limit)`);
	if (options.listPageSize > 100) throw new Error(`--list-page-size is at most 100 (the API's limit)`);
	if (options.count < 4) throw new Error('--count must be at least 4 (a run also uses N/4)');
	return options;
}
