/**
 * A local MNotify: a real HTTPS server that demands client certificates and behaves like the
 * documented API in its strictest reading (docs/contract.md). For tests, the demo and benchmarks.
 */
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
	type CertificateAuthority,
	createCertificateAuthority,
	type IssuedCertificate,
	issueCertificate,
} from './certificates';
import {
	type ClientCertificate,
	ClientCertificateIssuer,
	type ClientCertificateOptions,
} from './clientCertificates';
import { SandboxClock } from './clock';
import { FaultInjector, type FaultMatch, type SandboxFault } from './faults';
import { createRequestListener } from './requestPipeline';
import { apiRoutes } from './routes';
import { SenderRegistry } from './senders';
import { type SandboxState, statusTiming, type TemplateReading } from './state';
import { emptyStats, type SandboxStats, type SendArrival } from './stats';
import { SandboxStore } from './store';
import { type SandboxNotificationRecord, toNotificationRecord } from './views';

export type { ClientCertificate, ClientCertificateOptions } from './clientCertificates';
export type { FaultMatch, SandboxFault } from './faults';
export type { SandboxStats, SendArrival } from './stats';
export type { SandboxNotificationRecord } from './views';

export const DEFAULT_FAILING_RECIPIENTS = ['2000000000999', 'fail@example.md'];

export interface SandboxOptions {
	/** 0 (default) picks a free port. */
	port?: number;
	/** Time between status steps; default 1000. 0 freezes statuses at Pending (benchmarks). */
	statusStepMs?: number;
	/** Recipient values whose messages fail; default DEFAULT_FAILING_RECIPIENTS. */
	failingRecipients?: string[];
	/** 'wrong-host' leaves 127.0.0.1/localhost out of the SAN; 'expired' ended yesterday. */
	serverCertificate?: 'valid' | 'wrong-host' | 'expired';
	/**
	 * Further names a valid server certificate holds, e.g. the production host, so a test can
	 * reach "Production" through a CONNECT proxy that tunnels it here.
	 */
	extraServerHostnames?: string[];
	/** Default 65000. */
	keepAliveTimeoutMs?: number;
	/** Receives one line per request and per refused handshake. */
	log?: (line: string) => void;
	/** Which texts a template send delivers (see TemplateReading); default 'texts'. */
	templateReading?: TemplateReading;
}

export interface MNotifySandbox {
	/** `https://127.0.0.1:<port>` */
	readonly url: string;
	readonly port: number;
	/** The sandbox CA: trust it to verify the server (the credential's CA field). */
	readonly caPem: string;
	/** A snapshot of the server-side counters. */
	readonly stats: SandboxStats;
	/** Every `POST /api/notification` received so far, in order of arrival. */
	sendArrivals(): SendArrival[];
	resetStats(): void;
	issueClientCertificate(options?: ClientCertificateOptions): ClientCertificate;
	/** Returns the sender id the serial authenticates as. */
	registerClientSerial(serialNumber: string, senderName?: string): string;
	unregisterClientSerial(serialNumber: string): boolean;
	notifications(): SandboxNotificationRecord[];
	/** Forgets every notification sent so far (templates and certificates stay). */
	clearNotifications(): void;
	/** Moves the sandbox's "now" forward; statuses follow. */
	advanceClock(ms: number): void;
	/** Messages to this recipient value, in notifications sent from now on, fail. */
	failRecipient(value: string): void;
	injectFault(fault: SandboxFault, match?: FaultMatch): void;
	clearFaults(): void;
	/** Drops idle keep-alive connections without warning, as a load balancer might. */
	closeIdleConnections(): void;
	close(): Promise<void>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function issueServerCertificate(
	ca: CertificateAuthority,
	{ serverCertificate: mode, extraServerHostnames = [] }: SandboxOptions,
): IssuedCertificate {
	if (mode === 'wrong-host') {
		return issueCertificate(ca, {
			commonName: 'mnotify.invalid',
			purpose: 'server',
			hostnames: ['mnotify.invalid'],
		});
	}
	const expired =
		mode === 'expired'
			? { validFrom: new Date(Date.now() - 400 * DAY_MS), validTo: new Date(Date.now() - DAY_MS) }
			: {};
	return issueCertificate(ca, {
		commonName: 'localhost',
		purpose: 'server',
		hostnames: ['localhost', ...extraServerHostnames],
		ipAddresses: ['127.0.0.1'],
		...expired,
	});
}

function trackConnections(
	server: Server,
	state: SandboxState,
	log?: (line: string) => void,
): Set<Socket> {
	const sockets = new Set<Socket>();
	server.on('connection', (socket: Socket) => {
		state.stats.connections += 1;
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	});
	server.on('secureConnection', (socket: TLSSocket) => {
		state.stats.tlsHandshakes += 1;
		if (socket.isSessionReused()) state.stats.resumedHandshakes += 1;
	});
	server.on('tlsClientError', (error: Error & { reason?: string; code?: string }, socket) => {
		state.stats.tlsHandshakesRefused += 1;
		// Node drops the connection itself when the certificate fails verification, and then
		// reports only a hang-up; the verification result is on the socket.
		const reason = socket.authorizationError ?? error.reason ?? error.message.trim();
		log?.(`TLS handshake refused: ${reason} (${error.code})`);
	});
	return sockets;
}

function listen(server: Server, port: number): Promise<number> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			const address = server.address();
			resolve(typeof address === 'object' && address !== null ? address.port : port);
		});
	});
}

