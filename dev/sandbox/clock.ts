/**
 * The sandbox's notion of "now": real time plus an offset that tests can advance. Statuses are
 * derived from it lazily, so moving the clock needs no timers.
 */
export class SandboxClock {
	private offsetMs = 0;

	now(): number {
		return Date.now() + this.offsetMs;
	}

	advance(ms: number): void {
		if (!Number.isFinite(ms) || ms < 0) {
			throw new RangeError(`advanceClock needs a non-negative number of milliseconds, got ${ms}`);
		}
		this.offsetMs += ms;
	}
}
