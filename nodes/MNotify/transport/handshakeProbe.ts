import { connect, type SecureContext } from 'node:tls';

import {
	clientCertificateRefused,
	codeOf,
	serverCertificateProblem,
	type RequestFailure,
} from './networkErrors';
import type { Problem } from './problem';

/** Failures that look like a connection closed without an answer, whatever the reason. */
const CLOSED_WITHOUT_ANSWER = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

const PROBE_TIMEOUT_MS = 10_000;

/** Probe failures that say nothing about the certificate: no TLS 1.2, or no connection at all. */
const PROVES_NOTHING =
	/PROTOCOL_VERSION|WRONG_VERSION|UNSUPPORTED_PROTOCOL|^(ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;

/** Whether a failure could be a TLS 1.3 certificate refusal, which only a probe can tell. */
export function mayBeSilentRefusal(failure: RequestFailure): boolean {
	return failure.mayHaveReachedServer && CLOSED_WITHOUT_ANSWER.has(failure.code);
}

/**
 * The failure as the probe explains it: a connection closed without an answer may be a TLS 1.3
 * certificate refusal (then nothing reached MNotify), which only a probe can tell.
 */
export async function diagnoseClosedConnection(
	failure: RequestFailure,
	origin: string,
	tls12Context: SecureContext,
): Promise<RequestFailure> {
	if (!mayBeSilentRefusal(failure)) return failure;
	const refusal = await probeCertificateRefusal(origin, tls12Context);
	return refusal
		? { problem: refusal, mayHaveReachedServer: false, transient: false, code: failure.code }
		: failure;
}

/**
 * Under TLS 1.3 a server refuses a client certificate only after the client has finished its
 * side of the handshake, so the client sees the connection close, possibly after writing its
 * request. One more handshake, capped at TLS 1.2 where the refusal is part of the handshake,
 * tells a refused certificate (nothing reached MNotify) from a network fault. Answers undefined
 * when the probe proves nothing (it connects, or the server has no TLS 1.2).
 */
export async function probeCertificateRefusal(
	origin: string,
	tls12Context: SecureContext,
): Promise<Problem | undefined> {
	const error = await handshakeError(origin, tls12Context);
	if (!error) return undefined;
	const code = codeOf(error);
	if (PROVES_NOTHING.test(code)) return undefined;
	const host = new URL(origin).host;
	return serverCertificateProblem(code, host) ?? clientCertificateRefused(host).problem;
}

/** The error of one TLS handshake with MNotify, or undefined when it succeeds or times out. */
function handshakeError(origin: string, secureContext: SecureContext): Promise<unknown> {
	const url = new URL(origin);
	return new Promise((resolve) => {
		const socket = connect({
			host: url.hostname,
			port: Number(url.port || 443),
			servername: /^[\d.]+$/.test(url.hostname) ? undefined : url.hostname,
			secureContext,
		});
		const finish = (result: unknown) => {
			clearTimeout(timer);
			socket.destroy();
			resolve(result);
		};
		// An overall deadline for the probe, not an idle timeout.
		const timer = setTimeout(() => finish(undefined), PROBE_TIMEOUT_MS);
		socket.once('secureConnect', () => finish(undefined));
		socket.once('error', (error) => finish(error));
	});
}
