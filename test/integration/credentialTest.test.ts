import { createSecureContext } from 'node:tls';

import { testCredentials } from '../../nodes/MNotify/methods/credentialTest';
import { MNotifyClient } from '../../nodes/MNotify/transport/client';
import type { MNotifyCredentials } from '../../nodes/MNotify/transport/clientCertificate';
import { startSandbox, type MNotifySandbox } from '../../dev/sandbox/server';
import { sandboxCredentials } from '../../dev/harness/sandboxCredentials';

/** The credential test, over real TLS against the sandbox, for each way a certificate goes wrong. */
describe('credential test', () => {
	let sandbox: MNotifySandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ statusStepMs: 50 });
	});
	afterAll(async () => await sandbox.close());

	const credentialsFor = (
		options: Parameters<MNotifySandbox['issueClientCertificate']>[0] = {},
		format: 'pfx' | 'pem' = 'pfx',
	) =>
		sandboxCredentials(
			sandbox.url,
			sandbox.issueClientCertificate(options),
			format,
		) as unknown as MNotifyCredentials;

	it('passes for a registered certificate and names its serial and expiry', async () => {
		const certificate = sandbox.issueClientCertificate();
		const result = await testCredentials(
			sandboxCredentials(sandbox.url, certificate) as unknown as MNotifyCredentials,
		);
		expect(result.status).toBe('OK');
		expect(result.message).toContain(`certificate ${certificate.serialNumber}`);
		expect(result.message).toMatch(/valid until \d{4}-\d{2}-\d{2}/);
	});

	it('passes with PEM certificate and an encrypted key', async () => {
		expect((await testCredentials(credentialsFor({}, 'pem'))).status).toBe('OK');
	});

	it('warns when the certificate expires within 30 days', async () => {
		const credentials = credentialsFor();
		const inTwentyDaysBeforeExpiry = new Date(Date.now() + 345 * 24 * 3600 * 1000);
		const result = await testCredentials(credentials, inTwentyDaysBeforeExpiry);
		expect(result.status).toBe('OK');
		expect(result.message).toMatch(/but it expires on \d{4}-\d{2}-\d{2} \(in (19|20) days\)/);
	});

	it('says the passphrase is wrong', async () => {
		const result = await testCredentials({ ...credentialsFor(), passphrase: 'not-the-passphrase' });
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringMatching(/^The certificate passphrase is wrong/),
		});
	});

	it('says the PEM key passphrase is wrong', async () => {
		const result = await testCredentials({ ...credentialsFor({}, 'pem'), passphrase: 'nope' });
		expect(result.message).toMatch(/^The certificate passphrase is wrong.*private key/);
	});

	it('says when the text is not a PFX', async () => {
		const result = await testCredentials({
			...credentialsFor(),
			pfxCertificate: Buffer.from('hello').toString('base64'),
		});
		expect(result.message).toMatch(/PFX file could not be read/);
	});

	it('says an expired certificate expired, and when', async () => {
		const result = await testCredentials(credentialsFor({ expired: true }));
		expect(result.message).toMatch(/^The client certificate expired on \d{4}-/);
	});

	it('says a certificate that is not valid yet is not valid yet', async () => {
		const result = await testCredentials(credentialsFor({ notYetValid: true }));
		expect(result.message).toMatch(/not valid before/);
	});

	it('explains a 401: trusted but serial not registered', async () => {
		const result = await testCredentials(credentialsFor({ registered: false }));
		expect(result.message).toMatch(
			/^MNotify did not accept this client certificate \(401\).*serial number/,
		);
	});

	it('explains a handshake refused for a certificate from an unknown authority', async () => {
		const result = await testCredentials(credentialsFor({ untrustedCa: true }));
		expect(result.message).toMatch(/refused the client certificate during the TLS handshake/);
	});

	it('explains an untrusted server and points at the CA field', async () => {
		// PEM: a PFX that bundles the issuing CA makes Node trust that CA too, so it would pass.
		const result = await testCredentials({ ...credentialsFor({}, 'pem'), caCertificates: '' });
		expect(result.message).toMatch(/server certificate .* is not trusted.*Extra CA Certificates/);
	});

	it('explains a refused connection with the IP allow-list', async () => {
		const closed = await startSandbox();
		const url = closed.url;
		await closed.close();
		const result = await testCredentials({ ...credentialsFor(), baseUrl: url });
		expect(result.message).toMatch(/connection refused.*allow-list/);
	});

	it('never shows the passphrase or the key in any message', async () => {
		const credentials = credentialsFor({ registered: false });
		const messages = [
			await testCredentials(credentials),
			await testCredentials({ ...credentials, passphrase: `${credentials.passphrase}x` }),
		].map((result) => result.message);
		for (const message of messages) {
			expect(message).not.toContain(credentials.passphrase);
			expect(message).not.toContain(credentials.pfxCertificate!.slice(100, 140));
		}
	});
});

describe('transport without a client certificate', () => {
	it('reports the handshake refusal on the spot, as nothing sent, not a raw TLS error', async () => {
		const sandbox = await startSandbox();
		try {
			// TLS 1.3: the server closes the connection after the client's side of the handshake;
			// the TLS 1.2 probe tells that it refused the certificate.
			const client = new MNotifyClient(
				sandbox.url,
				createSecureContext({ ca: sandbox.caPem }),
				undefined,
				() => createSecureContext({ ca: sandbox.caPem, maxVersion: 'TLSv1.2' }),
			);
			const outcome = await client.request(
				{ method: 'POST', path: '/api/notification', body: {} },
				{ timeoutSeconds: 5, maxRetries: 2 },
			);
			await client.close();
			expect(outcome).toMatchObject({
				kind: 'failure',
				attempts: 1,
				mayHaveReachedServer: false,
				problem: {
					message: expect.stringMatching(/refused the client certificate/),
					description: expect.stringMatching(/^Nothing was sent/),
				},
			});
			expect(sandbox.stats.notificationSendsReceived).toBe(0);
		} finally {
			await sandbox.close();
		}
	});
});
