/**
 * Certificate factory for the sandbox: a private CA, server and client certificates, PKCS#12.
 * Key pairs come from Node's native crypto (fast); node-forge only assembles X.509 and PKCS#12,
 * which Node cannot build itself.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface CertificateAuthority {
	certPem: string;
	keyPem: string;
}

export interface IssueCertificateOptions {
	commonName: string;
	purpose: 'server' | 'client';
	hostnames?: string[];
	ipAddresses?: string[];
	validFrom?: Date;
	validTo?: Date;
}

export interface IssuedCertificate {
	certPem: string;
	keyPem: string;
	/** Uppercase hex, as Node's X509Certificate.serialNumber and getPeerCertificate() print it. */
	serialNumber: string;
	validFrom: Date;
	validTo: Date;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const ORGANIZATION = 'MNotify Sandbox';

interface KeyPair {
	publicKey: forge.pki.rsa.PublicKey;
	privateKey: forge.pki.rsa.PrivateKey;
	keyPem: string;
}

function generateRsaKeyPair(): KeyPair {
	const { publicKey, privateKey } = generateKeyPairSync('rsa', {
		modulusLength: 2048,
		publicKeyEncoding: { type: 'spki', format: 'pem' },
		privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
	});
	return {
		publicKey: forge.pki.publicKeyFromPem(publicKey),
		privateKey: forge.pki.privateKeyFromPem(privateKey),
		keyPem: privateKey,
	};
}

/** 16 random bytes, high bit cleared (positive INTEGER) and first byte non-zero (minimal DER). */
function randomSerialNumber(): string {
	const bytes = randomBytes(16);
	bytes[0] = bytes[0] & 0x7f || 0x01;
	return bytes.toString('hex').toUpperCase();
}

function distinguishedName(commonName: string): forge.pki.CertificateField[] {
	return [
		{ name: 'countryName', value: 'MD' },
		{ name: 'organizationName', value: ORGANIZATION },
		{ name: 'commonName', value: commonName },
	];
}

