/**
 * "Skip Already Notified": at-most-once sending across runs, with each dedupe key in a sent-ledger
 * (ledger/ledger.ts): n8n's processed-data store or a PostgreSQL table.
 *
 * Each item has a dedupe key. Before its POST the run claims the key; once MNotify accepted the
 * send, the ledger records it (with the notification id where it can). On a later run a claimed
 * key is skipped: as already sent, or, while the answer was never recorded (a crash, a Stop, an
 * answer that never came), as outcome unknown, unless "Re-send Outcome Unknown" is on. A key
 * whose send MNotify refused (4xx, no connection), or that a stopped run never sent, is given
 * back at once, so the next run sends it.
 */
import { createHash } from 'node:crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { NotificationRequest } from '../../../helpers/interfaces';
import type { Acceptance, SentLedger } from '../ledger/ledger';

export interface DedupeSettings {
	resendOutcomeUnknown: boolean;
	/** With retention by number of keys: a run with more distinct keys is refused. */
	maxKeys?: number;
	/** Keys claimed per ledger call; with `growing`, each chunk doubles up to `maxChunk`. */
	chunk: { first: number; growing: boolean; max: number };
}

export const DEFAULT_RETENTION_KEYS = 10_000;
/** Accepted sends and given-back keys are written together, by default at most this long after the fact. */
const FLUSH_DELAY_MS = 1000;

export type SkipReason = 'alreadySent' | 'outcomeUnknown' | 'duplicateInThisRun';
export type Verdict = { send: true; resend?: boolean } | { send: false; reason: SkipReason };

