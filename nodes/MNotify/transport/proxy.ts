import type { SecureContext } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';

import type { Problem } from './problem';
import { tunnelConnector } from './proxyTunnel';

/** Environment variables, as in process.env. */
export type Environment = Record<string, string | undefined>;

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** A proxy to go through: its URL for undici, and its address for messages. */
export interface ProxyRoute {
	/** As configured, user and password included: handed to undici, never shown. */
	url: string;
	/** Scheme, host and port, never the user or password: how messages name the proxy. */
	address: string;
}

/** The proxy for an origin (none: connect directly), or why the proxy settings are unusable. */
export type ProxyChoice = { ok: true; proxy?: ProxyRoute } | { ok: false; problem: Problem };

const ENCODE_HINT =
	'Write it as http://host:port or http://user:password@host:port, with the characters # / ? @ : and % in the user name and password percent-encoded (%23 %2F %3F %40 %3A %25). Its value is not shown here because it may hold a password.';

/**
 * The proxy n8n's own HTTP Request would use for `origin` (the rules of the proxy-from-env
 * package it relies on): `https_proxy`, then `all_proxy` (each also upper case, or from npm's
 * config), unless `no_proxy` names the host: exactly, as a domain suffix (`.egov.md`,
 * `*.egov.md`), with an optional `:port`, or `*` for every host. A proxy URL that does not parse
 * to a host (often a password with an unencoded # or /) is a problem naming the variable only.
 */
export function proxyFor(origin: string, env: Environment): ProxyChoice {
	const url = new URL(origin);
	const scheme = url.protocol.slice(0, -1);
	const setting = [`npm_config_${scheme}_proxy`, `${scheme}_proxy`, 'npm_config_proxy', 'all_proxy']
		.map((name) => read(env, name))
		.find((variable) => variable.value !== '');
	if (!setting) return { ok: true };
	const noProxy = read(env, 'npm_config_no_proxy').value
		? read(env, 'npm_config_no_proxy')
		: read(env, 'no_proxy');
	const entries = noProxyEntries(noProxy.value);
	if (!entries.ok) return { ok: false, problem: invalidNoProxy(noProxy.name, entries.position) };
	// URL keeps IPv6 brackets in `host`; strip only the port.
	const host = url.host.replace(/:\d*$/, '').toLowerCase();
	const port = Number(url.port) || DEFAULT_PORTS[url.protocol] || 0;
	if (bypassesProxy(host, port, entries.list)) return { ok: true };
	const proxy = setting.value.includes('://') ? setting.value : `${scheme}://${setting.value}`;
	const address = proxyAddress(proxy);
	if (!address) return { ok: false, problem: invalidProxy(setting.name) };
	return { ok: true, proxy: { url: proxy, address } };
}

/** A variable (its name as set) in lower case, else in upper case. */
function read(env: Environment, name: string): { name: string; value: string } {
	for (const variant of [name.toLowerCase(), name.toUpperCase()]) {
		const value = env[variant];
		if (value) return { name: variant, value };
	}
	return { name: name.toUpperCase(), value: '' };
}

/**
 * Scheme, host and port of a proxy URL, or undefined when it is not one: not http(s), no host,
 * or a path, query or fragment, which is where an unencoded # / or ? in a password sends the
 * rest of the URL (and a port of "pa" makes it unparsable).
 */
function proxyAddress(proxy: string): string | undefined {
	let url: URL;
	try {
		url = new URL(proxy);
	} catch {
		return undefined;
	}
	const plain = url.pathname === '/' || url.pathname === '';
	if (!['http:', 'https:'].includes(url.protocol) || url.hostname === '') return undefined;
	if (!plain || url.search !== '' || url.hash !== '') return undefined;
	return `${url.protocol}//${url.host}`;
}

function invalidProxy(variable: string): Problem {
	return {
		message: `${variable} is not a valid proxy URL`,
		description: `The proxy for MNotify comes from the ${variable} environment variable of n8n. ${ENCODE_HINT}`,
	};
}

function invalidNoProxy(variable: string, position: number): Problem {
	return {
		message: `${variable} is not a list of host names (entry ${position})`,
		description: `Its entries are separated by commas: host names (mnotify.gov.md), domains (.gov.md or *.gov.md), each with an optional :port, or * for every host; no URLs and no user names. Entry ${position} is not shown here because it may hold a password.`,
	};
}

/** The entries of NO_PROXY, lower case; an entry with "://" or "@" (a URL pasted in) is refused. */
function noProxyEntries(
	noProxy: string,
): { ok: true; list: string[] } | { ok: false; position: number } {
	const list = noProxy
		.toLowerCase()
		.split(/[,\s]/)
		.filter((entry) => entry !== '');
	const wrong = list.findIndex((entry) => entry.includes('://') || entry.includes('@'));
	return wrong === -1 ? { ok: true, list } : { ok: false, position: wrong + 1 };
}

function bypassesProxy(host: string, port: number, entries: string[]): boolean {
	if (entries.length === 1 && entries[0] === '*') return true;
	return entries.some((entry) => {
		const withPort = /^(.+):(\d+)$/.exec(entry);
		const entryHost = withPort ? withPort[1] : entry;
		if (withPort && Number(withPort[2]) !== port) return false;
		if (!/^[.*]/.test(entryHost)) return host === entryHost;
		return host.endsWith(entryHost.replace(/^\*/, ''));
	});
}

export interface PoolSettings {
	connections: number;
	keepAliveTimeout: number;
	connectTimeout: number;
}

/**
 * The connection pool to MNotify's origin: direct, or through the proxy (`proxyFor`). Through a
 * proxy the TLS session (and so the client certificate) runs end to end inside the CONNECT tunnel
 * (proxyTunnel.ts).
 *
 * A Pool, not an Agent: undici 7's Agent closes an origin's pool whenever its count of connected
 * sockets reaches 0, even with requests queued in it, and the closed pool's sockets then count
 * against its replacement. Once MNotify (or a load balancer) drops the idle connections as a
 * batch starts, every later request gets a new pool and a full TLS handshake of its own.
 */
export function connectionPool(
	origin: string,
	secureContext: SecureContext,
	settings: PoolSettings,
	proxy: ProxyRoute | undefined,
): Dispatcher {
	const tls = { secureContext, timeout: settings.connectTimeout };
	const pool = { connections: settings.connections, keepAliveTimeout: settings.keepAliveTimeout };
	return new Pool(origin, { ...pool, connect: proxy ? tunnelConnector(proxy.url, tls) : tls });
}
