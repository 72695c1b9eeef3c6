import type { SecureContext } from 'node:tls';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Dispatcher } from 'undici';

import { pause } from '../helpers/concurrency';
import type { CertificateInfo } from './clientCertificate';
import { AttemptDeadline } from './deadline';
import { mayBeSilentRefusal, probeCertificateRefusal } from './handshakeProbe';
import {
	describeRequestFailure,
	oversizedAnswerFailure,
	stoppedFailure,
	unsafePathFailure,
	timeoutFailure,
	type RequestFailure,
} from './networkErrors';
import { connectionPool, type ProxyRoute } from './proxy';
import { describeProxiedFailure } from './proxyErrors';
import { markingWrites, wasHandedToConnection } from './writePhase';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
	method: HttpMethod;
	/** Path below the origin, starting with /api. */
	path: string;
	query?: Record<string, string | number | undefined>;
	body?: unknown;
}

export interface RequestSettings {
	/**
	 * Seconds one attempt may take in all: connecting, sending, the answer's headers and its
	 * whole body (a server dripping bytes cannot stretch it). A retried read gets a new one.
	 */
	timeoutSeconds: number;
	/** Further attempts for requests that are safe to repeat. */
	maxRetries: number;
}

export const DEFAULT_REQUEST_SETTINGS: RequestSettings = { timeoutSeconds: 30, maxRetries: 2 };

/** The default settings with the timeout of a node's "Timeout (Seconds)" option, when set. */
export function readTimeoutSettings(options: { timeoutSeconds?: unknown }): RequestSettings {
	const timeoutSeconds = Number(options.timeoutSeconds);
	return Number.isFinite(timeoutSeconds) && timeoutSeconds > 0
		? { ...DEFAULT_REQUEST_SETTINGS, timeoutSeconds }
		: DEFAULT_REQUEST_SETTINGS;
}

export type RequestOutcome =
	| { kind: 'response'; status: number; text: string; attempts: number; retryAfterMs?: number }
	| ({ kind: 'failure'; attempts: number } & RequestFailure);

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 8_000;
const MAX_RETRY_AFTER_MS = 30_000;
/** Far above any real MNotify answer (a page holds at most 100 notifications). */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** Connection pool settings: sockets per origin and how long an idle one is kept. */
export const POOL_CONNECTIONS = 16;
const KEEP_ALIVE_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * One keep-alive mTLS connection pool to one MNotify origin, for one certificate. It is shared by
 * every item and every execution that uses the same credential, so TLS handshakes happen once
 * per connection, not once per request.
 */
export class MNotifyClient {
	private readonly agent: Dispatcher;

	/** The proxy from the environment (HTTPS_PROXY…) this pool goes through, if any. */
	readonly proxy?: ProxyRoute;
	/** Whether MNotify ever answered over this pool, i.e. accepted the certificate. */
	private answered = false;

	/**
	 * @param tls12Context the same certificate capped at TLS 1.2, made only when needed to tell
	 * a refused certificate from a network fault (handshakeProbe.ts)
	 * @param proxy the proxy for the origin (proxy.ts `proxyFor`); none: connect directly
	 */
	constructor(
		readonly origin: string,
		secureContext: SecureContext,
		readonly certificate: CertificateInfo | undefined,
		private readonly tls12Context?: () => SecureContext | undefined,
		proxy?: ProxyRoute,
	) {
		const settings = {
			connections: POOL_CONNECTIONS,
			keepAliveTimeout: KEEP_ALIVE_MS,
			connectTimeout: CONNECT_TIMEOUT_MS,
		};
		this.agent = markingWrites(connectionPool(origin, secureContext, settings, proxy));
		this.proxy = proxy;
	}

	/**
	 * Sends a request, repeating it only when that cannot notify anyone twice: a GET on a passing
	 * fault (network, 429, 5xx), or any request whose connection could not be opened (so nothing
	 * was written). `stopSignal` is the execution's: once it aborts no attempt starts, and a
	 * running GET is abandoned (a write in flight is left to finish, so its outcome is known).
	 */
	async request(
		request: ApiRequest,
		settings = DEFAULT_REQUEST_SETTINGS,
		stopSignal?: AbortSignal,
	): Promise<RequestOutcome> {
		if (!SAFE_PATH.test(request.path)) {
			return { kind: 'failure', attempts: 0, ...unsafePathFailure(request.path) };
		}
		const safeToRepeat = request.method === 'GET';
		for (let attempt = 1; ; attempt++) {
			if (stopSignal?.aborted)
				return { kind: 'failure', attempts: attempt - 1, ...stoppedFailure(false) };
			const outcome = await this.attempt(
				request,
				settings,
				attempt,
				safeToRepeat ? stopSignal : undefined,
			);
			const retriesLeft = attempt <= settings.maxRetries;
			if (!retriesLeft) return outcome;

			let waitMs: number;
			if (outcome.kind === 'failure') {
				const repeatable = safeToRepeat || !outcome.mayHaveReachedServer;
				if (!repeatable || !outcome.transient) return outcome;
				waitMs = backoffMs(attempt);
			} else {
				if (!safeToRepeat || !RETRYABLE_STATUSES.has(outcome.status)) return outcome;
				waitMs = outcome.retryAfterMs ?? backoffMs(attempt);
			}
			if (!(await pause(waitMs, stopSignal))) return outcome;
		}
	}

