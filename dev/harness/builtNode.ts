/**
 * Modules of the built package (dist/), loaded exactly as the engine and n8n load the node, so
 * their counters and pools are the ones the node uses. The one place dev code names dist/ files.
 */
import path from 'node:path';

import { PACKAGE_DIRECTORY } from './packageDirectory';

async function builtModule<T>(relativePath: string): Promise<T> {
	return (await import(path.join(PACKAGE_DIRECTORY, 'dist/nodes/MNotify', relativePath))) as T;
}

export interface NodeClientCache {
	clientCacheStatistics: { certificateLoads: number };
	closeAllClients(): Promise<void>;
}

export async function loadNodeClientCache(): Promise<NodeClientCache> {
	return await builtModule<NodeClientCache>('transport/clientCache.js');
}

/** POOL_CONNECTIONS of the built node: the most connections one credential may open. */
export async function loadNodePoolSize(): Promise<number> {
	const client = await builtModule<{ POOL_CONNECTIONS: number }>('transport/client.js');
	return client.POOL_CONNECTIONS;
}

/** How long one slot of the live-run lease in n8n's processed-data store lasts. */
export async function loadLeaseSlotMs(): Promise<number> {
	const lease = await builtModule<{ LEASE_SLOT_MS: number }>(
		'actions/notification/ledger/processedDataLease.js',
	);
	return lease.LEASE_SLOT_MS;
}

/** Closes the PostgreSQL ledger's pools the node keeps for later executions. */
export async function closeNodeLedgerPools(): Promise<void> {
	const pools = await builtModule<{ closeAllLedgerPools(): Promise<void> }>(
		'actions/notification/ledger/postgresPool.js',
	);
	await pools.closeAllLedgerPools();
}
