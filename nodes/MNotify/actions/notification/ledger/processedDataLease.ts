/**
 * The live-run lease in n8n's processed-data store: one Send run at a time per dedupe scope.
 *
 * n8n's store rewrites its whole row without a lock, so two runs claiming keys in one row at once
 * can lose each other's claims; a second run is refused before it claims anything instead. The
 * lease is a few values in the same row: per time slot `live.v1|<slot>` (a run holds it), renewed
 * each slot, removed when the run ends. A run killed with its worker stops renewing: its lease
 * lapses within two slots. The holder's start slot and the slot of its last renewal are kept as
 * bits (`live.v1|since|<bit>`, `live.v1|at|<bit>`): a refused run can say since when, and the
 * next run can name, and remove, the slot values a killed run left behind.
 *
 * Values can only be tested, and every test records them: a starter records the current and the
 * previous slot's values and is refused if either was there already (what it recorded as a side
 * effect is removed again). Of two processes starting at the same moment, the last writer of the
 * row keeps its values and the other's are lost: each reads a value of its own
 * (`live.v1|<slot>|<run id>`) back after the row's settling delay (twice), and the one that lost
 * it is refused too; the winner then removes it.
 *
 * A run that cannot renew its lease (the store fails) starts no more sends: another run could
 * take the lease once it lapses (`assertHeld`).
 */
import { randomBytes } from 'node:crypto';
import { sleep } from 'n8n-workflow';

import { LedgerError } from './ledger';
import type { ProcessedDataRow } from './processedDataRow';

/** How long a lease slot lasts; a killed run's lease lapses one to two slots after its last renewal. */
export const LEASE_SLOT_MS = 15_000;
/** Slots are kept as bits modulo 2^13 slots (34 hours): enough to name the time of day. */
const SLOT_BITS = 13;
/**
 * The most lease values a row holds at once, kept on top of the keys: a holder's (2 slots and
 * 2 × 13 bits), a starter's probe (3 and 2 × 13) and what a killed run left until the next run.
 */
export const LEASE_MAX_VALUES = 64;
/**
 * A run whose renewal is this late (the store hangs or fails) stops sending before its lease
 * could lapse; a run starting then still needs its own acquisition and claims before sending.
 */
export const RENEWAL_MARGIN_MS = 2_000;

const PREFIX = 'live.v1';
const slotValue = (slot: number) => `${PREFIX}|${slot}`;
const slotBits = (kind: 'since' | 'at') =>
	Array.from({ length: SLOT_BITS }, (_, bit) => `${PREFIX}|${kind}|${bit}`);
const ALL_SINCE_BITS = slotBits('since');
const ALL_AT_BITS = slotBits('at');

/** What the refusal says about the scope and the time, in the user's words. */
export interface LeaseDescription {
	scope: string;
	formatTime: (ms: number) => string;
}

export class LiveRunLease {
	private readonly runId: string;

	/** The slot values this run holds (its start and renewal bits come with them). */
	private slotValues: string[] = [];

	private startSlot = 0;

	private renewedSlot = 0;

	/** Until then no other run can take the lease: two slots after the last renewal's. */
	private heldUntil = 0;

	/** Why the lease can no longer be relied on (a failed renewal). */
	private lost: LedgerError | undefined;

	private renewal: NodeJS.Timeout | undefined;

	private renewing: Promise<void> = Promise.resolve();

	private ended = false;

	constructor(
		private readonly row: ProcessedDataRow,
		executionId: string,
		private readonly description: LeaseDescription,
	) {
		this.runId = `${executionId}-${randomBytes(4).toString('hex')}`;
	}

	/** The lease values this run holds, re-asserted by every call of its ledger. */
	get held(): string[] {
		if (this.slotValues.length === 0) return [];
		return [
			...this.slotValues,
			...ownBits(ALL_SINCE_BITS, this.startSlot),
			...ownBits(ALL_AT_BITS, this.renewedSlot),
		];
	}

	/** Before each send: throws a LedgerError once the run may have lost the lease. */
	assertHeld(): void {
		if (this.heldUntil === 0 || this.slotValues.length === 0) return; // not taken yet, or given back
		if (this.lost) throw this.lost;
		if (Date.now() > this.heldUntil - RENEWAL_MARGIN_MS) {
			const storeError = this.row.lastError;
			throw this.lostLease(
				`its renewal has not been written in time${storeError ? `; n8n's store last failed with: ${storeError}` : ''}`,
			);
		}
	}

