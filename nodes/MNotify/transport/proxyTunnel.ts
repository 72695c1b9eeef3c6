/**
 * Connections to MNotify through an HTTP(S) proxy's CONNECT tunnel, with the TLS session (and
 * so the client certificate) end to end inside it. Ours rather than undici's ProxyAgent, which
 * (7.x) reconnects in a tight loop, never settling the request, when a proxy closes the
 * connection in answer to CONNECT. Every failure here ends the one connection attempt with an
 * error the classification can name (proxyErrors.ts): the proxy is never retried in a loop.
 */
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { buildConnector } from 'undici';

/** A failure of the proxy's part, before MNotify's TLS handshake began. */
export class ProxyTunnelError extends Error {
	constructor(
		readonly code: string,
		message: string,
	) {
		super(message);
		this.name = 'ProxyTunnelError';
	}
}

/** More than any proxy's answer to CONNECT: a longer one is not an HTTP proxy's. */
const MAX_ANSWER_HEAD_BYTES = 16 * 1024;

/**
 * undici's connect function for a pool whose connections go through the proxy at `proxyUrl`
 * (user and password included): CONNECT to the
 * origin's host and port, then the origin's TLS (undici's own connector, over the tunnel).
 */
export function tunnelConnector(
	proxyUrl: string,
	originTls: buildConnector.BuildOptions & { timeout: number },
): buildConnector.connector {
	const throughTunnel = buildConnector(originTls);
	return (options, callback) => {
		const target = `${options.hostname.includes(':') ? `[${options.hostname}]` : options.hostname}:${options.port || 443}`;
		openTunnel(proxyUrl, target, originTls.timeout).then(
			(socket) => throughTunnel({ ...options, httpSocket: socket }, callback),
			(error: Error) => callback(error, null),
		);
	};
}

/** A socket through which bytes reach `target`, once the proxy answered CONNECT with 200. */
function openTunnel(proxyUrl: string, target: string, timeoutMs: number): Promise<Socket> {
	const url = new URL(proxyUrl);
	const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
	const host = url.hostname.replace(/^\[|\]$/g, '');
	return new Promise((resolve, reject) => {
		let reached = false;
		const socket: Socket =
			url.protocol === 'https:'
				? connectTls({ host, port, servername: isIP(host) ? undefined : host })
				: connectTcp({ host, port });
		const fail = (error: Error) => {
			clearTimeout(timer);
			socket.destroy();
			reject(error);
		};
		const timer = setTimeout(
			() =>
				fail(
					reached
						? new ProxyTunnelError('PROXY_NO_ANSWER', 'The proxy did not answer CONNECT in time')
						: Object.assign(new Error('Connecting to the proxy timed out'), { code: 'ETIMEDOUT' }),
				),
			timeoutMs,
		);
		const onError = (error: Error) =>
			fail(
				url.protocol === 'https:' && /^ERR_SSL_|^ERR_TLS_|CERT/.test(codeOf(error))
					? new ProxyTunnelError('PROXY_TLS', `TLS with the proxy failed (${codeOf(error)})`)
					: error,
			);
		socket.on('error', onError);
		socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
			reached = true;
			socket.write(connectRequest(url, target));
		});
		let head = Buffer.alloc(0);
		const onData = (chunk: Buffer) => {
			head = Buffer.concat([head, chunk]);
			const end = head.indexOf('\r\n\r\n');
			const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, 16).toString('latin1'));
			if (head.length >= 12 && !status) {
				fail(new ProxyTunnelError('PROXY_NOT_HTTP', 'The proxy answered CONNECT, not in HTTP'));
				return;
			}
			if (end === -1) {
				if (head.length > MAX_ANSWER_HEAD_BYTES) {
					fail(new ProxyTunnelError('PROXY_NOT_HTTP', 'The proxy answered CONNECT, not in HTTP'));
				}
				return;
			}
			socket.off('data', onData);
			socket.off('end', onEnd);
			socket.off('close', onEnd);
			if (status?.[1] !== '200') {
				fail(new ProxyTunnelError('PROXY_REFUSED', `Proxy response (${status?.[1] ?? '?'})`));
				return;
			}
			// MNotify's TLS waits for our hello: bytes before it are the proxy's own (a web page).
			if (head.length > end + 4) {
				fail(new ProxyTunnelError('PROXY_SPOKE_FIRST', 'The proxy sent data of its own after 200'));
				return;
			}
			clearTimeout(timer);
			// From here the TLS session over the tunnel reports errors; a late one only closes it.
			socket.off('error', onError);
			socket.on('error', () => socket.destroy());
			resolve(socket);
		};
		const onEnd = () =>
			fail(
				head.length > 0 && !head.toString('latin1').startsWith('HTTP/')
					? new ProxyTunnelError('PROXY_NOT_HTTP', 'The proxy answered CONNECT, not in HTTP')
					: new ProxyTunnelError('PROXY_CLOSED', 'The proxy closed the connection'),
			);
		socket.on('data', onData);
		socket.once('end', onEnd);
		socket.once('close', onEnd);
	});
}

/** The CONNECT request, with the proxy URL's user and password as Basic credentials. */
function connectRequest(proxy: URL, target: string): string {
	const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
	if (proxy.username || proxy.password) {
		const user = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
		lines.push(`Proxy-Authorization: Basic ${Buffer.from(user).toString('base64')}`);
	}
	return `${lines.join('\r\n')}\r\n\r\n`;
}

function codeOf(error: unknown): string {
	const code = (error as { code?: unknown })?.code;
	return typeof code === 'string' ? code : '';
}
