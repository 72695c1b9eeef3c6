/** Get Sent: what the PostgreSQL ledger holds for a workflow in a time window. */
import type { IExecuteFunctions } from 'n8n-workflow';

import { ledgerFailure } from './postgresErrors';
import { POSTGRES_CREDENTIAL_TYPE } from './postgresLedger';
import { lendPool } from './postgresPool';

export interface LedgerRow {
	scope: string;
	keyHash: string;
	state: string;
	notificationId: string | null;
	claimedAt: string;
	updatedAt: string;
}

/** What the ledger holds for a workflow (its shared scope and every node's), oldest change first. */
export async function listLedger(
	context: IExecuteFunctions,
	query: { table: string; workflowScope: string; since: Date; until: Date; limit: number },
): Promise<LedgerRow[]> {
	const credential = await context.getCredentials(POSTGRES_CREDENTIAL_TYPE);
	const lease = lendPool(
		credential,
		context.getNode().credentials?.[POSTGRES_CREDENTIAL_TYPE]?.id ?? undefined,
	);
	try {
		const { rows } = await lease.pool
			.query<{
				scope: string;
				key_hash: string;
				state: string;
				notification_id: string | null;
				claimed_at: Date;
				updated_at: Date;
			}>(
				`SELECT scope, key_hash, state, notification_id, claimed_at, updated_at FROM ${query.table}
				WHERE (scope = $1 OR starts_with(scope, $1 || '/node:'))
					AND updated_at >= $2 AND updated_at < $3
				ORDER BY updated_at, key_hash LIMIT $4`,
				[query.workflowScope, query.since, query.until, query.limit],
			)
			.catch((error: unknown) => {
				if ((error as { code?: string }).code === '42P01') return { rows: [] };
				throw ledgerFailure(error, lease.where, 'read the ledger');
			});
		return rows.map((row) => ({
			scope: row.scope,
			keyHash: row.key_hash,
			state: row.state,
			notificationId: row.notification_id,
			claimedAt: row.claimed_at.toISOString(),
			updatedAt: row.updated_at.toISOString(),
		}));
	} finally {
		lease.release();
	}
}
