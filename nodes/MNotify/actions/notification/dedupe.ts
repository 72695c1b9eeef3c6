/**
 * "Skip Already Notified": at-most-once sending across runs, with the keys kept in
 * n8n's processed-data store (`this.helpers.checkProcessedAndRecord` and family), which n8n keeps
 * in its database, so every queue-mode worker sees the same keys.
 *
 * Each item has a dedupe key. Before its POST the key is marked "claimed" and "pending"; once
 * MNotify accepted it, "pending" is removed. On a later run a claimed key is skipped: as already
 * sent, or, while still pending (a crash, a Stop, an answer that never came), as outcome unknown,
 * unless "Re-send Outcome Unknown" is on. A key whose send MNotify refused (4xx, no connection)
 * is released, so the next run sends it.
 *
 * n8n's store (DeduplicationHelper in n8n 2.41.1) keeps all values of one scope in ONE database
 * row that every call reads, changes and writes back without a lock, and every check also records.
 * So: our calls to a row go one at a time (merged, spaced) in each process; claims are read back
 * after a settling delay (another worker's concurrent write can overwrite them) before anything
 * is sent; every later call of the run re-asserts the run's own values (repairing such
 * overwrites); a probe that recorded a value as a side effect is removed again. The reading of n8n
 * this relies on: docs/contract.md R21 and dev/README.md, "n8n's processed-data store".
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { DeduplicationScope, IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { NotificationRequest } from '../../helpers/interfaces';

export interface DedupeSettings {
	scope: DeduplicationScope;
	retention: { kind: 'entries'; keys: number } | { kind: 'days'; days: number };
	resendOutcomeUnknown: boolean;
}

export const DEFAULT_RETENTION_KEYS = 10_000;
/** With retention in days, the store still keeps at most this many keys (oldest dropped first). */
const DAYS_MODE_MAX_KEYS = 100_000;
/** Values per key in the store: claimed (in two periods with retention in days) and, while a send's outcome is open, pending. */
const valuesPerKey = (settings: DedupeSettings) => (settings.retention.kind === 'days' ? 3 : 2);
/** How many tries to get this run's claims to stick before giving up on a chunk. */
const MAX_CLAIM_ROUNDS = 8;
const DAY_MS = 86_400_000;

export type SkipReason = 'alreadySent' | 'outcomeUnknown' | 'duplicateInThisRun';
export type Verdict = { send: true; resend?: boolean } | { send: false; reason: SkipReason };

const SKIP_MESSAGES: Record<SkipReason, string> = {
	alreadySent: 'An earlier run sent this notification (same dedupe key); not sent again.',
	outcomeUnknown:
		"An earlier run marked this notification as being sent but never recorded MNotify's answer (n8n stopped or crashed, the run was stopped, or the connection failed mid-request). It may or may not have reached the recipients, so it was not sent again.",
	duplicateInThisRun: 'An earlier item of this run has the same dedupe key; sent once only.',
};
const WHAT_TO_CHECK =
	'Look for it in Notification → Get Many (newest first) around the time of the earlier run. If it is not there, run again with the option "Re-send Outcome Unknown" on.';

