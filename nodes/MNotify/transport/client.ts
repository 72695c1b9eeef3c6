import type { SecureContext } from 'node:tls';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Dispatcher } from 'undici';

import { backoffMs, pause } from '../helpers/pacing';
import type { CertificateInfo } from './clientCertificate';
import { diagnoseClosedConnection } from './handshakeProbe';
import { isRetryableStatus, parseRetryAfter } from './httpErrors';
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

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
	method: HttpMethod;
	/** Path below the origin, starting with /api. */
	path: string;
	query?: Record<string, string | number | undefined>;
	body?: unknown;
}

export interface RequestSettings {
	/** Seconds one attempt may take in all (see AttemptDeadline); a retried read gets a new one. */
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

	/** `tls12Context`: the certificate capped at TLS 1.2, for the probe; `proxy`: proxy.ts `proxyFor`. */
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
				if (!safeToRepeat || !isRetryableStatus(outcome.status)) return outcome;
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
			const retryAfter = response.headers['retry-after'];
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
				...(retryAfter === undefined ? {} : { retryAfterMs: parseRetryAfter(retryAfter) }),
			};
		} catch (error) {
			const written = handedToConnection.has(options);
			const failure = deadline.timedOut
				? timeoutFailure(settings.timeoutSeconds, written)
				: deadline.stopped
					? stoppedFailure(written)
					: await this.diagnosed(error, settings.timeoutSeconds, written);
			return { kind: 'failure' as const, attempts: attempt, ...failure };
		} finally {
			deadline.dispose();
		}
	}

	/**
	 * What went wrong, in words; on a pool MNotify never answered, probed for a silent TLS 1.3
	 * certificate refusal (handshakeProbe.ts), so the user hears "refused, nothing was sent".
	 */
	private async diagnosed(error: unknown, timeoutSeconds: number, written: boolean) {
		const failure = this.proxy
			? describeProxiedFailure(error, this.origin, timeoutSeconds, {
					written,
					proxy: this.proxy.address,
				})
			: describeRequestFailure(error, this.origin, timeoutSeconds, { written });
		// The probe connects directly, which a network behind a proxy may not allow.
		const tls12Context = this.answered || this.proxy ? undefined : this.tls12Context?.();
		return tls12Context
			? await diagnoseClosedConnection(failure, this.origin, tls12Context)
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

/**
 * The signal one attempt runs under: aborted when its deadline passes (connecting, sending, the
 * answer's headers and its whole body, not each chunk on its own) or when the execution stops.
 */
class AttemptDeadline {
	readonly signal: AbortSignal;
	/** The attempt ran out of time (as opposed to being stopped). */
	timedOut = false;
	private readonly controller = new AbortController();
	private readonly timer: ReturnType<typeof setTimeout>;
	private readonly onStop = () => this.controller.abort(new Error('The execution was stopped'));

	constructor(
		timeoutMs: number,
		private readonly stopSignal?: AbortSignal,
	) {
		this.signal = this.controller.signal;
		this.timer = setTimeout(() => {
			this.timedOut = true;
			this.controller.abort(new Error(`No complete answer within ${timeoutMs} ms`));
		}, timeoutMs);
		if (stopSignal?.aborted) this.onStop();
		else stopSignal?.addEventListener('abort', this.onStop, { once: true });
	}

	get stopped(): boolean {
		return this.stopSignal?.aborted === true && !this.timedOut;
	}

	dispose(): void {
		clearTimeout(this.timer);
		this.stopSignal?.removeEventListener('abort', this.onStop);
	}
}

/**
 * Whether a failed request may have left this machine decides whether a send may be retried, and
 * error codes cannot tell (ECONNRESET comes on a connection that carried the request as on one
 * that never opened). The phase can: undici hands a request to its handler's `onRequestStart`
 * only once it sits on an established connection (TLS done, through a proxy's tunnel if any),
 * just before writing it. The request options of every such request are kept here.
 */
const handedToConnection = new WeakSet<object>();

type Handler = Dispatcher.DispatchHandler;

function markingWrites(pool: Dispatcher): Dispatcher {
	return pool.compose(
		(dispatch) => (options, handler) => dispatch(options, marking(options, handler as Handler)),
	);
}

function marking(options: object, handler: Handler): Handler {
	return {
		onRequestStart: (controller, context) => {
			handedToConnection.add(options);
			return handler.onRequestStart?.(controller, context);
		},
		onRequestUpgrade: (...args) => handler.onRequestUpgrade?.(...args),
		onResponseStart: (...args) => handler.onResponseStart?.(...args),
		onResponseData: (...args) => handler.onResponseData?.(...args),
		onResponseEnd: (...args) => handler.onResponseEnd?.(...args),
		onResponseError: (...args) => handler.onResponseError?.(...args),
	};
}
