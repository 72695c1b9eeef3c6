import { createHash, X509Certificate } from 'node:crypto';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

import type { IExecuteFunctions } from 'n8n-workflow';

import { explainLoadFailure } from './certificateLoadFailure';
import type { Problem } from './problem';
import { ENVIRONMENT_ORIGINS } from '../../../credentials/MNotifyApi.credentials';

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

/**
 * Whether the credential sends to the production MNotify, whatever its environment label says
 * (a Custom URL naming the production host counts).
 */
export function reachesProduction(credentials: MNotifyCredentials): boolean {
	if (credentials.environment === 'production') return true;
	const resolved = resolveOrigin(credentials);
	if (!resolved.ok) return false;
	const host = new URL(resolved.origin).hostname.toLowerCase().replace(/\.$/, '');
	const production = new URL(ENVIRONMENT_ORIGINS.production).hostname;
	return host === production || host.endsWith(`.${production}`);
}

/** Facts about the client certificate worth telling the user (never the key). */
export interface CertificateInfo {
	subject: string;
	serialNumber: string;
	validFrom: Date;
	validTo: Date;
}

export type Result<T> = ({ ok: true } & T) | { ok: false; problem: Problem };

/** Origin (scheme://host:port) of the MNotify API for this credential. */
export function resolveOrigin(credentials: MNotifyCredentials): Result<{ origin: string }> {
	if (credentials.environment !== 'custom') {
		const origin = ENVIRONMENT_ORIGINS[credentials.environment];
		if (origin) return { ok: true, origin };
	}
	const text = (credentials.baseUrl ?? '').trim();
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return credentialProblem(
			`The credential's Base URL "${text}" is not a URL`,
			'Give the scheme, host and port, e.g. https://127.0.0.1:8443.',
		);
	}
	if (url.protocol !== 'https:') {
		return credentialProblem(
			`The credential's Base URL must start with https:// (got ${url.protocol}//)`,
			'MNotify is only reachable over mutual TLS.',
		);
	}
	// The API lives under /api on every environment; a path here would be dropped anyway.
	return { ok: true, origin: url.origin };
}

/**
 * A stable fingerprint of everything that shapes the TLS connection, so that agents can be
 * cached and compared without ever keeping or logging the secret itself.
 */
export function fingerprintCredentials(credentials: MNotifyCredentials, origin: string): string {
	const material = [
		origin,
		credentials.format,
		credentials.pfxCertificate ?? '',
		credentials.certificatePem ?? '',
		credentials.privateKeyPem ?? '',
		credentials.passphrase ?? '',
		credentials.caCertificates ?? '',
	];
	return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

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

/** A problem with the dates of the client certificate, or undefined when it is valid now. */
export function checkValidity(certificate: CertificateInfo | undefined, now = new Date()) {
	if (!certificate) return undefined;
	if (now < certificate.validFrom) {
		return {
			message: `The client certificate is not valid before ${certificate.validFrom.toISOString()}`,
			description: `Certificate ${certificate.serialNumber} (${certificate.subject}) cannot be used yet. Check the machine's clock or use the current certificate.`,
		} satisfies Problem;
	}
	if (now > certificate.validTo) {
		return {
			message: `The client certificate expired on ${certificate.validTo.toISOString()}`,
			description: `Certificate ${certificate.serialNumber} (${certificate.subject}) has expired. Ask STISC for a new one, register its serial number with MEGA, and put it in the credential.`,
		} satisfies Problem;
	}
	return undefined;
}

function credentialProblem(message: string, description: string): { ok: false; problem: Problem } {
	return { ok: false, problem: { message, description } };
}

/** How long before its end a client certificate is worth a warning on every run. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * "expires on 2026-12-10 (in 12 days). Ask STISC…" when the certificate ends within 30 days,
 * otherwise undefined. MNotify refuses an expired certificate, and a new one takes time to get
 * and to register.
 */
export function expiryWarning(
	certificate: CertificateInfo | undefined,
	now = new Date(),
): string | undefined {
	if (!certificate) return undefined;
	const daysLeft = Math.floor((certificate.validTo.getTime() - now.getTime()) / DAY_MS);
	if (daysLeft >= EXPIRY_WARNING_DAYS) return undefined;
	return `expires on ${certificate.validTo.toISOString().slice(0, 10)} (in ${daysLeft} days). Ask STISC for a new certificate and register it with MEGA before then: MNotify refuses an expired one.`;
}

/** The warning as a sentence of its own, naming the certificate. */
export function certificateExpiryMessage(
	certificate: CertificateInfo | undefined,
	now = new Date(),
): string | undefined {
	const warning = expiryWarning(certificate, now);
	return warning && `The MNotify client certificate ${certificate?.serialNumber} ${warning}`;
}

/**
 * n8n's credential panel does not keep the test's expiry warning in view, so a certificate that
 * ends soon is named on every run of the node, as an execution hint. Polling triggers cannot show
 * hints in n8n: they put the warning on the items they emit instead.
 */
export function hintCertificateExpiry(
	context: object,
	certificate: CertificateInfo | undefined,
): void {
	const message = certificateExpiryMessage(certificate);
	if (
		message &&
		'addExecutionHints' in context &&
		typeof context.addExecutionHints === 'function'
	) {
		(context as Pick<IExecuteFunctions, 'addExecutionHints'>).addExecutionHints({
			message,
			type: 'warning',
			location: 'outputPane',
		});
	}
}
