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
	/**
	 * A second, shorter comparison of node and raw undici with this delay added to every answer,
	 * as a real network and MNotify would (0 skips it).
	 */
	responseDelayMs: number;
	sandboxThread: SandboxThread;
}

export const USAGE = `Usage: npm run bench -- [--count N] [--concurrency C] [--runs R]
                        [--list-count M] [--list-page-size P] [--response-delay-ms D]
                        [--sandbox-thread worker|main]
Environment: BENCH_COUNT, BENCH_CONCURRENCY, BENCH_RUNS, BENCH_LIST_COUNT.`;

/** A wrong flag or value: reported without a stack trace. */
export class UsageError extends Error {}

const DEFAULTS: BenchOptions = {
	count: 2000,
	concurrency: 8,
	runs: 3,
	listCount: 10_000,
	listPageSize: 100,
	responseDelayMs: 5,
	sandboxThread: 'worker',
};

function readFlags(argv: string[]): Map<string, string> {
	const flags = new Map<string, string>();
	for (let index = 0; index < argv.length; index++) {
		const [name, inlineValue] = argv[index].split('=', 2);
		if (!name.startsWith('--'))
			throw new UsageError(`Unexpected argument "${argv[index]}"\n${USAGE}`);
		const value = inlineValue ?? argv[++index];
		if (value === undefined) throw new UsageError(`${name} needs a value\n${USAGE}`);
		flags.set(name.slice(2), value);
	}
	return flags;
}

function positiveInteger(raw: string | undefined, name: string, fallback: number): number {
	if (raw === undefined || raw === '') return fallback;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < 1) {
		throw new UsageError(`${name} must be a whole number of at least 1, not "${raw}"\n${USAGE}`);
	}
	return value;
}

function nonNegativeInteger(raw: string | undefined, name: string, fallback: number): number {
	return raw === '0' ? 0 : positiveInteger(raw, name, fallback);
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
	const known = [
		'count',
		'concurrency',
		'runs',
		'list-count',
		'list-page-size',
		'response-delay-ms',
		'sandbox-thread',
	];
	const unknown = [...flags.keys()].filter((name) => !known.includes(name));
	if (unknown.length > 0) throw new UsageError(`Unknown option --${unknown[0]}\n${USAGE}`);

	const sandboxThread = flags.get('sandbox-thread') ?? DEFAULTS.sandboxThread;
	if (sandboxThread !== 'worker' && sandboxThread !== 'main') {
		throw new UsageError(`--sandbox-thread must be worker or main\n${USAGE}`);
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
		responseDelayMs: nonNegativeInteger(
			flags.get('response-delay-ms'),
			'--response-delay-ms',
			DEFAULTS.responseDelayMs,
		),
		sandboxThread,
	};
	// The node's Concurrency option allows 1 to 32, and the API pages hold at most 100 items.
	if (options.concurrency > 32)
		throw new UsageError(`--concurrency is at most 32 (the node's limit)`);
	if (options.listPageSize > 100)
		throw new UsageError(`--list-page-size is at most 100 (the API's limit)`);
	if (options.count < 4) throw new UsageError('--count must be at least 4 (a run also uses N/4)');
	return options;
}
