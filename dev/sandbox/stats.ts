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