	/** Takes the lease, or throws a LedgerError saying another run is live. */
	async acquire(): Promise<void> {
		const slot = currentSlot();
		this.startSlot = slot;
		this.renewedSlot = slot;
		const mine = [slotValue(slot - 1), slotValue(slot), this.runValue(slot)];
		const probe = [...mine, ...ALL_SINCE_BITS, ...ALL_AT_BITS];
		const fresh = await this.row.record(probe);
		const found = (bits: string[]) => bits.filter((value) => !fresh.has(value));
		if (!fresh.has(slotValue(slot)) || !fresh.has(slotValue(slot - 1))) {
			await this.row.remove(probe.filter((value) => fresh.has(value)));
			throw this.refusal(latestSlotWithBits(slot, found(ALL_SINCE_BITS)));
		}
		this.slotValues = mine;
		const leftBehind = found(ALL_SINCE_BITS).length + found(ALL_AT_BITS).length > 0;
		const stale = leftBehind ? staleSlotValues(slot, found(ALL_AT_BITS)) : [];
		await this.row.remove([...this.othersBits(), ...stale]);
		// Twice: a concurrent starter's write that lands late (a slow worker) still shows.
		for (let readBack = 0; readBack < 2; readBack++) {
			await sleep(this.row.settleMs);
			const lost = await this.row.record(this.held, true);
			if (lost.has(this.runValue(slot))) {
				// Another process wrote the row at the same moment and its values stayed: it is live.
				this.slotValues = [];
				await this.row.remove([this.runValue(slot)]);
				throw this.refusal(slot);
			}
		}
		// The run value has done its work; only values the next run can name stay in the row.
		this.slotValues = [slotValue(slot - 1), slotValue(slot)];
		await this.row.remove([this.runValue(slot)]);
		// A slow acquisition (a loaded database) may end in a later slot: renew before sending.
		if (currentSlot() > slot) await this.renew();
		else this.heldUntil = (slot + 2) * LEASE_SLOT_MS;
		this.scheduleRenewal();
	}

	/** The run ended (sent, failed or stopped): the next run may start at once. */
	async release(): Promise<void> {
		this.ended = true;
		clearTimeout(this.renewal);
		await this.renewing;
		const held = this.held;
		this.slotValues = [];
		await this.row.remove(held);
	}

	private runValue(slot: number): string {
		return `${slotValue(slot)}|${this.runId}`;
	}

	/** Start and renewal bits that are not this run's (a refused starter's, a killed run's). */
	private othersBits(): string[] {
		const ours = new Set(this.held);
		return [...ALL_SINCE_BITS, ...ALL_AT_BITS].filter((value) => !ours.has(value));
	}

	/**
	 * At each slot boundary: this slot's values in, those older than the previous slot out. A
	 * renewal that fails ends the renewals: the run starts no more sends (assertHeld).
	 */
	private scheduleRenewal(): void {
		if (this.ended) return;
		// At the end of the slot last written; at once if that is over (a slow acquisition).
		const dueAt = (this.renewedSlot + 1) * LEASE_SLOT_MS;
		this.renewal = setTimeout(
			() => {
				this.renewing = this.renew().then(
					() => this.scheduleRenewal(),
					(error: unknown) => {
						this.lost = this.lostLease(`it failed: ${(error as Error)?.message ?? String(error)}`);
					},
				);
			},
			Math.max(0, dueAt - Date.now()),
		).unref();
	}

	private async renew(): Promise<void> {
		const slot = currentSlot();
		const current = [slotValue(slot - 1), slotValue(slot)];
		const old = this.slotValues.filter((value) => !current.includes(value));
		this.slotValues = current;
		this.renewedSlot = slot;
		await this.row.record(this.held, true);
		this.heldUntil = (slot + 2) * LEASE_SLOT_MS;
		// Also clears bits a refused starter's probe may have left behind.
		await this.row.remove([...old, ...this.othersBits()]);
	}

	private lostLease(why: string): LedgerError {
		const since = this.description.formatTime(Date.now());
		return new LedgerError(
			`This run lost its live-run lease in n8n's processed-data store: it could not renew it (${why}, ${since}), so it starts no more sends`,
			"Without the lease, another run on this dedupe scope could start sending to the same people. The items sent before are in the output with their ids; the items with this error were not sent. Check n8n's database, then run again: the items sent are skipped; if those with this error show as outcome unknown (the store could not take their keys back), re-send them with Re-send Outcome Unknown.",
		);
	}

	private refusal(holderSlot: number): LedgerError {
		const since = this.description.formatTime(holderSlot * LEASE_SLOT_MS);
		const waitS = (2 * LEASE_SLOT_MS) / 1000;
		return new LedgerError(
			`Another run of ${this.description.scope} is sending on this dedupe scope in n8n's processed-data store (since about ${since}); this run was refused before sending anything`,
			`n8n's store keeps the whole scope in one database row without a lock, so it cannot take two runs at once. Wait for the other run to finish (or up to ${waitS} s after n8n stopped or crashed during it) and run again, or set Ledger to PostgreSQL for runs in parallel, queue mode or webhooks that may be retried.`,
		);
	}
}

function currentSlot(): number {
	return Math.floor(Date.now() / LEASE_SLOT_MS);
}

/** The values among `bits` (since or at) that encode `slot`. */
function ownBits(bits: string[], slot: number): string[] {
	const code = slot % 2 ** SLOT_BITS;
	return bits.filter((_, bit) => (code >> bit) & 1);
}

/** The latest slot up to `slot` whose low bits are the bits found (of one kind). */
function latestSlotWithBits(slot: number, presentBits: string[]): number {
	let code = 0;
	for (const value of presentBits) code |= 1 << Number(value.split('|').pop());
	const period = 2 ** SLOT_BITS;
	return slot - ((slot - code) % period);
}

/**
 * The slot values a killed run left: those of its last renewal, named by the renewal bits it
 * left. (Newer ones would have refused this run.)
 */
function staleSlotValues(slot: number, presentAtBits: string[]): string[] {
	const lastRenewal = latestSlotWithBits(slot, presentAtBits);
	return lastRenewal < slot - 1 ? [slotValue(lastRenewal - 1), slotValue(lastRenewal)] : [];
}
