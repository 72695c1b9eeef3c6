/** Counters observed on the server side, for tests and benchmarks. */
export interface SandboxStats {
	/** Completed TLS handshakes (`secureConnection`), resumed ones included. */
	tlsHandshakes: number;
	resumedHandshakes: number;
	/** Handshakes the server refused: no client certificate, untrusted CA, expired, ... */
	tlsHandshakesRefused: number;
	/** TCP connections accepted. */
	connections: number;
	/** HTTP requests received, whatever became of them. */
	requests: number;
	/** `POST /api/notification` requests received, including invalid, faulted and retried ones. */
	notificationSendsReceived: number;
	/** Notifications actually stored. */
	notificationsAccepted: number;
	faultsInjected: number;
}

/** One `POST /api/notification` as the server saw it: when it came, and a 429's Retry-After. */
export interface SendArrival {
	receivedAtMs: number;
	/** When the answer (or the reset) went out; unset while it is being processed. */
	answeredAtMs?: number;
	/** Set when it was answered 429 with a Retry-After header. */
	retryAfterMs?: number;
}

export function emptyStats(): SandboxStats {
	return {
		tlsHandshakes: 0,
		resumedHandshakes: 0,
		tlsHandshakesRefused: 0,
		connections: 0,
		requests: 0,
		notificationSendsReceived: 0,
		notificationsAccepted: 0,
		faultsInjected: 0,
	};
}
