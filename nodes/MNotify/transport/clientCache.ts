import { MNotifyClient } from './client';
import {
	checkValidity,
	fingerprintCredentials,
	loadClientCertificate,
	resolveOrigin,
	type MNotifyCredentials,
	type Result,
} from './clientCertificate';
import { proxyFor } from './proxy';

/** Enough for every credential a busy n8n uses at once; older pools are retired. */
const MAX_CACHED_CLIENTS = 16;

/**
 * A pool and how many executions use it. A retired pool (its credential was edited, or it fell
 * out of the cache) takes no new users and is closed when its last user is done, so a running
 * batch is never cut off.
 */
interface PoolEntry {
	client: MNotifyClient;
	fingerprint: string;
	users: number;
	retired: boolean;
}

/** A pool lent to one execution; `release` when the execution no longer needs it. */
export interface ClientLease {
	client: MNotifyClient;
	/** The credential's fingerprint: what else is kept per credential (the send pace) uses it. */
	credentialKey: string;
	release(): void;
}

/** Pools by credential fingerprint, least recently used first (Map keeps insertion order). */
const poolsByFingerprint = new Map<string, PoolEntry>();
/** The fingerprint last seen for each saved credential, to retire pools when it is edited. */
const fingerprintByCredentialId = new Map<string, string>();

/** Counts certificate parses in this process, so tests and benchmarks can prove the caching. */
export const clientCacheStatistics = { certificateLoads: 0 };

/**
 * Lends the pooled client for a credential. The certificate is parsed once per credential content
 * and process; editing a credential retires its old pool, which closes once nothing uses it.
 */
export function obtainClient(
	credentials: MNotifyCredentials,
	credentialId?: string,
): Result<{ lease: ClientLease }> {
	const resolved = resolveOrigin(credentials);
	if (!resolved.ok) return resolved;
	const fingerprint = fingerprintCredentials(credentials, resolved.origin);

	if (credentialId) {
		const previous = fingerprintByCredentialId.get(credentialId);
		if (previous && previous !== fingerprint) retire(previous);
		fingerprintByCredentialId.set(credentialId, fingerprint);
	}

	let entry = poolsByFingerprint.get(fingerprint);
	if (entry) {
		poolsByFingerprint.delete(fingerprint);
		poolsByFingerprint.set(fingerprint, entry);
	} else {
		const route = proxyFor(resolved.origin, process.env);
		if (!route.ok) return route;
		const loaded = loadClientCertificate(credentials);
		clientCacheStatistics.certificateLoads++;
		if (!loaded.ok) return loaded;
		const tls12Context = () => {
			const capped = loadClientCertificate(credentials, { maxVersion: 'TLSv1.2' });
			return capped.ok ? capped.secureContext : undefined;
		};
		const client = new MNotifyClient(
			resolved.origin,
			loaded.secureContext,
			loaded.certificate,
			tls12Context,
			route.proxy,
		);
		entry = { client, fingerprint, users: 0, retired: false };
		poolsByFingerprint.set(fingerprint, entry);
		if (poolsByFingerprint.size > MAX_CACHED_CLIENTS) {
			retire(poolsByFingerprint.keys().next().value as string);
		}
	}

	// An expired certificate fails every handshake; say so plainly instead of as a TLS error.
	const datesProblem = checkValidity(entry.client.certificate);
	if (datesProblem) return { ok: false, problem: datesProblem };
	return { ok: true, lease: lend(entry) };
}

function lend(entry: PoolEntry): ClientLease {
	entry.users++;
	let released = false;
	return {
		client: entry.client,
		credentialKey: entry.fingerprint,
		release: () => {
			if (released) return;
			released = true;
			entry.users--;
			closeIfUnused(entry);
		},
	};
}

function retire(fingerprint: string): void {
	const entry = poolsByFingerprint.get(fingerprint);
	if (!entry) return;
	poolsByFingerprint.delete(fingerprint);
	entry.retired = true;
	closeIfUnused(entry);
}

function closeIfUnused(entry: PoolEntry): void {
	if (!entry.retired || entry.users > 0) return;
	void entry.client.close().catch(() => undefined);
}

/** Closes every pool (tests, benchmarks and shutdown). */
export async function closeAllClients(): Promise<void> {
	const entries = [...poolsByFingerprint.values()];
	poolsByFingerprint.clear();
	fingerprintByCredentialId.clear();
	await Promise.all(entries.map(async (entry) => await entry.client.close()));
}
