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

/**
 * A minimal HTTP proxy that only tunnels (CONNECT), optionally wanting Basic credentials, and
 * answering the first `refuseFirst` CONNECTs with that status (a proxy whose upstream failed).
 */
export async function startConnectProxy(
	basicAuth?: string,
	refuseFirst?: { status: number; times: number },
): Promise<ConnectProxy> {
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
		const target = request.url ?? '';
		tunnels.push(target);
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
