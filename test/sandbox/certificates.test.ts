import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import {
	createCertificateAuthority,
	encryptPrivateKey,
	issueCertificate,
	toPfx,
} from '../../dev/sandbox/certificates';

const ca = createCertificateAuthority('Unit Test CA');
const caCertificate = new X509Certificate(ca.certPem);
const server = issueCertificate(ca, {
	commonName: 'localhost',
	purpose: 'server',
	hostnames: ['localhost'],
	ipAddresses: ['127.0.0.1'],
});
const client = issueCertificate(ca, { commonName: 'Client system', purpose: 'client' });

/** DER of the SHA-256 OID (2.16.840.1.101.3.4.2.1), as it appears in the PFX MacData. */
const SHA256_OID_DER = Buffer.from('0609608648016503040201', 'hex');

describe('certificate authority', () => {
	it('is a self-signed CA allowed to sign certificates', () => {
		expect(caCertificate.ca).toBe(true);
		expect(caCertificate.subject).toContain('CN=Unit Test CA');
		expect(caCertificate.checkIssued(caCertificate)).toBe(true);
	});
});

describe('issueCertificate', () => {
	it('reports the serial number exactly as Node prints it', () => {
		for (const issued of [server, client]) {
			expect(issued.serialNumber).toBe(new X509Certificate(issued.certPem).serialNumber);
			expect(issued.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
		}
		expect(server.serialNumber).not.toBe(client.serialNumber);
	});

	it('signs with the CA and marks the purpose', () => {
		const serverCertificate = new X509Certificate(server.certPem);
		const clientCertificate = new X509Certificate(client.certPem);
		expect(serverCertificate.verify(caCertificate.publicKey)).toBe(true);
		expect(serverCertificate.checkIssued(caCertificate)).toBe(true);
		expect(serverCertificate.ca).toBe(false);
		expect(serverCertificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
		expect(clientCertificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
	});

	it('puts host names and IP addresses into subjectAltName for servers', () => {
		const certificate = new X509Certificate(server.certPem);
		expect(certificate.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
		expect(certificate.checkHost('localhost')).toBe('localhost');
		expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
	});

	it('honours the validity period it is given', () => {
		const validFrom = new Date('2020-01-01T00:00:00Z');
		const validTo = new Date('2021-01-01T00:00:00Z');
		const expired = issueCertificate(ca, {
			commonName: 'old',
			purpose: 'client',
			validFrom,
			validTo,
		});
		const certificate = new X509Certificate(expired.certPem);
		expect(new Date(certificate.validFrom)).toEqual(validFrom);
		expect(new Date(certificate.validTo)).toEqual(validTo);
		expect(expired.validTo).toEqual(validTo);
	});
});

describe('toPfx', () => {
	it.each(['s3cret-passphrase', 'parolă-ăîșț-€'])(
		'builds a PKCS#12 that Node 20 loads with passphrase %j',
		(passphrase) => {
			const pfx = toPfx(client, passphrase, [ca.certPem]);
			expect(() => createSecureContext({ pfx, passphrase })).not.toThrow();
			expect(() => createSecureContext({ pfx, passphrase: `${passphrase}!` })).toThrow(
				/mac verify failure/,
			);
		},
	);

	it('protects the file with an HMAC-SHA-256 MAC', () => {
		const pfx = toPfx(client, 'pw', [ca.certPem]);
		expect(pfx.includes(SHA256_OID_DER)).toBe(true);
	});
});

describe('encryptPrivateKey', () => {
	it('produces an encrypted PKCS#8 PEM that opens only with the passphrase', () => {
		const encrypted = encryptPrivateKey(client.keyPem, 'pem-pass');
		expect(encrypted).toMatch(/^-----BEGIN (ENCRYPTED) PRIVATE KEY-----/);
		expect(() => createPrivateKey({ key: encrypted, passphrase: 'pem-pass' })).not.toThrow();
		expect(() => createPrivateKey({ key: encrypted, passphrase: 'wrong' })).toThrow();
		expect(() =>
			createSecureContext({ cert: client.certPem, key: encrypted, passphrase: 'pem-pass' }),
		).not.toThrow();
	});
});