	private async attempt(
		request: ApiRequest,
		settings: RequestSettings,
		attempt: number,
		stopSignal: AbortSignal | undefined,
	) {
		const timeoutMs = settings.timeoutSeconds * 1000;
		// One turn of the event loop lets the pool see keep-alive connections the server closed,
		// so a send is not written into one of them (and then failed as "may have been sent").
		await nextTurn();
		const deadline = new AttemptDeadline(timeoutMs, stopSignal);
		const options: Dispatcher.RequestOptions = {
			origin: this.origin,
			path: withQuery(request.path, request.query),
			method: request.method,
			headers: {
				accept: 'application/json, text/plain',
				...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: request.body === undefined ? undefined : JSON.stringify(request.body),
			signal: deadline.signal,
			headersTimeout: timeoutMs,
			bodyTimeout: timeoutMs,
		};
		try {
			const response = await this.agent.request(options);
			this.answered = true;
			const text = await readBounded(response.body, MAX_ANSWER_BYTES);
			if (text === undefined) {
				return {
					kind: 'failure' as const,
					attempts: attempt,
					...oversizedAnswerFailure(MAX_ANSWER_BYTES),
				};
			}
			return {
				kind: 'response' as const,
				status: response.statusCode,
				text,
				attempts: attempt,
				retryAfterMs: parseRetryAfter(response.headers['retry-after']),
			};
		} catch (error) {
			const written = wasHandedToConnection(options);
			const failure = deadline.timedOut
				? timeoutFailure(settings.timeoutSeconds, written)
				: deadline.stopped
					? stoppedFailure(written)
					: await this.diagnosed(this.describeFailure(error, settings.timeoutSeconds, written));
			return { kind: 'failure' as const, attempts: attempt, ...failure };
		} finally {
			deadline.dispose();
		}
	}

	private describeFailure(error: unknown, timeoutSeconds: number, written: boolean) {
		return this.proxy
			? describeProxiedFailure(error, this.origin, timeoutSeconds, {
					written,
					proxy: this.proxy.address,
				})
			: describeRequestFailure(error, this.origin, timeoutSeconds, { written });
	}

	/**
	 * A connection closed without an answer, on a pool MNotify never answered, may be a TLS 1.3
	 * certificate refusal: probe, so the user hears "certificate refused, nothing was sent"
	 * rather than "may have been accepted".
	 */
	private async diagnosed(failure: RequestFailure): Promise<RequestFailure> {
		// The probe connects directly, which a network behind a proxy may not allow.
		const tls12Context = this.answered || this.proxy ? undefined : this.tls12Context?.();
		if (!tls12Context || !mayBeSilentRefusal(failure)) return failure;
		const refusal = await probeCertificateRefusal(this.origin, tls12Context);
		return refusal
			? { problem: refusal, mayHaveReachedServer: false, transient: false, code: failure.code }
			: failure;
	}

	async close(): Promise<void> {
		await this.agent.close();
	}
}

/** The body as text, or undefined (and the rest left unread) when it is larger than `limit`. */
async function readBounded(body: Dispatcher.ResponseData['body'], limit: number) {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of body) {
		size += (chunk as Buffer).length;
		if (size > limit) {
			body.destroy();
			return undefined;
		}
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** Path segments are API words and UUIDs: anything else (an id with "/" or "..") never leaves. */
const SAFE_PATH = /^\/api(\/[A-Za-z0-9-]+)+$/;

function withQuery(path: string, query: ApiRequest['query']): string {
	const parameters = new URLSearchParams();
	for (const [name, value] of Object.entries(query ?? {})) {
		if (value !== undefined && value !== '') parameters.set(name, String(value));
	}
	const search = parameters.toString();
	return search ? `${path}?${search}` : path;
}

function backoffMs(attempt: number): number {
	const exponential = 500 * 2 ** (attempt - 1);
	return Math.min(MAX_BACKOFF_MS, exponential) * (0.75 + Math.random() / 2);
}

/** Retry-After in seconds or as an HTTP date, capped so a server cannot stall a workflow. */
export function parseRetryAfter(header: string | string[] | undefined): number | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (!value) return undefined;
	const seconds = Number(value);
	const milliseconds = Number.isFinite(seconds)
		? seconds * 1000
		: new Date(value).getTime() - Date.now();
	if (!Number.isFinite(milliseconds)) return undefined;
	return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, milliseconds));
}
