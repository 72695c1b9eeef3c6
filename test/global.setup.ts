import buildPackage from './build.setup';
import setUpReliabilityLedger from './reliability/ledger.setup';

/** Jest global setup: build the package, then open the reliability ledger. */
export default function globalSetup(): void {
	buildPackage();
	setUpReliabilityLedger();
}
