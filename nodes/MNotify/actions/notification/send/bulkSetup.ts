/**
 * What a Send run's dedupe is made of, from its options: the session on its ledger, and the error
 * of a ledger failure before a send.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { LedgerError, ledgerKind, openLedger, type LedgerSettings } from '../ledger';
import { DEFAULT_RETENTION_KEYS, DedupeRun, type DedupeSettings } from './dedupe';
import type { SendOptions } from './send.options';

function ledgerSettings(options: SendOptions): LedgerSettings {
	return {
		scope: options.dedupeScope === 'workflow' ? 'workflow' : 'node',
		retention: {
			kind: options.dedupeRetention === 'days' ? 'days' : 'entries',
			days: Math.max(1, Number(options.dedupeRetentionDays) || 30),
			keys: Math.max(1, Number(options.dedupeRetentionKeys) || DEFAULT_RETENTION_KEYS),
		},
	};
}

/** Claims per ledger call: PostgreSQL answers in a round trip; n8n's store rewrites its whole row, so fewer, growing chunks. */
const N8N_STORE_MAX_CHUNK = 4096;

export function dedupeRun(
	context: IExecuteFunctions,
	options: SendOptions,
	chunkSize: number,
): DedupeRun {
	const kind = ledgerKind(context);
	const settings = ledgerSettings(options);
	let ledger;
	try {
		ledger = openLedger(context, kind, settings, options.ledgerTable);
	} catch (error) {
		throw new NodeOperationError(context.getNode(), (error as Error).message, {
			description: error instanceof LedgerError ? error.hint : undefined,
		});
	}
	const dedupe: DedupeSettings = {
		resendOutcomeUnknown: options.resendOutcomeUnknown === true,
		maxKeys: settings.retention.kind === 'entries' ? settings.retention.keys : undefined,
		chunk:
			kind === 'postgres'
				? { first: chunkSize, growing: false, max: chunkSize }
				: { first: chunkSize, growing: true, max: N8N_STORE_MAX_CHUNK },
	};
	return new DedupeRun(context, ledger, dedupe);
}

/** A ledger failure before the send: the item fails, and says it was not sent. */
export function notSentForLedger(context: IExecuteFunctions, error: unknown, itemIndex: number) {
	const message = error instanceof Error ? error.message : String(error);
	const hint = error instanceof LedgerError ? `${error.hint} ` : '';
	// The router names the item in the message, as n8n does ("[item 3]").
	return new NodeOperationError(context.getNode(), message, {
		description: `${hint}Nothing was sent for this item: the ledger must hold its key first.`,
		itemIndex,
	});
}
