/**
 * The sent-ledger: where "Skip Already Notified" keeps, per dedupe key, whether a run has claimed
 * it (about to send, or sending), MNotify accepted it, or the run gave it back. The Send run
 * (dedupe.ts) talks to this interface only; the stores are n8n's processed-data store
 * (processedDataLedger.ts, no setup, approximate) and PostgreSQL (postgresLedger.ts, exact).
 */
import { createHash } from 'node:crypto';
import type { IExecuteFunctions } from 'n8n-workflow';

/** What the ledger holds for a key another run took. */
export type TakenState = 'accepted' | 'claimed';

export interface ClaimResult {
	/** Keys this run now holds: it may send them. */
	ours: Set<string>;
	/** Keys an earlier (or concurrent) run holds: sent, or claimed with no answer recorded. */
	taken: Map<string, TakenState>;
}

export interface Acceptance {
	key: string;
	notificationId?: string;
}

export interface SentLedger {
	/** Claims the keys that are free (never seen, or given back), atomically per key. */
	claim(keys: string[]): Promise<ClaimResult>;
	/**
	 * Re-Send Outcome Unknown: takes over keys `claim` reported as "claimed" by another run, if
	 * nobody took them meanwhile; returns those now this run's.
	 */
	takeOver(keys: string[]): Promise<Set<string>>;
	/** MNotify accepted these sends. */
	accept(acceptances: Acceptance[]): Promise<void>;
	/** Gives back keys this run holds and did not send (refused, never sent, stopped). */
	release(keys: string[]): Promise<void>;
	/**
	 * Right before each send: throws a LedgerError when the run may no longer send (n8n's store:
	 * its live-run lease could not be renewed). Absent: always may.
	 */
	assertLive?(): void;
	/** The end of the run: last writes, retention, connections given back. */
	close(): Promise<void>;
	/** How long accepted sends may wait to be written together (default a second). */
	readonly flushDelayMs?: number;
}

export interface LedgerRetention {
	kind: 'entries' | 'days';
	keys: number;
	days: number;
}

export interface LedgerSettings {
	scope: 'node' | 'workflow';
	retention: LedgerRetention;
}

/** A dedupe key as the ledger stores it: never the IDNP or e-mail itself. */
export function keyHash(key: string): string {
	return createHash('sha256').update(key).digest('hex');
}

/** The ledger's name for a scope: the workflow, or one node of it (by id, stable across renames). */
export function scopeName(context: IExecuteFunctions, scope: LedgerSettings['scope']): string {
	const workflow = `workflow:${String(context.getWorkflow().id ?? '')}`;
	return scope === 'workflow' ? workflow : `${workflow}/node:${context.getNode().id}`;
}

/** Runs a ledger write; a failure becomes an error that says nothing of it was sent. */
export class LedgerError extends Error {
	constructor(
		message: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'LedgerError';
	}
}
