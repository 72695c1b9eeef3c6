import type { SecureContext } from 'node:tls';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';

import type { CertificateInfo } from './clientCertificate';
import { describeRequestFailure, type RequestFailure } from './networkErrors';
import { connectionPool, type Environment } from './proxy';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
	method: HttpMethod;
	/** Path below the origin, starting with /api. */
	path: string;
	query?: Record<string, string | number | undefined>;
	body?: unknown;
}

export interface RequestSettings {
	/** Seconds to wait for MNotify's answer (headers, then each chunk of the body). */
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
	| { kind: 'response'; status: number; text: string; attempts: number }
	| ({ kind: 'failure'; attempts: number } & RequestFailure);

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 8_000;
const MAX_RETRY_AFTER_MS = 30_000;

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
	readonly proxy?: string;

	constructor(
		readonly origin: string,
		secureContext: SecureContext,
		readonly certificate: CertificateInfo | undefined,
		env: Environment = process.env,
	) {
		const settings = {
			connections: POOL_CONNECTIONS,
			keepAliveTimeout: KEEP_ALIVE_MS,
			connectTimeout: CONNECT_TIMEOUT_MS,
		};
		({ dispatcher: this.agent, proxy: this.proxy } = connectionPool(
			origin,
			secureContext,
			settings,
			env,
		));
	}

	/**
	 * Sends a request, repeating it only when that cannot notify anyone twice: a GET on a passing
	 * fault (network, 429, 5xx), or any request whose connection failed before it was sent.
	 */
	async request(request: ApiRequest, settings = DEFAULT_REQUEST_SETTINGS): Promise<RequestOutcome> {
		const safeToRepeat = request.method === 'GET';
		for (let attempt = 1; ; attempt++) {
			const outcome = await this.attempt(request, settings, attempt);
			const retriesLeft = attempt <= settings.maxRetries;
			if (!retriesLeft) return outcome;

			if (outcome.kind === 'failure') {
				const repeatable = safeToRepeat || !outcome.mayHaveReachedServer;
				if (!repeatable || !outcome.transient) return outcome;
				await sleep(backoffMs(attempt));
				continue;
			}
			if (!safeToRepeat || !RETRYABLE_STATUSES.has(outcome.status)) return outcome;
			await sleep(outcome.retryAfterMs ?? backoffMs(attempt));
		}
	}

	private async attempt(request: ApiRequest, settings: RequestSettings, attempt: number) {
		const timeoutMs = settings.timeoutSeconds * 1000;
		// One turn of the event loop lets the pool see keep-alive connections the server closed,
		// so a send is not written into one of them (and then failed as "may have been sent").
		await nextTurn();
		try {
			const response = await this.agent.request({
				origin: this.origin,
				path: withQuery(request.path, request.query),
				method: request.method,
				headers: {
					accept: 'application/json, text/plain',
					...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
				},
				body: request.body === undefined ? undefined : JSON.stringify(request.body),
				headersTimeout: timeoutMs,
				bodyTimeout: timeoutMs,
			});
			const text = await response.body.text();
			return {
				kind: 'response' as const,
				status: response.statusCode,
				text,
				attempts: attempt,
				retryAfterMs: parseRetryAfter(response.headers['retry-after']),
			};
		} catch (error) {
			const failure = describeRequestFailure(
				error,
				this.origin,
				settings.timeoutSeconds,
				this.proxy,
			);
			return { kind: 'failure' as const, attempts: attempt, ...failure };
		}
	}

	async close(): Promise<void> {
		await this.agent.close();
	}
}

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
