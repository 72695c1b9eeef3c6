/**
 * Corporate proxies: with HTTPS_PROXY set, the node reaches MNotify through a real CONNECT proxy on
 * 127.0.0.1, with mutual TLS end to end inside the tunnel (the proxy only sees encrypted bytes,
 * and the sandbox still authenticates the client certificate); NO_PROXY bypasses it; a proxy that
 * refuses or is down is named, without its password. Through n8n's engine.
 */
import { testCredentials } from '../../nodes/MNotify/methods/credentialTest';
import type { MNotifyCredentials } from '../../nodes/MNotify/transport/clientCertificate';
import { startConnectProxy, useProxyEnvironment, type ConnectProxy } from '../support/connectProxy';
import { useSandbox } from '../support/sandbox';
import { items, runNode, runNodeExpectingError, sendParameters } from '../support/workflows';

const fixture = useSandbox();
const savedEnvironment = { ...process.env };
let proxy: ConnectProxy;
beforeEach(async () => {
	proxy = await startConnectProxy({ basicAuth: 'ion:s3cret-proxy-password' });
});
afterEach(async () => {
	await useProxyEnvironment({});
	Object.assign(process.env, savedEnvironment);
	await proxy.close();
});

const subject = 'Aviz prin proxy';
const send = (count: number) =>
	runNode(
		sendParameters([{ type: 'IDNP', value: '2000000000000' }], { subject }),
		fixture.credentials,
		{
			startItems: items(count, () => ({})),
		},
	);

