/**
 * Jest global teardown: prints what the reliability suites measured in this run, added up from
 * the tallies each suite wrote when it ended. Prints nothing when no reliability suite ran.
 * Enable with `globalTeardown: '<rootDir>/test/reliability/summary.teardown.ts'` in jest.config.js.
 */
import { takeTallies, type SuiteTally } from './support/ledger';

type Count = Exclude<keyof SuiteTally, 'suite'>;

export default function printReliabilitySummary(): void {
	// Only tallies written since this jest process started belong to this run.
	const tallies = takeTallies(Date.now() - process.uptime() * 1000);
	if (tallies.length === 0) return;
	// Tallies of an older layout lack the newer counts.
	const total = (count: Count) => tallies.reduce((sum, tally) => sum + (tally[count] ?? 0), 0);
	const rows: Array<[string, string]> = [
		['faults injected', String(total('faultsInjected'))],
		[
			'sends attempted (POSTs started / reached MNotify)',
			`${total('sendsAttempted')} / ${total('sendsReceived')}`,
		],
		['sends started after Stop (must be 0)', String(total('sendsStartedAfterStop'))],
		[
			'writes replayed after the request may have left (must be 0)',
			String(total('writesReplayed')),
		],
		['unknown outcomes not named (must be 0)', String(total('unknownOutcomesNotNamed'))],
		['duplicate notifications (must be 0)', String(total('duplicateNotifications'))],
		['Retry-After violations (must be 0)', String(total('retryAfterViolations'))],
		[
			'writes by an agent to Production without permission (must be 0)',
			String(total('agentProductionWrites')),
		],
		['secret leaks found (must be 0)', String(total('secretLeaks'))],
		[
			'malformed inputs rejected before the network',
			`${total('malformedRejectedBeforeNetwork')} / ${total('malformedInputs')}`,
		],
	];
	const width = Math.max(...rows.map(([label]) => label.length));
	const suites = tallies.map((tally) => tally.suite).sort();
	process.stdout.write(
		[
			'',
			`MNotify reliability summary (suites: ${suites.join(', ')})`,
			...rows.map(([label, value]) => `  ${label.padEnd(width, '.')} ${value}`),
			'',
		].join('\n'),
	);
}
