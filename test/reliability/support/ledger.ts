/**
 * What each reliability suite measured, written to a file when it ends (suites may run in other
 * worker processes) and added up by the global teardown for the summary.
 */
import {
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
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
	/** Sends the node started after n8n's Stop, while the stopped node still ran (must be 0). */
	sendsStartedAfterStop: number;
	/** Sends repeated after an earlier copy had been written to a socket (must be 0). */
	writesReplayed: number;
	/** Stored notifications that no output, error, custom data or log named (must be 0). */
	unknownOutcomesNotNamed: number;
	/** Notifications stored more than once for one item (by its unique subject). */
	duplicateNotifications: number;
	/** Sends the sandboxes received while a 429's Retry-After was running (must be 0). */
	retryAfterViolations: number;
	/** Connections toward Production by agents' writes not allowed there (must be 0). */
	agentProductionWrites: number;
	/** Protected secrets found in outputs, errors or console/stdout/stderr. */
	secretLeaks: number;
	malformedInputs: number;
	malformedRejectedBeforeNetwork: number;
}

/** One folder per jest run (set by the global setup), so runs side by side do not mix. */
export const LEDGER_ENVIRONMENT_VARIABLE = 'MNOTIFY_RELIABILITY_LEDGER';
// Read when used: jest may load the teardown module before the global setup has run.
const ledgerDirectory = () =>
	process.env[LEDGER_ENVIRONMENT_VARIABLE] ?? path.join(tmpdir(), 'n8n-nodes-mnotify-reliability');

export function recordTally(tally: SuiteTally): void {
	mkdirSync(ledgerDirectory(), { recursive: true });
	const file = `${tally.suite}-${process.pid}-${Date.now()}.json`;
	writeFileSync(path.join(ledgerDirectory(), file), JSON.stringify(tally));
}

/**
 * Tallies written since `sinceMs`; every file read, and any older one left by an interrupted
 * run, is deleted so the next run starts clean.
 */
export function takeTallies(sinceMs: number): SuiteTally[] {
	let files: string[];
	try {
		files = readdirSync(ledgerDirectory()).filter((file) => file.endsWith('.json'));
	} catch {
		return [];
	}
	const tallies: SuiteTally[] = [];
	for (const file of files) {
		const location = path.join(ledgerDirectory(), file);
		if (statSync(location).mtimeMs >= sinceMs) {
			tallies.push(JSON.parse(readFileSync(location, 'utf8')) as SuiteTally);
		}
		rmSync(location, { force: true });
	}
	return tallies;
}

/** Jest global setup: a fresh ledger folder for this run, inherited by the test workers. */
export function startLedger(): void {
	process.env[LEDGER_ENVIRONMENT_VARIABLE] = mkdtempSync(
		path.join(tmpdir(), 'n8n-nodes-mnotify-reliability-'),
	);
}
