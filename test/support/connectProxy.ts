/** A real CONNECT proxy on 127.0.0.1 for tests, and the environment that makes the node use it. */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

import { engine } from './workflows';

export interface ConnectProxy {
	url: string;
	/** `host:port` of every tunnel opened, in order. */
	tunnels: string[];
	/** Every byte clients sent through the tunnels. */
	received: () => Buffer;
	close: () => Promise<void>;
}

/** Ways a proxy can fail after accepting the connection, instead of tunnelling. */
export type ProxyMisbehaviour =
	/** "200 Connection Established", then a web page of its own (a filter's block page). */
	| 'page-after-established'
	/** The same, the page coming once the client has started its TLS handshake. */
	| 'page-after-hello'
	/** The connection closed in answer to CONNECT. */
	| 'close'
	/** Something that is not HTTP in answer to CONNECT (another service on the port). */
	| 'not-http'
	/** A TLS alert record in answer to a plain CONNECT (a proxy that expects https://). */
	| 'tls';

export interface ConnectProxyOptions {
	/** "user:password" the proxy wants as Basic credentials. */
	basicAuth?: string;
	/** The first `times` CONNECTs are answered with `status` (a proxy whose upstream failed). */
	refuseFirst?: { status: number; times: number };
	misbehave?: ProxyMisbehaviour;
	/** Where a tunnel asked for `host:port` really goes (e.g. a production host to a sandbox). */
	redirect?: (target: string) => string;
}

const MISBEHAVIOURS: Record<ProxyMisbehaviour, (client: Socket) => void> = {
	'page-after-established': (client) =>
		client.end(
			'HTTP/1.1 200 Connection Established\r\n\r\n<html><body>Blocked by the web filter</body></html>',
		),
	'page-after-hello': (client) => {
		client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
		client.once('data', () => client.end('<html><body>Blocked by the web filter</body></html>'));
	},
	close: (client) => client.destroy(),
	'not-http': (client) => client.end('SSH-2.0-OpenSSH_9.2\r\n'),
	tls: (client) => client.end(Buffer.from([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46])),
};

/**
 * A minimal HTTP proxy that only tunnels (CONNECT), optionally wanting Basic credentials,
 * refusing the first CONNECTs, or misbehaving in one of the ways above. `tunnels` lists every
 * CONNECT target it was asked for, whatever it did with it.
 */
export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
	const { basicAuth, refuseFirst, misbehave, redirect } = options;
	const tunnels: string[] = [];
	const chunks: Buffer[] = [];
	const sockets = new Set<Socket>();
	const server: Server = createServer((_, response) => response.writeHead(405).end());
	server.on('connect', (request, client: Socket, head: Buffer) => {
		sockets.add(client);
		client.on('error', () => client.destroy());
		const expected = basicAuth && `Basic ${Buffer.from(basicAuth).toString('base64')}`;
		if (expected && request.headers['proxy-authorization'] !== expected) {
			client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
			return;
		}
		if (refuseFirst && refuseFirst.times > 0) {
			refuseFirst.times--;
			client.end(`HTTP/1.1 ${refuseFirst.status} Upstream unavailable\r\n\r\n`);
			return;
		}
		tunnels.push(request.url ?? '');
		if (misbehave) {
			MISBEHAVIOURS[misbehave](client);
			return;
		}
		const target = redirect ? redirect(request.url ?? '') : (request.url ?? '');
		const [host, port] = [target.slice(0, target.lastIndexOf(':')), target.split(':').pop()];
		const upstream = connect(Number(port), host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length > 0) upstream.write(head);
			client.on('data', (chunk: Buffer) => chunks.push(chunk));
			upstream.pipe(client);
			client.pipe(upstream);
		});
		sockets.add(upstream);
		upstream.on('error', () => client.destroy());
		client.on('close', () => upstream.destroy());
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		tunnels,
		received: () => Buffer.concat(chunks),
		close: async () => {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

const PROXY_VARIABLES = /^(npm_config_)?(https?|all|no)_proxy$/i;
/**
 * Sets the proxy variables for the next run (none: all cleared); the node's pools are rebuilt to
 * read them.
 */
export async function useProxyEnvironment(variables: Record<string, string>): Promise<void> {
	for (const key of Object.keys(process.env))
		if (PROXY_VARIABLES.test(key)) delete process.env[key];
	Object.assign(process.env, variables);
	await engine().closeConnections();
}

/** Where the credential's Production environment connects. */
export const PRODUCTION_TUNNEL = 'mnotify.gov.md:8443';

/**
 * For the tests of a describe block: every connection goes through a CONNECT proxy that tunnels
 * it (Production's included) to the sandbox on `sandboxPort()`, so nothing leaves 127.0.0.1;
 * counts the tunnels opened toward Production.
 */
export function useProductionTunnel(sandboxPort: () => number): {
	tunnelsToProduction: () => number;
} {
	let proxy: ConnectProxy | undefined;
	beforeAll(async () => {
		proxy = await startConnectProxy({ redirect: () => `127.0.0.1:${sandboxPort()}` });
		await useProxyEnvironment({ HTTPS_PROXY: proxy.url });
	});
	afterAll(async () => {
		await useProxyEnvironment({});
		await proxy?.close();
	});
	return {
		tunnelsToProduction: () =>
			proxy?.tunnels.filter((target) => target === PRODUCTION_TUNNEL).length ?? 0,
	};
}
