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