export async function startSandbox(options: SandboxOptions = {}): Promise<MNotifySandbox> {
	const ca = createCertificateAuthority('MNotify Sandbox CA');
	const serverCertificate = issueServerCertificate(ca, options);
	const senders = new SenderRegistry();
	const faults = new FaultInjector();
	const clientCertificates = new ClientCertificateIssuer(ca, senders);
	const state: SandboxState = {
		store: new SandboxStore(),
		clock: new SandboxClock(),
		stats: emptyStats(),
		sendArrivals: [],
		statusStepMs: options.statusStepMs ?? 1000,
		failingRecipients: new Set(
			(options.failingRecipients ?? DEFAULT_FAILING_RECIPIENTS).map((value) => value.toLowerCase()),
		),
		templateReading: options.templateReading ?? 'texts',
	};

	const server = createServer(
		{
			key: serverCertificate.keyPem,
			cert: serverCertificate.certPem,
			ca: [ca.certPem],
			requestCert: true,
			rejectUnauthorized: true,
		},
		createRequestListener({ state, senders, faults, routes: apiRoutes, log: options.log }),
	);
	server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
	const sockets = trackConnections(server, state, options.log);
	const port = await listen(server, options.port ?? 0);

	return {
		url: `https://127.0.0.1:${port}`,
		port,
		caPem: ca.certPem,
		get stats() {
			return { ...state.stats };
		},
		resetStats: () => Object.assign(state.stats, emptyStats()),
		sendArrivals: () => state.sendArrivals.map((arrival) => ({ ...arrival })),
		issueClientCertificate: (certificateOptions) => clientCertificates.issue(certificateOptions),
		registerClientSerial: (serialNumber, senderName) =>
			senders.register(serialNumber, senderName).id,
		unregisterClientSerial: (serialNumber) => senders.unregister(serialNumber),
		notifications: () => {
			const timing = statusTiming(state);
			return state.store
				.allNotifications()
				.map((notification) => toNotificationRecord(notification, timing));
		},
		clearNotifications: () => state.store.clearNotifications(),
		advanceClock: (ms) => state.clock.advance(ms),
		failRecipient: (value) => state.failingRecipients.add(value.toLowerCase()),
		injectFault: (fault, match) => faults.inject(fault, match),
		clearFaults: () => faults.clear(),
		closeIdleConnections: () => server.closeIdleConnections(),
		close: () =>
			new Promise<void>((resolve, reject) => {
				faults.clear();
				for (const socket of sockets) socket.destroy();
				server.close((error) => (error ? reject(error) : resolve()));
			}),
	};
}
