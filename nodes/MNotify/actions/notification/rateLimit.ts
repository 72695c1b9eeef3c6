/**
 * "Max Sends per Minute": spaces the sends of a whole node execution evenly, on top of
 * Concurrency. When MNotify answers 429 Too Many Requests, the remaining sends wait for its
 * Retry-After and go on at half the pace; the refused item is never re-sent by the node.
 */
import { sleep } from 'n8n-workflow';

const MINUTE_MS = 60_000;
/** Without a Retry-After header, a 429 pauses the sends this long. */
const DEFAULT_PAUSE_MS = 5_000;

export class SendPacer {
	private intervalMs: number;

	private nextSlotAt = 0;

	private pausedUntil = 0;

	private readonly sentAt: number[] = [];

	/** 429 answers seen, for the execution hint. */
	slowDowns = 0;

	constructor(maxSendsPerMinute: number | undefined) {
		this.intervalMs =
			maxSendsPerMinute && maxSendsPerMinute > 0 ? MINUTE_MS / maxSendsPerMinute : 0;
	}

	/** Resolves when the next send may start; each call takes the next free slot. */
	async waitForTurn(): Promise<void> {
		const now = Date.now();
		const slot = Math.max(now, this.nextSlotAt, this.pausedUntil);
		this.nextSlotAt = slot + this.intervalMs;
		if (slot > now) await sleep(slot - now);
		this.sentAt.push(Date.now());
		if (this.sentAt.length > 10_000) this.sentAt.splice(0, this.sentAt.length - 10_000);
	}

	/** MNotify said 429: pause everything for Retry-After, then send at half the recent pace. */
	slowDown(retryAfterMs: number | undefined): void {
		this.slowDowns += 1;
		const now = Date.now();
		this.pausedUntil = Math.max(this.pausedUntil, now + (retryAfterMs ?? DEFAULT_PAUSE_MS));
		// The pace so far, over the last minute (or since the first send, at least a second).
		const recent = this.sentAt.filter((at) => at > now - MINUTE_MS);
		const windowMs = Math.max(1000, now - (recent[0] ?? now));
		const halfPaceIntervalMs = (2 * windowMs) / Math.max(1, recent.length);
		this.intervalMs = Math.max(this.intervalMs * 2, halfPaceIntervalMs);
		this.nextSlotAt = Math.max(this.nextSlotAt, this.pausedUntil);
	}

	get sendsPerMinute(): number {
		return this.intervalMs > 0 ? Math.floor(MINUTE_MS / this.intervalMs) : 0;
	}
}
