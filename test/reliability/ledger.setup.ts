import { startLedger } from './support/ledger';

/** Jest global setup: see support/ledger.ts. */
export default function setUpReliabilityLedger(): void {
	startLedger();
}
