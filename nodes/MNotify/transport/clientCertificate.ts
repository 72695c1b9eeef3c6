/**
 * Reading the client certificate: the credential's PFX or PEM parsed into a TLS secure context,
 * once per credential content and process (clientCache.ts keeps it), and the facts about it
 * worth telling the user. Nothing here keeps or shows the key or the passphrase.
 */
import { X509Certificate } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

import { explainLoadFailure } from './certificateLoadFailure';
import type { Problem } from './problem';

/** The decrypted `mNotifyApi` credential, as n8n hands it to the node. */
export interface MNotifyCredentials {
	environment: 'testing' | 'production' | 'custom';
	baseUrl?: string;
	format: 'pfx' | 'pem';
	pfxCertificate?: string;
	certificatePem?: string;
	privateKeyPem?: string;
	passphrase?: string;
	caCertificates?: string;
}

/** Facts about the client certificate worth telling the user (never the key). */
export interface CertificateInfo {
	subject: string;
	serialNumber: string;
	validFrom: Date;
	validTo: Date;
}

export type Result<T> = ({ ok: true } & T) | { ok: false; problem: Problem };

/**
 * Parses the certificate once into a TLS secure context. Every connection made from it reuses
 * the parsed key, and a wrong passphrase or a broken file is reported here, before any network.
 */
export function loadClientCertificate(
	credentials: MNotifyCredentials,
	protocol: { maxVersion?: 'TLSv1.2' } = {},
): Result<{ secureContext: SecureContext; certificate?: CertificateInfo }> {
	const passphrase = credentials.passphrase || undefined;
	const ca = extraCertificateAuthorities(credentials.caCertificates);

	if (credentials.format === 'pem') {
		const cert = normalizePem(credentials.certificatePem);
		const key = normalizePem(credentials.privateKeyPem);
		if (!cert.includes('-----BEGIN CERTIFICATE-----')) {
			return credentialProblem(
				"The credential's certificate is not PEM text",
				'Paste the certificate including the "-----BEGIN CERTIFICATE-----" and "-----END CERTIFICATE-----" lines.',
			);
		}
		if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
			return credentialProblem(
				"The credential's private key is not PEM text",
				'Paste the key including its "-----BEGIN … PRIVATE KEY-----" and "-----END … PRIVATE KEY-----" lines.',
			);
		}
		try {
			const secureContext = createSecureContext({ cert, key, passphrase, ca, ...protocol });
			return { ok: true, secureContext, certificate: describeCertificate(cert) };
		} catch (error) {
			return { ok: false, problem: explainLoadFailure(error, 'pem', passphrase) };
		}
	}

	const pfxText = (credentials.pfxCertificate ?? '').replace(/\s+/g, '');
	if (pfxText === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(pfxText)) {
		return credentialProblem(
			"The credential's PFX file is not base64 text",
			'Encode the whole .pfx file as base64 (base64 -w0 client.pfx) and paste the result, without headers.',
		);
	}
	try {
		const secureContext = createSecureContext({
			pfx: Buffer.from(pfxText, 'base64'),
			passphrase,
			ca,
			...protocol,
		});
		return { ok: true, secureContext, certificate: describeCertificate(leafOf(secureContext)) };
	} catch (error) {
		return { ok: false, problem: explainLoadFailure(error, 'pfx', passphrase) };
	}
}

/** Extra CAs are added to Node's usual roots rather than replacing them. */
function extraCertificateAuthorities(text: string | undefined): string[] | undefined {
	const pem = normalizePem(text);
	if (!pem.includes('-----BEGIN CERTIFICATE-----')) return undefined;
	return [...rootCertificates, pem];
}

/** Pasted PEM often loses its newlines or gets them escaped; put them back. */
export function normalizePem(text: string | undefined): string {
	if (!text) return '';
	let pem = text.replace(/\\n/g, '\n').replace(/\r/g, '').trim();
	pem = pem.replace(
		/(-----BEGIN [A-Z0-9 ]+-----)([\s\S]*?)(-----END [A-Z0-9 ]+-----)/g,
		(_match, begin: string, body: string, end: string) => {
			const lines = body.split('\n');
			const headers = lines.filter((line) => line.includes(':')).map((line) => line.trim());
			const base64 = lines
				.filter((line) => !line.includes(':'))
				.join('')
				.replace(/\s+/g, '');
			const wrapped = base64.match(/.{1,64}/g) ?? [];
			const headerBlock = headers.length > 0 ? `${headers.join('\n')}\n\n` : '';
			return `${begin}\n${headerBlock}${wrapped.join('\n')}\n${end}`;
		},
	);
	return `${pem}\n`;
}

/** The DER of the leaf certificate held by a secure context (how Node itself reads it back). */
function leafOf(secureContext: SecureContext): Buffer | undefined {
	const native = (
		secureContext as unknown as { context?: { getCertificate?: () => Buffer | null } }
	).context;
	return native?.getCertificate?.() ?? undefined;
}

function describeCertificate(
	certificate: string | Buffer | undefined,
): CertificateInfo | undefined {
	if (!certificate) return undefined;
	try {
		const x509 = new X509Certificate(certificate);
		return {
			subject: x509.subject.replace(/\n/g, ', '),
			serialNumber: x509.serialNumber,
			validFrom: new Date(x509.validFrom),
			validTo: new Date(x509.validTo),
		};
	} catch {
		// Knowing the dates is a courtesy; TLS itself still validates the certificate.
		return undefined;
	}
}

export function credentialProblem(
	message: string,
	description: string,
): { ok: false; problem: Problem } {
	return { ok: false, problem: { message, description } };
}