/** The default dedupe key: a hash of who gets what (recipients, template and variables, or texts). */
export function defaultDedupeKey(request: NotificationRequest): string {
	const what = request.template
		? { template: request.template }
		: { subject: request.subject, body: request.body, bodyShort: request.bodyShort };
	const canonical = JSON.stringify({
		recipients: request.recipients,
		...what,
		resolutionPolicy: request.resolutionPolicy ?? null,
	});
	return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** The output of an item that was not sent, so a Filter on `skipped` can count them. */
export function skippedOutput(reason: SkipReason, dedupeKey: string): IDataObject {
	return {
		skipped: true,
		sent: false,
		reason,
		message: SKIP_MESSAGES[reason],
		...(reason === 'outcomeUnknown' ? { outcomeUnknown: true, whatToCheck: WHAT_TO_CHECK } : {}),
		dedupeKey,
	};
}

// ---- n8n's processed-data store, one row per scope ------------------------------------------------

type StoreCall =
	| { kind: 'record'; values: string[]; mine: boolean; done: (fresh: Set<string>) => void }
	| { kind: 'remove'; values: string[]; done: () => void }
	| { kind: 'other'; run: () => Promise<void> };

interface RowQueue {
	calls: Array<StoreCall & { fail: (error: unknown) => void; maxEntries: number }>;
	running: boolean;
	/** Recent duration of a call to the row (moving average), for the pauses below. */
	typicalMs: number;
	lastEndedAt: number;
}

/**
 * Our calls to one row, per n8n process: one at a time, consecutive "record" calls (of every run
 * in this process) merged into one, and a pause between calls that leaves other workers most of
 * the time to read and write the row without overlapping ours.
 */
const rows = new Map<string, RowQueue>();

class ProcessedDataRow {
	private readonly queue: RowQueue;

	private readonly options: { mode: 'entries'; maxEntries: number };

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly settings: DedupeSettings,
	) {
		const workflowId = String(context.getWorkflow().id ?? '');
		const rowKey = `${workflowId}|${settings.scope}|${settings.scope === 'node' ? context.getNode().id : ''}`;
		this.queue = rows.get(rowKey) ?? { calls: [], running: false, typicalMs: 0, lastEndedAt: 0 };
		rows.set(rowKey, this.queue);
		const keys =
			settings.retention.kind === 'entries' ? settings.retention.keys : DAYS_MODE_MAX_KEYS;
		this.options = { mode: 'entries', maxEntries: keys * valuesPerKey(settings) };
	}

	/** Long enough for another process's read-change-write of the row to have landed. */
	get settleMs(): number {
		return Math.min(2000, Math.max(150, 3 * this.queue.typicalMs));
	}

	/**
	 * Records the values; returns those that were not there before. `mine`: values the run already
	 * owns (written before, re-asserted): in a merged call they are served before new claims.
	 */
	async record(values: string[], mine = false): Promise<Set<string>> {
		if (values.length === 0) return new Set();
		return await new Promise<Set<string>>((done, fail) => {
			this.enqueue({
				kind: 'record',
				values,
				mine,
				done,
				fail,
				maxEntries: this.options.maxEntries,
			});
		});
	}

	async remove(values: string[]): Promise<void> {
		if (values.length === 0) return;
		await new Promise<void>((done, fail) => {
			this.enqueue({ kind: 'remove', values, done, fail, maxEntries: this.options.maxEntries });
		});
	}

	async count(): Promise<number> {
		let count = 0;
		await this.other(async () => {
			count = await this.context.helpers.getProcessedDataCount(this.settings.scope, this.options);
		});
		return count;
	}

	get capacity(): number {
		return this.options.maxEntries;
	}

	private async other(run: () => Promise<void>): Promise<void> {
		await new Promise<void>((done, fail) => {
			this.enqueue({
				kind: 'other',
				run: async () => {
					await run();
					done();
				},
				fail,
				maxEntries: this.options.maxEntries,
			});
		});
	}

	private enqueue(call: RowQueue['calls'][number]): void {
		this.queue.calls.push(call);
		if (!this.queue.running) void this.drain();
	}

	private async drain(): Promise<void> {
		const queue = this.queue;
		queue.running = true;
		while (queue.calls.length > 0) {
			const pause =
				queue.lastEndedAt + Math.min(500, Math.max(20, 2 * queue.typicalMs)) - Date.now();
			if (pause > 0) await sleep(pause);
			const head = queue.calls[0];
			let batch = [head];
			if (head.kind !== 'other') {
				const end = queue.calls.findIndex(
					(call) => call.kind !== head.kind || call.maxEntries !== head.maxEntries,
				);
				batch = queue.calls.slice(0, end === -1 ? undefined : end);
			}
			queue.calls.splice(0, batch.length);
			const startedAt = Date.now();
			const call = async () => {
				if (head.kind === 'other') await head.run();
				else if (head.kind === 'remove')
					await this.removeMerged(batch as Array<Extract<StoreCall, { kind: 'remove' }>>);
				else await this.recordMerged(batch as Array<Extract<StoreCall, { kind: 'record' }>>);
			};
			try {
				await call();
			} catch {
				// The first call for a row inserts it: when two workers do that at once, n8n's
				// insert fails on the primary key and nothing is written. Once more, on the row.
				await sleep(this.settleMs);
				await call().catch((error: unknown) => {
					for (const failed of batch) failed.fail(error);
				});
			}
			queue.lastEndedAt = Date.now();
			const tookMs = queue.lastEndedAt - startedAt;
			queue.typicalMs = queue.typicalMs === 0 ? tookMs : 0.8 * queue.typicalMs + 0.2 * tookMs;
		}
		queue.running = false;
	}

	private async removeMerged(calls: Array<Extract<StoreCall, { kind: 'remove' }>>): Promise<void> {
		const values = [...new Set(calls.flatMap((call) => call.values))];
		await this.context.helpers.removeProcessed(values, this.settings.scope, this.options);
		for (const call of calls) call.done();
	}

	/** One store call for several requests; a value new to the store is new to its first asker only. */
	private async recordMerged(calls: Array<Extract<StoreCall, { kind: 'record' }>>): Promise<void> {
		const values = [...new Set(calls.flatMap((call) => call.values))];
		const result = await this.context.helpers.checkProcessedAndRecord(
			values,
			this.settings.scope,
			this.options,
		);
		const unclaimed = new Set(result.new.map(String));
		const mineFirst = [...calls.filter((call) => call.mine), ...calls.filter((call) => !call.mine)];
		for (const call of mineFirst) {
			const fresh = new Set(call.values.filter((value) => unclaimed.has(value)));
			for (const value of fresh) unclaimed.delete(value);
			call.done(fresh);
		}
	}
}

