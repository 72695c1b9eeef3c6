/**
 * How a request through a proxy (HTTPS_PROXY) failed before it reached MNotify (the tunnel's
 * own errors come from proxyTunnel.ts). The proxy's
 * part is named, by its address without user or password: could not be reached, refused the
 * tunnel (407, 5xx), answered CONNECT with something that is not HTTP, or sent something else
 * than MNotify's TLS through the tunnel (a filter's web page). A refusal of the client
 * certificate by MNotify, inside the tunnel, stays a certificate problem.
 */
import {
	CERTIFICATE_REFUSED_ALERT,
	codeOf,
	describeRequestFailure,
	messageOf,
	notSent,
	serverCertificateProblem,
	type FailureContext,
	type RequestFailure,
} from './networkErrors';

const FROM_ENVIRONMENT =
	'The proxy comes from the HTTPS_PROXY (or ALL_PROXY) environment variable of n8n; hosts in NO_PROXY are reached directly.';

const PROXY_UNREACHABLE: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed',
	ETIMEDOUT: 'timed out',
	UND_ERR_CONNECT_TIMEOUT: 'timed out',
};

const CLOSED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'PROXY_CLOSED']);

/** Like describeRequestFailure, for a pool that goes through the proxy at `proxy`. */
export function describeProxiedFailure(
	error: unknown,
	origin: string,
	timeoutSeconds: number,
	{ written, proxy }: FailureContext & { proxy: string },
): RequestFailure {
	const general = describeRequestFailure(error, origin, timeoutSeconds, { written });
	const code = codeOf(error);
	if (written || code === 'UND_ERR_CLOSED' || CERTIFICATE_REFUSED_ALERT.test(code)) return general;
	const host = new URL(origin).host;
	const failed = (transient: boolean, message: string, description: string) =>
		notSent(code, transient, message, `${description} ${FROM_ENVIRONMENT}`);

	const text = messageOf(error);
	const refused = /Proxy response \((\d+)\)/.exec(text);
	if (refused) {
		const status = refused[1];
		return failed(
			['502', '503', '504'].includes(status),
			`The proxy ${proxy} refused to open a connection to MNotify at ${host} (${status})`,
			status === '407'
				? 'It wants a user and password: put them in the proxy URL (http://user:password@host:port).'
				: 'Ask the network administrators to allow CONNECT to this host and port.',
		);
	}
	const unreachable = PROXY_UNREACHABLE[code];
	if (unreachable) {
		// In words: n8n replaces a message that names a code such as ECONNREFUSED with its own.
		return failed(
			code !== 'ENOTFOUND',
			`Could not reach the proxy ${proxy} on the way to MNotify: ${unreachable}`,
			'Check the proxy address and that this n8n server may use it.',
		);
	}
	const serverProblem = serverCertificateProblem(code, host);
	if (serverProblem) {
		return {
			...general,
			problem: {
				message: serverProblem.message,
				description: `${serverProblem.description} Through the proxy ${proxy}: a proxy that inspects TLS shows its own certificate instead of MNotify's; mutual TLS needs the tunnel end to end, so ask for ${host} to be left out of TLS inspection.`,
			},
		};
	}
	if (code === 'PROXY_TLS') {
		return failed(
			false,
			`The TLS connection to the proxy ${proxy} failed`,
			'With https:// in the proxy URL, n8n speaks TLS to the proxy itself: check that it does (else write http://) and that its certificate is trusted by this n8n server. Nothing was sent.',
		);
	}
	if (code === 'PROXY_NOT_HTTP') {
		return failed(
			false,
			`The proxy ${proxy} did not answer the tunnel request for MNotify at ${host} in HTTP`,
			'What listens there is not an HTTP proxy, or it speaks TLS: then write https:// in the proxy URL. Nothing was sent.',
		);
	}
	if (/^ERR_SSL_/.test(code) || code === 'PROXY_SPOKE_FIRST') {
		return failed(
			false,
			`The proxy ${proxy} sent something other than MNotify's TLS through the tunnel to ${host}`,
			'It agreed to open the tunnel but answered itself (often a web page of a filter or a login portal), or, with https:// in the proxy URL, it does not speak TLS. The client certificate was not offered to anyone. Nothing was sent.',
		);
	}
	return failed(
		CLOSED.has(code),
		`The tunnel through the proxy ${proxy} to MNotify at ${host} failed before it was ready${code ? ` (${code})` : ''}`,
		'The proxy or the network closed it before the TLS handshake with MNotify was complete, so nothing was sent.',
	);
}
