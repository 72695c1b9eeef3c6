import { connect, type SecureContext } from 'node:tls';

import { expiryWarning } from './certificateExpiry';
import { MNotifyClient } from './client';
import {
	checkValidity,
	loadClientCertificate,
	resolveOrigin,
	type MNotifyCredentials,
} from './clientCertificate';
import { describeHttpStatus } from './httpErrors';
import { clientCertificateRefused, codeOf, describeRequestFailure } from './networkErrors';
import type { Problem } from './problem';

export type CredentialCheck = { ok: true; message: string } | { ok: false; problem: Problem };

/**
 * Checks a credential with a real authenticated call (list one notification) over a fresh
 * connection, and explains a failure in the words of its cause: passphrase, dates, handshake,
 * registration (401) or network allow-list.
 */
export async function checkCredentials(
	credentials: MNotifyCredentials,
	now = new Date(),
): Promise<CredentialCheck> {
	const resolved = resolveOrigin(credentials);
	if (!resolved.ok) return failure(resolved.problem);
	const loaded = loadClientCertificate(credentials);
	if (!loaded.ok) return failure(loaded.problem);
	const datesProblem = checkValidity(loaded.certificate, now);
	if (datesProblem) return failure(datesProblem);

	// A throwaway pool: the test must see the credential as typed, not a cached connection.
	const client = new MNotifyClient(resolved.origin, loaded.secureContext, loaded.certificate);
	try {
		const outcome = await client.request(
			{ method: 'GET', path: '/api/notification', query: { Page: 1, ItemsPerPage: 1 } },
			{ timeoutSeconds: 15, maxRetries: 0 },
		);
		if (outcome.kind === 'failure') {
			// The diagnosis connects directly, which a network behind a proxy may not allow.
			const diagnosis = client.proxy
				? undefined
				: await diagnoseClosedConnection(credentials, resolved.origin, outcome.code);
			return failure(diagnosis ?? outcome.problem);
		}
		if (outcome.status !== 200) {
			return failure(
				describeHttpStatus(outcome.status, outcome.text, { action: 'list notifications' }),
			);
		}
	} finally {
		await client.close();
	}

	const certificate = loaded.certificate;
	if (!certificate) return { ok: true, message: 'Connected to MNotify' };
	const identity = `certificate ${certificate.serialNumber}`;
	const warning = expiryWarning(certificate, now);
	return {
		ok: true,
		message: warning
			? `Connected to MNotify with ${identity}, but it ${warning}`
			: `Connected to MNotify with ${identity}, valid until ${certificate.validTo.toISOString().slice(0, 10)}`,
	};
}

const CLOSED_WITHOUT_ANSWER = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * Under TLS 1.3 a server refuses a client certificate only after the client has finished its
 * handshake, so the client just sees the connection close. One more handshake, capped at TLS 1.2
 * where the refusal is part of the handshake, tells a refused certificate from a network fault.
 */
async function diagnoseClosedConnection(
	credentials: MNotifyCredentials,
	origin: string,
	code: string,
): Promise<Problem | undefined> {
	if (!CLOSED_WITHOUT_ANSWER.has(code)) return undefined;
	const loaded = loadClientCertificate(credentials, { maxVersion: 'TLSv1.2' });
	if (!loaded.ok) return undefined;
	const error = await handshakeError(origin, loaded.secureContext);
	if (!error) return undefined;
	// A server without TLS 1.2 proves nothing; a server certificate problem is reported as such.
	if (/PROTOCOL_VERSION|WRONG_VERSION|UNSUPPORTED_PROTOCOL/.test(codeOf(error))) return undefined;
	const failure = describeRequestFailure(error, origin, 15);
	if (!failure.mayHaveReachedServer) return failure.problem;
	return clientCertificateRefused(new URL(origin).host).problem;
}

function handshakeError(origin: string, secureContext: SecureContext): Promise<unknown> {
	const url = new URL(origin);
	return new Promise((resolve) => {
		const socket = connect({
			host: url.hostname,
			port: Number(url.port || 443),
			servername: /^[\d.]+$/.test(url.hostname) ? undefined : url.hostname,
			secureContext,
			timeout: 10_000,
		});
		const finish = (result: unknown) => {
			socket.destroy();
			resolve(result);
		};
		socket.once('secureConnect', () => finish(undefined));
		socket.once('error', (error) => finish(error));
		socket.once('timeout', () => finish(undefined));
	});
}

function failure(problem: Problem): CredentialCheck {
	return { ok: false, problem };
}
