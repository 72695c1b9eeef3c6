import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/** The credential's type name, which nodes and the transport refer to. */
export const MNOTIFY_CREDENTIAL_TYPE = 'mNotifyApi';

/** Where MNotify lives in each environment the credential offers. */
export const ENVIRONMENT_ORIGINS = {
	testing: 'https://mnotify.staging.egov.md:8443',
	production: 'https://mnotify.gov.md:8443',
} as const;

/**
 * The client certificate MNotify knows this information system by, and where MNotify lives.
 * MNotify authenticates callers by mutual TLS only: no token or key travels in a header, so
 * there is no `authenticate` block; the node's transport presents the certificate itself.
 * The credential is tested by the MNotify node (`testedBy`), which can explain TLS failures.
 */
export class MNotifyApi implements ICredentialType {
	name = MNOTIFY_CREDENTIAL_TYPE;

	displayName = 'MNotify API';

	icon: Icon = { light: 'file:../icons/mnotify.svg', dark: 'file:../icons/mnotify.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-mnotify/n8n-nodes-mnotify#the-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{
					name: 'Testing',
					value: 'testing',
					description: ENVIRONMENT_ORIGINS.testing,
				},
				{
					name: 'Production',
					value: 'production',
					description: ENVIRONMENT_ORIGINS.production,
				},
				{
					name: 'Custom URL',
					value: 'custom',
					description: 'A local MNotify sandbox or a proxy',
				},
			],
			default: 'testing',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://127.0.0.1:8443',
			description: 'Scheme, host and port only; the node adds /api/…',
			required: true,
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Certificate Format',
			name: 'format',
			type: 'options',
			options: [
				{
					name: 'PFX / PKCS#12 (Base64)',
					value: 'pfx',
					description: 'The .pfx or .p12 file STISC issued, as base64 text',
				},
				{
					name: 'PEM (Certificate + Private Key)',
					value: 'pem',
					description: 'Separate certificate and private key in PEM text',
				},
			],
			default: 'pfx',
		},
		{
			displayName: 'PFX File (Base64)',
			name: 'pfxCertificate',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			description: 'The whole .pfx file encoded as base64 text',
			// Under the field, not only on hover: nobody guesses how to turn a file into text.
			hint: 'Make the text with: Linux <code>base64 -w0 client.pfx > client.pfx.txt</code> · macOS <code>base64 -i client.pfx -o client.pfx.txt</code> · PowerShell <code>[Convert]::ToBase64String([IO.File]::ReadAllBytes("client.pfx")) | Set-Content client.pfx.txt</code>; then paste everything in client.pfx.txt here.',
			displayOptions: { show: { format: ['pfx'] } },
		},
		{
			displayName: 'Certificate (PEM)',
			name: 'certificatePem',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			placeholder: 'e.g. -----BEGIN CERTIFICATE-----…',
			description:
				'The client certificate, optionally followed by its intermediate certificates, all in PEM',
			hint: 'From a .pfx: <code>openssl pkcs12 -in client.pfx -clcerts -nokeys -out cert.pem</code> (add <code>-legacy</code> for old files)',
			displayOptions: { show: { format: ['pem'] } },
		},
		{
			displayName: 'Private Key (PEM)',
			name: 'privateKeyPem',
			type: 'string',
			typeOptions: { password: true, rows: 4 },
			default: '',
			required: true,
			placeholder: 'e.g. -----BEGIN … PRIVATE KEY-----',
			hint: 'From a .pfx: <code>openssl pkcs12 -in client.pfx -nocerts -out key.pem</code>',
			displayOptions: { show: { format: ['pem'] } },
		},
		{
			displayName: 'Passphrase',
			name: 'passphrase',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The PFX passphrase, or the private key passphrase for PEM. Leave empty if the key is not encrypted.',
		},
		// The rule takes any field named like "certificate" for a secret; CA certificates are public.
		// eslint-disable-next-line @n8n/community-nodes/credential-password-field
		{
			displayName: 'Extra CA Certificates (PEM)',
			name: 'caCertificates',
			type: 'string',
			// Public certificates, not secrets: shown, so the user sees what was pasted.
			typeOptions: { rows: 4 },
			default: '',
			placeholder: 'e.g. -----BEGIN CERTIFICATE-----…',
			description:
				'Certificates of the authority that signed the MNotify server certificate, if your system does not already trust it (e.g. a local sandbox)',
			hint: 'Only if needed: they are added to the usual trusted roots, and the server is always verified',
		},
	];
}
