import type { ClientCertificate } from '../sandbox/server';

/** The `mNotifyApi` credential (decrypted) for a sandbox client certificate, as a user would fill it. */
export function sandboxCredentials(
	url: string,
	certificate: ClientCertificate,
	format: 'pfx' | 'pem' = 'pfx',
): Record<string, string> {
	const common = {
		environment: 'custom',
		baseUrl: url,
		format,
		passphrase: certificate.passphrase,
		caCertificates: certificate.caPem,
	};
	return format === 'pfx'
		? { ...common, pfxCertificate: certificate.pfxBase64 }
		: {
				...common,
				certificatePem: certificate.certPem,
				privateKeyPem: certificate.encryptedKeyPem,
			};
}
