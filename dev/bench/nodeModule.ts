/**
 * The node's process-wide client cache, loaded from dist/ exactly as the engine loads the node,
 * so its counters are the ones the node increments.
 */
import path from 'node:path';

import { PACKAGE_DIRECTORY } from '../harness/engine';

export interface NodeClientCache {
	clientCacheStatistics: { certificateLoads: number };
	closeAllClients(): Promise<void>;
}

export async function loadNodeClientCache(): Promise<NodeClientCache> {
	return (await import(
		path.join(PACKAGE_DIRECTORY, 'dist/nodes/MNotify/transport/clientCache.js')
	)) as NodeClientCache;
}

/** POOL_CONNECTIONS of the built node: the most connections one credential may open. */
export async function loadNodePoolSize(): Promise<number> {
	const client = (await import(
		path.join(PACKAGE_DIRECTORY, 'dist/nodes/MNotify/transport/client.js')
	)) as { POOL_CONNECTIONS: number };
	return client.POOL_CONNECTIONS;
}
