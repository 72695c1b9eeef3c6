import type { SecureContext } from 'node:tls';
import { Agent, ProxyAgent, type Dispatcher } from 'undici';

/** Environment variables, as in process.env. */
export type Environment = Record<string, string | undefined>;

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/**
 * The proxy n8n's own HTTP Request would use for `origin` (the rules of the proxy-from-env
 * package it relies on): `https_proxy`, then `all_proxy` (each also upper case, or from npm's
 * config), unless `no_proxy` names the host: exactly, as a domain suffix (`.egov.md`,
 * `*.egov.md`), with an optional `:port`, or `*` for every host. Undefined: connect directly.
 */
export function proxyFor(origin: string, env: Environment): string | undefined {
	const url = new URL(origin);
	// URL keeps IPv6 brackets in `host`; strip only the port.
	const host = url.host.replace(/:\d*$/, '').toLowerCase();
	const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
	const noProxy = (read(env, 'npm_config_no_proxy') || read(env, 'no_proxy')).toLowerCase();
	if (bypassesProxy(host, port, noProxy)) return undefined;
	const scheme = url.protocol.slice(0, -1);
	const proxy =
		read(env, `npm_config_${scheme}_proxy`) ||
		read(env, `${scheme}_proxy`) ||
		read(env, 'npm_config_proxy') ||
		read(env, 'all_proxy');
	if (!proxy) return undefined;
	return proxy.includes('://') ? proxy : `${scheme}://${proxy}`;
}

/** A variable in lower case, else in upper case. */
function read(env: Environment, name: string): string {
	return env[name.toLowerCase()] || env[name.toUpperCase()] || '';
}

function bypassesProxy(host: string, port: number, noProxy: string): boolean {
	if (noProxy === '') return false;
	if (noProxy === '*') return true;
	return noProxy
		.split(/[,\s]/)
		.filter((entry) => entry !== '')
		.some((entry) => {
			const withPort = /^(.+):(\d+)$/.exec(entry);
			const entryHost = withPort ? withPort[1] : entry;
			if (withPort && Number(withPort[2]) !== port) return false;
			if (!/^[.*]/.test(entryHost)) return host === entryHost;
			return host.endsWith(entryHost.replace(/^\*/, ''));
		});
}

/** The proxy's address for messages: scheme, host and port, never its user or password. */
export function describeProxy(proxy: string): string {
	try {
		const url = new URL(proxy);
		return `${url.protocol}//${url.host}`;
	} catch {
		return 'the configured proxy';
	}
}

export interface PoolSettings {
	connections: number;
	keepAliveTimeout: number;
	connectTimeout: number;
}

/**
 * The connection pool to one MNotify origin: direct, or through the proxy from the environment.
 * Through a proxy the TLS session (and so the client certificate) runs end to end inside the
 * CONNECT tunnel; undici's ProxyAgent takes the origin's TLS options as `requestTls`, and would
 * otherwise connect without the certificate.
 */
export function connectionPool(
	origin: string,
	secureContext: SecureContext,
	settings: PoolSettings,
	env: Environment,
): { dispatcher: Dispatcher; proxy?: string } {
	const tls = { secureContext, timeout: settings.connectTimeout };
	const pool = { connections: settings.connections, keepAliveTimeout: settings.keepAliveTimeout };
	const proxy = proxyFor(origin, env);
	if (!proxy) return { dispatcher: new Agent({ ...pool, connect: tls }) };
	return {
		dispatcher: new ProxyAgent({
			...pool,
			uri: proxy,
			requestTls: tls,
			proxyTls: { timeout: tls.timeout },
		}),
		proxy,
	};
}
