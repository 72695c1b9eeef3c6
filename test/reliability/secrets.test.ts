/**
 * No certificate secret may appear anywhere a user, a log collector or another workflow could
 * read it: output items, error messages and descriptions (stack and cause included), and
 * anything written to the console, stdout or stderr. Every failure path is provoked for real.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IDataObject } from 'n8n-workflow';

import type { SandboxFault } from '../../dev/sandbox/server';
import { testCredentials } from '../../nodes/MNotify/methods/credentialTest';
import type { MNotifyCredentials } from '../../nodes/MNotify/transport/clientCertificate';
import { startConnectProxy, useProxyEnvironment, type ConnectProxy } from '../support/connectProxy';
import { sandboxCredentials } from '../../dev/harness/sandboxCredentials';
import {
	closingChecks,
	markedItems,
	markedSendParameters,
	reliabilitySuite,
	type Execution,
} from './support/harness';

// This suite scans what n8n's logger prints (captured, not shown), so the logger stays on.
process.env.N8N_LOG_LEVEL = 'info';

const suite = reliabilitySuite('secrets');
const main = suite.sandbox();

/** A wrong passphrase is someone's real password for something else: protected too. */
const wrongPassphrase = `typo-${randomBytes(12).toString('base64url')}`;
suite.secrets.protectText('wrong passphrase', wrongPassphrase);

const listNotifications = { resource: 'notification', operation: 'getMany', limit: 5 };

interface Scenario {
	name: string;
	credentials: () => Record<string, string>;
	parameters?: IDataObject;
	fault?: SandboxFault;
	continueOnFail?: boolean;
	/** What the error (or the error item, with Continue On Fail) must say. */
	says: RegExp;
}

/** Credentials of the main certificate as PEM (encrypted key), for the PEM paths. */
const pem = () => sandboxCredentials(main.sandbox.url, main.certificate, 'pem');
const other = {} as Record<'unregistered' | 'untrusted', ReturnType<typeof main.issue>>;

beforeAll(() => {
	other.unregistered = main.issue({ registered: false });
	other.untrusted = main.issue({ untrustedCa: true });
});

const scenarios: Scenario[] = [
	{
		name: 'a wrong PFX passphrase',
		credentials: () => ({ ...main.credentials, passphrase: wrongPassphrase }),
		says: /passphrase is wrong/,
	},
	{
		name: 'a wrong PEM key passphrase',
		credentials: () => ({ ...pem(), passphrase: wrongPassphrase }),
		says: /passphrase is wrong/,
	},
	{
		name: 'the PEM private key pasted into the PFX field',
		credentials: () => ({ ...main.credentials, pfxCertificate: main.certificate.keyPem }),
		says: /PFX file is not base64/,
	},
	{
		name: 'a PFX cut off half-way',
		credentials: () => ({
			...main.credentials,
			pfxCertificate: main.certificate.pfxBase64.slice(0, 1_200),
		}),
		says: /PFX file could not be read/,
	},
	{
		name: 'the private key pasted into the certificate field',
		credentials: () => ({ ...pem(), certificatePem: main.certificate.encryptedKeyPem }),
		says: /certificate is not PEM text/,
	},
	{
		name: "another certificate's private key",
		credentials: () => ({
			...pem(),
			privateKeyPem: main.certificate.keyPem,
			certificatePem: other.unregistered.certificate.certPem,
			passphrase: '',
		}),
		says: /private key does not belong to the certificate/,
	},
	{
		name: 'a certificate MNotify does not know (401)',
		credentials: () => other.unregistered.credentials,
		says: /did not accept this client certificate \(401\)/,
	},
	{
		name: 'a certificate refused during the TLS handshake',
		credentials: () => other.untrusted.credentials,
		says: /refused the client certificate|broke before an answer arrived/,
	},
	{
		name: 'a 400 from MNotify',
		credentials: () => main.credentials,
		parameters: { ...listNotifications, options: { orderField: '={{ "priority" }}' } },
		says: /rejected the request to list notifications as invalid \(400\)/,
	},
	{
		name: 'a 500 with a JSON body',
		credentials: () => main.credentials,
		fault: { kind: 'status', status: 500 },
		says: /server error \(500\)/,
	},
	{
		name: 'a 503 in plain text',
		credentials: () => main.credentials,
		fault: { kind: 'status', status: 503, plainText: true },
		says: /server error \(503\)/,
	},
	{
		name: 'a timeout',
		credentials: () => main.credentials,
		parameters: markedSendParameters({ options: { timeoutSeconds: 1 } }),
		fault: { kind: 'delay', ms: 2_000 },
		says: /did not answer within 1 seconds/,
	},
	{
		name: 'Continue On Fail error items for a certificate MNotify does not know',
		credentials: () => other.unregistered.credentials,
		continueOnFail: true,
		says: /\(401\)/,
	},
	{
		name: 'Continue On Fail error items for a wrong passphrase',
		credentials: () => ({ ...main.credentials, passphrase: wrongPassphrase }),
		continueOnFail: true,
		says: /passphrase is wrong/,
	},
];

