export const DEFAULT_CONCURRENCY = 8;

/**
 * Calls `work` for indexes 0..count-1, at most `limit` at a time. When `work` answers false the
 * remaining indexes are not started (running ones finish), so a failure stops further sends.
 */
export async function runWithConcurrency(
	count: number,
	limit: number,
	work: (index: number) => Promise<boolean>,
): Promise<void> {
	let next = 0;
	let stopped = false;
	const worker = async () => {
		while (!stopped && next < count) {
			const index = next++;
			if (!(await work(index))) stopped = true;
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, count)) }, worker));
}

const MAX_BACKOFF_MS = 8_000;

/** The wait before attempt `attempt + 1`: doubling from half a second, with jitter, capped. */
export function backoffMs(attempt: number): number {
	const exponential = 500 * 2 ** (attempt - 1);
	return Math.min(MAX_BACKOFF_MS, exponential) * (0.75 + Math.random() / 2);
}

/** The longest a Node.js timer can wait; a longer delay would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Waits `ms` (in steps a timer can take, so a month is a month), or less when the signal aborts
 * first; says whether it waited the whole time.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
	let left = ms;
	do {
		const step = Math.min(Math.max(0, left), MAX_TIMER_MS);
		if (!(await pauseOnce(step, signal))) return false;
		left -= step;
	} while (left > 0);
	return true;
}

async function pauseOnce(ms: number, signal?: AbortSignal): Promise<boolean> {
	if (signal?.aborted) return false;
	return await new Promise<boolean>((resolve) => {
		const done = (completed: boolean) => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', stop);
			resolve(completed);
		};
		const stop = () => done(false);
		const timer = setTimeout(() => done(true), ms);
		signal?.addEventListener('abort', stop, { once: true });
	});
}
