import { preview } from '../helpers/checks';
import type { Problem } from './problem';

/** How a request that got no HTTP answer failed, and whether MNotify may have acted on it. */
export interface RequestFailure {
	problem: Problem;
	/**
	 * False only when the request certainly never reached MNotify's application: its connection
	 * could not be opened, or MNotify's TLS layer refused the certificate. Only then may a send be
	 * retried (the first case) without risking a duplicate.
	 */
	mayHaveReachedServer: boolean;
	/** Worth another try for a request that is safe to repeat (a passing network fault). */
	transient: boolean;
	/** The network error code, e.g. ECONNRESET. */
	code: string;
}

/**
 * TLS alerts by which a server refuses the client certificate. Its TLS layer sends them before
 * any request reaches MNotify's application, even when (TLS 1.3) the client has already written
 * the request after its side of the handshake.
 */
export const CERTIFICATE_REFUSED_ALERT =
	/ALERT_(BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_REQUIRED|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|HANDSHAKE_FAILURE)/;

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

/** Where the request was when it failed. */
export interface FailureContext {
	/** undici had handed the request to an established connection (see client.ts). */
	written: boolean;
}

/**
 * Classifies a network or TLS error from undici. Whether the request may have reached MNotify
 * comes from the phase it failed in (client.ts, handedToConnection), never from the error code alone: the same
 * ETIMEDOUT or ECONNRESET can come before or after the request was written. The wording is ours:
 * raw TLS messages are not shown, so nothing about the certificate can leak into the UI.
 */
export function describeRequestFailure(
	error: unknown,
	origin: string,
	timeoutSeconds: number,
	{ written }: FailureContext,
): RequestFailure {
	const code = codeOf(error);
	const host = new URL(origin).host;
	if (code === 'UND_ERR_CLOSED') {
		// Raised by the pool when asked to dispatch after it was closed: nothing was written.
		return notSent(
			code,
			false,
			'The connection pool for this credential was closed before the request was sent',
			'Run the workflow again.',
		);
	}
	if (CERTIFICATE_REFUSED_ALERT.test(code)) {
		return {
			...clientCertificateRefused(host),
			mayHaveReachedServer: false,
			transient: false,
			code,
		};
	}
	if (!written) return describeConnectFailure(code, messageOf(error), host);
	if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
		return timeoutFailure(timeoutSeconds, true, code);
	}
	return {
		problem: {
			message: `The connection to MNotify at ${host} broke before an answer arrived${code ? ` (${code})` : ''}`,
			description:
				'The network or the server closed the connection after the request was sent, without answering. It was a passing fault unless it happens on every request; then run the credential test.',
		},
		mayHaveReachedServer: true,
		transient: true,
		code,
	};
}

const ALLOW_LIST =
	'MNotify only answers IP addresses registered with MEGA: check that the public IP of this n8n server (or its VPN) is on the allow-list for this environment.';

interface ConnectFailure {
	/** Worth another try (a passing fault). */
	transient: boolean;
	message: (host: string) => string;
	description: string;
}

const TIMED_OUT: ConnectFailure = {
	transient: true,
	message: (host) => `Connecting to MNotify at ${host} timed out`,
	description: `The connection was silently dropped. ${ALLOW_LIST}`,
};

const NOT_FOUND = {
	message: (host: string) => `The MNotify host ${host} could not be found`,
	description:
		'Check the environment or Base URL in the credential, and the DNS or VPN of this n8n server.',
};

/** Connections that could not be opened, by error code: one entry per code. */
const CONNECT_FAILURES = new Map<string, ConnectFailure>([
	[
		'ECONNREFUSED',
		{
			transient: true,
			message: (host) => `Could not connect to MNotify at ${host}: connection refused`,
			description: `Nothing accepted the connection. Check the environment or Base URL in the credential. ${ALLOW_LIST}`,
		},
	],
	['UND_ERR_CONNECT_TIMEOUT', TIMED_OUT],
	['ETIMEDOUT', TIMED_OUT],
	['ENOTFOUND', { transient: false, ...NOT_FOUND }],
	['EAI_AGAIN', { transient: true, ...NOT_FOUND }],
]);

/** A connection that could not be opened: nothing was written, so even a send may be retried. */
function describeConnectFailure(code: string, message: string, host: string): RequestFailure {
	const known = CONNECT_FAILURES.get(code);
	if (known) return notSent(code, known.transient, known.message(host), known.description);
	const serverProblem = serverCertificateProblem(code, host);
	if (serverProblem)
		return { problem: serverProblem, mayHaveReachedServer: false, transient: false, code };
	if (/alert/i.test(`${code} ${message}`)) {
		return {
			...clientCertificateRefused(host),
			mayHaveReachedServer: false,
			transient: false,
			code,
		};
	}
	if (/^ERR_SSL_/.test(code)) {
		return notSent(
			code,
			false,
			`MNotify at ${host} did not answer in TLS (${code})`,
			'What answers on that address and port does not speak TLS, so nothing was sent. Check the environment or Base URL in the credential (https:// and the port MNotify gave).',
		);
	}
	return notSent(
		code,
		true,
		`Could not open a connection to MNotify at ${host}${code ? ` (${code})` : ''}`,
		`The connection failed before the TLS handshake was complete, so nothing was sent. ${ALLOW_LIST}`,
	);
}

