/**
 * What each reliability suite measured, written to a file when it ends (suites may run in other
 * worker processes) and added up by the global teardown for the summary.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SuiteTally {
	suite: string;
	/** Faults the sandboxes injected (their own count). */
	faultsInjected: number;
	/** POST /api/notification requests the node started, retries included (undici's own events). */
	sendsAttempted: number;
	/** POST /api/notification requests the sandboxes received. */
	sendsReceived: number;
	/** Notifications stored more than once for one item (by its unique subject). */
	duplicateNotifications: number;
	/** Protected secrets found in outputs, errors or console/stdout/stderr. */
	secretLeaks: number;
	malformedInputs: number;
	malformedRejectedBeforeNetwork: number;
}

export const LEDGER_DIRECTORY = path.join(tmpdir(), 'n8n-nodes-mnotify-reliability');

export function recordTally(tally: SuiteTally): void {
	mkdirSync(LEDGER_DIRECTORY, { recursive: true });
	const file = `${tally.suite}-${process.pid}-${Date.now()}.json`;
	writeFileSync(path.join(LEDGER_DIRECTORY, file), JSON.stringify(tally));
}

/**
 * Tallies written since `sinceMs`; every file read, and any older one left by an interrupted
 * run, is deleted so the next run starts clean.
 */
export function takeTallies(sinceMs: number): SuiteTally[] {
	let files: string[];
	try {
		files = readdirSync(LEDGER_DIRECTORY).filter((file) => file.endsWith('.json'));
	} catch {
		return [];
	}
	const tallies: SuiteTally[] = [];
	for (const file of files) {
		const location = path.join(LEDGER_DIRECTORY, file);
		if (statSync(location).mtimeMs >= sinceMs) {
			tallies.push(JSON.parse(readFileSync(location, 'utf8')) as SuiteTally);
		}
		rmSync(location, { force: true });
	}
	return tallies;
}