// ---- one run's keys ---------------------------------------------------------------------------------

interface KeyValues {
	/** Recorded before the send and kept: the key was taken (the first one decides). */
	claimed: string[];
	/** Recorded before the send, removed once MNotify accepted it: still there = outcome unknown. */
	pending: string;
}

/**
 * The dedupe keys of one node execution. Items are claimed in chunks, in item order, one chunk
 * ahead of the sends, so a crash leaves at most about two chunks "outcome unknown".
 *
 * A sent key is "claimed" without "pending". Every way this bookkeeping can fail (a lost write
 * of the store, a probe's side effect that stays) leaves a key looking taken or unknown, never
 * free: nobody is notified twice, and nobody silently counted as notified.
 */
export class DedupeRun {
	private readonly row: ProcessedDataRow;

	private readonly keys = new Map<number, string>();

	private readonly firstItemByKey = new Map<string, number>();

	private readonly verdicts = new Map<number, Verdict>();

	private readonly chunks = new Map<number, Promise<void>>();

	/** Values this run recorded and that must stay; re-asserted by every call. */
	private readonly own = new Set<string>();

	private pendingRemovals: string[] = [];

	/**
	 * "pending" values that must go: of sends MNotify accepted, and those a probe recorded. Removed
	 * again with every call, as a lost removal would leave the key looking unknown. (Released
	 * claims are removed once only: another run may claim the key again at once.)
	 */
	private readonly notPending = new Set<string>();

	private readonly posted = new Set<number>();

	/** The removal of accepted sends' "pending" values, scheduled by the first send after the last one. */
	private confirming: Promise<void> | undefined;

	private confirmError: unknown;

	private readonly closing = new AbortController();

	/** Own values found missing (overwritten by a concurrent writer) and written again. */
	repairs = 0;

	constructor(
		context: IExecuteFunctions,
		private readonly settings: DedupeSettings,
		private readonly chunkSize: number,
		private readonly now = Date.now(),
	) {
		this.row = new ProcessedDataRow(context, settings);
	}

	register(itemIndex: number, key: string): void {
		this.keys.set(itemIndex, key);
		const first = this.firstItemByKey.get(key);
		if (first === undefined) this.firstItemByKey.set(key, itemIndex);
		else this.verdicts.set(itemIndex, { send: false, reason: 'duplicateInThisRun' });
	}

	/** Whether to send the item; claims its chunk (and starts claiming the next) when needed. */
	async verdict(itemIndex: number): Promise<Verdict> {
		const known = this.verdicts.get(itemIndex);
		if (known) return known;
		const chunk = Math.floor(itemIndex / this.chunkSize);
		void this.claimChunk(chunk + 1).catch(() => undefined); // ahead of the sends; errors surface when awaited
		await this.claimChunk(chunk);
		return this.verdicts.get(itemIndex) ?? { send: false, reason: 'outcomeUnknown' };
	}

	/** The POST is about to go out: from now on only MNotify's answer may release the claim. */
	posting(itemIndex: number): void {
		this.posted.add(itemIndex);
	}

	/** MNotify accepted the notification: its "pending" value goes, within a second or so. */
	sent(itemIndex: number): void {
		const { pending } = this.values(itemIndex);
		this.own.delete(pending);
		this.notPending.add(pending);
		if (this.confirming) return;
		this.confirming = delay(Math.max(1000, 3 * this.row.settleMs), undefined, {
			signal: this.closing.signal,
		})
			.then(async () => {
				this.confirming = undefined;
				await this.flush([]);
			})
			.catch((error: unknown) => {
				if (!this.closing.signal.aborted) this.confirmError = error;
			});
	}

	/** MNotify certainly did not act on the send: release the claim so a later run sends it. */
	refused(itemIndex: number): void {
		this.release(itemIndex);
	}

