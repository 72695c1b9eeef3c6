/**
 * How fast sends go: at most N at once (runWithConcurrency), at most M per minute (SendPacer),
 * and the waits between them (pause, backoffMs), each one ended at once by n8n's Stop.
 */

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

/*
 * "Max Sends per Minute", and the pause after MNotify's 429 Too Many Requests. MNotify's quota is
 * per certificate, so the pace is kept per credential and n8n process: every Send that uses the
 * credential in this process (Loop Over Items batches, parallel branches, concurrent executions)
 * waits for its turn at the same pacer. Each run brings its own limit; a send waits for the
 * spacing of its own limit after the last send of any run. Queue-mode workers have one each.
 */
const MINUTE_MS = 60_000;
/** Without a Retry-After header, a 429 pauses the sends this long. */
const DEFAULT_PAUSE_MS = 5_000;
/** After an overload, the added spacing halves every this long once the pause is over. */
const RECOVERY_HALF_LIFE_MS = 20_000;
/** How many recent sends the pace before an overload is measured over. */
const RECENT_TURNS = 64;
/** Pacers kept for credentials not used lately; the least recently used go first. */
const MAX_PACERS = 64;

/** The pace of one credential in this process, shared by every run that sends with it. */
class CredentialPace {
	/** When the last send was let go. */
	private lastTurnAt = Number.NEGATIVE_INFINITY;

	/** No send starts before this (a 429's Retry-After). */
	private pausedUntil = 0;

	/** Spacing added by the last overload, and when it was set: it fades (see `throttleAt`). */
	private throttleMs = 0;

	private throttleSetAt = 0;

	/** When the current overload began: a 429 for a send let go before it is part of it. */
	private overloadSince = Number.NEGATIVE_INFINITY;

	/** When the last RECENT_TURNS sends were let go (a ring), for the pace before an overload. */
	private readonly recentTurns: number[] = [];

	private nextRecent = 0;

	/**
	 * Waits until a send spaced `intervalMs` after the last one may start, and no pause holds.
	 * Every wake-up looks again, so a pause set meanwhile (a 429 elsewhere) and turns taken by
	 * other runs count. Resolves with the time the send was let go, or undefined when `signal`
	 * aborted first: then the send must not start.
	 */
	async waitForTurn(intervalMs: number, signal?: AbortSignal): Promise<number | undefined> {
		for (;;) {
			if (signal?.aborted) return undefined;
			const now = Date.now();
			const spacing = Math.max(intervalMs, this.throttleAt(now));
			const turnAt = Math.max(now, this.pausedUntil, this.lastTurnAt + spacing);
			if (turnAt <= now) {
				this.lastTurnAt = now;
				this.remember(now);
				return now;
			}
			if (!(await pause(turnAt - now, signal))) return undefined;
		}
	}

	/**
	 * MNotify answered 429 to a send let go at `sentAt`: no send starts before Retry-After. The
	 * first 429 of an overload also halves the pace; the others of the same burst (sends let go
	 * before it) only extend the pause. Says whether the pace was halved.
	 */
	slowDown(retryAfterMs: number | undefined, sentAt: number, intervalMs: number): boolean {
		const now = Date.now();
		this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? DEFAULT_PAUSE_MS));
		if (sentAt < this.overloadSince) return false;
		this.overloadSince = now;
		const spacing = Math.max(intervalMs, this.throttleAt(now));
		this.throttleMs = Math.max(2 * spacing, 2 * this.recentSpacing(now));
		this.throttleSetAt = now;
		return true;
	}

	/** The spacing the pace keeps after an overload: fading once the pause is over. */
	throttleAt(now: number): number {
		if (this.throttleMs === 0) return 0;
		const since = Math.max(0, now - Math.max(this.throttleSetAt, this.pausedUntil));
		const throttle = this.throttleMs * 0.5 ** (since / RECOVERY_HALF_LIFE_MS);
		if (throttle < 1) this.throttleMs = 0;
		return throttle < 1 ? 0 : throttle;
	}

	private remember(at: number): void {
		this.recentTurns[this.nextRecent] = at;
		this.nextRecent = (this.nextRecent + 1) % RECENT_TURNS;
	}

	/** The average time between the sends of the last minute, over at least 100 ms. */
	private recentSpacing(now: number): number {
		const recent = this.recentTurns.filter((at) => at > now - MINUTE_MS);
		const windowMs = Math.max(100, now - Math.min(now, ...recent));
		return windowMs / Math.max(1, recent.length);
	}
}

