/**
 * The ledger in n8n's processed-data store (`this.helpers.checkProcessedAndRecord` and family):
 * no setup, in n8n's own database, so every queue-mode worker sees the same keys, but approximate.
 *
 * n8n's store (DeduplicationHelper in n8n 2.41.1) keeps all values of one scope in ONE database
 * row that every call reads, changes and writes back without a lock, and every check also records.
 * A key is two values: "claimed" (kept) and "pending" (removed once MNotify accepted the send; still
 * there = outcome unknown). So: our calls to a row go one at a time (merged, spaced) in each
 * process; claims are read back after a settling delay (another worker's concurrent write can
 * overwrite them) before anything is sent; every later call re-asserts the run's own values
 * (repairing such overwrites); a probe that recorded a value as a side effect is removed again.
 * The store cannot hold notification ids or times, so it cannot list what was sent, only count.
 * And one run at a time per scope: a second live run is refused (processedDataLease.ts).
 * The reading of n8n this relies on: docs/contract.md R21 and dev/README.md, "n8n's processed-data
 * store".
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { LEASE_MAX_VALUES, LiveRunLease } from './processedDataLease';
import { ProcessedDataRow } from './processedDataRow';
import type { Acceptance, ClaimResult, LedgerSettings, SentLedger, TakenState } from './ledger';

/** With retention in days, and in the workflow's shared row, the store keeps at most this many keys. */
export const STORE_MAX_KEYS = 100_000;
/** How many tries to get this run's claims to stick before giving up on a chunk. */
const MAX_CLAIM_ROUNDS = 8;
const DAY_MS = 86_400_000;

interface KeyValues {
	/** Recorded before the send and kept: the key was taken (the first one decides). */
	claimed: string[];
	/** Recorded before the send, removed once MNotify accepted it: still there = outcome unknown. */
	pending: string;
}

/** Values per key: claimed (in two periods with retention in days) and, while open, pending. */
const valuesPerKey = (settings: LedgerSettings) => (settings.retention.kind === 'days' ? 3 : 2);

/**
 * How many keys a row keeps. The workflow's row is shared by every node that uses that scope, so
 * no node's own retention may trim it: it keeps the store's maximum.
 */
export function storeCapacity(settings: LedgerSettings): number {
	if (settings.scope === 'workflow' || settings.retention.kind === 'days') return STORE_MAX_KEYS;
	return settings.retention.keys;
}

/**
 * One run's keys in n8n's store. Every way this bookkeeping can fail (a lost write of the store, a
 * probe's side effect that stays) leaves a key looking taken or unknown, never free: nobody is
 * notified twice, and nobody silently counted as notified.
 */
export class ProcessedDataLedger implements SentLedger {
	private readonly row: ProcessedDataRow;

	/** Taken before the first claim, given back when the run closes. */
	private readonly lease: LiveRunLease;

	private leasing: Promise<void> | undefined;

	/** Values this run recorded and that must stay; re-asserted by every call. */
	private readonly own = new Set<string>();

	private pendingRemovals: string[] = [];

	/**
	 * "pending" values that must go: of sends MNotify accepted, and those a probe recorded. Each is
	 * removed once: n8n's removal costs the whole row per value, and a removal lost to a concurrent
	 * writer only leaves the key looking "outcome unknown", never free.
	 */
	private readonly notPending = new Set<string>();

	/** Own values found missing (overwritten by a concurrent writer) and written again. */
	repairs = 0;

	constructor(
		context: IExecuteFunctions,
		private readonly settings: LedgerSettings,
		private readonly now = Date.now(),
	) {
		this.row = new ProcessedDataRow(context, settings.scope, {
			mode: 'entries',
			maxEntries: storeCapacity(settings) * valuesPerKey(settings) + LEASE_MAX_VALUES,
		});
		this.lease = new LiveRunLease(this.row, context.getExecutionId(), {
			scope:
				settings.scope === 'workflow'
					? 'an MNotify node of this workflow (Dedupe Scope: This Workflow)'
					: 'this node',
			formatTime: (ms) => timeOfDay(ms, context.getTimezone()),
		});
	}

	/**
	 * Every call costs the whole row: accepted sends are written together, ten calls' time apart
	 * at least, so the store takes a bounded share of the run however large the row grows.
	 */
	get flushDelayMs(): number {
		return Math.max(1000, 10 * this.row.typicalMs);
	}

