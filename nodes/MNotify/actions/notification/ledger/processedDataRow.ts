/**
 * Our calls to one row of n8n's processed-data store (see processedDataLedger.ts for why).
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { LedgerSettings } from './ledger';

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
	/** The error of the last call, while calls fail (for a message saying why). */
	lastError?: string;
}

/**
 * Our calls to one row, per n8n process: one at a time, consecutive "record" calls (of every run
 * in this process) merged into one, and a pause between calls that leaves other workers most of
 * the time to read and write the row without overlapping ours.
 */
const rows = new Map<string, RowQueue>();

export class ProcessedDataRow {
	private readonly queue: RowQueue;

	constructor(
		private readonly context: IExecuteFunctions,
		private readonly scope: LedgerSettings['scope'],
		private readonly options: { mode: 'entries'; maxEntries: number },
	) {
		const workflowId = String(context.getWorkflow().id ?? '');
		const rowKey = `${workflowId}|${scope}|${scope === 'node' ? context.getNode().id : ''}`;
		this.queue = rows.get(rowKey) ?? { calls: [], running: false, typicalMs: 0, lastEndedAt: 0 };
		rows.set(rowKey, this.queue);
	}

	/** Why the store's last call failed, unless it has worked since. */
	get lastError(): string | undefined {
		return this.queue.lastError;
	}

	/** A call's recent duration. */
	get typicalMs(): number {
		return this.queue.typicalMs;
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
			this.enqueue({ kind: 'record', values, mine, done, fail, maxEntries: this.maxEntries });
		});
	}

	async remove(values: string[]): Promise<void> {
		if (values.length === 0) return;
		await new Promise<void>((done, fail) => {
			this.enqueue({ kind: 'remove', values, done, fail, maxEntries: this.maxEntries });
		});
	}

	async count(): Promise<number> {
		let count = 0;
		await new Promise<void>((done, fail) => {
			this.enqueue({
				kind: 'other',
				run: async () => {
					count = await this.context.helpers.getProcessedDataCount(this.scope, this.options);
					done();
				},
				fail,
				maxEntries: this.maxEntries,
			});
		});
		return count;
	}

	get maxEntries(): number {
		return this.options.maxEntries;
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
				queue.lastError = undefined;
			} catch {
				// The first call for a row inserts it: when two workers do that at once, n8n's
				// insert fails on the primary key and nothing is written. Once more, on the row.
				await sleep(this.settleMs);
				await call().then(
					() => (queue.lastError = undefined),
					(error: unknown) => {
						queue.lastError = error instanceof Error ? error.message : String(error);
						for (const failed of batch) failed.fail(error);
					},
				);
			}
			queue.lastEndedAt = Date.now();
			const tookMs = queue.lastEndedAt - startedAt;
			queue.typicalMs = queue.typicalMs === 0 ? tookMs : 0.8 * queue.typicalMs + 0.2 * tookMs;
		}
		queue.running = false;
	}

	private async removeMerged(calls: Array<Extract<StoreCall, { kind: 'remove' }>>): Promise<void> {
		const values = [...new Set(calls.flatMap((call) => call.values))];
		await this.context.helpers.removeProcessed(values, this.scope, this.options);
		for (const call of calls) call.done();
	}

	/** One store call for several requests; a value new to the store is new to its first asker only. */
	private async recordMerged(calls: Array<Extract<StoreCall, { kind: 'record' }>>): Promise<void> {
		const values = [...new Set(calls.flatMap((call) => call.values))];
		const result = await this.context.helpers.checkProcessedAndRecord(
			values,
			this.scope,
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
