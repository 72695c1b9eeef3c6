import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { MNotifyClient } from '../transport/client';
import {
	checkValidity,
	loadClientCertificate,
	resolveOrigin,
	type MNotifyCredentials,
} from '../transport/clientCertificate';
import { describeHttpStatus } from '../transport/problems';

const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Tests the credential with a real authenticated call (list one notification) over a fresh
 * connection, and explains a failure in the words of its cause: passphrase, dates, handshake,
 * registration (401) or network allow-list.
 */
export async function mNotifyApiTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	return await testCredentials(credential.data as unknown as MNotifyCredentials);
}

export async function testCredentials(
	credentials: MNotifyCredentials,
	now = new Date(),
): Promise<INodeCredentialTestResult> {
	const resolved = resolveOrigin(credentials);
	if (!resolved.ok) return failed(resolved.problem);
	const loaded = loadClientCertificate(credentials);
	if (!loaded.ok) return failed(loaded.problem);
	const datesProblem = checkValidity(loaded.certificate, now);
	if (datesProblem) return failed(datesProblem);

	// A throwaway pool: the test must see the credential as typed, not a cached connection.
	const client = new MNotifyClient(resolved.origin, loaded.secureContext, loaded.certificate);
	try {
		const outcome = await client.request(
			{ method: 'GET', path: '/api/notification', query: { Page: 1, ItemsPerPage: 1 } },
			{ timeoutSeconds: 15, maxRetries: 0 },
		);
		if (outcome.kind === 'failure') return failed(outcome.problem);
		if (outcome.status !== 200) {
			return failed(
				describeHttpStatus(outcome.status, outcome.text, {
					method: 'GET',
					action: 'list notifications',
				}),
			);
		}
	} finally {
		await client.close();
	}

	const certificate = loaded.certificate;
	if (!certificate) return { status: 'OK', message: 'Connected to MNotify' };
	const daysLeft = Math.floor((certificate.validTo.getTime() - now.getTime()) / DAY_MS);
	const identity = `certificate ${certificate.serialNumber}`;
	if (daysLeft < EXPIRY_WARNING_DAYS) {
		return {
			status: 'OK',
			message: `Connected to MNotify with ${identity}, but it expires on ${certificate.validTo.toISOString().slice(0, 10)} (in ${daysLeft} days). Ask STISC for a new certificate and register it with MEGA before then.`,
		};
	}
	return {
		status: 'OK',
		message: `Connected to MNotify with ${identity}, valid until ${certificate.validTo.toISOString().slice(0, 10)}`,
	};
}

function failed(problem: { message: string; description: string }): INodeCredentialTestResult {
	return { status: 'Error', message: `${problem.message}. ${problem.description}` };
}