	/** After the last send: releases claims of items never sent, writes what is pending, checks it stuck. */
	async close(): Promise<void> {
		this.closing.abort(); // the write below makes the scheduled one unnecessary
		await this.chunksSettled();
		if (this.confirmError) throw this.confirmError;
		for (const [itemIndex, verdict] of this.verdicts) {
			if (verdict.send && !this.posted.has(itemIndex)) this.release(itemIndex);
		}
		await this.flush([]);
		await sleep(this.row.settleMs);
		await this.flush([]);
	}

	/** Keys kept and the store's capacity, for a hint when it fills up. */
	async usage(): Promise<{ keys: number; capacity: number }> {
		const perKey = valuesPerKey(this.settings);
		return {
			keys: Math.floor((await this.row.count()) / perKey),
			capacity: this.row.capacity / perKey,
		};
	}

	private keyOf(itemIndex: number): string {
		return this.keys.get(itemIndex) ?? '';
	}

	private release(itemIndex: number): void {
		const { claimed, pending } = this.values(itemIndex);
		for (const value of [...claimed, pending]) {
			if (this.own.delete(value)) this.pendingRemovals.push(value);
		}
	}

	private async chunksSettled(): Promise<void> {
		await Promise.all([...this.chunks.values()].map(async (chunk) => await chunk.catch(() => {})));
	}

	private values(itemIndex: number): KeyValues {
		const key = this.keyOf(itemIndex);
		const pending = `pending:${key}`;
		if (this.settings.retention.kind === 'entries') return { claimed: [`claimed:${key}`], pending };
		// Claimed in this period and the next, checked in this period: a key is remembered for
		// one to two periods of the chosen number of days.
		const period = Math.floor(this.now / (this.settings.retention.days * DAY_MS));
		return { claimed: [`claimed:${period}:${key}`, `claimed:${period + 1}:${key}`], pending };
	}

	private claimChunk(chunk: number): Promise<void> {
		let claiming = this.chunks.get(chunk);
		if (!claiming) {
			claiming = this.claim(chunk);
			this.chunks.set(chunk, claiming);
		}
		return claiming;
	}

	private async claim(chunk: number): Promise<void> {
		const items: number[] = [];
		for (let i = chunk * this.chunkSize; i < (chunk + 1) * this.chunkSize; i++) {
			if (this.keys.has(i) && !this.verdicts.has(i)) items.push(i);
		}
		if (items.length === 0) return;

		// One call claims the new keys and, for keys claimed before, asks whether they are still
		// pending (outcome unknown) or not (sent). Asking records "pending" where it was missing;
		// that side effect is undone below (if the undoing is lost, the key looks unknown).
		const fresh = await this.flush(
			items.flatMap((i) => {
				const { claimed, pending } = this.values(i);
				return [...claimed, pending];
			}),
		);
		const freshItems: number[] = [];
		for (const i of items) {
			const { claimed, pending } = this.values(i);
			if (fresh.has(claimed[0])) {
				freshItems.push(i);
				for (const value of [...claimed, pending]) this.own.add(value);
				continue;
			}
			const unknown = !fresh.has(pending);
			if (!unknown) this.notPending.add(pending);
			if (claimed.length > 1 && fresh.has(claimed[1])) this.pendingRemovals.push(claimed[1]);
			if (unknown && this.settings.resendOutcomeUnknown) {
				for (const value of [...claimed, pending]) this.own.add(value);
				this.verdicts.set(i, { send: true, resend: true });
			} else {
				this.verdicts.set(i, { send: false, reason: unknown ? 'outcomeUnknown' : 'alreadySent' });
			}
		}
		await this.removePending();

		// Nothing is sent before its claim has been read back after the settling delay.
		if (freshItems.length > 0) await this.confirmClaims(freshItems);
		for (const i of freshItems) this.verdicts.set(i, { send: true });
	}

	private async confirmClaims(items: number[]): Promise<void> {
		const values = items.flatMap((i) => {
			const { claimed, pending } = this.values(i);
			return [...claimed, pending];
		});
		for (let round = 1; ; round++) {
			await sleep(this.row.settleMs * Math.min(round, 3));
			const lost = await this.row.record(values, true);
			if (lost.size === 0) return;
			this.repairs += lost.size;
			if (round >= MAX_CLAIM_ROUNDS) {
				throw new Error(
					`Could not record the dedupe keys in n8n's database: other runs kept overwriting them (${lost.size} lost after ${round} tries). Nothing of this part of the run was sent; run it again.`,
				);
			}
		}
	}

	/** Records `values` and re-asserts every value this run owns; returns which of `values` were new. */
	private async flush(values: string[]): Promise<Set<string>> {
		const owned = [...this.own];
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
		await this.row.remove(removals);
	}
}