/** Paces by credential key (the connection pool's: one per credential content). */
const paces = new Map<string, CredentialPace>();

function paceFor(credentialKey: string): CredentialPace {
	let pace = paces.get(credentialKey);
	if (pace) paces.delete(credentialKey);
	else pace = new CredentialPace();
	paces.set(credentialKey, pace);
	if (paces.size > MAX_PACERS) paces.delete(paces.keys().next().value as string);
	return pace;
}

/** One run's view of its credential's pace, with the run's own limit. */
export class SendPacer {
	private readonly intervalMs: number;

	private readonly pace: CredentialPace;

	constructor(credentialKey: string, maxSendsPerMinute: number | undefined) {
		this.pace = paceFor(credentialKey);
		this.intervalMs =
			maxSendsPerMinute && maxSendsPerMinute > 0 ? MINUTE_MS / maxSendsPerMinute : 0;
	}

	/**
	 * The run's last send to ask for a turn, settled once it has it (or was stopped and those
	 * ahead of it have theirs): its sends take their turns in the order they asked.
	 */
	private lastInLine: Promise<void> = Promise.resolve();

	/** The run's sends in line; they leave it in order, so at 0 the last one has settled. */
	private inLine = 0;

	/**
	 * Resolves with the time the send may start, or undefined when `signal` (n8n's Stop) aborted
	 * the wait: then the send must not start. The run's sends go in the order they asked: without
	 * the line, whichever timer fired first took a turn, and one item could lose it many times.
	 */
	async waitForTurn(signal?: AbortSignal): Promise<number | undefined> {
		// Nobody in line (the usual case without a limit): nothing to wait for before the pace.
		const ahead = this.inLine > 0 ? this.lastInLine : undefined;
		let settle!: () => void;
		this.lastInLine = new Promise<void>((resolve) => (settle = resolve));
		this.inLine++;
		const leaveLine = () => {
			this.inLine--;
			settle();
		};
		if (ahead && !(await settledBeforeStop(ahead, signal))) {
			void ahead.then(leaveLine);
			return undefined;
		}
		try {
			return await this.pace.waitForTurn(this.intervalMs, signal);
		} finally {
			leaveLine();
		}
	}

	/** MNotify said 429 to the send let go at `sentAt` (see CredentialPace.slowDown). */
	slowDown(retryAfterMs: number | undefined, sentAt: number): void {
		this.pace.slowDown(retryAfterMs, sentAt, this.intervalMs);
	}

	/** The pace sends go at now, 0 when unlimited. */
	get sendsPerMinute(): number {
		const spacing = Math.max(this.intervalMs, this.pace.throttleAt(Date.now()));
		return spacing > 0 ? Math.floor(MINUTE_MS / spacing) : 0;
	}
}

/** Whether `promise` settled before `signal` aborted (it never rejects). */
async function settledBeforeStop(promise: Promise<void>, signal?: AbortSignal): Promise<boolean> {
	if (signal?.aborted) return false;
	if (!signal) {
		await promise;
		return true;
	}
	return await new Promise<boolean>((resolve) => {
		const stop = () => resolve(false);
		signal.addEventListener('abort', stop, { once: true });
		void promise.then(() => {
			signal.removeEventListener('abort', stop);
			resolve(true);
		});
	});
}
