import { connect } from 'node:tls';
import type { Agent } from 'undici';
import {
	type ClientCertificate,
	type MNotifySandbox,
	startSandbox,
} from '../../dev/sandbox/server';
import { call, type ClientIdentity, pfxIdentity, sandboxAgent } from './helpers';

let sandbox: MNotifySandbox;
/** Certificates are slow to make (RSA key generation), so the registered one is shared. */
let registered: ClientCertificate;
const agents: Agent[] = [];

function agentFor(identity: ClientIdentity = {}, options: Agent.Options = {}): Agent {
	const agent = sandboxAgent(sandbox, identity, options);
	agents.push(agent);
	return agent;
}

/**
 * A raw TLS connection carrying one `Connection: close` request, so the server ends it cleanly.
 * (undici keeps TLS sessions only through weak references, so its resumption is up to the GC.)
 */
function handshakeAndRequest(
	identity: ClientIdentity,
	session?: Buffer,
): Promise<{ session?: Buffer; reused: boolean }> {
	return new Promise((resolve, reject) => {
		let latestSession: Buffer | undefined;
		let reused = false;
		const socket = connect({
			host: '127.0.0.1',
			port: sandbox.port,
			ca: sandbox.caPem,
			session,
			...identity,
		});
		socket.on('session', (ticket: Buffer) => (latestSession = ticket));
		socket.once('secureConnect', () => {
			reused = socket.isSessionReused();
			socket.write('GET /api/template HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
		});
		socket.resume();
		socket.once('error', reject);
		socket.once('close', () => resolve({ session: latestSession, reused }));
	});
}

beforeAll(async () => {
	sandbox = await startSandbox();
	registered = sandbox.issueClientCertificate();
});

afterAll(async () => {
	await Promise.all(agents.map((agent) => agent.destroy()));
	await sandbox.close();
});

describe('mutual TLS', () => {
	it('listens on 127.0.0.1 with a certificate the sandbox CA vouches for', () => {
		expect(sandbox.url).toBe(`https://127.0.0.1:${sandbox.port}`);
		expect(sandbox.caPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
	});

	it('accepts a registered client certificate given as PFX', async () => {
		const agent = agentFor(pfxIdentity(registered));
		const response = await call(agent, sandbox, 'GET', '/api/notification');
		expect(response.status).toBe(200);
		expect(response.headers['keep-alive']).toBe('timeout=65');
		expect(response.json()).toEqual([]);
		expect(registered.caPem).toBe(sandbox.caPem);
		expect(registered.pfxBase64).toBe(registered.pfx.toString('base64'));
	});

	it('accepts the same certificate as PEM, with a plain or an encrypted key', async () => {
		const plain = agentFor({ cert: registered.certPem, key: registered.keyPem });
		const encrypted = agentFor({
			cert: registered.certPem,
			key: registered.encryptedKeyPem,
			passphrase: registered.passphrase,
		});
		expect((await call(plain, sandbox, 'GET', '/api/template')).status).toBe(200);
		expect((await call(encrypted, sandbox, 'GET', '/api/template')).status).toBe(200);
	});

	it.each([
		['without a client certificate', () => ({})],
		[
			'with a certificate from an untrusted CA',
			() => pfxIdentity(sandbox.issueClientCertificate({ untrustedCa: true })),
		],
		[
			'with an expired certificate',
			() => pfxIdentity(sandbox.issueClientCertificate({ expired: true })),
		],
		[
			'with a certificate that is not yet valid',
			() => pfxIdentity(sandbox.issueClientCertificate({ notYetValid: true })),
		],
	])('refuses the handshake %s', async (_case, identity) => {
		const before = sandbox.stats;
		await expect(call(agentFor(identity()), sandbox, 'GET', '/api/notification')).rejects.toThrow();
		const after = sandbox.stats;
		expect(after.tlsHandshakesRefused).toBe(before.tlsHandshakesRefused + 1);
		expect(after.tlsHandshakes).toBe(before.tlsHandshakes);
		expect(after.requests).toBe(before.requests);
	});

	it('answers 401 in plain text to a trusted but unregistered certificate, per request', async () => {
		const client = sandbox.issueClientCertificate({ registered: false, senderName: 'Late system' });
		const agent = agentFor(pfxIdentity(client), { connections: 1 });
		const refused = await call(agent, sandbox, 'GET', '/api/notification');
		expect(refused.status).toBe(401);
		expect(refused.headers['content-type']).toMatch(/^text\/plain/);
		expect(refused.text).toBe(
			`Client certificate serial ${client.serialNumber} is not registered with MNotify.`,
		);

		// Registration is checked on every request, so the same connection follows the changes.
		expect(sandbox.registerClientSerial(client.serialNumber)).toBe(client.senderId);
		expect((await call(agent, sandbox, 'GET', '/api/template')).status).toBe(200);
		expect(sandbox.unregisterClientSerial(client.serialNumber)).toBe(true);
		expect((await call(agent, sandbox, 'GET', '/api/template')).status).toBe(401);
	});

	it('does the handshake once for many requests over a keep-alive connection', async () => {
		// One connection: undici may otherwise open a second one for a request issued in the same
		// tick as the previous response ends.
		const agent = agentFor(pfxIdentity(registered), { connections: 1 });
		sandbox.resetStats();
		for (let i = 0; i < 25; i += 1) await call(agent, sandbox, 'GET', '/api/notification');
		await Promise.all(
			Array.from({ length: 25 }, () => call(agent, sandbox, 'GET', '/api/template')),
		);
		expect(sandbox.stats).toMatchObject({ tlsHandshakes: 1, connections: 1, requests: 50 });
	});

	it('counts resumed handshakes when a client offers its TLS session again', async () => {
		sandbox.resetStats();
		const first = await handshakeAndRequest(pfxIdentity(registered));
		const second = await handshakeAndRequest(pfxIdentity(registered), first.session);
		expect(first.reused).toBe(false);
		expect(second.reused).toBe(true);
		expect(sandbox.stats).toMatchObject({ tlsHandshakes: 2, resumedHandshakes: 1, requests: 2 });
	});
});

describe('sandbox server certificate', () => {
	it.each([
		['wrong-host', 'ERR_TLS_CERT_ALTNAME_INVALID'],
		['expired', 'CERT_HAS_EXPIRED'],
	] as const)('in %s mode fails the client’s verification with %s', async (mode, code) => {
		const broken = await startSandbox({ serverCertificate: mode });
		// The client checks the server before it would have to show a certificate of its own.
		const agent = sandboxAgent(broken);
		try {
			await expect(call(agent, broken, 'GET', '/api/notification')).rejects.toMatchObject({ code });
		} finally {
			await agent.destroy();
			await broken.close();
		}
	});
});
