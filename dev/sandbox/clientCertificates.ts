/** Client certificates for callers of the sandbox, in every form an n8n credential accepts. */
import { randomBytes } from 'node:crypto';
import {
	type CertificateAuthority,
	createCertificateAuthority,
	encryptPrivateKey,
	issueCertificate,
	toPfx,
} from './certificates';
import type { SenderRegistry } from './senders';

export interface ClientCertificateOptions {
	/** Register the serial with MNotify (default true); unregistered callers get 401. */
	registered?: boolean;
	senderName?: string;
	expired?: boolean;
	notYetValid?: boolean;
	/** Valid from yesterday for this many days more, e.g. 10 to be within an expiry warning. */
	expiresInDays?: number;
	/** Signed by another CA, which the sandbox does not trust: the TLS handshake fails. */
	untrustedCa?: boolean;
	/** Default: random. */
	passphrase?: string;
}

export interface ClientCertificate {
	pfx: Buffer;
	pfxBase64: string;
	passphrase: string;
	certPem: string;
	/** Unencrypted PKCS#8 PEM. */
	keyPem: string;
	/** PKCS#8 PEM encrypted with `passphrase`. */
	encryptedKeyPem: string;
	/** The sandbox CA: what a client must trust to verify the sandbox server. */
	caPem: string;
	serialNumber: string;
	senderId: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function validityPeriod(options: ClientCertificateOptions): { validFrom?: Date; validTo?: Date } {
	const now = Date.now();
	if (options.expired) {
		return { validFrom: new Date(now - 400 * DAY_MS), validTo: new Date(now - DAY_MS) };
	}
	if (options.notYetValid) {
		return { validFrom: new Date(now + DAY_MS), validTo: new Date(now + 400 * DAY_MS) };
	}
	if (options.expiresInDays !== undefined) {
		return {
			validFrom: new Date(now - DAY_MS),
			validTo: new Date(now + options.expiresInDays * DAY_MS),
		};
	}
	return {};
}

export function randomPassphrase(): string {
	return randomBytes(18).toString('base64url');
}

export class ClientCertificateIssuer {
	private untrustedCa?: CertificateAuthority;
	private issuedCount = 0;

	constructor(
		private readonly sandboxCa: CertificateAuthority,
		private readonly senders: SenderRegistry,
	) {}

	issue(options: ClientCertificateOptions = {}): ClientCertificate {
		const issuer = options.untrustedCa ? this.getUntrustedCa() : this.sandboxCa;
		this.issuedCount += 1;
		const certificate = issueCertificate(issuer, {
			commonName: options.senderName ?? `Sandbox client ${this.issuedCount}`,
			purpose: 'client',
			...validityPeriod(options),
		});
		const passphrase = options.passphrase ?? randomPassphrase();
		const sender =
			options.registered === false
				? this.senders.identityFor(certificate.serialNumber, options.senderName)
				: this.senders.register(certificate.serialNumber, options.senderName);
		// Real PFX files from STISC carry the issuing chain too.
		const pfx = toPfx(certificate, passphrase, [issuer.certPem]);
		return {
			pfx,
			pfxBase64: pfx.toString('base64'),
			passphrase,
			certPem: certificate.certPem,
			keyPem: certificate.keyPem,
			encryptedKeyPem: encryptPrivateKey(certificate.keyPem, passphrase),
			caPem: this.sandboxCa.certPem,
			serialNumber: certificate.serialNumber,
			senderId: sender.id,
		};
	}

	private getUntrustedCa(): CertificateAuthority {
		this.untrustedCa ??= createCertificateAuthority('Untrusted Test CA');
		return this.untrustedCa;
	}
}
