import { startSandbox, type MNotifySandbox, type SandboxOptions } from '../../dev/sandbox/server';
import { sandboxCredentials } from '../../dev/harness/sandboxCredentials';
import { engine } from './workflows';

export interface SandboxFixture {
	sandbox: MNotifySandbox;
	/** Credentials of a registered client certificate (PFX). */
	credentials: Record<string, string>;
}

/**
 * Starts a sandbox for the test file and a registered client certificate. The node's
 * connection pools (in the built package, which the engine loads) are closed afterwards.
 */
export function useSandbox(options: SandboxOptions = { statusStepMs: 50 }): SandboxFixture {
	const fixture = {} as SandboxFixture;
	beforeAll(async () => {
		fixture.sandbox = await startSandbox(options);
		const certificate = fixture.sandbox.issueClientCertificate();
		fixture.credentials = sandboxCredentials(fixture.sandbox.url, certificate);
	});
	afterAll(async () => {
		await engine().closeConnections();
		await fixture.sandbox?.close();
	});
	return fixture;
}
