/**
 * "Skip Recipients Already Notified": at-most-once sending across runs, with the keys kept in
 * n8n's processed-data store (`this.helpers.checkProcessedAndRecord` and family), which n8n keeps
 * in its database, so every queue-mode worker sees the same keys.
 *
 * Each item has a dedupe key. Before its POST the key is marked "claimed"; after MNotify's answer
 * it is marked "sent". On a later run a sent key is skipped; a key claimed but never marked sent
 * (a crash, a Stop, an answer that never came) is not sent again but reported as outcome unknown,
 * unless "Re-send Outcome Unknown" is on. A key whose send MNotify refused (4xx, no connection)
 * is released, so the next run sends it.
 *
 * n8n's store (DeduplicationHelper in n8n 2.41.1) keeps all values of one scope in ONE database
 * row that every call reads, changes and writes back without a lock, and every check also records.
 * So: our calls are serialized per row in this process; claims are read back after a settling
 * delay (another worker's concurrent write can overwrite them) before anything is sent; every
 * later call of the run re-asserts the run's own values (repairing such overwrites); a probe that
 * recorded a value as a side effect is removed again. See docs/contract.md (processed-data store).
 */
import { createHash } from 'node:crypto';
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
/** Values per key in the store: claimed + sent, twice over with retention in days. */
const valuesPerKey = (settings: DedupeSettings) => (settings.retention.kind === 'days' ? 4 : 2);
/** How many tries to get this run's claims to stick before giving up on a chunk. */
const MAX_CLAIM_ROUNDS = 5;
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

/** Per row: the tail of the queue of our calls, and the slowest call seen (for the settling delay). */
const rows = new Map<string, { tail: Promise<unknown>; slowestMs: number }>();

class ProcessedDataRow {
	private readonly row: { tail: Promise<unknown>; slowestMs: number };

	private readonly options: { mode: 'entries'; maxEntries: number };

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly settings: DedupeSettings,
	) {
		const workflowId = String(context.getWorkflow().id ?? '');
		const rowKey = `${workflowId}|${settings.scope}|${settings.scope === 'node' ? context.getNode().id : ''}`;
		this.row = rows.get(rowKey) ?? { tail: Promise.resolve(), slowestMs: 0 };
		rows.set(rowKey, this.row);
		const keys =
			settings.retention.kind === 'entries' ? settings.retention.keys : DAYS_MODE_MAX_KEYS;
		this.options = { mode: 'entries', maxEntries: keys * valuesPerKey(settings) };
	}

	/** Long enough for another process's read-change-write of the row to have landed. */
	get settleMs(): number {
		return Math.min(3000, Math.max(150, 3 * this.row.slowestMs));
	}

	/** Records the values; returns those that were not there before. */
	async record(values: string[]): Promise<Set<string>> {
		if (values.length === 0) return new Set();
		const result = await this.serialized(
			async () =>
				await this.context.helpers.checkProcessedAndRecord(
					values,
					this.settings.scope,
					this.options,
				),
		);
		return new Set(result.new.map(String));
	}

	async remove(values: string[]): Promise<void> {
		if (values.length === 0) return;
		await this.serialized(
			async () =>
				await this.context.helpers.removeProcessed(values, this.settings.scope, this.options),
		);
	}

	async count(): Promise<number> {
		return await this.serialized(
			async () =>
				await this.context.helpers.getProcessedDataCount(this.settings.scope, this.options),
		);
	}

	get capacity(): number {
		return this.options.maxEntries;
	}

	private async serialized<T>(call: () => Promise<T>): Promise<T> {
		const run = this.row.tail.then(async () => {
			const startedAt = Date.now();
			try {
				return await call();
			} finally {
				this.row.slowestMs = Math.max(this.row.slowestMs, Date.now() - startedAt);
			}
		});
		this.row.tail = run.catch(() => undefined);
		return await run;
	}
}

// ---- one run's keys ---------------------------------------------------------------------------------

interface KeyValues {
	/** Checked and recorded before the send (the first is the one that decides). */
	claimed: string[];
	sent: string[];
}

/**
 * The dedupe keys of one node execution. Items are claimed in chunks, in item order, one chunk
 * ahead of the sends, so a crash leaves at most about two chunks "outcome unknown".
 */
export class DedupeRun {
	private readonly row: ProcessedDataRow;

	private readonly keys = new Map<number, string>();

	private readonly firstItemByKey = new Map<string, number>();

	private readonly verdicts = new Map<number, Verdict>();

	private readonly chunks = new Map<number, Promise<void>>();

	/** Values this run recorded and that must stay; re-asserted by every call. */
	private readonly own = new Set<string>();

	/** Values to record with the next call (sends MNotify accepted). */
	private pendingWrites: string[] = [];

	private pendingRemovals: string[] = [];

	/** The pending "sent" values' write, scheduled by the first send after the last write. */
	private confirming: Promise<void> | undefined;