/** The error text a scenario produced: the node's error, or every error item's. */
function errorsOf(run: Execution): string {
	if (run.error) return `${run.error.message} ${run.error.description}`;
	return run.output.map((item) => `${item.json.error ?? ''} ${item.json.description ?? ''}`).join();
}

describe('the leak detector', () => {
	it('finds a planted key, PFX slice and passphrase in the console, stderr and an error', async () => {
		const { keyPem, pfxBase64, passphrase, serialNumber } = main.certificate;
		const planted = await suite.secrets.silently(() => {
			console.log(JSON.stringify({ key: keyPem }));
			process.stderr.write(`${pfxBase64.slice(700, 820).replace(/(.{50})/g, '$1\n')}\n`);
			console.error(new Error(`could not open the file with ${passphrase}`));
		});
		const found = new Set(suite.secrets.scan(planted).map((leak) => leak.secret));
		const name = `sandbox client certificate ${serialNumber.slice(-6)}`;
		expect([...found].sort()).toEqual([`${name} PFX`, `${name} passphrase`, `${name} private key`]);
		expect(suite.secrets.leaks()).toEqual([]);
	});

	it("also sees what n8n's own logger writes about a failed run", async () => {
		const run = await suite.execute(listNotifications, other.unregistered.credentials);
		expect(run.error?.message).toMatch(/\(401\)/);
		// The logger writes through a stream, a moment after the run ends.
		const deadline = Date.now() + 2_000;
		while (!suite.secrets.printed(run.error?.message ?? '?') && Date.now() < deadline) {
			await sleep(20);
		}
		expect(suite.secrets.printed(run.error?.message ?? '?')).toBe(true);
	});
});

describe('no secret in what a failure shows', () => {
	it.each(scenarios)('with $name', async (scenario) => {
		if (scenario.fault) main.injectFault(scenario.fault, {});
		const items = markedItems(suite, scenario.continueOnFail ? 3 : 1);
		const run = await suite.execute(
			scenario.parameters ?? markedSendParameters(),
			scenario.credentials(),
			{ items, continueOnFail: scenario.continueOnFail },
		);
		main.sandbox.clearFaults();
		expect(errorsOf(run)).toMatch(scenario.says);
		if (scenario.continueOnFail) {
			expect(run.output.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
			expect(run.output.every((item) => typeof item.json.error === 'string')).toBe(true);
		}
		expect(suite.secrets.leaks()).toEqual([]);
	});
});

describe('no proxy password in what a bad proxy setting or a failing proxy shows', () => {
	const proxyPassword = `pa#ss-${randomBytes(9).toString('base64url')}`;
	suite.secrets.protectText('proxy password', proxyPassword);
	suite.secrets.protectText('proxy password, encoded', encodeURIComponent(proxyPassword));
	let proxy: ConnectProxy;
	beforeAll(async () => {
		proxy = await startConnectProxy({ misbehave: 'page-after-established' });
	});
	afterAll(async () => {
		await useProxyEnvironment({});
		await proxy.close();
	});

	it.each([
		['unencoded in HTTPS_PROXY', () => `http://ion:${proxyPassword}@${new URL(proxy.url).host}`],
		[
			'encoded, the proxy misbehaving',
			() => `http://ion:${encodeURIComponent(proxyPassword)}@${new URL(proxy.url).host}`,
		],
	])('%s: the Send and the credential test', async (_, proxyUrl) => {
		await useProxyEnvironment({ HTTPS_PROXY: proxyUrl() });
		const run = await suite.execute(markedSendParameters(), main.credentials, {
			items: markedItems(suite, 1),
		});
		// What n8n's credential tester shows: the result, or the fields of what it threw.
		const tested = await testCredentials(main.credentials as unknown as MNotifyCredentials).catch(
			(error: unknown) => ({ thrown: { ...(error as object), message: String(error) } }),
		);
		suite.secrets.record('credential test', tested);
		expect(suite.secrets.leaks()).toEqual([]);
		expect(run.error?.message).toMatch(/proxy/);
		expect(tested).toMatchObject({ status: 'Error' });
	});
});

describe('no secret in what a success shows', () => {
	it('sends with a PFX and with a PEM credential, then reads the notification back', async () => {
		for (const credentials of [main.credentials, pem()]) {
			const sent = await suite.execute(markedSendParameters(), credentials, {
				items: markedItems(suite, 2),
			});
			expect(sent.error).toBeUndefined();
			const read = await suite.execute(
				{ resource: 'notification', operation: 'get', notificationId: sent.output[0].json.id },
				credentials,
			);
			expect(read.output[0].json.id).toBe(sent.output[0].json.id);
		}
		expect(suite.secrets.leaks()).toEqual([]);
	});
});

closingChecks(suite);
