/** The ledger chosen for a Send run (the node's "Ledger" parameter) and its panel settings. */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { LedgerSettings, SentLedger } from './ledger';
import { ProcessedDataLedger } from './processedDataLedger';
import { ledgerTable, PostgresLedger } from './postgresLedger';

export type LedgerKind = 'n8n' | 'postgres';

export function ledgerKind(context: IExecuteFunctions): LedgerKind {
	return context.getNodeParameter('ledger', 0, 'n8n') === 'postgres' ? 'postgres' : 'n8n';
}

export function openLedger(
	context: IExecuteFunctions,
	kind: LedgerKind,
	settings: LedgerSettings,
	table: string | undefined,
): SentLedger {
	return kind === 'postgres'
		? new PostgresLedger(context, settings, ledgerTable(table))
		: new ProcessedDataLedger(context, settings);
}

export { LedgerError, keyHash, scopeName, type LedgerSettings, type SentLedger } from './ledger';
export { ProcessedDataLedger, STORE_MAX_KEYS } from './processedDataLedger';
export { DEFAULT_LEDGER_TABLE, ledgerTable, POSTGRES_CREDENTIAL_TYPE } from './postgresLedger';
export { listLedger } from './postgresList';
export { closeAllLedgerPools } from './postgresPool';