	private confirmError: unknown;

	private readonly posted = new Set<number>();

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

	private keyOf(itemIndex: number): string {
		return this.keys.get(itemIndex) ?? '';
	}

	/** Whether to send the item; claims its chunk (and starts claiming the next) when needed. */
	async verdict(itemIndex: number): Promise<Verdict> {
		const known = this.verdicts.get(itemIndex);
		if (known) return known;
		const chunk = Math.floor(itemIndex / this.chunkSize);
		void this.claimChunk(chunk + 1).catch(() => undefined); // ahead of the sends; errors surface when awaited
		await this.claimChunk(chunk);
		return this.verdicts.get(itemIndex) ?? { send: false, reason: 'alreadySent' };
	}

	/** The POST is about to go out: from now on only MNotify's answer may release the claim. */
	posting(itemIndex: number): void {
		this.posted.add(itemIndex);
	}

	/** MNotify accepted the notification. Recorded with the next call of this run, within a second or so. */
	sent(itemIndex: number): void {
		this.pendingWrites.push(...this.values(itemIndex).sent);
		if (this.confirming) return;
		this.confirming = sleep(Math.max(1000, 3 * this.row.settleMs))
			.then(async () => {
				this.confirming = undefined;
				if (this.pendingWrites.length > 0) await this.flush([]);
			})
			.catch((error: unknown) => {
				this.confirmError = error;
			});
	}

	/** MNotify certainly did not act on the send: release the claim so a later run sends it. */
	refused(itemIndex: number): void {
		this.release(itemIndex);
	}

	/** After the last send: releases claims of items never sent, writes what is pending, checks it stuck. */
	async close(): Promise<void> {
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

	private release(itemIndex: number): void {
		for (const value of this.values(itemIndex).claimed) {
			if (this.own.delete(value)) this.pendingRemovals.push(value);
		}
	}

	private async chunksSettled(): Promise<void> {
		await Promise.all([...this.chunks.values()].map(async (chunk) => await chunk.catch(() => {})));
	}

	private values(itemIndex: number): KeyValues {
		const key = this.keyOf(itemIndex);
		if (this.settings.retention.kind === 'entries') {
			return { claimed: [`claimed:${key}`], sent: [`sent:${key}`] };
		}
		// Written to this period and the next, checked in this period: a key is remembered for
		// one to two periods of the chosen number of days.
		const period = Math.floor(this.now / (this.settings.retention.days * DAY_MS));
		const both = (kind: string) => [`${kind}:${period}:${key}`, `${kind}:${period + 1}:${key}`];
		return { claimed: both('claimed'), sent: both('sent') };
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

		const claimValues = items.flatMap((i) => this.values(i).claimed);
		const fresh = await this.flush(claimValues);
		const earlier = items.filter((i) => !fresh.has(this.values(i).claimed[0]));
		const freshItems = items.filter((i) => fresh.has(this.values(i).claimed[0]));
		for (const i of freshItems) for (const value of this.values(i).claimed) this.own.add(value);

		// Claimed by an earlier run: sent, or outcome unknown. Asking records the "sent" value
		// as a side effect where it was missing; that is undone right away.
		const probes = earlier.map((i) => this.values(i).sent[0]);
		const notSent = await this.row.record(probes);
		for (const i of earlier) {
			const { claimed, sent } = this.values(i);
			if (notSent.has(sent[0])) this.pendingRemovals.push(sent[0]);
			// A forward (next period) claim recorded for an item that is skipped is undone too.
			if (claimed.length > 1 && fresh.has(claimed[1])) this.pendingRemovals.push(claimed[1]);
			const unknown = notSent.has(sent[0]);
			if (unknown && this.settings.resendOutcomeUnknown) {
				for (const value of claimed) this.own.add(value);
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
		const values = items.flatMap((i) => this.values(i).claimed);
		for (let round = 1; ; round++) {
			await sleep(this.row.settleMs);
			const lost = await this.row.record(values);
			if (lost.size === 0) return;
			this.repairs += lost.size;
			if (round >= MAX_CLAIM_ROUNDS) {
				throw new Error(
					`Could not record the dedupe keys in n8n's database: other runs kept overwriting them (${lost.size} lost after ${round} tries). Nothing of this part of the run was sent; run it again.`,
				);
			}
		}
	}

	/** Records `values` together with every value this run owns; returns which of `values` were new. */
	private async flush(values: string[]): Promise<Set<string>> {
		const owned = [...this.own];
		const writes = this.pendingWrites;
		this.pendingWrites = [];
		const fresh = await this.row.record([...values, ...writes, ...owned]);
		for (const value of owned) if (fresh.has(value)) this.repairs += 1;
		for (const value of writes) this.own.add(value);
		await this.removePending();
		return fresh;
	}

	private async removePending(): Promise<void> {
		const removals = this.pendingRemovals;
		this.pendingRemovals = [];
		await this.row.remove(removals);
	}
}