const UNTRUSTED_SERVER = (code: string, host: string): Problem => ({
	message: `The MNotify server certificate at ${host} is not trusted (${code})`,
	description:
		'Add the certificate of the authority that signed it to "Extra CA Certificates" in the credential. The server is always verified; this check cannot be switched off.',
});

/**
 * Problems with MNotify's own certificate, found by our side of the handshake, by error code: the
 * connection is refused on our side, before anything is sent.
 */
const SERVER_CERTIFICATE_PROBLEMS = new Map<string, (code: string, host: string) => Problem>([
	['UNABLE_TO_VERIFY_LEAF_SIGNATURE', UNTRUSTED_SERVER],
	['SELF_SIGNED_CERT_IN_CHAIN', UNTRUSTED_SERVER],
	['DEPTH_ZERO_SELF_SIGNED_CERT', UNTRUSTED_SERVER],
	['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', UNTRUSTED_SERVER],
	['UNABLE_TO_GET_ISSUER_CERT', UNTRUSTED_SERVER],
	['CERT_UNTRUSTED', UNTRUSTED_SERVER],
	[
		'CERT_HAS_EXPIRED',
		(_code, host) => ({
			message: `The MNotify server certificate at ${host} has expired`,
			description:
				'This is a problem on the server side (or the clock of this machine is wrong). Contact MEGA support.',
		}),
	],
	[
		'ERR_TLS_CERT_ALTNAME_INVALID',
		(_code, host) => ({
			message: `The MNotify server certificate is not valid for the host name ${host}`,
			description:
				'Use the host name the server certificate was issued for in the Base URL (an IP address only works if the certificate names it).',
		}),
	],
]);

export function serverCertificateProblem(code: string, host: string): Problem | undefined {
	return SERVER_CERTIFICATE_PROBLEMS.get(code)?.(code, host);
}

export function notSent(
	code: string,
	transient: boolean,
	message: string,
	description: string,
): RequestFailure {
	return { problem: { message, description }, mayHaveReachedServer: false, transient, code };
}

/**
 * No complete answer within the request's deadline. Unless the request was still waiting for a
 * connection (`written` false), it may have arrived.
 */
export function timeoutFailure(
	timeoutSeconds: number,
	written = true,
	code = 'TIMEOUT',
): RequestFailure {
	return {
		problem: {
			message: `MNotify did not answer within ${timeoutSeconds} seconds`,
			description: written
				? 'No complete answer came back in time (the Timeout counts from connecting to the last byte of the answer). Raise the timeout in the node options, or try later.'
				: 'No connection could be opened in time, so nothing was sent. Raise the timeout in the node options, or try later.',
		},
		mayHaveReachedServer: written,
		transient: true,
		code,
	};
}

/** An answer too large to be a real MNotify answer: refused, not read, and not asked again. */
export function oversizedAnswerFailure(limitBytes: number): RequestFailure {
	return {
		problem: {
			message: `MNotify's answer is larger than ${Math.round(limitBytes / 1024 / 1024)} MB`,
			description:
				'No MNotify answer is that large; something between n8n and MNotify (a proxy, a wrong Base URL) answered instead. The answer was not read.',
		},
		mayHaveReachedServer: true,
		transient: false,
		code: 'ANSWER_TOO_LARGE',
	};
}

/** A path that is not API words and ids (an id carrying "/" or ".."): never requested. */
export function unsafePathFailure(path: string): RequestFailure {
	return {
		problem: {
			message: `Refused to request "${preview(path, 80)}": it is not an MNotify API path`,
			description: 'An id in it is not a UUID. Nothing was sent.',
		},
		mayHaveReachedServer: false,
		transient: false,
		code: 'UNSAFE_PATH',
	};
}

/** The execution was stopped: the request was abandoned, or never started. */
export function stoppedFailure(started: boolean): RequestFailure {
	return {
		problem: {
			message: started
				? 'The execution was stopped while waiting for MNotify'
				: 'The execution was stopped before this request was sent',
			description: started
				? 'The request was abandoned when the execution was stopped.'
				: 'Nothing was sent for it.',
		},
		mayHaveReachedServer: started,
		transient: false,
		code: 'STOPPED',
	};
}

/** The server ended the TLS handshake because of the client certificate. */
export function clientCertificateRefused(host: string): { problem: Problem } {
	return {
		problem: {
			message: `MNotify at ${host} refused the client certificate during the TLS handshake`,
			description:
				'Nothing was sent: MNotify closes the connection before reading any request from a certificate it does not accept. It may be issued by an authority MNotify does not trust, be expired or revoked, or be for another environment. Use the certificate STISC issued for this information system.',
		},
	};
}