export function createCertificateAuthority(commonName: string): CertificateAuthority {
	const keys = generateRsaKeyPair();
	const cert = forge.pki.createCertificate();
	cert.publicKey = keys.publicKey;
	cert.serialNumber = randomSerialNumber();
	// Backdated so that clock skew between processes never makes the CA "not yet valid".
	cert.validity.notBefore = new Date(Date.now() - DAY_MS);
	cert.validity.notAfter = new Date(Date.now() + 10 * 365 * DAY_MS);
	cert.setSubject(distinguishedName(commonName));
	cert.setIssuer(distinguishedName(commonName));
	cert.setExtensions([
		{ name: 'basicConstraints', cA: true, critical: true },
		{ name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
		{ name: 'subjectKeyIdentifier' },
	]);
	cert.sign(keys.privateKey, forge.md.sha256.create());
	return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function subjectAltNames(options: IssueCertificateOptions): object[] {
	const dnsNames = (options.hostnames ?? []).map((value) => ({ type: 2, value }));
	const ipNames = (options.ipAddresses ?? []).map((ip) => ({ type: 7, ip }));
	return [...dnsNames, ...ipNames];
}

export function issueCertificate(
	ca: CertificateAuthority,
	options: IssueCertificateOptions,
): IssuedCertificate {
	const caCert = forge.pki.certificateFromPem(ca.certPem);
	const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
	const keys = generateRsaKeyPair();
	const validFrom = options.validFrom ?? new Date(Date.now() - HOUR_MS);
	const validTo = options.validTo ?? new Date(Date.now() + 365 * DAY_MS);

	const cert = forge.pki.createCertificate();
	cert.publicKey = keys.publicKey;
	cert.serialNumber = randomSerialNumber();
	cert.validity.notBefore = validFrom;
	cert.validity.notAfter = validTo;
	cert.setSubject(distinguishedName(options.commonName));
	cert.setIssuer(caCert.subject.attributes);

	const isServer = options.purpose === 'server';
	const altNames = subjectAltNames(options);
	cert.setExtensions([
		{ name: 'basicConstraints', cA: false },
		{ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
		{ name: 'extKeyUsage', serverAuth: isServer, clientAuth: !isServer },
		...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
		{ name: 'subjectKeyIdentifier' },
		{
			name: 'authorityKeyIdentifier',
			keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes(),
		},
	]);
	cert.sign(caKey, forge.md.sha256.create());

	return {
		certPem: forge.pki.certificateToPem(cert),
		keyPem: keys.keyPem,
		serialNumber: cert.serialNumber.toUpperCase(),
		validFrom,
		validTo,
	};
}

const PFX_ITERATIONS = 2048;
const PFX_MAC_SALT_BYTES = 16;

/** RFC 7292 MacData with HMAC-SHA-256 (forge itself only writes SHA-1 MACs). */
function sha256MacData(authenticatedSafeDer: string, passphrase: string): forge.asn1.Asn1 {
	const { asn1 } = forge;
	const salt = forge.random.getBytesSync(PFX_MAC_SALT_BYTES);
	const sha256 = forge.md.sha256.create();
	const macKey = forge.pkcs12.generateKey(
		passphrase,
		forge.util.createBuffer(salt),
		3, // PKCS#12 key-derivation ID 3 = MAC key
		PFX_ITERATIONS,
		32,
		sha256,
	);
	const hmac = forge.hmac.create();
	hmac.start(sha256, macKey.getBytes());
	hmac.update(authenticatedSafeDer);
	const digest = hmac.digest().getBytes();

	const universal = asn1.Class.UNIVERSAL;
	return asn1.create(universal, asn1.Type.SEQUENCE, true, [
		asn1.create(universal, asn1.Type.SEQUENCE, true, [
			asn1.create(universal, asn1.Type.SEQUENCE, true, [
				asn1.create(
					universal,
					asn1.Type.OID,
					false,
					asn1.oidToDer(forge.pki.oids.sha256).getBytes(),
				),
				asn1.create(universal, asn1.Type.NULL, false, ''),
			]),
			asn1.create(universal, asn1.Type.OCTETSTRING, false, digest),
		]),
		asn1.create(universal, asn1.Type.OCTETSTRING, false, salt),
		asn1.create(universal, asn1.Type.INTEGER, false, asn1.integerToDer(PFX_ITERATIONS).getBytes()),
	]);
}

/**
 * PKCS#12 loadable by Node 20 / OpenSSL 3 without the legacy provider: the key is encrypted
 * with PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC) and the MAC is HMAC-SHA-256.
 */
export function toPfx(
	certificate: IssuedCertificate,
	passphrase: string,
	chainPems: string[],
): Buffer {
	const key = forge.pki.privateKeyFromPem(certificate.keyPem);
	const certificates = [certificate.certPem, ...chainPems].map((pem) =>
		forge.pki.certificateFromPem(pem),
	);
	// OpenSSL feeds PBKDF2 the UTF-8 bytes of the passphrase; forge uses the string's char codes
	// as bytes, so it must get the UTF-8 form. The MAC (below) takes the real string instead.
	const pfx = forge.pkcs12.toPkcs12Asn1(key, certificates, forge.util.encodeUtf8(passphrase), {
		algorithm: 'aes256',
		count: PFX_ITERATIONS,
		useMac: false,
		prfAlgorithm: 'sha256',
	} as Parameters<typeof forge.pkcs12.toPkcs12Asn1>[3]);

	// PFX ::= SEQUENCE { version, authSafe ContentInfo { data, [0] { OCTET STRING } }, macData }
	const parts = pfx.value as forge.asn1.Asn1[];
	const authSafe = parts[1].value as forge.asn1.Asn1[];
	const explicitContent = authSafe[1].value as forge.asn1.Asn1[];
	const authenticatedSafeDer = explicitContent[0].value as string;
	pfx.value = [parts[0], parts[1], sha256MacData(authenticatedSafeDer, passphrase)];

	return Buffer.from(forge.asn1.toDer(pfx).getBytes(), 'binary');
}

/** PKCS#8 "ENCRYPTED PRIVATE KEY" PEM, as used by PEM-with-passphrase credentials. */
export function encryptPrivateKey(keyPem: string, passphrase: string): string {
	return createPrivateKey(keyPem)
		.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase })
		.toString();
}
