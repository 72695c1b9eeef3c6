/**
 * CPU time of the calling thread, so the client (main thread) and the sandbox (worker thread)
 * can be told apart: process.cpuUsage() adds up every thread, and Node 20 has no per-thread
 * call. On Linux /proc/thread-self/stat has it, in clock ticks; elsewhere the event loop's
 * active time stands in (it also counts time the thread waited for a core).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** utime and stime are fields 14 and 15 of stat(5); counting starts after "pid (comm) ". */
const UTIME_INDEX = 14 - 3;

let procAvailable = process.platform === 'linux';

export function threadCpuMs(): number {
	if (procAvailable) {
		try {
			const stat = readFileSync('/proc/thread-self/stat', 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			const ticks = Number(fields[UTIME_INDEX]) + Number(fields[UTIME_INDEX + 1]);
			if (Number.isFinite(ticks)) return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
		} catch {
			// Not mounted (some containers): fall back below.
		}
		procAvailable = false;
	}
	return performance.eventLoopUtilization().active;
}

export const threadCpuSource = (): string =>
	procAvailable
		? 'per-thread CPU time from /proc/thread-self/stat (10 ms ticks)'
		: 'event-loop active time (performance.eventLoopUtilization)';
