import { MNotifyClient } from './client';
import {
	checkValidity,
	fingerprintCredentials,
	loadClientCertificate,
	resolveOrigin,
	type MNotifyCredentials,
	type Result,
} from './clientCertificate';

/** Enough for every credential a busy n8n uses at once; older pools are closed. */
const MAX_CACHED_CLIENTS = 16;

/** Clients by credential fingerprint, least recently used first (Map keeps insertion order). */
const clientsByFingerprint = new Map<string, MNotifyClient>();
/** The fingerprint last seen for each saved credential, to retire pools when it is edited. */
const fingerprintByCredentialId = new Map<string, string>();

/** Counts certificate parses in this process, so tests and benchmarks can prove the caching. */
export const clientCacheStatistics = { certificateLoads: 0 };

/**
 * The pooled client for a credential. The certificate is parsed once per credential content and
 * process; editing a credential retires its old pool.
 */
export function obtainClient(
	credentials: MNotifyCredentials,
	credentialId?: string,
): Result<{ client: MNotifyClient }> {
	const resolved = resolveOrigin(credentials);
	if (!resolved.ok) return resolved;
	const fingerprint = fingerprintCredentials(credentials, resolved.origin);

	if (credentialId) {
		const previous = fingerprintByCredentialId.get(credentialId);
		if (previous && previous !== fingerprint) retire(previous);
		fingerprintByCredentialId.set(credentialId, fingerprint);
	}

	const cached = clientsByFingerprint.get(fingerprint);
	if (cached) {
		clientsByFingerprint.delete(fingerprint);
		clientsByFingerprint.set(fingerprint, cached);
		return checkedForDates(cached);
	}

	const loaded = loadClientCertificate(credentials);
	clientCacheStatistics.certificateLoads++;
	if (!loaded.ok) return loaded;

	const client = new MNotifyClient(resolved.origin, loaded.secureContext, loaded.certificate);
	clientsByFingerprint.set(fingerprint, client);
	if (clientsByFingerprint.size > MAX_CACHED_CLIENTS) {
		retire(clientsByFingerprint.keys().next().value as string);
	}
	return checkedForDates(client);
}

/** An expired certificate fails every handshake; say so plainly instead of as a TLS error. */
function checkedForDates(client: MNotifyClient): Result<{ client: MNotifyClient }> {
	const problem = checkValidity(client.certificate);
	return problem ? { ok: false, problem } : { ok: true, client };
}

function retire(fingerprint: string): void {
	const client = clientsByFingerprint.get(fingerprint);
	clientsByFingerprint.delete(fingerprint);
	// Requests still running on the old pool finish; close() waits for them.
	void client?.close().catch(() => undefined);
}

/** Closes every pool (tests, benchmarks and shutdown). */
export async function closeAllClients(): Promise<void> {
	const clients = [...clientsByFingerprint.values()];
	clientsByFingerprint.clear();
	fingerprintByCredentialId.clear();
	await Promise.all(clients.map(async (client) => await client.close()));
}