	async claim(keys: string[]): Promise<ClaimResult> {
		this.leasing ??= this.lease.acquire();
		await this.leasing;
		this.lease.assertHeld();
		const taken = new Map<string, TakenState>();
		// One call claims the new keys and, for keys claimed before, asks whether they are still
		// pending (outcome unknown) or not (sent). Asking records "pending" where it was missing;
		// that side effect is undone below (if the undoing is lost, the key looks unknown).
		const fresh = await this.flush(
			keys.flatMap((key) => {
				const { claimed, pending } = this.values(key);
				return [...claimed, pending];
			}),
		);
		const ours: string[] = [];
		for (const key of keys) {
			const { claimed, pending } = this.values(key);
			if (fresh.has(claimed[0])) {
				ours.push(key);
				for (const value of [...claimed, pending]) this.own.add(value);
				continue;
			}
			const unknown = !fresh.has(pending);
			if (!unknown) this.notPending.add(pending);
			if (claimed.length > 1 && fresh.has(claimed[1])) this.pendingRemovals.push(claimed[1]);
			taken.set(key, unknown ? 'claimed' : 'accepted');
		}
		await this.removePending();

		// Nothing is sent before its claim has been read back after the settling delay.
		if (ours.length > 0) await this.confirmClaims(ours);
		return { ours: new Set(ours), taken };
	}

	assertLive(): void {
		this.lease.assertHeld();
	}

	async takeOver(keys: string[]): Promise<Set<string>> {
		for (const key of keys) {
			const { claimed, pending } = this.values(key);
			for (const value of [...claimed, pending]) this.own.add(value);
		}
		return new Set(keys);
	}

	async accept(acceptances: Acceptance[]): Promise<void> {
		for (const { key } of acceptances) {
			const { pending } = this.values(key);
			this.own.delete(pending);
			this.notPending.add(pending);
		}
		await this.flush([]);
	}

	async release(keys: string[]): Promise<void> {
		for (const key of keys) {
			const { claimed, pending } = this.values(key);
			for (const value of [...claimed, pending]) {
				if (this.own.delete(value)) this.pendingRemovals.push(value);
			}
		}
		await this.removePending();
	}

	/** Writes what is pending and checks, after the settling delay, that it stuck; then lets the next run in. */
	async close(): Promise<void> {
		try {
			await this.flush([]);
			await sleep(this.row.settleMs);
			await this.flush([]);
		} finally {
			await this.lease.release();
		}
	}

	/** Keys kept and the row's capacity, for a hint when it fills up. */
	async usage(): Promise<{ keys: number; capacity: number }> {
		return {
			keys: Math.floor((await this.row.count()) / valuesPerKey(this.settings)),
			capacity: storeCapacity(this.settings),
		};
	}

	private values(key: string): KeyValues {
		const pending = `pending:${key}`;
		if (this.settings.retention.kind === 'entries') return { claimed: [`claimed:${key}`], pending };
		// Claimed in this period and the next, checked in this period: a key is remembered for
		// one to two periods of the chosen number of days.
		const period = Math.floor(this.now / (this.settings.retention.days * DAY_MS));
		return { claimed: [`claimed:${period}:${key}`, `claimed:${period + 1}:${key}`], pending };
	}

	private async confirmClaims(keys: string[]): Promise<void> {
		const values = keys.flatMap((key) => {
			const { claimed, pending } = this.values(key);
			return [...claimed, pending];
		});
		for (let round = 1; ; round++) {
			await sleep(this.row.settleMs * Math.min(round, 3));
			const lost = await this.row.record(values, true);
			if (lost.size === 0) return;
			this.repairs += lost.size;
			if (round >= MAX_CLAIM_ROUNDS) {
				throw new Error(
					`Could not record the dedupe keys in n8n's database: other runs kept overwriting them (${lost.size} lost after ${round} tries). Nothing of this part of the run was sent; run it again, or use the PostgreSQL ledger (the node's Ledger parameter), which cannot race.`,
				);
			}
		}
	}

	/** Records `values` and re-asserts every value this run owns; returns which of `values` were new. */
	private async flush(values: string[]): Promise<Set<string>> {
		const owned = [...this.own, ...this.lease.held];
		// Both requests go out together: the store is asked once.
		const [repaired, fresh] = await Promise.all([
			this.row.record(owned, true),
			this.row.record(values),
		]);
		this.repairs += repaired.size;
		await this.removePending();
		return fresh;
	}

	private async removePending(): Promise<void> {
		const removals = [...this.pendingRemovals, ...this.notPending];
		this.pendingRemovals = [];
		this.notPending.clear();
		await this.row.remove(removals);
	}
}

/** "10:42:15" in the workflow's time zone (UTC if n8n names none it knows). */
function timeOfDay(ms: number, timeZone: string): string {
	const format = (zone: string) =>
		new Date(ms).toLocaleTimeString('en-GB', { timeZone: zone, hour12: false });
	try {
		return `${format(timeZone)} ${timeZone}`;
	} catch {
		return `${format('UTC')} UTC`;
	}
}