const SKIP_MESSAGES: Record<SkipReason, string> = {
	alreadySent: 'An earlier run sent this notification (same dedupe key); not sent again.',
	outcomeUnknown:
		"An earlier run marked this notification as being sent but never recorded MNotify's answer (n8n stopped or crashed, the run was stopped, or the connection failed mid-request), or another run is sending it at this moment. It may or may not have reached the recipients, so it was not sent again.",
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

/** What the ledger could not record after sends: the run's output still has every id. */
export interface BookkeepingReport {
	error?: unknown;
	/** Accepted sends the ledger may not know of: a later run reports them as outcome unknown. */
	unrecorded: number;
}

/**
 * The dedupe keys of one node execution. Items are claimed in chunks, in item order, one chunk
 * ahead of the sends, so a crash leaves at most about two chunks "outcome unknown".
 */
export class DedupeRun {
	private readonly keys = new Map<number, string>();

	private readonly firstItemByKey = new Map<string, number>();

	private readonly verdicts = new Map<number, Verdict>();

	private readonly chunks = new Map<number, Promise<void>>();

	/** The first item index of each chunk, fixed at the first verdict. */
	private chunkStarts: number[] = [];

	private lastItem = 0;

	/** Items whose key this run holds and has neither sent nor given back. */
	private readonly held = new Set<number>();

	private readonly posted = new Set<number>();

	private acceptances: Acceptance[] = [];

	private releases: string[] = [];

	private flushTimer: NodeJS.Timeout | undefined;

	private flushing: Promise<void> = Promise.resolve();

	private readonly report: BookkeepingReport = { unrecorded: 0 };

	private readonly stopSignal: AbortSignal | undefined;

	private readonly onStop = () => this.stop();

	constructor(
		context: IExecuteFunctions,
		readonly ledger: SentLedger,
		private readonly settings: DedupeSettings,
	) {
		this.stopSignal = context.getExecutionCancelSignal?.();
		this.stopSignal?.addEventListener('abort', this.onStop, { once: true });
	}

	register(itemIndex: number, key: string): void {
		this.keys.set(itemIndex, key);
		const first = this.firstItemByKey.get(key);
		if (first === undefined) this.firstItemByKey.set(key, itemIndex);
		else this.verdicts.set(itemIndex, { send: false, reason: 'duplicateInThisRun' });
	}

	/** Whether to send the item; claims its chunk (and starts claiming the next) when needed. */
	async verdict(itemIndex: number): Promise<Verdict> {
		this.ledger.assertLive?.();
		const known = this.verdicts.get(itemIndex);
		if (known) return known;
		this.checkSize();
		const chunk = this.chunkOf(itemIndex);
		void this.claimChunk(chunk + 1).catch(() => undefined); // ahead of the sends; errors surface when awaited
		await this.claimChunk(chunk);
		return this.verdicts.get(itemIndex) ?? { send: false, reason: 'outcomeUnknown' };
	}

	/**
	 * The POST is about to go out: from now on only MNotify's answer may release the claim. Throws
	 * instead when the ledger may no longer send (the key is given back at the end).
	 */
	posting(itemIndex: number): void {
		this.ledger.assertLive?.();
		this.posted.add(itemIndex);
	}

	/** MNotify accepted the notification: the ledger records it within a second or so. */
	sent(itemIndex: number, notificationId: string | undefined): void {
		if (!this.held.delete(itemIndex)) return;
		this.acceptances.push({ key: this.keyOf(itemIndex), notificationId });
		this.flushSoon();
	}

	/** MNotify certainly did not act on the send: give the key back so a later run sends it. */
	refused(itemIndex: number): void {
		this.giveBack(itemIndex);
		this.flushSoon();
	}

	/** After the last send: gives back the keys of items never sent, writes what is left. */
	async close(): Promise<BookkeepingReport> {
		this.stopSignal?.removeEventListener('abort', this.onStop);
		await Promise.all([...this.chunks.values()].map(async (chunk) => await chunk.catch(() => {})));
		for (const itemIndex of [...this.held]) {
			if (!this.posted.has(itemIndex)) this.giveBack(itemIndex);
		}
		await this.flushNow();
		await this.ledger.close().catch((error: unknown) => {
			this.report.error ??= error;
		});
		return this.report;
	}

	/** n8n's Stop: the keys claimed for sends that will not happen go back at once. */
	private stop(): void {
		for (const itemIndex of [...this.held]) {
			if (!this.posted.has(itemIndex)) this.giveBack(itemIndex);
		}
		void this.flushNow();
	}

	private keyOf(itemIndex: number): string {
		return this.keys.get(itemIndex) ?? '';
	}

	private giveBack(itemIndex: number): void {
		if (this.held.delete(itemIndex)) this.releases.push(this.keyOf(itemIndex));
	}

	private flushSoon(): void {
		this.flushTimer ??= setTimeout(
			() => void this.flushNow(),
			this.ledger.flushDelayMs ?? FLUSH_DELAY_MS,
		).unref();
	}

	/** Writes the accepted sends and given-back keys collected so far, one call each. */
	private async flushNow(): Promise<void> {
		clearTimeout(this.flushTimer);
		this.flushTimer = undefined;
		const acceptances = this.acceptances;
		const releases = this.releases;
		this.acceptances = [];
		this.releases = [];
		const previous = this.flushing;
		this.flushing = (async () => {
			await previous;
			await this.ledger.accept(acceptances).catch((error: unknown) => {
				this.report.error ??= error;
				this.report.unrecorded += acceptances.length;
			});
			// A key that could not be given back stays claimed: a later run reports it as
			// outcome unknown, never sends it twice.
			await this.ledger.release(releases).catch((error: unknown) => {
				this.report.error ??= error;
			});
		})();
		await this.flushing;
	}

	/** A run larger than the retention would forget its own first keys before it ends. */
	private checkSize(): void {
		const { maxKeys } = this.settings;
		if (maxKeys === undefined || this.firstItemByKey.size <= maxKeys) return;
		throw new Error(
			`This run has ${this.firstItemByKey.size} different dedupe keys, more than Dedupe Retention (Keys) (${maxKeys}): the ledger would forget the first ones before the run ends, and a re-run would send them again. Nothing was sent. Set Options › Dedupe Retention (Keys) to at least ${this.firstItemByKey.size}, or use retention in days.`,
		);
	}

	private chunkOf(itemIndex: number): number {
		if (this.chunkStarts.length === 0) {
			for (const index of this.keys.keys()) this.lastItem = Math.max(this.lastItem, index);
			const { first, growing, max } = this.settings.chunk;
			for (let start = 0, size = first; start <= this.lastItem; start += size) {
				this.chunkStarts.push(start);
				if (growing) size = Math.min(max, size * 2);
			}
		}
		let low = 0;
		let high = this.chunkStarts.length - 1;
		while (low < high) {
			const middle = Math.ceil((low + high) / 2);
			if (this.chunkStarts[middle] <= itemIndex) low = middle;
			else high = middle - 1;
		}
		return low;
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
		if (chunk >= this.chunkStarts.length || this.stopSignal?.aborted) return;
		const end = this.chunkStarts[chunk + 1] ?? this.lastItem + 1;
		const items: number[] = [];
		for (let itemIndex = this.chunkStarts[chunk]; itemIndex < end; itemIndex++) {
			if (this.keys.has(itemIndex) && !this.verdicts.has(itemIndex)) items.push(itemIndex);
		}
		if (items.length === 0) return;
		const keys = items.map((itemIndex) => this.keyOf(itemIndex));
		const claimed = await this.ledger.claim(keys);
		const { taken } = claimed;
		const unknown = [...taken].filter(([, state]) => state === 'claimed').map(([key]) => key);
		const resent =
			this.settings.resendOutcomeUnknown && unknown.length > 0
				? await this.ledger.takeOver(unknown)
				: new Set<string>();
		const ours = new Set([...claimed.ours, ...resent]);
		for (const itemIndex of items) {
			const key = this.keyOf(itemIndex);
			if (ours.has(key)) {
				this.held.add(itemIndex);
				this.verdicts.set(
					itemIndex,
					resent.has(key) ? { send: true, resend: true } : { send: true },
				);
			} else {
				const reason = taken.get(key) === 'accepted' ? 'alreadySent' : 'outcomeUnknown';
				this.verdicts.set(itemIndex, { send: false, reason });
			}
		}
		// Stopped while claiming: these will not be sent.
		if (this.stopSignal?.aborted) this.stop();
	}
}
