import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import {
	credentialInstructions,
	type SandboxFiles,
	writeSandboxFiles,
} from '../../dev/sandbox/cliFiles';
import {
	type ClientCertificate,
	type MNotifySandbox,
	startSandbox,
} from '../../dev/sandbox/server';

let sandbox: MNotifySandbox;
let client: ClientCertificate;
let directory: string;
let files: SandboxFiles;

beforeAll(async () => {
	sandbox = await startSandbox();
	client = sandbox.issueClientCertificate();
	directory = join(await mkdtemp(join(tmpdir(), 'mnotify-sandbox-')), '.sandbox');
	files = await writeSandboxFiles(directory, sandbox.url, client);
});

afterAll(async () => {
	await sandbox.close();
	await rm(join(directory, '..'), { recursive: true, force: true });
});

describe('sandbox CLI files', () => {
	it('writes every file readable by the owner only', async () => {
		expect(
			Object.values(files)
				.map((path) => path.slice(directory.length + 1))
				.sort(),
		).toEqual([
			'ca.pem',
			'client.crt.pem',
			'client.key.pem',
			'client.pfx',
			'client.pfx.base64.txt',
			'credential.json',
			'passphrase.txt',
		]);
		for (const path of Object.values(files)) {
			expect(((await stat(path)).mode & 0o777).toString(8)).toBe('600');
		}
	});

	it('writes a PFX that opens with the written passphrase', async () => {
		const pfx = await readFile(files.pfx);
		const passphrase = (await readFile(files.passphrase, 'utf8')).trim();
		expect((await readFile(files.pfxBase64, 'utf8')).trim()).toBe(pfx.toString('base64'));
		expect(() => createSecureContext({ pfx, passphrase, ca: sandbox.caPem })).not.toThrow();
	});

	it('writes an importable n8n credential for the custom environment', async () => {
		const exported = JSON.parse(await readFile(files.credential, 'utf8'));
		expect(exported).toEqual([
			{
				id: 'mnotify-sandbox',
				name: 'MNotify sandbox',
				type: 'mNotifyApi',
				data: {
					environment: 'custom',
					baseUrl: sandbox.url,
					format: 'pfx',
					pfxCertificate: client.pfxBase64,
					passphrase: client.passphrase,
					caCertificates: sandbox.caPem,
				},
			},
		]);
	});

	it('explains the credential without printing any secret', () => {
		const text = credentialInstructions(sandbox.url, files, join(directory, '..'));
		expect(text).toContain(sandbox.url);
		expect(text).toContain('Custom URL');
		expect(text).toContain('.sandbox/client.pfx.base64.txt');
		expect(text).toContain('.sandbox/passphrase.txt');
		expect(text).toContain('.sandbox/ca.pem');
		expect(text).not.toContain(client.passphrase);
		expect(text).not.toContain(client.pfxBase64.slice(0, 40));
		expect(text).not.toContain('PRIVATE KEY');
	});
});
