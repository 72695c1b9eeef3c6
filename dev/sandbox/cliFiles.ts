/**
 * What the sandbox CLI leaves on disk for a developer: the client certificate in every form and a
 * ready-to-import n8n credential. Secrets go to files (mode 0600), never to the console.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ClientCertificate } from './clientCertificates';

export const SANDBOX_FILE_NAMES = {
	pfx: 'client.pfx',
	pfxBase64: 'client.pfx.base64.txt',
	passphrase: 'passphrase.txt',
	ca: 'ca.pem',
	certificate: 'client.crt.pem',
	key: 'client.key.pem',
	credential: 'credential.json',
} as const;

export type SandboxFiles = Record<keyof typeof SANDBOX_FILE_NAMES, string>;

/**
 * An n8n credential export in decrypted form, as `n8n export:credentials --decrypted` writes it;
 * `n8n import:credentials` encrypts it on import.
 */
export function credentialExport(baseUrl: string, client: ClientCertificate) {
	return [
		{
			id: 'mnotify-sandbox',
			name: 'MNotify sandbox',
			type: 'mNotifyApi',
			data: {
				environment: 'custom',
				baseUrl,
				format: 'pfx',
				pfxCertificate: client.pfxBase64,
				passphrase: client.passphrase,
				caCertificates: client.caPem,
			},
		},
	];
}

export async function writeSandboxFiles(
	directory: string,
	baseUrl: string,
	client: ClientCertificate,
): Promise<SandboxFiles> {
	await mkdir(directory, { recursive: true, mode: 0o700 });
	const contents: Record<keyof typeof SANDBOX_FILE_NAMES, string | Buffer> = {
		pfx: client.pfx,
		pfxBase64: `${client.pfxBase64}\n`,
		passphrase: `${client.passphrase}\n`,
		ca: client.caPem,
		certificate: client.certPem,
		key: client.keyPem,
		credential: `${JSON.stringify(credentialExport(baseUrl, client), null, '\t')}\n`,
	};
	const files = {} as SandboxFiles;
	for (const [name, fileName] of Object.entries(SANDBOX_FILE_NAMES)) {
		const path = join(directory, fileName);
		await writeFile(path, contents[name as keyof SandboxFiles], { mode: 0o600 });
		// `mode` only applies to new files; an older run may have left wider permissions.
		await chmod(path, 0o600);
		files[name as keyof SandboxFiles] = path;
	}
	return files;
}

/** The console guide: where to click in n8n, and which file holds each value. No secrets. */
export function credentialInstructions(baseUrl: string, files: SandboxFiles, cwd: string): string {
	const show = (path: string) => relative(cwd, path) || path;
	return [
		`MNotify sandbox listening on ${baseUrl} (mutual TLS; 127.0.0.1 only).`,
		'',
		'In n8n, create an "MNotify API" credential with:',
		'  Environment             Custom URL',
		`  Base URL                ${baseUrl}`,
		'  Certificate Format      PFX / PKCS#12 (Base64)',
		`  PFX File (Base64)       paste the contents of ${show(files.pfxBase64)}`,
		`  Passphrase              paste the contents of ${show(files.passphrase)}`,
		`  Extra CA Certificates   paste the contents of ${show(files.ca)}`,
		'',
		`Or import it: n8n import:credentials --input=${show(files.credential)}`,
		`PEM alternatives: ${show(files.certificate)} with ${show(files.key)} (unencrypted key).`,
		`curl: curl --cacert ${show(files.ca)} --cert ${show(files.certificate)} --key ${show(files.key)} ${baseUrl}/api/notification`,
		'',
		'The files hold secrets for this sandbox only; they are valid until it stops.',
		'Press Ctrl+C to stop. Requests are logged below.',
	].join('\n');
}