describe('HTTPS_PROXY', () => {
	it('tunnels every request through the proxy, mutual TLS end to end, keeping connections alive', async () => {
		await useProxyEnvironment({
			HTTPS_PROXY: proxy.url.replace('http://', 'http://ion:s3cret-proxy-password@'),
		});
		const before = fixture.sandbox.stats.notificationsAccepted;
		const first = await send(4);
		const tunnelsAfterFirstRun = proxy.tunnels.length;
		const second = await send(4);

		// The sandbox accepted them: it authenticated the client certificate through the tunnel.
		expect([...first, ...second].every((item) => typeof item.json.id === 'string')).toBe(true);
		expect(fixture.sandbox.stats.notificationsAccepted - before).toBe(8);
		expect(new Set(proxy.tunnels)).toEqual(new Set([`127.0.0.1:${fixture.sandbox.port}`]));
		expect(tunnelsAfterFirstRun).toBeGreaterThanOrEqual(1);
		expect(tunnelsAfterFirstRun).toBeLessThanOrEqual(4);
		// The second execution reused the pooled connections: no new tunnel.
		expect(proxy.tunnels.length).toBe(tunnelsAfterFirstRun);

		// The proxy saw a TLS handshake and encrypted records only.
		const seen = proxy.received();
		expect(seen[0]).toBe(0x16);
		expect(seen.includes('POST /api/notification')).toBe(false);
		expect(seen.includes(subject)).toBe(false);
	});

	it('runs the credential test through the proxy too', async () => {
		await useProxyEnvironment({
			HTTPS_PROXY: proxy.url.replace('http://', 'http://ion:s3cret-proxy-password@'),
		});
		const result = await testCredentials(fixture.credentials as unknown as MNotifyCredentials);
		expect(result.status).toBe('OK');
		expect(proxy.tunnels).toHaveLength(1);
	});

	it('connects directly to hosts in NO_PROXY', async () => {
		await useProxyEnvironment({ HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
		await send(2);
		expect(proxy.tunnels).toEqual([]);
	});

	it('says so when the proxy refuses the tunnel, without its password, and sends nothing', async () => {
		await useProxyEnvironment({
			https_proxy: proxy.url.replace('http://', 'http://ion:wrong-password@'),
		});
		const before = fixture.sandbox.stats.requests;
		const error = await runNodeExpectingError(
			sendParameters([{ type: 'IDNP', value: '2000000000000' }]),
			fixture.credentials,
		);
		expect(error.message).toBe(
			`The proxy ${proxy.url} refused to open a connection to MNotify at 127.0.0.1:${fixture.sandbox.port} (407) [item 0]`,
		);
		expect(error.description).toMatch(/wants a user and password.*HTTPS_PROXY/);
		expect(`${error.message} ${error.description}`).not.toContain('wrong-password');
		expect(fixture.sandbox.stats.requests).toBe(before);
	});

	it('says so when the proxy cannot be reached', async () => {
		const address = proxy.url;
		await proxy.close();
		proxy = await startConnectProxy();
		await useProxyEnvironment({ HTTPS_PROXY: address });
		const error = await runNodeExpectingError(
			{ resource: 'notification', operation: 'getMany', limit: 1 },
			fixture.credentials,
		);
		expect(error.message).toBe(
			`Could not reach the proxy ${address} on the way to MNotify: connection refused [item 0]`,
		);
	});
});

describe('proxy settings and proxy faults, in the words of their cause', () => {
	const password = 'pa#ss-proxy-password';

	it.each([
		['an unencoded # in the password', `http://ion:${password}@127.0.0.1:3128`],
		['an unencoded / in the password', 'http://ion:pa/ss-proxy-password@127.0.0.1:3128'],
	])(
		'%s: Send and the credential test say HTTPS_PROXY is not valid, never showing it',
		async (_, url) => {
			await useProxyEnvironment({ HTTPS_PROXY: url });
			const before = fixture.sandbox.stats.requests;
			const error = await runNodeExpectingError(
				sendParameters([{ type: 'IDNP', value: '2000000000000' }]),
				fixture.credentials,
			);
			expect(error.message).toBe('HTTPS_PROXY is not a valid proxy URL [item 0]');
			expect(error.description).toMatch(/percent-encoded/);
			// The credential test answers an error result; it does not throw.
			const result = await testCredentials(fixture.credentials as unknown as MNotifyCredentials);
			expect(result).toEqual({
				status: 'Error',
				message: expect.stringMatching(/^HTTPS_PROXY is not a valid proxy URL\. /),
			});
			const shown = JSON.stringify([error.message, error.description, result]);
			expect(shown).not.toContain('ss-proxy-password');
			expect(fixture.sandbox.stats.requests).toBe(before);
		},
	);

	it.each([
		[
			'page-after-established' as const,
			/^The proxy http:\/\/127\.0\.0\.1:\d+ sent something other than MNotify's TLS through the tunnel/,
		],
		[
			'page-after-hello' as const,
			/^The proxy http:\/\/127\.0\.0\.1:\d+ sent something other than MNotify's TLS through the tunnel/,
		],
		[
			'close' as const,
			/^The tunnel through the proxy http:\/\/127\.0\.0\.1:\d+ to MNotify at .* failed before it was ready/,
		],
		[
			'not-http' as const,
			/^The proxy http:\/\/127\.0\.0\.1:\d+ did not answer the tunnel request for MNotify at .* in HTTP/,
		],
		[
			'tls' as const,
			/^The proxy http:\/\/127\.0\.0\.1:\d+ did not answer the tunnel request for MNotify at .* in HTTP/,
		],
	])(
		'a proxy that answers %s is named as the cause, not the certificate or the allow-list',
		async (misbehave, expected) => {
			await proxy.close();
			proxy = await startConnectProxy({ misbehave });
			await useProxyEnvironment({
				HTTPS_PROXY: proxy.url.replace('http://', 'http://ion:s3cret-proxy-password@'),
			});
			const before = fixture.sandbox.stats.requests;
			const error = await runNodeExpectingError(
				sendParameters([{ type: 'IDNP', value: '2000000000000' }]),
				fixture.credentials,
			);
			const result = await testCredentials(fixture.credentials as unknown as MNotifyCredentials);
			expect(error.message).toMatch(expected);
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(expected);
			for (const text of [`${error.message} ${error.description}`, result.message]) {
				expect(text).toContain(proxy.url);
				expect(text).not.toMatch(/refused the client certificate|allow-list|s3cret/);
			}
			// The Send and the test each tried, a few times at most: the proxy is not hammered.
			expect(proxy.tunnels.length).toBeGreaterThanOrEqual(2);
			expect(proxy.tunnels.length).toBeLessThanOrEqual(4);
			expect(fixture.sandbox.stats.requests).toBe(before);
		},
	);

	it('a proxy answering 503 is named as refusing the tunnel, in the credential test too', async () => {
		await proxy.close();
		proxy = await startConnectProxy({ refuseFirst: { status: 503, times: 10 } });
		await useProxyEnvironment({ HTTPS_PROXY: proxy.url });
		const result = await testCredentials(fixture.credentials as unknown as MNotifyCredentials);
		expect(result).toEqual({
			status: 'Error',
			message: expect.stringMatching(
				new RegExp(
					`^The proxy ${proxy.url} refused to open a connection to MNotify at .* \\(503\\)`,
				),
			),
		});
	});
});
