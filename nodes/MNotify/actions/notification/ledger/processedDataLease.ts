/**
 * The live-run lease in n8n's processed-data store: one Send run at a time per dedupe scope.
 *
 * n8n's store rewrites its whole row without a lock, so two runs claiming keys in one row at once
 * can lose each other's claims; a second run is refused before it claims anything instead. The
 * lease is a few values in the same row: per time slot `live.v1|<slot>` (a run holds it) and
 * `live.v1|<slot>|<run id>` (which run), renewed each slot, removed when the run ends. A run
 * killed with its worker stops renewing: its lease lapses within two slots. The holder's start
 * slot is kept as bits (`live.v1|since|<bit>`), so a refused run can say since when.
 *
 * Values can only be tested, and every test records them: a starter records the current and the
 * previous slot's values and is refused if either was there already (what it recorded as a side
 * effect is removed again). Of two processes starting at the same moment, the last writer of the
 * row keeps its values and the other's are lost: each reads its run value back after the row's
 * settling delay (twice), and the one that lost it is refused too.
 */
import { randomBytes } from 'node:crypto';
import { sleep } from 'n8n-workflow';

import { LedgerError } from './ledger';
import type { ProcessedDataRow } from './processedDataRow';

/** How long a lease slot lasts; a killed run's lease lapses one to two slots after its last renewal. */
export const LEASE_SLOT_MS = 15_000;
/** The start slot is kept modulo 2^13 slots (34 hours): enough to name the time of day. */
const SINCE_BITS = 13;
/** The most lease values a row holds at once (holders, dead leases, starters' probes), kept on top of the keys. */
export const LEASE_MAX_VALUES = 64;

const PREFIX = 'live.v1';
const slotValue = (slot: number) => `${PREFIX}|${slot}`;
const sinceBit = (bit: number) => `${PREFIX}|since|${bit}`;
const ALL_SINCE_BITS = Array.from({ length: SINCE_BITS }, (_, bit) => sinceBit(bit));

/** What the refusal says about the scope and the time, in the user's words. */
export interface LeaseDescription {
	scope: string;
	formatTime: (ms: number) => string;
}

export class LiveRunLease {
	private readonly runId: string;

	/** The slot values this run holds (its start bits come with them). */
	private slotValues: string[] = [];

	private startSlot = 0;

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
		return this.slotValues.length > 0 ? [...this.slotValues, ...this.sinceValues()] : [];
	}

	/** Takes the lease, or throws a LedgerError saying another run is live. */
	async acquire(): Promise<void> {
		const slot = currentSlot();
		this.startSlot = slot;
		const mine = [slotValue(slot - 1), slotValue(slot), this.runValue(slot)];
		const fresh = await this.row.record([...mine, ...ALL_SINCE_BITS]);
		if (!fresh.has(slotValue(slot)) || !fresh.has(slotValue(slot - 1))) {
			const found = ALL_SINCE_BITS.filter((value) => !fresh.has(value));
			await this.row.remove([...mine, ...ALL_SINCE_BITS].filter((value) => fresh.has(value)));
			throw this.refusal(sinceSlot(slot, found));
		}
		this.slotValues = mine;
		await this.row.remove(this.notSinceValues());
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

	private sinceValues(): string[] {
		const code = this.startSlot % 2 ** SINCE_BITS;
		return ALL_SINCE_BITS.filter((_, bit) => (code >> bit) & 1);
	}

	private notSinceValues(): string[] {
		const ours = new Set(this.sinceValues());
		return ALL_SINCE_BITS.filter((value) => !ours.has(value));
	}

	/** At each slot boundary: this slot's values in, those older than the previous slot out. */
	private scheduleRenewal(): void {
		if (this.ended) return;
		const nextSlotAt = (currentSlot() + 1) * LEASE_SLOT_MS;
		this.renewal = setTimeout(() => {
			this.renewing = this.renew().catch(() => undefined); // the next slot tries again
			void this.renewing.then(() => this.scheduleRenewal());
		}, nextSlotAt - Date.now()).unref();
	}

	private async renew(): Promise<void> {
		const slot = currentSlot();
		const current = [slot - 1, slot].flatMap((s) => [slotValue(s), this.runValue(s)]);
		const old = this.slotValues.filter((value) => !current.includes(value));
		this.slotValues = current;
		await this.row.record(this.held, true);
		// Also clears start bits a refused starter's probe may have left behind.
		await this.row.remove([...old, ...this.notSinceValues()]);
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

/** The latest slot up to `slot` whose low bits are the holder's start bits found. */
function sinceSlot(slot: number, presentBits: string[]): number {
	let code = 0;
	for (const value of presentBits) code |= 1 << ALL_SINCE_BITS.indexOf(value);
	const period = 2 ** SINCE_BITS;
	return slot - ((slot - code) % period);
}
