import { MNotifyClient } from './client';
import { checkValidity, expiryWarning, resolveOrigin } from './clientCache';
import { loadClientCertificate, type MNotifyCredentials } from './clientCertificate';
import { describeHttpStatus } from './httpErrors';
import { mayBeSilentRefusal, probeCertificateRefusal } from './handshakeProbe';
import type { RequestFailure } from './networkErrors';
import type { Problem } from './problem';
import { proxyFor } from './proxy';

export type CredentialCheck = { ok: true; message: string } | { ok: false; problem: Problem };

/** The whole test (request, answer, and the TLS 1.2 probe when one is needed) ends within this. */
const CHECK_DEADLINE_SECONDS = 15;

/**
 * Checks a credential with a real authenticated call (list one notification) over a fresh
 * connection, and explains a failure in the words of its cause: passphrase, dates, handshake,
 * registration (401) or network allow-list.
 */
export async function checkCredentials(
	credentials: MNotifyCredentials,
	now = new Date(),
	deadlineSeconds = CHECK_DEADLINE_SECONDS,
): Promise<CredentialCheck> {
	const resolved = resolveOrigin(credentials);
	if (!resolved.ok) return failure(resolved.problem);
	const loaded = loadClientCertificate(credentials);
	if (!loaded.ok) return failure(loaded.problem);
	const datesProblem = checkValidity(loaded.certificate, now);
	if (datesProblem) return failure(datesProblem);

	const route = proxyFor(resolved.origin, process.env);
	if (!route.ok) return failure(route.problem);

	// A throwaway pool: the test must see the credential as typed, not a cached connection.
	const client = new MNotifyClient(
		resolved.origin,
		loaded.secureContext,
		loaded.certificate,
		undefined,
		route.proxy,
	);
	const deadline = new AbortController();
	const timer = setTimeout(() => deadline.abort(), deadlineSeconds * 1000);
	try {
		const outcome = await client.request(
			{ method: 'GET', path: '/api/notification', query: { Page: 1, ItemsPerPage: 1 } },
			{ timeoutSeconds: deadlineSeconds, maxRetries: 0 },
		);
		if (outcome.kind === 'failure') {
			// The diagnosis connects directly, which a network behind a proxy may not allow.
			const diagnosis = client.proxy
				? undefined
				: await diagnoseFailure(credentials, resolved.origin, outcome, deadline.signal);
			return failure(diagnosis ?? outcome.problem);
		}
		if (outcome.status !== 200) {
			return failure(
				describeHttpStatus(outcome.status, outcome.text, { action: 'list notifications' }),
			);
		}
	} finally {
		clearTimeout(timer);
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

/**
 * A connection closed without an answer may be a TLS 1.3 refusal of the certificate: the TLS 1.2
 * probe tells (handshakeProbe.ts), within what is left of the test's deadline.
 */
async function diagnoseFailure(
	credentials: MNotifyCredentials,
	origin: string,
	outcome: RequestFailure,
	deadline: AbortSignal,
): Promise<Problem | undefined> {
	if (deadline.aborted || !mayBeSilentRefusal(outcome)) return undefined;
	const loaded = loadClientCertificate(credentials, { maxVersion: 'TLSv1.2' });
	if (!loaded.ok) return undefined;
	return await Promise.race([
		probeCertificateRefusal(origin, loaded.secureContext),
		new Promise<undefined>((resolve) =>
			deadline.addEventListener('abort', () => resolve(undefined)),
		),
	]);
}

function failure(problem: Problem): CredentialCheck {
	return { ok: false, problem };
}
