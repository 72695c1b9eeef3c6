import type { Problem } from './problem';
import { describeProxy } from './proxy';

/** How a request that got no HTTP answer failed, and whether MNotify may have acted on it. */
export interface RequestFailure {
	problem: Problem;
	/**
	 * False only when the request certainly never reached MNotify's application: the connection
	 * or the TLS handshake failed. Only then may a send be retried without risking a duplicate.
	 */
	mayHaveReachedServer: boolean;
	/** Worth another try for a request that is safe to repeat (a passing network fault). */
	transient: boolean;
	/** The network error code, e.g. ECONNRESET. */
	code: string;
}

const CONNECT_PHASE_CODES = new Set([
	'ECONNREFUSED',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EAI_AGAIN',
	'UND_ERR_CONNECT_TIMEOUT',
]);

const UNTRUSTED_SERVER_CODES = new Set([
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'UNABLE_TO_GET_ISSUER_CERT',
	'CERT_UNTRUSTED',
]);

export function codeOf(error: unknown): string {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && code !== '') return code;
		current = (current as { cause?: unknown }).cause;
	}
	return '';
}

/** Duck-typed: errors from Node's TLS layer may come from another realm (jest, vm). */
export function messageOf(error: unknown): string {
	const message = (error as { message?: unknown } | undefined)?.message;
	return typeof message === 'string' ? message : '';
}

/**
 * Classifies a network or TLS error from undici. The wording is ours: raw TLS messages are not
 * shown, so nothing from the handshake (which involves the certificate) can leak into the UI.
 */
export function describeRequestFailure(
	error: unknown,
	origin: string,
	timeoutSeconds: number,
	proxy?: string,
): RequestFailure {
	const code = codeOf(error);
	const text = `${code} ${messageOf(error)}`;
	const host = new URL(origin).host;
	const notReached = (
		message: string,
		description: string,
		transient: boolean,
	): RequestFailure => ({
		problem: { message, description },
		mayHaveReachedServer: false,
		transient,
		code,
	});
	if (proxy) {
		const throughProxy = describeProxyFailure(text, code, host, describeProxy(proxy));
		if (throughProxy) return notReached(...throughProxy);
	}
	const allowList =
		'MNotify only answers IP addresses registered with MEGA: check that the public IP of this n8n server (or its VPN) is on the allow-list for this environment.';

	if (code === 'ECONNREFUSED') {
		return notReached(
			`Could not connect to MNotify at ${host}: connection refused`,
			`Nothing accepted the connection. Check the environment or Base URL in the credential. ${allowList}`,
			true,
		);
	}
	if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
		return notReached(
			`Connecting to MNotify at ${host} timed out`,
			`The connection was silently dropped. ${allowList}`,
			true,
		);
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		return notReached(
			`The MNotify host ${host} could not be found`,
			'Check the environment or Base URL in the credential, and the DNS or VPN of this n8n server.',
			code === 'EAI_AGAIN',
		);
	}
	if (code === 'UND_ERR_CLOSED' || code === 'UND_ERR_DESTROYED') {
		// The pool was closed (the credential was edited) before this request was dispatched.
		return notReached(
			'The connection pool for this credential was closed before the request was sent',
			'The credential was changed while the workflow ran. Run the workflow again.',
			false,
		);
	}
	if (CONNECT_PHASE_CODES.has(code)) {
		return notReached(`Could not reach MNotify at ${host} (${code})`, allowList, true);
	}
	if (UNTRUSTED_SERVER_CODES.has(code)) {
		return notReached(
			`The MNotify server certificate at ${host} is not trusted (${code})`,
			'Add the certificate of the authority that signed it to "Extra CA Certificates" in the credential. The server is always verified; this check cannot be switched off.',
			false,
		);
	}
	if (code === 'CERT_HAS_EXPIRED') {
		return notReached(
			`The MNotify server certificate at ${host} has expired`,
			'This is a problem on the server side (or the clock of this machine is wrong). Contact MEGA support.',
			false,
		);
	}
	if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
		return notReached(
			`The MNotify server certificate is not valid for the host name ${host}`,
			'Use the host name the server certificate was issued for in the Base URL (an IP address only works if the certificate names it).',
			false,
		);
	}
	if (/alert|ERR_SSL_|handshake/i.test(text)) {
		return {
			...clientCertificateRefused(host),
			mayHaveReachedServer: false,
			transient: false,
			code,
		};
	}
	if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
		return {
			problem: {
				message: `MNotify did not answer within ${timeoutSeconds} seconds`,
				description:
					'The request reached the server but no complete answer came back in time. Raise the timeout in the node options, or try later.',
			},
			mayHaveReachedServer: true,
			transient: true,
			code,
		};
	}
	return {
		problem: {
			message: `The connection to MNotify at ${host} broke before an answer arrived${code ? ` (${code})` : ''}`,
			description:
				'The network or the server closed the connection without answering. If this happens on every request, MNotify is probably refusing the client certificate (TLS 1.3 servers do so right after the handshake): run the credential test, which tells these apart. Otherwise it was a passing fault; try again later.',
		},
		mayHaveReachedServer: true,
		transient: true,
		code,
	};
}

const PROXY_UNREACHABLE: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed',
	ETIMEDOUT: 'timed out',
	UND_ERR_CONNECT_TIMEOUT: 'timed out',
};

/**
 * Failures of the proxy itself: it could not be reached, or it refused to open the tunnel. Either
 * way the request never reached MNotify. The proxy is named without its user or password.
 */
function describeProxyFailure(
	text: string,
	code: string,
	host: string,
	proxy: string,
): [message: string, description: string, transient: boolean] | undefined {
	const fromEnvironment =
		'The proxy comes from the HTTPS_PROXY (or ALL_PROXY) environment variable of n8n; hosts in NO_PROXY are reached directly.';
	const refused = /Proxy response \((\d+)\)/.exec(text);
	if (refused) {
		return [
			`The proxy ${proxy} refused to open a connection to MNotify at ${host} (${refused[1]})`,
			`${refused[1] === '407' ? 'It wants a user and password: put them in the proxy URL (http://user:password@host:port).' : 'Ask the network administrators to allow CONNECT to this host and port.'} ${fromEnvironment}`,
			refused[1] === '502' || refused[1] === '503' || refused[1] === '504',
		];
	}
	const unreachable = PROXY_UNREACHABLE[code];
	if (unreachable) {
		// In words: n8n replaces a message that names a code such as ECONNREFUSED with its own.
		return [
			`Could not reach the proxy ${proxy} on the way to MNotify: ${unreachable}`,
			`Check the proxy address and that this n8n server may use it. ${fromEnvironment}`,
			code !== 'ENOTFOUND',
		];
	}
	return undefined;
}

/** The server ended the TLS handshake because of the client certificate. */
export function clientCertificateRefused(host: string): { problem: Problem } {
	return {
		problem: {
			message: `MNotify at ${host} refused the client certificate during the TLS handshake`,
			description:
				'The server does not accept this certificate: it may be issued by an authority MNotify does not trust, be expired or revoked, or be for another environment. Use the certificate STISC issued for this information system.',
		},
	};
}
